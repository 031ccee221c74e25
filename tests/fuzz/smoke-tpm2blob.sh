#!/bin/bash
# A short libFuzzer run of the tpm2 key module's key-file parser from the
# ASan+UBSan build: ok when about 20 seconds of mutated key files cause no
# crash, leak or overread, and every file it accepts is written back the same.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuzz/lib.sh"
fuzz_smoke tpm2blob corpus/tpm2blob 4096
tap_done
