# Guest side, sourced (as /in/lib-read.sh) by the scripts that mount the
# lower trees tests/kernel/lib.sh's k_read_add queues (/in/cases/NAME/{lower,
# pass,conf,xattrs.dump}) with the kernel eCryptfs: guest/read-trees.sh and
# guest/xcheck-fuse.sh.  They read the view in their own ways; what a case
# means (keys, options, mount, counts, status) must not differ between them.
# run.sh exec copies only the --script file into the VM, so k_read_add puts
# this file in /in next to the cases.  Plain sh: the guest's /bin/sh is dash.
#
#   kr_keys ADD PASSFILE    add the passphrase (and the filename key when
#                           FNEK=separate) with ADD; sets add (its output),
#                           SIG and FSIG; false when one the mount needs is
#                           missing
#   kr_opts CIPHER          kernel mount options from SIG, FSIG, KEY_BYTES
#                           and XATTR into OPTS and $o/options
#   kr_mount CASEDIR        keys, options, xattrs, mount; sets name, o
#                           (/out/NAME, errors emptied) and u (the mount
#                           point); false with the reason in $o/status
#   kr_count LOWER NU [MORE]  $o/counts; a COUNT error when the view shows
#                           NU entries and the lower tree another number
#   kr_done                 unmount, then $o/status and a summary line

# The reference tool, so that only the format is under test.
KR_ADD=/opt/ecryptfs-utils/bin/ecryptfs-add-passphrase

kr_keys() {
	if [ "$FNEK" = separate ]; then
		add=$("$1" --fnek - <"$2" 2>&1)
	else
		add=$("$1" - <"$2" 2>&1)
	fi
	sigs=$(echo "$add" | sed -n 's/.*sig \[\([0-9a-f]\{16\}\)\].*/\1/p')
	SIG=$(echo "$sigs" | sed -n 1p)
	FSIG=
	[ "$FNEK" = separate ] && FSIG=$(echo "$sigs" | sed -n 2p)
	[ "$FNEK" = same ] && FSIG=$SIG
	[ -n "$SIG" ] && { [ "$FNEK" = none ] || [ -n "$FSIG" ]; }
}

kr_opts() {
	OPTS=ecryptfs_sig=$SIG,ecryptfs_cipher=$1,ecryptfs_key_bytes=$KEY_BYTES
	[ -n "$FSIG" ] && OPTS=$OPTS,ecryptfs_fnek_sig=$FSIG
	[ "$XATTR" = 1 ] && OPTS=$OPTS,ecryptfs_xattr_metadata
	echo "$OPTS" >"$o/options"
}

kr_mount() {
	name=${1##*/}
	o=/out/$name
	u=/mnt/k-$name
	mkdir -p "$o/plain" "$u"
	: >"$o/errors"
	. "$1/conf"
	if ! kr_keys "$KR_ADD" "$1/pass"; then
		echo "FAIL ecryptfs-add-passphrase: $add" >"$o/status"
		return 1
	fi
	kr_opts "$CIPHER"
	if [ -f "$1/xattrs.dump" ] &&
		! (cd "$1/lower" && setfattr -h --restore="$1/xattrs.dump") 2>"$o/setfattr.err"; then
		echo "FAIL setfattr --restore: $(head -3 "$o/setfattr.err")" >"$o/status"
		return 1
	fi
	# busybox mount hands the options to mount(2) unchanged.
	if ! busybox mount -t ecryptfs -o "$OPTS" "$1/lower" "$u" 2>"$o/mount.err"; then
		echo "FAIL mount -o $OPTS: $(cat "$o/mount.err") $(dmesg | grep -i ecryptfs | tail -3)" >"$o/status"
		return 1
	fi
}

# The kernel hides names it cannot decode: only the counts show them.
kr_count() {
	nl=$(cd "$1" && find . ! -name . | wc -l)
	echo "lower_entries=$nl upper_entries=$2${3:+ $3}" >"$o/counts"
	if [ "$nl" != "$2" ]; then
		echo "COUNT lower has $nl entries, the eCryptfs view $2" >>"$o/errors"
	fi
}

kr_done() {
	busybox umount "$u" || echo "UMOUNT failed" >>"$o/errors"
	if [ -s "$o/errors" ]; then echo ERRORS >"$o/status"; else echo OK >"$o/status"; fi
	echo "$name: $(cat "$o/status") ($(cat "$o/counts"); $OPTS)"
}
