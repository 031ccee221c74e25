#!/bin/bash
# ~/Private both ways between us and the reference on the real kernel (one
# VM boot of tests/kernel/harness; the reference is Debian's ecryptfs-utils
# 111 the harness downloads, its setuid mount.ecryptfs_private included):
#   a. on this host (no eCryptfs module: the FUSE path) our
#      ecryptfs-setup-private sets up a real test user, our
#      ecryptfs-mount-private mounts it through our mount.ecryptfs_private
#      and ecryptfs-fuse, the user writes a tree, our ecryptfs-umount-private
#      locks it; in the guest a wrong login passphrase mounts nothing, and
#      with the right one the reference's
#      ecryptfs-insert-wrapped-passphrase-into-keyring and setuid
#      mount.ecryptfs_private mount that home with the kernel and the tree
#      reads back exactly.
#   b. in the guest the reference's ecryptfs-setup-private sets up a second
#      user (its self-test included), the user mounts it the same way and
#      writes a tree through the kernel mount; back here our
#      ecryptfs-mount-private opens that home with the login passphrase,
#      every file reads back exactly, and our ecryptfs-umount-private locks
#      it again.
#   c. in the guest, first, our ecryptfs-migrate-home (make install
#      DESTDIR, laid over the guest) encrypts a third user's home on the
#      kernel path; then the reference's login-time mount opens the migrated
#      home with the kernel and every file reads back exactly.
# The guest half is tests/kernel/guest/private-xcheck.sh.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/private/lib.sh"
. "$SRCDIR/tests/kernel/lib.sh"
# kernel/lib.sh owns the EXIT trap; the users and mounts go first.
k_at_exit priv_cleanup

k_require
REF=${KECFS_CACHE:-/var/cache/ecryptfs-ng-kernel}/root
W=$K_WORK/p
IN=$W/in
# Trees the test users read or write: outside TESTTMP, which is root's 0700.
X=$(mktemp -d /tmp/ecfs-xvm.XXXXXX)
chmod 755 "$X"
k_at_exit rm -rf "$X"
mkdir -p "$IN"

UA=ecfsxv$$a UB=ecfsxv$$b UC=ecfsxv$$c
new_user "$UA" && new_user "$UB"
ok "test users $UA and $UB made"
HA=$(home_of "$UA") HB=$(home_of "$UB")
PA=$UA-pw-123 PB=$UB-pw-123 PC=$UC-pw-123
# mount_type DIR: the type of the mount on DIR ("" when none).
mount_type() { awk -v d="$1" '$2 == d {t = $3} END {print t}' /proc/self/mounts; }

# ---- a. host half: ours on the FUSE path ----------------------------------------
grep -qw ecryptfs /proc/filesystems
test $? -ne 0
ok "this host has no eCryptfs module: our helper takes the FUSE path"
LOGINPASS=$PA ecryptfs-setup-private -u "$UA" </dev/null >"$W.a-setup.out" 2>&1 &&
	grep -qx 'Testing succeeded.' "$W.a-setup.out"
ok "a: our ecryptfs-setup-private -u $UA (LOGINPASS from the environment), self-test passed"
sed 's/^/#   /' "$W.a-setup.out" | tail -3
is "$(wc -l <"$HA/.ecryptfs/Private.sig")" 2 "a: two signatures in Private.sig (file names encrypted)"
printf '%s\n' "$PA" | as "$UA" ecryptfs-mount-private >"$W.a-mount.out" 2>&1
ok "a: our ecryptfs-mount-private as $UA with the login passphrase"
sed 's/^/#   /' "$W.a-mount.out" | head -5
is "$(mount_type "$HA/Private")" fuse.ecryptfs "a: ~/Private is a FUSE mount"
k_make_tree "$X/plain-a"
ok "a: the plaintext tree made (k_make_tree)"
as "$UA" sh -c 'cd "$1" && tar -cf - . | (cd "$HOME/Private" && tar -xf -)' _ "$X/plain-a" \
	>"$W.a-write.out" 2>&1 && [ ! -s "$W.a-write.out" ]
ok "a: $UA writes it into ~/Private through our FUSE daemon"
sed 's/^/#   /' "$W.a-write.out" | head -5
as "$UA" ecryptfs-umount-private >"$W.a-umount.out" 2>&1
ok "a: our ecryptfs-umount-private"
is "$(mount_type "$HA/Private")" "" "a: ~/Private unmounted"
n=$(find "$HA/.Private" -mindepth 1 ! -name 'ECRYPTFS_FNEK_ENCRYPTED.*' | wc -l)
[ "$n" = 0 ] && [ "$(find "$HA/.Private" -mindepth 1 | wc -l)" = "$(find "$X/plain-a" -mindepth 1 | wc -l)" ]
ok "a: ~/.Private holds as many entries as the tree, under encrypted names only"
grep -rqF 'name of 143 bytes' "$HA/.Private"
test $? -ne 0
ok "a: no plaintext in ~/.Private"
mkdir -p "$IN/a-home" && cp -a "$HA/." "$IN/a-home/"
ok "a: $UA's home (.ecryptfs, .Private, Private) goes to the guest"

# ---- b. what the guest writes for UB ------------------------------------------------
k_make_tree "$X/plain-b"
ok "b: the plaintext tree for the guest made (k_make_tree)"
cp -a "$X/plain-b" "$IN/b-plain"

# ---- c. the home our migrate-home encrypts in the guest (a guest-only user)
k_make_tree "$X/plain-c"
ok "c: the home to migrate made (k_make_tree)"
cp -a "$X/plain-c" "$IN/c-plain"
k_stage "$W/stage"
ok "c: our programs staged (make install DESTDIR)"

# ---- the reference's programs, from the harness's dpkg -x of Debian's packages
mkdir -p "$IN/ref/sbin" "$IN/ref/bin"
cp "$REF/sbin/mount.ecryptfs_private" "$IN/ref/sbin/" &&
	cp "$REF/usr/bin/ecryptfs-setup-private" "$REF/usr/bin/ecryptfs-mount-private" \
		"$REF/usr/bin/ecryptfs-umount-private" "$IN/ref/bin/"
ok "the reference's mount.ecryptfs_private and private-directory scripts staged"
{
	printf 'UA=%s UIDA=%s GIDA=%s HA=%s PA=%s\n' "$UA" "$(id -u "$UA")" "$(id -g "$UA")" "$HA" "$PA"
	printf 'UB=%s UIDB=%s GIDB=%s HB=%s PB=%s\n' "$UB" "$(id -u "$UB")" "$(id -g "$UB")" "$HB" "$PB"
	printf 'UC=%s UIDC=%s GIDC=%s HC=%s PC=%s\n' "$UC" 4321 4321 "/home/$UC" "$PC"
} >"$IN/conf"

# ---- one VM --------------------------------------------------------------------------
# getent and setpriv (util-linux) run the scripts as the users; our
# migrate-home wants GNU realpath and find (busybox's have not the options)
# and pgrep (busybox has none).
k_exec_script "$W/guest.out" --root "$W/stage" \
	--bin /usr/bin/getent --bin /usr/bin/setpriv --bin /usr/bin/realpath --bin /usr/bin/find --bin /usr/bin/pgrep \
	--script "$SRCDIR/tests/kernel/guest/private-xcheck.sh" --in "$IN" --out "$W/out" --out-mb 64
diag "VM: $(k_vm_time)"
k_result_ok ref-installed
ok "after c, the guest has the reference's setuid mount.ecryptfs_private, library and scripts"
k_result_ok users
ok "the guest knows the test users by the host's uids"

# ---- a. guest half: the reference reads what we wrote ---------------------------------
k_result_ok a-wrong-refused
ok "a: a wrong login passphrase: the reference's insert-wrapped refuses, no key, no mount"
k_result_ok a-mount
ok "a: the reference's insert-wrapped + mount.ecryptfs_private mount our ~/Private with the kernel"
o=$(k_result a-options)
[[ $o == *" ecryptfs "*ecryptfs_fnek_sig=* ]]
ok "a: a kernel eCryptfs mount with filename encryption"
diag "$o"
k_result_ok a-read
ok "a: $UA reads ~/Private through the kernel mount"
k_same_tree "$X/plain-a" "$W/out/a/plain"
ok "a: the kernel shows exactly the tree our FUSE daemon wrote (names, types, links, sizes, targets, sha256)"
# A control: the same comparison sees one flipped byte.
cp -a "$W/out/a/plain" "$X/control" &&
	b=$(od -An -tu1 -j 2000 -N 1 "$X/control/size-4096") && [ -n "$b" ] &&
	printf "\\$(printf %o $(((b + 1) % 256)))" |
	dd of="$X/control/size-4096" bs=1 seek=2000 conv=notrunc status=none &&
	! cmp -s "$X/control/size-4096" "$X/plain-a/size-4096" &&
	! k_same_tree "$X/plain-a" "$X/control" >/dev/null
ok "control: that comparison fails when one byte of the kernel's read differs"
k_result_ok a-umount
ok "a: the reference's ecryptfs-umount-private"

# ---- b. host half: ours opens what the reference wrote -----------------------------------
k_result_ok b-setup
ok "b: the reference's ecryptfs-setup-private for $UB (non-interactive), its self-test passed"
k_result_ok b-mount
ok "b: the reference's insert-wrapped + mount.ecryptfs_private mount it with the kernel"
o=$(k_result b-options)
[[ $o == *" ecryptfs "*ecryptfs_fnek_sig=* ]]
ok "b: a kernel eCryptfs mount with filename encryption"
diag "$o"
k_result_ok b-write
ok "b: $UB writes the tree through the kernel mount"
k_result_ok b-umount
ok "b: the reference's ecryptfs-umount-private"
k_result_ok b-home-copied
ok "b: $UB's home comes back from the guest"
B=$W/out/b/home
[ -s "$B/.ecryptfs/wrapped-passphrase" ] && [ -s "$B/.ecryptfs/Private.sig" ] && [ -d "$B/.Private" ]
ok "b: the reference made ~/.ecryptfs/{wrapped-passphrase,Private.sig} and ~/.Private"
diag "the reference's wrapped-passphrase starts $(head -c 2 "$B/.ecryptfs/wrapped-passphrase" | od -An -tx1 | tr -d ' ')"
n=$(find "$B/.Private" -mindepth 1 ! -name 'ECRYPTFS_FNEK_ENCRYPTED.*' | wc -l)
[ "$n" = 0 ] && [ "$(find "$B/.Private" -mindepth 1 | wc -l)" = "$(find "$X/plain-b" -mindepth 1 | wc -l)" ]
ok "b: the kernel wrote as many entries as the tree, under encrypted names only"
rm -rf "$HB/.ecryptfs" "$HB/.Private" "$HB/Private" &&
	cp -a "$B/.ecryptfs" "$B/.Private" "$B/Private" "$HB/" &&
	[ "$(find "$HB" ! -user "$UB" | wc -l)" = 0 ]
ok "b: placed in $UB's home here, every file $UB's"
printf '%s\n' "$PB" | as "$UB" ecryptfs-mount-private >"$W.b-mount.out" 2>&1
ok "b: our ecryptfs-mount-private as $UB with the login passphrase"
sed 's/^/#   /' "$W.b-mount.out" | head -5
is "$(mount_type "$HB/Private")" fuse.ecryptfs "b: ~/Private is our FUSE mount"
mkdir -p "$X/read-b" && chown "$UB:" "$X/read-b"
as "$UB" sh -c 'cd "$HOME/Private" && tar -cf - . | (cd "$1" && tar -xf -)' _ "$X/read-b" \
	>"$W.b-read.out" 2>&1 && [ ! -s "$W.b-read.out" ]
ok "b: $UB reads every file through our FUSE daemon"
sed 's/^/#   /' "$W.b-read.out" | head -5
k_same_tree "$X/plain-b" "$X/read-b"
ok "b: exactly the tree the kernel wrote (names, types, links, sizes, targets, sha256)"
as "$UB" ecryptfs-umount-private >"$W.b-umount.out" 2>&1
ok "b: our ecryptfs-umount-private"
is "$(mount_type "$HB/Private")" "" "b: locked: ~/Private unmounted"
is "$(as "$UB" keyctl list @u 2>/dev/null | grep -c -f "$HB/.ecryptfs/Private.sig")" 0 \
	"b: locked: the keys are gone from $UB's keyring"

# ---- c. our migrate-home on the kernel path, read by the reference ------------------------
k_result_ok c-home-placed
ok "c: the home placed in the guest"
k_result_ok c-migrate
ok "c: our ecryptfs-migrate-home -u $UC (LOGINPASS): exit 0, unmounted, wrapped-passphrase, ~/.Private linked"
grep -E '^(INFO|WARNING|ERROR)|not found|unrecognized|invalid' "$W/out/c/migrate.out" 2>/dev/null | sed 's/^/#   /'
is "$(k_result c-lower)" "ok $(($(find "$X/plain-c" -mindepth 1 | wc -l) + 2)) 0" \
	"c: the kernel wrote the tree (+ the .ecryptfs and .Private links) under encrypted names only"
k_result_ok c-mount
ok "c: the reference's insert-wrapped + mount.ecryptfs_private mount the migrated home with the kernel"
is "$(k_result c-links)" "ok /home/.ecryptfs/$UC/.ecryptfs /home/.ecryptfs/$UC/.Private" \
	"c: in the mounted home, .ecryptfs and .Private link to /home/.ecryptfs/$UC"
k_result_ok c-read
ok "c: $UC reads the home through the kernel mount"
k_same_tree "$X/plain-c" "$W/out/c/plain"
ok "c: exactly the home before the migration (names, types, links, sizes, targets, sha256)"
k_result_ok c-umount
ok "c: the reference's ecryptfs-umount-private"
grep -q . "$W/out/dmesg.txt" 2>/dev/null && sed 's/^/# dmesg: /' "$W/out/dmesg.txt" | tail -5
tap_done
