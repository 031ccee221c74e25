#!/bin/bash
# ecfs-fsx through the FUSE daemon: 5 seeds x 10,000 random operations and
# 5,000 on a small file, each file checked against the tester's model after
# every step, then the multi-threaded variant.  After unmount every lower
# file must parse with the size its header names and decrypt offline
# (ecryptfs-decrypt) to the model; after a remount (cold, a new daemon) each
# file must still equal its model.  One more seed runs on a mount with the
# header in an xattr and encrypted names, and the namespace variant (-n:
# create, rename, link, unlink, mkdir, rmdir over a small tree, every
# listing and file checked) there, its tree decrypted offline equal to the
# model tree.  First the tester is checked on a plain directory: it passes
# there, replays a seed exactly, and catches a byte changed behind its back.
# (bench/fuse/random-ops.sh is the long run: over 1,000,000 operations.)
#   FSX_SEEDS="1 2 3 4 5" FSX_OPS=10000 FSX_MT_OPS=24000 to change the load.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuse-stress/lib.sh"

SEEDS=${FSX_SEEDS:-"1 2 3 4 5"}
OPS=${FSX_OPS:-10000}
MT_OPS=${FSX_MT_OPS:-24000}
LOWER=$TESTTMP/lower
MNT=$TESTTMP/mnt
PLAIN=$TESTTMP/plain
mkdir -p "$PLAIN"
# tmpfs shows mmap stores past EOF again when a file grows; ext4 does not
PLAIN_OPTS=
[ "$(stat -f -c %T "$PLAIN")" = tmpfs ] && PLAIN_OPTS=-E

# --- the tester itself, on a plain directory ---
check "ecfs-fsx is built" test -x "$FSX"
check "plain directory: 2,000 ops pass" "$FSX" $PLAIN_OPTS -S 11 -N 2000 "$PLAIN/f"
check "plain directory: multi-threaded, 3x3 threads, pass" "$FSX" -t 3 -S 11 -N 6000 "$PLAIN/mt"

"$FSX" $PLAIN_OPTS -v -S 12 -N 300 "$PLAIN/r1" | grep -v '^#' >"$TESTTMP/replay1"
"$FSX" $PLAIN_OPTS -v -S 12 -N 300 "$PLAIN/r2" | grep -v '^#' >"$TESTTMP/replay2"
check "the same seed replays the same 300 operations" \
	bash -c "[ \$(wc -l <'$TESTTMP/replay1') -eq 300 ] && cmp '$TESTTMP/replay1' '$TESTTMP/replay2'"

"$FSX" $PLAIN_OPTS -S 13 -N 400 -X 200 "$PLAIN/x" >"$TESTTMP/inject.out" 2>&1
st=$?
at=$(sed -n 's/^# self-test: flipping the byte at offset \([0-9]*\).*/\1/p' "$TESTTMP/inject.out")
is "$st" 1 "a byte changed behind the tester's back makes it exit 1"
check "... and it names the seed, the offset and the op history" bash -c "
	grep -q '^# FAILED: seed 13, op 2[0-9][0-9]' '$TESTTMP/inject.out' &&
	grep -q '^# first differing offset $at ' '$TESTTMP/inject.out' &&
	grep -q '^# last 40 operations' '$TESTTMP/inject.out'"

# -t 1 -N 2000: one block writer doing 1000 writes; the last one is bad, so
# a reader or else the final compare must see it.
"$FSX" -t 1 -S 14 -N 2000 -X 1000 "$PLAIN/xmt" >"$TESTTMP/inject-mt.out" 2>&1
is "$?" 1 "multi-threaded: a block written with a flipped byte makes it exit 1"
check "... naming the block" grep -q '^# FAILED: seed 14, thread [0-9]*: .*block' "$TESTTMP/inject-mt.out"

"$FSX" -n -S 15 -N 3000 -m "$TESTTMP/plain-ns.model" "$PLAIN/ns" >"$TESTTMP/ns.out" 2>&1
is "$?" 0 "plain directory: 3,000 namespace ops pass"
check "... and the saved model tree equals the tree" diff -r "$TESTTMP/plain-ns.model" "$PLAIN/ns"
"$FSX" -n -S 16 -N 2000 -X 1000 "$PLAIN/nsx" >"$TESTTMP/inject-ns.out" 2>&1
is "$?" 1 "namespace variant: a byte appended behind the tester's back makes it exit 1"
check "... naming the seed and the op" grep -q '^# FAILED: seed 16, op 1[0-9][0-9][0-9]' "$TESTTMP/inject-ns.out"

# --- through the daemon ---
check "the daemon is available ($FUSE_STRESS_FS)" fs_available
check "mount" fs_mount "$LOWER" "$MNT"
_fs_is_mounted "$MNT"; mounted=$?
FALLOC=-f	# the issue requires fallocate; an unsupported one is a failure
[ "$FUSE_STRESS_FS" = ecryptfs ] || FALLOC=

total=0
for seed in $SEEDS; do
	if [ "$mounted" -eq 0 ]; then
		check "seed $seed: $OPS operations" timeout 900 "$FSX" $FALLOC -S "$seed" -N "$OPS" \
			-m "$TESTTMP/model.$seed" "$MNT/fsx.$seed"
		grep '^# ecfs-fsx: seed .* passed' "$TESTTMP/check.out"
		total=$((total + OPS))
	else
		is "not mounted" "mounted" "seed $seed: $OPS operations"
	fi
done
# a small file (at most 40,000 bytes, ten extents): every op overlaps others
if [ "$mounted" -eq 0 ]; then
	check "small file: seed 7, $((OPS / 2)) operations" timeout 900 "$FSX" $FALLOC -S 7 \
		-N $((OPS / 2)) -l 40000 -o 12000 -B 30000 -c 5 -m "$TESTTMP/model.7" "$MNT/fsx.7"
	grep '^# ecfs-fsx: seed .* passed' "$TESTTMP/check.out"
	total=$((total + OPS / 2))
else
	is "not mounted" "mounted" "small file: seed 7"
fi
diag "$total single-threaded operations through $FUSE_STRESS_FS"

if [ "$mounted" -eq 0 ]; then
	check "multi-threaded: 3 region workers, 3 block writers, 3 readers, $MT_OPS ops" \
		timeout 900 "$FSX" -t 3 -S 21 -N "$MT_OPS" "$MNT/mt"
	grep '^# ecfs-fsx: .*passed' "$TESTTMP/check.out"
	check "multi-threaded: 8 region workers, 8 block writers, 8 readers" \
		timeout 900 "$FSX" -t 8 -S 22 -N $((MT_OPS / 2)) "$MNT/mt8"
	grep '^# ecfs-fsx: .*passed' "$TESTTMP/check.out"
	check "unmount" fs_unmount "$MNT"
	check "every lower file parses, its size as its header says" fs_lower_check_all "$LOWER" strict
	check "the lower tree decrypts offline" fs_offline_decrypt "$LOWER" "$TESTTMP/offline"
	for seed in $SEEDS 7; do
		check "seed $seed: offline decryption equals the model" \
			cmp "$TESTTMP/model.$seed" "$TESTTMP/offline/fsx.$seed"
	done
	check "remount" fs_remount "$LOWER" "$MNT"
	for seed in $SEEDS 7; do
		check "seed $seed: after remount the file equals the model" \
			cmp "$TESTTMP/model.$seed" "$MNT/fsx.$seed"
	done
	check "unmount again" fs_unmount "$MNT"

	# the other layout: header in the user.ecryptfs xattr, data from offset
	# 0, and encrypted file names
	check "mount with ecryptfs_xattr_metadata and a filename key" \
		fs_mount "$TESTTMP/lower-x" "$MNT" ",ecryptfs_xattr_metadata,ecryptfs_fnek_sig=SIG"
	check "xattr metadata: seed 6, $((OPS / 2)) operations" timeout 900 "$FSX" $FALLOC -S 6 \
		-N $((OPS / 2)) -m "$TESTTMP/model.6" "$MNT/fsx.6"
	grep '^# ecfs-fsx: seed .* passed' "$TESTTMP/check.out"
	check "encrypted names: namespace variant, seed 17, $((OPS / 2)) operations" timeout 900 \
		"$FSX" -n -S 17 -N $((OPS / 2)) -c 100 -m "$TESTTMP/model.ns" "$MNT/ns"
	grep '^# ecfs-fsx: seed .* passed' "$TESTTMP/check.out"
	check "unmount" fs_unmount "$MNT"
	check "every lower file parses (header in the xattr), its size as its header says" \
		fs_lower_check_all "$TESTTMP/lower-x" strict
	check "the lower tree decrypts offline (names too)" \
		fs_offline_decrypt "$TESTTMP/lower-x" "$TESTTMP/offline-x"
	check "seed 6: offline decryption equals the model" cmp "$TESTTMP/model.6" "$TESTTMP/offline-x/fsx.6"
	check "namespace seed 17: the offline decryption equals the model tree, names too" \
		diff -r "$TESTTMP/model.ns" "$TESTTMP/offline-x/ns"
else
	is "not mounted" "mounted" "multi-threaded run"
fi
tap_done
