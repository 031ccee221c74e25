#!/bin/bash
# Every kernel-written vector set mounts through ecryptfs-fuse and reads back
# exactly: names, types, modes, link counts, sizes, sha256, symlink targets.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuse/lib.sh"

opts_of() {	# SET: the kernel mount options from the manifest
	sed -n 's/^- Mount options: `\(.*\)`$/\1/p' "$VECTORS/$1/MANIFEST.md"
}
pass_of() {
	sed -n 's/^- Passphrase: `\([^`]*\)`.*$/\1/p' "$VECTORS/$1/MANIFEST.md"
}

check_set() {	# SET LOWER-TAR LOWER-SUBDIR PASSPHRASE FNEK?
	local set=$1 tar=$2 sub=$3 pass=$4 fnek=$5 d=$TESTTMP/$1 opts
	vec_extract "$VECTORS/$set/$tar" "$d/lower"
	vec_extract "$VECTORS/$set/plain.tar" "$d"
	if [ -f "$VECTORS/$set/xattrs.tsv" ]; then
		(cd "$d/lower/$sub" && while IFS=$'\t' read -r p v; do
			setfattr -h -n user.ecryptfs -v "0x$v" "$p"; done <"$VECTORS/$set/xattrs.tsv")
	fi
	efs_addkey "$pass" >/dev/null
	[ -n "$fnek" ] && efs_addkey --fnek "$pass" >/dev/null
	opts=$(opts_of "$set")
	# The vectors were unmounted with ecryptfs_unlink_sigs; keep our keys.
	opts=${opts//,ecryptfs_unlink_sigs/}
	check "$set: mounts" efs_mount "$d/lower/$sub" "$d/mnt" "$opts"
	tree_manifest "$d/plain" >"$d/want"
	tree_manifest "$d/mnt" >"$d/got"
	# (An empty plain tree would make an empty mount look right.)
	check "$set: tree reads back exactly" sh -c '[ -s "$1" ] && diff -u "$1" "$2"' - "$d/want" "$d/got"
	check "$set: unmounts" efs_umount "$d/mnt"
}

for set in aes128-plain-names aes128-xattr legacy-blowfish-16 legacy-blowfish-56 \
	legacy-cast5-16 legacy-des3_ede-24 legacy-twofish-16 legacy-twofish-32; do
	check_set "$set" lower.tar lower "$(pass_of "$set")" ""
done
check_set aes256-fnek lower.tar lower "$(pass_of aes256-fnek)" fnek
check_set aes192-fnek-same-key lower.tar lower "$(pass_of aes192-fnek-same-key)" ""
spass=$(sed -n 's/^- Mount passphrase.*`\([0-9a-f]\{32\}\)`.*$/\1/p' "$VECTORS/setup-private-style/MANIFEST.md")
check_set setup-private-style dot-Private.tar dot-Private "$spass" fnek

# cast6: libgcrypt has no CAST-256; the mount says so instead of showing garbage.
efs_addkey "$(pass_of legacy-cast6-16)" >/dev/null
mkdir -p "$TESTTMP/c6/lower" "$TESTTMP/c6/mnt"
vec_extract "$VECTORS/legacy-cast6-16/lower.tar" "$TESTTMP/c6"
"$EFS_BIN" -o "$(opts_of legacy-cast6-16)" "$TESTTMP/c6/lower" "$TESTTMP/c6/mnt" 2>"$TESTTMP/c6.err"
st=$?
[ $st -ne 0 ] && grep -q 'cast6' "$TESTTMP/c6.err" && ! mountpoint -q "$TESTTMP/c6/mnt"
ok "legacy-cast6-16: refused with an error naming the cipher"
diag "  $(head -1 "$TESTTMP/c6.err")"
efs_sanitizer_check
tap_done
