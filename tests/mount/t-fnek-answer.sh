#!/bin/bash
# The answer at mount.ecryptfs's "Filename Encryption Key (FNEK) Signature"
# prompt is a key's signature, 16 hex digits, and nothing else gets through
# to the mount options: the reference pushed the line as it was, so
# "SIG,OPTION" added OPTION to the kernel's options.  Anything else is asked
# again (three tries, each refusal said on stderr), then the mount fails with
# nothing mounted; uppercase digits go on in the keyring's lowercase.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/mount/lib.sh"
mt_user
O="$P,$A,ecryptfs_passthrough=n,no_sig_cache,ecryptfs_enable_filename_crypto=y"
SIG=7a1719eb53966dd1
TAIL=ecryptfs_unlink_sigs,$A
MSG='mount.ecryptfs: FNEK signature: not 16 hexadecimal digits'

# answer DESCRIPTION TEXT: run ours with TEXT (printf %b) on stdin.
answer() {
	printf '%b' "$2" >"$TESTTMP/in"
	mt_run ours mount.ecryptfs "$L" "$U" -o "$O" <"$TESTTMP/in"
}

answer "injection, then good" '0011223344556677,ecryptfs_passthrough\n0011223344556677\n'
is "$(mt_opts)" "ecryptfs_sig=$SIG,ecryptfs_fnek_sig=0011223344556677,$TAIL" \
	"SIG,OPTION then SIG: the option never reaches the mount"
check "... the refusal is said" grep -qx "$MSG" "$MT/err"
is "$(grep -o 'Filename Encryption Key (FNEK) Signature' "$MT/out" | wc -l)" 2 "... and the question asked again"
for bad in 0011223344556677,ecryptfs_passthrough 001122334455667 00112233445566778 001122334455667g ' 0011223344556677' \
	'0011223344556677 ' '0011223344556677:x' 'ecryptfs_passthrough'; do
	answer "bad" "$bad\n$bad\n$bad\n"
	st=$?
	_tap_n=$((_tap_n + 1))
	if [ "$st" -ne 0 ] && [ "$(mt_opts)" = "(none)" ] && [ "$(grep -cx "$MSG" "$MT/err")" = 3 ] &&
	   grep -qx 'mount.ecryptfs: no FNEK signature after three tries' "$MT/err"; then
		echo "ok $_tap_n - '$bad' refused three times, nothing mounted"
	else
		echo "not ok $_tap_n - '$bad' refused three times, nothing mounted"
		echo "#   exit $st, mount -o $(mt_opts); stderr:"
		sed 's/^/#   | /' "$MT/err" | head -8
		_tap_fail=$((_tap_fail + 1))
	fi
done
answer "uppercase" 'AABBCCDDEEFF0011\n'
is "$(mt_opts)" "ecryptfs_sig=$SIG,ecryptfs_fnek_sig=aabbccddeeff0011,$TAIL" \
	"uppercase digits: taken, in lowercase"
answer "empty" '\n'
is "$(mt_opts)" "ecryptfs_sig=$SIG,ecryptfs_fnek_sig=$SIG,$TAIL" \
	"an empty answer: the suggested sig, as before"
tap_done
