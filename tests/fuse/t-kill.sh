#!/bin/bash
# SIGKILL of the daemon in the middle of a stream of writes: afterwards every
# lower file parses, its size field never promises data that is not there,
# and everything fsynced reads back after a remount.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuse/lib.sh"

pass="kill test $$ $RANDOM"
sig=$(efs_addkey "$pass")
O="ecryptfs_sig=$sig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16"
L=$TESTTMP/lower M=$TESTTMP/mnt
mkdir -p "$L" "$M"

writer() {	# FILE SYNCED-LOG: append seeded blocks of odd sizes, fsync every 4th
	python3 - "$1" "$2" <<'PY'
import os, random, sys
path, log = sys.argv[1], sys.argv[2]
rnd = random.Random(7)
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
n = 0
for i in range(400):
    if not os.path.ismount(os.path.dirname(path)):
        break
    d = rnd.randbytes(rnd.choice([1, 4095, 4096, 5000, 65536, 300000]))
    os.write(fd, d)
    n += len(d)
    if i % 4 == 3:
        os.fsync(fd)
        with open(log, "w") as f:
            f.write("%d\n" % n)
PY
}

parses() {	# DIR: every lower regular file has a marker and the data its size promises
	python3 - "$1" <<'PY'
import os, sys
bad = 0
for root, dirs, files in os.walk(sys.argv[1]):
    for f in files:
        p = os.path.join(root, f)
        b = open(p, "rb").read(16)
        size = int.from_bytes(b[:8], "big")
        m1, m2 = int.from_bytes(b[8:12], "big"), int.from_bytes(b[12:16], "big")
        need = 8192 + (size + 4095) // 4096 * 4096
        if len(b) < 16 or m1 ^ 0x3c81b7f5 != m2 or os.path.getsize(p) < need:
            print("# bad: %s size field %d, lower %d" % (p, size, os.path.getsize(p)))
            bad += 1
sys.exit(1 if bad else 0)
PY
}

for round in 1 2 3; do
	check_st "round $round: mounts" efs_mount_fg "$L" "$M" "$O" "$TESTTMP/log" || break
	head -c 3000000 /dev/urandom >"$TESTTMP/safe"
	cp "$TESTTMP/safe" "$M/safe-$round" && sync "$M/safe-$round"
	writer "$M/stream-$round" "$TESTTMP/synced" 2>/dev/null &
	wpid=$!
	printf 'in place %d\n' "$round" | dd of="$M/safe-$round" bs=1 seek=5000 conv=notrunc 2>/dev/null
	for i in $(seq 200); do [ -s "$TESTTMP/synced" ] && break; sleep 0.05; done
	sleep "0.$round"
	kill -KILL "$EFS_PID"
	wait "$wpid" 2>/dev/null
	wait "$EFS_PID" 2>/dev/null
	umount -l "$M" 2>/dev/null
	check "round $round: every lower file parses and holds what its size field says" parses "$L"
	check_st "round $round: mounts again" efs_mount "$L" "$M" "$O" || break
	synced=$(cat "$TESTTMP/synced" 2>/dev/null || echo 0)
	python3 - "$M/stream-$round" "$synced" <<'PY'
import os, random, sys
path, synced = sys.argv[1], int(sys.argv[2])
rnd = random.Random(7)
want = b""
while len(want) < synced:
    want += rnd.randbytes(rnd.choice([1, 4095, 4096, 5000, 65536, 300000]))
got = open(path, "rb").read()
sys.exit(0 if got[:synced] == want[:synced] and len(got) >= synced else 1)
PY
	[ $? -eq 0 ] && [ "$synced" -gt 0 ]
	ok "round $round: all $synced fsynced bytes of the stream read back"
	head -c 5000 "$TESTTMP/safe" | cmp -s - <(head -c 5000 "$M/safe-$round"); ok "round $round: the synced file is intact before the in-place write"
	for f in "$M"/*; do cat "$f" >/dev/null || echo "# EIO: $f"; done 2>&1 | grep -q EIO
	[ $? -ne 0 ]; ok "round $round: every file reads without error"
	check "round $round: unmounts" efs_umount "$M"
	rm -f "$TESTTMP/synced"
done
efs_sanitizer_check
tap_done
