#!/bin/bash
# Descriptors: the daemon must not need one per inode the kernel knows, nor
# let a shortage of them poison the mount.  Run under a soft limit of 1024
# (which the daemon raises to the hard one) and under a hard limit of 1024:
#  - ls -l of 3,000 entries, and the mount still serves afterwards;
#  - 600 files held open at once: each open works or fails with EMFILE, and
#    stat, lookups and reads of open files still work meanwhile;
#  - a lower file renamed behind the daemon's back after its cached fd was
#    closed: an error for that file only.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuse/lib.sh"

sig=$(efs_addkey "fds $$ $RANDOM")
OPTS="ecryptfs_sig=$sig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16"

# lim_mount SOFT HARD LOWER MNT: the daemon started under those limits.
lim_mount() {
	local soft=$1 hard=$2 lower=$3 mnt=$4
	mkdir -p "$mnt"
	_efs_mounts+=("$mnt")
	(ulimit -Sn "$soft" && ulimit -Hn "$hard" && "$EFS_BIN" -o "$OPTS" "$lower" "$mnt") &&
		mountpoint -q "$mnt"
}
daemon_pid() { pgrep -f -- "ecryptfs-fuse.* $1\$" | head -1; }

# Files through the mount: 3,000 in big/ with their index as contents.
populate() {
	python3 - "$1" <<'PY'
import os, sys
d = sys.argv[1] + "/big"
os.mkdir(d)
for i in range(3000):
    with open(f"{d}/f{i}", "w") as f:
        f.write(f"file {i}\n")
print("made 3000")
PY
}

# ---- soft limit 1024, hard as given (the daemon raises soft to hard) ----
L1=$TESTTMP/lower1 M1=$TESTTMP/mnt1
mkdir -p "$L1"
hard=$(ulimit -Hn)
check_st "mounts under soft limit 1024 (hard $hard)" lim_mount 1024 "$hard" "$L1" "$M1" || { tap_done; exit; }
pid=$(daemon_pid "$M1")
is "$(awk '/Max open files/ { print $4 }' "/proc/$pid/limits" 2>&1)" "$hard" \
	"the daemon raised its soft limit to the hard one"
is "$(populate "$M1" 2>&1)" "made 3000" "3,000 files created through the mount"
check "unmounts" efs_umount "$M1"
check_st "mounts again under soft limit 1024" lim_mount 1024 "$hard" "$L1" "$M1" || { tap_done; exit; }
n=$(ls -l "$M1/big" 2>&1 | grep -c '^-')
is "$n" 3000 "ls -l of 3,000 entries under soft limit 1024"
is "$(cat "$M1/big/f2999" 2>&1)" "file 2999" "the mount still reads afterwards"
check "and creates" sh -c "echo new >'$M1/new'"
check "unmounts" efs_umount "$M1"

# ---- hard limit 1024 ----
L2=$TESTTMP/lower2 M2=$TESTTMP/mnt2
mkdir -p "$L2"
check_st "mounts under hard limit 1024" lim_mount 1024 1024 "$L2" "$M2" || { tap_done; exit; }
is "$(populate "$M2" 2>&1)" "made 3000" "3,000 files created through the mount (hard limit 1024)"
n=$(ls -l "$M2/big" 2>&1 | grep -c '^-')
is "$n" 3000 "ls -l of 3,000 entries known to the kernel, hard limit 1024"
check "unmounts" efs_umount "$M2"
check_st "mounts again under hard limit 1024" lim_mount 1024 1024 "$L2" "$M2" || { tap_done; exit; }
echo victim >"$M2/victim"; echo other >"$M2/other"
check "two files seen (the kernel keeps their inodes)" stat "$M2/victim" "$M2/other"
n=$(ls -l "$M2/big" 2>&1 | grep -c '^-')
is "$n" 3000 "ls -l of 3,000 entries, hard limit 1024"
is "$(cat "$M2/big/f1234" 2>&1)" "file 1234" "the mount still reads afterwards"

# 600 files held open; then, still holding them, other requests.
out=$(python3 - "$M2" <<'PY' 2>&1
import errno, os, sys
m = sys.argv[1]
fds, other = [], []
for i in range(600):
    try:
        fds.append(os.open(f"{m}/big/f{i}", os.O_RDONLY))
    except OSError as e:
        other.append(e.errno)
bad = [e for e in other if e != errno.EMFILE]
ok_reads = sum(os.pread(fd, 64, 0) == f"file {i}\n".encode() for i, fd in enumerate(fds))
def attempt(f):
    try:
        return f()
    except OSError as e:
        return e.strerror
st = attempt(lambda: os.stat(f"{m}/big/f2500").st_size)
names = attempt(lambda: len(os.listdir(f"{m}/big")))
# one more open: works, or is one more surplus open
last = attempt(lambda: open(f"{m}/big/f2999").read().strip())
last = "ok" if last in ("file 2999", "Too many open files") else last
for fd in fds:
    os.close(fd)
print(f"opened {len(fds)} others {len(bad)} reads {ok_reads == len(fds)} stat {st} list {names} last {last}")
again = os.open(f"{m}/big/f599", os.O_RDONLY)
print("after", os.pread(again, 64, 0).decode().strip())
PY
)
diag "$out"
[[ $out =~ ^opened\ [0-9]+\ others\ 0\ reads\ True\ stat\ 10\ list\ 3000\ last\ ok ]]
ok "600 opens: each works or fails with EMFILE; stat, listing and reads go on meanwhile"
[[ $out == *"after file 599"* ]]
ok "opens work again once the files are closed"
opened=$(sed -n 's/^opened \([0-9]*\).*/\1/p' <<<"$out")
check "at least 300 of them open at once under hard limit 1024" test "${opened:-0}" -ge 300

# victim's fd is long out of the cache (3,000 lookups since): renamed behind
# the daemon's back, it cannot be reopened; other files are not affected.
mv "$L2/victim" "$L2/moved"
out=$(cat "$M2/victim" 2>&1)
[ "$out" != victim ]
ok "a file renamed below after its fd left the cache does not read"
[[ $out == *"No such file"* || $out == *"Stale file handle"* ]]
ok "it fails with ENOENT or ESTALE"
is "$(cat "$M2/other" 2>&1)" other "another file still reads"
is "$(ls "$M2" 2>&1 | tr '\n' ' ')" "big moved other " "the directory still lists"
is "$(cat "$M2/moved" 2>&1)" victim "the file reads under its new name"
check "unmounts" efs_umount "$M2"
efs_addkey --unlink "$sig" >/dev/null
efs_sanitizer_check
tap_done
