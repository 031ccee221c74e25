#!/bin/sh
# Guest side of tests/kernel/t-exec-tools.sh: our installed programs (laid
# over / by run.sh exec --root) next to the real kernel eCryptfs.
#   /in/pass    the mount passphrase (no newline)    /in/plain  a tree to write
# Prints "RESULT name ok|FAIL detail" lines for the host; leaves in /out:
#   lower-kernel/  written by the kernel through a mount keyed by OUR tokens
#   lower-helper/  written by the kernel through a mount made by OUR mount.ecryptfs
#   token-ours.bin, token-ref.bin   the auth token bytes each add-passphrase stored
set -u
res() { echo "RESULT $1 $2"; }
# okst NAME [DETAIL]: ok or FAIL from the status of the command just before.
okst() { if [ $? = 0 ]; then res "$1" "ok${2:+ $2}"; else res "$1" FAIL; fi; }
sums() { (cd "$1" && find . -type f | LC_ALL=C sort | while IFS= read -r f; do sha256sum "$f"; done); }
kernel_mounted() { grep -q " $1 ecryptfs " /proc/mounts; }

# Which programs run: ours, from the staged tree, not the reference (which
# the harness keeps off PATH anyway).
for p in ecryptfs-add-passphrase mount.ecryptfs umount.ecryptfs; do
	echo "which $p: $(command -v "$p")"
done
[ "$(command -v ecryptfs-add-passphrase)" = /usr/bin/ecryptfs-add-passphrase ] &&
	[ -x /sbin/mount.ecryptfs ] && [ -x /sbin/umount.ecryptfs ]
okst staged

# 1. Our ecryptfs-add-passphrase puts the tokens into @u.
ecryptfs-add-passphrase --fnek - </in/pass >/out/add.out 2>&1
echo "add-passphrase exit $?"
cat /out/add.out
SIG=$(sed -n 's/.*sig \[\([0-9a-f]\{16\}\)\].*/\1/p' /out/add.out | sed -n 1p)
FSIG=$(sed -n 's/.*sig \[\([0-9a-f]\{16\}\)\].*/\1/p' /out/add.out | sed -n 2p)
echo "sig $SIG fnek $FSIG"
keyctl show @u
keyctl link @u @s 2>/dev/null	# reading a key needs possession
id=$(keyctl search @u user "$SIG" 2>/dev/null) && keyctl pipe "$id" >/out/token-ours.bin

# 2. The kernel accepts them: mount with kernel options only (mount -i runs no
#    helper), write, unmount, drop caches, mount again and read back.
mkdir -p /tmp/lower /tmp/upper
O=ecryptfs_sig=$SIG,ecryptfs_fnek_sig=$FSIG,ecryptfs_cipher=aes,ecryptfs_key_bytes=16
if mount -i -t ecryptfs -o "$O" /tmp/lower /tmp/upper 2>/tmp/m.err && kernel_mounted /tmp/upper; then
	res kernel-mount ok
	(cd /in/plain && gtar -cf - .) | (cd /tmp/upper && gtar -xpf -)
	okst kernel-write
	sync
	umount -i /tmp/upper
	echo 3 >/proc/sys/vm/drop_caches
	mount -i -t ecryptfs -o "$O" /tmp/lower /tmp/upper
	sums /in/plain >/tmp/a
	sums /tmp/upper >/tmp/b 2>&1
	cmp -s /tmp/a /tmp/b
	okst kernel-readback "$(wc -l </tmp/a) files"
	umount -i /tmp/upper
	res kernel-umount "$(kernel_mounted /tmp/upper && echo FAIL || echo ok)"
else
	res kernel-mount "FAIL $(cat /tmp/m.err) $(dmesg | grep -i ecryptfs | tail -3 | tr '\n' ' ')"
fi
mkdir -p /out/lower-kernel
cp -a /tmp/lower/. /out/lower-kernel/

# 3. The same tokens from the reference, for a byte comparison on the host.
keyctl clear @u
/opt/ecryptfs-utils/bin/ecryptfs-add-passphrase --fnek - </in/pass
id=$(keyctl search @u user "$SIG" 2>/dev/null) && keyctl pipe "$id" >/out/token-ref.bin
keyctl clear @u

# 4. Our mount.ecryptfs, through util-linux mount(8) as on an installed
#    system: it must pick the kernel (ecryptfs is in /proc/filesystems), and
#    our umount.ecryptfs must unlink the keys (the helper always adds
#    ecryptfs_unlink_sigs).
mkdir -p /tmp/lower2 /tmp/upper2
printf 'passphrase_passwd=%s\n' "$(cat /in/pass)" >/tmp/pw
H=key=passphrase:passphrase_passwd_file=/tmp/pw,ecryptfs_cipher=aes,ecryptfs_key_bytes=16
H=$H,ecryptfs_passthrough=n,ecryptfs_enable_filename_crypto=n,no_sig_cache
mount -t ecryptfs /tmp/lower2 /tmp/upper2 -o "$H" >/tmp/h.out 2>&1
echo "mount.ecryptfs exit $?"; cat /tmp/h.out
grep ecryptfs /proc/mounts
if kernel_mounted /tmp/upper2; then
	res helper-mount ok
	keyctl show @u
	keyctl search @u user "$SIG" >/dev/null 2>&1
	okst helper-key-added
	echo "written through mount.ecryptfs" >/tmp/upper2/hello.txt
	okst helper-write
	umount /tmp/upper2 >/tmp/u.out 2>&1
	echo "umount exit $?"; cat /tmp/u.out
	res helper-umount "$(kernel_mounted /tmp/upper2 && echo FAIL || echo ok)"
	keyctl show @u
	! keyctl search @u user "$SIG" >/dev/null 2>&1
	okst helper-keys-unlinked
else
	res helper-mount "FAIL $(tr '\n' ' ' </tmp/h.out) $(dmesg | grep -i ecryptfs | tail -3 | tr '\n' ' ')"
fi
mkdir -p /out/lower-helper
cp -a /tmp/lower2/. /out/lower-helper/
dmesg | grep -i ecryptfs >/out/dmesg.txt
exit 0
