# End to end through mount(8): "mount -t ecryptfs ... -o ...,datapath=fuse"
# runs our helper, which adds the key and starts our FUSE daemon; write,
# unmount, the keys are unlinked (ecryptfs_unlink_sigs), remount, read back,
# and umount.ecryptfs takes the FUSE mount down.  All in a private mount
# namespace whose /sbin holds our helpers.
. "$SRCDIR/tests/lib/tap.sh"
W=$TESTTMP/e2e
mkdir -p "$W/lower" "$W/upper" "$W/sbin"
PW="mount-e2e-$$-$RANDOM"
printf 'passwd=%s\n' "$PW" >"$W/pw"
chmod 600 "$W/pw"
FUSE=$(prog ecryptfs-fuse) || { echo "Bail out! ecryptfs-fuse not built"; exit 1; }
for p in mount.ecryptfs umount.ecryptfs; do
	printf '#!/bin/sh\nECRYPTFS_FUSE_PROG=%s exec %s "$@"\n' "$FUSE" "$(prog $p)" >"$W/sbin/$p"
	chmod 755 "$W/sbin/$p"
done
O=key=passphrase:passphrase_passwd_file=$W/pw,ecryptfs_cipher=aes,ecryptfs_key_bytes=16
O=$O,ecryptfs_passthrough=n,ecryptfs_enable_filename_crypto=n,no_sig_cache,datapath=fuse

cat >"$W/guest.sh" <<EOS
set -u
W=$W
O='$O'
EOS
cat >>"$W/guest.sh" <<'EOS'
trap 'fusermount3 -u -z "$W/upper" 2>/dev/null' EXIT
mount -t overlay overlay -o "lowerdir=$W/sbin:/usr/sbin" /usr/sbin
keyctl link @u @s >/dev/null
res() { echo "RES $1 $2"; }
mount -t ecryptfs "$W/lower" "$W/upper" -o "$O" >"$W/mount1.out" 2>&1; res mount1 $?
SIG=$(sed -n 's/^  ecryptfs_sig=//p' "$W/mount1.out")
echo "SIG $SIG"
keyctl search @u user "$SIG" >/dev/null 2>&1; res key-added $?
grep " $W/upper " /proc/self/mounts | awk '{print "TYPE", $3}'
echo "hello through fuse" >"$W/upper/hello.txt"; res write $?
sync
umount "$W/upper"; res umount1 $?
for i in 1 2 3 4 5 6 7 8 9 10; do keyctl search @u user "$SIG" >/dev/null 2>&1 || break; sleep 0.3; done
keyctl search @u user "$SIG" >/dev/null 2>&1; res key-still-there $?
mount -t ecryptfs "$W/lower" "$W/upper" -o "$O" >"$W/mount2.out" 2>&1; res mount2 $?
cat "$W/upper/hello.txt" >"$W/readback.txt"; res read $?
/usr/sbin/umount.ecryptfs "$W/upper"; res umount2 $?
grep -q " $W/upper " /proc/self/mounts; res still-mounted $?
for i in 1 2 3 4 5 6 7 8 9 10; do keyctl search @u user "$SIG" >/dev/null 2>&1 || break; sleep 0.3; done
keyctl search @u user "$SIG" >/dev/null 2>&1; res key-still-there2 $?
EOS
keyctl session - unshare -m bash "$W/guest.sh" >"$W/log" 2>&1
r() { sed -n "s/^RES $1 //p" "$W/log"; }
is "$(r mount1)" 0 "mount -t ecryptfs with datapath=fuse"
check "helper said Mounted eCryptfs" grep -qx 'Mounted eCryptfs' "$W/mount1.out"
is "$(r key-added)" 0 "the key is in @u"
is "$(sed -n 's/^TYPE //p' "$W/log")" "fuse.ecryptfs" "a FUSE mount"
is "$(r write)" 0 "write through the mount"
is "$(r umount1)" 0 "umount"
is "$(r key-still-there)" 1 "the daemon unlinked the key at unmount"
f=$(ls "$W/lower")
is "$f" hello.txt "one lower file"
check "lower file is ciphertext" bash -c "! grep -q 'hello through fuse' '$W/lower/$f'"
is "$(stat -c %s "$W/lower/$f")" 12288 "lower file: 8 KiB header + one extent"
is "$(r mount2)" 0 "mount again"
is "$(cat "$W/readback.txt" 2>/dev/null)" "hello through fuse" "read back"
is "$(r umount2)" 0 "umount.ecryptfs on the FUSE mount"
is "$(r still-mounted)" 1 "unmounted"
is "$(r key-still-there2)" 1 "key unlinked again"
grep -v '^RES ' "$W/log" | sed 's/^/# /'
tap_done
