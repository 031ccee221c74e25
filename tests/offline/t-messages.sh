#!/bin/bash
# The offline tools name what is wrong with a key size instead of "Invalid
# argument": ecryptfs-encrypt given a size the cipher does not take, and
# ecryptfs-decrypt and ecryptfs-stat on a lower file whose header pairs a
# cipher with a key size it cannot use (a blowfish file's 56-byte key under
# the AES code, or under des3_ede's).
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/offline/offline-lib.sh"
STAT=$(prog ecryptfs-stat)

P=$TESTTMP/plain L=$TESTTMP/lower
mkdir -p "$P"
printf 'pass for messages\n' >"$TESTTMP/pass"
printf 'some data\n' >"$P/f"

"$ENCRYPT" --passphrase-file "$TESTTMP/pass" -o ecryptfs_key_bytes=17 "$P" "$TESTTMP/l17" 2>"$TESTTMP/err"
is "$? $(cat "$TESTTMP/err")" "2 ecryptfs-encrypt: ecryptfs_key_bytes=17: aes takes 16, 24 or 32" \
	"encrypt, aes with 17 bytes: the sizes aes takes"
"$ENCRYPT" --passphrase-file "$TESTTMP/pass" -o ecryptfs_cipher=twofish,ecryptfs_key_bytes=24 \
	"$P" "$TESTTMP/l24" 2>"$TESTTMP/err"
is "$? $(cat "$TESTTMP/err")" "2 ecryptfs-encrypt: ecryptfs_key_bytes=24: twofish takes 16 or 32" \
	"encrypt, twofish with 24 bytes: the sizes twofish takes"

check "encrypt with blowfish and a 56-byte key" "$ENCRYPT" --passphrase-file "$TESTTMP/pass" \
	-o ecryptfs_cipher=blowfish,ecryptfs_key_bytes=56 "$P" "$L"
# the tag 3 packet follows the 26 bytes of header fields: its tag (0x8c),
# one length byte, the version (4), then the cipher code (doc/format.md)
is "$(od -An -tx1 -j 26 -N 4 "$L/f" | tr -d ' ')" 8c450404 "the cipher code is at offset 29"
for code in 07:aes:'16, 24 or 32' 09:aes:'16, 24 or 32' 02:des3_ede:24; do
	c=${code%%:*} rest=${code#*:}
	name=${rest%%:*} sizes=${rest#*:}
	cp "$L/f" "$TESTTMP/bad-$c"
	printf "\\x$c" | dd of="$TESTTMP/bad-$c" bs=1 seek=29 conv=notrunc status=none
	mkdir -p "$TESTTMP/in-$c" && cp "$TESTTMP/bad-$c" "$TESTTMP/in-$c/f"
	"$DECRYPT" --passphrase-file "$TESTTMP/pass" "$TESTTMP/in-$c" "$TESTTMP/out-$c" 2>"$TESTTMP/err"
	is "$? $(head -1 "$TESTTMP/err")" \
		"1 ecryptfs-decrypt: $TESTTMP/in-$c/f: a 56-byte key in the header: $name takes $sizes" \
		"decrypt, code 0x$c with a 56-byte key: what $name takes"
	"$STAT" "$TESTTMP/bad-$c" >"$TESTTMP/out"
	is "$(sed -n 's/^Header: //p' "$TESTTMP/out")" "[unsound: a 56-byte key ($name takes $sizes)]" \
		"stat, code 0x$c: what $name takes"
done
tap_done
