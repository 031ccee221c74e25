#!/bin/bash
# A write drops security.capability (the kernel asks for it before every
# write); the daemon remembers its absence, so the answer must follow every
# setxattr and removexattr of it.  The capability is set and read as the raw
# xattr with setfattr/getfattr (attr, which setup.sh installs), the very calls
# setcap and getcap make, so the test needs no libcap2-bin and never skips.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuse/lib.sh"

# cap_net_raw+ep as a VFS_CAP_REVISION_2 value (what "setcap cap_net_raw+ep" writes).
CAP=0x0100000200200000000000000000000000000000
setcap() { setfattr -n security.capability -v "$CAP" "$1"; }
uncap() { setfattr -x security.capability "$1"; }
getcap() { getfattr -n security.capability -e hex "$1" 2>/dev/null | sed -n 's/^security\.capability=//p'; }
sig=$(efs_addkey "killpriv test $$ $RANDOM")
L=$TESTTMP/lower M=$TESTTMP/mnt
mkdir -p "$L"
check_st "mounts" efs_mount "$L" "$M" "ecryptfs_sig=$sig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16" || { tap_done; exit; }
f=$M/prog
# The lower file is looked at directly (getfattr on $L), which tells whether
# each setcap took effect without asking the daemon, whose remembered answer
# is what is under test.
lower_cap() { getfattr -n security.capability "$L/prog" >/dev/null 2>&1; }
echo one >"$f"; echo two >>"$f"	# absence seen and remembered
check "setcap after writes succeeds" setcap "$f"
check "... and reaches the lower file" lower_cap
is "$(getcap "$f")" "$CAP" "setcap after writes: the capability is there"
echo three >>"$f"
is "$(getcap "$f")" "" "a write drops it"
! lower_cap; ok "... on the lower file too"
check "a second setcap succeeds" setcap "$f"
check "... and reaches the lower file" lower_cap
echo four >>"$f"
is "$(getcap "$f")" "" "again, after a second setcap"
! lower_cap; ok "... on the lower file too"
check "a third setcap succeeds" setcap "$f"
check "... and setcap -r (removexattr) removes it" uncap "$f"
! lower_cap; ok "... from the lower file"
echo five >>"$f"
is "$(getcap "$f")" "" "setcap -r, then a write: still none"
is "$(cat "$f")" "$(printf 'one\ntwo\nthree\nfour\nfive')" "the contents are whole"
check "unmounts" efs_umount "$M"
efs_addkey --unlink "$sig" >/dev/null
efs_sanitizer_check
tap_done
