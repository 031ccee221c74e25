#!/bin/bash
# A short libFuzzer run of the passphrase inputs (stdin and prompt lines,
# ecryptfs-decrypt's passphrase fd and file and key options, mount.ecryptfs's
# passphrase_passwd_fd and _file, wrapped-passphrase loading) from the
# ASan+UBSan build: ok when about 20 seconds of mutated input cause no crash,
# leak, overread or secret that is not what the input says.  The programs'
# messages are silenced (-close_fd_mask); libFuzzer's are not.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuzz/lib.sh"
fuzz_smoke secret corpus/secret 1024 -close_fd_mask=3
tap_done
