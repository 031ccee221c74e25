#!/bin/bash
# The pkcs11 key module end to end against a softhsm2 token the test
# initialises in a directory of its own (SOFTHSM2_CONF), with keys made by
# softhsm2-util (an openssl key imported) and pkcs11-tool (one made on the
# token): "mount -t ecryptfs ... -o key=pkcs11:uri=URI:pin_file=F,
# datapath=fuse" through our helper and FUSE daemon, which runs the module
# itself.  Checked: a tree written, unmounted, the key gone, remounted and
# read back exactly; the key moved from a PEM file onto the token opens the
# files the openssl module wrote (same signature, same OAEP); the
# pkcs11-helper alias writes PKCS#1 v1.5 packets openssl pkeyutl opens;
# a wrong PIN, another key, a deleted token refused with a message naming
# the module and the reason and the lower tree unchanged; ecryptfs-manager
# add pkcs11; the PIN asked for when no PIN file is given; generate pkcs11;
# the token removed while mounted.  In a private mount namespace whose /sbin
# holds our helpers.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/lib/syslog.sh"
W=$TESTTMP/p11
mkdir -p "$W/sbin" "$W/km" "$W/src/d/e" "$W/tokens"
FUSE=$(prog ecryptfs-fuse) || { echo "Bail out! ecryptfs-fuse not built"; exit 1; }
STAT=$(prog ecryptfs-stat) || { echo "Bail out! ecryptfs-stat not built"; exit 1; }
MGR=$(prog ecryptfs-manager) || { echo "Bail out! ecryptfs-manager not built"; exit 1; }
ln -s "$BUILDDIR/src/key_mod/pkcs11/.libs/pkcs11.so" "$W/km/pkcs11.so"
ln -s "$BUILDDIR/src/key_mod/pkcs11/.libs/pkcs11-helper.so" "$W/km/pkcs11-helper.so"
ln -s "$BUILDDIR/src/key_mod/openssl/.libs/openssl.so" "$W/km/openssl.so"
export SOFTHSM2_CONF=$W/softhsm2.conf ECRYPTFS_KEYMOD_DIR=$W/km
for p in mount.ecryptfs umount.ecryptfs; do
	printf '#!/bin/sh\nSOFTHSM2_CONF=%s ECRYPTFS_KEYMOD_DIR=%s ECRYPTFS_FUSE_PROG=%s exec %s "$@"\n' \
		"$SOFTHSM2_CONF" "$W/km" "$FUSE" "$(prog $p)" >"$W/sbin/$p"
	chmod 755 "$W/sbin/$p"
done
SO=/usr/lib/softhsm/libsofthsm2.so
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
	"$W/tokens" >"$SOFTHSM2_CONF"
softhsm2-util --init-token --free --label ecfs-test --so-pin 87654321 --pin 1234 >"$W/init.out" 2>&1
ok "softhsm2-util --init-token: a token in the test's own directory"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$W/k1.pem" 2>/dev/null
ok "openssl genpkey: an RSA key"
softhsm2-util --import "$W/k1.pem" --token ecfs-test --label k1 --id 01 --pin 1234 >"$W/imp.out" 2>&1
ok "softhsm2-util --import: the PEM key onto the token (id 01)"
openssl req -new -x509 -key "$W/k1.pem" -subj /CN=ecfs -days 3650 -outform DER -out "$W/k1.der" 2>/dev/null
pkcs11-tool --module $SO --token-label ecfs-test --login --pin 1234 --write-object "$W/k1.der" \
	--type cert --id 01 --label k1 >"$W/cert.out" 2>&1
ok "pkcs11-tool --write-object: its certificate (id 01)"
pkcs11-tool --module $SO --token-label ecfs-test --login --pin 1234 --keypairgen \
	--key-type rsa:2048 --id 02 --label k2 >"$W/gen.out" 2>&1
ok "pkcs11-tool --keypairgen: another RSA key made on the token (id 02)"
pkcs11-tool --module $SO --token-label ecfs-test --login --pin 1234 --keypairgen \
	--key-type EC:prime256v1 --id 03 --label ec >"$W/genec.out" 2>&1
ok "pkcs11-tool --keypairgen: an EC key (id 03)"
printf '1234\n' >"$W/pin"
printf '9999\n' >"$W/badpin"
chmod 600 "$W/pin" "$W/badpin"
cp -a "$W/tokens" "$W/tokens.saved"

head -c 100000 /dev/urandom >"$W/src/big"
head -c 4096 /dev/urandom >"$W/src/d/extent"
head -c 4097 /dev/urandom >"$W/src/d/e/over"
printf x >"$W/src/one"
: >"$W/src/empty"
echo "hello through the pkcs11 module" >"$W/src/hello.txt"

A=ecryptfs_cipher=aes,ecryptfs_key_bytes=16,ecryptfs_passthrough=n
A=$A,ecryptfs_enable_filename_crypto=n,no_sig_cache,datapath=fuse
U1="uri=pkcs11:token=ecfs-test;id=%01"
K1="key=pkcs11:$U1:pin_file=$W/pin"
cat >"$W/guest.sh" <<EOS
set -u
W=$W SRCDIR=$SRCDIR A=$A K1='$K1' U1='$U1' STAT=$STAT MGR=$MGR SO=$SO
EOS
cat >>"$W/guest.sh" <<'EOS'
. "$SRCDIR/tests/keymod/guest-lib.sh"

# 1. A tree under the token's key.
mnt m1 "$W/l1" "$K1,$A"
S1=$(cat "$W/m1.sig")
grep " $U " /proc/self/mounts | awk '{print "TYPE", $3}'
cp -a "$W/src/." "$U/"; res write $?
manifest "$W/src" >"$W/want"
umount "$U"; res umount1 $?
gone "$S1"; res key-unlinked $?
keyctl clear @s
mnt m2 "$W/l1" "$K1,$A"
manifest "$U" >"$W/got1"
umount "$U"
gone "$S1"
"$STAT" "$W/l1/hello.txt" >"$W/stat1" 2>&1

# 2. The key moved: the openssl module writes with the PEM file, the token reads.
mnt m3 "$W/l2" "key=openssl:keyfile=$W/k1.pem,$A"
cp -a "$W/src/." "$U/"; res write2 $?
umount "$U"
gone "$(cat "$W/m3.sig")"
mnt m4 "$W/l2" "$K1,$A"
manifest "$U" >"$W/got2"
umount "$U"
gone "$S1"

# 3. The pkcs11-helper alias: PKCS#1 v1.5, the key found through its certificate.
KH="key=pkcs11-helper:$U1:pin_file=$W/pin"
mnt m5 "$W/l3" "$KH,$A"
cp -a "$W/src/." "$U/"; res write3 $?
umount "$U"
gone "$(cat "$W/m5.sig")"
mnt m6 "$W/l3" "$KH,$A"
manifest "$U" >"$W/got3"
umount "$U"
gone "$(cat "$W/m6.sig")"

# 4. Refusals; the lower tree must not change.
manifest "$W/l1" >"$W/l1.before"
mnt m7 "$W/l1" "key=pkcs11:$U1:pin_file=$W/badpin,$A"
mnt m8 "$W/l1" "key=pkcs11:uri=pkcs11:token=ecfs-test;id=%02:pin_file=$W/pin,$A"
cat "$U/hello.txt" >"$W/wrongkey" 2>&1; res read-wrong $?
umount "$U"
gone "$(cat "$W/m8.sig")"
mnt m9 "$W/l1" "key=pkcs11:uri=pkcs11:token=ecfs-test;id=%03:pin_file=$W/pin,$A"
mnt m10 "$W/l1" "key=pkcs11:uri=pkcs11:token=ecfs-test;id=%09:pin_file=$W/pin,$A"
rm -rf "$W/tokens"/*
mnt m11 "$W/l1" "$K1,$A"
manifest "$W/l1" >"$W/l1.after"
cp -a "$W/tokens.saved/." "$W/tokens/"

# 5. ecryptfs-manager add pkcs11.
"$MGR" add pkcs11 "$U1" pin_file="$W/pin" >"$W/mgr.out" 2>&1; res mgr $?
MS=$(sed -n 's/.*signature \[\(.*\)\]\./\1/p' "$W/mgr.out")
echo "MSIG $MS"
keyctl search @u user "$MS" >/dev/null 2>&1; res mgr-key $?
"$MGR" remove "$MS" >/dev/null 2>&1
"$MGR" add pkcs11 "$U1" pin=1234 >"$W/mgr2.out" 2>&1; res mgr2 $?
"$MGR" add pkcs11 "$U1?module-path=$SO" pin_file="$W/pin" >"$W/mgr3.out" 2>&1; res mgr3 $?
"$MGR" remove "$(sed -n 's/.*signature \[\(.*\)\]\./\1/p' "$W/mgr3.out")" >/dev/null 2>&1
"$MGR" add pkcs11 "$U1?module-path=$W/nosuch.so" pin_file="$W/pin" >"$W/mgr4.out" 2>&1; res mgr4 $?

# 6. No PIN file: mount.ecryptfs asks for the PIN (echo off), once.
expect - "$W/l1" "$U" "key=pkcs11:$U1,$A" >"$W/prompt.out" 2>&1 <<'EXP'
set timeout 20
lassign $argv lower upper opts
spawn -noecho mount -t ecryptfs $lower $upper -o $opts
expect {
	"Token PIN: " { send "1234\r" }
	timeout { exit 124 }
}
expect eof
catch wait r
exit [lindex $r 3]
EXP
res prompt $?
cat "$U/hello.txt" >"$W/prompt.read" 2>&1; res prompt-read $?
umount "$U"
gone "$S1"

# 7. ecryptfs-manager generate pkcs11: a key pair made on the token.
UG="uri=pkcs11:token=ecfs-test;object=gen1"
"$MGR" generate pkcs11 "$UG" pin_file="$W/pin" bits=2048 >"$W/gen1.out" 2>&1; res gen1 $?
pkcs11-tool --module $SO --token-label ecfs-test --login --pin 1234 --list-objects \
	>"$W/objects" 2>&1
mnt m12 "$W/l4" "key=pkcs11:$UG:pin_file=$W/pin,$A"
cp -a "$W/src/." "$U/"; res write4 $?
umount "$U"
gone "$(cat "$W/m12.sig")"
keyctl clear @s
mnt m13 "$W/l4" "key=pkcs11:$UG:pin_file=$W/pin,$A"
manifest "$U" >"$W/got4"
umount "$U"
gone "$(cat "$W/m13.sig")"
"$MGR" generate pkcs11 "$UG" pin_file="$W/pin" >"$W/gen2.out" 2>&1; res gen2 $?
"$MGR" generate pkcs11 "uri=pkcs11:token=ecfs-test;object=gen3" pin_file="$W/badpin" \
	>"$W/gen3.out" 2>&1; res gen3 $?
"$MGR" generate pkcs11 "uri=pkcs11:token=ecfs-test" pin_file="$W/pin" >"$W/gen4.out" 2>&1
res gen4 $?
"$MGR" generate pkcs11 "uri=pkcs11:token=ecfs-test;object=gen5" pin_file="$W/pin" bits=1024 \
	>"$W/gen5.out" 2>&1; res gen5 $?
pkcs11-tool --module $SO --token-label ecfs-test --login --pin 1234 --list-objects \
	>"$W/objects2" 2>&1

# 8. The token removed while mounted: the file opened before still reads,
# the others fail with EIO (the daemon says why in the log), the daemon
# stays up, and with the token back a new mount reads everything.
mount --bind "$W/log.sock" /dev/log; res devlog $?
manifest "$W/l1" >"$W/l1.before8"
mnt m14 "$W/l1" "$K1,$A"
exec 7<"$U/hello.txt"
cp -a "$W/tokens" "$W/tokens.keep"
rm -rf "$W/tokens"/*
cat "$U/big" >/dev/null 2>"$W/gone-read.err"; res gone-read $?
cat <&7 >"$W/open-read"; res open-read $?
exec 7<&-
ls "$U" >"$W/gone-ls" 2>&1; res gone-ls $?
umount "$U"; res gone-umount $?
gone "$(cat "$W/m14.sig")"
rm -rf "$W/tokens"
cp -a "$W/tokens.keep" "$W/tokens"
mnt m15 "$W/l1" "$K1,$A"
manifest "$U" >"$W/got5"
umount "$U"
gone "$(cat "$W/m15.sig")"
manifest "$W/l1" >"$W/l1.after8"
EOS
# The daemon's log (section 8): a syslog catcher on /dev/log, in the guest's
# namespace only (tests/lib/syslog.sh).
syslog_catch_start "$W/log.sock" "$W/syslog"
keyctl session - unshare -m bash "$W/guest.sh" >"$W/log" 2>&1
syslog_catch_stop
r() { sed -n "s/^RES $1 //p" "$W/log"; }
isnt() { [ "$1" != "$2" ]; ok "$3"; }

S1=$(cat "$W/m1.sig")
is "$(r m1)" 0 "mount -o key=pkcs11:uri=pkcs11:token=...;id=%01:pin_file=F,datapath=fuse"
is "$(sed -n 's/^TYPE //p' "$W/log")" "fuse.ecryptfs" "a FUSE mount (no daemon but ours)"
is "$(r write)" 0 "a tree written"
is "$(r umount1)" 0 "unmounted"
is "$(r key-unlinked)" 0 "the key unlinked at unmount"
is "$(r m2)" 0 "mounted again"
check "the tree read back exactly" diff "$W/want" "$W/got1"
check "the lower file is ciphertext" bash -c "! grep -q 'pkcs11 module' '$W/l1/hello.txt'"
check "ecryptfs-stat: one tag 1 packet with the key's signature" \
	grep -qx "Key signature: \[$S1\] (tag 1, public key)" "$W/stat1"
is "$(r write2)" 0 "the openssl module wrote a tree with the same key as a PEM file"
is "$(cat "$W/m3.sig")" "$S1" "... the same signature as the token's key"
is "$(r m4)" 0 "mounted with the key on the token"
check "... the openssl module's files read back exactly" diff "$W/want" "$W/got2"
is "$(r m5)" 0 "key=pkcs11-helper: mounted"
is "$(cat "$W/m5.sig")" "$S1" "... the same key, the same signature"
is "$(r write3)" 0 "... a tree written"
is "$(r m6)" 0 "... mounted again"
check "... read back exactly" diff "$W/want" "$W/got3"
python3 - "$W/l3/hello.txt" "$W/efek" <<'EOF'
import sys
h = open(sys.argv[1], "rb").read(8192)
n = (h[27] - 192) * 256 + h[28] + 192
open(sys.argv[2], "wb").write(h[39:39 + n - 10])
EOF
openssl pkeyutl -decrypt -inkey "$W/k1.pem" -pkeyopt rsa_padding_mode:pkcs1 \
	-in "$W/efek" -out "$W/payload" 2>"$W/pkeyutl.err"
ok "openssl pkeyutl -decrypt with PKCS#1 v1.5 opens its tag 1 packet"
is "$(python3 -c 'import sys; p=open(sys.argv[1],"rb").read(); print(len(p), p[0])' "$W/payload")" \
	"19 7" "... cipher code 7 and a 16-byte FEK with its checksum"

isnt "$(r m7)" 0 "a wrong PIN: refused"
check "... naming the module and the reason" \
	grep -q 'key module pkcs11: logging in to the token: wrong PIN (not tried again)' "$W/m7.out"
is "$(r m8)" 0 "mount with another key on the token"
isnt "$(r read-wrong)" 0 "... a file of the first key does not open"
check "... an I/O error, not garbage" grep -q 'Input/output error' "$W/wrongkey"
isnt "$(r m9)" 0 "an EC key: refused"
check "... naming the module and the reason" \
	grep -q 'key module pkcs11: the key is not an RSA key' "$W/m9.out"
isnt "$(r m10)" 0 "a key not on the token: refused"
check "... naming the module and the reason" \
	grep -q 'key module pkcs11: no private key on the token matches the URI (key not found)' "$W/m10.out"
isnt "$(r m11)" 0 "the token deleted: refused"
check "... naming the module and the reason" \
	grep -q 'key module pkcs11: no token present matches the URI .* (token absent?)' "$W/m11.out"
check "nothing on disk changed" diff "$W/l1.before" "$W/l1.after"
is "$(r mgr)" 0 "ecryptfs-manager add pkcs11 uri=... pin_file=..."
is "$(sed -n 's/^MSIG //p' "$W/log")" "$S1" "... the key's signature"
is "$(r mgr-key)" 0 "... in the user keyring"
isnt "$(r mgr2)" 0 "ecryptfs-manager: a PIN on the command line is refused"
check "... saying why" grep -q 'pkcs11_pin is secret\|pin is secret' "$W/mgr2.out"
is "$(r mgr3)" 0 "a URI with module-path=: that PKCS#11 library, loaded directly"
check "... the same key" grep -q "signature \[$S1\]" "$W/mgr3.out"
isnt "$(r mgr4)" 0 "a module-path= that is no library: refused"
check "... naming the module and the reason" \
	grep -q 'key module pkcs11: cannot load the PKCS#11 module .*nosuch.so' "$W/mgr4.out"
is "$(r prompt)" 0 "no PIN file: mount.ecryptfs asks for the token's PIN and mounts"
check "... with echo off (the PIN not shown)" bash -c "! grep -q 1234 '$W/prompt.out'"
is "$(r prompt-read)" 0 "... the files open"
check "... read back exactly" cmp "$W/src/hello.txt" "$W/prompt.read"
is "$(r gen1)" 0 "ecryptfs-manager generate pkcs11 uri=...;object=gen1 pin_file=... bits=2048"
check "... says so" grep -qx 'Generated a new key with key module pkcs11.' "$W/gen1.out"
check "... an RSA 2048 private key labelled gen1 on the token" \
	bash -c "grep -A3 '^Private Key Object; RSA' '$W/objects' | grep -q 'label: *gen1'"
check "... that never leaves it (sensitive, never extractable)" \
	bash -c "grep -A8 'label: *gen1' '$W/objects' | grep -q 'never extractable'"
is "$(r m12)" 0 "mounted with key=pkcs11 and the generated key"
is "$(r write4)" 0 "... a tree written"
is "$(r m13)" 0 "... mounted again after the keyring was cleared"
check "... read back exactly" diff "$W/want" "$W/got4"
isnt "$(r gen2)" 0 "generate under a name the token has already: refused"
check "... saying so" grep -q 'key module pkcs11: a private key matching the URI is on the token already' "$W/gen2.out"
isnt "$(r gen3)" 0 "generate with a wrong PIN: refused"
check "... naming the module and the reason" \
	grep -q 'key module pkcs11: logging in to the token: wrong PIN (not tried again)' "$W/gen3.out"
isnt "$(r gen4)" 0 "generate without object= or id=: refused"
check "... saying why" grep -q 'name the new key in the URI (object=, id=)' "$W/gen4.out"
isnt "$(r gen5)" 0 "generate bits=1024: refused"
check "... saying why" grep -q 'bits=1024: from 2048 to 4096' "$W/gen5.out"
is "$(grep -c '^Private Key Object' "$W/objects2")" "$(grep -c '^Private Key Object' "$W/objects")" \
	"... and none of the refused runs left a key on the token"
is "$(r devlog)" 0 "the daemon's log caught on /dev/log"
is "$(r m14)" 0 "mounted, a file opened, then the token's files deleted"
isnt "$(r gone-read)" 0 "another file does not open"
check "... with an I/O error, not garbage" grep -q 'Input/output error' "$W/gone-read.err"
check "... the daemon's log names the module and the reason" \
	grep -q 'key module pkcs11: unwrapping a file key: RSA-OAEP decryption on the token failed: the key is gone from the token (token removed or reset?)' "$W/syslog"
is "$(r open-read)" 0 "the file opened before reads on"
check "... exactly" cmp "$W/src/hello.txt" "$W/open-read"
is "$(r gone-ls)" 0 "the daemon still serves the mount (ls)"
is "$(r gone-umount)" 0 "... and unmounts"
is "$(r m15)" 0 "the token back: mounted again"
check "... every file reads back exactly" diff "$W/want" "$W/got5"
check "... and nothing on disk changed meanwhile" diff "$W/l1.before8" "$W/l1.after8"
grep -v '^RES ' "$W/log" | sed 's/^/# /' | head -40
tap_done
