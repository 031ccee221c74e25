#!/bin/bash
# A root mount shared with other users (allow_other) gives each of them no
# more than the lower file system would (doc/compatibility.md §6.1):
#  - a lower POSIX ACL that denies a user denies it through the mount, one
#    set through the mount (setfacl) is the lower file's, chmod keeps the
#    two in step, and a lower default ACL applies to what the mount creates,
#    exactly as to what a user creates on the lower file system itself;
#  - writes, size changes and creations of a user run with that user's
#    fsuid/fsgid and without root's CAP_SYS_RESOURCE, so ext4's reserved
#    blocks stay root's: the user gets ENOSPC where the reserve starts, and
#    root can still write afterwards.
# Everything runs on a small ext4 of its own (a loop device) made with half
# of its blocks reserved, so the reserve is reached in seconds.  ext4 lets
# into the reserve an fsuid of 0 or a holder of CAP_SYS_RESOURCE; where
# root holds that capability (not in every container) the reserve checks
# also cover its drop.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuse/lib.sh"
. "$SRCDIR/tests/lib/reference.sh"

IMG=$TESTTMP/disk.img D=$TESTTMP/disk
L=$D/lower M=$TESTTMP/mnt N=$D/native
cleanup() {
	_efs_cleanup
	if mountpoint -q "$D" 2>/dev/null; then umount "$D" 2>/dev/null || umount -l "$D"; fi
	rm -f "$IMG"
	_tu_cleanup
}
trap cleanup EXIT

U1=$(tu_create) && U2=$(tu_create)
check_st "two test users exist" id "$U1" "$U2" || { tap_done; exit; }
# as USER CMD...: CMD as USER (its groups), with umask 022.
as() {
	local u=$1; shift
	setpriv --reuid="$u" --regid="$u" --init-groups -- bash -c 'umask 022; exec "$@"' as "$@"
}
# asu USER UMASK SCRIPT: a shell script as USER with that umask.
asu() { setpriv --reuid="$1" --regid="$1" --init-groups -- bash -c "umask $2; $3"; }

mkdir -p "$D"
if ! { truncate -s 48M "$IMG" && mkfs.ext4 -q -F -m 50 "$IMG" && mount -o loop "$IMG" "$D"; }; then
	false; ok "an ext4 loop file system with 50% reserved blocks mounts (as root)"
	tap_done; exit
fi
mkdir -p "$L" "$N"
chmod 755 "$D" "$L" "$N"
sig=$(efs_addkey "rootmount test $$ $RANDOM")
check_st "root mounts the lower directory (allow_other)" \
	efs_mount "$L" "$M" "ecryptfs_sig=$sig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16" ||
	{ tap_done; exit; }

# --- a lower ACL that denies a user --------------------------------------
echo secret >"$M/denied"
chmod 644 "$M/denied"
setfacl -m "u:$U1:---" "$L/denied"	# on the lower file, behind the mount
! as "$U1" head -c1 "$L/denied" >/dev/null 2>&1
ok "the lower file system denies $U1 the lower file (the premise)"
! as "$U1" cat "$M/denied" >/dev/null 2>&1
ok "$U1, denied by the lower ACL, cannot read the file through the mount"
is "$(as "$U2" cat "$M/denied" 2>&1)" "secret" "another user still reads it (mode 0644)"
is "$(getfacl -cp "$M/denied" 2>&1)" "$(getfacl -cp "$L/denied" 2>&1)" \
	"getfacl through the mount shows the lower ACL"

# --- setfacl through the mount -------------------------------------------
echo two >"$M/set"
chmod 644 "$M/set"
check "setfacl through the mount (the owner, root)" setfacl -m "u:$U1:---" "$M/set"
getfacl -cp "$L/set" 2>/dev/null | grep -qx "user:$U1:---"
ok "... sets the lower file's ACL"
! as "$U1" cat "$M/set" >/dev/null 2>&1
ok "... and denies $U1 through the mount"
is "$(as "$U2" cat "$M/set" 2>&1)" "two" "... but not another user"
! as "$U1" setfacl -m "u:$U1:rw-" "$M/denied" 2>/dev/null
ok "a user who does not own the file cannot setfacl it through the mount"
getfacl -cp "$L/denied" 2>/dev/null | grep -qx "user:$U1:---"
ok "... and the lower ACL is unchanged"

# --- chmod keeps ACL and mode in step ------------------------------------
echo three >"$M/grant"
chmod 644 "$M/grant"
check "setfacl grants $U2 write through the mount" setfacl -m "u:$U2:rw-" "$M/grant"
check "$U2 can then write through the mount" as "$U2" bash -c "echo more >>'$M/grant'"
check "chmod 644 through the mount" chmod 644 "$M/grant"
getfacl -cp "$L/grant" 2>/dev/null | grep -qx "mask::r--"
ok "... narrows the lower ACL's mask (r--)"
! as "$U2" bash -c "echo again >>'$M/grant'" 2>/dev/null
ok "... and $U2 can no longer write"
is "$(as "$U2" cat "$M/grant" 2>&1)" "three
more" "... but still read"
is "$(stat -c %a "$M/grant") $(getfacl -cp "$M/grant" 2>&1)" \
	"$(stat -c %a "$L/grant") $(getfacl -cp "$L/grant" 2>&1)" \
	"mode and ACL seen through the mount are the lower file's"

# --- a lower default ACL --------------------------------------------------
# The same ACL on a lower directory and on a native one beside it; $U1
# creates the same things in both with umask 022.  A default ACL makes the
# umask irrelevant (POSIX.1e), so the group class (mask) keeps rw.
mkdir "$L/shared"
setfacl -m "u:$U1:rwx" -m "d:u:$U1:rwx" -m "d:u:$U2:rw-" "$L/shared"
getfacl -p "$L/shared" | setfacl --set-file=- "$N"
for t in "$M/shared" "$N"; do
	asu "$U1" 022 "echo one >'$t/f' && mkdir '$t/sub' && mknod '$t/fifo' p" ||
		echo "creating in $t failed" >&2
done
for x in f sub fifo; do
	is "$(stat -c %a "$L/shared/$x" 2>&1) $(getfacl -cp "$L/shared/$x" 2>&1)" \
		"$(stat -c %a "$N/$x" 2>&1) $(getfacl -cp "$N/$x" 2>&1)" \
		"a $x made through the mount gets the default ACL as a native one does"
done
check "$U2, given rw- by the default ACL, writes the new file through the mount" \
	as "$U2" bash -c "echo two >>'$M/shared/f'"
is "$(cat "$M/shared/f")" "one
two" "... and both writes are there"
# Without a default ACL the caller's umask still applies.
mkdir "$M/plain"
chown "$U1:" "$M/plain"
asu "$U1" 027 "echo x >'$M/plain/f' && mkdir '$M/plain/d'"
is "$(stat -c %a "$M/plain/f" "$M/plain/d" | tr '\n' ' ')" "640 750 " \
	"without a default ACL the creator's umask (027) applies"
is "$(stat -c '%U:%G' "$L/plain/f" "$L/plain/d" | tr '\n' ' ')" "$U1:$U1 $U1:$U1 " \
	"... and the lower files are the creator's"
asu "$U1" 000 "echo x >'$M/plain/g' && mkdir '$M/plain/e'"
is "$(stat -c %a "$M/plain/g" "$M/plain/e" | tr '\n' ' ')" "666 777 " "... and so does umask 000"

# --- the reserved blocks stay root's -------------------------------------
mkdir "$M/u"
chown "$U1:" "$M/u"
# A file of $U1's whose lower data extents are then punched out behind the
# mount: writing its pages back must allocate blocks again.
as "$U1" dd if=/dev/urandom of="$M/u/mm" bs=64k count=1 status=none
sync
fallocate -p -o 8192 -l 65536 "$L/u/mm"
sync
avail0=$(df -B1 --output=avail "$D" | tail -n 1 | tr -d ' ')
diag "ext4: $avail0 bytes available to users, the rest reserved"
# user_fill FILE BS: $U1 writes zeros into FILE until it fails; true when
# the failure was ENOSPC.
user_fill() {
	! as "$U1" dd if=/dev/zero of="$1" bs="$2" count=100000 status=none 2>"$TESTTMP/dd.err" &&
		grep -q "No space left on device" "$TESTTMP/dd.err"
}
check "$U1 writing 1 MiB blocks through the mount gets ENOSPC" user_fill "$M/u/fill" 1M
check "... and so with 4 KiB blocks after that" user_fill "$M/u/fill2" 4k
sync
written=$(($(stat -c %s "$M/u/fill") + $(stat -c %s "$M/u/fill2")))
diag "$U1 wrote $written bytes"
[ "$written" -le "$avail0" ]
ok "$U1 wrote no more than the unreserved space"
! as "$U1" bash -c "echo x >'$M/u/new'" 2>/dev/null
ok "$U1 cannot create a file either (its header would need a block)"
[ ! -e "$L/u/new" ]
ok "... and no lower file is left behind"
# mmap_enospc FILE: write FILE's pages through a shared mapping; true when
# msync reports ENOSPC.  The kernel writes those pages back with no caller
# in the request: the daemon must use the credentials of the handle's opener.
mmap_enospc() {
	as "$U1" /usr/bin/python3 -c '
import errno, mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
m = mmap.mmap(fd, 65536)
m[:] = b"x" * 65536
try:
    m.flush()
except OSError as e:
    sys.exit(0 if e.errno == errno.ENOSPC else 1)
sys.exit(1)' "$1"
}
check "writing back $U1's mmap pages into the holes gets ENOSPC (the opener's credentials)" \
	mmap_enospc "$M/u/mm"
diag "lower blocks of the mapped file: $(du -k "$L/u/mm" | cut -f1) KiB"
! as "$U1" truncate -s +1M "$M/u/fill" 2>/dev/null
ok "$U1 cannot grow a file with truncate"
! as "$U1" fallocate -l 1M "$M/u/fa" 2>/dev/null
ok "$U1 cannot fallocate"
check "root still writes 4 MiB through the mount (the reserve is intact)" \
	dd if=/dev/zero of="$M/rootfile" bs=1M count=4 status=none conv=fsync
is "$(stat -c %s "$M/rootfile")" "4194304" "... all of it"

check "unmounts" efs_umount "$M"
efs_addkey --unlink "$sig" >/dev/null
efs_sanitizer_check
tap_done
