#!/bin/bash
# A lower directory that someone else can write to, with filename encryption:
# entries whose names this mount cannot decode (another filename key, the
# cast6 cipher code, a prefixed name that is not a packet) and other spellings
# of a good file's lower name (characters appended, fill bits set, another AES
# code), which decode to the same upper name, lie beside good files.  ls, ls -l, find, du
# and rm -rf of the good files work; the hostile entries are not listed; after
# ls -l (readdirplus) a good name still reads and writes its own lower file;
# the daemon logs each hidden encrypted name once (doc/format.md §8.5).
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuse/lib.sh"

PFX=ECRYPTFS_FNEK_ENCRYPTED.

# recode LOWER-NAME [CODE]: the tag 70 packet in LOWER-NAME (what its length
# octets say, doc/format.md §3.1) encoded again as our encoder does
# (doc/format.md §8.4), with its cipher code byte (after tag, length and sig) set to CODE if given.
recode() {
	python3 - "$@" <<'EOF'
import sys
A = "-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
P = "ECRYPTFS_FNEK_ENCRYPTED."
name = sys.argv[1]
bits = "".join(format(A.index(c), "06b") for c in name[len(P):])
pkt = bytearray(int(bits[i:i + 8], 2) for i in range(0, len(bits) - 7, 8))
if pkt[1] < 192:
    lenlen, body = 1, pkt[1]
else:
    lenlen, body = 2, (pkt[1] - 192) * 256 + pkt[2] + 192
pkt = pkt[:1 + lenlen + body]
if len(sys.argv) > 2:
    pkt[1 + lenlen + 8] = int(sys.argv[2], 0)
pkt += bytes(-len(pkt) % 3)
bits = "".join(format(b, "08b") for b in pkt)
print(P + "".join(A[int(bits[i:i + 6], 2)] for i in range(0, len(bits), 6)))
EOF
}

# new_lower DIR BEFORE: the one entry of DIR not in the list BEFORE.
new_lower() { ls -A "$1" | grep -vxF -f <(printf '%s\n' "$2"); }

# fill_bit LOWER-NAME: the name with its last character's lowest bit set.
# That character only fills the last group when the packet length is not a
# multiple of 3 (checked below), so the packet decodes the same.
fill_bit() {
	local a='-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
	local last=${1: -1} i
	i=${a%%"$last"*}; i=${#i}
	printf '%s%s\n' "${1%?}" "${a:$((i ^ 1)):1}"
}

pass="hostile dir $$ $RANDOM"
sig=$(efs_addkey "$pass")
fnek=$(efs_addkey --fnek "$pass")
ofnek=$(efs_addkey --fnek "another key $pass")
O="ecryptfs_sig=$sig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,ecryptfs_fnek_sig=$fnek"
L=$TESTTMP/lower M=$TESTTMP/mnt OL=$TESTTMP/other-lower OM=$TESTTMP/other-mnt
mkdir -p "$L" "$OL"

# --- the good tree, noting each file's lower name ------------------------------
check_st "mounts" efs_mount "$L" "$M" "$O" || { tap_done; exit; }
printf 'good one\n' >"$M/good1"; G1=$(new_lower "$L" "")
printf 'second file, other contents\n' >"$M/good2"; G2=$(new_lower "$L" "$G1")
mkdir "$M/sub"; S=$(new_lower "$L" "$(printf '%s\n' "$G1" "$G2")")
printf 'inner\n' >"$M/sub/inner"; I=$(new_lower "$L/$S" "")
printf 'other inner\n' >"$M/sub/other"; I2=$(new_lower "$L/$S" "$I")
mkdir -p "$M/tree/a/b"; printf 'x\n' >"$M/tree/a/b/f"; printf 'y\n' >"$M/tree/g"
check "unmounts" efs_umount "$M"
is "$(ls -A "$L" | wc -l)" 4 "four lower entries, their names known"
diag "good1 is $G1"

# --- a name under another filename key, from a mount with that key ----------------
check_st "mounts a second lower dir with another filename key" \
	efs_mount "$OL" "$OM" "${O%,*},ecryptfs_fnek_sig=$ofnek" || { tap_done; exit; }
printf 'foreign\n' >"$OM/foreign"
check "unmounts it" efs_umount "$OM"
F=$(ls -A "$OL")
cp "$OL/$F" "$L/$F"

# --- the rest of the hostile entries ------------------------------------------------
C6=$(recode "$G2" 0x0b)		# cast6 (doc/format.md §4): we lack it
GARB="${PFX}garbage-not-a-packet"
Z1="${G1}zz" Z2="${G1}-" Z3=$(fill_bit "$G1")
# The AES-256 code on good1's packet: the mount's 16-byte filename key
# decrypts it the same, but encrypting good1 gives the AES-128 code.
Z4=$(recode "$G1" 0x09)
ZI="${I}zz" ZI2=$(fill_bit "$I")
is "$(recode "$G1")" "$G1" "recode gives a lower name back unchanged"
for z in "$Z1" "$Z2" "$Z3" "$ZI" "$ZI2"; do recode "$z"; done >"$TESTTMP/recoded"
is "$(sort -u "$TESTTMP/recoded" | tr '\n' ' ')" "$(printf '%s\n' "$G1" "$I" | sort | tr '\n' ' ')" \
	"the other spellings hold good1's and inner's packets unchanged"
for h in "$C6" "$GARB" "$Z1" "$Z2" "$Z3" "$Z4"; do cp "$L/$G2" "$L/$h"; done
for h in "$ZI" "$ZI2"; do cp "$L/$S/$I2" "$L/$S/$h"; done
sha_g1=$(sha256sum <"$L/$G1") sha_z1=$(sha256sum <"$L/$Z1")
sha_i=$(sha256sum <"$L/$S/$I") sha_zi=$(sha256sum <"$L/$S/$ZI")

# --- through the mount ---------------------------------------------------------------
check_st "mounts in the foreground with a log" efs_mount_fg "$L" "$M" "$O" "$TESTTMP/log" ||
	{ tap_done; exit; }
ls "$M" >"$TESTTMP/ls" 2>"$TESTTMP/ls.err"; ok "ls succeeds"
is "$(tr '\n' ' ' <"$TESTTMP/ls")" "good1 good2 sub tree " "ls lists the good entries, each once, nothing else"
ls -l "$M" >"$TESTTMP/lsl" 2>"$TESTTMP/lsl.err"; ok "ls -l succeeds"
is "$(grep -c '^[-d]' "$TESTTMP/lsl")" 4 "ls -l lists four entries"
is "$(cat "$M/good1")" "good one" "after ls -l, good1 reads its own lower file, not a copy under another spelling"
ls -l "$M/sub" >"$TESTTMP/lsl2" 2>&1; ok "ls -l of the subdirectory succeeds"
is "$(awk '/^-/ { print $NF }' "$TESTTMP/lsl2" | tr '\n' ' ')" "inner other " "it lists inner and other, each once"
is "$(cat "$M/sub/inner")" "inner" "after ls -l, sub/inner reads its own lower file"
find "$M" >"$TESTTMP/find" 2>"$TESTTMP/find.err"; ok "find succeeds"
is "$(wc -l <"$TESTTMP/find")" 11 "find lists the root and the ten good entries"
du -s "$M" >/dev/null 2>"$TESTTMP/du.err"; ok "du succeeds"
ls -A "$M" >/dev/null; ok "ls -A succeeds again"
printf 'appended\n' >>"$M/good1"; ok "append to good1"
printf 'inner2\n' >"$M/sub/inner"; ok "rewrite sub/inner"
is "$(cat "$M/good1")" "good one
appended" "good1 reads back with the append"
[ "$(sha256sum <"$L/$G1")" != "$sha_g1" ]; ok "the write landed in good1's lower file"
is "$(sha256sum <"$L/$Z1")" "$sha_z1" "... not in the copy named good1's lower name + zz"
[ "$(sha256sum <"$L/$S/$I")" != "$sha_i" ]; ok "the rewrite landed in inner's lower file"
is "$(sha256sum <"$L/$S/$ZI")" "$sha_zi" "... not in the copy named inner's lower name + zz"

# --- the log: each hidden encrypted name once, with its reason ---------------------
said() { grep -cF "entry $1 left out of listings" "$TESTTMP/log"; }
bad=0
for h in "$F" "$C6" "$GARB" "$Z1" "$Z2" "$Z3" "$Z4" "$ZI" "$ZI2"; do
	n=$(said "$h")
	[ "$n" = 1 ] || { diag "logged $n times: $h"; bad=$((bad + 1)); }
done
is "$bad" 0 "every hidden name is logged exactly once over all listings"
grep -F "entry $F left" "$TESTTMP/log" | grep -q "another filename key (sig $ofnek)"
ok "... the foreign one naming the other filename key's sig"
grep -F "entry $C6 left" "$TESTTMP/log" | grep -q "cast6 is not supported"
ok "... the cast6 one naming the cipher"
is "$(said "$G1")$(said "$I")$(said "$G2")" 000 "good names are not logged"
sed 's/^/#   /' "$TESTTMP/log" | head -12

# --- rm -rf of the good files ------------------------------------------------------
rm -rf "$M/good1" "$M/good2" "$M/tree" 2>"$TESTTMP/rm.err"; ok "rm -rf of the good files and a good tree succeeds"
rm -rf "$M/sub/"* 2>>"$TESTTMP/rm.err"; ok "rm -rf of the good files in sub succeeds"
is "$(ls -A "$M" | tr '\n' ' ')" "sub " "only sub is left"
is "$(ls -A "$M/sub" | wc -l)" 0 "sub lists empty"
left=0
for h in "$F" "$C6" "$GARB" "$Z1" "$Z2" "$Z3" "$Z4"; do [ -e "$L/$h" ] && left=$((left + 1)); done
for h in "$ZI" "$ZI2"; do [ -e "$L/$S/$h" ] && left=$((left + 1)); done
is "$left" 9 "the hostile lower entries are untouched"
check "unmounts" efs_umount "$M"
efs_sanitizer_check
tap_done
