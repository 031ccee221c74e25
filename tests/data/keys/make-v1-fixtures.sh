#!/bin/bash
# Makes the v1 wrapped-passphrase fixtures wp01..wp05 (doc/wrapped-passphrase.5)
# independently of our library: the KDF with python3's hashlib, the cipher with
# openssl.  v1 = 16 hex sig of the wrapping key, then AES-128-ECB of the
# NUL-padded mount passphrase; the salt is not stored.  Run it from anywhere;
# it rewrites the wp0N files next to it.
set -euo pipefail
cd "$(dirname "$0")"

kdf() {	# SALT_HEX PASSPHRASE -> "KEK_HEX SIG_HEX"
	python3 - "$1" "$2" <<'PY'
import hashlib, sys
h = bytes.fromhex(sys.argv[1]) + sys.argv[2].encode()
for _ in range(65536):
    h = hashlib.sha512(h).digest()
print(h.hex(), hashlib.sha512(h).digest()[:8].hex())
PY
}

make_v1() {	# FILE MOUNT_PASSPHRASE WRAPPING_PASSPHRASE SALT_HEX
	local file=$1 pass=$2 wpw=$3 salt=$4 kek sig padded
	read -r kek sig < <(kdf "$salt" "$wpw")
	padded=$(( (${#pass} + 15) / 16 * 16 ))
	{
		printf '%s' "$sig"
		{ printf '%s' "$pass"; head -c $((padded - ${#pass})) /dev/zero; } |
			openssl enc -aes-128-ecb -nopad -K "${kek:0:32}"
	} >"$file"
}

a64=$(printf 'a%.0s' {1..64})
z64=$(printf 'z%.0s' {1..64})
make_v1 wp01 'This is test #1' 'Wrapping pass' 0011223344556677
make_v1 wp02 "$a64" "$z64" 0011223344556677
make_v1 wp03 "$a64" "$z64" 5a175a175a175a17
make_v1 wp04 '!' '*' 0011223344556677
make_v1 wp05 '!' '*' 0123456789abcdef
