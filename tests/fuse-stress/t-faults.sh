#!/bin/bash
# Faults the FUSE daemon must survive:
#  1. SIGKILL during a stream of writes (some fsynced, recorded once fsync
#     returned): after detaching and remounting, every recorded file and the
#     recorded prefix of an fsynced append-only journal are intact, and every
#     lower file still parses.
#  2. A full lower filesystem (a 2 MiB tmpfs): the writer gets ENOSPC, the
#     files written before stay readable and intact (also after a remount),
#     and deleting the big file makes room again.
#  3. A corrupted lower file (marker zeroed, or cut inside the header): EIO on
#     that file only, logged once, the daemon keeps running, the other files
#     keep working.
#  4. A missing key: the mount fails with an error naming the signature.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuse-stress/lib.sh"

SRC=$TESTTMP/src
mkdir -p "$SRC"
md5() { md5sum <"$1" | cut -c1-32; }

# ---------------------------------------------------------------- 1. SIGKILL
L1=$TESTTMP/l1 M1=$TESTTMP/m1 REC=$TESTTMP/fsynced
: >"$REC"

# The stream: odd files written with fsync (and recorded after it returned),
# even files without; a journal appended to with fsync, its length and
# digest recorded; a big unsynced write in parallel.  It stops at the first
# error, which the kill causes.
writer() {
	local i n
	for ((i = 1; i <= 3000; i++)); do
		n=$(((i * 7919) % 150000 + 1))
		head -c "$n" /dev/urandom >"$SRC/s$i"
		if ((i % 2)); then
			dd if="$SRC/s$i" of="$M1/f$i" bs=64k conv=fsync status=none 2>/dev/null || return 0
			echo "f$i $(md5 "$SRC/s$i")" >>"$REC"
		else
			cat "$SRC/s$i" >"$M1/f$i" 2>/dev/null || return 0
		fi
		head -c $((i % 5000 + 1)) "$SRC/s$i" >"$SRC/chunk"
		cat "$SRC/chunk" >>"$SRC/journal"
		dd if="$SRC/chunk" of="$M1/journal" oflag=append conv=notrunc,fsync bs=64k \
			status=none 2>/dev/null || return 0
		echo "journal $(stat -c %s "$SRC/journal") $(md5 "$SRC/journal")" >>"$REC"
	done
}

check "mount" fs_mount "$L1" "$M1"
if _fs_is_mounted "$M1"; then
	dd if=/dev/zero of="$M1/big" bs=1M count=400 status=none 2>/dev/null &
	bigpid=$!
	writer 2>/dev/null &
	wpid=$!
	# kill once some 40 fsyncs are on record (at most 60 s)
	for ((i = 0; i < 600; i++)); do
		[ "$(wc -l <"$REC")" -ge 40 ] && break
		kill -0 "$wpid" 2>/dev/null || break
		sleep 0.1
	done
	# While the dead mount is still attached every access fails, so the
	# writers stop at their next one; detaching first would let them go on
	# writing into the bare mountpoint.
	kill -9 "$FS_PID"
	for ((i = 0; i < 300; i++)); do
		_fs_running "$wpid" || _fs_running "$bigpid" || break
		sleep 0.1
	done
	kill -9 "$wpid" "$bigpid" 2>/dev/null
	wait "$wpid" "$bigpid" 2>/dev/null
	check "SIGKILL the daemon mid-stream, detach the mount" fs_kill "$M1"
	check "nothing reached the bare mountpoint" test -z "$(ls -A "$M1")"
	diag "$(grep -c '^f' "$REC") fsynced files and $(grep -c '^journal' "$REC") fsynced journal appends on record"
	check "every lower file parses after the kill" fs_lower_check_all "$L1"
	check "remount with the same key" fs_remount "$L1" "$M1"
	bad=0 n=0
	while read -r name sum; do
		[ "$name" = journal ] && continue
		n=$((n + 1))
		got=$(md5 "$M1/$name" 2>/dev/null)
		[ "$got" = "$sum" ] || { diag "$name: digest $got, fsynced $sum"; bad=$((bad + 1)); }
	done <"$REC"
	[ "$n" -gt 0 ] && [ "$bad" -eq 0 ]
	ok "all $n fsynced files intact"
	last=$(grep '^journal' "$REC" | tail -1)
	read -r _ jlen jsum <<<"$last"
	jgot=$(head -c "${jlen:-0}" "$M1/journal" 2>/dev/null | md5sum | cut -c1-32)
	is "$jgot" "$jsum" "the journal's first ${jlen:-0} bytes (its last fsynced length) are intact"
	check "the remounted filesystem writes and reads" bash -c \
		"head -c 70000 /dev/urandom >'$SRC/after' && cp '$SRC/after' '$M1/after' && cmp '$SRC/after' '$M1/after'"
	check "unmount" fs_unmount "$M1"
	check "every lower file parses after the remount" fs_lower_check_all "$L1"
else
	is "not mounted" mounted "SIGKILL test"
fi

# ---------------------------------------------------------------- 2. ENOSPC
SMALL=$TESTTMP/small M2=$TESTTMP/m2
mkdir -p "$SMALL"
check "a 2 MiB tmpfs for the lower directory" mount -t tmpfs -o size=2m tmpfs "$SMALL"
_fs_mounts+=("$SMALL")
check "mount on it" fs_mount "$SMALL/lower" "$M2"
if _fs_is_mounted "$M2"; then
	head -c 300000 /dev/urandom >"$SRC/a"
	head -c 100001 /dev/urandom >"$SRC/b"
	check "two files written with fsync" bash -c \
		"dd if='$SRC/a' of='$M2/a' conv=fsync status=none && dd if='$SRC/b' of='$M2/b' conv=fsync status=none"
	dd if=/dev/urandom of="$M2/big" bs=64k count=64 conv=fsync status=none 2>"$TESTTMP/enospc.err"
	st=$?
	isnt_zero=$([ "$st" -ne 0 ] && echo yes)
	is "$isnt_zero" yes "writing 4 MiB fails"
	check "... with ENOSPC" grep -q 'No space left on device' "$TESTTMP/enospc.err"
	check "the earlier files are intact" bash -c "cmp '$SRC/a' '$M2/a' && cmp '$SRC/b' '$M2/b'"
	check "ls still works" ls -l "$M2"
	check "unmount" fs_unmount "$M2"
	check "every lower file parses" fs_lower_check_all "$SMALL/lower"
	check "remount" fs_remount "$SMALL/lower" "$M2"
	check "the earlier files are intact after the remount" \
		bash -c "cmp '$SRC/a' '$M2/a' && cmp '$SRC/b' '$M2/b'"
	check "deleting the big file makes room for a new one" bash -c \
		"rm '$M2/big' && dd if='$SRC/b' of='$M2/c' conv=fsync status=none && cmp '$SRC/b' '$M2/c'"
	check "unmount" fs_unmount "$M2"
else
	is "not mounted" mounted "ENOSPC test"
fi
umount "$SMALL" 2>/dev/null

# ------------------------------------------------------------ 3. corruption
L3=$TESTTMP/l3 M3=$TESTTMP/m3
check "mount" fs_mount "$L3" "$M3"
if _fs_is_mounted "$M3"; then
	head -c 20000 /dev/urandom >"$SRC/g1"
	head -c 5000 /dev/urandom >"$SRC/g2"
	check "four files written" bash -c "cp '$SRC/g1' '$M3/good1' && cp '$SRC/g2' '$M3/victim' &&
		cp '$SRC/g2' '$M3/short' && cp '$SRC/g2' '$M3/good2'"
	check "unmount" fs_unmount "$M3"
	fs_corrupt "$L3/$(fs_lower_name victim)"
	truncate -s 20 "$L3/$(fs_lower_name short)"
	check "remount" fs_remount "$L3" "$M3"
	cat "$M3/victim" >/dev/null 2>"$TESTTMP/eio.err"
	check "reading the file with a zeroed marker gives EIO" grep -q 'Input/output error' "$TESTTMP/eio.err"
	cat "$M3/short" >/dev/null 2>"$TESTTMP/eio2.err"
	check "reading a file cut inside its header gives EIO" grep -q 'Input/output error' "$TESTTMP/eio2.err"
	cat "$M3/victim" >/dev/null 2>"$TESTTMP/eio.err"
	check "... and again the second time" grep -q 'Input/output error' "$TESTTMP/eio.err"
	check "the other files read back" bash -c "cmp '$SRC/g1' '$M3/good1' && cmp '$SRC/g2' '$M3/good2'"
	check "the directory lists" ls -l "$M3"
	check "a new file writes and reads" bash -c "cp '$SRC/g1' '$M3/new' && cmp '$SRC/g1' '$M3/new'"
	check "the daemon is still running" _fs_running "$FS_PID"
	if [ "$FUSE_STRESS_FS" = ecryptfs ]; then
		# the daemon names a lower file by inode number or by name
		ino=$(stat -c %i "$L3/$(fs_lower_name victim)")
		is "$(grep -cwE "$ino|victim" "$FS_LOG")" 1 "the corrupt file is logged once, though read twice"
	fi
	check "unmount" fs_unmount "$M3"
else
	is "not mounted" mounted "corruption test"
fi

# ------------------------------------------------------------ 4. missing key
if [ "$FUSE_STRESS_FS" = ecryptfs ]; then
	L4=$TESTTMP/l4 M4=$TESTTMP/m4
	mkdir -p "$L4" "$M4"
	sig=$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')
	_fs_mounts+=("$M4")
	check "the daemon is built" fs_available
	for mode in -f ""; do
		timeout 20 "$ECFS_FUSE" $mode -o "ecryptfs_sig=$sig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16" \
			"$L4" "$M4" >"$TESTTMP/nokey.out" 2>&1
		st=$?
		failed=$([ "$st" -ne 0 ] && [ "$st" -ne 124 ] && [ "$st" -ne 127 ] && echo yes)
		is "$failed" yes "mount ${mode:-(daemonizing)} with a key not in the keyring fails (status $st)"
		check "... naming the signature $sig" grep -q "$sig" "$TESTTMP/nokey.out"
		! _fs_is_mounted "$M4"
		ok "... and nothing is mounted"
	done
else
	diag "the missing-key test is specific to eCryptfs signatures"
fi
tap_done
