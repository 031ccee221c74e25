#!/bin/bash
# A short libFuzzer run of the reference's header reading (ecryptfs-stat's
# first lines) from the ASan+UBSan build: ok when about 20 seconds of mutated
# input cause no crash, leak, overread or disagreement with our header parser.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuzz/lib.sh"
fuzz_smoke header-ref corpus/header-ref 4096
tap_done
