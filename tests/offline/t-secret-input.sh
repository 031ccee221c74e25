#!/bin/bash
# The key inputs of ecryptfs-decrypt and ecryptfs-encrypt never shorten a
# passphrase silently and never read an endless input forever: a NUL inside
# a passphrase or login passphrase (file, fd, prompt) is a key error (exit
# 2) that says so, /dev/zero and yes end within seconds, and no output is
# written.  A final NUL (printf "%s\0") still works.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/offline/offline-lib.sh"

set=setup-private-style
W=$TESTTMP/w
mkdir -p "$W"
extract "$VECTORS/$set/dot-Private.tar" "$W"
extract "$VECTORS/$set/dot-ecryptfs.tar" "$W/home"
extract "$VECTORS/$set/plain.tar" "$W"
wp=$W/home/dot-ecryptfs/wrapped-passphrase
mp=$(vector_pass $set)
login='Alice login password 2026!'
NUL_MSG='the passphrase contains a NUL byte'
printf '%s\0junk\n' "$mp" >"$W/pass-nul"
printf '%s\0junk\n' "$login" >"$W/login-nul"
n=0

# refused DESCRIPTION STDIN STDERR-REGEX PROG ARGS...: exit 2 within 10 s,
# the message, nothing written.
refused() {
	local desc=$1 in=$2 re=$3 st; shift 3
	n=$((n + 1))
	timeout -k 1 10 "$@" "$W/dot-Private" "$W/out$n" <"$in" >"$TESTTMP/out" 2>"$TESTTMP/err"
	st=$?
	_tap_n=$((_tap_n + 1))
	if [ "$st" = 2 ] && grep -Eq "$re" "$TESTTMP/err" && [ -z "$(ls -A "$W/out$n" 2>/dev/null)" ]; then
		echo "ok $_tap_n - $desc"
	else
		echo "not ok $_tap_n - $desc"
		echo "#   exit $st; stderr:"
		sed 's/^/#   | /' "$TESTTMP/err" | head -5
		_tap_fail=$((_tap_fail + 1))
	fi
}

refused "decrypt --passphrase-file: NUL inside" /dev/null \
	"ecryptfs-decrypt: passphrase: $NUL_MSG" "$DECRYPT" --passphrase-file "$W/pass-nul"
refused "decrypt --passphrase-fd 3: NUL inside" /dev/null "$NUL_MSG" \
	"$DECRYPT" --passphrase-fd 3 3<"$W/pass-nul"
refused "decrypt --passphrase-fd 0: NUL inside" "$W/pass-nul" "$NUL_MSG" \
	"$DECRYPT" --passphrase-fd 0
refused "decrypt --login-passphrase-file: NUL inside" /dev/null \
	"ecryptfs-decrypt: login passphrase: $NUL_MSG" \
	"$DECRYPT" --wrapped-passphrase "$wp" --login-passphrase-file "$W/login-nul"
refused "decrypt --login-passphrase-fd 0: NUL inside" "$W/login-nul" "$NUL_MSG" \
	"$DECRYPT" --wrapped-passphrase "$wp" --login-passphrase-fd 0
refused "decrypt: login passphrase at the prompt: NUL inside" "$W/login-nul" "$NUL_MSG" \
	"$DECRYPT" --wrapped-passphrase "$wp"
refused "decrypt --passphrase-fd 0: /dev/zero" /dev/zero "$NUL_MSG" "$DECRYPT" --passphrase-fd 0
refused "decrypt --passphrase-file /dev/zero" /dev/null "$NUL_MSG" \
	"$DECRYPT" --passphrase-file /dev/zero
refused "decrypt --passphrase-fd 0: an endless line" <(yes | tr -d '\n') "longer than 64 bytes" \
	"$DECRYPT" --passphrase-fd 0
refused "decrypt: login passphrase at the prompt: endless lines (yes)" \
	<(yes "$(printf 'p%.0s' {1..100})") "longer than 64 bytes" "$DECRYPT" --wrapped-passphrase "$wp"
refused "encrypt --passphrase-file: NUL inside" /dev/null \
	"ecryptfs-encrypt: passphrase: $NUL_MSG" "$ENCRYPT" --passphrase-file "$W/pass-nul"
refused "encrypt --passphrase-fd 0: /dev/zero" /dev/zero "$NUL_MSG" "$ENCRYPT" --passphrase-fd 0

# Valid input is unchanged: a final NUL ends the passphrase.
printf '%s\0' "$mp" >"$W/pass-final"
"$DECRYPT" --passphrase-file "$W/pass-final" "$W/dot-Private" "$W/ok1" 2>"$TESTTMP/err"
ok "decrypt: a passphrase file ending in a NUL"
check "... decrypts the tree" same_tree "$W/plain" "$W/ok1"
printf '%s\0\n' "$login" | "$DECRYPT" --wrapped-passphrase "$wp" --login-passphrase-fd 0 \
	"$W/dot-Private" "$W/ok2" 2>"$TESTTMP/err"
ok "decrypt: a login passphrase ending in a NUL and a newline"
check "... decrypts the tree" same_tree "$W/plain" "$W/ok2"
tap_done
