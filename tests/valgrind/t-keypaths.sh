#!/bin/bash
# The key paths run clean under valgrind memcheck: no invalid access, no use of
# uninitialised memory, no definite leak.  Covers the library's key and format
# unit tests and the passphrase programs' real flows, error paths included.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/lib/reference.sh"
VG_STATUS=99	# valgrind's own verdict, told apart from the program's status
vg() {
	"$BUILDDIR/libtool" --mode=execute valgrind -q --error-exitcode=$VG_STATUS \
		--leak-check=full --errors-for-leak-kinds=definite "$@"
}

# Unit tests: each must pass and be clean.
for t in t-kdf t-authtok t-keyring t-rcfile t-sigcache t-wrap t-wrap-v3 t-header t-extent t-fname t-vectors; do
	vg "$BUILDDIR/tests/libecryptfs/$t" >"$TESTTMP/$t.log" 2>&1
	st=$?
	is "$st" 0 "$t passes and is valgrind-clean"
	[ "$st" -eq 0 ] || grep -E '==[0-9]+==|^not ok' "$TESTTMP/$t.log" | head -20 | sed 's/^/#   /'
done

# Programs, as a throwaway user with its own keyring and home.
u=$(tu_create) || exit 1
home=$(tu_home "$u")
W=$home/wrapped
run() {	# EXPECTED-STATUS DESCRIPTION STDIN PROGRAM ARGS...
	want=$1 d=$2 in=$3; shift 3
	printf '%s' "$in" | as_user "$u" "$BUILDDIR/libtool" --mode=execute valgrind -q \
		--error-exitcode=$VG_STATUS --leak-check=full --errors-for-leak-kinds=definite \
		"$(prog "$1")" "${@:2}" >"$TESTTMP/prog.log" 2>&1
	st=$?
	is "$st" "$want" "$d (status $want, valgrind-clean)"
	[ "$st" -eq "$want" ] || grep -E '==[0-9]+==' "$TESTTMP/prog.log" | head -20 | sed 's/^/#   /'
}
kr_clear "$u"
run 0 "add-passphrase --fnek" "mount pass" ecryptfs-add-passphrase --fnek -
run 0 "wrap (v2)" $'mount pass\nlogin pass' ecryptfs-wrap-passphrase "$W" -
run 0 "unwrap" "login pass" ecryptfs-unwrap-passphrase "$W" -
run 1 "unwrap with a wrong passphrase" "not it" ecryptfs-unwrap-passphrase "$W" -
run 0 "rewrap" $'login pass\nnew pass' ecryptfs-rewrap-passphrase "$W" -
run 0 "insert into the keyring" "new pass" ecryptfs-insert-wrapped-passphrase-into-keyring "$W" -
run 1 "insert with a wrong passphrase" "login pass" ecryptfs-insert-wrapped-passphrase-into-keyring "$W" -
printf 'garbage' >"$home/garbled" && chown "$u" "$home/garbled"
run 1 "unwrap a garbled file" "new pass" ecryptfs-unwrap-passphrase "$home/garbled" -
run 1 "a 65-byte passphrase" "$(printf 'x%.0s' $(seq 65))" ecryptfs-add-passphrase -
kr_clear "$u"
tap_done
