#!/bin/bash
# A short libFuzzer run of the FUSE mount record reader (src/fuse/mountrec.c:
# the parser umount.ecryptfs reads a record with, and the sweep of records
# whose mount is gone) from the ASan+UBSan build: ok when about 20 seconds of
# mutated records and record directories cause no crash, leak or overread,
# no record taken that the writer would not write byte for byte, and no
# sweep that removes anything but a record of a device no mount has.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuzz/lib.sh"
fuzz_smoke mountrec corpus/mountrec 4200 -close_fd_mask=3
tap_done
