#!/bin/bash
# Wrapped passphrases against the reference (Debian ecryptfs-utils 111):
# v2 files cross both ways, v1 fixtures read by both, rewrap by ours read by
# the reference, our v3 refused cleanly by the reference, argv-mode parity,
# and the v2 layout checked independently (python3 hashlib + openssl).
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/lib/reference.sh"
ref_fetch || { echo "not ok 1 - fetching the reference"; echo 1..1; exit 1; }
WRAP=$(prog ecryptfs-wrap-passphrase)
UNWRAP=$(prog ecryptfs-unwrap-passphrase)
REWRAP=$(prog ecryptfs-rewrap-passphrase)
u=$(tu_create) || exit 1
home=$(tu_home "$u")
d=$home/w
as_user "$u" mkdir "$d"

kdf() {	# SALT_HEX PASSPHRASE -> "KEK_HEX SIG_HEX", independently of our library
	python3 - "$1" "$2" <<'PY'
import hashlib, sys
h = bytes.fromhex(sys.argv[1]) + sys.argv[2].encode()
for _ in range(65536):
    h = hashlib.sha512(h).digest()
print(h.hex(), hashlib.sha512(h).digest()[:8].hex())
PY
}

# --- v2 both ways -----------------------------------------------------------
# PASSPHRASE WRAPPING-PASSPHRASE
pairs=(
	"x" "w"
	"fifteen bytes.." "Wrapping pass"
	"exactly16bytes!!" "ü"
	"seventeen bytes.." "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
	"4ae9cb5bd40905376711af7df93193a5" "Alice login password 2026!"
	"012345678901234567890123456789012345678901234567890123456789012" "éééééééééééééééééééééééééééééé€!"
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" "a"
	"päss wörd ✓ 日本語" "!\"#\$%&'()*+,-./:;<=>?@[\\]^_\`{|}~"
)
for ((i = 0; i < ${#pairs[@]}; i += 2)); do
	p=${pairs[i]} w=${pairs[i+1]}
	rm -f "$d/o" "$d/r"
	printf '%s\n%s' "$p" "$w" | as_user "$u" "$WRAP" "$d/o" -
	ok "ours wraps '$p' (${#p} chars) under '$w' (${#w} chars)"
	is "$(printf '%s' "$w" | as_user "$u" $(ref_cmd ecryptfs-unwrap-passphrase) "$d/o" -)" "$p" \
		"reference unwraps ours"
	printf '%s\n%s' "$p" "$w" | as_user "$u" $(ref_cmd ecryptfs-wrap-passphrase) "$d/r" -
	is "$(printf '%s' "$w" | as_user "$u" "$UNWRAP" "$d/r" -)" "$p" "ours unwraps the reference's"
	n=$(printf '%s' "$p" | wc -c)
	is "$(stat -c %s "$d/o")" $((26 + (n + 15) / 16 * 16)) "v2 size is 26 + 16*ceil(len/16)"
done

# --- the v2 layout, decrypted independently ---------------------------------
rm -f "$d/o" "$d/o2"
printf '%s\n%s' "mysecretmountpassphrase0123" "wrap me" | as_user "$u" "$WRAP" "$d/o" -
printf '%s\n%s' "mysecretmountpassphrase0123" "wrap me" | as_user "$u" "$WRAP" "$d/o2" -
is "$(head -c 2 "$d/o" | od -An -tx1 | tr -d ' ')" 3a02 "starts with ':' 0x02"
is "$(stat -c %a "$d/o")" 600 "mode 0600"
cmp -s "$d/o" "$d/o2"
is $? 1 "two wraps differ (random salt)"
salt=$(tail -c +3 "$d/o" | head -c 8 | od -An -tx1 | tr -d ' \n')
read -r kek sig < <(kdf "$salt" "wrap me")
is "$(tail -c +11 "$d/o" | head -c 16)" "$sig" "stored sig = sig(wrapping passphrase, file salt)"
plain=$(tail -c +27 "$d/o" | openssl enc -d -aes-128-ecb -nopad -K "${kek:0:32}" | tr -d '\0')
is "$plain" mysecretmountpassphrase0123 "AES-128-ECB with the first 16 KEK bytes, NUL padding"

# --- argv modes: same results, plus a warning -------------------------------
rm -f "$d/a"
as_user "$u" "$WRAP" "$d/a" "argv pass" "argv wrap" 2>"$TESTTMP/err"
ok "wrap FILE PASSPHRASE WRAPPING works"
grep -q 'visible to other users' "$TESTTMP/err"
ok "wrap argv mode warns that the secrets are visible"
is "$(printf 'argv wrap' | as_user "$u" $(ref_cmd ecryptfs-unwrap-passphrase) "$d/a" -)" "argv pass" \
	"reference unwraps the argv-mode file"
is "$(as_user "$u" "$UNWRAP" "$d/a" "argv wrap" 2>"$TESTTMP/err")" "argv pass" "unwrap FILE WRAPPING works"
grep -q 'visible to other users' "$TESTTMP/err"
ok "unwrap argv mode warns"
as_user "$u" "$REWRAP" "$d/a" "argv wrap" "argv new" 2>"$TESTTMP/err"
ok "rewrap FILE OLD NEW works"
grep -q 'visible to other users' "$TESTTMP/err"
ok "rewrap argv mode warns"
is "$(printf 'argv new' | as_user "$u" $(ref_cmd ecryptfs-unwrap-passphrase) "$d/a" -)" "argv pass" \
	"reference unwraps after our argv-mode rewrap"

# --- v1 fixtures (tests/data/keys/make-v1-fixtures.sh) -------------------------
a64=$(printf 'a%.0s' {1..64})
z64=$(printf 'z%.0s' {1..64})
make_v1() {	# FILE PASSPHRASE WRAPPING SALT
	local kek sig padded
	read -r kek sig < <(kdf "$4" "$3")
	padded=$(( (${#2} + 15) / 16 * 16 ))
	{ printf '%s' "$sig"
	  { printf '%s' "$2"; head -c $((padded - ${#2})) /dev/zero; } |
		openssl enc -aes-128-ecb -nopad -K "${kek:0:32}"; } >"$1"
}
v1=(wp01 'This is test #1' 'Wrapping pass' ''
    wp02 "$a64" "$z64" ''
    wp03 "$a64" "$z64" 5a175a175a175a17
    wp04 '!' '*' ''
    wp05 '!' '*' 0123456789abcdef)
for ((i = 0; i < ${#v1[@]}; i += 4)); do
	f=${v1[i]} p=${v1[i+1]} w=${v1[i+2]} s=${v1[i+3]}
	if [ -f "$SRCDIR/tests/data/keys/$f" ]; then
		cp "$SRCDIR/tests/data/keys/$f" "$d/$f"
	else
		make_v1 "$d/$f" "$p" "$w" "${s:-0011223344556677}"
	fi
	chown "$u" "$d/$f"
	if [ -n "$s" ]; then echo "salt=$s" >"$home/.ecryptfsrc"; else rm -f "$home/.ecryptfsrc"; fi
	is "$(printf '%s' "$w" | as_user "$u" "$UNWRAP" "$d/$f" -)" "$p" "ours reads v1 $f"
	is "$(printf '%s' "$w" | as_user "$u" $(ref_cmd ecryptfs-unwrap-passphrase) "$d/$f" -)" "$p" \
		"reference reads v1 $f"
	# v1 -> v2 migration by our rewrap, then read by the reference.
	printf '%s\n%s' "$w" "new $f" | as_user "$u" "$REWRAP" "$d/$f" -
	ok "ours rewraps v1 $f"
	is "$(head -c 2 "$d/$f" | od -An -tx1 | tr -d ' ')" 3a02 "$f is v2 after rewrap"
	is "$(printf '%s' "new $f" | as_user "$u" $(ref_cmd ecryptfs-unwrap-passphrase) "$d/$f" -)" "$p" \
		"reference reads our rewrapped $f"
	printf '%s' "$w" | as_user "$u" "$UNWRAP" "$d/$f" - >/dev/null 2>&1
	is $? 1 "the old wrapping passphrase of $f fails after rewrap"
done
rm -f "$home/.ecryptfsrc"

# --- rewrap of a reference v2 file, read back by the reference --------------
rm -f "$d/r"
printf 'ref mount pass\nold wrap' | as_user "$u" $(ref_cmd ecryptfs-wrap-passphrase) "$d/r" -
printf 'old wrap\nnew wrap' | as_user "$u" "$REWRAP" "$d/r" -
ok "ours rewraps a reference v2 file"
is "$(printf 'new wrap' | as_user "$u" $(ref_cmd ecryptfs-unwrap-passphrase) "$d/r" -)" "ref mount pass" \
	"reference reads it with the new passphrase"
printf 'old wrap' | as_user "$u" $(ref_cmd ecryptfs-unwrap-passphrase) "$d/r" - >/dev/null 2>&1
is $? 1 "reference refuses the old passphrase"

# --- v3: ours only; the reference refuses it cleanly -------------------------
rm -f "$d/v3"
printf 'v3 mount pass\nv3 wrap' | as_user "$u" "$WRAP" --v3 "$d/v3" -
ok "wrap --v3"
is "$(head -c 2 "$d/v3" | od -An -tx1 | tr -d ' ')" 3a03 "v3 file starts with ':' 0x03"
is "$(printf 'v3 wrap' | as_user "$u" "$UNWRAP" "$d/v3" -)" "v3 mount pass" "ours reads v3"
sum=$(sha256sum <"$d/v3")
printf 'v3 wrap' | as_user "$u" $(ref_cmd ecryptfs-unwrap-passphrase) "$d/v3" - >/dev/null 2>"$TESTTMP/err"
is $? 1 "reference unwrap refuses v3 with exit 1 (no crash)"
grep -q 'Unwrapping passphrase failed \[-95\]' "$TESTTMP/err"
ok "reference says ENOTSUP for v3"
printf 'v3 wrap' | as_user "$u" $(ref_cmd ecryptfs-insert-wrapped-passphrase-into-keyring) "$d/v3" - \
	>/dev/null 2>&1
is $? 1 "reference insert refuses v3 with exit 1"
printf 'v3 wrap\nnew' | as_user "$u" $(ref_cmd ecryptfs-rewrap-passphrase) "$d/v3" - >/dev/null 2>&1
is $? 1 "reference rewrap refuses v3 with exit 1"
is "$(sha256sum <"$d/v3")" "$sum" "v3 file untouched by the reference"
printf 'v3 wrap\nv3 new' | as_user "$u" "$REWRAP" "$d/v3" -
is "$(head -c 2 "$d/v3" | od -An -tx1 | tr -d ' ')" 3a03 "rewrap keeps v3 as v3"
is "$(printf 'v3 new' | as_user "$u" "$UNWRAP" "$d/v3" -)" "v3 mount pass" "ours reads the rewrapped v3"
printf 'v3 new\nback to v2' | as_user "$u" "$REWRAP" --v2 "$d/v3" -
is "$(printf 'back to v2' | as_user "$u" $(ref_cmd ecryptfs-unwrap-passphrase) "$d/v3" -)" "v3 mount pass" \
	"rewrap --v2 makes it readable by the reference"
printf 'back to v2\nv3 again' | as_user "$u" "$REWRAP" --v3 "$d/v3" -
is "$(head -c 2 "$d/v3" | od -An -tx1 | tr -d ' ')" 3a03 "rewrap --v3 turns v2 into v3"
tap_done
