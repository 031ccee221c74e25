#!/bin/bash
# Large reads (streams) take their ciphertext straight from the disk with an
# O_DIRECT twin of the lower fd; streams of smaller requests, and any where
# the lower file system refuses O_DIRECT (ramfs), are buffered and dropped
# once used.  Either way: the
# plaintext is exact, even right after buffered writes whose lower pages
# are still dirty, and no ciphertext of a streamed file stays in the lower
# page cache (on a disk: ramfs keeps its files nowhere else).
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuse/lib.sh"

command -v fincore >/dev/null || { echo "1..0 # SKIP fincore (util-linux) not installed"; exit 0; }
sig=$(efs_addkey "stream test $$ $RANDOM")
OPTS="ecryptfs_sig=$sig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16"
SRC=$TESTTMP/src
head -c $((6 * 1048576 + 12345)) /dev/urandom >"$SRC"

# lower-resident LOWERFILE: bytes of it in the page cache.
lower_resident() { fincore -b -n -o RES "$1" | tr -d ' '; }

# direct_open MNT-PID LOWERFILE: the daemon holds LOWERFILE open O_DIRECT.
direct_open() {
	local fd flags
	for fd in /proc/"$1"/fd/*; do
		[ "$(readlink "$fd")" = "$2" ] || continue
		flags=$(sed -n 's/^flags:[[:space:]]*//p' /proc/"$1"/fdinfo/"${fd##*/}")
		(((8#$flags & 8#40000) != 0)) && return 0
	done
	return 1
}

# One lower file system: KIND (for the messages), LOWER dir, MNT, and
# whether the daemon should read it direct.
stream_checks() {
	local kind=$1 L=$2 M=$3 want_direct=$4 pid f res
	mkdir -p "$L"
	check_st "$kind: mounts" efs_mount "$L" "$M" "$OPTS" || return
	pid=$(pgrep -n -f -- "ecryptfs-fuse.* $M\$")
	f=$M/big

	# Small writes leave dirty lower pages (only large writes are dropped);
	# a direct read of the upper file goes to the daemon at once.
	dd if="$SRC" of="$f" bs=4k status=none
	check "$kind: a stream right after small buffered writes reads them exactly" \
		cmp "$SRC" <(dd if="$f" bs=1M iflag=direct status=none)
	printf 'overwritten middle' | dd of="$f" bs=1 seek=3000000 conv=notrunc status=none
	printf 'overwritten middle' | dd of="$SRC" bs=1 seek=3000000 conv=notrunc status=none
	check "$kind: ... and an overwrite in the middle" \
		cmp "$SRC" <(dd if="$f" bs=1M iflag=direct status=none)

	# Cold, through the page cache: readahead sends large requests.
	check "$kind: unmounts" efs_umount "$M"
	sync; echo 3 >/proc/sys/vm/drop_caches
	check_st "$kind: mounts again" efs_mount "$L" "$M" "$OPTS" || return
	pid=$(pgrep -n -f -- "ecryptfs-fuse.* $M\$")
	exec 3<"$f"
	check "$kind: a cold stream reads exactly" cmp "$SRC" <(cat <&3)
	if [ "$want_direct" = yes ]; then
		check "$kind: the daemon reads the stream direct" direct_open "$pid" "$L/big"
		# While open: the header, and at most the tail, since requests
		# under 128 KiB are not streams and keep their pages.
		res="$(lower_resident "$L/big") bytes of $(stat -c %s "$L/big")"
		[ "${res%% *}" -le $((8192 + 131072)) ]
		ok "$kind: the stream's ciphertext is not cached below ($res)"
		# Requests under 512 KiB (a mount whose readahead is not raised)
		# are buffered streams: read ahead, then dropped.
		check "$kind: a stream of 256 KiB requests reads exactly" \
			cmp "$SRC" <(dd if="$f" bs=256k iflag=direct status=none)
		res="$(lower_resident "$L/big") bytes of $(stat -c %s "$L/big")"
		[ "${res%% *}" -le $((8192 + 131072)) ]
		ok "$kind: ... and leaves its ciphertext uncached too ($res)"
	else
		direct_open "$pid" "$L/big"; [ $? -ne 0 ]; ok "$kind: no direct reads where O_DIRECT is refused"
	fi
	exec 3<&-	# (the last close drops the whole lower file's cache anyway)
	check "$kind: unmounts at the end" efs_umount "$M"
}

# On a disk file system of its own (ext4 on a loop device), whatever
# TESTTMP is: on tmpfs the lower pages would be the files themselves.
D=$TESTTMP/disk
mkdir -p "$D"
trap '_efs_cleanup; mountpoint -q "$D" && umount "$D"' EXIT
truncate -s 64M "$TESTTMP/disk.img"
if mkfs.ext4 -q -F "$TESTTMP/disk.img" && mount -o loop "$TESTTMP/disk.img" "$D"; then
	stream_checks "disk" "$D/lower" "$TESTTMP/mnt" yes
	umount "$D"
else
	false; ok "an ext4 loop file system mounts (as root)"
fi

# ramfs has no O_DIRECT: the buffered stream path.
R=$TESTTMP/ram
mkdir -p "$R"
if mount -t ramfs ramfs "$R"; then
	stream_checks "ramfs" "$R/lower" "$TESTTMP/mnt2" no
	umount "$R"
else
	false; ok "ramfs mounts (as root)"
fi
efs_addkey --unlink "$sig" >/dev/null
efs_sanitizer_check
tap_done
