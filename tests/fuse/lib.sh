# Shared by tests/fuse/t-*.sh: start and stop ecryptfs-fuse, keys, tree
# manifests.  Source after tests/lib/tap.sh.  Every mount made through
# efs_mount is unmounted on exit, whatever happened (trap).
EFS_BIN=$BUILDDIR/src/fuse/ecryptfs-fuse
ADDKEY=$BUILDDIR/tests/fuse/ecfs-addkey
_efs_mounts=()
# In a sanitizer build the daemon's reports would go to its /dev/null
# stderr; send them to files that efs_sanitizer_check looks at.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$TESTTMP/sanitizer"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$TESTTMP/sanitizer"

# efs_sanitizer_check: after the last unmount, no daemon or helper reported
# an error (always true in a normal build, where nothing writes them).
efs_sanitizer_check() {
	local f
	for f in "$TESTTMP"/sanitizer.*; do
		[ -e "$f" ] || continue
		sed 's/^/#   /' "$f" | head -40
		false; ok "no sanitizer reports"
		return
	done
	true; ok "no sanitizer reports"
}

_efs_cleanup() {
	local m
	for m in "${_efs_mounts[@]}"; do
		if mountpoint -q "$m" 2>/dev/null; then
			umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
		fi
	done
}
trap _efs_cleanup EXIT

# efs_mount LOWER MNT OPTIONS [EXTRA-ARGS...]: mount and wait until it serves.
efs_mount() {
	local lower=$1 mnt=$2 opts=$3; shift 3
	mkdir -p "$mnt"
	_efs_mounts+=("$mnt")
	"$EFS_BIN" "$@" -o "$opts" "$lower" "$mnt" || return 1
	mountpoint -q "$mnt"
}

# efs_umount MNT: unmount and wait for the daemon to finish (keys unlinked etc.).
efs_umount() {
	local i
	umount "$1" || return 1
	for i in $(seq 50); do
		pgrep -f -- "ecryptfs-fuse.* $1\$" >/dev/null || return 0
		sleep 0.1
	done
	return 0
}

# efs_private_ns: rerun this test in a mount namespace of its own, where
# /dev/fuse is open to every user (0666, as udev makes it), so that users
# mount through fusermount3 whatever the host's /dev/fuse says, and no mount
# outlives the test.  Call it first, before anything is mounted.
efs_private_ns() {
	if [ -z "${EFS_PRIVATE_NS:-}" ]; then
		exec env EFS_PRIVATE_NS=1 unshare -m --propagation private bash "$0"
	fi
	mknod -m 666 "$TESTTMP/fuse" c 10 229 && mount --bind "$TESTTMP/fuse" /dev/fuse
}

# efs_addkey [--fnek] PASSPHRASE: add the token to @u, print the sig.
efs_addkey() { "$ADDKEY" "$@"; }

# tree_manifest DIR: one line per entry: path, type, mode, links, size, sha256/target.
# A DIR that cannot be entered gives a line naming it (and status 1), never
# the empty manifest of an empty tree.
tree_manifest() {
	(cd "$1" 2>/dev/null || { echo "tree_manifest: cannot enter $1"; exit 1; }
	find . -mindepth 1 -print0 | sort -z | while IFS= read -r -d '' p; do
		if [ -L "$p" ]; then
			printf '%s L %s -> %s\n' "$p" "$(stat -c %a "$p")" "$(readlink "$p")"
		elif [ -d "$p" ]; then
			printf '%s D %s\n' "$p" "$(stat -c %a "$p")"
		elif [ -f "$p" ]; then
			printf '%s F %s %s %s %s\n' "$p" "$(stat -c '%a %h %s' "$p")" \
				"$(sha256sum <"$p" | cut -d' ' -f1)"
		else
			printf '%s %s %s\n' "$p" "$(stat -c '%F %a' "$p")"
		fi
	done)
}

# Extract a vector tarball (with xattrs) into DIR.
vec_extract() {	# TAR DIR
	mkdir -p "$2" && tar --xattrs --xattrs-include='*' -xpf "$1" -C "$2"
}

# efs_mount_fg LOWER MNT OPTIONS LOG: the daemon in the foreground (-f), in
# the background of this shell, its stderr in LOG; sets EFS_PID.
efs_mount_fg() {
	local lower=$1 mnt=$2 opts=$3 log=$4 i
	mkdir -p "$mnt"
	_efs_mounts+=("$mnt")
	"$EFS_BIN" -f -o "$opts" "$lower" "$mnt" 2>"$log" &
	EFS_PID=$!
	for i in $(seq 100); do
		mountpoint -q "$mnt" && return 0
		kill -0 "$EFS_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# check_st DESCRIPTION COMMAND...: check, returning the command's status, so
# that a suite can stop when its mount did not happen.
check_st() { check "$@"; return "$_st"; }
