#!/bin/bash
# ecryptfs-stat against the reference (Debian's ecryptfs-utils 111 binary):
# the reference's lines byte for byte on every kernel-written vector file and
# on synthetic headers; our added lines (cipher, signatures, extents, the
# soundness verdict); corrupt, truncated, empty and foreign files give clean
# messages and never crash.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/lib/reference.sh"

STAT=$(prog ecryptfs-stat)
W=$TESTTMP/stat
mkdir -p "$W/syn" "$W/v"
ref_fetch
ok "reference ecryptfs-utils 111 available"

# Run both: stdout to $W/{ref,ours}.out, status to $W/{ref,ours}.rc.
both() {
	ref ecryptfs-stat "$@" >"$W/ref.out" 2>"$W/ref.err"
	echo $? >"$W/ref.rc"
	"$STAT" "$@" >"$W/ours.out" 2>"$W/ours.err"
	echo $? >"$W/ours.rc"
}
# The reference's lines of ours (-r) must equal its whole output.
same_as_ref() {	# FILE [FILE-FOR-THE-REFERENCE]
	ref ecryptfs-stat "${2:-$1}" >"$W/ref.out" 2>&1
	"$STAT" -r "$1" >"$W/ours.out" 2>&1
	[ "${2:-}" ] && sed -i "s|${2}|${1}|" "$W/ref.out"
	cmp -s "$W/ref.out" "$W/ours.out" && return 0
	echo "#   $1:"; diff "$W/ref.out" "$W/ours.out" | sed 's/^/#   /' | head -10
	return 1
}

# --- usage, help, options
both
is "$(cat "$W/ours.rc") $(sed '$s|^.*/||' "$W/ours.out")" \
	"$(cat "$W/ref.rc") $(sed '$s|^.*/||' "$W/ref.out")" "no argument: the reference's usage, exit 0"
"$STAT" --help >"$W/o" 2>&1
ok "--help exits 0"
grep -q '^Usage: ecryptfs-stat' "$W/o" && grep -q -- '--strict' "$W/o"
ok "--help describes the options"
"$STAT" --bogus x >"$W/o" 2>"$W/e"
is "$? $(cat "$W/e")" "2 ecryptfs-stat: unknown option [--bogus] (try --help)" "unknown option: exit 2, named"
"$STAT" -V | grep -q 'ecryptfs-utils 111'
ok "--version names the reference version"

# --- every lower file of every kernel-written vector set
for set in "$VECTORS"/*/; do
	set=$(basename "$set")
	d=$W/v/$set
	mkdir -p "$d"
	for t in lower.tar dot-Private.tar; do
		[ -f "$VECTORS/$set/$t" ] && tar --xattrs --xattrs-include='*' -C "$d" -xpf "$VECTORS/$set/$t"
	done
	sig=$(grep -o 'ecryptfs_sig=[0-9a-f]*' "$VECTORS/$set/MANIFEST.md" | head -1 | cut -d= -f2)
	case $set in
	aes128* | setup-private*) want="aes], key size [16]" ;;
	aes192*) want="aes], key size [24]" ;;
	aes256*) want="aes], key size [32]" ;;
	legacy-*) n=${set##*-}; c=${set#legacy-}; want="${c%-*}], key size [$n]" ;;
	esac
	nf=0 refbad=0 bad=0
	while IFS= read -r -d '' f; do
		nf=$((nf + 1))
		if [ "$set" = aes128-xattr ]; then
			# The reference ignores the xattr: give it the value as a file.
			getfattr --only-values -n user.ecryptfs "$f" >"$W/xval" 2>/dev/null
			same_as_ref "$f" "$W/xval" || refbad=$((refbad + 1))
		else
			same_as_ref "$f" || refbad=$((refbad + 1))
		fi
		"$STAT" "$f" >"$W/full" 2>&1
		if ! grep -qxF "Header: [sound]" "$W/full" ||
			! grep -qxF "Key signature: [$sig] (tag 3, passphrase)" "$W/full" ||
			! grep -qF "Cipher: [$want" "$W/full" ||
			! grep -qxF "Key packets: [1]" "$W/full"; then
			bad=$((bad + 1))
			[ $bad -le 2 ] && sed "s|^|#   $set: |" "$W/full"
		fi
	done < <(find "$d" -type f -print0)
	[ "$nf" -gt 0 ] && [ "$refbad" = 0 ]
	ok "$set: the reference's lines, byte for byte ($nf lower files)"
	[ "$nf" -gt 0 ] && [ "$bad" = 0 ]
	ok "$set: sound, sig $sig, cipher ${want%%]*} ${want##*[}"
done
f=$(find "$W/v/aes128-xattr" -type f -size +0 | head -1)
"$STAT" "$f" >"$W/o"
grep -qxF 'Metadata in the extended attribute region' "$W/o" &&
	grep -qxF 'Header location: [user.ecryptfs extended attribute]' "$W/o" &&
	grep -q 'data at lower offset \[0\]$' "$W/o"
ok "xattr mode: header from user.ecryptfs, data at offset 0"

# --- synthetic headers (doc/format.md §2.6)
python3 - "$W/syn" <<'EOF'
import struct, sys, os
d = sys.argv[1]
PK = (bytes([0x8c, 0x1d, 4, 7, 3, 1]) + bytes.fromhex('0011223344556677') + b'\x60'
      + bytes(16) + bytes([0xed, 0x16, 0x62, 0x08]) + b'_CONSOLE' + bytes(4)
      + bytes.fromhex('3ab38bb4917daae6'))
def hdr(size=4097, magic=0x3c81b7f5, ver=3, flags=2, es=4096, ec=2, pk=PK, total=16384):
    m1 = 0x5cf08728
    # Version 0 has no header-extent fields: packets start at offset 20.
    b = (struct.pack('>QII', size, m1, m1 ^ magic) + bytes([ver, 0, 0, flags])
         + (struct.pack('>IH', es, ec) if ver else b'') + pk + b'\0')
    return b + bytes(max(0, total - len(b)))
cases = {
    'good': hdr(), 'hmac': hdr(flags=3), 'plaintext-flag': hdr(flags=0),
    'xattr-flag-in-file': hdr(flags=6), 'fnek-flag': hdr(flags=0xa),
    'v0': hdr(ver=0), 'v1': hdr(ver=1), 'v2': hdr(ver=2), 'v4': hdr(ver=4),
    'hdr-4096': hdr(ec=1), 'hdr-0': hdr(es=0), 'hdr-65536': hdr(ec=16, total=65536 + 8192),
    'bad-marker': hdr(magic=0x12345678), 'no-packets': hdr(pk=b''),
    'size-max': hdr(size=2**64 - 1), 'header-only': hdr(total=8192),
    'extra-extent': hdr(total=20480), 'empty-file-header': hdr(size=0, total=8192),
    'cut-10': hdr()[:10], 'cut-19': hdr()[:19], 'cut-26': hdr()[:26], 'cut-40': hdr()[:40],
    'cut-100': hdr()[:100], 'cut-5000': hdr()[:5000],
    'unknown-cipher': hdr(pk=PK[:3] + b'\x77' + PK[4:]),
    'tag11-alone': hdr(pk=PK[31:]),
    'bad-length': hdr(pk=b'\x8c\xff' + PK[2:]),
    'zeros': bytes(8192), 'random': os.urandom(8192), 'empty': b'',
    # Several keys: every packet wraps the same FEK (doc/format.md §3.2).
    'two-keys': hdr(pk=PK + PK[:-8] + bytes.fromhex('dfe2081a9780d1ee')),
    # A public-key packet (tag 1, RSA-1024 blob) before the passphrase one.
    'tag1-and-tag3': hdr(pk=bytes([0x01, 10 + 128, 0x03]) + bytes.fromhex('0123456789abcdef')
                         + b'\x01' + os.urandom(128) + PK),
    'tag1-only': hdr(pk=bytes([0x01, 10 + 128, 0x03]) + bytes.fromhex('0123456789abcdef')
                     + b'\x01' + os.urandom(128)),
}
for k, v in cases.items():
    open(os.path.join(d, k), 'wb').write(v)
EOF
ok "synthetic headers written"
refbad=0
for f in "$W/syn"/*; do
	same_as_ref "$f" || refbad=$((refbad + 1))
done
is "$refbad" 0 "synthetic headers: the reference's lines, byte for byte ($(ls "$W/syn" | wc -l) files)"

verdict() { "$STAT" "$W/syn/$1" | sed -n 's/^Header: //p'; }
is "$(verdict good)" "[sound]" "a kernel-style header is sound"
is "$("$STAT" "$W/syn/good" | sed -n 7,13p | tr '\n' '|')" \
	"Header location: [front of the file]|Cipher: [aes], key size [16] bytes (code 0x07)|Key packets: [1]|Key signature: [3ab38bb4917daae6] (tag 3, passphrase)|Extents: [2] of [4096] bytes, data at lower offset [8192]|Lower file size: [16384]|Header: [sound]|" \
	"our lines after the reference's"
is "$("$STAT" "$W/syn/two-keys" | grep '^Key' | tr '\n' '|')" \
	"Key packets: [2]|Key signature: [3ab38bb4917daae6] (tag 3, passphrase)|Key signature: [dfe2081a9780d1ee] (tag 3, passphrase)|" \
	"two passphrase packets: both signatures, in file order"
is "$(verdict two-keys)" "[sound]" "two keys: sound"
is "$("$STAT" "$W/syn/tag1-and-tag3" | grep '^Key\|^Cipher' | tr '\n' '|')" \
	"Cipher: [aes], key size [16] bytes (code 0x07)|Key packets: [2]|Key signature: [0123456789abcdef] (tag 1, public key)|Key signature: [3ab38bb4917daae6] (tag 3, passphrase)|" \
	"a tag 1 packet: its key identifier; the cipher from the passphrase packet"
is "$("$STAT" "$W/syn/tag1-only" | grep '^Cipher\|^Header:' | tr '\n' '|')" \
	"Cipher: [not stated: public-key packets only]|Header: [sound]|" \
	"tag 1 only: the cipher is not in the clear, still sound"
is "$(verdict v0)" "[sound]" "a version 0 header (packets at offset 20) is read"
is "$(verdict v4)" "[unsound: file format version above 3]" "version 4: unsound"
is "$(verdict hdr-65536)" "[sound]" "a 64 KiB header (64 KiB-page hosts) is sound"
is "$(verdict hdr-4096)" "[unsound: malformed header or key packets]" "a 4096-byte header: unsound"
is "$(verdict bad-marker)" "[none: no eCryptfs marker: not an eCryptfs file]" "no marker: no header"
is "$(verdict no-packets)" "[unsound: malformed header or key packets]" "no key packet: unsound"
is "$(verdict tag11-alone)" "[unsound: malformed header or key packets]" "a tag 11 alone: unsound"
is "$(verdict bad-length)" "[unsound: malformed header or key packets]" "a length octet the kernel rejects: unsound"
is "$(verdict unknown-cipher)" "[unsound: unknown cipher code in a key packet]" "unknown cipher code: unsound"
is "$(verdict plaintext-flag)" "[unsound: the encrypted flag is clear]" "encrypted flag clear: unsound"
verdict xattr-flag-in-file | grep -q 'flag 0x04 (metadata in xattr) in an in-file header'
ok "flag 0x04 in an in-file header: unsound"
is "$(verdict header-only)" "[unsound: lower file is 8192 bytes, the size field needs 16384 (data missing)]" \
	"missing data extents: unsound"
is "$(verdict extra-extent)" "[unsound: lower file is 20480 bytes, the size field accounts for 16384]" \
	"extra data extents: unsound"
is "$(verdict empty-file-header)" "[sound]" "an empty file's header (8192 bytes, size 0) is sound"
"$STAT" "$W/syn/empty-file-header" | grep -qxF 'Extents: [0] of [4096] bytes, data at lower offset [8192]'
ok "empty file: no extents"
is "$(verdict size-max)" "[unsound: the size field (18446744073709551615) is larger than any file can be]" \
	"a size field of 2^64-1 does not crash"
is "$(verdict cut-5000)" "[unsound: lower file is 5000 bytes, the size field needs 16384 (data missing)]" \
	"a file cut inside the header region: unsound"
is "$(verdict cut-100)" "[unsound: lower file is 100 bytes, the size field needs 16384 (data missing)]" \
	"a file cut after the packets: data missing"
is "$(verdict cut-40)" "[unsound: truncated header]" "a file cut inside the packets: truncated"

# --- the departure: 20..25 bytes of a version >= 1 header
check "26 bytes of a v3 header: -r reads them, exit 0" "$STAT" -r "$W/syn/cut-26"
python3 -c 'import sys; sys.stdout.buffer.write(open(sys.argv[1],"rb").read()[:22])' "$W/syn/good" >"$W/syn22"
"$STAT" "$W/syn22" >"$W/o"
is "$(head -2 "$W/o" | tr '\n' '|')" \
	"ecryptfs_parse_stat: Invalid metadata size; must have at least [26] bytes; there are only [22] bytes|Valid eCryptfs metadata information not found in [$W/syn22]|" \
	"22 bytes of a v3 header: too short, not the reference's garbage"

# --- errors: clean messages, never a crash
n=0 bad=0
for f in "$W/syn"/* "$W/syn22"; do
	n=$((n + 1))
	"$STAT" "$f" >/dev/null 2>"$W/e"
	st=$?
	[ "$st" = 0 ] && [ ! -s "$W/e" ] || { echo "#   $f: exit $st $(cat "$W/e")"; bad=$((bad + 1)); }
done
[ "$n" -gt 30 ] && [ "$bad" = 0 ]
ok "every synthetic, corrupt or truncated file: exit 0, nothing on stderr"
diag "$bad of $n files failed"
is "$(verdict empty)" "[none: empty file without a user.ecryptfs attribute]" "empty file: no header"
"$STAT" "$W/nonexistent" >"$W/o" 2>"$W/e"
is "$? $(cat "$W/e") $(wc -c <"$W/o")" \
	"1 ecryptfs-stat: opening [$W/nonexistent]: No such file or directory 0" "missing file: exit 1, stderr"
"$STAT" "$W" >"$W/o" 2>"$W/e"
is "$? $(cat "$W/e")" "1 ecryptfs-stat: reading [$W]: Is a directory" "a directory: exit 1, stderr"
mkfifo "$W/fifo"
timeout 10 "$STAT" "$W/fifo" >"$W/o" 2>&1
is "$?" 0 "a FIFO without writer does not hang"
"$STAT" "$W/syn/good" "$W/nonexistent" "$W/syn/bad-marker" >"$W/o" 2>"$W/e"
is "$?" 1 "several files: exit 1 when one is missing"
is "$(grep -c '^File version\|^Valid eCryptfs' "$W/o")" 2 "several files: the others are still shown"
# each report is headed by its file's name (ls-style "NAME:"), blocks apart
# by one empty line; the missing file's heading stays, its error on stderr
is "$(grep ':$' "$W/o" | tr '\n' '|')" "$W/syn/good:|$W/nonexistent:|$W/syn/bad-marker:|" \
	"several files: each report headed by its file name, in order"
check "... the first on the first line, each other one after an empty line" awk '
	NR == 1 && !/:$/ { bad = 1 } NR > 1 && /:$/ && prev != "" { bad = 1 } { prev = $0 }
	END { exit bad }' "$W/o"
sed -n '/^.*\/bad-marker:$/,$p' "$W/o" | sed 1d >"$W/o.last"
"$STAT" "$W/syn/bad-marker" >"$W/o.one"
check "several files: a report under its heading equals the one-file report" cmp "$W/o.one" "$W/o.last"
head -1 "$W/o.one" >"$W/o.first"
check "one file: no heading, the reference's first line first" grep -qx 'ecryptfs_parse_stat: Magic eCryptfs marker not found in header.' "$W/o.first"

# --- --strict
"$STAT" -s "$W/syn/good" >/dev/null
is "$?" 0 "--strict: sound header, exit 0"
"$STAT" -s "$W/syn/bad-marker" >/dev/null
is "$?" 3 "--strict: no header, exit 3"
"$STAT" -s "$W/syn/header-only" >/dev/null
is "$?" 3 "--strict: unsound header, exit 3"
"$STAT" -r -s "$W/syn/header-only" >/dev/null
is "$?" 0 "--strict with --reference-only judges only what the reference checks"
tap_done
