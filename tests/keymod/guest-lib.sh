# Sourced by the key-module tests' guest scripts (run in their own mount
# namespace and session keyring, W set): the upper mount point $U, our
# programs over /usr/sbin, and the steps the scripts share.
U=$W/upper
mkdir -p "$U"
trap 'fusermount3 -u -z "$U" 2>/dev/null' EXIT
mount -t overlay overlay -o "lowerdir=$W/sbin:/usr/sbin" /usr/sbin
keyctl link @u @s >/dev/null
res() { echo "RES $1 $2"; }
# mnt NAME LOWER OPTIONS: mount, output in $W/NAME.out; the sig in $W/NAME.sig.
mnt() {
	mkdir -p "$2"
	mount -t ecryptfs "$2" "$U" -o "$3" </dev/null >"$W/$1.out" 2>&1; res "$1" $?
	sed -n 's/^  ecryptfs_sig=//p' "$W/$1.out" | head -1 >"$W/$1.sig"
}
gone() {	# SIG: wait for the daemon to unlink it at unmount
	for i in $(seq 20); do keyctl search @u user "$1" >/dev/null 2>&1 || return 0; sleep 0.2; done
	return 1
}
manifest() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
