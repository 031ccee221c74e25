#!/bin/bash
# The progress line of ecryptfs-decrypt (src/utils/common/progress.c): on a
# terminal (script(1) gives one) the entries, bytes, rate and time left,
# redrawn at most four times a second and ended by a newline, error
# messages on lines of their own; nothing when standard error is a pipe or
# a file, nor with -v on the terminal; ecryptfs-encrypt has the same line.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/offline/offline-lib.sh"
echo "progress test passphrase" >"$TESTTMP/pw"
# 1200 files of 1..64 KiB in 12 directories, a symlink: enough for a few redraws.
python3 - "$TESTTMP/plain" <<'PY'
import os, sys, random
root = sys.argv[1]
r = random.Random(7)
for d in range(12):
    os.makedirs(f"{root}/d{d}")
    for i in range(100):
        with open(f"{root}/d{d}/f{i}", "wb") as f:
            f.write(os.urandom(r.randint(1, 64) * 1024))
os.symlink("d0/f0", f"{root}/link")
PY
ok "a plain tree of 1200 files"
"$ENCRYPT" --passphrase-file "$TESTTMP/pw" "$TESTTMP/plain" "$TESTTMP/lower" >/dev/null 2>"$TESTTMP/enc.err"
ok "encrypted (output to a file)"
is "$(cat "$TESTTMP/enc.err")" "" "  no progress in a file"
N=$(find "$TESTTMP/lower" -mindepth 1 | wc -l)
is "$N" 1213 "1213 lower entries"

# A run on a terminal: stdin, stdout and stderr are script's pty.
t0=$(date +%s.%N)
script -qec "'$DECRYPT' --passphrase-file '$TESTTMP/pw' '$TESTTMP/lower' '$TESTTMP/out'" /dev/null \
	</dev/null >"$TESTTMP/tty.out" 2>&1
is $? 0 "on a terminal: exit 0"
t1=$(date +%s.%N)
check "the tree decrypts exactly" same_tree "$TESTTMP/plain" "$TESTTMP/out"
grep -aq $'\r'"$N/$N files, [0-9.]* [KMG]*i*B/[0-9.]* [KMG]*i*B, [0-9.]* [KMG]*i*B/s, 0:00 left"$'\e\\[K\r$' "$TESTTMP/tty.out"
ok "the last line: every entry, the bytes, the rate, no time left, then a newline"
draws=$(grep -ao $'\r''[0-9]*/[0-9]* files, ' "$TESTTMP/tty.out" | wc -l)
max=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%d", (b - a) * 4 + 2}')
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')
test "$draws" -ge 1 && test "$draws" -le "$max"; ok "$draws redraws in $secs s: at most four a second"

# Not a terminal: nothing but what was asked for.
"$DECRYPT" --passphrase-file "$TESTTMP/pw" "$TESTTMP/lower" "$TESTTMP/out2" >"$TESTTMP/p.out" 2>"$TESTTMP/p.err"
is $? 0 "stderr to a file: exit 0"
is "$(cat "$TESTTMP/p.err" "$TESTTMP/p.out")" "" "  nothing printed"
"$DECRYPT" --passphrase-file "$TESTTMP/pw" "$TESTTMP/lower" "$TESTTMP/out3" 2>&1 | cat >"$TESTTMP/pipe.out"
is "$(cat "$TESTTMP/pipe.out")" "" "stderr to a pipe: nothing printed"
# -v on the terminal: the list, no progress line among it.
script -qec "'$DECRYPT' -v --passphrase-file '$TESTTMP/pw' '$TESTTMP/lower' '$TESTTMP/out4'" /dev/null \
	</dev/null >"$TESTTMP/v.out" 2>&1
is "$(grep -c ' -> ' "$TESTTMP/v.out")" "$N" "-v on a terminal: every entry listed"
grep -aq ' files, ' "$TESTTMP/v.out"; test $? -ne 0; ok "  and no progress line"

# An error during the run: its message starts a line, the count goes on.
cp -a "$TESTTMP/lower" "$TESTTMP/lower-bad"
bad=$(find "$TESTTMP/lower-bad" -type f | head -n1)
head -c 100 /dev/zero >"$bad"
script -qec "'$DECRYPT' --passphrase-file '$TESTTMP/pw' '$TESTTMP/lower-bad' '$TESTTMP/out5'" /dev/null \
	</dev/null >"$TESTTMP/bad.out" 2>&1
is $? 1 "one bad file on a terminal: exit 1"
python3 - "$TESTTMP/bad.out" <<'PY'
import sys
s = open(sys.argv[1], "rb").read()
i = s.find(b"ecryptfs-decrypt: ")
ok = i >= 0 and (i == 0 or s[:i].endswith(b"\r\x1b[K") or s[:i].endswith(b"\n"))
sys.exit(0 if ok else 1)
PY
ok "  the error message on a line of its own"
grep -aq $'\r'"$N/$N files, " "$TESTTMP/bad.out"; ok "  the failed entry counted among those done"

# ecryptfs-encrypt: the same line.
script -qec "'$ENCRYPT' --passphrase-file '$TESTTMP/pw' '$TESTTMP/plain' '$TESTTMP/lower2'" /dev/null \
	</dev/null >"$TESTTMP/enc.out" 2>&1
grep -aq $'\r'"$N/$N files, " "$TESTTMP/enc.out"; ok "ecryptfs-encrypt on a terminal: the progress line"
tap_done
