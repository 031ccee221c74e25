#!/bin/bash
# The ecryptfs-ng demo, run by "sudo ./setup.sh demo" after "make install".
# With the installed programs, as a user would: set up a private directory
# the way ecryptfs-setup-private does, unlock it the way a login does, mount
# it (the kernel module if the kernel has one, our FUSE daemon otherwise),
# write and read a file, unmount, show the ciphertext, and decrypt it again
# offline.  Secrets go through stdin, never the command line; the keys and
# the temporary directory are removed on every way out.
set -euo pipefail
die() { echo "demo: $*" >&2; exit 1; }
step() { printf '\n== %s\n' "$*"; }

[ "$(id -u)" -eq 0 ] || die "mounting needs root: run sudo $0"
for p in ecryptfs-add-passphrase ecryptfs-wrap-passphrase mount.ecryptfs \
	ecryptfs-insert-wrapped-passphrase-into-keyring ecryptfs-stat ecryptfs-decrypt \
	keyctl mountpoint findmnt od; do
	command -v "$p" >/dev/null || die "$p not found (run make install)"
done

# A session keyring of our own, so that nothing the demo links into it
# (the user keyring, below) outlives the demo.
keyctl new_session >/dev/null

dir=$(mktemp -d "${TMPDIR:-/tmp}/ecryptfs-demo.XXXXXX")
lower=$dir/lower upper=$dir/upper recovered=$dir/recovered
wrapped=$dir/.ecryptfs/wrapped-passphrase
mkdir -m 700 "$lower" "$upper" "$dir/.ecryptfs"
sigs=

forget_keys() {
	local s id
	for s in $sigs; do
		id=$(keyctl search @u user "$s" 2>/dev/null) || continue
		keyctl unlink "$id" @u >/dev/null
	done
}
cleanup() {
	set +e
	if mountpoint -q "$upper"; then umount "$upper" 2>/dev/null || umount -l "$upper"; fi
	forget_keys
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

LOGIN="demo login passphrase"
TEXT="Hello from ecryptfs-ng: this line is stored encrypted."

step "1. Set up, as ecryptfs-setup-private does: a random mount passphrase, wrapped under the login passphrase"
mount_pw=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
sigs=$(printf '%s' "$mount_pw" | ecryptfs-add-passphrase --fnek - |
	sed -n 's/^Inserted auth tok with sig \[\([0-9a-f]*\)\].*/\1/p')
set -- $sigs
sig=${1:?} fnek_sig=${2:?}
printf '%s\n' $sigs >"$dir/.ecryptfs/Private.sig"
echo "Private.sig: file key $sig, filename key $fnek_sig"
printf '%s\n%s' "$mount_pw" "$LOGIN" | ecryptfs-wrap-passphrase "$wrapped" -
unset mount_pw
ls -l "$wrapped"
# "Log out": from here on only the wrapped file can bring the keys back.
forget_keys

step "2. Log in, as pam_ecryptfs does: the login passphrase unwraps the keys into the keyring"
printf '%s' "$LOGIN" | ecryptfs-insert-wrapped-passphrase-into-keyring "$wrapped" -
# As ecryptfs-mount-private does: the kernel finds keys through the session keyring.
keyctl link @u @s

step "3. Mount: mount -t ecryptfs $lower $upper -o sig=$sig,..."
# Every answer given, so mount.ecryptfs asks nothing; sig= takes the key
# already in the keyring (no passphrase here).
opts=sig=$sig,ecryptfs_fnek_sig=$fnek_sig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16
opts=$opts,ecryptfs_passthrough=n,ecryptfs_enable_filename_crypto=y,no_sig_cache
mount -t ecryptfs "$lower" "$upper" -o "$opts"
findmnt -n -o SOURCE,TARGET,FSTYPE "$upper"

step "4. Write a file through the mount and read it back"
echo "$TEXT" >"$upper/hello.txt"
cat "$upper/hello.txt"
[ "$(cat "$upper/hello.txt")" = "$TEXT" ] || die "read back differs from what was written"

step "5. Unmount (the helper set ecryptfs_unlink_sigs: the keys leave the keyring)"
umount "$upper"
mountpoint -q "$upper" && die "$upper is still mounted"
for s in $sigs; do
	if keyctl search @u user "$s" >/dev/null 2>&1; then echo "key $s: still in the keyring"; else echo "key $s: gone"; fi
done

step "6. The lower directory: an encrypted name, an 8 KiB header and one 4 KiB extent"
ls -l "$lower"
f=$(find "$lower" -type f)
grep -qF "$TEXT" "$f" && die "the plaintext is in the lower file"
echo "(grep finds no plaintext in it)"

step "7. The lower file's header, field by field (kernel eCryptfs format, version 3)"
byte() { od -An -tu1 -j"$1" -N1 "$f" | tr -d ' '; }
field() {	# OFFSET LENGTH MEANING: at most 12 bytes shown
	local n=$(($2 < 12 ? $2 : 12)) more=
	[ "$2" -gt 12 ] && more=" ..."
	printf '%5d  %-41s %s\n' "$1" "$(od -An -v -tx1 -j"$1" -N"$n" "$f" | tr -s ' \n' ' ')$more" "$3"
}
tag3=26 tag3_len=$((2 + $(byte 27)))
tag11=$((tag3 + tag3_len))
tag11_len=$((2 + $(byte $((tag11 + 1)))))
field 0 8 "plaintext size: $(od -An -tu8 --endian=big -N8 "$f" | tr -d ' ') bytes"
field 8 8 "marker: 4 random bytes, then those XOR 3c 81 b7 f5"
field 16 1 "version 3"
field 17 3 "flags: 0x02 encrypted, 0x08 encrypted file names"
field 20 4 "extent size 4096"
field 24 2 "header extents: 2 (8192 bytes)"
field $tag3 $tag3_len "tag 3 ($tag3_len bytes): cipher 07 = AES, the file's key encrypted with the passphrase key"
field $tag11 $tag11_len "tag 11 ($tag11_len bytes): \"_CONSOLE\" and the passphrase key's signature"
echo "first bytes of the data extent (offset 8192), AES-CBC ciphertext:"
od -A d -t x1 -j 8192 -N 32 "$f"
ecryptfs-stat "$f"

step "8. Offline recovery, without a mount: ecryptfs-decrypt with the wrapped passphrase"
ecryptfs-decrypt --wrapped-passphrase "$wrapped" --login-passphrase-fd 3 "$lower" "$recovered" \
	3<<<"$LOGIN"
ls -l "$recovered"
cat "$recovered/hello.txt"
[ "$(cat "$recovered/hello.txt")" = "$TEXT" ] || die "the recovered file differs"

echo
echo "Done: the demo's keys and $dir are removed."
