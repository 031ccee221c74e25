#!/bin/sh
# Guest side of tests/kernel/t-kernel-modes.sh: how the real kernel treats
# ecryptfs_passthrough, zero-length lower files and ecryptfs_encrypted_view
# (doc/format.md §7).  The keys come from the
# reference ecryptfs-add-passphrase; the host compares what lands in /out.
set -u
ADD=/opt/ecryptfs-utils/bin/ecryptfs-add-passphrase
res() { echo "RESULT $1 $2"; }
okst() { if [ $? = 0 ]; then res "$1" ok; else res "$1" FAIL; fi; }
mnt() {	# OPTS LOWER UPPER
	mkdir -p "$3"
	busybox mount -t ecryptfs -o "$1" "$2" "$3" 2>/tmp/m.err ||
		{ echo "mount $1 $2: $(cat /tmp/m.err) $(dmesg | grep -i ecryptfs | tail -2)"; return 1; }
}

SIG=$("$ADD" - </in/pass | sed -n 's/.*sig \[\([0-9a-f]\{16\}\)\].*/\1/p')
echo "sig $SIG"
O=ecryptfs_sig=$SIG,ecryptfs_cipher=aes,ecryptfs_key_bytes=16
(cd /in/lower-x && setfattr -h --restore=/in/lower-x.dump)
okst xattrs-restored

# 1. Passthrough: what cannot be decrypted reads as it is; new files are encrypted.
U=/mnt/pt
mnt "$O,ecryptfs_passthrough" /in/lower-p "$U"
okst pt-mount
mkdir -p /out/pt-view
for f in enc plain.txt empty foreign-key; do
	cat "$U/$f" >"/out/pt-view/$f" 2>"/out/pt-view/$f.err"
	stat -c %s "$U/$f" >"/out/pt-view/$f.size"
done
printf 'appended' >>"$U/plain.txt"
okst pt-append
echo "a new file" >"$U/new.txt"
okst pt-create
cd /
busybox umount "$U"
cp -a /in/lower-p /out/pt-lower

# 2. Without passthrough, opening a zero-length lower file gives it a header.
U=/mnt/z
mnt "$O" /in/lower-z "$U"
okst z-mount
cat "$U/zero" >/dev/null
okst z-read
busybox umount "$U"
stat -c %s /in/lower-z/zero >/out/zero-lower-size

# 3. Encrypted view: the lower bytes, read only; xattr files get a header.
U=/mnt/vh
mnt "$O,ecryptfs_encrypted_view" /in/lower-h "$U"
okst vh-mount
mkdir -p /out/view-h /out/view-x
(cd "$U" && gtar -cf - .) | (cd /out/view-h && gtar -xf -)
okst vh-copy
for f in "$U"/*; do echo "${f##*/} $(stat -c %s "$f")"; done >/out/view-h.sizes
if (echo x >"$U/new") 2>/tmp/w.err; then res vh-readonly FAIL; else res vh-readonly "ok $(cat /tmp/w.err)"; fi
busybox umount "$U"
U=/mnt/vx
mnt "$O,ecryptfs_encrypted_view" /in/lower-x "$U"
okst vx-mount
(cd "$U" && gtar -cf - .) | (cd /out/view-x && gtar -xf -)
okst vx-copy
for f in "$U"/*; do echo "${f##*/} $(stat -c %s "$f")"; done >/out/view-x.sizes
busybox umount "$U"
dmesg | grep -i ecryptfs >/out/dmesg.txt
exit 0
