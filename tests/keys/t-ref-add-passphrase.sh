#!/bin/bash
# ecryptfs-add-passphrase against the reference (Debian ecryptfs-utils 111):
# for generated passphrases (1 and 64 bytes, UTF-8, spaces, punctuation) and
# several ~/.ecryptfsrc salts, the printed sigs and the keyring payloads
# (keyctl pipe) must be identical, with and without --fnek.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/lib/reference.sh"
ref_fetch || { echo "not ok 1 - fetching the reference"; echo 1..1; exit 1; }
ADD=$(prog ecryptfs-add-passphrase)
u=$(tu_create) || exit 1
home=$(tu_home "$u")

pw=(
	"x"
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	"éééééééééééééééééééééééééééééééé"
	"with spaces  inside"
	" leading and trailing "
	'!"#$%&'\''()*+,-./:;<=>?@[\]^_`{|}~'
	"päss wörd ✓"
	"日本語のパスフレーズ"
	"🔐🔑 key"
	"tab	inside"
	"exactly16bytes!!"
	"fifteen bytes.."
	"seventeen bytes.."
	"4ae9cb5bd40905376711af7df93193a5"
	"012345678901234567890123456789012345678901234567890123456789012"
	"key=value,with,commas=and=equals"
)
# Random printable passphrases of random lengths up to 64 bytes.
while [ ${#pw[@]} -lt 22 ]; do
	n=$(( $(od -An -N1 -tu1 /dev/urandom) % 64 + 1 ))
	pw+=("$(LC_ALL=C tr -dc '[:graph:] ' </dev/urandom | head -c "$n")")
done
diag "${#pw[@]} passphrases"

set_rc() { if [ -n "$1" ]; then printf '%b' "$1" >"$home/.ecryptfsrc"; else rm -f "$home/.ecryptfsrc"; fi; }

# compare RC-CONTENT FNEK(0/1) PASSPHRASE
compare() {
	local rc=$1 fnek=$2 p=$3 o r od rd opt=
	set_rc "$rc"
	[ "$fnek" = 1 ] && opt=--fnek
	kr_clear "$u"
	o=$(printf '%s' "$p" | as_user "$u" "$ADD" $opt - 2>&1)
	od=$(kr_dump "$u")
	kr_clear "$u"
	r=$(printf '%s' "$p" | as_user_fnek "$u" $(ref_cmd ecryptfs-add-passphrase) $opt - 2>&1)
	rd=$(kr_dump "$u")
	local what="'$p' (${#p} chars), rc '${rc//\\n/|}'${opt:+, $opt}"
	if [ "$o" = "$r" ] && [ "$od" = "$rd" ] && [ -n "$od" ]; then
		is ok ok "same sigs and payloads: $what"
	else
		# Both adding nothing is no agreement: the keyring must hold a key.
		is "$o // ${od:-(no key in @u)}" "$r // $rd" "same sigs and payloads: $what"
	fi
}

for p in "${pw[@]}"; do compare "" 1 "$p"; done
for p in "${pw[@]}"; do compare 'salt=a1b2c3d4e5f60718\n' 1 "$p"; done
for p in "${pw[@]:0:6}"; do
	compare 'key=passphrase\ncipher=aes\nsalt=0123456789abcdef\nverbosity=0\n' 0 "$p"
	compare 'salt=5A175A175A175A17' 0 "$p"
	compare 'salt=not-hex-at-all' 0 "$p"
done
# The worked vector with an rc salt, against the table (both implementations agree above).
set_rc 'salt=a1b2c3d4e5f60718\n'
kr_clear "$u"
out=$(printf 'test passphrase' | as_user "$u" "$ADD" -)
is "$out" "Inserted auth tok with sig [16585f12815dd980] into the user session keyring" \
	"test passphrase with salt a1b2c3d4e5f60718"
tap_done
