#!/bin/bash
# Bad input to the passphrase programs: each gets a clear "prog: ...: why"
# line on stderr and a non-zero exit, and no file already on disk changes.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/lib/reference.sh"
ADD=$(prog ecryptfs-add-passphrase)
WRAP=$(prog ecryptfs-wrap-passphrase)
UNWRAP=$(prog ecryptfs-unwrap-passphrase)
REWRAP=$(prog ecryptfs-rewrap-passphrase)
INSERT=$(prog ecryptfs-insert-wrapped-passphrase-into-keyring)
u=$(tu_create) || exit 1
home=$(tu_home "$u")
d=$home/d
as_user "$u" mkdir "$d"
P65=$(printf 'p%.0s' {1..65})
E65="$(printf 'é%.0s' {1..32})x"	# 65 bytes, 33 characters

# bad DESCRIPTION STDIN-TEXT STDERR-REGEX CMD...: non-zero exit, the message.
bad() {
	local desc=$1 in=$2 re=$3; shift 3
	printf '%b' "$in" | as_user "$u" "$@" >"$TESTTMP/out" 2>"$TESTTMP/err"
	local st=$?
	_tap_n=$((_tap_n + 1))
	if [ "$st" -ne 0 ] && [ "$st" -lt 128 ] && grep -Eq "$re" "$TESTTMP/err"; then
		echo "ok $_tap_n - $desc"
	else
		echo "not ok $_tap_n - $desc"
		echo "#   exit $st; stderr:"; sed 's/^/#   | /' "$TESTTMP/err"
		_tap_fail=$((_tap_fail + 1))
	fi
}
sums() { sha256sum "$d"/* 2>/dev/null; stat -c '%n %a %s' "$d"/* 2>/dev/null; }

printf 'the mount pass\nthe wrap' | as_user "$u" "$WRAP" "$d/good" -
head -c 30 "$d/good" >"$d/truncated"
: >"$d/empty"
head -c 26 "$d/good" >"$d/no-ciphertext"
{ printf ':\002'; head -c 40 /dev/urandom; } >"$d/garbled-v2"
head -c 42 /dev/urandom | tr ':' '_' >"$d/garbled"
{ printf 'zz1122334455667z'; head -c 16 /dev/zero; } >"$d/v1-nonhex-sig"
{ head -c 10 "$d/good"; printf 'not-hex-sig!!!!!'; tail -c +27 "$d/good"; } >"$d/v2-nonhex-sig"
{ printf ':\011'; head -c 40 /dev/zero; } >"$d/version9"
chown "$u:$u" "$d"/*
before=$(sums)
kr_clear "$u"

# 65-byte secrets: every program, every way of giving them.
bad "add: 65-byte passphrase" "$P65" "add-passphrase: passphrase: longer than 64 bytes" "$ADD" -
bad "add: 65-byte UTF-8 passphrase (33 characters)" "$E65" "longer than 64 bytes" "$ADD" -
bad "add: 65-byte passphrase at the prompt" "$P65\n" "longer than 64 bytes" "$ADD"
bad "wrap: 65-byte passphrase" "$P65\nw" "wrap-passphrase: passphrase to wrap: longer than 64 bytes" "$WRAP" "$d/new" -
bad "wrap: 65-byte wrapping passphrase" "p\n$P65" "wrapping passphrase: longer than 64 bytes" "$WRAP" "$d/new" -
bad "wrap: 65-byte argv passphrase" "" "longer than 64 bytes" "$WRAP" "$d/new" "$P65" w
bad "wrap: 65-byte passphrase over an existing file" "$P65\nw" "longer than 64 bytes" "$WRAP" "$d/good" -
bad "unwrap: 65-byte wrapping passphrase" "$P65" "longer than 64 bytes" "$UNWRAP" "$d/good" -
bad "rewrap: 65-byte new passphrase" "the wrap\n$P65" "new wrapping passphrase: longer than 64 bytes" "$REWRAP" "$d/good" -
bad "rewrap: 65-byte argv new passphrase" "" "longer than 64 bytes" "$REWRAP" "$d/good" "the wrap" "$P65"
bad "insert: 65-byte wrapping passphrase" "$P65" "longer than 64 bytes" "$INSERT" "$d/good" -
grep -q 'Passphrase is too long. Use at most 64 characters long passphrase.' "$TESTTMP/err"
ok "the reference's too-long line is printed too"

# Wrong wrapping passphrase.
bad "unwrap: wrong wrapping passphrase" "wrong" "unwrap-passphrase: .*good: wrong wrapping passphrase" "$UNWRAP" "$d/good" -
grep -qx 'Error: Unwrapping passphrase failed \[-5\]' "$TESTTMP/err" &&
	grep -qx 'Info: Check the system log for more information from libecryptfs' "$TESTTMP/err"
ok "unwrap: the reference's [-5] and Info lines"
[ ! -s "$TESTTMP/out" ]
ok "unwrap: nothing on stdout after a wrong passphrase"
bad "rewrap: wrong old passphrase" "wrong\nnew" "rewrap-passphrase: .*good: wrong wrapping passphrase" "$REWRAP" "$d/good" -
grep -qx 'Error: Unwrapping passphrase failed \[-5\]' "$TESTTMP/err"
ok "rewrap: the reference's [-5] line"
bad "insert: wrong wrapping passphrase" "wrong" "insert-wrapped-passphrase-into-keyring: .*good: wrong wrapping passphrase" "$INSERT" "$d/good" -
grep -qx 'Error: Unwrapping passphrase and inserting into the user session keyring failed \[-5\]' "$TESTTMP/err"
ok "insert: the reference's [-5] line"
is "$(kr_sigs "$u")" "" "no key added by any failure so far"

# Truncated, empty, garbled, non-hex signatures, unknown version.
bad "unwrap: empty file says so" "x" "unwrap-passphrase: .*/empty: empty file" "$UNWRAP" "$d/empty" -
for f in truncated empty no-ciphertext garbled-v2 garbled v1-nonhex-sig v2-nonhex-sig version9; do
	bad "unwrap: $f file" "the wrap" "unwrap-passphrase: .*$f: " "$UNWRAP" "$d/$f" -
	bad "insert: $f file" "the wrap" "into-keyring: .*$f: " "$INSERT" "$d/$f" -
	bad "rewrap: $f file" "the wrap\nnew" "rewrap-passphrase: .*$f: " "$REWRAP" "$d/$f" -
done
# v3 tells a wrong passphrase from a damaged file.
printf 'v3 pass\nv3 wrap' | as_user "$u" "$WRAP" --v3 "$d/v3" -
cp "$d/v3" "$d/v3-tampered"
sz=$(stat -c %s "$d/v3")
printf '\xff' | dd of="$d/v3-tampered" bs=1 seek=$((sz - 3)) conv=notrunc status=none
chown "$u:$u" "$d/v3-tampered"
v3sums=$(sha256sum "$d/v3" "$d/v3-tampered")
bad "unwrap: v3 with a wrong passphrase" "wrong" "unwrap-passphrase: .*v3: wrong wrapping passphrase" "$UNWRAP" "$d/v3" -
bad "unwrap: tampered v3" "v3 wrap" "unwrap-passphrase: .*v3-tampered: truncated or corrupt" "$UNWRAP" "$d/v3-tampered" -
bad "rewrap: tampered v3" "v3 wrap\nnew" "rewrap-passphrase: .*v3-tampered: truncated or corrupt" "$REWRAP" "$d/v3-tampered" -
bad "insert: tampered v3" "v3 wrap" "into-keyring: .*v3-tampered: truncated or corrupt" "$INSERT" "$d/v3-tampered" -
is "$(sha256sum "$d/v3" "$d/v3-tampered")" "$v3sums" "v3 files unchanged"
rm -f "$d/v3" "$d/v3-tampered"

bad "unwrap: missing file, before any prompt" "" "unwrap-passphrase: .*missing: No such file" "$UNWRAP" "$d/missing"
[ ! -s "$TESTTMP/out" ]
ok "unwrap: no prompt for a missing file"

# Empty stdin.
bad "add: empty stdin" "" "passphrase: no input" "$ADD" -
bad "wrap: empty stdin" "" "passphrase to wrap: no input" "$WRAP" "$d/new" -
bad "wrap: stdin without the wrapping passphrase" "p\n" "wrapping passphrase: (no input|empty)" "$WRAP" "$d/new" -
bad "unwrap: empty stdin" "" "no input" "$UNWRAP" "$d/good" -
bad "rewrap: empty stdin" "" "old wrapping passphrase: no input" "$REWRAP" "$d/good" -
bad "rewrap: stdin without the new passphrase" "the wrap\n" "new wrapping passphrase: (no input|empty)" "$REWRAP" "$d/good" -
bad "insert: empty stdin" "" "no input" "$INSERT" "$d/good" -
bad "add: empty line" "\n" "passphrase: empty" "$ADD" -
bad "rewrap: new passphrases differ at the prompt" "the wrap\nnew1\nnew2\n" \
	"rewrap-passphrase: the new wrapping passphrases do not match" "$REWRAP" "$d/good"
grep -qx 'New wrapping passphrases do not match' "$TESTTMP/err"
ok "rewrap: the reference's mismatch line"

# Wrong arguments.
bad "wrap: unknown option" "" "unknown option '--v4'" "$WRAP" --v4 "$d/new" -
bad "rewrap: too many arguments" "" "wrong arguments" "$REWRAP" "$d/good" a b c
bad "unwrap: too many arguments" "" "wrong arguments" "$UNWRAP" "$d/good" a b
bad "insert: option-like file name" "" "wrong arguments" "$INSERT" --bogus
for p in "$ADD" "$WRAP" "$UNWRAP" "$REWRAP" "$INSERT"; do
	n=${p##*/}
	as_user "$u" "$p" --help </dev/null >"$TESTTMP/out" 2>&1
	ok "$n --help exits 0"
	grep -q '^Usage:' "$TESTTMP/out"
	ok "$n --help prints usage"
done

is "$(sums)" "$before" "no file changed by any of the failures above"
[ ! -e "$d/new" ]
ok "no file created by a failed wrap"
is "$(kr_sigs "$u")" "" "no key added by any failure"

# Unwritable directory: the write fails, the old file survives (as the user,
# since root ignores permissions).
chmod 555 "$d"
bad "wrap into an unwritable directory" "p\nw" "wrap-passphrase: writing .*good: Permission denied" "$WRAP" "$d/good" -
grep -qx 'Error: Wrapping passphrase failed \[-13\]' "$TESTTMP/err"
ok "wrap: the reference's [-13] line"
bad "rewrap in an unwritable directory" "the wrap\nnew" "rewrap-passphrase: writing .*good: Permission denied" "$REWRAP" "$d/good" -
chmod 755 "$d"
is "$(sums)" "$before" "the old files survive in the unwritable directory"
is "$(printf 'the wrap' | as_user "$u" "$UNWRAP" "$d/good" -)" "the mount pass" "and still unwrap"

# A write that fails after its temporary FILE-XXXXXX was made and written
# (the target is a directory, so the final rename fails): the temporary file
# goes too.  (In the unwritable directory above none can be made at all.)
as_user "$u" mkdir -p "$home/t/target"
as_user "$u" touch "$home/t/target/inside"
bad "wrap onto a directory" "p\nw" "wrap-passphrase: writing .*target: Is a directory" "$WRAP" "$home/t/target" -
is "$(ls -A "$home/t")" "target" "no temporary file left behind"

# The keyring probe itself: a key added here shows (so the empty answers
# above mean no key, not a probe that sees nothing).
printf foo | as_user "$u" "$ADD" - >/dev/null
is "$(kr_sigs "$u")" 253ca7e88811d184 "control: kr_sigs sees a key that was added"
kr_clear "$u"
tap_done
