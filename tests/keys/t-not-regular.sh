#!/bin/bash
# A wrapped-passphrase "file" that is not a regular file is refused before
# it is opened: a FIFO without a writer used to block the program forever.
# A symlink to a regular file still works.
. "$SRCDIR/tests/lib/tap.sh"
UNWRAP=$(prog ecryptfs-unwrap-passphrase)
REWRAP=$(prog ecryptfs-rewrap-passphrase)
INSERT=$(prog ecryptfs-insert-wrapped-passphrase-into-keyring)
WRAP=$(prog ecryptfs-wrap-passphrase)
d=$TESTTMP/nr
mkdir -p "$d/dir"
mkfifo "$d/fifo"

# refused NAME STDIN CMD FILE...: exit 1 within 10 s, the message, stdout empty.
refused() {
	local name=$1 in=$2 p=$3 f=$4; shift 4
	printf '%b' "$in" | timeout 10 "$p" "$f" "$@" >"$d/out" 2>"$d/err"
	is "$?" 1 "$name: exit 1, no hang"
	check "$name: says not a regular file" grep -qx "$(basename "$p"): $f: not a regular file" "$d/err"
	check "$name: asks for no passphrase" test ! -s "$d/out"
}
refused "unwrap, a FIFO" 'w' "$UNWRAP" "$d/fifo" -
refused "unwrap, a FIFO at the prompt" 'w\n' "$UNWRAP" "$d/fifo"
refused "insert, a FIFO" 'w' "$INSERT" "$d/fifo" -
refused "rewrap, a FIFO" 'w\nn' "$REWRAP" "$d/fifo" -
refused "unwrap, a directory" 'w' "$UNWRAP" "$d/dir" -
refused "unwrap, a character device" 'w' "$UNWRAP" /dev/null -
is "$(head -n 1 "$d/err")" 'Error: Unwrapping passphrase failed [-22]' \
	"the reference's error line comes first"
check "the FIFO is still a FIFO" test -p "$d/fifo"

printf 'the mount pass\nthe wrap' | "$WRAP" "$d/real" -
ln -s real "$d/link"
is "$(printf 'the wrap' | timeout 10 "$UNWRAP" "$d/link" -)" "the mount pass" "a symlink to a regular file unwraps"
tap_done
