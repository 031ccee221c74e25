#!/bin/bash
# pam_ecryptfs.so in the system's own PAM stack and programs: our
# pam-auth-update profile enabled by the real pam-auth-update, then
# passwd(1) run by the user re-wraps the wrapped passphrase, and a login
# through a real sshd on 127.0.0.1 opens ~/Private and locks it at logout,
# also when sshd's session process is killed with SIGKILL.
#
# Nothing of the real system changes: in this test's mount namespace
# (tests/pam/lib.sh), /etc/pam.d, /var/lib/pam and /usr/share/pam-configs
# are tmp copies bind-mounted over the real ones, the PAM module
# directory, /usr/sbin and /usr/libexec are overlays whose upper layer
# holds the module and the programs under test, /run is an empty tmpfs (sshd's privilege
# separation directory, utmp) and the login records (wtmp, btmp, lastlog)
# are tmp files.  passwd(1) changes the test user's /etc/shadow entry, as
# chpasswd does for every test user.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/pam/lib.sh"
SYS=$TESTTMP/sys
mkdir -p "$SYS"
SYS_MOUNTS=
SSHD_PID=
sys_cleanup() {
	st=$?
	[ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null
	# Newest first; lib.sh's clean-up then removes its service from the
	# real /etc/pam.d, not from our copy.
	for m in $SYS_MOUNTS; do umount -l "$m" 2>/dev/null; done
	(exit $st)
	pam_cleanup
}
trap sys_cleanup EXIT
over() {	# SOURCE TARGET: bind SOURCE over TARGET, undone at exit
	mount --bind "$1" "$2" && SYS_MOUNTS="$2 $SYS_MOUNTS"
}
overlay() {	# DIR: an overlay on DIR; prints its upper layer
	_d=$SYS/ov$(echo "$1" | tr / _)
	mkdir -p "$_d/up" "$_d/work"
	mount -t overlay overlay -o "lowerdir=$1,upperdir=$_d/up,workdir=$_d/work" "$1" &&
		SYS_MOUNTS="$1 $SYS_MOUNTS" && echo "$_d/up"
}

# --- the profile, installed by make install, enabled by pam-auth-update ---
make -s -C "$BUILDDIR" install-pam-config DESTDIR="$SYS/dest" >/dev/null
ok "make install puts the profile in place"
PROFILE=$SYS/dest/usr/share/pam-configs/ecryptfs-utils
is "$(sed -n 's/^Name: //p' "$PROFILE")" "eCryptfs Key/Mount Management" \
	"the profile has Debian's name (an upgrade replaces Debian's)"
cp -a /etc/pam.d "$SYS/pam.d.orig"
cp -a /etc/pam.d "$SYS/pam.d" && cp -a /var/lib/pam "$SYS/var-lib-pam" &&
	cp -a /usr/share/pam-configs "$SYS/pam-configs" && cp "$PROFILE" "$SYS/pam-configs/"
ok "tmp copies of /etc/pam.d, /var/lib/pam and /usr/share/pam-configs"
# lib.sh's test service is not part of the system's stack.
rm -f "$SYS/pam.d/$SVC" "$SYS/pam.d.orig/$SVC"
over "$SYS/pam.d" /etc/pam.d && over "$SYS/var-lib-pam" /var/lib/pam &&
	over "$SYS/pam-configs" /usr/share/pam-configs
ok "the copies bind-mounted over the real ones (this namespace only)"
pam-auth-update --package --enable ecryptfs-utils >"$SYS/pau.out" 2>&1
ok "pam-auth-update --package --enable ecryptfs-utils"
sed 's/^/#   /' "$SYS/pau.out"
# has FILE TYPE LINE: /etc/pam.d/FILE carries "TYPE LINE" (any blanks;
# pam-auth-update leaves one at the end).
has() {
	awk -v t="$2" -v l="$3" '{ s = $0; gsub(/[ \t]+/, " ", s); sub(/^ /, "", s); sub(/ $/, "", s) } s == t " " l { f = 1 } END { exit !f }' \
		"/etc/pam.d/$1"
}
check "common-auth: optional pam_ecryptfs.so unwrap" has common-auth auth "optional pam_ecryptfs.so unwrap"
check "common-session: optional pam_ecryptfs.so unwrap" has common-session session "optional pam_ecryptfs.so unwrap"
check "common-password: optional pam_ecryptfs.so" has common-password password "optional pam_ecryptfs.so"
has common-auth auth "required pam_ecryptfs.so unwrap"; test $? -ne 0
ok "common-auth: not Debian's required (a module that fails to load would block every login)"
grep -q pam_ecryptfs /etc/pam.d/common-session-noninteractive; test $? -ne 0
ok "common-session-noninteractive (systemd's user manager, cron) has no pam_ecryptfs"
diff -r -x "$SVC" "$SYS/pam.d.orig" "/proc/$PPID/root/etc/pam.d" >"$SYS/real.diff" 2>&1
ok "the real /etc/pam.d is untouched"
sed 's/^/#   /' "$SYS/real.diff" | head -5

# --- the module and the helpers where the stack looks for them ---
MODDIR=$(dirname "$(readlink -f /lib/*/security/pam_unix.so)")
UP=$(overlay "$MODDIR") && install -m 644 "$PAM_SO" "$UP/pam_ecryptfs.so"
ok "pam_ecryptfs.so in $MODDIR (an overlay)"
UP=$(overlay /usr/sbin) &&
	cp -a "$ST/sbin/mount.ecryptfs_private" "$ST/sbin/ecryptfs-fuse" "$UP/" &&
	ln "$UP/mount.ecryptfs_private" "$UP/umount.ecryptfs_private"
ok "mount.ecryptfs_private (setuid) and ecryptfs-fuse in /sbin (an overlay)"
is "$(stat -c '%a %U' /sbin/mount.ecryptfs_private)" "4755 root" "the helper is setuid root"
# The session watcher where the module looks for it: where make install
# puts it, below /usr/libexec.
make -s -C "$BUILDDIR" install-pkglibexecPROGRAMS DESTDIR="$SYS/dest" >/dev/null &&
	WATCH=$(cd "$SYS/dest" && find . -name ecryptfs-watch | sed 's/^\.//') &&
	case $WATCH in /usr/libexec/*) ;; *) false ;; esac &&
	UP=$(overlay /usr/libexec) && mkdir -p "$UP/$(dirname "${WATCH#/usr/libexec/}")" &&
	cp "$SYS/dest$WATCH" "$UP/${WATCH#/usr/libexec/}"
ok "ecryptfs-watch in /usr/libexec (an overlay)"

# --- the test user ---
U=ecfspy$$a
new_user "$U"; ok "test user made"
H=$(home_of "$U") PW=$U-pw-123 NEW=Kz8-vQ2r-Lm5w
setup "$U"; ok "ecryptfs-setup-private for the user"
as "$U" keyctl clear @u
MP=$(printf '%s\0' "$PW" | as "$U" ecryptfs-unwrap-passphrase "$H/.ecryptfs/wrapped-passphrase" - 2>/dev/null)
test -n "$MP"; ok "the login password unwraps the mount passphrase"

# --- passwd(1), run by the user on a terminal ---
cat >"$ST/passwd.exp" <<'EOF'
set timeout 20
spawn passwd
expect {
	-re "(Current|current).*: $" { send "$env(OLDPW)\r" }
	timeout { exit 2 }
}
expect -re "New password: $" { send "$env(NEWPW)\r" }
expect -re "new password: $" { send "$env(NEWPW)\r" }
expect eof
catch wait result
exit [lindex $result 3]
EOF
chmod 644 "$ST/passwd.exp"
syslog_mark
as "$U" env OLDPW="$PW" NEWPW="$NEW" expect -f "$ST/passwd.exp" >"$SYS/passwd.out" 2>&1
ok "passwd(1) as the user: password changed"
sed 's/^/#   /' "$SYS/passwd.out" | tr -d '\r'
is "$(printf '%s\0' "$NEW" | as "$U" ecryptfs-unwrap-passphrase "$H/.ecryptfs/wrapped-passphrase" - 2>/dev/null)" \
	"$MP" "passwd: the new password unwraps the mount passphrase"
printf '%s\0' "$PW" | as "$U" ecryptfs-unwrap-passphrase "$H/.ecryptfs/wrapped-passphrase" - >/dev/null 2>&1
test $? -ne 0; ok "passwd: the old one no longer does"
is "$(stat -c '%a %U' "$H/.ecryptfs/wrapped-passphrase")" "600 $U" "passwd: still 0600, the user's"
syslog_new | grep -q pam_ecryptfs; test $? -ne 0; ok "passwd: pam_ecryptfs logged nothing"
syslog_new | sed 's/^/#   /'

# --- a real sshd on the loopback address ---
mount -t tmpfs -o mode=755 tmpfs /run && SYS_MOUNTS="/run $SYS_MOUNTS" && mkdir -m 755 /run/sshd
ok "an empty /run (sshd's privilege separation directory, utmp)"
for f in wtmp btmp lastlog; do
	if [ -e "/var/log/$f" ]; then : >"$SYS/$f"; over "$SYS/$f" "/var/log/$f"; fi
done
ssh-keygen -q -t ed25519 -N '' -f "$SYS/host_key"; ok "a host key"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$SYS/sshd_config" <<EOF
ListenAddress 127.0.0.1:$PORT
HostKey $SYS/host_key
PidFile $SYS/sshd.pid
UsePAM yes
PasswordAuthentication yes
KbdInteractiveAuthentication yes
PubkeyAuthentication no
PermitRootLogin no
AllowUsers $U
PrintMotd no
PrintLastLog no
StrictModes no
LogLevel VERBOSE
EOF
/usr/sbin/sshd -t -f "$SYS/sshd_config"; ok "sshd accepts the test configuration"
/usr/sbin/sshd -D -e -f "$SYS/sshd_config" 2>"$SYS/sshd.log" &
SSHD_PID=$!
for _i in $(seq 100); do
	python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null && break
	sleep 0.1
done
kill -0 "$SSHD_PID"; ok "sshd listens on 127.0.0.1:$PORT"
ssh_as() {	# METHOD PASSWORD COMMAND: ssh to the test user, password given by sshpass
	sshpass -p "$2" ssh -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o PreferredAuthentications="$1" -o PubkeyAuthentication=no -o LogLevel=ERROR \
		-p "$PORT" "$U@127.0.0.1" "$3"
}
# locked: no mount on ~/Private and no key in @u, waited for (the close
# runs in sshd after the client has its exit status).
locked() {
	for _i in $(seq 100); do
		! is_mounted "$H/Private" && [ "$(keys_of "$U")" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}
syslog_mark
ssh_as keyboard-interactive "$NEW" \
	'grep -c " $HOME/Private fuse.ecryptfs " /proc/self/mounts; echo via-ssh >~/Private/ssh.txt; cat ~/Private/ssh.txt' \
	>"$SYS/ssh1.out" 2>&1
ok "ssh login (keyboard-interactive) with the new password"
is "$(tr -d '\r' <"$SYS/ssh1.out")" "$(printf '1\nvia-ssh')" "the session sees ~/Private mounted and writes into it"
check "after logout: unmounted, the keys unlinked" locked
ls "$H/.Private" | grep -q ssh; test $? -ne 0; ok "no plaintext name below"
ssh_as password "$NEW" 'cat ~/Private/ssh.txt' >"$SYS/ssh2.out" 2>&1
ok "ssh login (password)"
is "$(tr -d '\r' <"$SYS/ssh2.out")" via-ssh "a second login reads the file back decrypted"
check "after logout: locked again" locked
# sshd's session process killed with SIGKILL (no close_session): the
# session's watcher locks.
syslog_mark
ssh_as password "$NEW" 'cat ~/Private/ssh.txt; exec sleep 60' >"$SYS/ssh4.out" 2>&1 &
SSH_PID=$!
for _i in $(seq 100); do grep -q via-ssh "$SYS/ssh4.out" && break; sleep 0.1; done
is "$(tr -d '\r' <"$SYS/ssh4.out")" via-ssh "a long ssh session reads the file"
W=$(ps -u "$U" -o pid=,stat=,comm= | awk '$3 == "ecryptfs-watch" && $2 !~ /^Z/ { print $1 }')
is "$(echo $W | wc -w)" 1 "the session has a watcher"
# sshd, not the watcher, which is its fork (same command line).
PRIV=$(pgrep -x sshd | while read -r p; do
	grep -qx "sshd: $U \[priv\]" "/proc/$p/cmdline" 2>/dev/null && echo "$p"; done)
test -n "$PRIV" && kill -KILL $PRIV; ok "its sshd session process (sshd: $U [priv]) killed with SIGKILL"
# sshd's unprivileged half serves the connection until its command ends.
pkill -KILL -u "$U" -x sleep
wait "$SSH_PID"
check "the session's processes gone: unmounted, the keys unlinked all the same" locked
is "$(syslog_new | grep -c "pam_ecryptfs(sshd:session): user $U: the login program ended without closing the session; closed for it")" 1 \
	"one syslog line says the session was closed for sshd"
syslog_mark
ssh_as password "$PW" true >"$SYS/ssh3.out" 2>&1
test $? -ne 0; ok "the old password no longer logs in"
check "and nothing was mounted" locked
syslog_new | grep pam_ecryptfs | sed 's/^/#   /'
is "$(syslog_new | grep -c pam_ecryptfs)" 0 "a failed sshd login: pam_ecryptfs logged nothing"
grep -E 'Accepted|error|fatal' "$SYS/sshd.log" | sed 's/^/#   /'
tap_done
