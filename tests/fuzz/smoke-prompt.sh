#!/bin/bash
# A short libFuzzer run of mount.ecryptfs's prompt answers (y/n questions,
# menus, the decision graph, the signature-cache questions) from the
# ASan+UBSan build: ok when about 20 seconds of mutated answers cause no
# crash, leak, overread, over-read line or answer taken against its words.
# The program's messages are silenced (-close_fd_mask); libFuzzer's are not.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuzz/lib.sh"
fuzz_smoke prompt corpus/prompt 1024 -close_fd_mask=3
tap_done
