#!/bin/bash
# Command line of ecryptfs-decrypt and ecryptfs-encrypt: help, version,
# documented exit statuses for usage and key errors, and keys taken from the
# user keyring by signature (--sig, --fnek-sig, --keyring, ecryptfs_sig=).
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/offline/offline-lib.sh"

set=aes256-fnek
W=$TESTTMP/w
mkdir -p "$W"
extract "$VECTORS/$set/plain.tar" "$W" && extract "$VECTORS/$set/lower.tar" "$W"
vector_pass $set >"$W/pass"

for p in "$DECRYPT" "$ENCRYPT"; do
	n=$(basename "$p")
	"$p" --help >"$TESTTMP/out" 2>&1
	ok "$n --help exits 0"
	check "$n --help shows the usage and exit statuses" grep -q 'Exit status' "$TESTTMP/out"
	"$p" --version >"$TESTTMP/out" 2>&1
	ok "$n --version exits 0"
	check "$n --version names the program" grep -q "ecryptfs-ng" "$TESTTMP/out"
	"$p" >/dev/null 2>&1
	is "$?" 2 "$n without arguments: exit 2"
	"$p" --bogus a b >/dev/null 2>&1
	is "$?" 2 "$n with an unknown option: exit 2"
	"$p" "$W/plain" "$TESTTMP/x" 2>"$TESTTMP/err"
	is "$?" 2 "$n without a key: exit 2"
	check "$n says that no key was given" grep -q 'no key given' "$TESTTMP/err"
	"$p" --passphrase-file "$TESTTMP/missing" "$W/plain" "$TESTTMP/x" 2>"$TESTTMP/err"
	is "$?" 2 "$n with a missing passphrase file: exit 2"
	check "$n names the missing file" grep -q "$TESTTMP/missing" "$TESTTMP/err"
	"$p" --passphrase-file "$W/pass" "$TESTTMP/nonexistent" "$TESTTMP/x" 2>/dev/null
	is "$?" 2 "$n with a missing input: exit 2"
	: >"$TESTTMP/empty"
	"$p" --passphrase-file "$TESTTMP/empty" "$W/plain" "$TESTTMP/x" 2>/dev/null
	is "$?" 2 "$n with an empty passphrase: exit 2"
done
"$DECRYPT" --passphrase-file "$W/pass" --passphrase-fd 0 "$W/lower" "$TESTTMP/x" </dev/null \
	2>"$TESTTMP/err"
is "$?" 2 "decrypt: two passphrase sources are a usage error"
"$DECRYPT" --passphrase-file "$W/pass" --fn-key-bytes 0 "$W/lower" "$TESTTMP/x" 2>/dev/null
is "$?" 2 "decrypt: --fn-key-bytes 0 is a usage error"
"$DECRYPT" --passphrase-file "$W/pass" --fn-cipher rot13 "$W/lower" "$TESTTMP/x" 2>/dev/null
is "$?" 2 "decrypt: an unknown --fn-cipher is a usage error"
"$ENCRYPT" --passphrase-file "$W/pass" -o ecryptfs_bogus=1 "$W/plain" "$TESTTMP/x" 2>/dev/null
is "$?" 2 "encrypt: an unknown mount option: exit 2"
"$ENCRYPT" --passphrase-file "$W/pass" -o rw,passphrase_passwd=hunter2 "$W/plain" "$TESTTMP/x" \
	2>"$TESTTMP/err"
is "$?" 2 "encrypt: a passphrase in the mount options: exit 2"
check "... names the key options instead" grep -q "'passphrase_passwd': give the key with --passphrase-file" "$TESTTMP/err"
! grep -q hunter2 "$TESTTMP/err"
ok "... and does not repeat the passphrase"
"$ENCRYPT" --passphrase-file "$W/pass" -o ecryptfs_cipher=abcdefghijklmnopqrstuvwxyz0123456789 \
	"$W/plain" "$TESTTMP/x" 2>"$TESTTMP/err"
is "$?" 2 "encrypt: a cipher name over 31 characters: exit 2"
check "... reported as too long" grep -q "'ecryptfs_cipher': value too long" "$TESTTMP/err"
"$ENCRYPT" --passphrase-file "$W/pass" -o ecryptfs_encrypted_view "$W/plain" "$TESTTMP/x" 2>/dev/null
is "$?" 2 "encrypt: ecryptfs_encrypted_view (read only): exit 2"
"$ENCRYPT" --passphrase-file "$W/pass" -o "rw,key=passphrase,ecryptfs_cipher=aes,ecryptfs_key_bytes=32,ecryptfs_passthrough=n,ecryptfs_xattr=n,ecryptfs_enable_filename_crypto=n,no_sig_cache,verbosity=0,nosuid,x-systemd.automount" \
	"$W/plain" "$TESTTMP/helper-lower"
is "$?" 0 "encrypt: a mount.ecryptfs option string (without the passphrase) is taken"
"$DECRYPT" --passphrase-file "$W/pass" "$TESTTMP/helper-lower" "$TESTTMP/helper-out"
is "$?" 0 "... and decrypts"
check "... to the same tree" same_tree "$W/plain" "$TESTTMP/helper-out"
"$(prog ecryptfs-stat)" "$TESTTMP/helper-lower/TestFile" >"$TESTTMP/stat"
check "... AES-256 as asked" grep -q 'Cipher: \[aes\], key size \[32\] bytes' "$TESTTMP/stat"
"$ENCRYPT" --passphrase-file "$W/pass" -o ecryptfs_key_bytes=20,ecryptfs_cipher=blowfish \
	"$W/plain" "$TESTTMP/x" 2>/dev/null
is "$?" 2 "encrypt: blowfish with 20-byte keys (the kernel fails at creation): exit 2"
"$ENCRYPT" --passphrase-file "$W/pass" -o ecryptfs_cipher=cast6,ecryptfs_key_bytes=16 \
	"$W/plain" "$TESTTMP/x" 2>/dev/null
is "$?" 2 "encrypt: cast6 (unsupported): exit 2"
"$ENCRYPT" --passphrase-file "$W/pass" --fnek --fnek-same-key "$W/plain" "$TESTTMP/x" 2>/dev/null
is "$?" 2 "encrypt: --fnek with --fnek-same-key: exit 2"
"$DECRYPT" --passphrase-file "$W/pass" "$W/lower" "$W/lower" 2>/dev/null
is "$?" 2 "decrypt into LOWER itself: exit 2"
check "... nothing was written" test ! -e "$W/lower/TestFile"

# --plain-names: a tree without filename encryption may hold a name that
# merely looks encrypted.
mkdir -p "$TESTTMP/pn"
printf 'literal\n' >"$TESTTMP/pn/ECRYPTFS_FNEK_ENCRYPTED.literal-name"
"$ENCRYPT" --passphrase-file "$W/pass" "$TESTTMP/pn" "$TESTTMP/pn-lower" 2>/dev/null
ok "plain names: a literal prefixed name is written as it is"
"$DECRYPT" --passphrase-file "$W/pass" "$TESTTMP/pn-lower" "$TESTTMP/pn-out1" 2>/dev/null
is "$?" 1 "without --plain-names it is taken for an encrypted name (exit 1)"
"$DECRYPT" --passphrase-file "$W/pass" --plain-names "$TESTTMP/pn-lower" "$TESTTMP/pn-out2"
ok "with --plain-names: exit 0"
check "... and the file comes back under its literal name" \
	cmp "$TESTTMP/pn/ECRYPTFS_FNEK_ENCRYPTED.literal-name" \
	"$TESTTMP/pn-out2/ECRYPTFS_FNEK_ENCRYPTED.literal-name"

# Keys from the keyring, in a session of our own.
ADD=$(prog ecryptfs-add-passphrase)
keyctl session - bash -c "
	'$ADD' --fnek - <'$W/pass' >/dev/null || exit 10
	'$DECRYPT' --sig 8f0b06a4b8b5e1a1 --fnek-sig fdda5d3feb341894 '$W/lower' '$W/out-sig' || exit 11
	'$DECRYPT' --keyring '$W/lower' '$W/out-keyring' || exit 12
	'$ENCRYPT' -o ecryptfs_sig=8f0b06a4b8b5e1a1,ecryptfs_fnek_sig=fdda5d3feb341894,ecryptfs_key_bytes=32 \
		'$W/plain' '$W/lower-keyring' || exit 13
	for s in 8f0b06a4b8b5e1a1 fdda5d3feb341894; do
		id=\$(keyctl search @u user \$s) && keyctl unlink \$id @u >/dev/null
	done
	exit 0
" 2>"$TESTTMP/err"
is "$?" 0 "keyring: add the keys, decrypt by --sig/--fnek-sig and --keyring, encrypt by ecryptfs_sig"
sed 's/^/#   /' "$TESTTMP/err" | head -5
check "keyring: --sig/--fnek-sig output equals plain/" same_tree "$W/plain" "$W/out-sig"
check "keyring: --keyring output equals plain/" same_tree "$W/plain" "$W/out-keyring"
(cd "$W/lower" && find . | LC_ALL=C sort) >"$TESTTMP/n1"
(cd "$W/lower-keyring" && find . | LC_ALL=C sort) >"$TESTTMP/n2"
check "keyring: encrypted names equal the kernel's" cmp "$TESTTMP/n1" "$TESTTMP/n2"
"$DECRYPT" --sig 0123456789abcdef "$W/lower" "$TESTTMP/y" 2>"$TESTTMP/err"
is "$?" 2 "a --sig that is not in the keyring: exit 2"
check "... naming the sig" grep -q 0123456789abcdef "$TESTTMP/err"
"$ENCRYPT" --sig 0123456789abcdef --fnek "$W/plain" "$TESTTMP/y" 2>/dev/null
is "$?" 2 "encrypt --fnek without a passphrase: exit 2"
tap_done
