#!/bin/bash
# Hostile and damaged lower trees: every bad entry (corrupt, truncated,
# foreign, zero-length, no key, undecodable names, names that would leave
# their directory, a symlink planted to redirect a write) gets its own error
# line naming it, everything else is still recovered, nothing outside OUT is
# touched, and the exit status is 1.  Also ecryptfs-encrypt's per-entry
# errors (names over 143 bytes, symlink targets over the lower limit).
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/offline/offline-lib.sh"

P=$TESTTMP/plain L=$TESTTMP/lower O=$TESTTMP/work/out
mkdir -p "$P/dir" "$P/undecodable-dir" "$TESTTMP/work"
printf 'pass for bad input\n' >"$TESTTMP/pass"
printf 'someone else\n' >"$TESTTMP/other"
for f in good1 good2 dir/good3 corrupt truncated foreign2 zero hostile-src evil-src \
	undecodable-dir/inside; do
	head -c 10000 /dev/urandom >"$P/$f"
done
printf 'do not touch\n' >"$TESTTMP/victim"
ln -s "$TESTTMP/victim" "$P/evil"
ln -s .. "$P/t-dotdot"
ln -s a/b "$P/t-slash"
ln -s . "$P/t-dot"
"$ENCRYPT" --passphrase-file "$TESTTMP/pass" --fnek -v "$P" "$L" >"$TESTTMP/map" 2>"$TESTTMP/err"
ok "encrypt the tree (exit 0)"
lower_of() {	# plain path relative to P -> lower path relative to L
	grep -F -- "$P/$1 -> " "$TESTTMP/map" | sed 's/.* -> //'
}
for f in good1 corrupt truncated zero evil t-dotdot undecodable-dir/inside; do
	[ -n "$(lower_of "$f")" ] || echo "# no lower name for $f"
done

# Damage.
printf '\x07' | dd of="$L/$(lower_of corrupt)" bs=1 seek=28 conv=notrunc status=none
truncate -s 12288 "$L/$(lower_of truncated)"
printf 'just some text\n' >"$L/$(lower_of foreign2)"
: >"$L/$(lower_of zero)"
printf 'plain foreign file\n' >"$L/foreign.txt"
# Names: garbage, the prefix alone, a cut encoding, other spellings of good1's
# name (characters appended, a fill bit set: they would decode to "good1"
# but are not what encrypting it gives), and names that decrypt to "..", "."
# and "a/b" (made from the encrypted symlink targets).
cp "$L/$(lower_of good1)" "$L/ECRYPTFS_FNEK_ENCRYPTED.garbage!!"
cp "$L/$(lower_of good1)" "$L/ECRYPTFS_FNEK_ENCRYPTED."
cut=$(lower_of good2)
cp "$L/$(lower_of good1)" "$L/${cut:0:60}"
g1=$(lower_of good1)
case $g1 in *--) g1fill=${g1%?}. ;; *) g1fill= ;; esac	# 5 bytes: the last 2 characters only fill
cp "$L/$(lower_of good2)" "$L/${g1}zz"
cp "$L/$(lower_of good2)" "$L/$g1fill"
for t in t-dotdot t-dot t-slash; do
	cp "$L/$(lower_of good1)" "$L/$(readlink "$L/$(lower_of "$t")")"
	rm "$L/$(lower_of "$t")"
done
ud=$(dirname "$(lower_of undecodable-dir/inside)")
mv "$L/$ud" "$L/ECRYPTFS_FNEK_ENCRYPTED.not-a-dir-name"
# A plain-named lower file "evil" after the encrypted symlink "evil": the
# write must not follow that symlink to the victim.
cp "$L/$(lower_of good1)" "$L/evil"
# A symlink with an undecodable target.
ln -s "ECRYPTFS_FNEK_ENCRYPTED.zzz" "$L/link-with-plain-name"
# Keys we do not have: a file and a name of another passphrase.
mkdir -p "$TESTTMP/p2" && head -c 100 /dev/urandom >"$TESTTMP/p2/theirs"
"$ENCRYPT" --passphrase-file "$TESTTMP/other" "$TESTTMP/p2" "$TESTTMP/l2" 2>/dev/null
cp "$TESTTMP/l2/theirs" "$L/otherkey.bin"
"$ENCRYPT" --passphrase-file "$TESTTMP/other" --fnek "$TESTTMP/p2" "$TESTTMP/l3" 2>/dev/null
cp "$TESTTMP/l3"/ECRYPTFS_FNEK_ENCRYPTED.* "$L/"

"$DECRYPT" --passphrase-file "$TESTTMP/pass" "$L" "$O" 2>"$TESTTMP/err"
is "$?" 1 "decrypt of the damaged tree: exit 1"
sed 's/^/#   /' "$TESTTMP/err"
e=$TESTTMP/err
check "corrupt header reported" grep -qF "$(lower_of corrupt): corrupt header" "$e"
check "truncated file reported" grep -qF "$(lower_of truncated): truncated lower file" "$e"
check "foreign file with an encrypted name reported" \
	grep -qF "$(lower_of foreign2): not an eCryptfs file" "$e"
check "foreign plain-named file reported" grep -qF "foreign.txt: not an eCryptfs file" "$e"
check "zero-length file reported" \
	grep -qF "$(lower_of zero): empty lower file without an eCryptfs header" "$e"
check "garbage name reported" grep -qF 'ECRYPTFS_FNEK_ENCRYPTED.garbage!!: undecodable' "$e"
check "prefix-only name reported" grep -qE 'ECRYPTFS_FNEK_ENCRYPTED\.: undecodable' "$e"
check "cut name reported" grep -qF "${cut:0:60}: undecodable" "$e"
check "good1's name with zz appended reported" grep -qF "${g1}zz: undecodable" "$e"
check "good1's name with a fill bit set reported" grep -qF "${g1fill:-no such name}: undecodable" "$e"
is "$(grep -c 'would leave its directory' "$e")" 3 "names decrypting to ., .. and a/b are refused"
check "undecodable directory reported and skipped" \
	grep -qF 'ECRYPTFS_FNEK_ENCRYPTED.not-a-dir-name: directory skipped' "$e"
check "undecodable symlink target reported" grep -qF 'link-with-plain-name: undecodable symlink target' "$e"
check "file of another key: no key for its sig" grep -qE 'otherkey.bin: no key for sig [0-9a-f]{16}$' "$e"
check "name of another key: no filename key for its sig" \
	grep -qE ': no filename key for sig [0-9a-f]{16}$' "$e"
check "the planted symlink was not followed" grep -qE '/evil: cannot create evil: File exists' "$e"
is "$(cat "$TESTTMP/victim")" "do not touch" "the victim outside OUT is unchanged"
is "$(readlink "$O/evil")" "$TESTTMP/victim" "the symlink itself is recovered"
for f in good1 good2 dir/good3; do
	check "$f still recovered" cmp "$P/$f" "$O/$f"
done
is "$(ls -A "$TESTTMP/work")" "out" "nothing but OUT appears beside it"
is "$(find "$O" -name '*..*' -o -name 'b' | wc -l)" 0 "no entry named from a hostile name"
is "$(ls -A "$O" | sort | tr '\n' ' ')" "dir evil evil-src good1 good2 hostile-src " \
	"OUT holds exactly the good entries"
check "a summary line counts the failures" grep -qE 'entries could not be recovered' "$e"

# ecryptfs-encrypt: per-entry errors, the rest is written.
mkdir -p "$TESTTMP/p4"
printf 'x\n' >"$TESTTMP/p4/ok-file"
printf 'y\n' >"$TESTTMP/p4/$(printf 'n%.0s' {1..144})"
mkdir "$TESTTMP/p4/$(printf 'd%.0s' {1..150})"
printf 'z\n' >"$TESTTMP/p4/$(printf 'd%.0s' {1..150})/inside"
ln -s "$(printf 'a%.0s' {1..3100})" "$TESTTMP/p4/long-target"
"$ENCRYPT" --passphrase-file "$TESTTMP/pass" --fnek "$TESTTMP/p4" "$TESTTMP/l4" 2>"$TESTTMP/err4"
is "$?" 1 "encrypt with a 144-byte name and a 3100-byte target: exit 1"
sed 's/^/#   /' "$TESTTMP/err4"
check "the long name is reported" grep -qF "$(printf 'n%.0s' {1..144}): cannot encrypt the name: name too long (at most 143 bytes)" "$TESTTMP/err4"
check "the long directory is reported as skipped" grep -qF "directory skipped" "$TESTTMP/err4"
check "the long target is reported" grep -qF "long-target: cannot encrypt the link target: name too long" "$TESTTMP/err4"
"$DECRYPT" --passphrase-file "$TESTTMP/pass" "$TESTTMP/l4" "$TESTTMP/o4" 2>/dev/null
ok "the rest decrypts (exit 0)"
is "$(ls -A "$TESTTMP/o4")" "ok-file" "and holds the file that could be written"
# A tree deeper than the walk goes (OFFLINE_MAX_DEPTH, 400) and symlinks
# that loop: the deep part is reported, the rest is recovered, links are
# never followed.
D=$TESTTMP/deep-lower d=$TESTTMP/deep-lower
for ((i = 0; i < 450; i++)); do d=$d/d; done
mkdir -p "$d" && cp "$L/$(lower_of good1)" "$D/good1"
ln -s loop "$D/loop" && ln -s . "$D/here" && ln -s ../.. "$D/d/up"
# A foreign file whose name would drive the terminal and fake a line.
printf 'x\n' >"$D/esc$(printf '\033')]0;owned$(printf '\a')"
printf 'x\n' >"$D/nl$(printf '\nfake: ')line"
"$DECRYPT" --passphrase-file "$TESTTMP/pass" "$D" "$TESTTMP/deep-out" 2>"$TESTTMP/err5"
is "$?" 1 "a 450-level tree: exit 1"
check "... the level past the limit is reported" grep -qF 'directory tree too deep' "$TESTTMP/err5"
is "$(grep -c 'too deep' "$TESTTMP/err5")" 1 "... once"
check "... the file beside it is recovered" cmp "$P/good1" "$TESTTMP/deep-out/good1"
check "... control characters in a reported name are shown as \\xNN" \
	grep -qF 'esc\x1b]0;owned\x07: not an eCryptfs file' "$TESTTMP/err5"
check "... a newline in a name cannot start a line of its own" \
	grep -qF 'nl\x0afake: line: not an eCryptfs file' "$TESTTMP/err5"
is "$(tr -d -c '\033\007' <"$TESTTMP/err5" | wc -c)" 0 "... no raw control character reaches stderr"
is "$(readlink "$TESTTMP/deep-out/loop") $(readlink "$TESTTMP/deep-out/here") $(readlink "$TESTTMP/deep-out/d/up")" \
	"loop . ../.." "... and the looping symlinks come back as they are"
tap_done
