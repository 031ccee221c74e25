#!/bin/bash
# Descriptors: the daemon must not need one per inode the kernel knows, nor
# let a shortage of them poison the mount.  Run under a soft limit of 1024
# (which the daemon raises to the hard one) and under a hard limit of 1024:
#  - ls -l of 3,000 entries, and the mount still serves afterwards;
#  - 600 files held open at once: each open works or fails with EMFILE, and
#    stat, lookups and reads of open files still work meanwhile;
#  - a lower file renamed behind the daemon's back after its cached fd was
#    closed: an error for that file only, and never another file's contents;
#    the same for a lower file deleted and its inode number given to a new one;
# and under a hard limit of 64: a request short of descriptors fails with
# EMFILE alone and the mount serves on, and renames through the mount keep
# inodes reachable; under 256, also for requests racing with the renames.
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
        fds.append((i, os.open(f"{m}/big/f{i}", os.O_RDONLY)))
    except OSError as e:
        other.append(e.errno)
bad = [e for e in other if e != errno.EMFILE]
bad_reads = [(i, os.pread(fd, 64, 0)) for i, fd in fds]
bad_reads = [(i, b) for i, b in bad_reads if b != f"file {i}\n".encode()]
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
for i, fd in fds:
    os.close(fd)
print(f"opened {len(fds)} others {len(bad)} reads {not bad_reads} stat {st} list {names} last {last} {bad_reads[:2]}")
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

# replaced_below NAME STEP: the node of NAME held through an O_PATH
# descriptor (a path would be looked up afresh, and rightly find whatever is
# at NAME now), its cached fd evicted by 3,000 others (the cache keeps 3/4
# of 1024), then STEP (Python, with m, lower, name and ino, NAME's lower
# inode number) run on the lower directory.  Prints what listxattr and
# setxattr on the node do (they go to the daemon every time) and whether
# the file at NAME got the tag.
replaced_below() {
	python3 - "$M2" "$L2" "$1" "$2" <<'PY' 2>&1
import os, sys
m, lower, name, step = sys.argv[1:5]
fd = os.open(f"{m}/{name}", os.O_PATH)
os.listxattr(f"/proc/self/fd/{fd}")
ino = os.stat(f"{lower}/{name}").st_ino
for i in range(3000):
    os.listxattr(f"{m}/big/f{i}")
exec(step)
for what, f in (("list", lambda p: os.listxattr(p)),
                ("set", lambda p: os.setxattr(p, "user.tag", b"1"))):
    try:
        f(f"/proc/self/fd/{fd}")
        print(what, "worked")
    except OSError as e:
        print(what, e.strerror)
print("tagged" if "user.tag" in os.listxattr(f"{lower}/{name}") else "untouched")
PY
}

# Renamed below and another file put at its name: the node must not reach
# that other file (its number and file handle differ).
echo victim2 >"$M2/victim2"; echo decoy >"$M2/decoy"
out=$(replaced_below victim2 '
os.rename(f"{lower}/victim2", f"{lower}/gone2")
os.rename(f"{lower}/decoy", f"{lower}/victim2")')
diag "$out"
is "$(tr '\n' ' ' <<<"$out")" "list Stale file handle set Stale file handle untouched " \
	"a node whose lower file was replaced below: ESTALE, never the other file"
is "$(cat "$M2/victim2" 2>&1)" decoy "a fresh lookup of the name finds the file there now"

# Deleted below and a new file made at its name under the same inode number
# (ext4 hands out the lowest free one): only the file handle, taken when the
# cache closed the node's fd, tells the two apart.  The new file is made
# again until it gets the number (at most 20 tries).
echo victim3 >"$M2/victim3"
out=$(replaced_below victim3 '
os.unlink(f"{lower}/victim3")
for t in range(20):
    with open(f"{lower}/victim3", "w") as f:
        f.write("new")
    if os.stat(f"{lower}/victim3").st_ino == ino:
        print("number reused")
        break
    os.rename(f"{lower}/victim3", f"{lower}/spare{t}")')
diag "$out"
is "$(tr '\n' ' ' <<<"$out")" "number reused list Stale file handle set Stale file handle untouched " \
	"a node whose lower inode number went to a new file: ESTALE, never the new file"
check "unmounts" efs_umount "$M2"

# ---- hard limit 64: a request short of descriptors fails alone ----
# 100 files, opened through the mount and held until opens fail: only with
# EMFILE; the open files still read; once they are closed every file reads
# and the mount creates.  (Descriptors pinned per inode would keep every
# later lookup failing.)
L3=$TESTTMP/lower3 M3=$TESTTMP/mnt3
mkdir -p "$L3"
check_st "mounts" efs_mount "$L3" "$M3" "$OPTS" || { tap_done; exit; }
out=$(python3 - "$M3" <<'PY' 2>&1
import os, sys
m = sys.argv[1]
for d, n in (("d", 100), ("e", 50), ("r", 1)):
    os.mkdir(f"{m}/{d}")
    for i in range(n):
        with open(f"{m}/{d}/f{i}", "w") as f:
            f.write(f"file {i}\n")
print("made")
PY
)
is "$out" made "150 files made through a mount"
check "unmounts" efs_umount "$M3"
check_st "mounts under soft and hard limits of 64" lim_mount 64 64 "$L3" "$M3" || { tap_done; exit; }
out=$(python3 - "$M3" <<'PY' 2>&1
import errno, os, sys
m = sys.argv[1]
fds, errs = [], []
for i in range(100):
    try:
        fds.append((i, os.open(f"{m}/d/f{i}", os.O_RDONLY)))
    except OSError as e:
        errs.append(e.errno)
bad = [(i, os.pread(fd, 64, 0)) for i, fd in fds]
bad = [(i, b) for i, b in bad if b != f"file {i}\n".encode()]
for i, fd in fds:
    os.close(fd)
print(f"opened {len(fds)} errors {sorted(set(errs))} held {not bad} {bad[:2]}")
reads = 0
for i in range(100):
    try:
        reads += open(f"{m}/d/f{i}").read() == f"file {i}\n"
    except OSError as e:
        print(f"f{i}: {e}")
print(f"reads {reads} names {len(os.listdir(f'{m}/d'))}")
with open(f"{m}/d/new", "w") as f:
    f.write("new\n")
print("new", open(f"{m}/d/new").read().strip())
PY
)
diag "$out"
[[ $out =~ opened\ ([0-9]+)\ errors\ \[24\]\ held\ True\ \[\] ]] && [ "${BASH_REMATCH[1]}" -ge 5 ]
ok "opens held until the daemon is short of descriptors: at least 5, then EMFILE only"
[[ $out == *"reads 100 names 100"* ]]
ok "once they are closed, all 100 files read and the directory lists"
[[ $out == *"new new"* ]]
ok "and the mount creates a file"

# Renames through the mount re-record the names inodes are reopened by:
# a directory and a file renamed after the cache closed their fds.
evict() { cat "$M3"/e/f* >/dev/null; }
evict
check "a directory renamed through the mount" mv "$M3/d" "$M3/d2"
evict
is "$(cat "$M3/d2/f5" 2>&1)" "file 5" "a file in it reads (the directory reopened by its new name)"
check "a file renamed through the mount" mv "$M3/d2/f6" "$M3/d2/g6"
evict
is "$(cat "$M3/d2/g6" 2>&1)" "file 6" "it reads under its new name"
check "its old name is gone" test ! -e "$M3/d2/f6"

check "unmounts" efs_umount "$M3"

# A request racing with a rename of its inode through the mount: it may
# read the old name just before the rename; it must try again, never fail.
# listxattr goes to the daemon every time (no attribute cache): one thread
# asks it of r/f0 through a descriptor held open, one renames r/f0 to r/g0
# and back, two keep the cache (64 fds under a limit of 256) turning over.
# (Under 128, libfuse's threads and their splice pipes may take so many that
# busy requests rightly meet EMFILE.)
check_st "mounts under soft and hard limits of 256" lim_mount 256 256 "$L3" "$M3" ||
	{ tap_done; exit; }
out=$(python3 - "$M3" <<'PY' 2>&1
import os, sys, threading, time
m = sys.argv[1]
fd = os.open(f"{m}/r/f0", os.O_PATH)
stop = time.time() + 4
n = {"probe": 0, "rename": 0, "evict": 0}
errs = []
def probe():
    while time.time() < stop:
        try:
            os.listxattr(f"/proc/self/fd/{fd}")
            n["probe"] += 1
        except OSError as e:
            errs.append(e.strerror)
def rename():
    a, b = f"{m}/r/f0", f"{m}/r/g0"
    while time.time() < stop:
        os.rename(a, b)
        a, b = b, a
        n["rename"] += 1
def evict(names):
    while time.time() < stop:
        for p in names:
            os.listxattr(p)
        n["evict"] += 1
e = [f"{m}/e/f{i}" for i in range(50)]
d = [f"{m}/d2/f{i}" for i in range(7, 100)]
ts = [threading.Thread(target=f) for f in (probe, rename)]
ts += [threading.Thread(target=evict, args=(names,)) for names in (e, d)]
for t in ts: t.start()
for t in ts: t.join()
print(f"probes {n['probe']} renames {n['rename']} evictions {n['evict']} errors {len(errs)} {sorted(set(errs))}")
PY
)
diag "$out"
[[ $out =~ probes\ [1-9][0-9]+\ renames\ [1-9][0-9]+\ evictions\ [1-9][0-9]*\ errors\ 0\  ]]
ok "listxattr racing with renames of its file: no request failed"
check "unmounts" efs_umount "$M3"
efs_addkey --unlink "$sig" >/dev/null
efs_sanitizer_check
tap_done
