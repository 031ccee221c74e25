#!/bin/bash
# Mount errors, damaged and foreign lower files, and the options that change
# what a lower file means: passthrough, encrypted view, unlink_sigs.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuse/lib.sh"

pass="errors test $$ $RANDOM"
sig=$(efs_addkey "$pass")
O="ecryptfs_sig=$sig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16"
L=$TESTTMP/lower M=$TESTTMP/mnt
mkdir -p "$L" "$M"

# --- mount errors: named, non-zero, nothing mounted ---------------------------
"$EFS_BIN" -o "$O,ecryptfs_bogus,rw" "$L" "$M" 2>"$TESTTMP/e1"
[ $? -ne 0 ] && grep -q "ecryptfs_bogus" "$TESTTMP/e1" && ! mountpoint -q "$M"
ok "an unknown option is an error naming it"
diag "  $(cat "$TESTTMP/e1")"
long=abcdefghijklmnopqrstuvwxyz0123456789
"$EFS_BIN" -o "$O,ecryptfs_cipher=$long" "$L" "$M" 2>"$TESTTMP/e1b"
[ $? -ne 0 ] && grep -q "ecryptfs_cipher': value too long" "$TESTTMP/e1b" && ! mountpoint -q "$M"
ok "a cipher name over the kernel's 31 characters is too long, not unknown"
diag "  $(cat "$TESTTMP/e1b")"
"$EFS_BIN" -o "$O,verbose" "$L" "$M" 2>"$TESTTMP/e1c"
[ $? -ne 0 ] && grep -q "'verbose': not taken here (it is for mount.ecryptfs)" "$TESTTMP/e1c"
ok "a mount.ecryptfs option is an error saying whose it is"
diag "  $(cat "$TESTTMP/e1c")"
"$EFS_BIN" -o "ecryptfs_sig=0123456789abcdef,ecryptfs_cipher=aes,ecryptfs_key_bytes=16" "$L" "$M" 2>"$TESTTMP/e2"
[ $? -ne 0 ] && grep -q "0123456789abcdef" "$TESTTMP/e2" && ! mountpoint -q "$M"
ok "a missing key is a mount error naming the signature"
diag "  $(cat "$TESTTMP/e2")"
"$EFS_BIN" -o "$O,ecryptfs_fnek_sig=fedcba9876543210" "$L" "$M" 2>"$TESTTMP/e3"
[ $? -ne 0 ] && grep -q "fedcba9876543210" "$TESTTMP/e3" && ! mountpoint -q "$M"
ok "a missing filename key names its signature"
diag "  $(cat "$TESTTMP/e3")"
"$EFS_BIN" -o "$O" "$TESTTMP/no-such-dir" "$M" 2>"$TESTTMP/e4"
[ $? -ne 0 ] && grep -q "^ecryptfs-fuse: .*no-such-dir: No such file or directory" "$TESTTMP/e4"
ok "a missing lower directory"
diag "  $(cat "$TESTTMP/e4")"
"$EFS_BIN" -o "ecryptfs_sig=$sig,ecryptfs_cipher=aes" "$L" "$M" 2>"$TESTTMP/e5"
[ $? -ne 0 ] && grep -q "ecryptfs_key_bytes" "$TESTTMP/e5"
ok "AES without ecryptfs_key_bytes is refused as the kernel does"
diag "  $(cat "$TESTTMP/e5")"
"$EFS_BIN" -o "ecryptfs_sig=$sig,ecryptfs_cipher=blowfish,ecryptfs_key_bytes=20" "$L" "$M" 2>"$TESTTMP/e6"
[ $? -ne 0 ] && ! mountpoint -q "$M"
ok "a key size the cipher cannot use is refused at mount"
diag "  $(cat "$TESTTMP/e6")"
mkdir -p "$TESTTMP/notmine"; chown 65534 "$TESTTMP/notmine"
"$EFS_BIN" -o "$O,ecryptfs_check_dev_ruid" "$TESTTMP/notmine" "$M" 2>"$TESTTMP/e7"
[ $? -ne 0 ] && grep -q "uid 65534" "$TESTTMP/e7"
ok "ecryptfs_check_dev_ruid refuses a lower dir of another user"
diag "  $(cat "$TESTTMP/e7")"
"$EFS_BIN" 2>/dev/null; is $? 2 "no arguments: usage, exit 2"

# --- damaged files -----------------------------------------------------------------
check "mounts" efs_mount "$L" "$M" "$O"
printf 'good contents\n' >"$M/good"
head -c 10000 /dev/urandom >"$M/bad-marker"
head -c 10000 /dev/urandom >"$M/short"
: >"$M/empty-made"
check "unmounts" efs_umount "$M"
check "mounts with the kernel's older names sig= and cipher=" \
	efs_mount "$L" "$M" "sig=$sig,cipher=aes,ecryptfs_key_bytes=16"
check "... and reads what the canonical names wrote" grep -qx "good contents" "$M/good"
check "unmounts" efs_umount "$M"
printf '\0\0\0\0\0\0\0\0' | dd of="$L/bad-marker" bs=1 seek=8 conv=notrunc 2>/dev/null
truncate -s 12288 "$L/short"	# the size field promises two extents; one is left
printf 'plain text, no header\n' >"$L/foreign"
: >"$L/zero-length"
check "mounts in the foreground with a log" efs_mount_fg "$L" "$M" "$O" "$TESTTMP/log"
cat "$M/bad-marker" >/dev/null 2>"$TESTTMP/r1"; grep -q "Input/output error" "$TESTTMP/r1"
ok "a file with a destroyed marker: EIO"
cat "$M/bad-marker" >/dev/null 2>&1; cat "$M/bad-marker" >/dev/null 2>&1
is "$(cat "$M/good")" "good contents" "the rest of the mount keeps working"
cat "$M/short" >/dev/null 2>"$TESTTMP/r2"; grep -q "Input/output error" "$TESTTMP/r2"
ok "a file shorter than its size field: EIO on read"
cat "$M/foreign" >/dev/null 2>"$TESTTMP/r3"; grep -q "Input/output error" "$TESTTMP/r3"
ok "a foreign (plaintext) file without passthrough: EIO"
ino=$(stat -c %i "$L/bad-marker")
is "$(grep -c "lower inode $ino:" "$TESTTMP/log")" 1 "the damaged file is logged once, however often it is opened"
grep -q "$pass" "$TESTTMP/log"; [ $? -eq 1 ]; ok "the log holds no passphrase"
is "$(cat "$M/zero-length" 2>&1; echo "exit $?")" "exit 0" "a zero-length lower file opens as empty"
is "$(stat -c %s "$L/zero-length")" 8192 "... and gets a header, as the kernel gives it"
kill -TERM "$EFS_PID"; wait "$EFS_PID"
is "$?" 0 "SIGTERM: the daemon unmounts and exits 0"
mountpoint -q "$M"; [ $? -ne 0 ]; ok "... and nothing stays mounted"

# --- passthrough -----------------------------------------------------------------------
check "mounts with ecryptfs_passthrough" efs_mount "$L" "$M" "$O,ecryptfs_passthrough"
is "$(cat "$M/foreign")" "plain text, no header" "passthrough: a foreign file reads as it is"
is "$(stat -c %s "$M/foreign")" "$(stat -c %s "$L/foreign")" "passthrough: its size is the lower size"
printf 'appended\n' >>"$M/foreign"
is "$(tail -1 "$L/foreign")" "appended" "passthrough: writes go straight through"
is "$(cat "$M/good")" "good contents" "passthrough: encrypted files still decrypt"
printf 'new\n' >"$M/new-in-passthrough"
od -A n -t x1 -j 8 -N 8 "$L/new-in-passthrough" | python3 -c '
import sys; b = bytes.fromhex(sys.stdin.read().replace(" ", "").strip())
sys.exit(0 if int.from_bytes(b[:4], "big") ^ 0x3c81b7f5 == int.from_bytes(b[4:], "big") else 1)'
ok "passthrough: new files are still encrypted"
check "unmounts" efs_umount "$M"

# --- encrypted view --------------------------------------------------------------------
check "mounts with ecryptfs_encrypted_view" efs_mount "$L" "$M" "$O,ecryptfs_encrypted_view"
cmp -s "$M/good" "$L/good"; ok "encrypted view: a file reads as its lower ciphertext"
printf x 2>/dev/null >"$M/good"; [ $? -ne 0 ]; ok "encrypted view: the mount is read-only"
grep " $M " /proc/mounts | grep -q ' ro,'; ok "encrypted view: mounted ro"
check "unmounts" efs_umount "$M"

# --- unlink_sigs ---------------------------------------------------------------------------
upass="unlink test $$ $RANDOM"
usig=$(efs_addkey "$upass")
check "mounts with ecryptfs_unlink_sigs" efs_mount "$L" "$M" "ecryptfs_sig=$usig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,ecryptfs_unlink_sigs"
keyctl search @u user "$usig" >/dev/null 2>&1; ok "the key is in the keyring while mounted"
check "unmounts" efs_umount "$M"
keyctl search @u user "$usig" >/dev/null 2>&1; [ $? -ne 0 ]; ok "ecryptfs_unlink_sigs: the daemon unlinked the key at unmount"

# --- several keys, and keys found in the keyring by a file's own sig ---------------
apass="key a $$ $RANDOM"; bpass="key b $$ $RANDOM"
asig=$(efs_addkey "$apass"); bsig=$(efs_addkey "$bpass")
K=$TESTTMP/keys; mkdir -p "$K"
check "mounts with two ecryptfs_sig" efs_mount "$K" "$M" "ecryptfs_sig=$asig,ecryptfs_sig=$bsig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16"
echo "two keys" >"$M/both"
check "unmounts" efs_umount "$M"
efs_addkey --unlink "$asig" >/dev/null
check "mounts with the second key alone" efs_mount "$K" "$M" "ecryptfs_sig=$bsig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16"
is "$(cat "$M/both" 2>&1)" "two keys" "a file written under two keys opens with either"
echo "b only" >"$M/b-only"
check "unmounts" efs_umount "$M"
asig=$(efs_addkey "$apass")
check "mounts with key A while B stays in the keyring" efs_mount "$K" "$M" "ecryptfs_sig=$asig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16"
is "$(cat "$M/b-only" 2>&1)" "b only" "a file under another key is opened with the keyring's key, as the kernel does"
check "unmounts" efs_umount "$M"
check "mounts with ecryptfs_mount_auth_tok_only" efs_mount "$K" "$M" "ecryptfs_sig=$asig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,ecryptfs_mount_auth_tok_only"
cat "$M/b-only" >/dev/null 2>"$TESTTMP/r4"; grep -q "Input/output error" "$TESTTMP/r4"
ok "ecryptfs_mount_auth_tok_only: only the mount's keys open files"
is "$(cat "$M/both")" "two keys" "... and those still do"
check "unmounts" efs_umount "$M"
efs_addkey --unlink "$asig" >/dev/null; efs_addkey --unlink "$bsig" >/dev/null

# --- a write of whole extents never reads them ---------------------------------------
W=$TESTTMP/whole; mkdir -p "$W"
check "mounts" efs_mount "$W" "$M" "$O"
head -c 16384 /dev/urandom >"$TESTTMP/four"
cp "$TESTTMP/four" "$M/four"
check "unmounts" efs_umount "$M"
# Extents 1-3 vanish: any read of them is EIO (the size field promises them).
truncate -s $((8192 + 4096)) "$W/four"
check "mounts" efs_mount "$W" "$M" "$O"
cat "$M/four" >/dev/null 2>"$TESTTMP/r5"; grep -q "Input/output error" "$TESTTMP/r5"
ok "the damaged file gives EIO on read"
dd if="$TESTTMP/four" bs=4096 skip=1 count=3 2>/dev/null | dd of="$M/four" bs=12288 seek=4096 oflag=seek_bytes conv=notrunc 2>"$TESTTMP/dd.err"
ok "a write of the three missing whole extents succeeds: they are never read"
check "unmounts" efs_umount "$M"
check "mounts" efs_mount "$W" "$M" "$O"
cmp "$TESTTMP/four" "$M/four"
ok "... and the file is whole again"
check "unmounts" efs_umount "$M"
efs_addkey --unlink "$sig" >/dev/null
efs_sanitizer_check
tap_done
