#!/bin/bash
# Growing a file through ecryptfs-fuse against the same growth on the plain
# disk.  eCryptfs has no holes: a file grown by truncate (or by a write past
# its end) gets an encrypted extent of zeros for every 4 KiB, so growth runs
# at best at the speed of writing that much data.  Measured, each with its
# data on the disk (fsync) before the clock stops:
#   ours truncate    truncate -s SIZE of an empty file through the mount
#   ours write       one byte written at SIZE-1 of an empty file (the zeros
#                    before it come with the write)
#   plain fallocate  fallocate -l SIZE on the lower disk (blocks, no data)
#   plain zeros      fallocate -l SIZE, then dd if=/dev/zero over it
#   plain dd         dd if=/dev/zero of SIZE into the empty file
# Prints MB/s of each, our ratios to plain zeros (1.0: disk speed), and the
# CPU time the daemon spent on each of ours.
# Prints only; no figure is a pass or a fail.  Needs root (drop_caches,
# mounts).  Environment: BUILDDIR (default SRCDIR/build), BENCH_DIR
# (scratch on the disk to measure, default under /var/tmp), BENCH_SIZE_MB
# (2048), BENCH_ROUNDS (3; each figure is the median of the rounds, every
# round visits each case in turn, so a drifting disk moves them together),
# BENCH_KEY_BYTES (16).
set -u
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
BUILDDIR=${BUILDDIR:-$SRCDIR/build}
SIZE_MB=${BENCH_SIZE_MB:-2048}
ROUNDS=${BENCH_ROUNDS:-3}
KEY_BYTES=${BENCH_KEY_BYTES:-16}
OURS=$BUILDDIR/src/fuse/ecryptfs-fuse
ADDPASS=$BUILDDIR/src/utils/keys/ecryptfs-add-passphrase

if [ "$(id -u)" -ne 0 ]; then
	echo "growth.sh: needs root (drop_caches, mounts)" >&2
	exit 2
fi
for p in "$OURS" "$ADDPASS"; do
	[ -x "$p" ] || { echo "growth.sh: $p: not built (BUILDDIR?)" >&2; exit 2; }
done
WORK=${BENCH_DIR:-$(mktemp -d /var/tmp/ecfs-growth.XXXXXX)}
LOWER=$WORK/lower MNT=$WORK/mnt PLAIN=$WORK/plain
mkdir -p "$LOWER" "$MNT" "$PLAIN"
SIG=
cleanup() {
	mountpoint -q "$MNT" 2>/dev/null && { fusermount3 -u "$MNT" 2>/dev/null || umount -l "$MNT"; }
	if [ -n "$SIG" ]; then
		k=$(keyctl search @u user "$SIG" 2>/dev/null) && keyctl unlink "$k" @u >/dev/null
	fi
	rm -rf "${LOWER:?}"/* "${PLAIN:?}"/*
	[ -z "${BENCH_DIR:-}" ] && rm -rf "$WORK"
}
trap cleanup EXIT
DAEMON=
trap 'exit 130' INT TERM

avail_mb=$(($(stat -f -c '%a * %S' "$WORK") / 1048576))
if [ "$avail_mb" -lt $((SIZE_MB * 2 + 512)) ]; then
	echo "growth.sh: $WORK has $avail_mb MiB free; BENCH_SIZE_MB=$SIZE_MB needs twice that" >&2
	exit 2
fi

pass=$(head -c 24 /dev/urandom | base64)
out=$(printf '%s' "$pass" | "$ADDPASS" -) || exit 2
SIG=$(sed -n 's/.*sig \[\([0-9a-f]*\)\].*/\1/p' <<<"$out")
"$OURS" -f -o "ecryptfs_sig=$SIG,ecryptfs_cipher=aes,ecryptfs_key_bytes=$KEY_BYTES" \
	"$LOWER" "$MNT" 2>"$WORK/daemon.log" &
DAEMON=$!
for _ in $(seq 50); do mountpoint -q "$MNT" && break; sleep 0.1; done
mountpoint -q "$MNT" || { echo "growth.sh: the mount did not come up" >&2; exit 2; }

SIZE=$((SIZE_MB * 1048576))
secs() { date +%s.%N; }
# CPU seconds the daemon has used (all its threads, user and system).
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$DAEMON/stat"; }
rate() { awk -v a="$1" -v b="$2" -v c="$3" 'BEGIN { printf "%.1f", a / (c - b) }'; }
median() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g |
	awk '{ v[NR] = $1 } END { if (NR) printf "%.1f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
declare -A R C
CASES="ours_truncate ours_write plain_fallocate plain_zeros plain_dd"

# One case: time the growth of a new empty file and its fsync; remove it.
run_case() {	# CASE
	local f t0 t1 c0 c1
	case $1 in
	ours_*) f=$MNT/grown ;;
	plain_*) f=$PLAIN/grown ;;
	esac
	rm -f "$f"; : >"$f"
	sync; echo 3 >/proc/sys/vm/drop_caches
	c0=$(cpu)
	t0=$(secs)
	case $1 in
	ours_truncate) truncate -s "$SIZE" "$f" && sync "$f" ;;
	ours_write) printf x | dd of="$f" bs=1 seek=$((SIZE - 1)) conv=notrunc,fsync status=none ;;
	plain_fallocate) fallocate -l "$SIZE" "$f" && sync "$f" ;;
	plain_zeros) fallocate -l "$SIZE" "$f" &&
		dd if=/dev/zero of="$f" bs=1M count="$SIZE_MB" conv=notrunc,fsync status=none ;;
	plain_dd) dd if=/dev/zero of="$f" bs=1M count="$SIZE_MB" conv=fsync status=none ;;
	esac || { echo "growth.sh: $1 failed" >&2; return 1; }
	t1=$(secs)
	c1=$(cpu)
	[ "$(stat -c %s "$f")" -eq "$SIZE" ] || { echo "growth.sh: $1: wrong size" >&2; return 1; }
	R[$1]+="$(rate "$SIZE_MB" "$t0" "$t1") "
	case $1 in ours_*) C[$1]+="$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }') " ;; esac
	rm -f "$f"
}

echo "# growth by $SIZE_MB MiB on $(df --output=source "$WORK" | tail -1) ($(stat -f -c %T "$WORK")), $ROUNDS rounds, $(nproc) CPUs"
set -- $CASES
for r in $(seq "$ROUNDS"); do
	# Rotate the order from round to round.
	for ((i = 0; i < $#; i++)); do
		c=${@:$(((i + r - 1) % $# + 1)):1}
		run_case "$c" || exit 1
	done
done
base=$(median "${R[plain_zeros]}")
for c in $CASES; do
	m=$(median "${R[$c]}")
	printf '%-16s %9s MB/s  (rounds: %s) ratio to plain zeros %s%s\n' "$c" "$m" "${R[$c]% }" \
		"$(awk -v a="$m" -v b="$base" 'BEGIN { printf "%.2f", a / b }')" \
		"${C[$c]:+, daemon CPU $(median "${C[$c]}") s}"
done
