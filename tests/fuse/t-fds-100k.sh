#!/bin/bash
# A home with 100,000 files in one directory, served under a hard limit of
# 1024 descriptors: ls -l, find and du see every entry, and the mount still
# serves afterwards.  The lower tree is made directly (through the mount it
# would take minutes): copies of one file written through the mount, so
# each is a valid eCryptfs file of its own (same key, own inode).
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuse/lib.sh"

N=100000
sig=$(efs_addkey "fds100k $$ $RANDOM")
OPTS="ecryptfs_sig=$sig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16"
L=$TESTTMP/lower M=$TESTTMP/mnt
mkdir -p "$L"
check_st "mounts" efs_mount "$L" "$M" "$OPTS" || { tap_done; exit; }
check "a file written through the mount" sh -c "printf 'seven b' >'$M/seed'"
check "unmounts" efs_umount "$M"
out=$(python3 - "$L" "$N" <<'PY' 2>&1
import os, sys
lower, n = sys.argv[1], int(sys.argv[2])
seed = open(f"{lower}/seed", "rb").read()
os.mkdir(f"{lower}/home")
for i in range(n):
    fd = os.open(f"{lower}/home/f{i:06d}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    os.write(fd, seed)
    os.close(fd)
print(f"made {n}")
PY
)
is "$out" "made $N" "100,000 lower files made"

_efs_mounts+=("$M")
check_st "mounts under hard limit 1024" \
	sh -c "ulimit -n 1024 && '$EFS_BIN' -o '$OPTS' '$L' '$M' && mountpoint -q '$M'" ||
	{ tap_done; exit; }
t0=$SECONDS
n=$(find "$M/home" -type f -size 7c 2>"$TESTTMP/find.err" | wc -l)
is "$n" "$N" "find counts 100,000 files of 7 bytes (a stat each)"
diag "find took $((SECONDS - t0)) s; $(head -3 "$TESTTMP/find.err")"
t0=$SECONDS
n=$(du -a "$M/home" 2>"$TESTTMP/du.err" | wc -l)
is "$n" $((N + 1)) "du lists 100,000 files and the directory"
diag "du took $((SECONDS - t0)) s; $(head -3 "$TESTTMP/du.err")"
t0=$SECONDS
n=$(ls -l "$M/home" 2>"$TESTTMP/ls.err" | grep -c '^-rw-r--r-- 1 .* 7 ')
is "$n" "$N" "ls -l shows 100,000 files of 7 bytes"
diag "ls -l took $((SECONDS - t0)) s; $(head -3 "$TESTTMP/ls.err")"
is "$(cat "$M/home/f099999" 2>&1)" "seven b" "the mount still reads afterwards"
check "and writes" sh -c "echo more >'$M/new'"
check "unmounts" efs_umount "$M"
efs_addkey --unlink "$sig" >/dev/null
efs_sanitizer_check
tap_done
