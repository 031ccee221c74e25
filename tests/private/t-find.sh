#!/bin/bash
# ecryptfs-find on ecryptfs-fuse mounts: a decrypted name gives its lower
# name and back (names encrypted or not, spaces, hard links, symlinks,
# relative paths, a mount whose lower directory is inside another mount);
# --inum gives both sides; a missing name and an unknown option are errors,
# never the reference's loop.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuse/lib.sh"
FIND=$BUILDDIR/src/utils/private/ecryptfs-find

pass="find test $$ $RANDOM"
sig=$(efs_addkey "$pass")
fnek=$(efs_addkey --fnek "$pass")
OPTS=ecryptfs_sig=$sig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16
L=$TESTTMP/lower M=$TESTTMP/mnt
mkdir -p "$L"
check_st "mounts with encrypted names" efs_mount "$L" "$M" "$OPTS,ecryptfs_fnek_sig=$fnek" || { tap_done; exit; }
mkdir -p "$M/d1/d2" && echo one >"$M/d1/d2/file"
ok "d1/d2/file written through the mount"
# only DIR: the single entry of DIR (whose lower names we cannot compute):
# taken while d1/d2/file is all there is.
only() {
	local e=("$1"/*)
	[ ${#e[@]} -eq 1 ] && [ -e "${e[0]}" ] || { echo "only: ${#e[@]} entries in $1" >&2; return 1; }
	echo "${e[0]}"
}
LD1=$(only "$L"); LD2=$(only "$LD1"); LF=$(only "$LD2")
mkdir -p "$M/with space" && echo two >"$M/with space/a b" &&
	mkdir "$M/links" && echo three >"$M/links/t" && ln "$M/links/t" "$M/links/u" && ln -s d1 "$M/sym"
ok "the rest of the tree written"
case "${LF##*/}" in ECRYPTFS_FNEK_ENCRYPTED.*) true ;; *) false ;; esac
ok "the lower file has an encrypted name"
# The lower path as ecryptfs-find prints it: the lower directory, a slash, the rest.
want_lower=$L/${LF#"$L"/}
is "$("$FIND" "$M/d1/d2/file")" "$want_lower" "decrypted name -> its lower file"
is "$("$FIND" "$LF")" "$M/d1/d2/file" "lower name -> its decrypted file"
is "$("$FIND" "$LD1")" "$M/d1" "a lower directory -> the decrypted directory"
is "$(cd "$M/d1" && "$FIND" d2/file)" "$want_lower" "a relative decrypted name"
is "$(cd "$LD2" && "$FIND" "${LF##*/}")" "$M/d1/d2/file" "a relative lower name"
is "$("$FIND" "$M/d1/d2/")" "$L/${LD2#"$L"/}" "a directory given with a slash"
out=$("$FIND" "$M/with space/a b")
test -f "$out"; ok "a name with spaces: its lower file"
is "$(stat -c %i "$out")" "$(stat -c %i "$M/with space/a b")" "  with the same inode number"
is "$("$FIND" "$out")" "$M/with space/a b" "  and back"
"$FIND" "$M/links/t" >"$TESTTMP/hl.out"
is "$(wc -l <"$TESTTMP/hl.out")" 2 "a hard link: both lower names"
"$FIND" "$(head -n1 "$TESTTMP/hl.out")" | sort >"$TESTTMP/hl2.out"
printf '%s\n' "$M/links/t" "$M/links/u" | diff - "$TESTTMP/hl2.out"; ok "  and back, both decrypted names"
sl=$("$FIND" "$M/sym")
test -L "$sl"; ok "a symlink: its lower symlink, not followed"
is "$("$FIND" "$sl")" "$M/sym" "  and back"
is "$("$FIND" "$M")" "$L/" "the mount point -> the lower directory"

# --inum: both sides of every mount.
ino=$(stat -c %i "$M/d1/d2/file")
"$FIND" --inum "$ino" | sort >"$TESTTMP/i.out"
printf '%s\n' "$M/d1/d2/file" "$want_lower" | sort | diff - "$TESTTMP/i.out"; ok "--inum: the lower and the decrypted name"
is "$("$FIND" -i 1 | wc -l)" 0 "-i of an unused number: nothing"

# Names not encrypted: the lower name looks like the decrypted one; the
# reference would search the lower directory again, we know the side.
L2=$TESTTMP/plainlower M2=$TESTTMP/plainmnt
mkdir -p "$L2"
check_st "mounts with plain names" efs_mount "$L2" "$M2" "$OPTS" || { tap_done; exit; }
echo p >"$M2/plain.txt"
is "$("$FIND" "$L2/plain.txt")" "$M2/plain.txt" "plain names: lower -> decrypted"
is "$("$FIND" "$M2/plain.txt")" "$L2/plain.txt" "plain names: decrypted -> lower"

# A lower directory inside another mount (~/Private inside an encrypted
# home): the deepest match decides.
mkdir "$M/.Private"
check_st "mounts a lower directory that is inside the first mount" \
	efs_mount "$M/.Private" "$TESTTMP/inner" "$OPTS" || { tap_done; exit; }
echo inner >"$TESTTMP/inner/in.txt"
is "$("$FIND" "$M/.Private/in.txt")" "$TESTTMP/inner/in.txt" "nested: the inner lower file -> the inner mount"
inner_lower=$("$FIND" "$TESTTMP/inner/in.txt")
is "$inner_lower" "$M/.Private/in.txt" "nested: the inner mount -> its lower file"
check "unmounts the inner mount" efs_umount "$TESTTMP/inner"

# Outside every mount: nothing found, exit 0 as the reference.
echo x >"$TESTTMP/outside"
out=$("$FIND" "$TESTTMP/outside"); st=$?
is "$st" 0 "a file in no mount: exit 0"
is "$out" "" "  nothing printed"

# Errors.
timeout 10 "$FIND" "$TESTTMP/missing" >"$TESTTMP/e.out" 2>&1
is $? 1 "a missing name: exit 1"
grep -qxF "ERROR: [$TESTTMP/missing] not found" "$TESTTMP/e.out"; ok "  ERROR: [NAME] not found"
timeout 10 "$FIND" --bogus "$M/d1" >"$TESTTMP/u.out" 2>&1
is $? 1 "an unknown option: exit 1 (124 would be a loop)"
grep -q '^Usage: ecryptfs-find FILE$' "$TESTTMP/u.out"; ok "  with the usage"
timeout 10 "$FIND" >"$TESTTMP/n.out" 2>&1
is $? 1 "no argument: exit 1"
timeout 10 "$FIND" "$M/d1" "$M/sym" >"$TESTTMP/two.out" 2>&1
is $? 1 "two names: exit 1"
timeout 10 "$FIND" -i 12x >"$TESTTMP/x.out" 2>&1
is $? 1 "-i of a non-number: exit 1"
timeout 10 "$FIND" --help >"$TESTTMP/h.out" 2>&1
is $? 0 "--help: exit 0"
grep -q -- '--inum INODE' "$TESTTMP/h.out"; ok "  describes the options"
(cd "$M/d1" && timeout 10 "$FIND" -- d2) >"$TESTTMP/dd.out"
is "$(cat "$TESTTMP/dd.out")" "$L/${LD2#"$L"/}" "-- ends the options"
check "unmounts" efs_umount "$M"
check "unmounts the plain mount" efs_umount "$M2"
tap_done
