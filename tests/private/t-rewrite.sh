#!/bin/bash
# ecryptfs-rewrite-file on ecryptfs-fuse mounts: files written under key A,
# rewritten under the key set (B, A), get B's key packet (ecryptfs-stat),
# read back identical, with their modes and times, and then read under B
# alone, where the files not rewritten do not; a directory, a symlink and a
# name at the 143-byte limit are rewritten; the reference's lines, count and
# exit code; refusals (missing, a FIFO, outside any mount, "."); dots on a
# terminal only.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuse/lib.sh"
RW=$BUILDDIR/src/utils/private/ecryptfs-rewrite-file
FIND=$BUILDDIR/src/utils/private/ecryptfs-find
STAT=$(prog ecryptfs-stat)

PA="rewrite key A $$ $RANDOM"
A=$(efs_addkey "$PA")
B=$(efs_addkey "rewrite key B $$ $RANDOM")
FA=$(efs_addkey --fnek "$PA")
O=ecryptfs_cipher=aes,ecryptfs_key_bytes=16,ecryptfs_fnek_sig=$FA
L=$TESTTMP/lower M=$TESTTMP/mnt
mkdir -p "$L"
check_st "mounts with key A" efs_mount "$L" "$M" "ecryptfs_sig=$A,$O" || { tap_done; exit; }
LONG=$(printf 'n%.0s' $(seq 143))
head -c 300000 /dev/urandom >"$M/big" && echo small >"$M/small" && : >"$M/empty" &&
	echo kept >"$M/kept" && mkdir "$M/dir" && echo inside >"$M/dir/in" &&
	ln -s small "$M/link" && echo long >"$M/$LONG" && mkfifo "$M/fifo" &&
	chmod 640 "$M/small" && touch -d 2001-02-03T04:05:06 "$M/big" && echo space >"$M/a b"
ok "files written under key A"
(cd "$M" && sha256sum big small empty kept dir/in "$LONG" "a b") >"$TESTTMP/sums"
ok "their sums"
# sigs FILE: the key signatures of FILE's lower file.
sigs() {
	local lf
	lf=$("$FIND" "$1") && [ -n "$lf" ] || { echo "no lower file for $1"; return; }
	"$STAT" "$lf" | sed -n 's/^Key signature: \[\([0-9a-f]*\)\].*/\1/p' | tr '\n' ' '
}
is "$(sigs "$M/big")" "$A " "before: only key A's packet"
check "unmounts" efs_umount "$M"

check_st "mounts with the key set (B, A)" efs_mount "$L" "$M" "ecryptfs_sig=$B,ecryptfs_sig=$A,$O" || { tap_done; exit; }
(cd "$M" && "$RW" big small empty link dir "$LONG" "a b") >"$TESTTMP/rw.out" 2>"$TESTTMP/rw.err"
is $? 0 "seven rewrites: exit 0"
cat >"$TESTTMP/rw.want" <<OUT
INFO: Rewriting [1/7] [big] ... [OK]
INFO: Rewriting [2/7] [small] ... [OK]
INFO: Rewriting [3/7] [empty] ... [OK]
INFO: Rewriting [4/7] [link] ... [OK]
INFO: Rewriting [5/7] [dir] ... [OK]
INFO: Rewriting [6/7] [$LONG] ... [OK]
INFO: Rewriting [7/7] [a b] ... [OK]
7/7 rewrites succeeded
OUT
diff -u "$TESTTMP/rw.want" "$TESTTMP/rw.out"; ok "the reference's lines and count"
is "$(cat "$TESTTMP/rw.err")" "" "nothing on stderr"
is "$(sigs "$M/big")" "$B $A " "after: key B's packet first, then A's"
is "$(sigs "$M/$LONG")" "$B $A " "  the 143-byte name too"
is "$(sigs "$M/kept")" "$A " "a file not rewritten keeps only A's"
(cd "$M" && sha256sum -c --quiet "$TESTTMP/sums"); ok "every file reads back identical"
is "$(stat -c %a "$M/small")" 640 "the mode is kept"
is "$(stat -c %y "$M/big" | cut -c1-19)" "2001-02-03 04:05:06" "the mtime is kept"
is "$(readlink "$M/link")" small "the symlink's target is kept"
is "$(ls -A "$M" | grep -c '^\.ecryptfs-rewrite')" 0 "no temporary name left"
check "unmounts" efs_umount "$M"

# Key A out of the keyring, where a daemon (or the kernel) would find it.
check "key A leaves the keyring" keyctl unlink "$(keyctl search @u user "$A")" @u
check_st "mounts with key B alone" efs_mount "$L" "$M" "ecryptfs_sig=$B,$O" || { tap_done; exit; }
(cd "$M" && sha256sum -c --quiet "$TESTTMP/sums") >"$TESTTMP/b.out" 2>&1
grep -q '^kept: FAILED' "$TESTTMP/b.out"; ok "under B alone the file not rewritten does not read"
# As in the reference, a directory's rewrite is its name's: dir/in was not.
grep -q '^dir/in: FAILED' "$TESTTMP/b.out"; ok "  nor the file in the rewritten directory"
grep -v '^kept: \|^dir/in: \|sha256sum: ' "$TESTTMP/b.out" >"$TESTTMP/b.others"
is "$(cat "$TESTTMP/b.others")" "" "  every rewritten file does, identical"
check "unmounts" efs_umount "$M"

# Refusals, in one run: the count and exit code of the reference.
is "$(efs_addkey "$PA")" "$A" "key A back in the keyring"
check_st "mounts with (B, A) again" efs_mount "$L" "$M" "ecryptfs_sig=$B,ecryptfs_sig=$A,$O" || { tap_done; exit; }
echo out >"$TESTTMP/outside"
LK=$("$FIND" "$M/kept")
(cd "$M" && "$RW" missing fifo "$TESTTMP/outside" "$LK" . kept) >"$TESTTMP/f.out" 2>"$TESTTMP/f.err"
is $? 1 "failures: exit 1"
cat >"$TESTTMP/f.want" <<OUT
INFO: Rewriting [1/6] [missing] ... [FAILED]
INFO: Rewriting [2/6] [fifo] ... [FAILED]
INFO: Rewriting [3/6] [$TESTTMP/outside] ... [FAILED]
INFO: Rewriting [4/6] [$LK] ... [FAILED]
INFO: Rewriting [5/6] [.] ... INFO: Rewriting [6/6] [kept] ... [OK]
1/6 rewrites succeeded
OUT
diff -u "$TESTTMP/f.want" "$TESTTMP/f.out"; ok "[FAILED] for each, . excluded, 1/6 succeeded"
cat >"$TESTTMP/f.ewant" <<OUT
ERROR: File does not exist
ERROR: Not a regular file, directory or symlink: [fifo]
ERROR: Not in a mounted eCryptfs: [$TESTTMP/outside]
ERROR: Not in a mounted eCryptfs: [$LK]
[EXCLUDED]
OUT
diff -u "$TESTTMP/f.ewant" "$TESTTMP/f.err"; ok "  the reasons on stderr"
test -p "$M/fifo"; ok "the FIFO is untouched"
is "$(sigs "$M/kept")" "$B $A " "the last one was rewritten"

# Progress dots: a copy slowed by a cp that waits 1.5 s first.
mkdir -p "$TESTTMP/slow"
printf '#!/bin/sh\nsleep 1.5\nexec cp "$@"\n' >"$TESTTMP/slow/cp"
sed -i "s|exec cp|exec $(command -v cp)|" "$TESTTMP/slow/cp"
chmod 755 "$TESTTMP/slow/cp"
PATH=$TESTTMP/slow:$PATH script -qec "cd '$M' && '$RW' big" /dev/null >"$TESTTMP/tty.out" 2>&1
is $? 0 "on a terminal: exit 0"
grep -q '^INFO: Rewriting \[1/1\] \[big\] \.\.\. \.\.*\[OK\]' "$TESTTMP/tty.out"; ok "dots while the copy runs"
(cd "$M" && PATH=$TESTTMP/slow:$PATH "$RW" big) >"$TESTTMP/pipe.out" 2>&1
is "$(head -n1 "$TESTTMP/pipe.out")" "INFO: Rewriting [1/1] [big] ... [OK]" "piped: no dots"
(cd "$M" && sha256sum -c --quiet "$TESTTMP/sums"); ok "still identical"

# Usage.
timeout 10 "$RW" --bogus "$M/big" >"$TESTTMP/u.out" 2>&1
is $? 1 "an unknown option: exit 1"
grep -qxF 'Usage: ecryptfs-rewrite-file [--] FILE...' "$TESTTMP/u.out"; ok "  with the usage"
timeout 10 "$RW" >"$TESTTMP/n.out" 2>&1
is $? 1 "no name: exit 1"
timeout 10 "$RW" --help >"$TESTTMP/h.out" 2>&1
is $? 0 "--help: exit 0"
grep -qF 'Usage: ecryptfs-rewrite-file' "$TESTTMP/h.out"; ok "  the usage"
echo dash >"$M/-x"
(cd "$M" && "$RW" -- -x) >"$TESTTMP/dd.out" 2>&1
is "$(tail -n1 "$TESTTMP/dd.out")" "1/1 rewrites succeeded" "-- before a name beginning with -"
check "unmounts" efs_umount "$M"
tap_done
