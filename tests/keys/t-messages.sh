#!/bin/bash
# The passphrase programs print the reference's "Info: Check the system log
# for more information from libecryptfs" after a failure: the reason must
# then be in the system log (tests/lib/syslog.sh catches what a program
# sends to /dev/log): the reference's "Error:" line with why, our
# "prog: ...: why" line, and the library's own diagnostic where it has one;
# never the passphrase.  Runs as root on files in TESTTMP; no key is added.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/lib/syslog.sh"
WRAP=$(prog ecryptfs-wrap-passphrase)
UNWRAP=$(prog ecryptfs-unwrap-passphrase)
REWRAP=$(prog ecryptfs-rewrap-passphrase)
INSERT=$(prog ecryptfs-insert-wrapped-passphrase-into-keyring)
ADD=$(prog ecryptfs-add-passphrase)
INFO='Info: Check the system log for more information from libecryptfs'
d=$TESTTMP/d
mkdir -p "$d"
check "a wrapped file to work on" bash -c "printf 'the mount pass\\nthe wrap\\n' | '$WRAP' '$d/good' -"
head -c 30 "$d/good" >"$d/truncated"

# run STDIN CMD...: stderr and the system log in $TESTTMP/{err,log}, $ST
run() {
	printf '%b' "$1" | syslog_run "$TESTTMP/log" "${@:2}" >/dev/null 2>"$TESTTMP/err"
	ST=$?
}

run 'wrong secret\n' "$UNWRAP" "$d/good" -
is "$ST $(grep -c -x "$INFO" "$TESTTMP/err")" "1 1" "unwrap, wrong passphrase: the Info line"
check "... the system log has why" \
	grep -q 'ecryptfs-unwrap-passphrase\[[0-9]*\]: Unwrapping passphrase failed: wrong wrapping passphrase$' "$TESTTMP/log"
check "... and the library's reason" \
	grep -q 'ecryptfs-unwrap-passphrase\[[0-9]*\]: libecryptfs: .*signature' "$TESTTMP/log"
check "... and never the passphrase" bash -c "! grep -q 'wrong secret' '$TESTTMP/log'"

run 'the wrap\n' "$UNWRAP" "$d/truncated" -
is "$ST $(grep -c -x "$INFO" "$TESTTMP/err")" "1 1" "unwrap, truncated file: the Info line"
check "... the system log names the file and why" \
	grep -q "ecryptfs-unwrap-passphrase\[[0-9]*\]: $d/truncated: truncated or corrupt file\$" "$TESTTMP/log"

run 'wrong secret\nnew\nnew\n' "$REWRAP" "$d/good" -
check "rewrap, wrong old passphrase: the system log has why" \
	grep -q 'ecryptfs-rewrap-passphrase\[[0-9]*\]: Unwrapping passphrase failed: wrong wrapping passphrase$' "$TESTTMP/log"
run 'wrong secret\n' "$INSERT" "$d/good" -
check "insert, wrong passphrase: the system log has why" \
	grep -q 'ecryptfs-insert-wrapped-passphrase-into-keyring\[[0-9]*\]: Unwrapping passphrase .*: wrong wrapping passphrase$' "$TESTTMP/log"
run 'the mount pass\nthe wrap\n' "$WRAP" "$d/no-such-dir/f" -
is "$ST $(grep -c -x "$INFO" "$TESTTMP/err")" "1 1" "wrap into a missing directory: the Info line"
check "... the system log has why" \
	grep -q 'ecryptfs-wrap-passphrase\[[0-9]*\]: Wrapping passphrase failed: No such file or directory$' "$TESTTMP/log"
check "... and never a passphrase" bash -c "! grep -q 'the mount pass\|the wrap' '$TESTTMP/log'"
# ecryptfs-add-passphrase prints the Info line when the keyring refuses the
# key; its own "prog: ..." lines go to the log the same way (no key is added:
# the passphrase is refused before)
run 'first secret\0second secret\n' "$ADD" -
check "add-passphrase, a NUL in the passphrase: the system log has why" \
	grep -q 'ecryptfs-add-passphrase\[[0-9]*\]: passphrase: the passphrase contains a NUL byte$' "$TESTTMP/log"
check "... and never the passphrase" bash -c "! grep -q 'secret' '$TESTTMP/log'"
tap_done
