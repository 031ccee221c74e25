# xc_mods DIR RAND: the modifications of t-fuse-kernel-read.sh's reverse
# direction, applied inside the VM both to our FUSE mount of a tree the
# kernel wrote and to a plain copy (the model).  POSIX sh with busybox's dd,
# truncate, head (dash in the guest).  DIR holds the tree xc_tree made;
# RAND is at least 64 KiB of random data.  Stops at the first failure (a subshell with set -e).
xc_mods() (
	d=$1 r=$2
	set -e
	# Data appended to a file the kernel left empty (header only).
	printf 'the first bytes of an empty file' >>"$d/f-0"
	# Append across extent boundaries through the second name of a hard link.
	head -c 5000 "$r" >>"$d/dir/hard-4097"
	# Truncate down into the first extent, then up again: zeros, not the old
	# bytes, must come back.
	truncate -s 100 "$d/f-4096"
	truncate -s 12000 "$d/f-4096"
	# Truncate up from a partial extent.
	truncate -s 20000 "$d/f-4095"
	# Overwrite the middle, unaligned, across two extent boundaries.
	dd if="$r" of="$d/f-8193" bs=1000 skip=7 seek=2 count=5 conv=notrunc 2>/dev/null
	# The big file: down to the middle of an extent, whole aligned extents
	# overwritten (no read-modify-write), an unaligned overwrite, an append.
	truncate -s 700001 "$d/big"
	dd if="$r" of="$d/big" bs=4096 skip=1 seek=73 count=3 conv=notrunc 2>/dev/null
	dd if="$r" of="$d/big" bs=100 skip=3 seek=5003 count=77 conv=notrunc 2>/dev/null
	head -c 3000 "$r" >>"$d/big"
	# An O_TRUNC rewrite, larger than before.
	head -c 65536 "$r" >"$d/f-1"
	# A new file, a new directory, a new symlink and a new hard link.
	head -c 10000 "$r" >"$d/dir/new-by-fuse"
	mkdir "$d/new-dir"
	ln -s ../f-1 "$d/dir/new-link"
	ln "$d/f-1" "$d/dir/sub/f-1-hard"
	# A rename to a long name in another directory, and an unlink.
	mv "$d/nested-move-me" "$d/dir/sub/renamed-$(printf 'r%.0s' $(seq 100))"
	rm "$d/dir/gone"
)
