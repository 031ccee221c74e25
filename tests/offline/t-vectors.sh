#!/bin/bash
# ecryptfs-decrypt recovers every kernel-written vector set to exactly its
# plaintext (contents, names, modes, times, symlink targets, hard links);
# the cast6 sets give a per-file "unsupported cipher" error instead.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/offline/offline-lib.sh"

decrypt_set() {	# SET LOWER-TAR TOP-DIR [ecryptfs-decrypt options...]
	local set=$1 tarball=$2 top=$3 w=$TESTTMP/$1
	shift 3
	rm -rf "$w" && mkdir -p "$w"
	extract "$VECTORS/$set/plain.tar" "$w" && extract "$VECTORS/$set/$tarball" "$w" || return 1
	if [ -f "$VECTORS/$set/xattrs.tsv" ]; then
		restore_xattrs "$w/$top" "$VECTORS/$set/xattrs.tsv" || return 1
	fi
	vector_pass "$set" >"$w/pass"
	"$DECRYPT" "$@" "$w/$top" "$w/out" 2>"$w/err"
}

for set in aes128-plain-names aes256-fnek aes192-fnek-same-key aes128-xattr \
	legacy-blowfish-16 legacy-blowfish-56 legacy-des3_ede-24 legacy-cast5-16 \
	legacy-twofish-16 legacy-twofish-32; do
	decrypt_set "$set" lower.tar lower --passphrase-file "$TESTTMP/$set/pass"
	ok "$set: ecryptfs-decrypt exits 0"
	[ -s "$TESTTMP/$set/err" ] && sed 's/^/#   /' "$TESTTMP/$set/err" | head -5
	check "$set: output equals plain/" same_tree "$TESTTMP/$set/plain" "$TESTTMP/$set/out"
done

is "$(getfattr -R -h -d -m - "$TESTTMP/aes128-xattr/out" 2>/dev/null | grep -c ecryptfs)" 0 \
	"aes128-xattr: the header xattr is not copied to the output"

# The hard links really are links, not copies.
is "$(stat -c '%i %h' "$TESTTMP/aes256-fnek/out/size-4097")" \
	"$(stat -c %i "$TESTTMP/aes256-fnek/out/hardlink-to-size-4097") 2" \
	"aes256-fnek: the hard-linked pair is one inode"

# setup-private-style: with the mount passphrase from an fd ...
set=setup-private-style
head -c 65 /dev/zero | tr '\0' x >"$TESTTMP/long"
decrypt_set $set dot-Private.tar dot-Private --passphrase-fd 3 3<"$TESTTMP/long"
is "$?" 2 "$set: a passphrase over 64 bytes is a key error (exit 2)"
vector_pass $set >"$TESTTMP/mp"
decrypt_set $set dot-Private.tar dot-Private --passphrase-fd 3 3<"$TESTTMP/mp"
ok "$set: mount passphrase on an fd: exit 0"
check "$set: output equals plain/" same_tree "$TESTTMP/$set/plain" "$TESTTMP/$set/out"
# ... and through the wrapped passphrase and the login password.
extract "$VECTORS/$set/dot-ecryptfs.tar" "$TESTTMP/home"
wp=$TESTTMP/home/dot-ecryptfs/wrapped-passphrase
login='Alice login password 2026!'
printf '%s\n' "$login" >"$TESTTMP/login"
decrypt_set $set dot-Private.tar dot-Private --wrapped-passphrase "$wp" \
	--login-passphrase-file "$TESTTMP/login"
ok "$set: wrapped passphrase + login password file: exit 0"
check "$set: output equals plain/ (wrapped passphrase)" \
	same_tree "$TESTTMP/$set/plain" "$TESTTMP/$set/out"
decrypt_set $set dot-Private.tar dot-Private --wrapped-passphrase "$wp" \
	--login-passphrase-fd 0 <<<"$login"
ok "$set: wrapped passphrase + login password on stdin: exit 0"
"$DECRYPT" --wrapped-passphrase "$wp" "$TESTTMP/$set/dot-Private" "$TESTTMP/$set/out-prompt" \
	<<<"$login" >"$TESTTMP/prompt.out" 2>&1
ok "$set: wrapped passphrase + login password at the prompt: exit 0"
check "$set: ... which asked for it" grep -q 'Login passphrase' "$TESTTMP/prompt.out"
check "$set: ... and recovered the tree" \
	same_tree "$TESTTMP/$set/plain" "$TESTTMP/$set/out-prompt"
decrypt_set $set dot-Private.tar dot-Private --wrapped-passphrase "$wp" \
	--login-passphrase-fd 0 <<<"not the password"
is "$?" 2 "$set: wrong login password: exit 2"
check "$set: ... and says why" grep -q "unwrap" "$TESTTMP/$set/err"

# cast6: libgcrypt has no CAST-256.
for set in legacy-cast6-16 legacy-cast6-32; do
	decrypt_set "$set" lower.tar lower --passphrase-file "$TESTTMP/$set/pass"
	is "$?" 1 "$set: exit 1 (some entries failed)"
	for f in size-0 size-12 size-4097 size-9000; do
		check "$set: $f reported as unsupported cipher cast6" \
			grep -q "lower/$f: unsupported cipher cast6" "$TESTTMP/$set/err"
		check "$set: no partial $f left" test ! -e "$TESTTMP/$set/out/$f"
	done
	check "$set: the output directory still comes out" test -d "$TESTTMP/$set/out"
done

# One lower file on its own, into a directory: the name is decrypted too.
set=aes256-fnek
mkdir -p "$TESTTMP/single"
"$DECRYPT" --passphrase-file "$TESTTMP/$set/pass" \
	"$TESTTMP/$set/lower/ECRYPTFS_FNEK_ENCRYPTED.FWbxqZozunEMZ-YfdKzwuOxDzAATzyTmsvE0tIxTNvwRTR1sIAEw695Fx---" \
	"$TESTTMP/single"
ok "single file into a directory: exit 0"
check "single file: decrypted name and contents" cmp "$TESTTMP/single/size-9000" "$TESTTMP/$set/plain/size-9000"
"$DECRYPT" --passphrase-file "$TESTTMP/$set/pass" \
	"$TESTTMP/$set/lower/ECRYPTFS_FNEK_ENCRYPTED.FWbxqZozunEMZ-YfdKzwuOxDzAATzyTmsvE07BZZzqxGhvcN2n2honnqJk--" \
	"$TESTTMP/single/named"
ok "single file to a new path: exit 0"
check "single file to a new path: contents" cmp "$TESTTMP/single/named" "$TESTTMP/$set/plain/TestFile"
"$DECRYPT" --passphrase-file "$TESTTMP/$set/pass" \
	"$TESTTMP/$set/lower/ECRYPTFS_FNEK_ENCRYPTED.FWbxqZozunEMZ-YfdKzwuOxDzAATzyTmsvE07BZZzqxGhvcN2n2honnqJk--" \
	"$TESTTMP/single/named" 2>"$TESTTMP/err"
is "$?" 1 "an existing output file is not overwritten (exit 1)"
check "... and it still holds what it had" cmp "$TESTTMP/single/named" "$TESTTMP/$set/plain/TestFile"

tap_done
