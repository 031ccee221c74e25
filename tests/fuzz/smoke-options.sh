#!/bin/bash
# A short libFuzzer run of the mount option parser from the ASan+UBSan build:
# ok when about 20 seconds of mutated option strings cause no crash, leak,
# overread or broken round trip (tests/fuzz/fuzz-options.c).
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuzz/lib.sh"
fuzz_smoke options corpus/options 4096
tap_done
