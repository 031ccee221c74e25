#!/bin/bash
# A write drops security.capability (the kernel asks for it before every
# write); the daemon remembers its absence, so the answer must follow every
# setxattr and removexattr of it.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuse/fuse-lib.sh"

command -v setcap >/dev/null || { echo "1..0 # SKIP setcap not installed"; exit 0; }
sig=$(efs_addkey "killpriv test $$ $RANDOM")
L=$TESTTMP/lower M=$TESTTMP/mnt
mkdir -p "$L"
check_st "mounts" efs_mount "$L" "$M" "ecryptfs_sig=$sig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16" || { tap_done; exit; }
f=$M/prog
echo one >"$f"; echo two >>"$f"	# absence seen and remembered
setcap cap_net_raw+ep "$f"
is "$(getcap "$f")" "$f cap_net_raw=ep" "setcap after writes: the capability is there"
echo three >>"$f"
is "$(getcap "$f")" "" "a write drops it"
is "$(getfattr -n security.capability "$L/prog" 2>/dev/null)" "" "... on the lower file too"
setcap cap_net_raw+ep "$f"; echo four >>"$f"
is "$(getcap "$f")" "" "again, after a second setcap"
setcap cap_net_raw+ep "$f"; setcap -r "$f"; echo five >>"$f"
is "$(getcap "$f")" "" "setcap -r, then a write: still none"
is "$(cat "$f")" "$(printf 'one\ntwo\nthree\nfour\nfive')" "the contents are whole"
check "unmounts" efs_umount "$M"
efs_addkey --unlink "$sig" >/dev/null
efs_sanitizer_check
tap_done
