#!/bin/bash
# scripts/demo.sh against the build tree, as root, in a private mount
# namespace whose /usr/sbin holds our mount helpers (so mount(8) runs them
# and they start the FUSE daemon of the build): it exits 0 without stderr,
# reads back what it wrote, shows ciphertext, and leaves no mount, no key
# and no temporary directory behind -- also when it fails half-way.
. "$SRCDIR/tests/lib/tap.sh"
W=$TESTTMP/demo
mkdir -p "$W/sbin" "$W/tmp" "$W/failing"
FUSE=$(prog ecryptfs-fuse) || { echo "Bail out! ecryptfs-fuse not built"; exit 1; }
for p in mount.ecryptfs umount.ecryptfs; do
	printf '#!/bin/sh\nECRYPTFS_FUSE_PROG=%s exec %s "$@"\n' "$FUSE" "$(prog $p)" >"$W/sbin/$p"
	chmod 755 "$W/sbin/$p"
done
bin=$(dirname "$(prog ecryptfs-wrap-passphrase)"):$(dirname "$(prog ecryptfs-stat)")
TEXT="Hello from ecryptfs-ng: this line is stored encrypted."

# run_demo OUT [EXTRA-PATH]: the demo's stdout in OUT.out, stderr in OUT.err,
# its status in OUT.st; OUT.mounts lists demo mounts left in the namespace.
run_demo() {
	local out=$1 extra=${2:-}
	unshare -m bash -c '
		mount -t overlay overlay -o "lowerdir=$1/sbin:/usr/sbin" /usr/sbin || exit 99
		env PATH="$3$2:$PATH" TMPDIR="$1/tmp" bash "$4" >"$5.out" 2>"$5.err"
		echo $? >"$5.st"
		grep " $1/tmp/" /proc/self/mounts >"$5.mounts"
	' - "$W" "$bin" "${extra:+$extra:}" "$SRCDIR/scripts/demo.sh" "$out"
}
# The demo's signatures, from its "Private.sig: file key X, filename key Y" line.
demo_sigs() { sed -n 's/^Private\.sig: file key \([0-9a-f]*\), filename key \([0-9a-f]*\)$/\1 \2/p' "$1"; }
# How many of the demo's two keys are still in @u ("no sigs" when its output
# names none, so that nothing looked for cannot pass as nothing left).
keys_left() {
	local s n=0 seen=0
	for s in $(demo_sigs "$1"); do
		seen=$((seen + 1))
		keyctl search @u user "$s" >/dev/null 2>&1 && n=$((n + 1))
	done
	[ "$seen" = 2 ] && echo $n || echo "$seen sigs in the output"
}

run_demo "$W/ok"
is "$(cat "$W/ok.st")" 0 "demo.sh exits 0"
check "demo.sh writes nothing to stderr" test ! -s "$W/ok.err"
sed 's/^/# /' "$W/ok.err"
is "$(grep -c '^== ' "$W/ok.out")" 8 "eight steps, each announced"
is "$(demo_sigs "$W/ok.out" | wc -w)" 2 "two signatures (file key, filename key)"
check "mounted through the FUSE path" grep -q ' fuse\.ecryptfs$' "$W/ok.out"
is "$(grep -cxF "$TEXT" "$W/ok.out")" 2 "the text read back through the mount and recovered offline"
check "the lower name is encrypted" grep -q ' ECRYPTFS_FNEK_ENCRYPTED\.FW' "$W/ok.out"
check "the lower file is 8 KiB of header + one extent" grep -q '^-rw-.* 12288 .* ECRYPTFS_FNEK' "$W/ok.out"
# The data extent as the demo dumped it must not be the plaintext's bytes.
plain=$(printf '%s' "$TEXT" | od -An -tx1 -N16 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
cipher=$(sed -n 's/^0008192 //p' "$W/ok.out")
check "the data extent shown is ciphertext" test -n "$cipher" -a "$cipher" != "$plain"
check "the header dump shows the tag 3 packet" grep -qE '^ +26 +8c .*tag 3' "$W/ok.out"
check "the header dump shows the tag 11 packet" grep -qE '^ +57 +ed .*tag 11' "$W/ok.out"
check "ecryptfs-stat reads the header as sound" grep -qx 'Header: \[sound\]' "$W/ok.out"
is "$(cat "$W/ok.mounts" 2>&1)" "" "nothing left mounted"
is "$(keys_left "$W/ok.out")" 0 "no demo key left in the user keyring"
check "its temp dir was under TMPDIR" grep -q "mount -t ecryptfs $W/tmp/ecryptfs-demo\.[^/]*/lower " "$W/ok.out"
is "$(ls -A "$W/tmp")" "" "no temp dir left behind"

# Failing while mounted (a findmnt that fails): the trap still unmounts,
# drops the keys and removes its directory.
printf '#!/bin/sh\nexit 3\n' >"$W/failing/findmnt"
chmod 755 "$W/failing/findmnt"
run_demo "$W/fail" "$W/failing"
is "$(cat "$W/fail.st")" 3 "a demo failing half-way exits with that failure"
check "it failed after mounting" grep -q '^Mounted eCryptfs$' "$W/fail.out"
is "$(cat "$W/fail.mounts" 2>&1)" "" "failed demo: nothing left mounted"
is "$(keys_left "$W/fail.out")" 0 "failed demo: no key left"
check "failed demo: its temp dir was under TMPDIR" grep -q "mount -t ecryptfs $W/tmp/ecryptfs-demo\.[^/]*/lower " "$W/fail.out"
is "$(ls -A "$W/tmp")" "" "failed demo: no temp dir left"
tap_done
