#!/bin/bash
# Filename encryption: a plaintext tree copied in through ecryptfs-fuse with
# a vector set's keys gives exactly the kernel's lower names, directory
# layout, lower sizes and symlink targets (the encryption is deterministic);
# undecodable lower names are hidden; target and name limits are the kernel's.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuse/lib.sh"

opts_of() { sed -n 's/^- Mount options: `\(.*\)`$/\1/p' "$VECTORS/$1/MANIFEST.md"; }
pass_of() { sed -n 's/^- Passphrase: `\([^`]*\)`.*$/\1/p' "$VECTORS/$1/MANIFEST.md"; }

lower_shape() {	# DIR: path, type, size (files), target (symlinks) of every lower entry
	(cd "$1" || { echo "lower_shape: cannot enter $1"; exit 1; }
	 find . -mindepth 1 -printf '%p %y %s\n' | sed 's/ \([dl]\) [0-9]*$/ \1/' | sort
	 find . -type l -printf '%p -> %l\n' | sort)
}

same_names() {	# SET LOWER-TAR LOWER-SUBDIR PASSPHRASE FNEK?
	local set=$1 d=$TESTTMP/$1 opts
	vec_extract "$VECTORS/$set/$2" "$d/kernel"
	vec_extract "$VECTORS/$set/plain.tar" "$d"
	efs_addkey "$4" >/dev/null
	[ -n "$5" ] && efs_addkey --fnek "$4" >/dev/null
	opts=$(opts_of "$set"); opts=${opts//,ecryptfs_unlink_sigs/}
	mkdir -p "$d/ours"
	check_st "$set: mounts an empty lower dir" efs_mount "$d/ours" "$d/mnt" "$opts" || return
	(cd "$d/plain" && tar -cf - .) | (cd "$d/mnt" && tar -xpf -)
	ok "$set: the plaintext tree copies in"
	check "$set: unmounts" efs_umount "$d/mnt"
	lower_shape "$d/kernel/$3" >"$d/want"
	lower_shape "$d/ours" >"$d/got"
	check "$set: lower names, layout, sizes and symlink targets equal the kernel's" \
		sh -c '[ -s "$1" ] && diff -u "$1" "$2"' - "$d/want" "$d/got"
}

same_names aes256-fnek lower.tar lower "$(pass_of aes256-fnek)" fnek
same_names aes192-fnek-same-key lower.tar lower "$(pass_of aes192-fnek-same-key)" ""
spass=$(sed -n 's/^- Mount passphrase.*`\([0-9a-f]\{32\}\)`.*$/\1/p' "$VECTORS/setup-private-style/MANIFEST.md")
same_names setup-private-style dot-Private.tar dot-Private "$spass" fnek

# Names the kernel would not decode are hidden; the rest list normally.
d=$TESTTMP/aes256-fnek
touch "$d/ours/lost+found-plain" "$d/ours/ECRYPTFS_FNEK_ENCRYPTED.garbage-garbage-garbage"
opts=$(opts_of aes256-fnek); opts=${opts//,ecryptfs_unlink_sigs/}
check "mounts again with stray lower names" efs_mount "$d/ours" "$d/mnt" "$opts"
ls -A "$d/mnt" >"$TESTTMP/ls" 2>"$TESTTMP/ls.err"; ok "readdir succeeds"
grep -q -e 'lost+found-plain' -e 'garbage' "$TESTTMP/ls"; [ $? -ne 0 ]; ok "undecodable lower names are hidden"
is "$(wc -l <"$TESTTMP/ls")" "$(ls -A "$d/plain" | wc -l)" "every other entry is listed"

t3007=$(printf 'x%.0s' $(seq 3007)); t3008=${t3007}y
ln -s "$t3007" "$d/mnt/sym3007"; ok "a symlink target of 3007 bytes is stored"
is "$(readlink "$d/mnt/sym3007")" "$t3007" "... and reads back"
ln -s "$t3008" "$d/mnt/sym3008" 2>"$TESTTMP/ln.err"; [ $? -ne 0 ] && grep -q 'too long' "$TESTTMP/ln.err"
ok "a symlink target of 3008 bytes: ENAMETOOLONG, as on the kernel over ext4"
n143=$(printf 'n%.0s' $(seq 143))
echo x >"$d/mnt/$n143"; is "$(cat "$d/mnt/$n143")" x "a 143-byte name"
echo x 2>/dev/null >"$d/mnt/${n143}n"; [ $? -ne 0 ]; ok "a 144-byte name fails"
is "$(stat -f -c %l "$d/mnt")" 143 "statfs reports 143"
check "unmounts" efs_umount "$d/mnt"
efs_sanitizer_check
tap_done
