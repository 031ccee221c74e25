#!/bin/bash
# ecryptfs-add-passphrase: the worked vectors of doc/format.md §9.4, the
# token layout of doc/format.md §9.3, the rc-file salt, idempotence, argument
# handling.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/lib/reference.sh"
ADD=$(prog ecryptfs-add-passphrase)
u=$(tu_create) || exit 1
home=$(tu_home "$u")

line() { printf 'Inserted auth tok with sig [%s] into the user session keyring' "$1"; }

# vector: PASSPHRASE SALT-HEX-OR-EMPTY SIG
vector() {
	if [ -n "$2" ]; then echo "salt=$2" >"$home/.ecryptfsrc"; else rm -f "$home/.ecryptfsrc"; fi
	kr_clear "$u"
	out=$(printf '%s' "$1" | as_user "$u" "$ADD" -)
	is "$out" "$(line "$3")" "sig of '$1' with salt ${2:-default}"
	is "$(kr_sigs "$u")" "$3" "key $3 is in @u"
}
vector foo "" 253ca7e88811d184
vector a aaaaaaaaaaaaaaaa c42ec75301dc1674
vector ef2fa983a4ecc87b6f48821bd9b36940220345624949e6bf826efd692678d78b fa1507f9913d915b 09582907da54851e
vector "test passphrase" "" 5eca2fbf74604115
vector secret "" 7a1719eb53966dd1
vector "test passphrase" a1b2c3d4e5f60718 16585f12815dd980
# A malformed salt falls back to the default, as in the reference.
vector "test passphrase" a1b2c3 5eca2fbf74604115
rm -f "$home/.ecryptfsrc"

# Token layout: the fekek of "foo" at 648 (after the 20-byte password header).
kr_clear "$u"
printf foo | as_user "$u" "$ADD" - >/dev/null
tok=$(kr_dump "$u" | cut -d' ' -f2)
is "${#tok}" 1480 "payload is 740 bytes"
is "${tok:0:8}" 04000000 "version 0x0004, password token"
is "${tok:1256:40}" 000000000a000000000000004000000002000000 "hash algo 10, iterations 0, 64 key bytes, flags 2"
is "${tok:1296:128}" 3f0cffa9389d2c396ad887c6ec657898e2e9e74cbb3cb1d25d410f58de2aa6b70dd81ccedaf8fad725346d8f751b8fc2c50ad69fba27d1d4fb735f207e76c6e9 "fekek of foo at 648"
is "${tok:1424:34}" "$(printf '253ca7e88811d184\0' | od -An -tx1 | tr -d ' \n')" "sig text and NUL at 712"
is "${tok:1458:16}" 0011223344556677 "salt at 729"

# Adding again: success, no duplicate.
out=$(printf foo | as_user "$u" "$ADD" -)
ok "adding an existing key again succeeds"
is "$(kr_sigs "$u")" 253ca7e88811d184 "no duplicate key"

# --fnek: data key, then the ASCII-salt FNEK; no kernel needed.
kr_clear "$u"
out=$(printf '%s\0' mysecretmountpassphrase0123 | as_user "$u" "$ADD" --fnek -)
is "$out" "$(line 0320d876e390ce01)
$(line 511c924ae091b1b9)" "--fnek prints data sig then FNEK sig (NUL-terminated input)"
is "$(kr_sigs "$u")" "0320d876e390ce01 511c924ae091b1b9" "both keys in @u"
tok=$(kr_dump "$u" | grep '^511c' | cut -d' ' -f2)
is "${tok:1458:16}" 3939383837373636 "FNEK token stores the ASCII salt 99887766"

# Prompt mode reads stdin too, printing the reference's prompt.
kr_clear "$u"
out=$(printf 'foo\n' | as_user "$u" "$ADD")
is "$out" "Passphrase: 
$(line 253ca7e88811d184)" "prompt mode: 'Passphrase: ', newline, result"

# Argument errors exit 1 (the reference exits 0), help exits 0.
as_user "$u" "$ADD" --bogus </dev/null >/dev/null 2>"$TESTTMP/err"
is $? 1 "unknown argument exits 1"
grep -q "^ecryptfs-add-passphrase: unexpected argument '--bogus'" "$TESTTMP/err"
ok "unknown argument is named"
printf foo | as_user "$u" "$ADD" - extra >/dev/null 2>&1
is $? 1 "extra argument exits 1"
out=$(as_user "$u" "$ADD" --help)
ok "--help exits 0"
case $out in Usage:*) true ;; *) false ;; esac
ok "--help prints usage on stdout"
as_user "$u" "$ADD" -h >/dev/null
ok "-h exits 0"
tap_done
