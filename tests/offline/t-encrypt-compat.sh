#!/bin/bash
# ecryptfs-encrypt writes what the kernel writes (doc/format.md §12): for
# the plaintext of each kernel vector set and the same options, the same lower
# names, symlink targets, lower sizes, modes, times and hard links, and headers
# that differ only in the random marker and the encrypted FEK.  The result
# decrypts back to the plaintext.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/offline/offline-lib.sh"

# Lower tree facts that a writer must reproduce exactly.
lower_manifest() (
	cd "$1" || exit 1
	find . -mindepth 1 ! -type l -printf '%y %m %T@ %p\n' | LC_ALL=C sort
	find . -type f -printf '%s %p\n' | LC_ALL=C sort
	find . -type l -printf '%p -> %l\n' | LC_ALL=C sort
	find . -type f -links +1 -printf '%i %p\n' | LC_ALL=C sort |
		awk '{ i = $1; sub(/^[0-9]+ /, ""); g[i] = g[i] "|" $0 } END { for (k in g) print g[k] }' |
		LC_ALL=C sort
)

# Masked headers of every regular file, in-file or xattr (with its length).
headers() (
	cd "$1" || exit 1
	find . -type f -print0 | LC_ALL=C sort -z | while IFS= read -r -d '' f; do
		x=$(getfattr -h -n user.ecryptfs -e hex --absolute-names "$f" 2>/dev/null |
			sed -n 's/^user.ecryptfs=0x//p')
		if [ -n "$x" ]; then
			printf '%s' "$x" | xxd -r -p >"$TESTTMP/x.bin"
			printf '%s xattr %s %s\n' "$f" "$(stat -c %s "$TESTTMP/x.bin")" \
				"$(masked_header "$TESTTMP/x.bin" "$(stat -c %s "$TESTTMP/x.bin")")"
		else
			printf '%s %s\n' "$f" "$(masked_header "$f")"
		fi
	done
)

compat() {	# SET TAR TOP ENCRYPT-OPTIONS...
	local set=$1 tarball=$2 top=$3 w=$TESTTMP/$1
	shift 3
	rm -rf "$w" && mkdir -p "$w"
	extract "$VECTORS/$set/plain.tar" "$w" && extract "$VECTORS/$set/$tarball" "$w"
	vector_pass "$set" >"$w/pass"
	if [ -f "$VECTORS/$set/xattrs.tsv" ]; then
		restore_xattrs "$w/$top" "$VECTORS/$set/xattrs.tsv"
	fi
	"$ENCRYPT" --passphrase-file "$w/pass" "$@" "$w/plain" "$w/ours" 2>"$w/err"
	ok "$set: ecryptfs-encrypt $* exits 0"
	sed 's/^/#   /' "$w/err" | head -5
	lower_manifest "$w/$top" >"$w/want"
	lower_manifest "$w/ours" >"$w/got"
	check "$set: lower names, sizes, modes, times, symlink targets, links as the kernel's" \
		diff "$w/want" "$w/got"
	headers "$w/$top" >"$w/hwant"
	headers "$w/ours" >"$w/hgot"
	check "$set: headers as the kernel's but for marker and EFEK" diff "$w/hwant" "$w/hgot"
	"$DECRYPT" --passphrase-file "$w/pass" "$w/ours" "$w/back" 2>"$w/err2"
	ok "$set: our lower tree decrypts (exit 0)"
	check "$set: ... to the plaintext" same_tree "$w/plain" "$w/back"
}

compat aes128-plain-names lower.tar lower -o ecryptfs_cipher=aes,ecryptfs_key_bytes=16
compat aes256-fnek lower.tar lower --fnek -o ecryptfs_cipher=aes,ecryptfs_key_bytes=32
compat aes192-fnek-same-key lower.tar lower --fnek-same-key -o ecryptfs_key_bytes=24
compat aes128-xattr lower.tar lower -o ecryptfs_key_bytes=16,ecryptfs_xattr_metadata
compat setup-private-style dot-Private.tar dot-Private --fnek \
	-o ecryptfs_cipher=aes,ecryptfs_key_bytes=16,ecryptfs_unlink_sigs
compat legacy-blowfish-56 lower.tar lower -o ecryptfs_cipher=blowfish,ecryptfs_key_bytes=56
compat legacy-des3_ede-24 lower.tar lower -o ecryptfs_cipher=des3_ede,ecryptfs_key_bytes=24
compat legacy-cast5-16 lower.tar lower -o ecryptfs_cipher=cast5,ecryptfs_key_bytes=16
compat legacy-twofish-32 lower.tar lower -o ecryptfs_cipher=twofish,ecryptfs_key_bytes=32

# The FNEK sigs given as mount options select the same keys.
w=$TESTTMP/aes256-fnek
"$ENCRYPT" --passphrase-file "$w/pass" \
	-o ecryptfs_sig=8f0b06a4b8b5e1a1,ecryptfs_fnek_sig=fdda5d3feb341894,ecryptfs_key_bytes=32 \
	"$w/plain" "$w/ours2" 2>"$w/err"
ok "aes256-fnek: the kernel's mount options by sig: exit 0"
lower_manifest "$w/ours2" >"$w/got2"
check "aes256-fnek: same lower tree as with --fnek" diff "$w/want" "$w/got2"

tap_done
