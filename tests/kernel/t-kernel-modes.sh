#!/bin/bash
# The real kernel's ecryptfs_passthrough, zero-length lower files and
# ecryptfs_encrypted_view (doc/format.md §7 reports what this test measures),
# on lower trees from our ecryptfs-encrypt; one VM boot.  Our FUSE daemon
# implements the same modes, so these are its reference behaviour, and the
# encrypted view of an xattr-mode tree must be a tree our ecryptfs-decrypt
# reads (the view's synthetic header is a portable in-file header).
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/kernel/lib.sh"

k_require
ENCRYPT=$(prog ecryptfs-encrypt)
DECRYPT=$(prog ecryptfs-decrypt)
STAT=$(prog ecryptfs-stat)
W=$K_WORK/t
IN=$W/in
mkdir -p "$W/q" "$IN/lower-p" "$IN/lower-z"
printf 'kernel modes\n' >"$W/pass"
printf %s 'kernel modes' >"$IN/pass"
printf 'another key\n' >"$W/pass2"
for n in 0 1 4096 4097 20000; do head -c "$n" /dev/urandom >"$W/q/size-$n"; done
O=ecryptfs_cipher=aes,ecryptfs_key_bytes=16
"$ENCRYPT" --passphrase-file "$W/pass" -o "$O" "$W/q" "$IN/lower-h" &&
	"$ENCRYPT" --passphrase-file "$W/pass" -o "$O,ecryptfs_xattr_metadata" "$W/q" "$IN/lower-x" &&
	"$ENCRYPT" --passphrase-file "$W/pass2" -o "$O" "$W/q" "$W/lower-2"
ok "ecryptfs-encrypt: in-file headers, xattr headers, a tree under another key"
(cd "$IN/lower-x" && getfattr -h -d -m '^user\.ecryptfs$' -e hex ./*) >"$IN/lower-x.dump"
ok "the xattrs of the xattr-mode tree saved for the guest"
cp "$IN/lower-h/size-4097" "$IN/lower-p/enc"
head -c 5000 /dev/urandom >"$IN/lower-p/plain.txt"
: >"$IN/lower-p/empty"
cp "$W/lower-2/size-4097" "$IN/lower-p/foreign-key"
: >"$IN/lower-z/zero"
cp -a "$IN/lower-p" "$W/lower-p.orig"

k_exec_script "$W/guest.out" --script "$SRCDIR/tests/kernel/guest/modes.sh" --in "$IN" \
	--out "$W/out" --out-mb 64
V=$W/out/pt-view
L=$W/out/pt-lower

# 1. passthrough
k_result_ok pt-mount
ok "passthrough: mounts"
cmp -s "$V/enc" "$W/q/size-4097"
ok "passthrough: an eCryptfs file still decrypts"
cmp -s "$V/plain.txt" "$W/lower-p.orig/plain.txt" && [ "$(cat "$V/plain.txt.size")" = 5000 ]
ok "passthrough: a plaintext lower file reads as it is, with its own size"
# Measured (doc/format.md §7.1): i_size stays the size
# field of the header (read at lookup, no key needed), and the reads pass
# the lower bytes through from offset 0, header included, cut at i_size.
cmp -s "$V/foreign-key" <(head -c 4097 "$W/lower-p.orig/foreign-key") &&
	[ "$(cat "$V/foreign-key.size")" = 4097 ] ||
	{ echo "#   view: $(stat -c %s "$V/foreign-key") bytes read, i_size $(cat "$V/foreign-key.size"), lower $(stat -c %s "$W/lower-p.orig/foreign-key"); $(cat "$V/foreign-key.err")"
	  echo "#   view starts: $(od -An -tx1 -N32 "$V/foreign-key" | tr -d '\n')"; false; }
ok "passthrough, key missing: i_size from the header, raw lower bytes from offset 0"
[ -f "$V/empty" ] && [ ! -s "$V/empty" ] && [ ! -s "$L/empty" ]
ok "passthrough: a zero-length lower file stays empty (no header written)"
k_result_ok pt-append && cmp -s "$L/plain.txt" <(cat "$W/lower-p.orig/plain.txt"; printf appended)
ok "passthrough: an append to a plaintext file goes straight to the lower file"
k_result_ok pt-create && "$STAT" -s "$L/new.txt" >"$W/stat.out" &&
	grep -qxF 'Decrypted file size: [11]' "$W/stat.out"
ok "passthrough: a new file is created encrypted"

# 2. zero-length lower file without passthrough
k_result_ok z-read
ok "no passthrough: a zero-length lower file opens"
is "$(cat "$W/out/zero-lower-size" 2>/dev/null)" 8192 "no passthrough: opening it wrote an 8192-byte header"

# 3. encrypted view
k_result_ok vh-mount
ok "encrypted view: mounts over in-file headers"
n=0 same=0
for f in "$IN"/lower-h/*; do
	n=$((n + 1))
	cmp -s "$f" "$W/out/view-h/${f##*/}" && same=$((same + 1))
done
[ "$n" = 5 ] && [ "$same" = 5 ]
ok "encrypted view: in-file-header files read as their lower bytes ($same of $n)"
k_result_ok vh-readonly
ok "encrypted view: the mount is read only"
k_result_ok vx-mount
ok "encrypted view: mounts over xattr headers"
n=0 good=0
for f in "$IN"/lower-x/*; do
	b=${f##*/}
	[ "$b" = size-0 ] && continue
	n=$((n + 1))
	want=$(($(stat -c %s "$f") + 8192))
	got=$(awk -v b="$b" '$1 == b { print $2 }' "$W/out/view-x.sizes")
	v=$W/out/view-x/$b
	if [ "$got" = "$want" ] && [ "$(stat -c %s "$v")" = "$want" ] &&
		cmp -s <(tail -c +8193 "$v") "$f"; then
		good=$((good + 1))
	else
		echo "#   $b: size $got (want $want)"
	fi
done
[ "$n" = 4 ] && [ "$good" = 4 ]
ok "encrypted view: xattr-mode files are 8192 bytes of header + the lower data ($good of $n)"
# Measured: an empty file (a 0-byte lower file) gets no header in the view.
is "$(awk '$1 == "size-0" { print $2 }' "$W/out/view-x.sizes") $(stat -c %s "$W/out/view-x/size-0" 2>/dev/null)" \
	"0 0" "encrypted view: an empty xattr-mode file shows as 0 bytes, without a header"
n=$(for f in "$W"/out/view-x/size-[1-9]*; do "$STAT" "$f"; done | grep -c '^Header location: \[front of the file\]$')
is "$n" 4 "encrypted view: the synthetic headers are in-file headers (flag 0x04 cleared)"
rm -f "$W/out/view-x/size-0" "$W/q/size-0"
"$DECRYPT" --passphrase-file "$W/pass" "$W/out/view-x" "$W/dec-view" >"$W/dec.err" 2>&1
ok "our ecryptfs-decrypt reads the encrypted view of an xattr-mode tree"
sed 's/^/#   /' "$W/dec.err" | head -5
k_same_tree "$W/q" "$W/dec-view"
ok "and gets the plaintext back (the empty file aside)"
grep -q . "$W/out/dmesg.txt" 2>/dev/null && sed 's/^/# dmesg: /' "$W/out/dmesg.txt" | tail -10
tap_done
