#!/bin/bash
# ecryptfs-manager: key generation with the openssl module (the file, its
# encryption, refusing to overwrite), adding module and passphrase keys to
# the user keyring, listing and removing them, secrets never from argv,
# errors naming a missing module, and the reference's menu.  In a session
# keyring of its own; every key it adds is removed again.
. "$SRCDIR/tests/lib/tap.sh"
W=$TESTTMP/mgr
mkdir -p "$W/km"
M=$(prog ecryptfs-manager) || { echo "Bail out! ecryptfs-manager not built"; exit 1; }
ADDKEY=$(prog ecfs-addkey) || { echo "Bail out! ecfs-addkey not built"; exit 1; }
ln -s "$BUILDDIR/src/key_mod/openssl/.libs/openssl.so" "$W/km/openssl.so"
ln -s "$BUILDDIR/src/key_mod/passphrase/.libs/passphrase.so" "$W/km/passphrase.so"
export ECRYPTFS_KEYMOD_DIR=$W/km
K=$W/keys/sub/key.pem
run() { keyctl session - "$@" 2>&1 | grep -v '^Joined session keyring'; return "${PIPESTATUS[0]}"; }

"$M" --help >"$W/help" 2>&1
ok "--help"
check "... names the commands" grep -q 'generate MODULE' "$W/help"
"$M" modules >"$W/modules" 2>&1
ok "modules"
check "... lists openssl and its generation parameters" grep -q '^  generate: keyfile, passphrase (secret), bits' "$W/modules"
check "... and the passphrase module" grep -q '^passphrase (a passphrase' "$W/modules"

printf 'gen secret\n' | run "$M" generate openssl keyfile="$K" bits=2048 >"$W/gen.out"
ok "generate openssl keyfile=... bits=2048, the passphrase on stdin"
is "$(stat -c %a "$K" 2>&1) $(stat -c %a "$W/keys/sub" 2>&1)" "600 700" "key file 0600 in a new directory 0700"
check "an encrypted PEM file" grep -q 'BEGIN ENCRYPTED PRIVATE KEY' "$K"
openssl pkey -in "$K" -passin pass:'gen secret' -noout -text >"$W/pkey.txt" 2>&1
ok "openssl reads it with the passphrase"
check "... a 2048-bit RSA key" grep -q 'Private-Key: (2048 bit' "$W/pkey.txt"
sum=$(sha256sum <"$K")
printf 'other\n' | run "$M" generate openssl keyfile="$K" >"$W/gen2.out"
[ $? -ne 0 ]; ok "generating over an existing file fails"
is "$(sha256sum <"$K")" "$sum" "... and leaves it alone"
check "... saying why" grep -q 'key module openssl: cannot create .*key.pem: File exists' "$W/gen2.out"
run "$M" generate openssl keyfile="$W/x.pem" passphrase=oops >"$W/argv.out"
[ $? -ne 0 ]; ok "a secret on the command line is refused"
check "... saying why" grep -q 'passphrase is secret' "$W/argv.out"
run "$M" generate nosuchmod keyfile="$W/y.pem" >"$W/nomod.out"
[ $? -ne 0 ]; ok "a missing module: refused"
check "... naming it" grep -q 'key module nosuchmod: not installed' "$W/nomod.out"

cat >"$W/keys.sh" <<EOS
M=$M K=$K ADDKEY=$ADDKEY
EOS
cat >>"$W/keys.sh" <<'EOS'
res() { echo "RES $1 $2"; }
printf 'gen secret\n' | "$M" add openssl keyfile="$K" >add.out 2>&1; res add $?
SIG=$(sed -n 's/.*signature \[\(.*\)\]\./\1/p' add.out)
echo "SIG $SIG"
"$M" list >list1.out 2>&1; res list1 $?
"$M" remove "$SIG" >rm.out 2>&1; res remove $?
"$M" list >list2.out 2>&1
keyctl search @u user "$SIG" >/dev/null 2>&1; res search $?
printf 'wrong\n' | "$M" add openssl keyfile="$K" >addbad.out 2>&1; res addbad $?
printf 'manager passphrase\n' | "$M" add passphrase >pass.out 2>&1; res pass $?
PSIG=$(sed -n 's/.*signature \[\(.*\)\]\./\1/p' pass.out)
echo "PSIG $PSIG"
echo "WANT $("$ADDKEY" "manager passphrase")"
"$M" remove "$PSIG" >/dev/null 2>&1
printf 'passwd=manager passphrase\n' >passfile
"$M" add passphrase passfile=passfile >modpass.out 2>&1; res modpass $?
MSIG=$(sed -n 's/.*signature \[\(.*\)\]\./\1/p' modpass.out)
echo "MSIG $MSIG"
"$M" remove "$MSIG" >/dev/null 2>&1
printf '9\n3\n%s\ngen secret 2\n4\n' "${K%.pem}-menu.pem" | "$M" >menu.out 2>&1; res menu $?
EOS
(cd "$W" && keyctl session - bash keys.sh >"$W/keys.log" 2>&1)
r() { sed -n "s/^RES $1 //p" "$W/keys.log"; }
SIG=$(sed -n 's/^SIG //p' "$W/keys.log")
is "$(r add)" 0 "add openssl keyfile=..., the PEM passphrase on stdin"
[[ $SIG =~ ^[0-9a-f]{16}$ ]]; ok "... a signature"
check "list shows it as the openssl module's" grep -qx "$SIG module openssl" "$W/list1.out"
is "$(r remove)" 0 "remove SIG"
check "... gone from the list" bash -c "! grep -q '$SIG' '$W/list2.out'"
is "$(r search)" 1 "... and from the keyring"
[ "$(r addbad)" != 0 ]; ok "a wrong PEM passphrase: refused"
check "... saying so" grep -q 'key module openssl: wrong passphrase for the key file' "$W/addbad.out"
is "$(r pass)" 0 "add passphrase, from stdin"
is "$(sed -n 's/^PSIG //p' "$W/keys.log")" "$(sed -n 's/^WANT //p' "$W/keys.log")" \
	"... the passphrase key's signature (default salt)"
is "$(r modpass)" 0 "add passphrase passfile=F: the passphrase module"
is "$(sed -n 's/^MSIG //p' "$W/keys.log")" "$(sed -n 's/^WANT //p' "$W/keys.log")" \
	"... the same key as the built-in passphrase path"
is "$(r menu)" 0 "the menu: an invalid choice, generate, exit"
check "... the reference's menu" grep -q '3. Generate new public/private keypair' "$W/menu.out"
check "... refuses 9" grep -q 'Invalid selection' "$W/menu.out"
check "... asks the reference's question" grep -q 'SSL key file path: ' "$W/menu.out"
check "... and made the key" grep -q 'BEGIN ENCRYPTED PRIVATE KEY' "${K%.pem}-menu.pem"
tap_done
