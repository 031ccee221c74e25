#!/bin/bash
# Where the daemon's secrets can leak, and that they do not:
#  - a crash leaves no core file, even with ulimit -c unlimited, and even
#    through a pipe core_pattern, which ignores RLIMIT_CORE (only the
#    process being non-dumpable stops that one), also after a root mount
#    served another user (a change of fsuid makes a process dumpable again
#    as fs.suid_dumpable says);
#  - the mounting user cannot ptrace the daemon of a user mount, nor read
#    its /proc/PID/mem, where it can do both to its other processes;
#  - the KEK and every copy of an open file's key (FEK and cipher key
#    schedules, for thousands of open files, past any first pool) lie in
#    locked memory that core dumps leave out (VmFlags "lo" and "dd" in
#    smaps), and VmLck grows with the open files;
#  - plaintext in the daemon lies only in memory core dumps leave out.
# core_pattern and fs.suid_dumpable are the system's: they are changed only
# around the crashes and put back at exit.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuse/lib.sh"
. "$SRCDIR/tests/lib/reference.sh"
efs_private_ns || { echo "Bail out! no private mount namespace"; exit 1; }

FEK=$(prog ecfs-fek)
SCAN="python3 $SRCDIR/tests/fuse/memscan.py"
sig=$(efs_addkey "coredump test $$ $RANDOM")
OPTS="ecryptfs_sig=$sig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16"
L=$TESTTMP/lower M=$TESTTMP/mnt CORES=$TESTTMP/cores
mkdir -p "$L" "$CORES"
chmod 755 "$TESTTMP"
CORE_PATTERN=$(cat /proc/sys/kernel/core_pattern)
SUID_DUMPABLE=$(cat /proc/sys/fs/suid_dumpable)
HOLDER= SLEEPER=
cleanup() {
	[ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null
	[ -n "$SLEEPER" ] && kill "$SLEEPER" 2>/dev/null
	printf '%s\n' "$CORE_PATTERN" >/proc/sys/kernel/core_pattern
	echo "$SUID_DUMPABLE" >/proc/sys/fs/suid_dumpable
	_efs_cleanup
	efs_addkey --unlink "$sig" >/dev/null 2>&1
	_tu_cleanup
}
trap cleanup EXIT

# cores: the core files written so far, one a line ("" when none).
cores() { ls "$CORES"; }
# mounted DIR: in the mount table (root cannot stat a user's FUSE mount).
mounted() { awk -v m="$1" '$5 == m { f = 1 } END { exit !f }' /proc/self/mountinfo; }
# dead_umount MNT: take down the mount of a daemon that was killed.
dead_umount() { umount "$1" 2>/dev/null || umount -l "$1"; }

# --- no core file: ulimit -c unlimited, core_pattern a file in $CORES
ulimit -c unlimited
echo "$CORES/core.%e.%p" >/proc/sys/kernel/core_pattern
bash -c 'kill -SEGV $$'
is "$(cores | grep -c '^core\.bash\.')" 1 "control: a crashing shell leaves a core file here"
rm -f "$CORES"/*
check_st "mounts in the foreground" efs_mount_fg "$L" "$M" "$OPTS" "$TESTTMP/fg.log" ||
	{ tap_done; exit; }
echo data >"$M/f"
check "its core limit is 0 whatever ulimit -c says" \
	grep -Eq '^Max core file size +0 +0 ' "/proc/$EFS_PID/limits"
kill -SEGV "$EFS_PID"
wait "$EFS_PID"
is "$?" 139 "SIGSEGV: the daemon died of it"
is "$(cores)" "" "SIGSEGV: no core file"
dead_umount "$M"

# --- no core through a pipe either: the kernel ignores RLIMIT_CORE there
printf '#!/bin/sh\ncat >%s/core.pipe.$1\n' "$CORES" >"$TESTTMP/catcore"
chmod 755 "$TESTTMP/catcore"
echo "|$TESTTMP/catcore %p" >/proc/sys/kernel/core_pattern
bash -c 'ulimit -c 0; kill -ABRT $$'
for i in $(seq 50); do [ -n "$(cores)" ] && break; sleep 0.1; done
is "$(cores | grep -c '^core\.pipe\.')" 1 "control: with ulimit -c 0 a crash still reaches a pipe"
rm -f "$CORES"/*
check_st "mounts (a background daemon)" efs_mount "$L" "$M" "$OPTS" || { tap_done; exit; }
pid=$(pgrep -f -- "ecryptfs-fuse.* $M\$")
is "$(grep -c . "$M/f")" 1 "it serves"
kill -ABRT "$pid"
for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
sleep 0.5
check "SIGABRT: the daemon died" test ! -d "/proc/$pid"
is "$(cores)" "" "SIGABRT: no core through the pipe (the daemon is not dumpable)"
dead_umount "$M"

# --- nor after a root mount served another user: a change of fsuid (or
# capabilities) makes a process dumpable again as fs.suid_dumpable says,
# and 2 means a core through the pipe
U=$(tu_create) || exit 1
echo 2 >/proc/sys/fs/suid_dumpable
rm -f "$CORES"/*
python3 -c '
import ctypes, os, signal
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(4, 0, 0, 0, 0)		# PR_SET_DUMPABLE 0, as the daemon
libc.setfsuid(65534)
libc.setfsuid(0)
os.kill(os.getpid(), signal.SIGABRT)
' 2>/dev/null
for i in $(seq 50); do [ -n "$(cores)" ] && break; sleep 0.1; done
is "$(cores | grep -c '^core\.pipe\.')" 1 \
	"control: a non-dumpable process that changed its fsuid dumps through the pipe"
rm -f "$CORES"/*
check_st "root mounts (other users served)" efs_mount "$L" "$M" "$OPTS" || { tap_done; exit; }
pid=$(pgrep -f -- "ecryptfs-fuse.* $M\$")
mkdir -m 1777 "$M/pub"
check "$U creates a file through the root mount" as_user "$U" sh -c "echo hi >'$M/pub/u'"
is "$(stat -c %U "$L/pub/u")" "$U" "the daemon wrote it with $U's fsuid"
kill -ABRT "$pid"
for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
sleep 0.5
check "SIGABRT: the daemon died" test ! -d "/proc/$pid"
is "$(cores)" "" "SIGABRT after serving $U: no core through the pipe"
echo "$SUID_DUMPABLE" >/proc/sys/fs/suid_dumpable
printf '%s\n' "$CORE_PATTERN" >/proc/sys/kernel/core_pattern
ulimit -c 0
dead_umount "$M"

# --- a user's own daemon: that user can neither ptrace it nor read its
# memory, where it can both to a process of its own
cat >"$TESTTMP/probe.py" <<'PY'
# probe.py PID: "ptrace:R mem:R", R "ok" or the errno's name.  PTRACE_SEIZE
# does not stop the process, and it goes on when we exit.
import ctypes, errno, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
pid = int(sys.argv[1])
r = "ok" if libc.ptrace(0x4206, pid, None, None) == 0 else errno.errorcode[ctypes.get_errno()]
try:
    with open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
        with open(f"/proc/{pid}/maps") as maps:
            mem.seek(int(maps.readline().split("-")[0], 16))
        m = "ok" if len(mem.read(16)) == 16 else "short"
except OSError as e:
    m = errno.errorcode[e.errno]
print(f"ptrace:{r} mem:{m}")
PY
chmod 644 "$TESTTMP/probe.py"
UL=$TESTTMP/ulower UM=$TESTTMP/umnt
mkdir -p "$UL" "$UM"
chown "$U:$U" "$UL" "$UM"
usig=$(as_user "$U" "$(prog ecfs-addkey)" "user test $$")
# Reading a key needs possession: @u linked into the session, as PAM does.
as_user "$U" bash -c 'keyctl link @u @s && exec "$@"' - "$(prog ecryptfs-fuse)" \
	-o "ecryptfs_sig=$usig,ecryptfs_key_bytes=16" "$UL" "$UM"
check_st "a user mounts through fusermount3" mounted "$UM" || { tap_done; exit; }
_efs_mounts+=("$UM")
upid=$(pgrep -u "$U" -f -- "ecryptfs-fuse.* $UM\$")
setpriv --reuid="$U" --regid="$U" --init-groups sleep 600 &
SLEEPER=$!
sleep 0.2
is "$(as_user "$U" python3 "$TESTTMP/probe.py" "$SLEEPER" 2>&1)" "ptrace:ok mem:ok" \
	"control: the user can ptrace and read the memory of its own sleep"
kill "$SLEEPER"
wait "$SLEEPER" 2>/dev/null
SLEEPER=
is "$(as_user "$U" python3 "$TESTTMP/probe.py" "$upid" 2>&1)" "ptrace:EPERM mem:EACCES" \
	"the mounting user can neither ptrace the daemon nor read its /proc/PID/mem"
is "$(stat -c %u "/proc/$upid/status")" 0 "its /proc entries are root's (not dumpable)"
check "the daemon still serves" as_user "$U" test -d "$UM/."
check "the user unmounts" as_user "$U" fusermount3 -u "$UM"

# --- keys in locked memory left out of dumps, for thousands of open files
N=3000
check_st "mounts" efs_mount "$L" "$M" "$OPTS" || { tap_done; exit; }
pid=$(pgrep -f -- "ecryptfs-fuse.* $M\$")
ulimit -n 20000 2>/dev/null
python3 - "$M" "$N" "$TESTTMP/ready" <<'PY' &
import os, sys, time
d, n, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3]
fds = []
for i in range(n):
    with open(f"{d}/k{i}", "w") as f:
        f.write(f"file {i}\n")
for i in range(n):
    fd = os.open(f"{d}/k{i}", os.O_RDONLY)
    os.pread(fd, 16, 0)		# the first read keys a cipher handle
    fds.append(fd)
open(ready, "w").close()
time.sleep(600)
PY
HOLDER=$!
for i in $(seq 1200); do [ -e "$TESTTMP/ready" ] && break; sleep 0.1; done
check_st "$N files held open" test -e "$TESTTMP/ready" || { tap_done; exit; }
for f in k0 k1500 k$((N - 1)); do "$FEK" "$L/$f"; done >"$TESTTMP/feks"
is "$(grep -c . "$TESTTMP/feks")" 3 "the keys of three of them (first, middle, last)"
# The KEK's first 16 bytes: what wraps an AES-128 FEK, and so in every copy
# and key schedule of it.
"$FEK" --kek "$sig" | cut -c1-32 >>"$TESTTMP/feks"
is "$(grep -c . "$TESTTMP/feks")" 4 "and the mount's KEK"
# shellcheck disable=SC2046
$SCAN "$pid" $(cat "$TESTTMP/feks") >"$TESTTMP/keyhits"
is "$(cut -d' ' -f1 "$TESTTMP/keyhits" | sort -u | tr '\n' ' ')" "0 1 2 3 " \
	"each key is found in the daemon's memory"
grep -v ' lo dd$' "$TESTTMP/keyhits" | sed 's/^/#   unprotected: /'
is "$(grep -vc ' lo dd$' "$TESTTMP/keyhits")" 0 \
	"every copy of every key is locked and left out of core dumps"
diag "$(wc -l <"$TESTTMP/keyhits") copies; $(grep VmLck "/proc/$pid/status")"
locked=$(awk '/^VmLck:/ { print $2 }' "/proc/$pid/status")
check "VmLck grows with the open files (over 1 KiB each)" test "$locked" -ge "$N"
kill "$HOLDER"
wait "$HOLDER" 2>/dev/null
HOLDER=
check "unmounts" efs_umount "$M"

# --- plaintext only in memory left out of dumps
head -c 3000000 /dev/urandom >"$TESTTMP/plain"
check_st "mounts" efs_mount "$L" "$M" "$OPTS" || { tap_done; exit; }
cp "$TESTTMP/plain" "$M/big"
check "unmounts" efs_umount "$M"
# A fresh daemon that has only read the file: no request buffer of libfuse
# ever held its plaintext, only our scratch buffers.
check_st "mounts again" efs_mount "$L" "$M" "$OPTS" || { tap_done; exit; }
pid=$(pgrep -f -- "ecryptfs-fuse.* $M\$")
check "reads it back whole" cmp "$TESTTMP/plain" "$M/big"
for off in 100000 1500000 2900000; do
	od -An -tx1 -v -j "$off" -N 48 "$TESTTMP/plain" | tr -d ' \n'
	echo
done >"$TESTTMP/needles"
# shellcheck disable=SC2046
$SCAN "$pid" $(cat "$TESTTMP/needles") >"$TESTTMP/plainhits"
check "plaintext is found in the daemon's memory" grep -q . "$TESTTMP/plainhits"
grep -v ' dd$' "$TESTTMP/plainhits" | sed 's/^/#   in a dump: /'
is "$(grep -vc ' dd$' "$TESTTMP/plainhits")" 0 "all of it in memory left out of core dumps"
check "unmounts" efs_umount "$M"
efs_sanitizer_check
tap_done
