# mount.ecryptfs_private / umount.ecryptfs_private, installed setuid root,
# run by a test user on this machine's FUSE path: the mount, the daemon as
# the user, encrypted names below, the counter, keys, aliases, refusals,
# hostile environment and arguments, a dead daemon.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/private/lib.sh"
U=ecfsph$$a V=ecfsph$$b
new_user "$U" && new_user "$V"
ok "test users made"
H=$(home_of "$U") HV=$(home_of "$V")
LOGINPASS="$U-pw-123" MOUNTPASS="mount-$U" ecryptfs-setup-private -u "$U" </dev/null >"$TESTTMP/setup.out" 2>&1
ok "setup-private for the test user"
CNT=/dev/shm/ecryptfs-$U-Private
keys() { printf '%s\0' "$U-pw-123" | as "$U" ecryptfs-insert-wrapped-passphrase-into-keyring "$H/.ecryptfs/wrapped-passphrase" - >/dev/null 2>&1; }
nkeys() { as "$U" keyctl list @u 2>/dev/null | grep -c -f "$H/.ecryptfs/Private.sig"; }

# --- without keys ---
as "$U" keyctl clear @u >/dev/null 2>&1
as "$U" "$MOUNT_PRIV" >"$TESTTMP/m0.out" 2>&1
is $? 1 "no keys: refused"
grep -q "Signature not found in user keyring" "$TESTTMP/m0.out"; ok "Signature not found in user keyring"
is_mounted "$H/Private"; test $? -ne 0; ok "not mounted"

# --- mount, write, names encrypted, daemon as the user ---
keys; ok "the user's keys into their keyring"
is "$(nkeys)" 2 "both keys in @u"
as "$U" "$MOUNT_PRIV"; ok "mount.ecryptfs_private as the user"
is_mounted "$H/Private"; ok "~/Private is mounted"
is "$(awk -v d="$H/Private" '$2 == d {print $3}' /proc/self/mounts)" fuse.ecryptfs "a fuse.ecryptfs mount"
is "$(daemon_uid "$H/.Private")" "$(id -u "$U") $(id -u "$U") $(id -u "$U") $(id -u "$U")" \
	"the daemon runs as the user (real, effective, saved, fs uid)"
is "$(cat "$CNT")" 1 "the counter is 1"
is "$(stat -c '%U %a' "$CNT")" "$U 600" "the counter is the user's, 0600"
as "$U" sh -c "echo secret-text >'$H/Private/plain-name.txt'"; ok "the user writes a file"
is "$(as "$U" cat "$H/Private/plain-name.txt")" secret-text "and reads it back"
ls "$H/.Private" | grep -q '^ECRYPTFS_FNEK_ENCRYPTED\.'; ok "the lower name is encrypted"
ls "$H/.Private" | grep -q plain-name; test $? -ne 0; ok "no plaintext name below"
grep -rq secret-text "$H/.Private"; test $? -ne 0; ok "no plaintext content below"

# --- the counter: a second session, -d, plain umount ---
as "$U" "$MOUNT_PRIV"; ok "a second mount: already mounted, success"
is "$(cat "$CNT")" 2 "the counter is 2"
as "$U" "$UMOUNT_PRIV" >"$TESTTMP/u1.out" 2>&1
is $? 1 "umount with another session open: exit 1"
grep -q "Sessions still open, not unmounting" "$TESTTMP/u1.out"; ok "Sessions still open, not unmounting"
is_mounted "$H/Private"; ok "still mounted"
as "$U" "$MOUNT_PRIV"; as "$U" "$UMOUNT_PRIV" -d; ok "-d: exit 0 with sessions open"
is_mounted "$H/Private"; ok "still mounted"
is "$(cat "$CNT")" 1 "the counter is 1"
as "$U" "$UMOUNT_PRIV"; ok "last umount"
is_mounted "$H/Private"; test $? -ne 0; ok "unmounted at zero"
is "$(cat "$CNT")" 0 "the counter is 0"
is "$(nkeys)" 0 "the keys are unlinked"
as "$U" "$UMOUNT_PRIV" >"$TESTTMP/u2.out" 2>&1
is $? 1 "umount of what is not mounted: exit 1"
is "$(cat "$TESTTMP/u2.out")" "" "silently"

# --- -f ---
keys; as "$U" "$MOUNT_PRIV"; keys; as "$U" "$MOUNT_PRIV"
is "$(cat "$CNT")" 2 "two sessions"
as "$U" "$UMOUNT_PRIV" -f; ok "-f unmounts with sessions open"
is_mounted "$H/Private"; test $? -ne 0; ok "unmounted"
is "$(cat "$CNT")" 0 "-f zeroes the counter"

# --- a daemon that dies leaves no dead mount ---
keys; as "$U" "$MOUNT_PRIV"; ok "mount again"
is "$(as "$U" cat "$H/Private/plain-name.txt")" secret-text "the file reads back after a remount"
pkill -KILL -u "$U" -f ecryptfs-fuse; sleep 0.5
as "$U" stat "$H/Private/." >/dev/null 2>"$TESTTMP/dead.err"
grep -q 'not connected' "$TESTTMP/dead.err"; ok "killed daemon: the mount answers ENOTCONN"
keys; as "$U" "$MOUNT_PRIV"; ok "the next mount takes the dead one down and mounts"
is "$(grep -c " $H/Private " /proc/self/mounts)" 1 "one mount on ~/Private, not two"
is "$(as "$U" cat "$H/Private/plain-name.txt")" secret-text "and it serves"
pkill -KILL -u "$U" -f ecryptfs-fuse; sleep 0.5
as "$U" "$UMOUNT_PRIV"; ok "umount of a dead mount succeeds"
is "$(grep -c " $H/Private " /proc/self/mounts)" 0 "no dead mount left"

# --- aliases ---
mkdir -p "$H/.Other" "$H/Other" && chown "$U:" "$H/.Other" "$H/Other"
printf '%s %s ecryptfs none\n' "$H/.Other" "$H/Other" >"$H/.ecryptfs/Other.conf"
cp "$H/.ecryptfs/Private.sig" "$H/.ecryptfs/Other.sig"
chown "$U:" "$H/.ecryptfs/Other.conf" "$H/.ecryptfs/Other.sig"
keys; as "$U" "$MOUNT_PRIV" Other; ok "mount an alias (Other.conf, Other.sig)"
is_mounted "$H/Other"; ok "~/Other mounted"
is "$(cat "/dev/shm/ecryptfs-$U-Other")" 1 "its own counter"
as "$U" "$UMOUNT_PRIV" Other; ok "umount the alias"
is_mounted "$H/Other"; test $? -ne 0; ok "~/Other unmounted"
for a in ../Private a/b ../../etc/x ..; do
	as "$U" "$MOUNT_PRIV" "$a" >"$TESTTMP/al.out" 2>&1
	is "$?:$(cat "$TESTTMP/al.out")" "1:Invalid alias" "alias '$a' refused"
done
printf '%s %s ecryptfs uid=0\n' "$H/.Other" "$H/Other" >"$H/.ecryptfs/Opt.conf"
chown "$U:" "$H/.ecryptfs/Opt.conf"
as "$U" "$MOUNT_PRIV" Opt >"$TESTTMP/opt.out" 2>&1
is $? 1 "an alias with mount options is refused"
grep -q 'Mount options are not supported here' "$TESTTMP/opt.out"; ok "Mount options are not supported here"
printf '%s %s ext4 none\n' "$H/.Other" "$H/Other" >"$H/.ecryptfs/Fs.conf"
chown "$U:" "$H/.ecryptfs/Fs.conf"
as "$U" "$MOUNT_PRIV" Fs >"$TESTTMP/fs.out" 2>&1
grep -q 'Bad fs type' "$TESTTMP/fs.out"; ok "an alias of another fs type: Bad fs type"
ln -s "$H/.ecryptfs/Other.conf" "$H/.ecryptfs/Link.conf"; chown -h "$U:" "$H/.ecryptfs/Link.conf"
cp "$H/.ecryptfs/Other.sig" "$H/.ecryptfs/Link.sig"; chown "$U:" "$H/.ecryptfs/Link.sig"
as "$U" "$MOUNT_PRIV" Link >/dev/null 2>&1
is $? 1 "a symlinked ALIAS.conf is refused"
cp "$H/.ecryptfs/Other.conf" "$H/.ecryptfs/Root.conf"
as "$U" "$MOUNT_PRIV" Root >"$TESTTMP/root.out" 2>&1
grep -q 'Bad file' "$TESTTMP/root.out"; ok "an ALIAS.conf of another owner: Bad file"

# --- other users' directories ---
mkdir -p "$HV/.Mine" "$HV/Mine" && chown "$V:" "$HV/.Mine" "$HV/Mine"
printf '%s %s ecryptfs none\n' "$HV/.Mine" "$H/Other" >"$H/.ecryptfs/Lower.conf"
printf '%s %s ecryptfs none\n' "$H/.Other" "$HV/Mine" >"$H/.ecryptfs/Upper.conf"
for a in Lower Upper; do cp "$H/.ecryptfs/Other.sig" "$H/.ecryptfs/$a.sig"; chown "$U:" "$H/.ecryptfs/$a.conf" "$H/.ecryptfs/$a.sig"; done
keys
as "$U" "$MOUNT_PRIV" Lower >"$TESTTMP/low.out" 2>&1
is $? 1 "a lower directory of another user is refused"
grep -q 'You do not own that encrypted directory' "$TESTTMP/low.out"; ok "You do not own that encrypted directory"
as "$U" "$MOUNT_PRIV" Upper >"$TESTTMP/up.out" 2>&1
is $? 1 "a mountpoint of another user is refused"
grep -q 'You do not own that mountpoint.' "$TESTTMP/up.out"; ok "You do not own that mountpoint."
is "$(grep -c -e "$HV/Mine" -e " $H/Other " /proc/self/mounts)" 0 "nothing mounted"

# --- the counter cannot be redirected ---
as "$U" "$UMOUNT_PRIV" -f >/dev/null 2>&1
rm -f "$CNT" "$CNT"-*
echo precious >"$TESTTMP/target"; chmod 644 "$TESTTMP/target"
ln -s "$TESTTMP/target" "$CNT"
keys; as "$U" "$MOUNT_PRIV"; ok "mount with a symlink planted at the counter's name"
is "$(cat "$TESTTMP/target")" precious "the symlink's target is untouched"
is "$(cat "$CNT-1")" 1 "the count went to the next name, a file of the user's"
as "$U" "$UMOUNT_PRIV"; ok "umount"
rm -f "$CNT" "$CNT"-*
echo 5 >"$CNT"; chown "$V:" "$CNT"
keys; as "$U" "$MOUNT_PRIV"; ok "mount with another user's file at the counter's name"
is "$(cat "$CNT")" 5 "that file is untouched"
as "$U" "$UMOUNT_PRIV"; ok "umount"
rm -f "$CNT" "$CNT"-*

# --- hostile environment, descriptors, arguments ---
keys
env -i PATH=/nonexistent IFS=/ LD_PRELOAD=/nonexistent.so HOME=/etc \
	/usr/bin/setpriv --reuid="$U" --regid="$(id -g "$U")" --init-groups -- /bin/sh -c "umask 777; exec '$MOUNT_PRIV'"
ok "mount with PATH, IFS, LD_PRELOAD, HOME and umask hostile"
is_mounted "$H/Private"; ok "the mount is the user's ~/Private (HOME is not used)"
as "$U" sh -c "echo x >'$H/Private/umask-test'"; is "$(stat -c %U "$H/Private/umask-test")" "$U" "files are the user's"
as "$U" sh -c "exec '$UMOUNT_PRIV' <&- >&- 2>&-"; ok "umount with fds 0-2 closed"
is_mounted "$H/Private"; test $? -ne 0; ok "unmounted"
is "$(stat -c %U "$CNT")" "$U" "the counter is still the user's file"
as "$U" "$MOUNT_PRIV" a b >/dev/null 2>&1; is $? 1 "two aliases: usage, exit 1"
as "$U" "$MOUNT_PRIV" -x >/dev/null 2>&1; is $? 1 "an unknown option: exit 1"
as "$U" "$MOUNT_PRIV" -h >"$TESTTMP/h.out" 2>&1; is $? 0 "-h: exit 0"
grep -q 'Usage:.*\[ALIAS\]' "$TESTTMP/h.out"; ok "-h prints the usage"
as "$U" "$UMOUNT_PRIV" --help >"$TESTTMP/h2.out" 2>&1; is $? 0 "umount --help: exit 0"
grep -q 'forcibly unmount' "$TESTTMP/h2.out"; ok "umount's usage lists -f"
as "$U" "$MOUNT_PRIV" "$(head -c 5000 /dev/zero | tr '\0' A)" >/dev/null 2>&1
is $? 1 "a 5000-byte alias fails cleanly"
as "$U" sh -c "exec -a /tmp/umount-evil '$MOUNT_PRIV' -f" >/dev/null 2>&1
is_mounted "$H/Private"; test $? -ne 0; ok "argv[0] naming umount: an unmount, nothing more"
ls -la / >"$TESTTMP/root-before"
is "$(find / -xdev -newer "$TESTTMP/setup.out" -user root -path '/dev/shm/*' 2>/dev/null | wc -l)" 0 \
	"no root-owned file appeared in /dev/shm"

# --- a user whose name the helper refuses ---
tap_done
