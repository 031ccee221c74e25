# Shell TAP helpers for tests/*/t-*.sh.  Source it; call tap_done at the end.
# Environment from tests/run.sh: BUILDDIR, SRCDIR, TESTTMP (a private scratch dir).
: "${BUILDDIR:?run through tests/run.sh}" "${SRCDIR:?}"
TESTTMP=${TESTTMP:-$(mktemp -d)}
_tap_n=0
_tap_fail=0

# ok DESCRIPTION CONDITION-EXIT-STATUS... : record the status of the last command.
ok() {
	_st=$?
	_tap_n=$((_tap_n + 1))
	if [ "$_st" -eq 0 ]; then
		echo "ok $_tap_n - $1"
	else
		echo "not ok $_tap_n - $1"
		_tap_fail=$((_tap_fail + 1))
	fi
}
# check DESCRIPTION COMMAND...: run the command, pass when it exits 0.
check() {
	_d=$1; shift
	"$@" >"$TESTTMP/check.out" 2>&1
	_st=$?
	_tap_n=$((_tap_n + 1))
	if [ "$_st" -eq 0 ]; then
		echo "ok $_tap_n - $_d"
	else
		echo "not ok $_tap_n - $_d"
		_tap_fail=$((_tap_fail + 1))
		sed 's/^/#   /' "$TESTTMP/check.out" | tail -20
	fi
}
# is GOT WANT DESCRIPTION
is() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $_tap_n - $3"
	else
		echo "not ok $_tap_n - $3"
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2"
		_tap_fail=$((_tap_fail + 1))
	fi
}
diag() { echo "# $*"; }
tap_done() {
	echo "1..$_tap_n"
	[ "$_tap_fail" -eq 0 ]
}
# Path of a program of ours in the build tree (libtool wrapper or binary).
prog() {
	for _d in src/utils/keys src/utils/mount src/utils/offline src/utils/private src/fuse tests/libecryptfs tests/fuse; do
		if [ -x "$BUILDDIR/$_d/$1" ]; then echo "$BUILDDIR/$_d/$1"; return 0; fi
	done
	echo "prog: $1 not built" >&2
	echo "/nonexistent/$1"
	return 1
}
