#!/bin/bash
# Thousands of files open at once: each holds its key in libgcrypt's secure
# memory, whose fixed pool used to run out near 2,500 (ENOMEM on open).
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuse/lib.sh"

sig=$(efs_addkey "many open $$ $RANDOM")
L=$TESTTMP/lower M=$TESTTMP/mnt
mkdir -p "$L"
check_st "mounts" efs_mount "$L" "$M" "ecryptfs_sig=$sig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16" || { tap_done; exit; }
ulimit -n 20000 2>/dev/null
out=$(python3 - "$M" 6000 <<'PY' 2>&1
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open(f"{d}/f{i}", "w") as f:
        f.write(f"file {i}\n")
fds = []
try:
    for i in range(n):
        fds.append(os.open(f"{d}/f{i}", os.O_RDONLY))
    bad = sum(os.pread(fd, 64, 0) != f"file {i}\n".encode() for i, fd in enumerate(fds))
    print(f"held {len(fds)}, {bad} bad")
except OSError as e:
    print(f"open {len(fds)} failed: {e}")
PY
)
is "$out" "held 6000, 0 bad" "6000 files open at once all read back"
check "unmounts" efs_umount "$M"
efs_addkey --unlink "$sig" >/dev/null
efs_sanitizer_check
tap_done
