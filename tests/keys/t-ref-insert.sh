#!/bin/bash
# ecryptfs-insert-wrapped-passphrase-into-keyring against the reference:
# the same printed line (data sig only), the same two keys (data key and the
# ASCII-salt FNEK) with byte-identical payloads; the setup-private fixture.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/lib/reference.sh"
ref_fetch || { echo "not ok 1 - fetching the reference"; echo 1..1; exit 1; }
INSERT=$(prog ecryptfs-insert-wrapped-passphrase-into-keyring)
WRAP=$(prog ecryptfs-wrap-passphrase)
u=$(tu_create) || exit 1
home=$(tu_home "$u")
line() { printf 'Inserted auth tok with sig [%s] into the user session keyring' "$1"; }

# RC-CONTENT PASSPHRASE WRAPPING WRITER(ours/ref)
compare() {
	local rc=$1 p=$2 w=$3 writer=$4 o r od rd
	if [ -n "$rc" ]; then echo "$rc" >"$home/.ecryptfsrc"; else rm -f "$home/.ecryptfsrc"; fi
	rm -f "$home/wp"
	if [ "$writer" = ours ]; then
		printf '%s\n%s' "$p" "$w" | as_user "$u" "$WRAP" "$home/wp" -
	else
		printf '%s\n%s' "$p" "$w" | as_user "$u" $(ref_cmd ecryptfs-wrap-passphrase) "$home/wp" -
	fi
	kr_clear "$u"
	o=$(printf '%s' "$w" | as_user "$u" "$INSERT" "$home/wp" - 2>&1)
	od=$(kr_dump "$u")
	kr_clear "$u"
	r=$(printf '%s' "$w" | as_user "$u" $(ref_cmd ecryptfs-insert-wrapped-passphrase-into-keyring) \
		"$home/wp" - 2>&1)
	rd=$(kr_dump "$u")
	is "$o" "$r" "same output: '$p' in a $writer file, rc '$rc'"
	is "$(echo "$od" | wc -l)" 2 "two keys inserted"
	if [ "$od" = "$rd" ]; then is ok ok "same two keys, identical payloads"
	else is "$od" "$rd" "same two keys, identical payloads"; fi
}
compare "" "mysecretmountpassphrase0123" "login pw" ours
compare "" "x" "ü" ref
compare "salt=a1b2c3d4e5f60718" "4ae9cb5bd40905376711af7df93193a5" "Alice login password 2026!" ours
compare "cipher=aes,salt=0123456789abcdef" "päss wörd ✓ with spaces" "w" ref
rm -f "$home/.ecryptfsrc"

# The FNEK vector of doc/format.md §9.4 through insert.
rm -f "$home/wp"
printf 'mysecretmountpassphrase0123\nw' | as_user "$u" "$WRAP" "$home/wp" -
kr_clear "$u"
is "$(printf w | as_user "$u" "$INSERT" "$home/wp" -)" "$(line 0320d876e390ce01)" "prints only the data sig"
is "$(kr_sigs "$u")" "0320d876e390ce01 511c924ae091b1b9" "@u has the data key and the ASCII-salt FNEK"

# Argument forms: prompt (stdin piped) and argv, same result.
kr_clear "$u"
is "$(printf 'w\n' | as_user "$u" "$INSERT" "$home/wp")" "Passphrase: 
$(line 0320d876e390ce01)" "prompt mode"
kr_clear "$u"
is "$(as_user "$u" "$INSERT" "$home/wp" w 2>"$TESTTMP/err")" "$(line 0320d876e390ce01)" "argv mode"
grep -q 'visible to other users' "$TESTTMP/err"
ok "argv mode warns"

# The setup-private-style fixture, through the default file of the passwd home.
tar -xf "$VECTORS/setup-private-style/dot-ecryptfs.tar" -C "$home"
mv "$home/dot-ecryptfs" "$home/.ecryptfs"
chown -R "$u:$u" "$home/.ecryptfs"
sum=$(sha256sum <"$home/.ecryptfs/wrapped-passphrase")
kr_clear "$u"
out=$(printf '%s\0' 'Alice login password 2026!' | as_user "$u" "$INSERT")
is "$out" "Passphrase: 
$(line 922556c260679dc7)" "fixture: default file, prints 922556c260679dc7"
is "$(kr_sigs "$u")" "417c2dc550a14afc 922556c260679dc7" "fixture: both keys in @u"
is "$(kr_sigs "$u" | tr ' ' '\n' | sort | tr '\n' ' ')" \
	"$(sort "$home/.ecryptfs/Private.sig" | tr '\n' ' ')" "fixture: keys match Private.sig"
is "$(printf 'Alice login password 2026!' | as_user "$u" "$(prog ecryptfs-unwrap-passphrase)" \
	"$home/.ecryptfs/wrapped-passphrase" -)" 4ae9cb5bd40905376711af7df93193a5 "fixture: unwraps to the mount passphrase"
is "$(sha256sum <"$home/.ecryptfs/wrapped-passphrase")" "$sum" "fixture: file not rewritten"
tap_done
