# The kernel data path against the real eCryptfs module, in a VM
# (tests/kernel/harness exec mode): "mount -t ecryptfs" runs our helper,
# which adds the key and runs mount -i; the file is written and read back,
# /proc/mounts shows the assembled options, and umount runs our
# umount.ecryptfs, which unlinks the key.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/kernel/lib.sh"
k_require
KT=$K_TOOLS
M=$(prog mount.ecryptfs) U=$(prog umount.ecryptfs) || exit 1
G=$TESTTMP/guest.sh
cat >"$G" <<EOS
#!/bin/bash
M=$M
U=$U
EOS
cat >>"$G" <<'EOS'
set -u
res() { echo "RES $1 $2"; }
grep -qw ecryptfs /proc/filesystems; res module $?
# where mount(8) and umount(8) look for helpers, as after make install
printf '#!/bin/sh\nexec %s "$@"\n' "$M" >/usr/sbin/mount.ecryptfs
printf '#!/bin/sh\nexec %s "$@"\n' "$U" >/usr/sbin/umount.ecryptfs
chmod 755 /usr/sbin/mount.ecryptfs /usr/sbin/umount.ecryptfs
mkdir -p /tmp/lower /tmp/upper
printf 'passwd=%s\n' 'correct horse battery staple' >/tmp/pw
O=key=passphrase:passphrase_passwd_file=/tmp/pw,ecryptfs_cipher=aes,ecryptfs_key_bytes=16
O=$O,ecryptfs_passthrough=n,ecryptfs_enable_filename_crypto=n,no_sig_cache
mount -t ecryptfs /tmp/lower /tmp/upper -o "$O" >/tmp/mount.out 2>&1; res mount $?
sed 's/^/OUT /' /tmp/mount.out
grep ' /tmp/upper ' /proc/mounts | sed 's/^/MNT /'
keyctl search @u user 3ab38bb4917daae6 >/dev/null 2>&1; res key $?
echo "hello kernel" >/tmp/upper/hello.txt; res write $?
umount /tmp/upper; res umount1 $?
keyctl search @u user 3ab38bb4917daae6 >/dev/null 2>&1; res key-after-umount $?
stat -c 'SIZE %s' /tmp/lower/hello.txt
mount -t ecryptfs /tmp/lower /tmp/upper -o "$O" >/dev/null 2>&1; res mount2 $?
echo "READ $(cat /tmp/upper/hello.txt)"
/usr/sbin/umount.ecryptfs /tmp/upper; res umount2 $?
grep -q ' /tmp/upper ' /proc/mounts; res still-mounted $?
dmesg | grep -i ecryptfs | sed 's/^/DMESG /'
EOS
chmod 755 "$G"
"$KT/run.sh" exec --quiet --script "$G" --bin "$BUILDDIR/src/utils" --bin "$BUILDDIR/src/libecryptfs" >"$TESTTMP/vm.out" 2>"$TESTTMP/vm.err"
st=$?
is "$st" 0 "the VM job ran"
r() { sed -n "s/^RES $1 //p" "$TESTTMP/vm.out"; }
is "$(r module)" 0 "the kernel has ecryptfs"
is "$(r mount)" 0 "mount -t ecryptfs through our helper"
check "helper printed Mounted eCryptfs" grep -qx 'OUT Mounted eCryptfs' "$TESTTMP/vm.out"
check "kernel path (type ecryptfs)" grep -q '^MNT /tmp/lower /tmp/upper ecryptfs ' "$TESTTMP/vm.out"
check "options in /proc/mounts" grep -q '^MNT .*ecryptfs_sig=3ab38bb4917daae6.*ecryptfs_cipher=aes,ecryptfs_key_bytes=16,ecryptfs_unlink_sigs' "$TESTTMP/vm.out"
is "$(r key)" 0 "key in @u"
is "$(r write)" 0 "write"
is "$(r umount1)" 0 "umount runs umount.ecryptfs"
is "$(r key-after-umount)" 1 "umount.ecryptfs unlinked the key"
is "$(sed -n 's/^SIZE //p' "$TESTTMP/vm.out")" 12288 "lower file size"
is "$(r mount2)" 0 "mount again"
is "$(sed -n 's/^READ //p' "$TESTTMP/vm.out")" "hello kernel" "read back"
is "$(r umount2)" 0 "umount.ecryptfs directly"
is "$(r still-mounted)" 1 "unmounted"
[ "$_tap_fail" -eq 0 ] || { sed 's/^/# /' "$TESTTMP/vm.out"; tail -20 "$TESTTMP/vm.err" | sed 's/^/# err: /'; }
tap_done
