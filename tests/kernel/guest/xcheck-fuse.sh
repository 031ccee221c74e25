#!/bin/sh
# Guest side of tests/kernel/t-fuse-kernel-read.sh, run as root in the VM
# (run.sh exec, our programs laid over / by --root).  One boot does both
# directions:
#
# 1. The kernel reads the lower trees our FUSE daemon wrote on the host:
#    /in/cases/NAME, as tests/kernel/lib.sh's k_read_add queues them, into
#    /out/NAME/ as its k_read_run would (the reference ecryptfs-add-passphrase
#    adds the keys, so only the format is under test).
# 2. The reverse, per /in/xcheck/rev/NAME/{pass,conf}: keys added with OUR
#    ecryptfs-add-passphrase; the kernel writes /in/xcheck/rplain; OUR
#    ecryptfs-fuse (fuse.ko shipped as /in/xcheck/fuse.ko) reads that tree,
#    then modifies it (xc_mods: append, truncate down/up, overwrite in the
#    middle, O_TRUNC rewrite, new files, rename, unlink, links); the kernel
#    mounts the result again and reads it back.  The same xc_mods applied to
#    a plain copy is the model; then ecfs-fsx runs its random operations on
#    a new file in the mount (its final model joins the plain copy).  Per case in /out/rev/NAME/:
#      fuse-read/    the kernel-written tree as our daemon shows it
#      fuse-after/   our daemon's view after the modifications
#      want/         the model
#      kernel-after/ the kernel's view of the modified lower tree
#      errors        entries the kernel refused on the final read
#      unsound       lower files our ecryptfs-stat finds unsound after the daemon
# Prints "RESULT NAME-STEP ok|FAIL detail" lines for the host.
set -u
X=/in/xcheck
res() { echo "RESULT $1 $2"; }
# dash keeps $? across the command substitutions in the arguments (bash
# would not): the guest runs this under /bin/sh, which is dash.
okst() { if [ $? = 0 ]; then res "$1" "ok${2:+ $2}"; else res "$1" "FAIL${2:+ $2}"; fi; }
# The kernel keeps cached plaintext pages per mount; dropping the caches
# makes every read after a remount come from the lower files.
dropc() { sync; echo 3 >/proc/sys/vm/drop_caches; }
# lap STEP: append "STEP=uptime" to the case's timing line.
lap() { tl="$tl $1=$(cut -d' ' -f1 /proc/uptime)"; }
copyout() { # SRC DST: the tree with GNU tar (hard links, symlinks, modes kept)
	mkdir -p "$2" && (cd "$1" && gtar -cf - .) | (cd "$2" && gtar -xpf -)
}

. "$X/xcheck-mods.sh"
. /in/lib-read.sh

# ---- 1. forward -----------------------------------------------------------
# Same inputs and outputs as tests/kernel/guest/read-trees.sh (k_read_add's
# /in/cases/NAME/{lower,pass,conf,xattrs.dump} in, /out/NAME/{status,errors,
# counts,options,plain} out; the case handling is guest/lib-read.sh's, the
# same for both), but every file is read once, by the GNU tar that copies
# the view out, instead of one cat process per file: under a loaded TCG host
# the process start-ups were most of the VM time.  Read errors are tar's
# messages (open or read failing, with the path).
for c in /in/cases/*; do
	[ -d "$c" ] || continue
	t0=$(cut -d' ' -f1 /proc/uptime)
	kr_mount "$c" || continue
	copyout "$u" "$o/plain" 2>"$o/tar.err"
	grep -v 'Exiting with failure status' "$o/tar.err" | sed 's/^/READ /' >>"$o/errors"
	kr_count "$c/lower" "$(cd "$u" && find . ! -name . | wc -l)"
	kr_done
	echo "TIMING forward $name: $t0 -> $(cut -d' ' -f1 /proc/uptime) s uptime"
done

# ---- 2. reverse -----------------------------------------------------------
grep -qw fuse /proc/filesystems || insmod "$X/fuse.ko" 2>/tmp/insmod.err
i=0
while [ ! -c /dev/fuse ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
grep -qw fuse /proc/filesystems && [ -c /dev/fuse ]
okst fuse-module "$(cat /tmp/insmod.err 2>/dev/null)"
echo "which ecryptfs-fuse: $(command -v ecryptfs-fuse); ecryptfs-add-passphrase: $(command -v ecryptfs-add-passphrase)"
# /sbin is a symlink to /usr/sbin in the guest (merged /usr).
[ "$(readlink -f "$(command -v ecryptfs-add-passphrase)")" = /usr/bin/ecryptfs-add-passphrase ] &&
	[ "$(readlink -f "$(command -v ecryptfs-fuse)")" = /usr/sbin/ecryptfs-fuse ]
okst staged
keyctl link @u @s >/dev/null 2>&1

for c in "$X"/rev/*; do
	[ -d "$c" ] || continue
	name=${c##*/}
	o=/out/rev/$name
	L=$X/rw/$name/lower	# ext4 (the work disk): user.ecryptfs xattrs work
	U=/mnt/rk-$name
	F=/mnt/rf-$name
	M=/tmp/model-$name
	mkdir -p "$o" "$L" "$U" "$F"
	: >"$o/errors"
	. "$c/conf"
	t0=$(cut -d' ' -f1 /proc/uptime)
	tl=
	kr_keys ecryptfs-add-passphrase "$c/pass"
	okst "$name-keys" "$(echo "$add" | tr '\n' ' ')"
	kr_opts aes

	lap keys
	# a. The kernel writes the tree.
	if ! busybox mount -t ecryptfs -o "$OPTS" "$L" "$U" 2>"$o/mount.err"; then
		res "$name-kernel-write" "FAIL mount -o $OPTS: $(cat "$o/mount.err") $(dmesg | grep -i ecryptfs | tail -3 | tr '\n' ' ')"
		continue
	fi
	(cd "$X/rplain" && gtar -cf - .) | (cd "$U" && gtar -xpf -) 2>"$o/kwrite.err" &&
		[ ! -s "$o/kwrite.err" ]
	okst "$name-kernel-write" "$(head -3 "$o/kwrite.err")"
	busybox umount "$U"
	okst "$name-kernel-umount"
	dropc

	lap kwrite
	# b. Our daemon reads it, then modifies it.
	ecryptfs-fuse -f -o "$OPTS" "$L" "$F" 2>"$o/daemon.log" &
	pid=$!
	i=0
	while ! grep -q " $F fuse" /proc/mounts && kill -0 $pid 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if ! grep -q " $F fuse" /proc/mounts; then
		res "$name-fuse-mount" "FAIL $(head -5 "$o/daemon.log" | tr '\n' ' ')"
		kill $pid 2>/dev/null
		continue
	fi
	lap fmount
	res "$name-fuse-mount" ok
	copyout "$F" "$o/fuse-read" 2>"$o/fuse-read.err" && [ ! -s "$o/fuse-read.err" ]
	okst "$name-fuse-read" "$(head -3 "$o/fuse-read.err" | tr '\n' ' ')"
	lap fread
	cp -a "$X/rplain" "$M"
	xc_mods "$F" "$X/rand" >"$o/mods.err" 2>&1
	okst "$name-fuse-mods" "$(tail -3 "$o/mods.err" | tr '\n' ' ')"
	xc_mods "$M" "$X/rand" >"$o/mods-model.err" 2>&1
	okst "$name-model-mods" "$(tail -3 "$o/mods-model.err" | tr '\n' ' ')"
	lap fmods
	# Random operations through our daemon (ecfs-fsx: writes, truncates,
	# mmap stores, fallocate, reopen with O_TRUNC, at offsets around the
	# extent boundaries, checked against its model as it goes); the model
	# joins the plain copy, so the kernel must read the file back equal to it.
	# -E: on this 6.1 kernel mmap stores past EOF come back when the file
	# grows even on plain ext4 (ecfs-fsx's mapeof op fails there: seed 4101,
	# op 250), so that op tests the kernel, not our daemon.
	timeout 600 ecfs-fsx -E -f -S "$FSX_SEED" -N "$FSX_OPS" -l 262144 -o 20000 -B 131072 -c 20 \
		-m "$o/fsx.model" "$F/dir/sub/fsx-file" >"$o/fsx.out" 2>&1 &&
		grep -q '^# ecfs-fsx: seed .* passed' "$o/fsx.out"
	okst "$name-fsx" "$(grep -v '^#' "$o/fsx.out" | tail -3 | tr '\n' ' ')$(grep '^# ecfs-fsx: seed' "$o/fsx.out" | tail -1)"
	cp "$o/fsx.model" "$M/dir/sub/fsx-file"
	rm -f "$o/fsx.model"
	copyout "$F" "$o/fuse-after" 2>"$o/fuse-after.err" && [ ! -s "$o/fuse-after.err" ]
	okst "$name-fuse-reread" "$(head -3 "$o/fuse-after.err" | tr '\n' ' ')"
	copyout "$M" "$o/want"
	lap fsx
	umount "$F" 2>"$o/fuse-umount.err"
	okst "$name-fuse-umount" "$(cat "$o/fuse-umount.err")"
	if grep -q " $F fuse" /proc/mounts; then
		# Never wait for a daemon whose mount is still there.
		umount -l "$F"
		kill -9 $pid
	fi
	wait $pid
	st=$?
	[ $st = 0 ]
	okst "$name-daemon-exit" "status $st $(tail -3 "$o/daemon.log" | tr '\n' ' ')"
	lap fumount
	# Every lower file parses, and its size is what its header says (our
	# ecryptfs-stat's verdict), after the daemon's modifications.
	: >"$o/unsound"
	(cd "$L" && find . -type f) >/tmp/lfiles
	while IFS= read -r f; do
		v=$(ecryptfs-stat "$L/$f" 2>&1 | grep '^Header: ')
		[ "$v" = "Header: [sound]" ] || echo "$f :: ${v:-no verdict}" >>"$o/unsound"
	done </tmp/lfiles
	[ -s /tmp/lfiles ] && [ ! -s "$o/unsound" ]
	okst "$name-lower-sound" "$(wc -l </tmp/lfiles) lower files; $(head -3 "$o/unsound" | tr '\n' ' ')"
	dropc

	lap stat
	# c. The kernel reads the result.
	if ! busybox mount -t ecryptfs -o "$OPTS" "$L" "$U" 2>"$o/mount2.err"; then
		res "$name-kernel-reread" "FAIL mount: $(cat "$o/mount2.err") $(dmesg | grep -i ecryptfs | tail -3 | tr '\n' ' ')"
		continue
	fi
	(cd "$U" && find . -type f) >/tmp/files
	while IFS= read -r f; do
		cat "$U/$f" >/dev/null 2>/tmp/e || echo "READ ${f#./} :: $(cat /tmp/e)" >>"$o/errors"
	done </tmp/files
	(cd "$U" && find . -type l) | while IFS= read -r f; do
		readlink "$U/$f" >/dev/null 2>/tmp/e || echo "READLINK ${f#./} :: $(cat /tmp/e)" >>"$o/errors"
	done
	nl=$(cd "$L" && find . ! -name . | wc -l)
	nu=$(cd "$U" && find . ! -name . | wc -l)
	[ "$nl" != "$nu" ] && echo "COUNT lower has $nl entries, the eCryptfs view $nu" >>"$o/errors"
	copyout "$U" "$o/kernel-after" 2>"$o/kernel-after.err"
	[ -s "$o/kernel-after.err" ] && sed 's/^/TAR /' "$o/kernel-after.err" >>"$o/errors"
	[ ! -s "$o/errors" ]
	okst "$name-kernel-reread" "$(head -3 "$o/errors" | tr '\n' ' ')"
	lap kread
	busybox umount "$U"
	okst "$name-kernel-umount2"
	echo "TIMING reverse $name: $t0 -> $(cut -d' ' -f1 /proc/uptime) s uptime;$tl"
done
dmesg | grep -i -e ecryptfs -e fuse >/out/dmesg-all.txt
exit 0
