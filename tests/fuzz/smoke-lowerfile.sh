#!/bin/bash
# A short libFuzzer run of the lower-file API's write side (pwrite, truncate,
# zero fill, the daemon's set_size path) on hostile lower files from the
# ASan+UBSan build: ok when about 20 seconds of mutated files and operation
# sequences cause no crash, leak, overread or disagreement with the model
# of the plaintext.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuzz/lib.sh"
fuzz_smoke lowerfile corpus/lowerfile 32768
tap_done
