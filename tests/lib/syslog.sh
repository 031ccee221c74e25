# Two ways to read what a program sends to syslog (/dev/log).  Source after
# tests/lib/tap.sh.
#
# syslog_catch_start SOCKET FILE: a catcher (tests/lib/syslog-catch.py)
# on SOCKET appending every message to FILE (emptied first), one a line;
# returns once the socket is there.  The test then binds SOCKET on /dev/log
# in a mount namespace of its own (mount --bind SOCKET /dev/log); where the
# machine has no /dev/log, an empty file is made to stand in as the mount
# point.  syslog_catch_stop: the catcher killed, that stand-in removed.
syslog_catch_start() {
	local i
	: >"$2"
	python3 "$SRCDIR/tests/lib/syslog-catch.py" "$1" "$2" &
	SYSLOG_CATCH_PID=$!
	for ((i = 0; i < 50; i++)); do [ -S "$1" ] && break; sleep 0.1; done
	SYSLOG_DEVLOG_MADE=
	if [ ! -e /dev/log ] && [ ! -L /dev/log ]; then
		: >/dev/log && SYSLOG_DEVLOG_MADE=1
	fi
}
syslog_catch_stop() {
	kill "$SYSLOG_CATCH_PID" 2>/dev/null
	[ -n "$SYSLOG_DEVLOG_MADE" ] && rm -f /dev/log
}

# syslog_run OUT CMD...: run CMD (as root) with its /dev/log replaced by a
# socket of ours, in a private mount namespace; every message it sends to
# syslog ends up in OUT, one per line (with syslog's "<PRI>" prefix).
# Returns CMD's status; stdin, stdout and stderr are CMD's.  The machine's own /dev/log (present or not) is never
# touched: the namespace gets a tmpfs /dev holding null, zero, random,
# urandom, tty, fd and our socket.
syslog_run() {
	local out=$1 sock=$TESTTMP/syslog.sock lpid st i
	shift
	rm -f "$sock" "$sock.ready" "$out"
	: >"$out"
	python3 - "$sock" "$out" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[1] + ".ready", "w").close()
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        d = s.recv(65536)
        if d == b"syslog_run: end":
            break
        f.write(d.rstrip(b"\0\n") + b"\n")
PY
	lpid=$!
	for ((i = 0; i < 100; i++)); do [ -e "$sock.ready" ] && break; sleep 0.05; done
	mkdir -p "$TESTTMP/syslog.olddev"
	unshare -m bash -c '
		set -e
		mount --make-rprivate /
		mount --bind /dev "$1"
		mount -t tmpfs -o mode=755 none /dev
		for n in null zero random urandom tty; do
			touch "/dev/$n"
			mount --bind "$1/$n" "/dev/$n"
		done
		ln -s /proc/self/fd /dev/fd
		touch /dev/log
		mount --bind "$2" /dev/log
		shift 2
		set +e
		exec "$@"' syslog_run "$TESTTMP/syslog.olddev" "$sock" "$@"
	st=$?
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"syslog_run: end", sys.argv[1])' "$sock"
	wait "$lpid"
	return $st
}
