#!/bin/bash
# ecryptfs-migrate-home's copy rate beside plain copies of the same tree, in
# one run on one disk (not a timed test; numbers only):
#   migrate      ecryptfs-migrate-home -u USER on a home of BENCH_SIZE_MB of
#                mixed files: its copier's rate (its INFO line) and the
#                whole run's time (checks, set-up, copy, unmount)
#   cp-a-fuse    cp -a of the same tree into an ecryptfs-fuse mount (same
#                data path, same disk, same options): cp against our copier
#   cp-a-plain   cp -a of the same tree to a plain directory on the same disk
# The mix: a quarter of the bytes in 64 MiB files, half in 1 MiB files, a
# quarter in files of 4 to 64 KiB.  Caches are dropped before each copy.
# Needs root (a test user, mounts, drop_caches) and a build (BUILDDIR,
# default SRCDIR/build).  BENCH_SIZE_MB (default 1024), BENCH_DIR (where the
# plain copies go, default /home: the home's disk).
set -u
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
BUILDDIR=${BUILDDIR:-$SRCDIR/build}
SIZE_MB=${BENCH_SIZE_MB:-1024}
if [ "$(id -u)" -ne 0 ]; then
	echo "migrate.sh: needs root (a test user, mounts, drop_caches)" >&2
	exit 2
fi
export BUILDDIR SRCDIR
# The staging tree and test users of tests/private (trap included).
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/private/lib.sh"
install -m 755 "$BUILDDIR/src/utils/private/ecryptfs-migrate-home" "$ST/bin/"
export ECRYPTFS_MIGRATE_COPY="$BUILDDIR/src/utils/private/ecryptfs-migrate-copy"
WORK=$(mktemp -d "${BENCH_DIR:-/home}/ecfs-bench-migrate.XXXXXX")
FUSE_MNT=
SIG=
bench_cleanup() {
	[ -n "$FUSE_MNT" ] && { umount "$FUSE_MNT" 2>/dev/null || umount -l "$FUSE_MNT"; }
	[ -n "$SIG" ] && { k=$(keyctl search @u user "$SIG" 2>/dev/null) && keyctl unlink "$k" @u >/dev/null; }
	rm -rf "$WORK"
	for u in $PRIV_USERS; do rm -rf /home/"$u".????????; done
	priv_cleanup
}
trap bench_cleanup EXIT

U=ecfsbm$$
new_user "$U" || exit 1
H=$(home_of "$U")

# --- the tree ---
big=$((SIZE_MB / 4 / 64)) mid=$((SIZE_MB / 2)) small_bytes=$((SIZE_MB * 1024 * 1024 / 4))
mkdir -p "$H/big" "$H/mid" "$H/small"
for i in $(seq "$big"); do head -c 64M /dev/urandom >"$H/big/f$i"; done
for i in $(seq "$mid"); do head -c 1M /dev/urandom >"$H/mid/f$i"; done
python3 - "$H/small" "$small_bytes" <<'EOF'
import os, random, sys
d, left, i = sys.argv[1], int(sys.argv[2]), 0
r = random.Random(1)
while left > 0:
    n = min(left, r.randint(4096, 65536))
    sub = os.path.join(d, "d%d" % (i // 500))
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, "f%d" % i), "wb") as f:
        f.write(os.urandom(n))
    left -= n
    i += 1
EOF
chown -R "$U:" "$H"
FILES=$(find "$H" -type f | wc -l)
BYTES=$(find "$H" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
printf 'tree: %d files, %.1f MB (%s)\n' "$FILES" "$(awk -v b="$BYTES" 'BEGIN {print b / 1e6}')" "$H"

cold() { sync; echo 3 >/proc/sys/vm/drop_caches; }
rate() { awk -v b="$BYTES" -v s="$1" 'BEGIN {printf "%.1f", b / s / 1e6}'; }
now() { date +%s.%N; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN {print a - b}'; }
# cp_seconds FROM TO SYNC-DIR: seconds of a cold cp -a, synced to disk.
cp_seconds() {
	local t0 t1
	cold
	t0=$(now)
	cp -a "$1" "$2" && sync -f "$3" || return 1
	t1=$(now)
	minus "$t1" "$t0"
}

# --- cp -a to a plain directory ---
PLAIN_S=$(cp_seconds "$H" "$WORK/plain" "$WORK/plain") || exit 1
rm -rf "$WORK/plain"

# --- cp -a into an ecryptfs-fuse mount ---
mkdir -p "$WORK/lower" "$WORK/mnt"
pass=$(head -c 24 /dev/urandom | base64)
sigs=$(printf '%s' "$pass" | ecryptfs-add-passphrase --fnek - | sed -n 's/.*sig \[\([0-9a-f]*\)\].*/\1/p')
SIG=$(sed -n 1p <<<"$sigs") FNEK=$(sed -n 2p <<<"$sigs")
"$ECRYPTFS_FUSE_PROG" -o "rw,ecryptfs_sig=$SIG,ecryptfs_fnek_sig=$FNEK,ecryptfs_cipher=aes,ecryptfs_key_bytes=16" \
	"$WORK/lower" "$WORK/mnt" || exit 1
FUSE_MNT=$WORK/mnt
CPFUSE_S=$(cp_seconds "$H/." "$WORK/mnt/" "$WORK/lower") || exit 1
umount "$WORK/mnt" && FUSE_MNT=
rm -rf "$WORK/lower"
for s in $SIG $FNEK; do k=$(keyctl search @u user "$s" 2>/dev/null) && keyctl unlink "$k" @u >/dev/null; done
SIG=

# --- ecryptfs-migrate-home ---
cold
t0=$(now)
ecryptfs-migrate-home -u "$U" </dev/null >"$WORK/migrate.out" 2>&1 || { cat "$WORK/migrate.out"; exit 1; }
t1=$(now)
MIGRATE_S=$(minus "$t1" "$t0")
COPY_S=$(sed -n 's/^INFO:  Copied [0-9]* files, [0-9]* bytes in \([0-9.]*\) s.*/\1/p' "$WORK/migrate.out")

printf '%-34s %8s %10s\n' "copy of the same tree" "seconds" "MB/s"
printf '%-34s %8.2f %10s\n' "migrate-home (its copier)" "$COPY_S" "$(rate "$COPY_S")"
printf '%-34s %8.2f %10s\n' "migrate-home (the whole run)" "$MIGRATE_S" "$(rate "$MIGRATE_S")"
printf '%-34s %8.2f %10s\n' "cp -a into ecryptfs-fuse" "$CPFUSE_S" "$(rate "$CPFUSE_S")"
printf '%-34s %8.2f %10s\n' "cp -a to a plain directory" "$PLAIN_S" "$(rate "$PLAIN_S")"
