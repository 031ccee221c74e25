#!/bin/bash
# The long randomized operation run: ecfs-fsx (tests/fsx) through
# ecryptfs-fuse for at least 1,000,000 operations over several seeds, far
# more than CI's tests/fuse-stress/t-fsx.sh (about 100,000) can afford.
#
# Every operation is checked against the tester's in-memory model as it
# runs (size after each step, the touched range, the whole file every few
# operations and after reopens and cache drops).  The load, per round of
# seeds:
#   big      one file of up to 2 MiB: write, read, truncate, append,
#            fallocate, mmap read/write, stores past EOF through a mapping,
#            reopen, fsync, cache drops
#   small    the same on a file of at most 40,000 bytes (ten extents), so
#            that nearly every operation overlaps an earlier one
#   mt       the multi-threaded variant (-t 3): neighbouring regions that
#            share extents, block writers racing unlocked readers
#   names    the namespace variant (-n): a tree of up to 12 directories and
#            160 names (long ones, spaces, UTF-8) with create, write,
#            truncate, rename (over existing names, across directories),
#            link, unlink, mkdir, rmdir, directory renames, each listing
#            and file compared with the model
# and, on a second mount with the header in the user.ecryptfs xattr and
# encrypted file names: one more big seed (xattr) and the names variant
# again for each seed (fnames.N).
# After the runs the mounts are unmounted; every lower file and tree must
# decrypt offline (ecryptfs-decrypt, which shares no cache and no code above
# the format layer with the daemon) to exactly the model's final contents
# (names too), and after a remount (a new daemon, cold caches) each file and
# tree must equal its model again.
#
# Usage (root; after ./setup.sh build, or with BUILDDIR pointing at a build):
#   sudo bench/fuse/random-ops.sh                     # the full run
#   sudo RANDOM_OPS_SEEDS=1 bench/fuse/random-ops.sh  # 200,000 operations
# Prints one line per run (operations, seconds, operations per second), one
# per seed ("= seed N": its four runs on the first mount together), one for
# the second mount's runs ("= xattr") and at the end the total operations,
# time (offline checks and remounts included) and rate; exits 0 when everything passed, 1 on any mismatch (the
# failing run, seed and operation number are printed, the scratch directory
# with the lower trees, models and logs is kept), 2 on a set-up error.
# Not part of CI (make check and tests/run.sh never run it); the suite's
# short form is tests/fuse-stress/t-fsx.sh.
#
# Operations, by default: per seed 100,000 big + 20,000 small + 10,000 mt +
# 15,000 names + 15,000 names on the second mount = 160,000, times 8 seeds,
# plus 40,000 xattr: 1,320,000 in all.  With RANDOM_OPS_SEEDS=1: 200,000.
# Expected runtime: about 15 minutes on 2 cores (1,320,000 operations in 920 s).
#
# Environment: BUILDDIR (default SRCDIR/build), RANDOM_OPS_SEEDS (default
# "1 2 3 4 5 6 7 8"), per seed RANDOM_OPS_BIG (100000 ops), RANDOM_OPS_SMALL
# (20000), RANDOM_OPS_MT (10000), RANDOM_OPS_NAMES (15000, on each of the
# two mounts); RANDOM_OPS_XATTR (40000, once); RANDOM_OPS_DIR (scratch,
# default a new directory under /var/tmp, removed at the end when the run
# passed).  The testers run under nice -n 10, to share the machine.
set -u
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
BUILDDIR=${BUILDDIR:-$SRCDIR/build}
SEEDS=${RANDOM_OPS_SEEDS:-"1 2 3 4 5 6 7 8"}
BIG=${RANDOM_OPS_BIG:-100000}
SMALL=${RANDOM_OPS_SMALL:-20000}
MT=${RANDOM_OPS_MT:-10000}
XATTR=${RANDOM_OPS_XATTR:-40000}
NAMES=${RANDOM_OPS_NAMES:-15000}
FSX=$BUILDDIR/tests/fsx/ecfs-fsx
OURS=$BUILDDIR/src/fuse/ecryptfs-fuse
ADDPASS=$BUILDDIR/src/utils/keys/ecryptfs-add-passphrase
DECRYPT=$BUILDDIR/src/utils/offline/ecryptfs-decrypt
ME=random-ops.sh

if [ "$(id -u)" -ne 0 ]; then
	echo "$ME: needs root (mounts, drop_caches)" >&2
	exit 2
fi
for p in "$FSX" "$OURS" "$ADDPASS" "$DECRYPT"; do
	[ -x "$p" ] || { echo "$ME: $p: not built (BUILDDIR?)" >&2; exit 2; }
done
WORK=${RANDOM_OPS_DIR:-$(mktemp -d /var/tmp/ecfs-random-ops.XXXXXX)}
mkdir -p "$WORK"
MNT=$WORK/mnt
SIGS=() PIDS=()
failed=0
cleanup() {
	mountpoint -q "$MNT" 2>/dev/null && { fusermount3 -u "$MNT" 2>/dev/null || umount -l "$MNT"; }
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for s in "${SIGS[@]}"; do
		k=$(keyctl search @u user "$s" 2>/dev/null) && keyctl unlink "$k" @u >/dev/null
	done
	if [ "$failed" -eq 0 ] && [ -z "${RANDOM_OPS_DIR:-}" ]; then
		rm -rf "$WORK"
	else
		echo "# the lower trees, models and logs are kept in $WORK"
	fi
}
trap cleanup EXIT
trap 'failed=1; exit 130' INT TERM

fail() { echo "$ME: FAILED: $*"; failed=1; }

# mount LOWER OPTS: a new key, the daemon in the foreground, in the
# background; sets PASS (for the offline decrypter), OPTS (for a remount).
mount_new() {
	local lower=$1 extra=$2 out sig
	PASS=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
	out=$(printf '%s' "$PASS" | "$ADDPASS" - 2>&1) || { echo "$ME: $out" >&2; exit 2; }
	sig=$(sed -n 's/.*sig \[\([0-9a-f]\{16\}\)\].*/\1/p' <<<"$out")
	[ -n "$sig" ] || { echo "$ME: no signature in: $out" >&2; exit 2; }
	SIGS+=("$sig")
	OPTS="ecryptfs_sig=$sig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16${extra//=SIG/=$sig}"
	mount_again "$lower"
}
mount_again() {
	local lower=$1
	mkdir -p "$lower" "$MNT"
	"$OURS" -f -o "$OPTS" "$lower" "$MNT" >>"$WORK/daemon.log" 2>&1 &
	DAEMON=$!
	PIDS+=("$DAEMON")
	for _ in $(seq 100); do mountpoint -q "$MNT" && return 0; sleep 0.1; done
	echo "$ME: the mount of $lower did not come up; daemon log $WORK/daemon.log" >&2
	exit 2
}
unmount() {
	local st
	fusermount3 -u "$MNT" || { fail "unmount of $MNT"; umount -l "$MNT"; }
	wait "$DAEMON"
	st=$?
	[ "$st" -eq 0 ] || fail "the daemon exited with status $st (log $WORK/daemon.log)"
}

secs() { date +%s.%N; }
total=0
# run NAME OPS FSX-ARGS...: one ecfs-fsx run on $MNT/NAME, model in
# $WORK/model.NAME, output in $WORK/log.NAME; prints its operations, time
# and operations per second, and adds them to the seed's (SEED_OPS, SEED_T).
run() {
	local name=$1 ops=$2 st a b
	shift 2
	a=$(secs)
	nice -n 10 "$FSX" -N "$ops" "$@" -m "$WORK/model.$name" "$MNT/$name" >"$WORK/log.$name" 2>&1
	st=$?
	b=$(secs)
	total=$((total + ops))
	SEED_OPS=$((SEED_OPS + ops))
	SEED_T=$(awk -v t="$SEED_T" -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", t + b - a }')
	if [ "$st" -ne 0 ]; then
		fail "$name: ecfs-fsx exited $st; $(grep -m1 '^# FAILED' "$WORK/log.$name") (log $WORK/log.$name)"
		return 1
	fi
	awk -v n="$name" -v o="$ops" -v a="$a" -v b="$b" 'BEGIN {
		printf "%-10s %8d ops %7.1f s %7.0f ops/s  passed\n", n, o, b - a, o / (b - a) }'
}
# seed_start; seed_done LABEL: the total of the runs in between
seed_start() { SEED_OPS=0 SEED_T=0; }
seed_done() {
	awk -v n="$1" -v o="$SEED_OPS" -v t="$SEED_T" 'BEGIN {
		printf "%-10s %8d ops %7.1f s %7.0f ops/s\n", n, o, t, (t > 0 ? o / t : 0) }'
}

echo "# $ME: ecfs-fsx through ecryptfs-fuse, seeds $SEEDS, scratch $WORK ($(stat -f -c %T "$WORK")), $(nproc) CPUs"
t0=$(secs)
names=() trees=()
mount_new "$WORK/lower" ""
for s in $SEEDS; do
	seed_start
	run "big.$s" "$BIG" -f -S "$s" && names+=("big.$s")
	run "small.$s" "$SMALL" -f -S $((s + 1000)) -l 40000 -o 12000 -B 30000 -c 5 && names+=("small.$s")
	# the multi-threaded variant keeps no model file of the whole file; it
	# compares everything itself after a cache drop at the end
	run "mt.$s" "$MT" -t 3 -S $((s + 2000))
	run "names.$s" "$NAMES" -n -c 100 -S $((s + 3000)) && trees+=("names.$s")
	seed_done "= seed $s"
done
unmount
PASS1=$PASS OPTS1=$OPTS

# same_tree NAME DIR: DIR (a tree) equals the model tree of NAME
same_tree() { diff -r "$WORK/model.$1" "$2" >"$WORK/diff.$1" 2>&1; }

# offline: the lower tree decrypted without the daemon equals the models
rm -rf "$WORK/offline"
printf '%s\n' "$PASS1" >"$WORK/pass"
if "$DECRYPT" --passphrase-file "$WORK/pass" "$WORK/lower" "$WORK/offline" >"$WORK/log.decrypt" 2>&1; then
	for n in "${names[@]}"; do
		cmp -s "$WORK/model.$n" "$WORK/offline/$n" || fail "$n: the offline decryption differs from the model"
	done
	for n in "${trees[@]}"; do
		same_tree "$n" "$WORK/offline/$n" || fail "$n: the offline decryption differs from the model tree ($WORK/diff.$n)"
	done
	echo "offline    ${#names[@]} files and ${#trees[@]} trees decrypted by ecryptfs-decrypt equal their models"
else
	fail "ecryptfs-decrypt of the lower tree: $(tail -1 "$WORK/log.decrypt")"
fi
# a new daemon, cold: each file equals its model.  The key goes in again
# if it left root's user keyring meanwhile: that keyring is shared by every
# root process of the machine, and a long run should not end on another
# program's cleanup (the note says so; the daemon itself never unlinks a
# key without ecryptfs_unlink_sigs, which is not given here).
OPTS=$OPTS1
if ! keyctl search @u user "${SIGS[0]}" >/dev/null 2>&1; then
	echo "# note: the key ${SIGS[0]} left the user keyring during the run; added again for the remount"
	printf '%s' "$PASS1" | "$ADDPASS" - >/dev/null 2>&1 || fail "adding the key ${SIGS[0]} again"
fi
mount_again "$WORK/lower"
for n in "${names[@]}"; do
	cmp -s "$WORK/model.$n" "$MNT/$n" || fail "$n: after a remount the file differs from the model"
done
for n in "${trees[@]}"; do
	same_tree "$n" "$MNT/$n" || fail "$n: after a remount the tree differs from the model ($WORK/diff.$n)"
done
echo "remount    ${#names[@]} files and ${#trees[@]} trees equal their models through a new daemon"
unmount

# the other layout: header in the xattr, encrypted names
mount_new "$WORK/lower-x" ",ecryptfs_xattr_metadata,ecryptfs_fnek_sig=SIG"
xfiles=() xtrees=()
seed_start
run xattr "$XATTR" -f -S 4242 && xfiles+=(xattr)
for s in $SEEDS; do
	run "fnames.$s" "$NAMES" -n -c 100 -S $((s + 4000)) && xtrees+=("fnames.$s")
done
seed_done "= xattr"
unmount
printf '%s\n' "$PASS" >"$WORK/pass"
rm -rf "$WORK/offline-x"
if "$DECRYPT" --passphrase-file "$WORK/pass" "$WORK/lower-x" "$WORK/offline-x" >"$WORK/log.decrypt-x" 2>&1; then
	for n in "${xfiles[@]}"; do
		cmp -s "$WORK/model.$n" "$WORK/offline-x/$n" ||
			fail "$n: the offline decryption differs from the model"
	done
	for n in "${xtrees[@]}"; do
		same_tree "$n" "$WORK/offline-x/$n" ||
			fail "$n: the offline decryption differs from the model tree ($WORK/diff.$n)"
	done
	echo "offline    xattr layout, encrypted names: ${#xfiles[@]} files and ${#xtrees[@]} trees decrypted by ecryptfs-decrypt equal their models"
else
	fail "ecryptfs-decrypt of the xattr-layout tree: $(tail -1 "$WORK/log.decrypt-x")"
fi
rm -f "$WORK/pass"
t1=$(secs)

awk -v n="$total" -v a="$t0" -v b="$t1" -v f="$failed" 'BEGIN {
	printf "# %d operations in %.0f s (%.0f min), %.0f ops/s: %s\n", n, b - a, (b - a) / 60,
		n / (b - a), f ? "FAILED" : "all passed" }'
[ "$failed" -eq 0 ]
