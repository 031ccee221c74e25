#!/bin/sh
# Guest side of k_read_run (tests/kernel/lib.sh), run as root in the VM.
# For every /in/cases/NAME (lower/, pass, conf, xattrs.dump): add the
# passphrase with the reference ecryptfs-add-passphrase, mount the kernel
# eCryptfs with kernel options, read everything, copy the view out to
# /out/NAME/plain.  Per case: /out/NAME/{status,errors,options,counts}.
# One case failing never stops the others; the exit status is 0 when every
# case ran (its status file says how it went).  What a case means (keys,
# options, mount, counts, status) is lib-read.sh's, shared with
# guest/xcheck-fuse.sh; the per-file reading is this script's own.
set -u
. /in/lib-read.sh
for c in /in/cases/*; do
	[ -d "$c" ] || continue
	kr_mount "$c" || continue
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
	kr_count "$c/lower" "$(wc -l </tmp/all)" "regular_files=$nf"
	gtar -cf - . 2>"$o/tar.err" | (cd "$o/plain" && gtar -xpf -) 2>>"$o/tar.err"
	[ -s "$o/tar.err" ] && sed 's/^/TAR /' "$o/tar.err" >>"$o/errors"
	cd /
	kr_done
done
dmesg | grep -i ecryptfs >/out/dmesg.txt
exit 0
