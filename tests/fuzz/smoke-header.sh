#!/bin/bash
# A short libFuzzer run of the header and packet parser from the ASan+UBSan
# build: ok when about 20 seconds of mutated headers (file head and xattr
# forms, unwrap, lower-file open) cause no crash, leak or overread.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuzz/lib.sh"
fuzz_smoke header corpus/header 12400
tap_done
