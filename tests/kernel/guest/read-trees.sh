#!/bin/sh
# Guest side of k_read_run (tests/kernel/lib.sh), run as root in the VM.
# For every /in/cases/NAME (lower/, pass, conf, xattrs.dump): add the
# passphrase with the reference ecryptfs-add-passphrase, mount the kernel
# eCryptfs with kernel options, read everything, copy the view out to
# /out/NAME/plain.  Per case: /out/NAME/{status,errors,options,counts}.
# One case failing never stops the others; the exit status is 0 when every
# case ran (its status file says how it went).
set -u
ADD=/opt/ecryptfs-utils/bin/ecryptfs-add-passphrase
for c in /in/cases/*; do
	[ -d "$c" ] || continue
	name=${c##*/}
	o=/out/$name
	u=/mnt/k-$name
	mkdir -p "$o/plain" "$u"
	: >"$o/errors"
	. "$c/conf"
	if [ "$FNEK" = separate ]; then
		add=$("$ADD" --fnek - <"$c/pass" 2>&1)
	else
		add=$("$ADD" - <"$c/pass" 2>&1)
	fi
	sigs=$(echo "$add" | sed -n 's/.*sig \[\([0-9a-f]\{16\}\)\].*/\1/p')
	SIG=$(echo "$sigs" | sed -n 1p)
	FSIG=
	[ "$FNEK" = separate ] && FSIG=$(echo "$sigs" | sed -n 2p)
	[ "$FNEK" = same ] && FSIG=$SIG
	if [ -z "$SIG" ] || { [ "$FNEK" != none ] && [ -z "$FSIG" ]; }; then
		echo "FAIL ecryptfs-add-passphrase: $add" >"$o/status"
		continue
	fi
	OPTS=ecryptfs_sig=$SIG,ecryptfs_cipher=$CIPHER,ecryptfs_key_bytes=$KEY_BYTES
	[ -n "$FSIG" ] && OPTS=$OPTS,ecryptfs_fnek_sig=$FSIG
	[ "$XATTR" = 1 ] && OPTS=$OPTS,ecryptfs_xattr_metadata
	echo "$OPTS" >"$o/options"
	if [ -f "$c/xattrs.dump" ] &&
		! (cd "$c/lower" && setfattr -h --restore="$c/xattrs.dump") 2>"$o/setfattr.err"; then
		echo "FAIL setfattr --restore: $(head -3 "$o/setfattr.err")" >"$o/status"
		continue
	fi
	# busybox mount hands the options to mount(2) unchanged.
	if ! busybox mount -t ecryptfs -o "$OPTS" "$c/lower" "$u" 2>"$o/mount.err"; then
		echo "FAIL mount -o $OPTS: $(cat "$o/mount.err") $(dmesg | grep -i ecryptfs | tail -3)" >"$o/status"
		continue
	fi
	cd "$u" || exit 1
	find . ! -name . >/tmp/all 2>>"$o/errors"
	nf=0
	find . -type f >/tmp/files
	while IFS= read -r f; do
		nf=$((nf + 1))
		cat "$f" >/dev/null 2>/tmp/e || echo "READ ${f#./} :: $(cat /tmp/e)" >>"$o/errors"
	done </tmp/files
	find . -type l | while IFS= read -r f; do
		readlink "$f" >/dev/null 2>/tmp/e || echo "READLINK ${f#./} :: $(cat /tmp/e)" >>"$o/errors"
	done
	# The kernel hides names it cannot decode: only the counts show them.
	nl=$(cd "$c/lower" && find . ! -name . | wc -l)
	nu=$(wc -l </tmp/all)
	echo "lower_entries=$nl upper_entries=$nu regular_files=$nf" >"$o/counts"
	[ "$nl" != "$nu" ] && echo "COUNT lower has $nl entries, the eCryptfs view $nu" >>"$o/errors"
	gtar -cf - . 2>"$o/tar.err" | (cd "$o/plain" && gtar -xpf -) 2>>"$o/tar.err"
	[ -s "$o/tar.err" ] && sed 's/^/TAR /' "$o/tar.err" >>"$o/errors"
	cd /
	busybox umount "$u" || echo "UMOUNT failed" >>"$o/errors"
	if [ -s "$o/errors" ]; then echo ERRORS >"$o/status"; else echo OK >"$o/status"; fi
	echo "$name: $(cat "$o/status") ($(cat "$o/counts"); $OPTS)"
done
dmesg | grep -i ecryptfs >/out/dmesg.txt
exit 0
