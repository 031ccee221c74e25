#!/bin/bash
# A short libFuzzer run of the mount-table readers (umount.ecryptfs's entry
# and key unlinking, mount.ecryptfs's sysfs and /proc/filesystems lookups,
# ecryptfs-fuse's mountinfo search) from the ASan+UBSan build: ok when about
# 20 seconds of mutated tables cause no crash, leak, overread or reading that
# differs from getmntent(3) and proc(5).
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuzz/lib.sh"
fuzz_smoke mounttab corpus/mounttab 12000 -close_fd_mask=3
tap_done
