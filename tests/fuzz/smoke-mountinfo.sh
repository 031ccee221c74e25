#!/bin/bash
# A short libFuzzer run of the mountinfo line reader (libecryptfs's
# ecryptfs_mountinfo_parse, which pam_ecryptfs, mount.ecryptfs_private and
# ecryptfs-fuse read their mounts with) from the ASan+UBSan build: ok when
# about 20 seconds of mutated lines cause no crash, leak or overread and no
# reading that differs from proc(5)'s format or breaks the escaping's round
# trip.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuzz/lib.sh"
fuzz_smoke mountinfo corpus/mountinfo 4096
tap_done
