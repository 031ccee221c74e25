#!/bin/bash
# Trees written by OUR ecryptfs-encrypt are read by the real kernel eCryptfs
# (Debian's 6.1 in qemu) with identical names, contents, symlink targets and
# hard links: AES-128 plain names, AES-256 with the setup-private filename
# key, AES-192 with the filename key = the file key, and xattr metadata.
# Also files with two key packets, opened by either key, and the legacy
# ciphers.  All trees (and a damaged control) are read in one VM boot.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/kernel/lib.sh"

k_require
ENCRYPT=$(prog ecryptfs-encrypt)
W=$K_WORK/t
mkdir -p "$W"

P=$W/plain
k_make_tree "$P"
ok "plaintext tree: sizes 0..1 MiB+5, names of 1..143 bytes (UTF-8 too), links"

# Distinct passphrases: each case adds its own keys in the guest.
cases=(
	"aes128-plain|16||0"
	"aes256-fnek|32|--fnek|0"
	"aes192-fnek-same|24|--fnek-same-key|0"
	"aes128-xattr|16||1"
)
for c in "${cases[@]}"; do
	IFS='|' read -r name kb fn xa <<<"$c"
	printf 'kernel read %s passphrase\n' "$name" >"$W/$name.pass"
	o=ecryptfs_cipher=aes,ecryptfs_key_bytes=$kb
	[ "$xa" = 1 ] && o=$o,ecryptfs_xattr_metadata
	check "ecryptfs-encrypt $name (-o $o $fn)" \
		"$ENCRYPT" --passphrase-file "$W/$name.pass" -o "$o" $fn "$P" "$W/lower-$name"
	case $fn in
	--fnek) f=separate ;;
	--fnek-same-key) f=same ;;
	*) f=none ;;
	esac
	k_read_add "$name" "$W/lower-$name" "$W/$name.pass" key_bytes="$kb" fnek="$f" xattr="$xa"
	ok "queued $name for the kernel"
done

# Several keys per file (doc/format.md §3.2: every packet wraps the same FEK; the
# kernel uses any one it holds).  Key A comes from the passphrase file, key
# B from root's keyring, briefly; the kernel mounts with one of them only.
ADDP=$(prog ecryptfs-add-passphrase)
printf 'kernel read two keys A\n' >"$W/two-a.pass"
printf 'kernel read two keys B\n' >"$W/two-b.pass"
sig_of() { head -n 1 "$1" | tr -d '\n' | "$ADDP" - | sed -n 's/.*sig \[\([0-9a-f]\{16\}\)\].*/\1/p'; }
unlink_sig() { local id; id=$(keyctl search @u user "$1" 2>/dev/null) && keyctl unlink "$id" @u >/dev/null; }
SA=$(sig_of "$W/two-a.pass"); unlink_sig "$SA"
SB=$(sig_of "$W/two-b.pass"); k_at_exit unlink_sig "$SB"
check "ecryptfs-encrypt with two keys (ecryptfs_sig=$SA,ecryptfs_sig=$SB)" \
	"$ENCRYPT" --passphrase-file "$W/two-a.pass" \
	-o "ecryptfs_cipher=aes,ecryptfs_key_bytes=16,ecryptfs_sig=$SA,ecryptfs_sig=$SB" "$P" "$W/lower-two-keys"
unlink_sig "$SB"
is "$("$(prog ecryptfs-stat)" "$W/lower-two-keys/size-4097" | grep '^Key' | tr '\n' '|')" \
	"Key packets: [2]|Key signature: [$SA] (tag 3, passphrase)|Key signature: [$SB] (tag 3, passphrase)|" \
	"two-keys: a packet per key, in option order"
k_read_add two-keys-by-first "$W/lower-two-keys" "$W/two-a.pass"
ok "queued two-keys for the kernel with the first key only"
k_read_add two-keys-by-second "$W/lower-two-keys" "$W/two-b.pass"
ok "queued two-keys for the kernel with the second key only"

# The kernel's other ciphers that libgcrypt has (not required by the format
# issue, but cheap in the same boot): small trees around the extent size.
S=$W/small
mkdir -p "$S/dir"
for n in 0 12 4097 9000; do head -c "$n" /dev/urandom >"$S/dir/size-$n"; done
echo x >"$S/name"
legacy=(blowfish:16 blowfish:56 des3_ede:24 cast5:16 twofish:16 twofish:32)
for l in "${legacy[@]}"; do
	ci=${l%:*} kb=${l#*:} name=legacy-${l/:/-}
	printf 'kernel read %s\n' "$name" >"$W/$name.pass"
	check "ecryptfs-encrypt $name" "$ENCRYPT" --passphrase-file "$W/$name.pass" \
		-o "ecryptfs_cipher=$ci,ecryptfs_key_bytes=$kb" "$S" "$W/lower-$name"
	k_read_add "$name" "$W/lower-$name" "$W/$name.pass" cipher="$ci" key_bytes="$kb"
	ok "queued $name for the kernel"
done

# Header versions (doc/format.md §2.4: 1..3 share the layout, above 3 is refused),
# checked against the kernel: version bytes 1 and 2 read, 4 gives EIO.
check "ecryptfs-encrypt versions" "$ENCRYPT" --passphrase-file "$W/legacy-blowfish-16.pass" \
	-o ecryptfs_cipher=aes,ecryptfs_key_bytes=16 "$S" "$W/lower-versions"
setver() { printf "\\$(printf %o "$2")" | dd of="$1" bs=1 seek=16 conv=notrunc status=none; }
setver "$W/lower-versions/dir/size-4097" 1
setver "$W/lower-versions/dir/size-9000" 2
cp -a "$W/lower-versions" "$W/lower-version-4"
setver "$W/lower-version-4/dir/size-12" 4
is "$(od -An -tx1 -j16 -N1 "$W/lower-versions/dir/size-4097" | tr -d ' ')$(od -An -tx1 -j16 -N1 \
	"$W/lower-versions/dir/size-9000" | tr -d ' ')$(od -An -tx1 -j16 -N1 "$W/lower-version-4/dir/size-12" | tr -d ' ')" \
	010204 "version bytes 1, 2 and 4 set"
k_read_add versions "$W/lower-versions" "$W/legacy-blowfish-16.pass"
ok "queued version 1 and 2 headers for the kernel"
k_read_add version-4 "$W/lower-version-4" "$W/legacy-blowfish-16.pass"
ok "queued a version 4 header for the kernel"

# A control: the oracle must see damage.  A zeroed marker makes the kernel
# refuse a file; a flipped data byte reads without error (eCryptfs has no
# MAC) but changes the hash.
cp -a "$W/lower-aes128-plain" "$W/lower-control"
printf '\0\0\0\0' | dd of="$W/lower-control/size-1" bs=1 seek=8 conv=notrunc status=none
printf '\377' | dd of="$W/lower-control/size-4096" bs=1 seek=9000 conv=notrunc status=none
k_read_add control "$W/lower-control" "$W/aes128-plain.pass"
ok "queued a damaged copy of aes128-plain as a control"

# The trees must really be what the option sets say, or the kernel read
# proves less than it claims.
for name in aes256-fnek aes192-fnek-same; do
	n=$(find "$W/lower-$name" -mindepth 1 ! -name 'ECRYPTFS_FNEK_ENCRYPTED.*' | wc -l)
	is "$n:$(find "$W/lower-$name" -mindepth 1 | wc -l)" "0:$(find "$P" -mindepth 1 | wc -l)" \
		"$name: every lower name is encrypted"
done
is "$(stat -c %s "$W/lower-aes128-plain/size-4097")" 16384 "aes128-plain: 8 KiB header + 2 extents"
is "$(stat -c %s "$W/lower-aes128-xattr/size-4097")" 8192 "aes128-xattr: no in-file header"
getfattr -n user.ecryptfs "$W/lower-aes128-xattr/size-0" >/dev/null 2>&1
ok "aes128-xattr: the header is in user.ecryptfs"
# Our ecryptfs-stat must find every header sound (marker, packets, sizes).
STAT=$(prog ecryptfs-stat)
for c in "${cases[@]}"; do
	name=${c%%|*}
	total=$(find "$W/lower-$name" -type f | wc -l)
	nsound=$(find "$W/lower-$name" -type f -exec "$STAT" {} \; 2>&1 | grep -c '^Header: \[sound\]$')
	# (Both are 0 for a missing tree: the count must be the tree's.)
	is "$nsound/$total" "$total/$(find "$P" -type f | wc -l)" "$name: ecryptfs-stat finds all $total headers sound"
done

t0=$SECONDS
k_read_run
st=$?
msg="one VM read the fifteen trees ($(k_vm_time); $((SECONDS - t0)) s here)"
[ "$st" = 0 ]
ok "$msg"
for c in "${cases[@]}" two-keys-by-first two-keys-by-second; do
	k_case_reads "${c%%|*}" "$P" "the kernel mounts and reads every entry" \
		"names, types, link counts, sizes, symlink targets and sha256 identical"
done
for l in "${legacy[@]}"; do
	k_case_reads "legacy-${l/:/-}" "$S" "the kernel mounts and reads every entry" \
		"names, sizes and sha256 identical"
done
k_case_reads versions "$S" "the kernel reads version 1 and 2 headers" "contents identical"
o=$K_OUT/version-4
is "$(grep -E '^(READ|READLINK|FIND|COUNT|UMOUNT)' "$o/errors" 2>/dev/null | cut -d' ' -f1-2)" \
	"READ dir/size-12" "version-4: the kernel refuses that file, and only that file"
o=$K_OUT/control
is "$(cat "$o/status" 2>/dev/null)" ERRORS "control: the damaged tree is reported"
grep -q '^READ size-1 :: .*Input/output error' "$o/errors" 2>/dev/null
ok "control: the file with the zeroed marker gives EIO"
is "$(grep -E '^(READ|READLINK|FIND|COUNT|UMOUNT)' "$o/errors" 2>/dev/null | cut -d' ' -f1-2)" "READ size-1" \
	"control: and nothing else does"
k_same_tree "$P" "$o/plain" >"$W/control.diff"
diffst=$?
[ "$diffst" != 0 ] && grep -q 'size-4096$' "$W/control.diff" && ! grep -q 'size-4095$' "$W/control.diff"
ok "control: the flipped byte shows as a different sha256 of size-4096 only"
grep -q . "$K_OUT/dmesg.txt" 2>/dev/null && sed 's/^/# dmesg: /' "$K_OUT/dmesg.txt" | tail -10
tap_done
