#!/bin/bash
# The tpm2 key module end to end against swtpm (a TPM 2.0 simulator)
# started here on free TCP ports with its state in the test's directory, no
# resource manager: keys made by "ecryptfs-manager generate tpm2" (no PIN;
# a PIN; PCRs 0,7 and a PIN; an RSA storage key), then "mount -t ecryptfs
# ... -o key=tpm2:keyfile=F,datapath=fuse" through our helper and FUSE
# daemon (TPM2TOOLS_TCTI names the TPM).  Checked: a tree written,
# unmounted, the key unlinked, remounted and read back exactly; the files
# carry one tag 3 packet whose signature is that of the passphrase the
# secret makes, recomputed here from the secret tpm2-tools unseals by hand
# (and that passphrase mounts the tree); a wrong PIN refused once, the
# TPM's failure counter up by one per mount, and the lockout reported as
# such; a PCR-bound key refused after tpm2_pcrextend; a reset TPM (new
# state) and an unreachable one refused; each refusal names the module and
# the reason and changes nothing on disk; no transient object or session
# left in the TPM after any mount, good or failed.
. "$SRCDIR/tests/lib/tap.sh"
W=$TESTTMP/tpm2
mkdir -p "$W/sbin" "$W/km" "$W/src/d/e" "$W/st1" "$W/st2"
FUSE=$(prog ecryptfs-fuse) || { echo "Bail out! ecryptfs-fuse not built"; exit 1; }
STAT=$(prog ecryptfs-stat) || { echo "Bail out! ecryptfs-stat not built"; exit 1; }
MGR=$(prog ecryptfs-manager) || { echo "Bail out! ecryptfs-manager not built"; exit 1; }
ln -s "$BUILDDIR/src/key_mod/tpm2/.libs/tpm2.so" "$W/km/tpm2.so"

# swtpm_start STATEDIR PIDFILE PORT: a TPM on PORT (server) and PORT+1 (control).
swtpm_start() {
	swtpm socket --tpm2 --tpmstate dir="$1" --flags not-need-init,startup-clear \
		--server type=tcp,port="$3",bindaddr=127.0.0.1 \
		--ctrl type=tcp,port=$(($3 + 1)),bindaddr=127.0.0.1 --daemon --pid file="$2"
}
# Two free neighbouring ports (the kernel's choice of one, and the next).
free_port() {
	python3 -c 'import socket
for _ in range(50):
    a = socket.socket(); a.bind(("127.0.0.1", 0)); p = a.getsockname()[1]
    b = socket.socket()
    try:
        b.bind(("127.0.0.1", p + 1)); print(p); break
    except OSError:
        pass'
}
# swtpm_up N: swtpm_start on free ports (a few tries: a port may be taken meanwhile).
swtpm_up() {
	local try p
	for try in 1 2 3 4 5; do
		p=$(free_port) && swtpm_start "$W/st$1" "$W/pid$1" "$p" 2>"$W/swtpm$1.err" &&
			echo "$p" >"$W/port$1" && return 0
	done
	return 1
}
isnt() { [ "$1" != "$2" ]; ok "$3"; }
stop_all() {
	for f in "$W"/pid*; do [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
}
trap stop_all EXIT
swtpm_up 1
ok "swtpm: a TPM 2.0 on free ports of 127.0.0.1, state in the test's directory"
swtpm_up 2
ok "swtpm: a second TPM"
P1=$(cat "$W/port1") P2=$(cat "$W/port2")
export TPM2TOOLS_TCTI=swtpm:host=127.0.0.1,port=$P1 ECRYPTFS_KEYMOD_DIR=$W/km
T2=swtpm:host=127.0.0.1,port=$P2
for p in mount.ecryptfs umount.ecryptfs; do
	printf '#!/bin/sh\nTPM2TOOLS_TCTI=%s ECRYPTFS_KEYMOD_DIR=%s ECRYPTFS_FUSE_PROG=%s exec %s "$@"\n' \
		"$TPM2TOOLS_TCTI" "$W/km" "$FUSE" "$(prog $p)" >"$W/sbin/$p"
	chmod 755 "$W/sbin/$p"
done
printf '1234\n' >"$W/pin"
printf '9999\n' >"$W/badpin"
chmod 600 "$W/pin" "$W/badpin"

# Keys.  A PIN is secret: asked for (here read from stdin), or pin_file=.
printf '\n' | "$MGR" generate tpm2 keyfile="$W/k1" >"$W/gen1.out" 2>&1
ok "ecryptfs-manager generate tpm2 keyfile=K1 (no PIN: an empty answer)"
is "$(stat -c %a "$W/k1" 2>&1)" 600 "... the key file is mode 0600"
is "$(head -c 8 "$W/k1" 2>&1)" ECFSTPM2 "... with the module's header"
cp "$W/k1" "$W/k1.saved"
"$MGR" generate tpm2 keyfile="$W/k1" <<<'' >"$W/gen1b.out" 2>&1
isnt "$?" 0 "generate over an existing key file: refused"
check "... naming the module and the reason" \
	grep -q "key module tpm2: the key file .*/k1 exists (not overwritten)" "$W/gen1b.out"
check "... the key file unchanged" cmp "$W/k1" "$W/k1.saved"
printf '1234\n' | "$MGR" generate tpm2 keyfile="$W/k2" >"$W/gen2.out" 2>&1
ok "generate tpm2 keyfile=K2 with a PIN (answered on stdin)"
"$MGR" generate tpm2 keyfile="$W/k3" pcrs=0,7 pin_file="$W/pin" </dev/null >"$W/gen3.out" 2>&1
ok "generate tpm2 keyfile=K3 pcrs=0,7 pin_file=F (sealed to PCRs 0 and 7 and a PIN)"
"$MGR" generate tpm2 keyfile="$W/k4" pcrs=0,25 </dev/null >"$W/gen4.out" 2>&1
isnt "$?" 0 "pcrs=0,25: refused"
check "... saying why" grep -q 'key module tpm2: pcrs=0,25: PCR numbers 0 to 23' "$W/gen4.out"
check "... and no key file written" test ! -e "$W/k4"
printf '\n' | "$MGR" generate tpm2 keyfile="$W/k5" srk=rsa tcti="$T2" >"$W/gen5.out" 2>&1
ok "generate tpm2 srk=rsa tcti=(the second TPM): an RSA storage key, the TCTI as a parameter"
echo "not a key file" >"$W/junk"

head -c 100000 /dev/urandom >"$W/src/big"
head -c 4096 /dev/urandom >"$W/src/d/extent"
head -c 4097 /dev/urandom >"$W/src/d/e/over"
printf x >"$W/src/one"
: >"$W/src/empty"
echo "hello through the tpm2 module" >"$W/src/hello.txt"

A=ecryptfs_cipher=aes,ecryptfs_key_bytes=16,ecryptfs_passthrough=n
A=$A,ecryptfs_enable_filename_crypto=n,no_sig_cache,datapath=fuse
cat >"$W/guest.sh" <<EOS
set -u
W=$W SRCDIR=$SRCDIR A=$A STAT=$STAT MGR=$MGR T2=$T2 P1=$P1
export TPM2TOOLS_TCTI=$TPM2TOOLS_TCTI ECRYPTFS_KEYMOD_DIR=$W/km
EOS
cat >>"$W/guest.sh" <<'EOS'
. "$SRCDIR/tests/keymod/guest-lib.sh"
# handles NAME: the TPM's transient objects and loaded sessions, into $W/NAME.h.
handles() {
	{ tpm2_getcap handles-transient; tpm2_getcap handles-loaded-session; } >"$W/$1.h" 2>&1
}
counter() { tpm2_getcap properties-variable | sed -n 's/^TPM2_PT_LOCKOUT_COUNTER: //p'; }
# drop SIG: the key out of the keyrings, so that a remount needs the TPM again.
drop() {
	keyctl unlink "$(keyctl search @u user "$1" 2>/dev/null)" @u >/dev/null 2>&1
	keyctl search @u user "$1" >/dev/null 2>&1; res "dropped-$2" $((!$?))
}

# Planted: a leaked transient object is seen, then flushed.
tpm2_createprimary -Q -C o -c "$W/leak.ctx" >/dev/null 2>&1
handles planted
tpm2_flushcontext -t

# 1. A tree under the key sealed without a PIN.
mnt m1 "$W/l1" "key=tpm2:keyfile=$W/k1,$A"
handles m1
S1=$(cat "$W/m1.sig")
grep " $U " /proc/self/mounts | awk '{print "TYPE", $3}'
cp -a "$W/src/." "$U/"; res write $?
manifest "$W/src" >"$W/want"
umount "$U"; res umount1 $?
drop "$S1" 1
mnt m2 "$W/l1" "key=tpm2:keyfile=$W/k1,$A"
manifest "$U" >"$W/got1"
umount "$U"
drop "$S1" 2
"$STAT" "$W/l1/hello.txt" >"$W/stat1" 2>&1

# 2. The secret unsealed by hand (tpm2-tools, the TCG SRK template): as a
# passphrase, it opens the tree.
python3 - "$W/k1" "$W" <<'EOF'
import struct, sys
b = open(sys.argv[1], "rb").read()
n = struct.unpack(">H", b[18:20])[0]
open(sys.argv[2] + "/k1.pub", "wb").write(b[18:20 + n])
open(sys.argv[2] + "/k1.priv", "wb").write(b[20 + n:])
# tpm2-tools reads -u as a raw TPMU_PUBLIC_ID: x and y, each 32 zero bytes.
open(sys.argv[2] + "/unique", "wb").write((struct.pack("<H", 32) + bytes(128)) * 2)
EOF
tpm2_createprimary -Q -C o -g sha256 -G ecc256:null:aes128cfb -u "$W/unique" -c "$W/srk.ctx" \
	-a 'restricted|decrypt|fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda' &&
	tpm2_flushcontext -t && tpm2_load -Q -C "$W/srk.ctx" -u "$W/k1.pub" -r "$W/k1.priv" \
	-c "$W/k1.ctx" && tpm2_flushcontext -t && tpm2_unseal -c "$W/k1.ctx" -o "$W/secret"
res unseal $?
tpm2_flushcontext -t
HEX=$(od -An -tx1 -v "$W/secret" | tr -d ' \n')
echo "HEX $HEX"
mnt m3 "$W/l1" "key=passphrase:passphrase_passwd=$HEX,$A"
manifest "$U" >"$W/got3"
umount "$U"
drop "$(cat "$W/m3.sig")" 3

# 3. The PIN key: mounts with its PIN; a wrong PIN costs one failure and no more.
mnt m4 "$W/l2" "key=tpm2:keyfile=$W/k2:pin_file=$W/pin,$A"
cp -a "$W/src/." "$U/"; res write4 $?
umount "$U"
drop "$(cat "$W/m4.sig")" 4
manifest "$W/l2" >"$W/l2.before"
c0=$(counter)
mnt m5 "$W/l2" "key=tpm2:keyfile=$W/k2:pin_file=$W/badpin,$A"
handles m5
c1=$(counter)
echo "COUNTER $c0 $c1"
mnt m6 "$W/l2" "key=tpm2:keyfile=$W/k2,$A"
mnt m7 "$W/l2" "key=tpm2:keyfile=$W/k2:pin_file=$W/pin,$A"
manifest "$U" >"$W/got7"
umount "$U"
drop "$(cat "$W/m7.sig")" 7
# Up to the TPM's limit of failures: then even the right PIN meets the lockout.
max=$(tpm2_getcap properties-variable | sed -n 's/^TPM2_PT_MAX_AUTH_FAIL: //p')
for i in $(seq $((max))); do
	mount -t ecryptfs "$W/l2" "$U" -o "key=tpm2:keyfile=$W/k2:pin_file=$W/badpin,$A" \
		</dev/null >/dev/null 2>&1 && umount "$U"
done
mnt m8 "$W/l2" "key=tpm2:keyfile=$W/k2:pin_file=$W/pin,$A"
handles m8
manifest "$W/l2" >"$W/l2.after"
tpm2_dictionarylockout -c; res da-clear $?
mnt m9 "$W/l2" "key=tpm2:keyfile=$W/k2:pin_file=$W/pin,$A"
umount "$U"
drop "$(cat "$W/m9.sig")" 9

# 4. The PCR-bound key: mounts, then not after PCR 7 is extended.
mnt m10 "$W/l3" "key=tpm2:keyfile=$W/k3:pin_file=$W/pin,$A"
echo "bound to PCRs" >"$U/p.txt"; res write10 $?
umount "$U"
drop "$(cat "$W/m10.sig")" 10
manifest "$W/l3" >"$W/l3.before"
tpm2_pcrextend 7:sha256=$(printf '%064d' 1); res extend $?
mnt m11 "$W/l3" "key=tpm2:keyfile=$W/k3:pin_file=$W/pin,$A"
handles m11
manifest "$W/l3" >"$W/l3.after"

# 5. Not a key file; the TCTI parameter and an RSA storage key.
mnt m12 "$W/l1" "key=tpm2:keyfile=$W/junk,$A"
"$MGR" add tpm2 keyfile="$W/k5" tcti="$T2" </dev/null >"$W/mgr5.out" 2>&1; res mgr5 $?
MS=$(sed -n 's/.*signature \[\(.*\)\]\./\1/p' "$W/mgr5.out")
keyctl search @u user "$MS" >/dev/null 2>&1; res mgr5-key $?
drop "$MS" 5

# 6. The TPM reset (restarted with a new state: a new storage key), then gone.
manifest "$W/l1" >"$W/l1.before"
pid=$(cat "$W/pid1")
kill "$pid"
for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
mkdir -p "$W/st3"
swtpm socket --tpm2 --tpmstate dir="$W/st3" --flags not-need-init,startup-clear \
	--server type=tcp,port="$P1",bindaddr=127.0.0.1 \
	--ctrl type=tcp,port=$((P1 + 1)),bindaddr=127.0.0.1 --daemon --pid file="$W/pid3"
res restart $?
mnt m13 "$W/l1" "key=tpm2:keyfile=$W/k1,$A"
handles m13
pid=$(cat "$W/pid3")
kill "$pid"
for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
mnt m14 "$W/l1" "key=tpm2:keyfile=$W/k1,$A"
manifest "$W/l1" >"$W/l1.after"
EOS
keyctl session - unshare -m bash "$W/guest.sh" >"$W/log" 2>&1
r() { sed -n "s/^RES $1 //p" "$W/log"; }
empty() { [ ! -s "$W/$1.h" ]; }

check "planted: a transient object left in the TPM is seen" test -s "$W/planted.h"
S1=$(cat "$W/m1.sig")
is "$(r m1)" 0 "mount -o key=tpm2:keyfile=K1,datapath=fuse"
is "$(sed -n 's/^TYPE //p' "$W/log")" "fuse.ecryptfs" "a FUSE mount (no daemon but ours)"
check "... no transient object or session left in the TPM" empty m1
is "$(r write)" 0 "a tree written"
is "$(r umount1)" 0 "unmounted"
is "$(r dropped-1)" 0 "the key taken out of the keyring"
is "$(r m2)" 0 "mounted again (unsealed again)"
check "the tree read back exactly" diff "$W/want" "$W/got1"
check "the lower file is ciphertext" bash -c "! grep -q 'tpm2 module' '$W/l1/hello.txt'"
check "ecryptfs-stat: one packet, a tag 3 passphrase packet with the key's signature" \
	bash -c "grep -qx 'Key packets: \[1\]' '$W/stat1' &&
		grep -qx 'Key signature: \[$S1\] (tag 3, passphrase)' '$W/stat1'"
is "$(r unseal)" 0 "tpm2-tools unseals the key file under the TCG storage key template"
HEX=$(sed -n 's/^HEX //p' "$W/log")
want=$(python3 -c 'import hashlib, sys
h = bytes.fromhex("0011223344556677") + sys.argv[1].encode()
for _ in range(65536): h = hashlib.sha512(h).digest()
print(hashlib.sha512(h).hexdigest()[:16])' "$HEX")
is "$want" "$S1" "the secret in hex, as a passphrase (default salt), has the files' key signature"
is "$(r m3)" 0 "... mounting with key=passphrase and that passphrase"
check "... reads the tree exactly" diff "$W/want" "$W/got3"
is "$(r m4)" 0 "the PIN key with its PIN file: mounted"
is "$(r write4)" 0 "... a tree written"
isnt "$(r m5)" 0 "a wrong PIN: refused"
check "... naming the module and the reason" \
	grep -q 'key module tpm2: unsealing the secret: wrong PIN (not tried again)' "$W/m5.out"
read -r c0 c1 <<<"$(sed -n 's/^COUNTER //p' "$W/log")"
is "$((c1 - c0))" 1 "... the TPM's failure counter up by one: sent once, never retried"
check "... no transient object or session left" empty m5
isnt "$(r m6)" 0 "no PIN given: asked for, none typed (stdin empty): refused"
check "... naming the module and the parameter" \
	grep -q 'key module tpm2: reading tpm2_pin: no input' "$W/m6.out"
is "$(r m7)" 0 "the right PIN after a wrong one: mounted"
check "... the tree read back exactly" diff "$W/want" "$W/got7"
isnt "$(r m8)" 0 "after the TPM's limit of wrong PINs, the right one: refused"
check "... saying the TPM is in dictionary-attack lockout" \
	grep -q 'key module tpm2: the TPM is in dictionary-attack lockout' "$W/m8.out"
check "... no transient object or session left" empty m8
is "$(r da-clear)" 0 "tpm2_dictionarylockout -c"
is "$(r m9)" 0 "... then the right PIN mounts again"
check "the PIN key's lower tree unchanged by the refusals" diff "$W/l2.before" "$W/l2.after"
is "$(r m10)" 0 "the key sealed to PCRs 0,7: mounted"
is "$(r write10)" 0 "... a file written"
is "$(r extend)" 0 "tpm2_pcrextend 7"
isnt "$(r m11)" 0 "... then: refused"
check "... naming the module and the reason" \
	grep -q 'key module tpm2: unsealing the secret: the PCRs no longer hold the values it was sealed to' "$W/m11.out"
check "... no transient object or session left" empty m11
check "... nothing on disk changed" diff "$W/l3.before" "$W/l3.after"
isnt "$(r m12)" 0 "a file that is no key file: refused"
check "... naming the module and the reason" \
	grep -q 'key module tpm2: the key file .*/junk: not a tpm2 module key file' "$W/m12.out"
is "$(r mgr5)" 0 "ecryptfs-manager add tpm2 keyfile=K tcti=...: the RSA storage key's key"
is "$(r mgr5-key)" 0 "... in the user keyring"
is "$(r restart)" 0 "the TPM restarted with a new state (a reset TPM)"
isnt "$(r m13)" 0 "... the key file of the old TPM: refused"
check "... naming the module and the reason" \
	grep -q "key module tpm2: loading the sealed object: this TPM's storage key did not seal it" "$W/m13.out"
check "... no transient object or session left" empty m13
isnt "$(r m14)" 0 "no TPM listening: refused"
check "... naming the module and the reason" \
	grep -q "key module tpm2: connecting to the TPM (TCTI swtpm:host=127.0.0.1,port=$P1)" "$W/m14.out"
check "... nothing on disk changed" diff "$W/l1.before" "$W/l1.after"
grep -v '^RES \|^HEX ' "$W/log" | sed 's/^/# /' | head -40
tap_done
