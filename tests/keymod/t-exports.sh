#!/bin/bash
# Every key module exports its entry point and nothing else
# (src/key_mod/keymod.sym): a module's own symbols cannot clash with the
# program's or another module's.  The check is shown to catch a shared
# object that exports something else (tests/keymod/noentry.c) first.
. "$SRCDIR/tests/lib/tap.sh"

# exports SO: the dynamic symbols SO defines, one a line, sorted.
exports() { nm -D --defined-only "$1" | awk 'NF == 3 { print $3 }' | sort; }
# bad SO: says why SO is not a proper module (status 1), or nothing.
bad() {
	local got
	got=$(exports "$1") || { echo "$1: nm failed"; return 1; }
	[ "$got" = ecryptfs_key_mod_ops_v1 ] && return 0
	echo "$1 exports: $(echo "$got" | tr '\n' ' ')"
	return 1
}

check "planted: a shared object exporting another symbol is caught" \
	bash -c "$(declare -f exports bad); ! bad '$BUILDDIR/tests/keymod/.libs/noentry.so'"
check "planted: the toy test module passes" \
	bash -c "$(declare -f exports bad); bad '$BUILDDIR/tests/keymod/.libs/toy.so'"
mods=$(find "$BUILDDIR/src/key_mod" -path '*/.libs/*.so' -type f | sort)
is "$(echo "$mods" | sed 's|.*/||' | tr '\n' ' ')" "openssl.so passphrase.so pkcs11-helper.so pkcs11.so tpm2.so " "the modules built"
for m in $mods; do
	check "$(basename "$m"): exports only ecryptfs_key_mod_ops_v1" bad "$m"
done
tap_done
