#!/bin/bash
# A short libFuzzer run of ecryptfs-fuse's readdir name handling (names.c,
# the decision readdir.c takes per entry) over hostile lower names from the
# ASan+UBSan build: ok when about 20 seconds of mutated names cause no crash,
# leak, overread, invalid listed name or listed name that cannot be looked
# up, entry that ends the listing or non-canonical encoding that is listed
# (ECFS_FUZZ_STRICT=1; see tests/fuzz/fuzz-readdir.c).
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuzz/lib.sh"
export ECFS_FUZZ_STRICT=1
fuzz_smoke readdir corpus/readdir 300
tap_done
