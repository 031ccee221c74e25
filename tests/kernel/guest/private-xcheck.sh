#!/bin/sh
# Guest side of tests/kernel/t-private-xcheck.sh, run as root in the VM
# (run.sh exec).  The reference's private-directory programs (Debian's
# ecryptfs-utils 111, shipped by the host in /in/ref) on the real kernel,
# run as two users whose uids and homes equal the host's test users:
#   a. /in/a-home is user A's home as OUR ecryptfs-setup-private and OUR
#      FUSE mount left it on the host: a wrong login passphrase mounts
#      nothing; with the right one the reference's
#      ecryptfs-insert-wrapped-passphrase-into-keyring and its setuid
#      mount.ecryptfs_private mount it with the kernel; A copies ~/Private
#      out to /out/a/plain; the reference's ecryptfs-umount-private.
#   b. user B: the reference's ecryptfs-setup-private (LOGINPASS from the
#      environment, mount passphrase generated) and its self-test, then the
#      same login-time mount; B writes /in/b-plain through the kernel mount;
#      ecryptfs-umount-private; B's home goes back as /out/b/home.
#   c. first, while only our programs are installed (run.sh --root): user C
#      with the tree /in/c-plain as home, OUR ecryptfs-migrate-home (as
#      root, LOGINPASS in the environment) encrypts it on the kernel path;
#      later the reference's login-time mount opens the migrated home with
#      the kernel and C copies it out to /out/c/plain.
# /in/conf sets UA UIDA GIDA HA PA, UB UIDB GIDB HB PB and UC UIDC GIDC HC PC.
# Prints "RESULT NAME ok|FAIL detail" lines for the host.
set -u
res() { echo "RESULT $1 $2"; }
# dash keeps $? across the command substitutions in the arguments.
okst() { if [ $? = 0 ]; then res "$1" "ok${2:+ $2}"; else res "$1" "FAIL${2:+ $2}"; fi; }
kmounted() { grep -q " $1 ecryptfs " /proc/mounts; }
. /in/conf
UPATH=/usr/local/bin:/opt/ecryptfs-utils/bin:/usr/sbin:/usr/bin:/sbin:/bin
# as USER CMD...: CMD as USER (uid, gid, groups) with a small environment;
# no new session keyring, as after su(1) without pam_keyinit.  The host's
# setpriv and getent by their paths: busybox's applets of the same names
# (installed in /sbin too) know none of these options.
as() {
	_u=$1
	shift
	env -i HOME="$(/usr/bin/getent passwd "$_u" | cut -d: -f6)" USER="$_u" LOGNAME="$_u" PATH="$UPATH" \
		/usr/bin/setpriv --reuid="$_u" --regid="$(id -g "$_u")" --init-groups -- "$@"
}

# ---- the machine: users, homes on tmpfs (a lower type the reference's
# mount.ecryptfs_private allows).
mkdir -p /home && mount -t tmpfs -o mode=755 tmpfs /home
# The initramfs's /tmp is root's 0755; the scripts' mktemp needs it public.
chmod 1777 /tmp
for v in "$UA:$UIDA:$GIDA:$HA" "$UB:$UIDB:$GIDB:$HB" "$UC:$UIDC:$GIDC:$HC"; do
	IFS=: read -r n u g h <<EOF
$v
EOF
	echo "$n:x:$u:$g::$h:/bin/sh" >>/etc/passwd
	echo "$n:x:$g:" >>/etc/group
	mkdir -p "$h"
done
# The reference's scripts call gettext(1) for every message; the guest has
# no gettext-base, and untranslated output is what gettext prints anyway.
printf '#!/bin/sh\nprintf "%%s" "$1"\n' >/usr/local/bin/gettext
chmod 755 /usr/local/bin/gettext
as "$UA" id >/tmp/id.out 2>&1 && grep -q "uid=$UIDA" /tmp/id.out
okst users "$(cat /tmp/id.out)"

# ---- c. our ecryptfs-migrate-home on the kernel path ------------------------
mkdir -p /out/c
(cd /in/c-plain && gtar -cf - .) | (cd "$HC" && gtar -xpf -) &&
	chown -R "$UIDC:$GIDC" "$HC" && chmod 700 "$HC"
okst c-home-placed
echo "which ecryptfs-migrate-home: $(command -v ecryptfs-migrate-home)"
LOGINPASS=$PC ecryptfs-migrate-home -u "$UC" </dev/null >/out/c/migrate.out 2>&1
st=$?
C=/home/.ecryptfs/$UC
[ $st = 0 ] && ! grep -q " $HC " /proc/mounts && [ -s "$C/.ecryptfs/wrapped-passphrase" ] &&
	[ "$(readlink "$HC/.Private")" = "$C/.Private" ]
okst c-migrate "exit $st: $(grep -v '^ *$' /out/c/migrate.out | tail -8 | tr '\n' ' ')"
n=$(find "$C/.Private" -mindepth 1 | wc -l)
p=$(find "$C/.Private" -mindepth 1 ! -name 'ECRYPTFS_FNEK_ENCRYPTED.*' | wc -l)
res c-lower "ok $n $p"

# ---- from here on the reference's programs.  The setuid helper ignores
# LD_LIBRARY_PATH: the reference's library replaces ours on the default
# path (nothing of ours runs after this).
mkdir -p /opt/ecryptfs-ng-lib && mv /usr/lib/x86_64-linux-gnu/libecryptfs.so* /opt/ecryptfs-ng-lib/ &&
	cp -a /opt/ecryptfs-utils/lib/libecryptfs.so* /usr/lib/x86_64-linux-gnu/ &&
	cp /in/ref/sbin/mount.ecryptfs_private /sbin/ &&
	chown root:root /sbin/mount.ecryptfs_private && chmod 4755 /sbin/mount.ecryptfs_private &&
	ln -sf mount.ecryptfs_private /sbin/umount.ecryptfs_private &&
	cp /in/ref/bin/ecryptfs-setup-private /in/ref/bin/ecryptfs-mount-private \
		/in/ref/bin/ecryptfs-umount-private /usr/local/bin/ &&
	chmod 755 /usr/local/bin/ecryptfs-*-private
okst ref-installed
mkdir -p /out/a /out/b
# The reference's login-time mount, as its pam_ecryptfs and
# ecryptfs-mount-private do it: the login passphrase unwraps the mount
# passphrase into the user's keyring, then the setuid helper mounts.  (Its
# ecryptfs-mount-private itself runs under sh -e and stops at stty without
# a terminal.)  $1: the login passphrase.
REFMOUNT='printf "%s\0" "$1" | ecryptfs-insert-wrapped-passphrase-into-keyring "$HOME/.ecryptfs/wrapped-passphrase" -
echo "insert-wrapped: exit $?"
/sbin/mount.ecryptfs_private
st=$?
echo "mount.ecryptfs_private: exit $st"
exit $st'

# ---- a. ours -> the reference on the kernel --------------------------------
(cd /in/a-home && gtar -cf - .) | (cd "$HA" && gtar --numeric-owner -xpf -) &&
	chown "$UIDA:$GIDA" "$HA" && chmod 700 "$HA"
okst a-home-placed
as "$UA" sh -c "$REFMOUNT" _ wrong-passphrase >/out/a/wrong.out 2>&1
st=$?
[ $st != 0 ] && ! kmounted "$HA/Private" && grep -q 'mount.ecryptfs_private: exit [^0]' /out/a/wrong.out &&
	[ "$(as "$UA" keyctl list @u 2>/dev/null | grep -c -f "$HA/.ecryptfs/Private.sig")" = 0 ]
okst a-wrong-refused "exit $st: $(tr '\n' ' ' </out/a/wrong.out | head -c 300)"
as "$UA" sh -c "$REFMOUNT" _ "$PA" >/out/a/mount.out 2>&1
st=$?
[ $st = 0 ] && kmounted "$HA/Private"
okst a-mount "exit $st: $(tr '\n' ' ' </out/a/mount.out | head -c 300) $(dmesg | grep -i ecryptfs | tail -3 | tr '\n' ' ')"
grep " $HA/Private ecryptfs " /proc/mounts | sed -n 1p >/out/a/mount-line
res a-options "ok $(cat /out/a/mount-line)"
mkdir -p /out/a/plain && chown "$UIDA:$GIDA" /out/a/plain
as "$UA" sh -c 'cd "$HOME/Private" && gtar -cf - .' 2>/out/a/read.err |
	as "$UA" sh -c 'cd /out/a/plain && gtar -xpf -' 2>>/out/a/read.err
[ ! -s /out/a/read.err ]
okst a-read "$(head -3 /out/a/read.err | tr '\n' ' ')"
as "$UA" ecryptfs-umount-private >/out/a/umount.out 2>&1
st=$?
[ $st = 0 ] && ! kmounted "$HA/Private"
okst a-umount "exit $st: $(tr '\n' ' ' </out/a/umount.out)"

# ---- b. the reference on the kernel -> ours ------------------------------------
chown "$UIDB:$GIDB" "$HB" && chmod 700 "$HB"
as "$UB" env LOGINPASS="$PB" ecryptfs-setup-private </dev/null >/out/b/setup.out 2>&1
st=$?
[ $st = 0 ] && grep -q 'Testing succeeded.' /out/b/setup.out
okst b-setup "exit $st: $(grep -v '^\*\|^ *$' /out/b/setup.out | tail -4 | tr '\n' ' ')"
as "$UB" sh -c "$REFMOUNT" _ "$PB" >/out/b/mount.out 2>&1
st=$?
[ $st = 0 ] && kmounted "$HB/Private"
okst b-mount "exit $st: $(tr '\n' ' ' </out/b/mount.out | head -c 300)"
grep " $HB/Private ecryptfs " /proc/mounts | sed -n 1p >/out/b/mount-line
res b-options "ok $(cat /out/b/mount-line)"
cp -a /in/b-plain /tmp/b-plain && chown -R "$UIDB:$GIDB" /tmp/b-plain
as "$UB" sh -c 'cd /tmp/b-plain && gtar -cf - .' 2>/out/b/write.err |
	as "$UB" sh -c 'cd "$HOME/Private" && gtar -xpf - && sync' 2>>/out/b/write.err
[ ! -s /out/b/write.err ]
okst b-write "$(head -3 /out/b/write.err | tr '\n' ' ')"
as "$UB" ecryptfs-umount-private >/out/b/umount.out 2>&1
st=$?
[ $st = 0 ] && ! kmounted "$HB/Private"
okst b-umount "exit $st: $(tr '\n' ' ' </out/b/umount.out)"
mkdir -p /out/b/home
(cd "$HB" && gtar -cf - .) | (cd /out/b/home && gtar --numeric-owner -xpf -)
okst b-home-copied

# ---- c. the reference opens the home our migrate-home made -----------------------
as "$UC" sh -c "$REFMOUNT" _ "$PC" >/out/c/mount.out 2>&1
st=$?
[ $st = 0 ] && kmounted "$HC"
okst c-mount "exit $st: $(tr '\n' ' ' </out/c/mount.out | head -c 300)"
res c-links "ok $(readlink "$HC/.ecryptfs") $(readlink "$HC/.Private")"
mkdir -p /out/c/plain && chown "$UIDC:$GIDC" /out/c/plain
as "$UC" sh -c 'cd "$HOME" && gtar --exclude=./.ecryptfs --exclude=./.Private -cf - .' 2>/out/c/read.err |
	as "$UC" sh -c 'cd /out/c/plain && gtar -xpf -' 2>>/out/c/read.err
[ ! -s /out/c/read.err ]
okst c-read "$(head -3 /out/c/read.err | tr '\n' ' ')"
as "$UC" ecryptfs-umount-private >/out/c/umount.out 2>&1
st=$?
[ $st = 0 ] && ! kmounted "$HC"
okst c-umount "exit $st: $(tr '\n' ' ' </out/c/umount.out)"
dmesg | grep -i ecryptfs >/out/dmesg.txt
exit 0
