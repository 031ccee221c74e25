#!/bin/bash
# Microseconds per file open on the kernel path (Debian's 6.1 eCryptfs in
# the project's qemu harness, tests/kernel/harness), median of rounds,
# measured in the same VM boot: files under a passphrase key (tag 3, the
# kernel alone) beside files under an openssl module key (tag 1: per open
# one request to ecryptfsd and one RSA-2048 decryption).  Each round
# remounts after dropping the caches and reads every file once in one
# process, so that an open always unwraps its file key.  Under TCG (no
# KVM) everything is slower, the difference between the lines included;
# compare the lines of one run, not runs.  Prints only; needs root.
#   bench/daemon/kernel-open.sh [BUILDDIR] [files] [rounds]
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
BUILDDIR=$(cd "${1:-$SRCDIR/build}" && pwd) || exit 1
H=${ECFS_KERNEL_TOOLS:-$SRCDIR/tests/kernel/harness}
w=$(mktemp -d /tmp/daemon-bench.XXXXXX) || exit 1
trap 'rm -rf "$w"' EXIT
"$H/setup.sh" >"$w/setup.log" 2>&1 || { tail -5 "$w/setup.log" >&2; exit 1; }
make -C "$BUILDDIR" install DESTDIR="$w/stage" >"$w/install.log" 2>&1 ||
	{ tail -5 "$w/install.log" >&2; exit 1; }
mkdir "$w/in"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$w/in/k.pem" 2>/dev/null ||
	exit 1
printf 'bench passphrase %s' "$RANDOM" >"$w/in/pass"
echo "${2:-300} ${3:-5}" >"$w/in/conf"
"$H/run.sh" exec --root "$w/stage" --script "$SRCDIR/bench/daemon/guest-open.sh" \
	--in "$w/in" --out "$w/out" --out-mb 16 --timeout 1200 2>"$w/run.err"
st=$?
[ $st = 0 ] || { tail -10 "$w/run.err" >&2; exit 1; }
grep 'timing:' "$w/run.err" | sed 's/^run\.sh: /# /'
