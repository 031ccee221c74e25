#!/bin/bash
# Microseconds per file open (median) under a passphrase key and under each
# key module's key, measured in the same run: for openssl, a fresh RSA key of
# 2048 and of 4096 bits (made by openssl genpkey); for pkcs11, the 2048-bit
# one imported into a softhsm2 token made here (each open is one RSA-OAEP
# decryption by the token).  Prints only.
#   bench/keymod/bench.sh [BUILDDIR] [files] [rounds]
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
BUILDDIR=$(cd "${1:-$SRCDIR/build}" && pwd) || exit 1
bin=$BUILDDIR/bench/keymod/keymod-bench
if [ ! -x "$bin" ]; then
	echo "bench/keymod/bench.sh: $bin not built (make -C $BUILDDIR bench/keymod/keymod-bench)" >&2
	exit 1
fi
w=$(mktemp -d /tmp/keymod-bench.XXXXXX) || exit 1
trap 'rm -rf "$w"' EXIT
mkdir "$w/km" "$w/files"
ln -s "$BUILDDIR/src/key_mod/openssl/.libs/openssl.so" "$w/km/openssl.so"
ln -s "$BUILDDIR/src/key_mod/pkcs11/.libs/pkcs11.so" "$w/km/pkcs11.so"
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
ECRYPTFS_KEYMOD_DIR=$w/km "$bin" "$w/files" "${2:-200}" "${3:-5}" \
	"openssl-2048@openssl:keyfile=$w/rsa2048.pem" "openssl-4096@openssl:keyfile=$w/rsa4096.pem" \
	"pkcs11-2048@pkcs11:uri=pkcs11:token=bench;id=%01:pin_file=$w/pin"
