#!/bin/bash
# Our installed programs drive the real kernel eCryptfs (Debian's 6.1 in qemu,
# one VM boot): our ecryptfs-add-passphrase's tokens are accepted by the
# kernel (they equal the reference's byte for byte), the kernel writes
# through a mount keyed by them, and our ecryptfs-decrypt reads on the host
# what the kernel wrote; our mount.ecryptfs, run by mount(8), mounts the
# kernel eCryptfs and our umount.ecryptfs unlinks the keys.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/kernel/lib.sh"

k_require
DECRYPT=$(prog ecryptfs-decrypt)
W=$K_WORK/t
IN=$W/in
PASS='correct horse battery staple'
SIG=3ab38bb4917daae6	# FORMAT/harness worked values for PASS
FSIG=dfe2081a9780d1ee
mkdir -p "$IN/plain/dir/sub" "$IN/plain/empty"
printf %s "$PASS" >"$IN/pass"
printf '%s\n' "$PASS" >"$W/pass"
for n in 0 1 4096 4097 70000; do head -c "$n" /dev/urandom >"$IN/plain/f$n"; done
echo nested >"$IN/plain/dir/sub/$(printf 'x%.0s' $(seq 143))"
echo ünïcødé >"$IN/plain/dir/名前"
ln -s dir/sub "$IN/plain/link"
ln "$IN/plain/f4097" "$IN/plain/dir/hard"

k_stage "$W/stage"
ok "make install DESTDIR=stage"

k_exec_script "$W/guest.out" --root "$W/stage" \
	--script "$SRCDIR/tests/kernel/guest/exec-tools.sh" --in "$IN" --out "$W/out" --out-mb 64

k_result_ok staged
ok "our programs are the ones on the guest's PATH and in /sbin"
grep -qx "Inserted auth tok with sig \[$SIG\] into the user session keyring" "$W/out/add.out" &&
	grep -qx "Inserted auth tok with sig \[$FSIG\] into the user session keyring" "$W/out/add.out"
ok "our ecryptfs-add-passphrase --fnek inserted $SIG and $FSIG"
is "$(stat -c %s "$W/out/token-ours.bin" 2>/dev/null)" 740 "our token is 740 bytes"
cmp "$W/out/token-ours.bin" "$W/out/token-ref.bin"
ok "our token equals the reference's byte for byte"
k_result_ok kernel-mount
ok "the kernel mounts with our tokens (ecryptfs_sig + ecryptfs_fnek_sig)"
k_result_ok kernel-write
ok "the kernel writes a tree through that mount"
r=$(k_result kernel-readback)
msg="the kernel reads it back after a remount (${r#ok })"
k_result_ok kernel-readback
ok "$msg"
k_result_ok kernel-umount
ok "umount -i"

L=$W/out/lower-kernel
n=$(find "$L" -mindepth 1 ! -name 'ECRYPTFS_FNEK_ENCRYPTED.*' | wc -l)
[ -n "$(ls -A "$L" 2>/dev/null)" ] && [ "$n" = 0 ]
ok "every lower name the kernel wrote is encrypted with our FNEK"
"$DECRYPT" --passphrase-file "$W/pass" "$L" "$W/dec-kernel" >"$W/dec.err" 2>&1
ok "our ecryptfs-decrypt reads the kernel's lower tree"
sed 's/^/#   /' "$W/dec.err" | head -10
k_same_tree "$IN/plain" "$W/dec-kernel"
ok "and gets back the tree written into the kernel mount"
STAT=$(prog ecryptfs-stat)
n=0 good=0
while IFS= read -r -d '' f; do
	n=$((n + 1))
	"$STAT" "$f" >"$W/stat.out" 2>&1
	grep -qxF 'Header: [sound]' "$W/stat.out" &&
		grep -qxF "Key signature: [$SIG] (tag 3, passphrase)" "$W/stat.out" &&
		grep -qF 'Cipher: [aes], key size [16]' "$W/stat.out" && good=$((good + 1))
done < <(find "$L" -type f -print0)
[ "$n" -gt 0 ] && [ "$good" = "$n" ]
ok "our ecryptfs-stat: the $n kernel-written headers are sound, AES-128, key $SIG"

k_result_ok helper-mount
ok "mount -t ecryptfs runs our mount.ecryptfs, which mounts the kernel eCryptfs"
k_result_ok helper-key-added
ok "our mount.ecryptfs added the key $SIG"
k_result_ok helper-write
ok "a file written through that mount"
k_result_ok helper-umount
ok "umount runs our umount.ecryptfs and the mount goes"
k_result_ok helper-keys-unlinked
ok "our umount.ecryptfs unlinked the key (ecryptfs_unlink_sigs)"
"$DECRYPT" --passphrase-file "$W/pass" "$W/out/lower-helper" "$W/dec-helper" >"$W/dec2.err" 2>&1 &&
	[ "$(cat "$W/dec-helper/hello.txt" 2>/dev/null)" = "written through mount.ecryptfs" ]
ok "our ecryptfs-decrypt reads the file the helper-made mount wrote"
sed 's/^/#   /' "$W/dec2.err" | head -5
grep -q . "$W/out/dmesg.txt" 2>/dev/null && sed 's/^/# dmesg: /' "$W/out/dmesg.txt" | tail -10
tap_done
