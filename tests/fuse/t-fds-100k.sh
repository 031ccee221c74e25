#!/bin/bash
# A home with 100,000 files in one directory, served by a daemon started
# under soft and hard limits of 1024 descriptors: find (a stat each), du
# and ls -l see every entry with its true size, and the mount still serves
# afterwards.  (A daemon with an O_PATH descriptor per inode the kernel
# knows fails this with EMFILE after about 1,000 entries.)
#
# The lower tree is made directly, not through the mount (that would take
# minutes): copies of one empty file written through the mount, each its
# own inode with a valid header under the same key.  An empty file's lower
# file is its 8,192-byte header, mostly zeros, so each copy is written
# sparse: the header's bytes up to its last non-zero one, then a truncate.
# Its upper size, 0, comes from that header (the lower size is 8,192), so
# find -size 0c and ls -l show that each file's header was read.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuse/lib.sh"

N=100000
sig=$(efs_addkey "fds100k $$ $RANDOM")
OPTS="ecryptfs_sig=$sig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16"
L=$TESTTMP/lower M=$TESTTMP/mnt
mkdir -p "$L"
check_st "mounts" efs_mount "$L" "$M" "$OPTS" || { tap_done; exit; }
check "an empty file made through the mount" sh -c ": >'$M/seed'"
check "unmounts" efs_umount "$M"
t0=$SECONDS
out=$(python3 - "$L" "$N" <<'PY' 2>&1
import os, sys
lower, n = sys.argv[1], int(sys.argv[2])
seed = open(f"{lower}/seed", "rb").read()
head = seed.rstrip(b"\0")
if len(seed) < 8192 or not head:
    sys.exit(f"unexpected seed: {len(seed)} bytes, {len(head)} before the zeros")
os.mkdir(f"{lower}/home")
for i in range(n):
    fd = os.open(f"{lower}/home/f{i:06d}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    os.write(fd, head)
    os.ftruncate(fd, len(seed))
    os.close(fd)
print(f"made {n}")
PY
)
is "$out" "made $N" "100,000 lower files made"
diag "made in $((SECONDS - t0)) s"

_efs_mounts+=("$M")
check_st "mounts under soft and hard limits of 1024" \
	sh -c "ulimit -n 1024 && '$EFS_BIN' -o '$OPTS' '$L' '$M' && mountpoint -q '$M'" ||
	{ tap_done; exit; }
pid=$(pgrep -f -- "ecryptfs-fuse.* $M\$" | head -1)
is "$(awk '/Max open files/ { print $4 "/" $5 }' "/proc/$pid/limits" 2>&1)" "1024/1024" \
	"the daemon runs under 1024 descriptors"
t0=$SECONDS
n=$(find "$M/home" -type f -size 0c 2>"$TESTTMP/find.err" | wc -l)
is "$n" "$N" "find counts 100,000 empty files (a stat each)"
diag "find took $((SECONDS - t0)) s; $(head -3 "$TESTTMP/find.err")"
t0=$SECONDS
n=$(du -a "$M/home" 2>"$TESTTMP/du.err" | wc -l)
is "$n" $((N + 1)) "du lists 100,000 files and the directory"
diag "du took $((SECONDS - t0)) s; $(head -3 "$TESTTMP/du.err")"
t0=$SECONDS
n=$(ls -l "$M/home" 2>"$TESTTMP/ls.err" | grep -c '^-rw-r--r-- 1 .* 0 ')
is "$n" "$N" "ls -l shows 100,000 files of 0 bytes"
diag "ls -l took $((SECONDS - t0)) s; $(head -3 "$TESTTMP/ls.err")"
check "the mount still writes afterwards" sh -c "echo more >'$M/home/f099999'"
is "$(cat "$M/home/f099999" 2>&1)" "more" "and reads"
check "unmounts" efs_umount "$M"
efs_addkey --unlink "$sig" >/dev/null
efs_sanitizer_check
tap_done
