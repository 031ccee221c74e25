#!/bin/bash
# A short libFuzzer run of the signature cache file (sig-cache.txt) reader
# and appender from the ASan+UBSan build: ok when about 10 seconds of
# mutated files cause no crash, leak, overread or wrong answer.  A
# fixed-record format: 10 seconds saturate it.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuzz/lib.sh"
FUZZ_DEFAULT_SECONDS=10
fuzz_smoke sigcache corpus/sigcache 512
tap_done
