#!/bin/bash
# A short libFuzzer run of the keyring auth-token parser from the ASan+UBSan
# build: ok when about 10 seconds of mutated tokens cause no crash, leak,
# overread or token that does not build back into itself.  A 740-byte
# fixed-layout parser: 10 seconds saturate it.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuzz/lib.sh"
FUZZ_DEFAULT_SECONDS=10
fuzz_smoke authtok corpus/authtok 1024
tap_done
