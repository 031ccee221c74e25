#!/bin/bash
# Microseconds per file open (median) under a passphrase key and under each
# key module's key, measured in the same run: for openssl, a fresh RSA key of
# 2048 and of 4096 bits (made by openssl genpkey); for pkcs11, the 2048-bit
# one imported into a softhsm2 token made here (each open is one RSA-OAEP
# decryption by the token); for tpm2, a key sealed by an swtpm started here
# (its line is per mount, one unseal and the key derivation; its files are
# tag 3 files, opened as the passphrase key's).  Prints only.
#   bench/keymod/bench.sh [BUILDDIR] [files] [rounds]
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
BUILDDIR=$(cd "${1:-$SRCDIR/build}" && pwd) || exit 1
bin=$BUILDDIR/bench/keymod/keymod-bench
if [ ! -x "$bin" ]; then
	echo "bench/keymod/bench.sh: $bin not built (make -C $BUILDDIR bench/keymod/keymod-bench)" >&2
	exit 1
fi
w=$(mktemp -d /tmp/keymod-bench.XXXXXX) || exit 1
trap 'kill "$(cat "$w/swtpm.pid" 2>/dev/null)" 2>/dev/null; rm -rf "$w"' EXIT
mkdir "$w/km" "$w/files"
ln -s "$BUILDDIR/src/key_mod/openssl/.libs/openssl.so" "$w/km/openssl.so"
ln -s "$BUILDDIR/src/key_mod/pkcs11/.libs/pkcs11.so" "$w/km/pkcs11.so"
ln -s "$BUILDDIR/src/key_mod/tpm2/.libs/tpm2.so" "$w/km/tpm2.so"
for bits in 2048 4096; do
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:$bits -out "$w/rsa$bits.pem" 2>/dev/null ||
		exit 1
done
mkdir "$w/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$w/tokens" \
	>"$w/softhsm2.conf"
export SOFTHSM2_CONF=$w/softhsm2.conf
softhsm2-util --init-token --free --label bench --so-pin 87654321 --pin 1234 >/dev/null &&
	softhsm2-util --import "$w/rsa2048.pem" --token bench --label k --id 01 --pin 1234 \
		>/dev/null || exit 1
printf '1234\n' >"$w/pin"
mkdir "$w/tpm"
port=$(python3 -c 'import socket
a = socket.socket(); a.bind(("127.0.0.1", 0)); print(a.getsockname()[1])')
swtpm socket --tpm2 --tpmstate dir="$w/tpm" --flags not-need-init,startup-clear \
	--server type=tcp,port="$port",bindaddr=127.0.0.1 \
	--ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 --daemon --pid file="$w/swtpm.pid" ||
	exit 1
export TPM2TOOLS_TCTI=swtpm:host=127.0.0.1,port=$port
ECRYPTFS_KEYMOD_DIR=$w/km "$BUILDDIR/src/utils/keys/ecryptfs-manager" generate tpm2 \
	keyfile="$w/tpm2.key" <<<'' >/dev/null || exit 1
ECRYPTFS_KEYMOD_DIR=$w/km "$bin" "$w/files" "${2:-200}" "${3:-5}" \
	"openssl-2048@openssl:keyfile=$w/rsa2048.pem" "openssl-4096@openssl:keyfile=$w/rsa4096.pem" \
	"pkcs11-2048@pkcs11:uri=pkcs11:token=bench;id=%01:pin_file=$w/pin" \
	"tpm2@tpm2:keyfile=$w/tpm2.key"
