# umount.ecryptfs against the reference, with a fake mount table laid over
# /etc/mtab: keys unlinked with ecryptfs_unlink_sigs, kept without, ENOKEY
# ignored, the message when it cannot, then /bin/umount -i ARGS.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/mount/lib.sh"
mt_user
SA=54aec054e1352dae SB=404813ed10cc70a4	# secretA, secretB
add_keys() {
	kr_clear "$MT_USER"
	as_user "$MT_USER" bash -c "printf secretA | $(ref_cmd ecryptfs-add-passphrase) - && printf secretB | $(ref_cmd ecryptfs-add-passphrase) -" >/dev/null
}
mtab() { printf '%s\n' "$@" >"$MT/etc/mtab"; }
E1="/dev/sda1 / ext4 rw,relatime 0 0"
ENT="$MT/lower $U ecryptfs rw,relatime,ecryptfs_fnek_sig=$SB,ecryptfs_sig=$SA,ecryptfs_cipher=aes,ecryptfs_key_bytes=16"

# compare: both start from the same keys; keys left, output, status, argv
u_compare() {	# DESCRIPTION ARGS...
	local d=$1 rs os rk; shift
	add_keys
	mt_run ref umount.ecryptfs "$@"; rs=$?
	rk=$(kr_sigs "$MT_USER")
	cp "$MT/out" "$MT/ref.out"; cp "$MT/err.clean" "$MT/ref.err"; mt_argv >"$MT/ref.argv"
	add_keys
	mt_run ours umount.ecryptfs "$@"; os=$?
	mt_argv >"$MT/ours.argv"
	is "$os" "$rs" "$d: exit status"
	is "$(kr_sigs "$MT_USER")" "$rk" "$d: keys left ($rk)"
	check "$d: stdout" diff "$MT/ref.out" "$MT/out"
	check "$d: stderr" diff "$MT/ref.err" "$MT/err.clean"
	check "$d: umount argv" diff "$MT/ref.argv" "$MT/ours.argv"
}

mtab "$E1" "$ENT,ecryptfs_unlink_sigs 0 0"
u_compare "unlink_sigs" "$U" -v
is "$(kr_sigs "$MT_USER")" "" "unlink_sigs: both keys gone"
is "$(sed -n 2,4p "$MT/ours.argv" | tr '\n' ' ')" "-i $U -v " "then umount -i ARGS"
u_compare "no mount table entry" "$MT/nowhere"
check "no entry: the reference's message" grep -qx 'Could not unlink the key(s) from your keying. Please use `keyctl unlink` if you wish to remove the key(s). Proceeding with umount.' "$MT/err"
mtab "$E1" "$ENT 0 0"
u_compare "without unlink_sigs" "$U"
is "$(kr_sigs "$MT_USER")" "$SB $SA" "without unlink_sigs: keys stay"
mtab "$MT/lower $U ecryptfs rw,ecryptfs_fnek_sig=$SA,ecryptfs_sig=$SA,ecryptfs_unlink_sigs 0 0"
u_compare "fnek sig = sig" "$U"
is "$(kr_sigs "$MT_USER")" "$SB" "fnek sig = sig: that key gone, the other stays"
mtab "$MT/lower $U ecryptfs rw,ecryptfs_sig=0123456789abcdef,ecryptfs_unlink_sigs 0 0"
u_compare "key already gone (ENOKEY)" "$U"
u_compare "no arguments"
rm -f "$MT/etc/mtab"

# ours only: a canonical path finds the entry; a FUSE mount keeps its keys
# (the daemon unlinks them) and is unmounted without a message
mtab "$E1" "$ENT,ecryptfs_unlink_sigs 0 0"
add_keys
mt_run ours umount.ecryptfs "$U/"
is "$(kr_sigs "$MT_USER")" "" "trailing slash: entry found, keys gone"
mtab "$E1" "$MT/lower $U fuse.ecryptfs rw,nosuid,nodev,relatime,user_id=0,group_id=0 0 0"
add_keys
mt_run ours umount.ecryptfs "$U"
is "$?" 0 "fuse mount: status"
is "$(kr_sigs "$MT_USER")" "$SB $SA" "fuse mount: keys left to the daemon"
check "fuse mount: no message" test ! -s "$MT/err"
is "$(head -1 "$MT/log")" /bin/fusermount3 "fuse mount, not root: fusermount3"
is "$(sed -n 2,3p "$MT/log" | tr '\n' ' ')" "-u $U " "fuse mount: fusermount3 -u MOUNTPOINT"
rm -f "$MT/etc/mtab"
kr_clear "$MT_USER"
tap_done
