#!/bin/bash
# Microseconds per file open (median) under a passphrase key and under each
# key module's key, measured in the same run: for openssl, a fresh RSA key of
# 2048 and of 4096 bits (made by openssl genpkey).  Prints only.
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
for bits in 2048 4096; do
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:$bits -out "$w/rsa$bits.pem" 2>/dev/null ||
		exit 1
done
ECRYPTFS_KEYMOD_DIR=$w/km "$bin" "$w/files" "${2:-200}" "${3:-5}" \
	"openssl-2048@openssl:keyfile=$w/rsa2048.pem" "openssl-4096@openssl:keyfile=$w/rsa4096.pem"
