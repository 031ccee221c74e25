#!/bin/bash
# The openssl key module end to end, with no daemon: "mount -t ecryptfs
# ... -o key=openssl:keyfile=K,datapath=fuse" runs our helper, which puts
# the module key's token into @u; our FUSE daemon runs the module itself
# for the tag 1 packets.  Keys made by openssl genpkey (one encrypted).
# Checked: a tree written, unmounted (the key unlinked), remounted and read
# back exactly; the tag 1 packet (ecryptfs-stat), its signature computed
# independently, and openssl pkeyutl's own OAEP decryption of it giving
# cipher code, FEK and checksum; a file under a passphrase key and a module
# key opened by either; a wrong key, a missing module, an encrypted key
# without its passphrase, a wrong passphrase and an EC key refused with a
# message naming the module; the dialogue offering the module when no key=
# is given; a module of passphrase-type keys (tag 3) through the same path.  In a private mount namespace whose /sbin
# holds our helpers.
. "$SRCDIR/tests/lib/tap.sh"
W=$TESTTMP/ossl
mkdir -p "$W/sbin" "$W/km" "$W/src/d/e"
FUSE=$(prog ecryptfs-fuse) || { echo "Bail out! ecryptfs-fuse not built"; exit 1; }
STAT=$(prog ecryptfs-stat) || { echo "Bail out! ecryptfs-stat not built"; exit 1; }
ADDKEY=$(prog ecfs-addkey) || { echo "Bail out! ecfs-addkey not built"; exit 1; }
ln -s "$BUILDDIR/src/key_mod/openssl/.libs/openssl.so" "$W/km/openssl.so"
# A module of passphrase-type keys (tests/keymod/toymod.c, TOY_DERIVE).
ln -s "$BUILDDIR/tests/keymod/.libs/toypass.so" "$W/km/toypass.so"
for p in mount.ecryptfs umount.ecryptfs; do
	printf '#!/bin/sh\nECRYPTFS_KEYMOD_DIR=%s ECRYPTFS_FUSE_PROG=%s exec %s "$@"\n' \
		"$W/km" "$FUSE" "$(prog $p)" >"$W/sbin/$p"
	chmod 755 "$W/sbin/$p"
done

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$W/k1.pem" 2>/dev/null
ok "openssl genpkey: an RSA key"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -aes-256-cbc \
	-pass pass:'pem secret' -out "$W/k2.pem" 2>/dev/null
ok "openssl genpkey: an encrypted RSA key"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$W/k3.pem" 2>/dev/null
ok "openssl genpkey: another RSA key"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$W/ec.pem" 2>/dev/null
ok "openssl genpkey: an EC key"
printf 'openssl_passwd=pem secret\n' >"$W/pemfile"
printf 'openssl_passwd=wrong\n' >"$W/badpemfile"
printf 'passwd=mixed passphrase\n' >"$W/passfile"
chmod 600 "$W"/*.pem "$W/pemfile" "$W/badpemfile" "$W/passfile"

# A tree with sizes around the extent size.
head -c 100000 /dev/urandom >"$W/src/big"
head -c 4096 /dev/urandom >"$W/src/d/extent"
head -c 4097 /dev/urandom >"$W/src/d/e/over"
printf x >"$W/src/one"
: >"$W/src/empty"
echo "hello through the openssl module" >"$W/src/hello.txt"

A=ecryptfs_cipher=aes,ecryptfs_key_bytes=16,ecryptfs_passthrough=n
A=$A,ecryptfs_enable_filename_crypto=n,no_sig_cache,datapath=fuse
K1=key=openssl:keyfile=$W/k1.pem
cat >"$W/guest.sh" <<EOS
set -u
W=$W SRCDIR=$SRCDIR A=$A K1=$K1 STAT=$STAT ADDKEY=$ADDKEY
EOS
cat >>"$W/guest.sh" <<'EOS'
. "$SRCDIR/tests/keymod/guest-lib.sh"

# 1. A tree with an RSA key file.
mnt m1 "$W/l1" "$K1,$A"
S1=$(cat "$W/m1.sig")
keyctl search @u user "$S1" >/dev/null 2>&1; res key-added $?
grep " $U " /proc/self/mounts | awk '{print "TYPE", $3}'
cp -a "$W/src/." "$U/"; res write $?
manifest "$W/src" >"$W/want"
umount "$U"; res umount1 $?
gone "$S1"; res key-unlinked $?
mnt m2 "$W/l1" "$K1,$A"
manifest "$U" >"$W/got1"
umount "$U"
gone "$S1"
"$STAT" "$W/l1/hello.txt" >"$W/stat1" 2>&1; res stat1 $?

# 2. An encrypted key file, its passphrase from a file.
K2=key=openssl:keyfile=$W/k2.pem:openssl_passwd_file=$W/pemfile
mnt m3 "$W/l2" "$K2,$A"
S2=$(cat "$W/m3.sig")
cp -a "$W/src/." "$U/"; res write2 $?
umount "$U"
gone "$S2"
mnt m4 "$W/l2" "$K2,$A"
manifest "$U" >"$W/got2"
umount "$U"
gone "$S2"
mnt m5 "$W/l2" "key=openssl:keyfile=$W/k2.pem,no_prompt,$A"
mnt m6 "$W/l2" "key=openssl:keyfile=$W/k2.pem:openssl_passwd_file=$W/badpemfile,$A"

# 3. A passphrase key and a module key on one file: either opens it.
PSIG=$("$ADDKEY" "mixed passphrase")
mnt m7 "$W/l3" "$K1,ecryptfs_sig=$PSIG,$A"
echo "mixed keys" >"$U/mixed.txt"; res write3 $?
umount "$U"
gone "$S1"; gone "$PSIG"
"$STAT" "$W/l3/mixed.txt" >"$W/stat3" 2>&1
mnt m8 "$W/l3" "key=passphrase:passphrase_passwd_file=$W/passfile,$A"
cat "$U/mixed.txt" >"$W/mixed-pass" 2>&1; res read-pass $?
umount "$U"
gone "$PSIG"
mnt m9 "$W/l3" "$K1,$A"
cat "$U/mixed.txt" >"$W/mixed-mod" 2>&1; res read-mod $?
umount "$U"
gone "$S1"

# 4. Refusals.
manifest "$W/l1" >"$W/l1.before"
mnt m10 "$W/l1" "key=openssl:keyfile=$W/k3.pem,$A"
cat "$U/hello.txt" >"$W/wrongkey" 2>&1; res read-wrong $?
umount "$U"
manifest "$W/l1" >"$W/l1.after"
mnt m11 "$W/l1" "key=nosuchmod:keyfile=$W/k1.pem,$A"
mnt m12 "$W/l1" "key=openssl:keyfile=$W/ec.pem,$A"
mnt m13 "$W/l1" "key=openssl:keyfile=$W/nonexistent.pem,$A"

# The kernel path would need ecryptfsd: said before mounting.  mount(8)
# and modprobe are /bin/true here: no kernel module is loaded or mounted.
mkdir -p "$W/l5"
unshare -m bash -c 'mount --bind /bin/true /sbin/modprobe 2>/dev/null
	mount --bind /bin/true /bin/mount && exec "$@"' - \
	"$W/sbin/mount.ecryptfs" "$W/l5" "$U" -o "$K1,${A/datapath=fuse/datapath=kernel}" \
	</dev/null >"$W/m14.out" 2>&1
res m14 $?
"$ADDKEY" --unlink "$(sed -n 's/^  ecryptfs_sig=//p' "$W/m14.out" | head -1)" 2>/dev/null

# 5. The dialogue: no key=, the key-type menu offers the module.
mkdir -p "$W/l4"
expect - "$W/l4" "$U" "$A" "$W/k2.pem" >"$W/dialogue.out" 2>&1 <<'EXP'
set timeout 20
lassign $argv lower upper opts key
spawn -noecho mount -t ecryptfs $lower $upper -o $opts
expect {
	"Select key type to use for newly created files: " {}
	timeout { exit 124 }
}
expect "Selection \\\[passphrase\\\]: " { send "2\r" }
expect "PEM key file: " { send "$key\r" }
expect "Passphrase: " { send "pem secret\r" }
expect eof
catch wait r
exit [lindex $r 3]
EXP
res dialogue $?
echo "from the dialogue" >"$U/d.txt"; res write4 $?
umount "$U"
"$STAT" "$W/l4/d.txt" >"$W/stat4" 2>&1

# 6. A module of passphrase-type keys: tag 3 packets, the module at mount only.
mnt m15 "$W/l6" "key=toypass:toy_word=hello,$A"
echo "derived" >"$U/p.txt"; res write6 $?
umount "$U"
"$STAT" "$W/l6/p.txt" >"$W/stat6" 2>&1
EOS
keyctl session - unshare -m bash "$W/guest.sh" >"$W/log" 2>&1
r() { sed -n "s/^RES $1 //p" "$W/log"; }

is "$(r m1)" 0 "mount -t ecryptfs -o key=openssl:keyfile=K,datapath=fuse"
check "helper said Mounted eCryptfs" grep -qx 'Mounted eCryptfs' "$W/m1.out"
is "$(r key-added)" 0 "the module key's token is in @u"
is "$(sed -n 's/^TYPE //p' "$W/log")" "fuse.ecryptfs" "a FUSE mount (no daemon but ours)"
is "$(r write)" 0 "a tree written"
is "$(r umount1)" 0 "unmounted"
is "$(r key-unlinked)" 0 "the key unlinked at unmount"
is "$(r m2)" 0 "mounted again with the key file alone"
check "the tree read back exactly" diff "$W/want" "$W/got1"
check "the lower file is ciphertext" bash -c "! grep -q 'openssl module' '$W/l1/hello.txt'"
is "$(r stat1)" 0 "ecryptfs-stat reads the lower file"
S1=$(cat "$W/m1.sig")
check "ecryptfs-stat: one tag 1 packet with the key's signature" \
	grep -qx "Key signature: \[$S1\] (tag 1, public key)" "$W/stat1"
check "ecryptfs-stat: only that packet" grep -qx 'Key packets: \[1\]' "$W/stat1"

# The reference's signature rule, computed here from openssl's own view of
# the key: SHA-1 of an OpenPGP v4 public-key packet, first 8 bytes.
cat >"$W/sig.py" <<'EOF'
import hashlib, subprocess, sys
pw = ["-passin", "pass:" + sys.argv[2]] if len(sys.argv) > 2 else []
rsa = lambda *a: subprocess.run(["openssl", "rsa", "-noout", *a, "-in", sys.argv[1], *pw],
                                capture_output=True, text=True, check=True).stdout
mod = rsa("-modulus").strip().split("=")[1]
txt = rsa("-text")
e = int(txt.split("publicExponent: ")[1].split()[0])
n = int(mod, 16)
mpi = lambda x: x.bit_length().to_bytes(2, "big") + x.to_bytes((x.bit_length() + 7) // 8, "big")
body = bytes([4, 0, 0, 0, 0, 2]) + mpi(n) + mpi(e)
print(hashlib.sha1(bytes([0x99]) + len(body).to_bytes(2, "big") + body).hexdigest()[:16])
EOF
is "$(python3 "$W/sig.py" "$W/k1.pem")" "$S1" "the signature is the reference's (SHA-1 of the OpenPGP key packet)"

# The tag 1 packet, checked byte by byte, and opened by openssl pkeyutl.
cat >"$W/tag1.py" <<'EOF'
import sys
h = open(sys.argv[1], "rb").read(8192)
assert h[26] == 0x01, "tag 1"
n = (h[27] - 192) * 256 + h[28] + 192
assert h[29] == 3, "version 3"
print(h[30:38].hex(), h[38], n)
open(sys.argv[2], "wb").write(h[39:39 + n - 10])
EOF
is "$(python3 "$W/tag1.py" "$W/l1/hello.txt" "$W/efek")" "$S1 1 266" \
	"tag 1: key id = the signature, algorithm RSA, body 266 bytes"
openssl pkeyutl -decrypt -inkey "$W/k1.pem" -pkeyopt rsa_padding_mode:oaep \
	-in "$W/efek" -out "$W/payload" 2>"$W/pkeyutl.err"
ok "openssl pkeyutl -decrypt with OAEP opens the tag 1 packet"
cat >"$W/payload.py" <<'EOF'
import sys
p = open(sys.argv[1], "rb").read()
fek = p[1:-2]
print(len(p), p[0], len(fek), int.from_bytes(p[-2:], "big") == sum(fek) & 0xffff)
EOF
is "$(python3 "$W/payload.py" "$W/payload")" "19 7 16 True" \
	"payload: cipher code 7 (AES-128), a 16-byte FEK, its 16-bit checksum"

S2=$(cat "$W/m3.sig")
is "$(r m3)" 0 "an encrypted key file, openssl_passwd_file= giving its passphrase"
is "$(r write2)" 0 "a tree written"
is "$(r m4)" 0 "mounted again"
check "read back exactly" diff "$W/want" "$W/got2"
is "$(python3 "$W/sig.py" "$W/k2.pem" 'pem secret')" "$S2" \
	"its signature (3072 bits) is the reference's too"
isnt() { [ "$1" != "$2" ]; ok "$3"; }
isnt "$(r m5)" 0 "the encrypted key without a passphrase and no prompting: refused"
check "... naming the module and the reason" \
	grep -q 'key module openssl: the key file .*k2.pem is encrypted: a passphrase is needed (and prompting is off)' "$W/m5.out"
isnt "$(r m6)" 0 "a wrong PEM passphrase: refused"
check "... naming the module and the reason" \
	grep -q 'key module openssl: wrong passphrase for the key file' "$W/m6.out"

is "$(r m7)" 0 "mount with a module key and a passphrase key"
is "$(r write3)" 0 "a file written"
check "ecryptfs-stat: a tag 1 and a tag 3 packet" \
	bash -c "grep -qx 'Key packets: \[2\]' '$W/stat3' && grep -q '(tag 1, public key)' '$W/stat3' && grep -q '(tag 3, passphrase)' '$W/stat3'"
is "$(r m8)" 0 "mount with the passphrase alone"
is "$(cat "$W/mixed-pass")" "mixed keys" "the passphrase key opens it"
is "$(r m9)" 0 "mount with the key file alone"
is "$(cat "$W/mixed-mod")" "mixed keys" "the module key opens it"

is "$(r m10)" 0 "mount with another RSA key (mounting does not need the files' key)"
isnt "$(r read-wrong)" 0 "a file of the other key does not open"
check "... with an I/O error, not garbage" grep -q 'Input/output error' "$W/wrongkey"
check "nothing on disk changed" diff "$W/l1.before" "$W/l1.after"
isnt "$(r m11)" 0 "a missing module: refused"
check "... naming it" grep -q "key module nosuchmod: not installed" "$W/m11.out"
isnt "$(r m12)" 0 "an EC key: refused"
check "... naming the module and the reason" \
	grep -q "key module openssl: the key in .*ec.pem is not an RSA key (EC)" "$W/m12.out"
isnt "$(r m13)" 0 "a missing key file: refused"
check "... naming the module and the file" \
	grep -q "key module openssl: the key file .*nonexistent.pem: No such file or directory" "$W/m13.out"
is "$(r m14)" 0 "key=openssl on the kernel path (a fake mount(8))"
check "... with a warning that ecryptfsd is needed" \
	grep -q 'mount.ecryptfs: warning: the kernel needs the ecryptfsd daemon for key module keys' "$W/m14.out"
is "$(r dialogue)" 0 "no key=: the dialogue offers the installed module, asks its parameters, mounts"
check "... its menu" grep -q '^ 2) openssl' "$W/dialogue.out"
is "$(r write4)" 0 "... a file written"
check "... with a tag 1 packet for the encrypted key file's key" \
	grep -qx "Key signature: \[$S2\] (tag 1, public key)" "$W/stat4"
is "$(r m15)" 0 "key=toypass: a module whose keys are passphrase keys"
is "$(r write6)" 0 "... a file written"
want=$(python3 -c 'import hashlib; w=b"hello"; print(hashlib.sha512(bytes(w[i % 5] ^ i for i in range(64))).hexdigest()[:16])')
check "... with a tag 3 packet of the key the module derived" \
	grep -qx "Key signature: \[$want\] (tag 3, passphrase)" "$W/stat6"
grep -v '^RES ' "$W/log" | sed 's/^/# /' | head -40
tap_done
