# Helpers for the tests/offline/t-*.sh scripts (sourced after tests/lib/tap.sh).
DECRYPT=$(prog ecryptfs-decrypt)
ENCRYPT=$(prog ecryptfs-encrypt)

# Everything a tree comparison needs, one line per fact, independent of
# inode numbers: type, mode, mtime and path; file hashes; symlink targets;
# hard-link groups.
tree_manifest() (
	cd "$1" || exit 1
	find . -mindepth 1 ! -type l -printf '%y %m %T@ %p\n' | LC_ALL=C sort
	find . -mindepth 1 -type l -printf 'l %T@ %p -> %l\n' | LC_ALL=C sort
	find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
	find . -type f -links +1 -printf '%i %p\n' | LC_ALL=C sort |
		awk '{ i = $1; sub(/^[0-9]+ /, ""); g[i] = g[i] "|" $0 } END { for (k in g) print g[k] }' |
		LC_ALL=C sort
)

# same_tree A B: 0 when the manifests agree; the difference goes to stdout.
same_tree() {
	tree_manifest "$1" >"$TESTTMP/m1" || return 1
	tree_manifest "$2" >"$TESTTMP/m2" || return 1
	[ -s "$TESTTMP/m1" ] || { echo "empty tree $1"; return 1; }
	diff "$TESTTMP/m1" "$TESTTMP/m2" | head -20
	cmp -s "$TESTTMP/m1" "$TESTTMP/m2"
}

# extract TARBALL DIR: as the vector README says (xattrs kept).
extract() {
	mkdir -p "$2" && tar --xattrs --xattrs-include='*' -C "$2" -xpf "$1"
}

# The passphrase of a vector set from its MANIFEST.md.
vector_pass() {
	{
		sed -n 's/^- Passphrase: `\([^`]*\)`.*/\1/p' "$VECTORS/$1/MANIFEST.md"
		sed -n 's/^- Mount passphrase .*`\([^`]*\)`$/\1/p' "$VECTORS/$1/MANIFEST.md"
	} | head -1
}

# restore_xattrs LOWERDIR TSV: the aes128-xattr recipe of its MANIFEST.md.
restore_xattrs() (
	cd "$1" || exit 1
	while IFS=$(printf '\t') read -r p v; do
		setfattr -h -n user.ecryptfs -v "0x$v" "$p" || exit 1
	done <"$2"
)

# masked_header FILE [LEN]: the header bytes a writer must reproduce
# (everything but the random marker and the encrypted FEK) of the first LEN
# bytes (default 8192): the fixed fields and the tag 11 packet in hex, the
# rest as its sha256.
masked_header() {
	local f=$1 len=${2:-8192} body n
	body=$(od -An -tu1 -j27 -N1 "$f" | tr -d ' ')
	n=$((body - 13))
	printf '%s | %s | %s\n' \
		"$(od -An -tx1 -v -j0 -N8 "$f" | tr -d ' \n')" \
		"$(od -An -tx1 -v -j16 -N25 "$f" | tr -d ' \n')" \
		"$(tail -c +$((42 + n)) "$f" | head -c $((len - 41 - n)) | od -An -tx1 -v | tr -d ' \n' |
			cut -c1-64)...$(tail -c +$((42 + n)) "$f" | head -c $((len - 41 - n)) | sha256sum | cut -c1-16)"
}
