#!/bin/bash
# Generated trees through ecryptfs-encrypt and back through ecryptfs-decrypt:
# sizes 0..4 extents +-1, names of 1..143 bytes (ASCII and UTF-8), a deep
# tree, symlinks (short, absolute, dangling, 3000-byte targets), hard links,
# a fifo, odd modes and times, for AES-128 plain names, AES-256 --fnek,
# AES-192 --fnek-same-key, xattr metadata and legacy ciphers.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/offline/offline-lib.sh"

P=$TESTTMP/plain
pool='abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.~+=,;!@#%^&()[]{}'
name_of_len() {	# LEN: a name of exactly LEN bytes drawn from the pool
	local l=$1 i s=
	for ((i = 0; i < l; i++)); do s+=${pool:$(((i * 7 + l * 3) % ${#pool})):1}; done
	[ "$s" = . ] || [ "$s" = .. ] && s=x${s:1}
	printf '%s' "$s"
}
rep() { local s= i; for ((i = 0; i < $2; i++)); do s+=$1; done; printf '%s' "$s"; }

gen_tree() {
	mkdir -p "$P/names" "$P/empty-dir"
	for n in 0 1 15 16 17 4095 4096 4097 8191 8192 8193 12287 12288 12289 16383 16384 16385; do
		head -c "$n" /dev/urandom >"$P/size-$n"
	done
	for ((l = 1; l <= 143; l++)); do
		printf '%d\n' "$l" >"$P/names/$(name_of_len "$l")"
	done
	printf 'e\n' >"$P/names/$(rep é 71)x"		# 143 bytes of 2-byte UTF-8
	printf 'k\n' >"$P/names/$(rep 名 47)ab"		# 143 bytes of 3-byte UTF-8
	printf 'f\n' >"$P/names/$(rep 😀 35)abc"		# 143 bytes of 4-byte UTF-8
	d=$P/deep
	for ((i = 1; i <= 40; i++)); do d=$d/level-$i; done
	mkdir -p "$d" && printf 'bottom\n' >"$d/leaf.txt"
	ln -s size-1 "$P/link-rel"
	ln -s /etc/hostname "$P/link-abs"
	ln -s "nowhere/$(rep x 100)" "$P/link-dangling"
	ln -s "$(rep a/ 1499)z/y" "$P/link-3000"
	ln -s "../../size-17" "$P/names/link-up"
	ln "$P/size-4097" "$P/hardlink-4097"
	ln "$P/size-4097" "$P/deep/level-1/hardlink-4097-too"
	ln "$P/size-0" "$P/names/hardlink-0"
	mkfifo "$P/fifo"
	chmod 0600 "$P/size-1"
	chmod 0444 "$P/size-15"
	chmod 4755 "$P/size-16"
	chmod 0750 "$P/deep"
	touch -h -d '2001-02-03 04:05:06.123456789' "$P/size-8192" "$P/link-rel"
	setfattr -n user.note -v "a file's xattr" "$P/size-4097"
	setfattr -n user.dirnote -v 0x00ff01 "$P/empty-dir"
	touch -d '1999-12-31 23:59:59' "$P/names" "$P/empty-dir" "$P"
}
gen_tree
printf 'round trip passphrase\n' >"$TESTTMP/pass"
check "the generated tree has every case" test -p "$P/fifo" -a -L "$P/link-3000" \
	-a -f "$P/names/$(name_of_len 143)"

roundtrip() {	# LABEL MODE(fnek|plain) XATTR(0|1) ENCRYPT-OPTIONS...
	local label=$1 mode=$2 xattr=$3 L=$TESTTMP/lower-$1 O=$TESTTMP/out-$1 bad
	shift 3
	"$ENCRYPT" --passphrase-file "$TESTTMP/pass" "$@" "$P" "$L" 2>"$TESTTMP/err"
	ok "$label: ecryptfs-encrypt $* exits 0"
	sed 's/^/#   /' "$TESTTMP/err" | head -5
	"$DECRYPT" --passphrase-file "$TESTTMP/pass" "$L" "$O" 2>"$TESTTMP/err"
	ok "$label: ecryptfs-decrypt exits 0"
	sed 's/^/#   /' "$TESTTMP/err" | head -5
	check "$label: decrypts to the input tree" same_tree "$P" "$O"
	# Lower sizes: header + whole extents (of the size field), or only the
	# extents in xattr mode.
	bad=$(cd "$L" || { echo "cannot enter $L"; exit; }
		find . -maxdepth 1 -type f -print0 | { n=0; while IFS= read -r -d '' p; do
		n=$((n + 1))
		s=$(stat -c %s "$p")
		if [ "$xattr" = 1 ]; then
			x=$(getfattr -h -n user.ecryptfs -e hex --absolute-names "$p" 2>/dev/null |
				sed -n 's/^user.ecryptfs=0x\(.\{16\}\).*/\1/p')
			[ -n "$x" ] || { echo "$p: no xattr"; continue; }
			x=$((16#$x)) h=0
		else
			x=$(od -An -tu8 --endian=big -N8 "$p" | tr -d ' ') h=8192
		fi
		[ "$s" -eq $((h + (x + 4095) / 4096 * 4096)) ] || echo "$p: lower size $s for size $x"
	done; [ "$n" -gt 0 ] || echo "no lower files"; })
	is "$bad" "" "$label: every lower size is header + whole extents of the size field"
	is "$(getfattr -h --absolute-names --only-values -n user.note "$O/size-4097" 2>/dev/null)" "a file's xattr" \
		"$label: a file's user xattr comes back"
	is "$(getfattr -h --absolute-names -e hex -n user.dirnote "$O/empty-dir" 2>/dev/null | sed -n 's/^user.dirnote=//p')" \
		0x00ff01 "$label: a directory's user xattr comes back"
	is "$(getfattr -h -d -m '^user\.ecryptfs$' "$O/size-4097" 2>/dev/null)" "" \
		"$label: no user.ecryptfs on the output"
	if [ "$mode" = fnek ]; then
		bad=$(cd "$L" 2>&1 && find . -mindepth 1 -printf '%f\n' | grep -v '^ECRYPTFS_FNEK_ENCRYPTED\.' | head -3)
		is "$bad" "" "$label: every lower name is encrypted"
		bad=$(cd "$L" 2>&1 && find . -type l -printf '%l\n' | grep -v '^ECRYPTFS_FNEK_ENCRYPTED\.' | head -3)
		is "$bad" "" "$label: every lower symlink target is encrypted"
	else
		check "$label: names stay plaintext" test -f "$L/names/$(name_of_len 143)"
	fi
}

roundtrip aes128-plain plain 0 -o ecryptfs_cipher=aes,ecryptfs_key_bytes=16
roundtrip aes256-fnek fnek 0 --fnek -o ecryptfs_key_bytes=32
roundtrip aes192-same-key fnek 0 --fnek-same-key -o ecryptfs_key_bytes=24
roundtrip aes128-xattr fnek 1 --fnek -o ecryptfs_key_bytes=16,ecryptfs_xattr_metadata
roundtrip blowfish56-fnek fnek 0 --fnek -o ecryptfs_cipher=blowfish,ecryptfs_key_bytes=56
roundtrip cast5-same-key fnek 0 --fnek-same-key -o ecryptfs_cipher=cast5,ecryptfs_key_bytes=16
roundtrip twofish32-fnek fnek 0 --fnek -o ecryptfs_cipher=twofish,ecryptfs_key_bytes=32
roundtrip des3-fn-aes fnek 0 --fnek -o ecryptfs_cipher=des3_ede,ecryptfs_key_bytes=24,ecryptfs_fn_cipher=aes,ecryptfs_fn_key_bytes=32

# (names/hardlink-0 alone is a single link: compare with a copy of that.)
cp -a "$P/names" "$TESTTMP/names-only"
# A legacy filename cipher whose key size differs from the data key: the
# decryptor needs --fn-key-bytes, as the kernel needs ecryptfs_fn_key_bytes.
"$ENCRYPT" --passphrase-file "$TESTTMP/pass" --fnek -o ecryptfs_key_bytes=16 \
	--fn-cipher blowfish --fn-key-bytes 32 "$TESTTMP/names-only" "$TESTTMP/lower-bf32" \
	2>"$TESTTMP/err"
ok "blowfish-32 names over AES-128 data: encrypt exits 0"
"$DECRYPT" --passphrase-file "$TESTTMP/pass" --fn-key-bytes 32 "$TESTTMP/lower-bf32" \
	"$TESTTMP/out-bf32" 2>"$TESTTMP/err"
ok "... and decrypts with --fn-key-bytes 32"
check "... to the input" same_tree "$TESTTMP/names-only" "$TESTTMP/out-bf32"

tap_done
