#!/bin/bash
# scripts/demo.sh on the kernel data path: in a VM with the real eCryptfs
# module (tests/kernel/harness exec), our helpers where mount(8) finds
# them.  Same checks as t-demo: exit 0, no stderr, the text read back and
# recovered, an "ecryptfs" (not FUSE) mount, nothing left behind.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/kernel/lib.sh"
k_require
KT=$K_TOOLS
M=$(prog mount.ecryptfs) U=$(prog umount.ecryptfs) || exit 1
mkdir -p "$TESTTMP/in"
cp "$SRCDIR/scripts/demo.sh" "$TESTTMP/in/"
G=$TESTTMP/guest.sh
printf '#!/bin/bash\nM=%s\nU=%s\n' "$M" "$U" >"$G"
cat >>"$G" <<'EOS'
printf '#!/bin/sh\nexec %s "$@"\n' "$M" >/usr/sbin/mount.ecryptfs
printf '#!/bin/sh\nexec %s "$@"\n' "$U" >/usr/sbin/umount.ecryptfs
chmod 755 /usr/sbin/mount.ecryptfs /usr/sbin/umount.ecryptfs
mkdir -p /tmp/demo
TMPDIR=/tmp/demo bash /in/demo.sh 2>/tmp/demo.err
echo "RES exit $?"
sed 's/^/ERR /' /tmp/demo.err
echo "RES mounts $(grep -c ' /tmp/demo/' /proc/mounts)"
echo "RES left $(ls -A /tmp/demo | wc -l)"
echo "RES keys $(keyctl rlist @u 2>/dev/null | wc -w)"
EOS
chmod 755 "$G"
# The guest's busybox lacks GNU od (--endian), findmnt and mountpoint.
"$KT/run.sh" exec --quiet --script "$G" --in "$TESTTMP/in" \
	--bin "$BUILDDIR/src/utils" --bin "$BUILDDIR/src/libecryptfs" \
	--bin /usr/bin/od --bin /usr/bin/findmnt --bin /usr/bin/mountpoint \
	>"$TESTTMP/vm.out" 2>"$TESTTMP/vm.err"
is "$?" 0 "the VM job ran"
r() { sed -n "s/^RES $1 //p" "$TESTTMP/vm.out"; }
is "$(r exit)" 0 "demo.sh exits 0"
is "$(grep -c '^ERR ' "$TESTTMP/vm.out")" 0 "demo.sh writes nothing to stderr"
check "mounted through the kernel" grep -qE '/upper ecryptfs$' "$TESTTMP/vm.out"
is "$(grep -cx 'Hello from ecryptfs-ng: this line is stored encrypted.' "$TESTTMP/vm.out")" 2 \
	"the text read back through the mount and recovered offline"
check "ecryptfs-stat reads the kernel's header as sound" grep -qx 'Header: \[sound\]' "$TESTTMP/vm.out"
is "$(r mounts)" 0 "nothing left mounted"
is "$(r left)" 0 "no temp dir left behind"
is "$(r keys)" 0 "no key left in the user keyring"
[ "$_tap_fail" -eq 0 ] || { sed 's/^/# /' "$TESTTMP/vm.out"; tail -20 "$TESTTMP/vm.err" | sed 's/^/# err: /'; }
tap_done
