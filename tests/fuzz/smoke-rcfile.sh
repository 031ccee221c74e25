#!/bin/bash
# A short libFuzzer run of the rcfile parser from the ASan+UBSan build: ok when
# about 20 seconds of mutated input cause no crash, leak or overread.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuzz/lib.sh"
fuzz_smoke rcfile corpus/rcfile 4096
tap_done
