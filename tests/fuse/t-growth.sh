#!/bin/bash
# Growth without end.  eCryptfs has no holes: growing a file writes an
# encrypted extent of zeros for every 4 KiB up to the new end.  So:
#  - a size the lower file system cannot hold is EFBIG at once, and one its
#    free space plainly cannot hold is ENOSPC at once, file unchanged;
#  - a fill whose caller dies (kill -9 of a writer, SIGINT of a truncate)
#    stops within seconds and leaves the file as it was (size, contents,
#    lower bytes), other files untouched, and the mount can be unmounted;
#    so does one whose daemon is told to stop (SIGTERM); a signal the
#    caller catches does not stop it (as in the kernel's eCryptfs);
#  - normal growth still gives zeros and kernel-exact sizes.
# The fills that must stop run on ext4 made on a 2 TiB sparse image: a
# terabyte plausibly fits, far more than the host disk holds, so each case
# kills early and, if the fill did not stop, kills the daemon at once.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuse/lib.sh"

sig=$(efs_addkey "growth test $$ $RANDOM")
OPTS="ecryptfs_sig=$sig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16"
SMALL=$TESTTMP/small BIG=$TESTTMP/big
mkdir -p "$SMALL" "$BIG"
DAEMONS=()

# Whatever happened: no daemon left writing, nothing left mounted.
cleanup() {
	local p
	for p in "${DAEMONS[@]}"; do kill -9 "$p" 2>/dev/null; done
	_efs_cleanup
	for m in "$SMALL" "$BIG"; do
		mountpoint -q "$m" && { umount "$m" 2>/dev/null || umount -l "$m"; }
	done
	rm -f "$TESTTMP/small.img" "$TESTTMP/big.img"
}
trap cleanup EXIT

# ext4 IMAGE SIZE DIR: a fresh ext4 on a (sparse) image, mounted on DIR.
ext4() {
	truncate -s "$2" "$1" &&
		mkfs.ext4 -q -F -i 67108864 -E lazy_itable_init=1,lazy_journal_init=1 "$1" &&
		mount -o loop,noinit_itable "$1" "$3"
}

# mount_on DIR: our mount of DIR/lower on DIR.mnt in the foreground; sets M, PID.
mount_on() {
	mkdir -p "$1/lower"
	M=$1.mnt
	efs_mount_fg "$1/lower" "$M" "$OPTS" "$TESTTMP/daemon.log" || return 1
	PID=$EFS_PID
	DAEMONS+=("$PID")
}

lsize() { stat -c %s "$1"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
# less A B: A < B for decimals.
less() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# gone PID SECONDS: the process has ended within SECONDS.
gone() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# settles LOWERFILE SIZE SECONDS: the lower file is back to SIZE within
# SECONDS and stays there for half a second.
settles() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		if [ "$(lsize "$1")" = "$2" ]; then
			sleep 0.5
			[ "$(lsize "$1")" = "$2" ] && return 0
		fi
		sleep 0.1
	done
	return 1
}

# fill_started LOWERFILE SIZE: the lower file has grown past SIZE (the
# fill was under way, so stopping it is what the case checks).
fill_started() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(lsize "$1")" -gt "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# A file with old contents, and a neighbour that must not be touched.
populate() {	# MNT
	head -c 10000 /dev/urandom >"$TESTTMP/old"
	cp "$TESTTMP/old" "$1/f" && head -c 300000 /dev/urandom >"$1/other" && sync
}

# The file, its lower file and its neighbour: FILE-SHA SIZE LOWER-SIZE
# LOWER-SHA, MANIFEST (a lower file grown by gigabytes is not hashed).
state() {	# MNT LOWER
	local ls
	ls=$(lsize "$2/f")
	printf '%s %s %s %s\n' "$(sha256sum <"$1/f")" "$(lsize "$1/f")" "$ls" \
		"$([ "$ls" -lt 1048576 ] && sha256sum <"$2/f")"
	tree_manifest "$1"
}

# --- a small ext4: EFBIG and ENOSPC up front --------------------------------
if ! ext4 "$TESTTMP/small.img" 64M "$SMALL"; then
	false; ok "a 64 MiB ext4 loop file system mounts (as root)"
elif ! mount_on "$SMALL"; then
	false; ok "the daemon mounts on the small ext4"
else
	L=$SMALL/lower
	populate "$M"
	before=$(state "$M" "$L")
	lower_before=$(lsize "$L/f")

	# (a) Past ext4's largest file (16 TiB with 4 KiB blocks).
	t0=$(now)
	truncate -s 999999999999999 "$M/f" 2>"$TESTTMP/err" &
	tp=$!
	gone "$tp" 5
	ok "(a) truncate -s 999999999999999 returns"
	took=$(elapsed "$t0")
	if kill -0 "$tp" 2>/dev/null; then kill -9 "$PID"; fi
	wait "$tp"
	diag "took ${took}s: $(cat "$TESTTMP/err")"
	grep -q 'File too large' "$TESTTMP/err"
	ok "(a) ... with EFBIG, as ext4 itself answers"
	less "$took" 1
	ok "(a) ... within a second"
	is "$(state "$M" "$L")" "$before" "(a) the file, its lower bytes and its neighbour are unchanged"
	is "$(lsize "$L/f")" "$lower_before" "(a) the lower file has its old length"
	check "(a) the file reads back its old contents" cmp "$TESTTMP/old" "$M/f"

	# (d) ENOSPC before writing anything: the daemon's write counter stays put.
	w0=$(awk '$1 == "wchar:" { print $2 }' "/proc/$PID/io")
	t0=$(now)
	truncate -s 1G "$M/f" 2>"$TESTTMP/err" &
	tp=$!
	gone "$tp" 5
	ok "(d) truncate -s 1G on a 64 MiB file system returns"
	took=$(elapsed "$t0")
	if kill -0 "$tp" 2>/dev/null; then kill -9 "$PID"; fi
	wait "$tp"
	w1=$(awk '$1 == "wchar:" { print $2 }' "/proc/$PID/io")
	diag "took ${took}s, the daemon wrote $((w1 - w0)) bytes: $(cat "$TESTTMP/err")"
	grep -q 'No space left on device' "$TESTTMP/err"
	ok "(d) ... with ENOSPC"
	[ $((w1 - w0)) -lt 1048576 ]
	ok "(d) ... before writing the zeros (the daemon wrote under 1 MiB)"
	is "$(state "$M" "$L")" "$before" "(d) the file, its lower bytes and its neighbour are unchanged"
	is "$(lsize "$L/f")" "$lower_before" "(d) the lower file has its old length"
	check "(d) the file reads back its old contents" cmp "$TESTTMP/old" "$M/f"
	check "the small mount unmounts" fusermount3 -u "$M"
	check "... and its daemon ends" gone "$PID" 10
fi

# --- ext4 on a 2 TiB sparse image: fills that must stop ---------------------
# stop_case NAME LOWERFILE OLD-LOWER-SIZE BEFORE-STATE WAITPID: the fill
# under way stops, the file is as it was, the waiting process is gone.
stop_case() {
	local n=$1 lf=$2 lold=$3 before=$4 wp=$5 t0 took
	t0=$(now)
	settles "$lf" "$lold" 10
	ok "$n the fill stops and the lower file is back to its old length"
	took=$(elapsed "$t0")
	gone "$wp" 10
	ok "$n the interrupted process ends"
	diag "stopped after ${took}s; lower size now $(lsize "$lf")"
	if kill -0 "$wp" 2>/dev/null || [ "$(lsize "$lf")" != "$lold" ]; then
		# The fill goes on: stop the daemon before it fills the host
		# disk, and mount again for the cases that follow.
		kill -9 "$PID"
		wait "$wp" 2>/dev/null
		umount -l "$M"
		mount_on "$BIG"
	fi
	wait "$wp" 2>/dev/null
	is "$(state "$M" "$BIG/lower")" "$before" \
		"$n the file, its lower bytes and its neighbour are unchanged"
	check "$n the file reads back its old contents" cmp "$TESTTMP/old" "$M/f"
}

if ! ext4 "$TESTTMP/big.img" 2T "$BIG"; then
	false; ok "an ext4 on a 2 TiB sparse image mounts (as root)"
elif ! mount_on "$BIG"; then
	false; ok "the daemon mounts on the big ext4"
else
	L=$BIG/lower
	populate "$M"
	before=$(state "$M" "$L")
	lold=$(lsize "$L/f")

	# (b) dd seeks to 2^40 (a truncate to 1 TiB, then one byte); kill -9 it.
	dd bs=1 count=1 seek=$((1 << 40)) if=/dev/zero of="$M/f" status=none 2>/dev/null &
	wp=$!
	fill_started "$L/f" "$lold"
	ok "(b) dd at 2^40 starts filling"
	sleep 1
	kill -9 "$wp"
	stop_case "(b)" "$L/f" "$lold" "$before" "$wp"
	check "(b) the mount unmounts (fusermount3 -u)" fusermount3 -u "$M"
	check "(b) ... and its daemon ends" gone "$PID" 10

	# (c) A truncate to 1 TiB interrupted by SIGINT.
	if mount_on "$BIG"; then
		timeout -s INT 2 truncate -s 1T "$M/f" 2>/dev/null &
		wp=$!
		fill_started "$L/f" "$lold"
		ok "(c) truncate -s 1T starts filling"
		stop_case "(c)" "$L/f" "$lold" "$before" "$wp"

		# (g) A signal the caller catches does not stop its fill (the
		# kernel's eCryptfs stops only for fatal ones): the truncate
		# completes rather than failing with EINTR.
		python3 - "$M/f" $((1 << 30)) >"$TESTTMP/g.out" <<'PY' &
import ctypes, signal, sys, time
got = []
signal.signal(signal.SIGUSR1, lambda s, f: got.append(s))
libc = ctypes.CDLL(None, use_errno=True)
libc.truncate.argtypes = [ctypes.c_char_p, ctypes.c_long]
t0 = time.monotonic()
r = libc.truncate(sys.argv[1].encode(), int(sys.argv[2]))
print(r, ctypes.get_errno(), len(got), "%.2f" % (time.monotonic() - t0))
PY
		wp=$!
		fill_started "$L/f" "$lold"
		ok "(g) a truncate to 1 GiB by a caller with a SIGUSR1 handler starts filling"
		kill -USR1 "$wp"
		sleep 0.2
		kill -USR1 "$wp"
		gone "$wp" 60
		ok "(g) ... and ends"
		if kill -0 "$wp" 2>/dev/null; then kill -9 "$PID"; fi
		wait "$wp"
		read -r g_rc g_errno g_sigs g_took <"$TESTTMP/g.out"
		diag "truncate returned $g_rc (errno $g_errno) after ${g_took}s; handler ran ${g_sigs}x"
		[ "$g_rc" = 0 ] && [ "$g_sigs" -ge 1 ]
		ok "(g) SIGUSR1 during the fill: the truncate succeeds, the handler runs after it"
		is "$(lsize "$M/f") $(lsize "$L/f")" "$((1 << 30)) $((8192 + (1 << 30)))" \
			"(g) ... to the full size"
		truncate -s 10000 "$M/f"
		is "$(state "$M" "$L")" "$before" "(g) cut back, the file is as it was"

		# (e) Normal growth: zeros, kernel-exact sizes, lower sizes.
		cp "$TESTTMP/old" "$M/g" && truncate -s 100001234 "$M/g"
		ok "(e) truncate up by 100 MB"
		{ cat "$TESTTMP/old"; head -c $((100001234 - 10000)) /dev/zero; } >"$TESTTMP/want"
		check "(e) ... reads as the old bytes and zeros" cmp "$TESTTMP/want" "$M/g"
		is "$(lsize "$M/g") $(lsize "$L/g")" "100001234 $((8192 + 24415 * 4096))" \
			"(e) ... kernel-exact size, lower size of whole extents"
		cp "$TESTTMP/old" "$M/h" &&
			printf 'XY' | dd of="$M/h" bs=1 seek=30000001 conv=notrunc status=none
		ok "(e) a write 30 MB past the end"
		{ cat "$TESTTMP/old"; head -c $((30000001 - 10000)) /dev/zero; printf XY; } >"$TESTTMP/want"
		check "(e) ... reads as the old bytes, zeros, the new bytes" cmp "$TESTTMP/want" "$M/h"
		is "$(lsize "$M/h") $(lsize "$L/h")" "30000003 $((8192 + 7325 * 4096))" \
			"(e) ... kernel-exact size, lower size of whole extents"
		fallocate -l 5000000 "$M/h"
		ok "(e) fallocate past the end"
		is "$(lsize "$M/h")" 30000003 "(e) ... within the size changes nothing"
		fallocate -l 40000000 "$M/h"
		ok "(e) fallocate past the end grows"
		{ cat "$TESTTMP/want"; head -c $((40000000 - 30000003)) /dev/zero; } >"$TESTTMP/want2"
		check "(e) ... with zeros" cmp "$TESTTMP/want2" "$M/h"
		is "$(lsize "$M/h")" 40000000 "(e) ... to the exact size"
		rm -f "$M/g" "$M/h"
		before=$(state "$M" "$L")

		# (f) The daemon told to stop (SIGTERM) in the middle of a fill.
		truncate -s 1T "$M/f" 2>/dev/null &
		wp=$!
		fill_started "$L/f" "$lold"
		ok "(f) truncate -s 1T starts filling"
		kill -TERM "$PID"
		gone "$PID" 10
		ok "(f) SIGTERM: the daemon stops the fill and ends"
		if kill -0 "$PID" 2>/dev/null; then kill -9 "$PID"; fi
		gone "$wp" 10
		ok "(f) ... and the truncate ends"
		settles "$L/f" "$lold" 5
		ok "(f) the lower file is back to its old length"
		mountpoint -q "$M" && umount -l "$M"
		if mount_on "$BIG"; then
			is "$(state "$M" "$L")" "$before" \
				"(f) after a remount the file, its lower bytes and its neighbour are unchanged"
			check "(f) the file reads back its old contents" cmp "$TESTTMP/old" "$M/f"
			check "the big mount unmounts" fusermount3 -u "$M"
			check "... and its daemon ends" gone "$PID" 10
		else
			false; ok "(f) the daemon mounts again"
		fi
	else
		false; ok "(c) the daemon mounts again"
	fi
fi
efs_addkey --unlink "$sig" >/dev/null
efs_sanitizer_check
tap_done
