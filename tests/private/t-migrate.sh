#!/bin/bash
# ecryptfs-migrate-home as root on real users: a varied home (hard links,
# symlinks, a FIFO, a socket, a device node, xattrs, ACLs, odd modes and
# owners, old times, odd and 143-byte UTF-8 names, many small files) is
# migrated, the first login's steps unwrap the /dev/shm passphrase with the
# user's password and mount it, and the tree reads back exactly; every
# refusal exits 1 with its message and changes nothing; a failure part-way
# (a failed set-up, a full destination, an injected error, SIGTERM) puts
# back the very same home (same inodes); progress only on a terminal.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/private/lib.sh"
install -m 755 "$BUILDDIR/src/utils/private/ecryptfs-migrate-home" "$ST/bin/"
export ECRYPTFS_MIGRATE_COPY="$BUILDDIR/src/utils/private/ecryptfs-migrate-copy"
MANIFEST="python3 $SRCDIR/tests/private/manifest.py"
TMPFS_MOUNTS=
mg_cleanup() {
	pkill -KILL -f "ecryptfs-migrate-copy .*/ecfsmg$$" 2>/dev/null
	for m in $TMPFS_MOUNTS; do umount -l "$m" 2>/dev/null; done
	# (a mount inside a home travels with it when it is moved aside)
	for u in $PRIV_USERS; do
		awk -v p="/home/$u." 'index($2, p) == 1 {print $2}' /proc/self/mounts |
			while read -r m; do umount -l "$m"; done
	done
	priv_cleanup
	for u in $PRIV_USERS; do rm -rf /home/"$u".????????; done
}
trap mg_cleanup EXIT

U1=ecfsmg$$a U2=ecfsmg$$b
new_user "$U1" && new_user "$U2"
ok "test users made"
H1=$(home_of "$U1") H2=$(home_of "$U2")
G1=$(id -g "$U1")

# --- a varied home ---
populate() {	# HOME USER GROUP
	h=$1
	mkdir -p "$h/docs/sub" "$h/shared" "$h/many" "$h/setgid-dir" &&
	head -c 3000000 /dev/urandom >"$h/docs/big.bin" &&
	head -c 4097 /dev/urandom >"$h/docs/extent+1" &&
	: >"$h/docs/empty" &&
	printf 'hello\n' >"$h/docs/a.txt" &&
	ln "$h/docs/a.txt" "$h/docs/sub/a-hardlink" && ln "$h/docs/a.txt" "$h/a-link2" &&
	ln -s ../a.txt "$h/docs/sub/rel-symlink" && ln -s /nonexistent/target "$h/dangling" &&
	ln -s "$h/docs" "$h/abs-symlink" &&
	mkfifo "$h/fifo" &&
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$h/socket" &&
	mknod "$h/null-device" c 1 3 &&
	printf 'x' >"$h/with space" && printf 'n' >"$h/new
line" && printf 'd' >"$h/-dash" && printf 's' >"$h/*star?[]" &&
	printf 'u' >"$h/$(printf 'é%.0s' $(seq 71))x" &&
	seq 1 600 | while read -r i; do printf '%s\n' "$i" >"$h/many/f$i"; done &&
	chown -R "$2:$3" "$h" &&
	printf 'root' >"$h/docs/root-owned" &&
	printf 'other' >"$h/docs/other-owned" && chown 12345:12346 "$h/docs/other-owned" &&
	cp "$h/docs/a.txt" "$h/docs/setuid" && chown "$2:$3" "$h/docs/setuid" && chmod 4755 "$h/docs/setuid" &&
	chmod 0404 "$h/docs/empty" && chmod 1777 "$h/shared" && chmod 2750 "$h/setgid-dir" &&
	chmod 640 "$h/docs/big.bin" &&
	setfattr -n user.comment -v "héllo wörld" "$h/docs/a.txt" &&
	setfattr -n user.bin -v 0x00ff10 "$h/docs/big.bin" &&
	setfattr -n user.on-dir -v dir "$h/docs" &&
	setfacl -m u:12345:rw-,g:12346:r-- "$h/docs/extent+1" &&
	setfacl -d -m u:12345:rwx "$h/shared" &&
	find "$h" -exec touch -h -d '1990-01-02 03:04:05.123456789' {} + &&
	touch -h -d '2001-02-03 04:05:06.5' "$h/dangling" "$h/docs/sub"
}
populate "$H1" "$U1" "$G1"; ok "a varied home for $U1"
$MANIFEST "$H1" >"$TESTTMP/m1.before"; ok "its manifest"
is "$(grep -c 'posix_acl' "$TESTTMP/m1.before")" 2 "the manifest shows the two ACLs"

# --- the migration ---
ecryptfs-migrate-home -u "$U1" </dev/null >"$TESTTMP/mg1.out" 2>&1
is $? 0 "ecryptfs-migrate-home -u USER: exit 0"
sed 's/^/#   /' "$TESTTMP/mg1.out" | grep -v '^#   $' | tail -8
grep -q "$U1 MUST LOGIN IMMEDIATELY, _BEFORE_THE_NEXT_REBOOT_," "$TESTTMP/mg1.out"; ok "the reference's notes"
grep -q 'INFO:  Encrypted home has been set up, encrypting files now...this may take a while.' "$TESTTMP/mg1.out"
ok "the reference's INFO line"
grep -Eq 'INFO:  Copied [0-9]+ files, [0-9]+ bytes in [0-9.]+ s \([0-9.]+ MB/s\)\.' "$TESTTMP/mg1.out"; ok "the copy's rate"
grep -E 'INFO:  Copied' "$TESTTMP/mg1.out" | sed 's/^/# /'
grep -q "$(printf '\r')" "$TESTTMP/mg1.out"; test $? -ne 0; ok "no progress line without a terminal"
BK1=$(ls -d /home/"$U1".???????? 2>/dev/null)
test -d "$BK1"; ok "the original moved aside to $BK1"
is "$(stat -c '%a %U' "$BK1")" "700 $U1" "the cleartext copy: 0700, the user's"
is_mounted "$H1"; test $? -ne 0; ok "the new home is left unmounted"
is "$(ls -A "$H1" | tr '\n' ' ')" ".Private .ecryptfs " "the unmounted home holds the two links"
is "$(readlink "$H1/.ecryptfs")" "/home/.ecryptfs/$U1/.ecryptfs" "~/.ecryptfs -> /home/.ecryptfs/USER/.ecryptfs"
is "$(stat -c '%a %U' "/dev/shm/.ecryptfs-$U1")" "600 $U1" "the mount passphrase waits in /dev/shm, 0600, the user's"
test ! -e "/home/.ecryptfs/$U1/.ecryptfs/wrapped-passphrase"; ok "not wrapped yet"
test -e "/home/.ecryptfs/$U1/.ecryptfs/auto-mount"; ok "auto-mount"
is "$(keyctl list @u 2>/dev/null | grep -c -f "/home/.ecryptfs/$U1/.ecryptfs/Private.sig")" 0 "no key left in root's keyring"
is "$(find "/home/.ecryptfs/$U1/.Private" -name 'a.txt' -o -name 'many' | wc -l)" 0 "no cleartext name in the lower tree"
grep -rqs hello "/home/.ecryptfs/$U1/.Private"; test $? -ne 0; ok "no cleartext content in the lower tree"
# (but for its mode, now 0700)
cmp -s <(grep -v "^b'\.' " "$TESTTMP/m1.before") <($MANIFEST "$BK1" | grep -v "^b'\.' ")
ok "the cleartext copy is the original"

# --- the first login: what pam_ecryptfs does (auth: wrap the /dev/shm
# passphrase with the password, remove it, unwrap into the keyring;
# session: mount.ecryptfs_private) ---
as "$U1" env PW="$U1-pw-123" keyctl session - sh -c '
	set -e
	{ cat /dev/shm/.ecryptfs-$USER; printf "\n%s" "$PW"; } |
		ecryptfs-wrap-passphrase "$HOME/.ecryptfs/wrapped-passphrase" - >/dev/null
	rm -f /dev/shm/.ecryptfs-$USER
	keyctl link @u @s
	printf "%s\0" "$PW" | ecryptfs-insert-wrapped-passphrase-into-keyring "$HOME/.ecryptfs/wrapped-passphrase" - >/dev/null
	"$ECRYPTFS_SBINDIR/mount.ecryptfs_private"
' >"$TESTTMP/login.out" 2>&1
ok "the first login: wrapped with the password, unwrapped, mounted"
sed 's/^/#   /' "$TESTTMP/login.out" | tail -5
test ! -e "/dev/shm/.ecryptfs-$U1"; ok "the cleartext passphrase in /dev/shm is gone"
is_mounted "$H1"; ok "the home is mounted"
$MANIFEST "$H1" | grep -v -e "^b'.ecryptfs' " -e "^b'.Private' " >"$TESTTMP/m1.after"
diff "$TESTTMP/m1.before" "$TESTTMP/m1.after" >"$TESTTMP/m1.diff"
ok "every file, link, mode, owner, time, xattr and ACL read back exactly"
sed 's/^/#   /' "$TESTTMP/m1.diff" | head -10
# The comparison can fail: a time and an xattr changed (on a file with
# three names) show as four lines.
touch -h -d @0 "$H1/dangling" && setfattr -x user.comment "$H1/docs/a.txt"
ok "planted: a time and an xattr changed"
is "$($MANIFEST "$H1" | grep -v -e "^b'.ecryptfs' " -e "^b'.Private' " |
	diff "$TESTTMP/m1.before" - | grep -c '^>')" 4 "planted: the comparison sees them"
is "$(getfacl -cp "$H1/docs/extent+1" 2>/dev/null | grep -c '^user:12345:rw-$')" 1 "getfacl through the mount shows the ACL"
as "$U1" sh -c "echo new >'$H1/docs/written-after'"; ok "the user writes to the encrypted home"
umount "$H1"; ok "unmounted"

# --- LOGINPASS in the environment: wrapped at once (the reference's way
# when root types the password); a wrong one rolls back ---
U3=ecfsmg$$c
new_user "$U3"; ok "a third user"
H3=$(home_of "$U3")
$MANIFEST --inodes "$H3" >"$TESTTMP/m3.before"
LOGINPASS=wrong-password ecryptfs-migrate-home -u "$U3" </dev/null >"$TESTTMP/w.out" 2>&1
is $? 1 "a wrong LOGINPASS: exit 1"
grep -q 'Your login passphrase is incorrect' "$TESTTMP/w.out"; ok "Your login passphrase is incorrect"
grep -qF "INFO:  $H3 is back as it was." "$TESTTMP/w.out"; ok "the rollback says so"
$MANIFEST --inodes "$H3" | cmp -s "$TESTTMP/m3.before" - && test ! -e "/home/.ecryptfs/$U3" &&
	test -z "$(ls -d /home/"$U3".???????? 2>/dev/null)"
ok "a wrong LOGINPASS: the same home, nothing left"
LOGINPASS="$U3-pw-123" ecryptfs-migrate-home -u "$U3" </dev/null >"$TESTTMP/l.out" 2>&1
is $? 0 "the right LOGINPASS: exit 0"
test ! -e "/dev/shm/.ecryptfs-$U3"; ok "nothing in /dev/shm"
MP3=$(printf '%s\0' "$U3-pw-123" | as "$U3" ecryptfs-unwrap-passphrase "/home/.ecryptfs/$U3/.ecryptfs/wrapped-passphrase" - 2>/dev/null)
echo "$MP3" | grep -Eqx '[0-9a-f]{32}'; ok "wrapped at once with the login password: 32 hex digits"

# --- refusals: exit 1, a message, nothing changed ---
printf 'data' >"$H2/file"; chown "$U2:" "$H2/file"
$MANIFEST --inodes "$H2" >"$TESTTMP/m2.before"
unchanged() {	# DESCRIPTION
	$MANIFEST --inodes "$H2" | cmp -s "$TESTTMP/m2.before" - &&
		test -z "$(ls -d /home/"$U2".???????? 2>/dev/null)" &&
		test ! -e "/home/.ecryptfs/$U2/.ecryptfs" && test ! -e "/dev/shm/.ecryptfs-$U2" &&
		! is_mounted "$H2"
	ok "$1: nothing changed"
}
refused() {	# DESCRIPTION MESSAGE [ARGS...]
	_d=$1 _m=$2; shift 2
	ecryptfs-migrate-home "$@" </dev/null >"$TESTTMP/r.out" 2>&1
	is $? 1 "$_d: exit 1"
	grep -qF -- "$_m" "$TESTTMP/r.out"; ok "$_d: $_m"
}
refused "no option" "Usage:"
refused "an unknown option" "Usage:" --bogus
refused "-u without a name" "Usage:" -u
ecryptfs-migrate-home --help >"$TESTTMP/h.out" 2>&1; is $? 0 "--help: exit 0"
refused "an unknown user" "ERROR:  Cannot find the home directory of no-such-user-$$." -u "no-such-user-$$"
as "$U2" ecryptfs-migrate-home -u "$U2" </dev/null >"$TESTTMP/r.out" 2>&1
is $? 1 "not root: exit 1"
grep -qF "This program must be executed with root privileges" "$TESTTMP/r.out"; ok "not root: the message"
unchanged "not root"

setpriv --reuid="$U2" --regid="$(id -g "$U2")" --init-groups sleep 60 &
SLEEP=$!
sleep 0.3
refused "a process of the user" "$U2 must log out, and these processes end, before the migration." -u "$U2"
grep -q 'sleep 60' "$TESTTMP/r.out"; ok "the process is listed"
kill "$SLEEP"; wait "$SLEEP" 2>/dev/null
unchanged "a process of the user"

(cd "$H2" && exec sleep 60) &
SLEEP=$!
sleep 0.3
refused "a working directory in the home" "The following files are in use:" -u "$U2"
grep -q "sleep $SLEEP $H2\$" "$TESTTMP/r.out"; ok "the process and its directory are listed"
grep -qF "ERROR:  Cannot proceed." "$TESTTMP/r.out"; ok "Cannot proceed."
kill "$SLEEP"; wait "$SLEEP" 2>/dev/null
sleep 60 <"$H2/file" &
SLEEP=$!
sleep 0.3
refused "an open file in the home" "$H2/file" -u "$U2"
kill "$SLEEP"; wait "$SLEEP" 2>/dev/null
unchanged "open files"

mkdir "$H2/.ecryptfs"
refused "an existing setup" "$H2 appears to be encrypted already." -u "$U2"
rmdir "$H2/.ecryptfs"
$MANIFEST --inodes "$H2" >"$TESTTMP/m2.before"
mkdir -p "/home/.ecryptfs/$U2/x"
refused "a non-empty /home/.ecryptfs/USER" "/home/.ecryptfs/$U2 is not empty, cannot continue." -u "$U2"
rm -rf "/home/.ecryptfs/$U2"
unchanged "an existing setup"

mkdir "$H2/mnt" && mount -t tmpfs tmpfs "$H2/mnt" && TMPFS_MOUNTS="$H2/mnt"
$MANIFEST --inodes "$H2" >"$TESTTMP/m2.before"
refused "a file system mounted inside" "$H2/mnt is mounted inside $H2; unmount it first, cannot continue." -u "$U2"
umount "$H2/mnt" && rmdir "$H2/mnt"
TMPFS_MOUNTS=
$MANIFEST --inodes "$H2" >"$TESTTMP/m2.before"
unchanged "a file system mounted inside"

long=$(printf 'é%.0s' $(seq 72))
printf 'l' >"$H2/$long"
$MANIFEST --inodes "$H2" >"$TESTTMP/m2.before"
refused "a 144-byte name" "These names are longer than the 143 bytes an encrypted name can hold:" -u "$U2"
grep -qxF "    $H2/$long" "$TESTTMP/r.out"; ok "the name is listed"
rm -f "$H2/$long"
$MANIFEST --inodes "$H2" >"$TESTTMP/m2.before"
unchanged "a 144-byte name"

# Not enough space where the encrypted copy goes: a 2 MiB tmpfs there.
mkdir -p "/home/.ecryptfs/$U2"
mount -t tmpfs -o size=2m tmpfs "/home/.ecryptfs/$U2" && TMPFS_MOUNTS="/home/.ecryptfs/$U2"
head -c 1500000 /dev/urandom >"$H2/big"; chown "$U2:" "$H2/big"
$MANIFEST --inodes "$H2" >"$TESTTMP/m2.before"
refused "not enough free space" "ERROR:  Not enough free disk space." -u "$U2"
grep -qF "2.5x the size your current home directory is required to perform a migration." "$TESTTMP/r.out"
ok "the reference's 2.5x line"
is "$(ls -A "/home/.ecryptfs/$U2")" "" "nothing made on the small file system"
unchanged "not enough free space"

# --- failures part-way: the same home back ---
# A known mount passphrase (MOUNTPASS), whose key must not stay behind.
MP=migrate-test-$$
MP_SIG=$(printf '%s' "$MP" | ecryptfs-add-passphrase - | sed -n 's/^Inserted auth tok with sig \[\([0-9a-f]*\)\].*/\1/p')
keyctl unlink "$(keyctl search @u user "$MP_SIG")" @u >/dev/null
test -n "$MP_SIG"; ok "the signature of MOUNTPASS: $MP_SIG"
# A full destination: a sparse file takes no space in the home, all of it
# encrypted, so the check passes and the copy fills the 2 MiB.
rm -f "$H2/big"
truncate -s 20M "$H2/sparse"; chown "$U2:" "$H2/sparse"
$MANIFEST --inodes "$H2" >"$TESTTMP/m2.before"
MOUNTPASS=$MP ecryptfs-migrate-home -u "$U2" </dev/null >"$TESTTMP/f1.out" 2>&1
is $? 1 "a full destination: exit 1"
sed 's/^/#   /' "$TESTTMP/f1.out" | grep -v '^#   $' | tail -5
grep -q 'No space left on device' "$TESTTMP/f1.out"; ok "the copy's error is shown"
grep -qF "INFO:  $H2 is back as it was." "$TESTTMP/f1.out"; ok "the rollback says so"
is "$(ls -A "/home/.ecryptfs/$U2")" "" "the encrypted copy removed"
unchanged "a full destination"
is "$(keyctl list @u 2>/dev/null | grep -c "$MP_SIG\$")" 0 "no key left in root's keyring"
umount "/home/.ecryptfs/$U2" && rmdir "/home/.ecryptfs/$U2"
TMPFS_MOUNTS=
rm -f "$H2/sparse"
$MANIFEST --inodes "$H2" >"$TESTTMP/m2.before"

# A failed set-up: the FUSE daemon does not start.
MOUNTPASS=$MP ECRYPTFS_FUSE_PROG=/bin/false ecryptfs-migrate-home -u "$U2" </dev/null >"$TESTTMP/f0.out" 2>&1
is $? 1 "a failed set-up: exit 1"
grep -qF "ERROR:  Could not set up the encrypted home." "$TESTTMP/f0.out"; ok "Could not set up the encrypted home."
grep -qF "INFO:  $H2 is back as it was." "$TESTTMP/f0.out"; ok "the rollback says so"
unchanged "a failed set-up"
is "$(keyctl list @u 2>/dev/null | grep -c "$MP_SIG\$")" 0 "no key left in root's keyring"

populate "$H2" "$U2" "$(id -g "$U2")"; ok "a varied home for $U2"
$MANIFEST --inodes "$H2" >"$TESTTMP/m2.before"
ECRYPTFS_MIGRATE_FAIL_AFTER=100 ecryptfs-migrate-home -u "$U2" </dev/null >"$TESTTMP/f2.out" 2>&1
is $? 1 "a failure injected after 100 files: exit 1"
grep -q 'injected failure' "$TESTTMP/f2.out"; ok "the copy's error is shown"
grep -qF "INFO:  $H2 is back as it was." "$TESTTMP/f2.out"; ok "the rollback says so"
test ! -e "/home/.ecryptfs/$U2"; ok "/home/.ecryptfs/USER removed"
unchanged "an injected failure"

# SIGTERM while the copy runs.
head -c 400000000 /dev/zero >"$H2/huge"; chown "$U2:" "$H2/huge"
$MANIFEST --inodes "$H2" >"$TESTTMP/m2.before"
ecryptfs-migrate-home -u "$U2" </dev/null >"$TESTTMP/f3.out" 2>&1 &
MG=$!
for _ in $(seq 200); do
	pgrep -f "ecryptfs-migrate-copy .*$H2" >/dev/null && break
	sleep 0.05
done
sleep 0.3
kill -TERM "$MG"
wait "$MG"
is $? 1 "SIGTERM during the copy: exit 1"
grep -q 'Interrupted.' "$TESTTMP/f3.out"; ok "Interrupted."
grep -qF "INFO:  $H2 is back as it was." "$TESTTMP/f3.out"; ok "the rollback says so"
pgrep -f "ecryptfs-migrate-copy .*$H2" >/dev/null; test $? -ne 0; ok "the copier is gone"
unchanged "SIGTERM"

# On a terminal: the progress line (files, bytes, rate, time left).
rm -f "$H2/huge"
script -qec "ecryptfs-migrate-home -u $U2" "$TESTTMP/tty.out" </dev/null >/dev/null 2>&1
is $? 0 "on a terminal: exit 0"
grep -Eq "$(printf '\r')[0-9]+/[0-9]+ files, [0-9.]+/[0-9.]+ MB, [0-9.]+ MB/s, [0-9:]+ left" "$TESTTMP/tty.out"
ok "on a terminal: the progress line"
tail -c 300 "$TESTTMP/tty.out" | tr '\r' '\n' | sed 's/^/#   /' | tail -3
tap_done
