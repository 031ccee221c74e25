# Mount helpers for the FUSE stress tests; source after tests/lib/tap.sh.
#
# Everything a test does to the filesystem under test goes through fs_mount,
# fs_unmount, fs_kill and the fs_lower_* functions below, so pointing the
# tests at another implementation is one case in each.  The default and the
# only one CI uses is our daemon; FUSE_STRESS_FS=gocryptfs runs the same
# tests against gocryptfs, to check the tests themselves.
#
# Keys: ecryptfs-add-passphrase puts them in the user keyring (@u), which all
# of root's sessions share, so every mount uses a fresh random passphrase
# and its key is unlinked again at exit.

FUSE_STRESS_FS=${FUSE_STRESS_FS:-ecryptfs}
FSX=$BUILDDIR/tests/fsx/ecfs-fsx
ECFS_FUSE=$BUILDDIR/src/fuse/ecryptfs-fuse
ECFS_ADD_PASSPHRASE=$BUILDDIR/src/utils/keys/ecryptfs-add-passphrase
ECFS_STAT=$BUILDDIR/src/utils/offline/ecryptfs-stat
ECFS_DECRYPT=$BUILDDIR/src/utils/offline/ecryptfs-decrypt

_fs_mounts=()
_fs_pids=()
_fs_sigs=()

fs_cleanup() {
	local i m
	for ((i = ${#_fs_mounts[@]} - 1; i >= 0; i--)); do
		m=${_fs_mounts[i]}
		if _fs_is_mounted "$m"; then
			fusermount3 -u -z "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
		fi
	done
	for p in "${_fs_pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	for s in "${_fs_sigs[@]}"; do
		k=$(keyctl search @u user "$s" 2>/dev/null) && keyctl unlink "$k" @u >/dev/null 2>&1
	done
	return 0
}
trap fs_cleanup EXIT
trap 'exit 130' INT TERM

# The implementation is there, or a test that needs it fails (never skips).
fs_available() {
	case $FUSE_STRESS_FS in
	ecryptfs)
		[ -x "$ECFS_FUSE" ] || { echo "$ECFS_FUSE is not built"; return 1; }
		[ -x "$ECFS_ADD_PASSPHRASE" ] || { echo "$ECFS_ADD_PASSPHRASE is not built"; return 1; }
		;;
	gocryptfs) command -v gocryptfs >/dev/null || { echo "gocryptfs is not installed"; return 1; } ;;
	*) echo "unknown FUSE_STRESS_FS=$FUSE_STRESS_FS"; return 1 ;;
	esac
}

_fs_is_mounted() { awk -v m="$1" '$5 == m { f = 1 } END { exit !f }' /proc/self/mountinfo; }

# The daemon is our child: once it has exited it is a zombie until reaped.
_fs_running() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [[ $st != Z* ]]
}

# fs_add_key: a new random passphrase in the keyring; sets FS_SIG, FS_PASS.
fs_add_key() {
	local out
	FS_PASS=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
	out=$(printf '%s' "$FS_PASS" | "$ECFS_ADD_PASSPHRASE" - 2>&1) || { echo "$out"; return 1; }
	FS_SIG=$(sed -n 's/.*sig \[\([0-9a-f]\{16\}\)\].*/\1/p' <<<"$out")
	[ -n "$FS_SIG" ] || { echo "no signature in: $out"; return 1; }
	_fs_sigs+=("$FS_SIG")
}

# fs_start LOWER MNT OPTIONS: run the daemon in the foreground in the
# background (so that its pid is known and it can be killed), wait until
# the mount is there.  Sets FS_PID; the daemon's output goes to FS_LOG.
fs_start() {
	local lower=$1 mnt=$2 opts=$3 i
	FS_LOG=$TESTTMP/daemon.$(basename "$mnt").log
	mkdir -p "$lower" "$mnt"
	case $FUSE_STRESS_FS in
	ecryptfs) "$ECFS_FUSE" -f -o "$opts" "$lower" "$mnt" >>"$FS_LOG" 2>&1 & ;;
	gocryptfs) gocryptfs -fg -q -nosyslog -passfile "$TESTTMP/gocryptfs.pass" "$lower" "$mnt" >>"$FS_LOG" 2>&1 & ;;
	esac
	FS_PID=$!
	_fs_pids+=("$FS_PID")
	_fs_mounts+=("$mnt")
	for ((i = 0; i < 200; i++)); do
		_fs_is_mounted "$mnt" && return 0
		_fs_running "$FS_PID" || break
		sleep 0.05
	done
	echo "mount of $lower on $mnt failed; daemon output:"
	cat "$FS_LOG"
	return 1
}

# fs_mount LOWER MNT [EXTRA_OPTIONS]: a new key, then mount.  EXTRA_OPTIONS
# start with a comma; "=SIG" in them stands for the new key's signature
# (e.g. ",ecryptfs_fnek_sig=SIG": names encrypted with the same key).
fs_mount() {
	local lower=$1 mnt=$2 extra=${3:-}
	fs_available || return 1
	case $FUSE_STRESS_FS in
	ecryptfs)
		fs_add_key || return 1
		FS_OPTS="ecryptfs_sig=$FS_SIG,ecryptfs_cipher=aes,ecryptfs_key_bytes=16${extra//=SIG/=$FS_SIG}"
		;;
	gocryptfs)
		mkdir -p "$lower"
		head -c 24 /dev/urandom | base64 >"$TESTTMP/gocryptfs.pass"
		gocryptfs -q -init -plaintextnames -passfile "$TESTTMP/gocryptfs.pass" "$lower" || return 1
		FS_OPTS=
		;;
	esac
	fs_start "$lower" "$mnt" "$FS_OPTS"
}

# fs_remount LOWER MNT: mount again with the key of the last fs_mount.
fs_remount() { fs_start "$1" "$2" "$FS_OPTS"; }

# fs_unmount MNT: unmount; the daemon must then exit, with status 0.
fs_unmount() {
	local mnt=$1 i st
	for ((i = 0; i < 50; i++)); do
		_fs_is_mounted "$mnt" || break
		fusermount3 -u "$mnt" 2>/dev/null && break
		sleep 0.1
	done
	_fs_is_mounted "$mnt" && { echo "$mnt is still mounted"; return 1; }
	for ((i = 0; i < 200; i++)); do
		if ! _fs_running "$FS_PID"; then
			wait "$FS_PID"
			st=$?
			[ "$st" -eq 0 ] && return 0
			echo "daemon exited with status $st; its output:"
			tail -20 "$FS_LOG"
			return 1
		fi
		sleep 0.05
	done
	echo "daemon $FS_PID did not exit after unmount"
	return 1
}

# fs_kill MNT: SIGKILL the daemon, then detach the dead mount.
fs_kill() {
	kill -9 "$FS_PID" 2>/dev/null
	wait "$FS_PID" 2>/dev/null
	fusermount3 -u "$1" 2>/dev/null || umount -l "$1" 2>/dev/null
	! _fs_is_mounted "$1"
}

# fs_lower_name NAME: the lower file of a top-level upper file (no filename
# encryption on our mounts, plaintext names on gocryptfs).
fs_lower_name() { echo "$1"; }

# fs_lower_check LOWERFILE [strict]: the lower file parses.  For eCryptfs:
# the marker, version 3, the header extent fields and (strict, i.e. after a
# clean unmount) the lower size that the size field implies
# (doc/format.md §2.3, §5.4); with the header in the user.ecryptfs xattr,
# data starts at 0.
# Not strict, an empty lower file passes too.
# ecryptfs-stat too when it is built.  Prints why not.
fs_lower_check() {
	local f=$1 strict=${2:-} h size m1 m2 ver ext cnt lsz want meta
	case $FUSE_STRESS_FS in
	gocryptfs)
		lsz=$(stat -c %s "$f")
		[ "$lsz" -eq 0 ] && return 0
		h=$(od -An -tx1 -N2 -v "$f" | tr -d ' \n')
		[ "$h" = 0002 ] || { echo "$f: gocryptfs header version $h"; return 1; }
		return 0
		;;
	esac
	# Killed between creating a lower file and writing its header: an empty
	# lower file, which the kernel and our daemon turn into a valid one
	# when it is next opened; a clean unmount never leaves one.
	if [ -z "$strict" ] && [ ! -s "$f" ] && ! getfattr -n user.ecryptfs "$f" >/dev/null 2>&1; then
		return 0
	fi
	if getfattr -n user.ecryptfs "$f" >/dev/null 2>&1; then
		h=$(getfattr --only-values -n user.ecryptfs "$f" | od -An -tx1 -N26 -v | tr -d ' \n')
		meta=0
	else
		h=$(od -An -tx1 -N26 -v "$f" | tr -d ' \n')
		meta=
	fi
	[ ${#h} -eq 52 ] || { echo "$f: shorter than a header (${#h} hex digits)"; return 1; }
	size=$((16#${h:0:16})) m1=$((16#${h:16:8})) m2=$((16#${h:24:8}))
	ver=$((16#${h:32:2})) ext=$((16#${h:40:8})) cnt=$((16#${h:48:4}))
	(((m1 ^ 0x3c81b7f5) == m2)) || { echo "$f: bad marker ${h:16:16}"; return 1; }
	[ "$ver" -eq 3 ] || { echo "$f: version $ver"; return 1; }
	[ "$ext" -eq 4096 ] && [ "$cnt" -ge 2 ] || { echo "$f: header extents $ext x $cnt"; return 1; }
	if [ -n "$strict" ]; then
		lsz=$(stat -c %s "$f")
		want=$((${meta:-ext * cnt} + (size + 4095) / 4096 * 4096))
		[ "$lsz" -eq "$want" ] || { echo "$f: size field $size wants lower size $want, is $lsz"; return 1; }
	fi
	if [ -x "$ECFS_STAT" ]; then
		"$ECFS_STAT" "$f" >/dev/null 2>&1 || { echo "$f: ecryptfs-stat rejects it"; return 1; }
	fi
	return 0
}

# fs_lower_check_all LOWERDIR [strict]: every regular lower file parses, and
# there is at least one (an empty or missing directory proves nothing).
fs_lower_check_all() {
	local dir=$1 strict=${2:-} f bad=0 n=0
	while IFS= read -r -d '' f; do
		case $FUSE_STRESS_FS:$(basename "$f") in gocryptfs:gocryptfs.*) continue ;; esac
		n=$((n + 1))
		fs_lower_check "$f" "$strict" || bad=$((bad + 1))
	done < <(find "$dir" -type f -print0)
	echo "$n lower files checked, $bad bad"
	[ "$n" -gt 0 ] && [ "$bad" -eq 0 ]
}

# fs_offline_decrypt LOWER OUT: decrypt the lower tree of the last fs_mount
# without the daemon (ecryptfs-decrypt with its passphrase): a second
# reader of what the daemon wrote, sharing neither its cache nor its code
# paths above the format layer.
fs_offline_decrypt() {
	local lower=$1 out=$2
	case $FUSE_STRESS_FS in
	ecryptfs)
		[ -x "$ECFS_DECRYPT" ] || { echo "$ECFS_DECRYPT is not built"; return 1; }
		printf '%s\n' "$FS_PASS" >"$TESTTMP/offline.pass"
		"$ECFS_DECRYPT" --passphrase-file "$TESTTMP/offline.pass" "$lower" "$out"
		;;
	gocryptfs)
		mkdir -p "$TESTTMP/offline.mnt" &&
			gocryptfs -q -ro -nosyslog -passfile "$TESTTMP/gocryptfs.pass" "$lower" "$TESTTMP/offline.mnt" &&
			cp -r "$TESTTMP/offline.mnt" "$out"
		fusermount3 -u "$TESTTMP/offline.mnt"
		;;
	esac
}

# fs_lower_size_of LOWERFILE: the logical size in the header (eCryptfs).
fs_lower_size_of() { echo $((16#$(od -An -tx1 -N8 -v "$1" | tr -d ' \n'))); }

# fs_corrupt LOWERFILE: destroy what identifies the file as encrypted
# (eCryptfs: zero the marker; gocryptfs: zero the file header).
fs_corrupt() {
	case $FUSE_STRESS_FS in
	ecryptfs) dd if=/dev/zero of="$1" bs=1 seek=8 count=8 conv=notrunc status=none ;;
	gocryptfs) dd if=/dev/zero of="$1" bs=1 count=18 conv=notrunc status=none ;;
	esac
}
