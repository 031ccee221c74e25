#!/bin/bash
# POSIX behaviour through ecryptfs-fuse, with the error paths, on three
# option sets (AES-128 plain names, AES-256 with filename encryption,
# AES-128 with the header in user.ecryptfs); then every file written reads
# back the same after a remount, and every lower file has the kernel's layout.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuse/lib.sh"

pass="posix test $$ $RANDOM"
sig=$(efs_addkey "$pass")
fnek=$(efs_addkey --fnek "$pass")

suite() {	# NAME OPTIONS NAMEMAX [dev]
	local name=$1 opts=$2 namemax=$3 dev=${4:-} d=$TESTTMP/$1 line
	mkdir -p "$d/lower"
	chmod 755 "$TESTTMP" "$d"	# other users must reach the mount point
	check_st "$name: mounts" efs_mount "$d/lower" "$d/mnt" "$opts" || return
	python3 "$SRCDIR/tests/fuse/posix-checks.py" "$d/mnt" "$namemax" $dev >"$d/out" 2>"$d/err"
	st=$?
	n=0
	while IFS= read -r line; do
		case $line in
		"ok - "*) n=$((n + 1)); true; ok "$name: ${line#ok - }" ;;
		"not ok - "*) n=$((n + 1)); false; ok "$name: ${line#not ok - }" ;;
		esac
	done <"$d/out"
	# A crash, a kill or an early exit ends the list short: it must be whole.
	[ "$st" -eq 0 ] && [ ! -s "$d/err" ] && [ "$n" -gt 0 ] &&
		[ "$(sed -n 's/^# end of checks: //p' "$d/out")" = "$n" ]
	ok "$name: the checks ran to the end ($n of them)"
	sed 's/^/#   /' "$d/err"
	tree_manifest "$d/mnt" >"$d/before"
	check "$name: unmounts" efs_umount "$d/mnt"
	check "$name: mounts again" efs_mount "$d/lower" "$d/mnt" "$opts"
	tree_manifest "$d/mnt" >"$d/after"
	check "$name: everything reads back the same after a remount" diff -u "$d/before" "$d/after"
	check "$name: unmounts again" efs_umount "$d/mnt"
}

suite aes128 "ecryptfs_sig=$sig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,rw,relatime,nodiratime" 255 dev
suite aes256-fnek "ecryptfs_sig=$sig,ecryptfs_fnek_sig=$fnek,ecryptfs_cipher=aes,ecryptfs_key_bytes=32,nodev" 143 nodev
suite aes128-xattr "ecryptfs_sig=$sig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,ecryptfs_xattr_metadata" 255 dev

# Lower layout: the kernel's sizes, encrypted names under FNEK, headers in xattrs.
bad=0 n=0
while IFS= read -r -d '' f; do
	n=$((n + 1))
	hdr=$(od -A n -t u1 -N 8 "$f" | tr -s ' ')
	sz=0; for b in $hdr; do sz=$((sz * 256 + b)); done
	want=$((8192 + (sz + 4095) / 4096 * 4096))
	[ "$(stat -c %s "$f")" = "$want" ] || { diag "bad lower size: $f"; bad=1; }
done < <(find "$TESTTMP/aes128/lower" -type f -links 1 ! -name 'regnod' -print0)
[ "$n" -gt 300 ] && [ $bad = 0 ]; ok "aes128: every lower file ($n) is metadata + whole extents of its size field"
L2=$TESTTMP/aes256-fnek/lower
n=$(find "$L2" -mindepth 1 ! -name 'ECRYPTFS_FNEK_ENCRYPTED.*' | wc -l)
is "$n:$(find "$L2" -mindepth 1 -name 'ECRYPTFS_FNEK_ENCRYPTED.*' | wc -l | awk '$1 > 300 { print "many" }')" 0:many \
	"aes256-fnek: every lower name (of several hundred) is encrypted"
t=$(find "$L2" -type l -printf '%l\n' | grep -vc '^ECRYPTFS_FNEK_ENCRYPTED\.')
is "$t:$(find "$L2" -type l | wc -l)" 0:2 "aes256-fnek: both lower symlink targets are encrypted"
f=$(find "$TESTTMP/aes128-xattr/lower" -maxdepth 1 -type f -size +0 | head -1)
getfattr -n user.ecryptfs --only-values "$f" >/dev/null 2>&1
ok "aes128-xattr: headers live in user.ecryptfs"
efs_sanitizer_check
tap_done
