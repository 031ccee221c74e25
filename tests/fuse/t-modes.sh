#!/bin/bash
# ecryptfs_passthrough and ecryptfs_encrypted_view where the real kernel was
# measured (tests/kernel/t-kernel-modes.sh): an eCryptfs file whose key is
# missing under passthrough, and the view of an empty xattr-mode file.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuse/lib.sh"

pass="modes test $$ $RANDOM"
other="modes other key $$ $RANDOM"
sig=$(efs_addkey "$pass")
osig=$(efs_addkey "$other")
O="ecryptfs_cipher=aes,ecryptfs_key_bytes=16"
L=$TESTTMP/lower M=$TESTTMP/mnt
mkdir -p "$L" "$M"

# --- an eCryptfs file under a key the mount does not have ---------------------
check "mounts with the other key" efs_mount "$L" "$M" "ecryptfs_sig=$osig,$O"
head -c 4097 /dev/urandom >"$M/foreign-key"
head -c 20000 /dev/urandom >"$M/short-lower"
check "unmounts" efs_umount "$M"
efs_addkey --unlink "$osig" >/dev/null
# The size field says 20000, the lower file keeps 10000 bytes of it.
truncate -s 10000 "$L/short-lower"
printf 'plain text\n' >"$L/plain"
cp "$L/foreign-key" "$TESTTMP/foreign-key.orig"
cp "$L/short-lower" "$TESTTMP/short-lower.orig"
is "$(stat -c %s "$L/foreign-key")" 16384 "the lower file is 16384 bytes (header + 2 extents)"

check_st "mounts with ecryptfs_passthrough" efs_mount "$L" "$M" "ecryptfs_sig=$sig,$O,ecryptfs_passthrough" || { tap_done; exit; }
# The kernel: i_size is the header's size field, reads are the raw lower
# bytes from offset 0 cut at i_size; both before and after an open.
is "$(stat -c %s "$M/foreign-key")" 4097 "key missing: the size is the header's size field"
cmp -s "$M/foreign-key" <(head -c 4097 "$TESTTMP/foreign-key.orig")
ok "key missing: reads are the raw lower bytes from offset 0, cut at that size"
exec 3<"$M/foreign-key"
is "$(stat -c %s "$M/foreign-key")" 4097 "key missing: still that size while the file is open"
is "$(wc -c <"$M/foreign-key")" 4097 "key missing: a second reader gets that many bytes"
exec 3<&-
is "$(stat -c %s "$M/short-lower")" 10000 "size field past the lower end: the lower size"
cmp -s "$M/short-lower" "$TESTTMP/short-lower.orig"; ok "... and the lower bytes read as they are"
# Writing would overwrite the header and ciphertext that the key's owner
# still reads; such a file is read only here.
printf x 2>"$TESTTMP/w1" >>"$M/foreign-key"; st=$?
[ $st -ne 0 ] && grep -q "Permission denied" "$TESTTMP/w1"
ok "key missing: an append is refused (EACCES)"
diag "  $(cat "$TESTTMP/w1")"
: 2>/dev/null >"$M/foreign-key"; [ $? -ne 0 ]; ok "key missing: O_TRUNC is refused"
truncate -s 0 "$M/foreign-key" 2>/dev/null; [ $? -ne 0 ]; ok "key missing: truncate(2) is refused"
dd if=/dev/zero of="$M/foreign-key" bs=1 count=1 conv=notrunc 2>/dev/null; [ $? -ne 0 ]
ok "key missing: an overwrite in place is refused"
exec 3<"$M/foreign-key"
printf x 2>/dev/null >>"$M/foreign-key"; [ $? -ne 0 ]; ok "key missing: refused also while a reader has it open"
exec 3<&-
cmp -s "$L/foreign-key" "$TESTTMP/foreign-key.orig"; ok "key missing: the lower file is untouched"
is "$(stat -c %s "$M/foreign-key")" 4097 "key missing: the size did not move"
printf 'more\n' >>"$M/plain"
is "$(cat "$L/plain")" "$(printf 'plain text\nmore')" "a plaintext file still takes writes"
check "unmounts" efs_umount "$M"
cmp -s "$L/short-lower" "$TESTTMP/short-lower.orig"; ok "the short file is untouched too"

# --- the encrypted view of an xattr-mode tree -----------------------------------------
X=$TESTTMP/xlower
mkdir -p "$X"
check "mounts in xattr mode" efs_mount "$X" "$M" "ecryptfs_sig=$sig,$O,ecryptfs_xattr_metadata"
: >"$M/empty"
head -c 5000 /dev/urandom >"$M/data"
check "unmounts" efs_umount "$M"
is "$(stat -c %s "$X/empty") $(stat -c %s "$X/data")" "0 8192" "the lower files: 0 bytes and 2 extents"
check "mounts with ecryptfs_encrypted_view" efs_mount "$X" "$M" "ecryptfs_sig=$sig,$O,ecryptfs_encrypted_view"
# Measured on the kernel: an empty file shows as 0 bytes, without a header.
is "$(stat -c %s "$M/empty")" 0 "view: an empty xattr-mode file has size 0"
is "$(wc -c <"$M/empty")" 0 "view: ... and reads as 0 bytes"
is "$(stat -c %s "$M/empty")" 0 "view: ... also after an open"
is "$(stat -c %s "$M/data")" $((8192 + 8192)) "view: a non-empty one is 8192 bytes of header + its lower data"
cmp -s <(tail -c +8193 "$M/data") "$X/data"; ok "view: ... whose data is the lower file"
check "unmounts" efs_umount "$M"

efs_addkey --unlink "$sig" >/dev/null
efs_sanitizer_check
tap_done
