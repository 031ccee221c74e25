#!/bin/bash
# Sizes stay exact while the daemon keeps them across the kernel's forgets
# (src/fuse/sizes.c): after `echo 2 > drop_caches` every stat comes back to
# the daemon, which answers from its table when the lower file is unchanged
# and reads the header again when it is not.  The lower files are changed
# the way another host sharing the lower directory would: through a second
# mount of it.  Most changes below keep the lower size (one extent either
# way), so only the lower times can tell them apart.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuse/lib.sh"

pass="sizes test $$ $RANDOM"
sig=$(efs_addkey "$pass")
O="ecryptfs_sig=$sig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16"
L=$TESTTMP/lower A=$TESTTMP/a B=$TESTTMP/b
mkdir -p "$L"
check_st "mounts the lower directory (A)" efs_mount "$L" "$A" "$O" || { tap_done; exit; }
check_st "mounts it again (B, another host)" efs_mount "$L" "$B" "$O" || { tap_done; exit; }

forget() { sync; echo 2 >/proc/sys/vm/drop_caches; }
size() { stat -c %s "$1" 2>&1; }
# A lower timestamp moves only at the file system's clock tick: the steps of
# another host are further apart than that.
tick() { sleep 0.05; }

# ---- another host rewrites a file, the lower size unchanged ----
head -c 1000 /dev/urandom >"$A/f"
is "$(size "$A/f")" 1000 "A sees the size it wrote"
forget
is "$(size "$A/f")" 1000 "and again after the kernel forgot the file"
lower1=$(stat -c %s "$L/f")
tick
head -c 2000 /dev/urandom >"$TESTTMP/f2"
cp "$TESTTMP/f2" "$B/f"
is "$(stat -c %s "$L/f")" "$lower1" "B's rewrite left the lower size as it was"
forget
is "$(size "$A/f")" 2000 "A sees B's size once the kernel forgets its own"
check "A reads B's contents" cmp "$TESTTMP/f2" "$A/f"
tick
: >"$B/f"
forget
is "$(size "$A/f")" 0 "B truncated it to nothing: A sees 0"

# ---- truncated and extended through the mount itself ----
head -c 5000 /dev/urandom >"$A/g"
truncate -s 10 "$A/g"
is "$(size "$A/g")" 10 "truncated to 10 through A"
forget
is "$(size "$A/g")" 10 "10 after a forget"
truncate -s 100000 "$A/g"
forget
is "$(size "$A/g")" 100000 "extended to 100000 through A, after a forget"
printf 'abcde' >>"$A/g"
forget
is "$(size "$A/g")" 100005 "appended to, after a forget"
is "$(size "$B/g")" 100005 "B agrees"

# ---- a file held open while the size moves ----
out=$(python3 - "$A/h" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
os.write(fd, b"x" * 3000)
a = os.stat(sys.argv[1]).st_size
os.ftruncate(fd, 123)
b = os.fstat(fd).st_size
os.close(fd)
print(a, b)
PY
)
is "$out" "3000 123" "an open file's stats follow its writes and truncates"
forget
is "$(size "$A/h")" 123 "123 once closed and forgotten"

# ---- many files: a cold walk after another host changed half of them ----
mkdir -p "$A/many"
python3 - "$A/many" <<'PY'
import os, sys
for i in range(400):
    with open(os.path.join(sys.argv[1], "f%03d" % i), "wb") as f:
        f.write(b"a" * (100 + i))
PY
find "$A/many" -type f -printf '%s\n' >/dev/null
tick
python3 - "$B/many" <<'PY'
import os, sys
for i in range(0, 400, 2):
    with open(os.path.join(sys.argv[1], "f%03d" % i), "wb") as f:
        f.write(b"b" * (3000 + i))
PY
forget
want=$(for i in $(seq 0 399); do
	if ((i % 2)); then echo "f$(printf %03d "$i") $((100 + i))"; else echo "f$(printf %03d "$i") $((3000 + i))"; fi
done)
is "$(find "$A/many" -type f -printf '%f %s\n' | sort)" "$want" \
	"a cold walk of A shows every size B left, changed or not"

# ---- size in the user.ecryptfs xattr ----
LX=$TESTTMP/lowerx AX=$TESTTMP/ax BX=$TESTTMP/bx
mkdir -p "$LX"
check_st "mounts with ecryptfs_xattr_metadata (A)" efs_mount "$LX" "$AX" "$O,ecryptfs_xattr_metadata" ||
	{ tap_done; exit; }
check_st "and again (B)" efs_mount "$LX" "$BX" "$O,ecryptfs_xattr_metadata" || { tap_done; exit; }
head -c 3000 /dev/urandom >"$AX/x"
check "the size lives in the xattr" getfattr -n user.ecryptfs "$LX/x"
forget
is "$(size "$AX/x")" 3000 "xattr file: 3000 after a forget"
tick
head -c 3500 /dev/urandom >"$BX/x"
is "$(stat -c %s "$LX/x")" 4096 "B's rewrite kept the lower size (one extent)"
forget
is "$(size "$AX/x")" 3500 "xattr file: A sees B's size"

check "unmounts B" efs_umount "$B"
check "unmounts A" efs_umount "$A"
check "unmounts BX" efs_umount "$BX"
check "unmounts AX" efs_umount "$AX"
efs_sanitizer_check
tap_done
