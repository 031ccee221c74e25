#!/bin/bash
# A short libFuzzer run of ecryptfsd's frame and request parsers and reply
# builder (src/daemon/msg.c) from the ASan+UBSan build: ok when about 10
# seconds of mutated /dev/ecryptfs frames cause no crash, overread or reply
# the kernel would refuse.  Small fixed-layout frames: 10 seconds saturate it.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuzz/lib.sh"
FUZZ_DEFAULT_SECONDS=10
fuzz_smoke daemon-msg corpus/daemon-msg 1024
tap_done
