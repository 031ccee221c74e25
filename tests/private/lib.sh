# Shared set-up of tests/private: as root, a staging tree whose sbin holds
# the setuid helper (owned by root, mode 4755, umount.ecryptfs_private a
# second name of it) and ecryptfs-fuse, whose bin holds our programs and
# the shell programs; real test users made by useradd and removed by the
# trap.  Source after tests/lib/tap.sh.
if [ "$(id -u)" != 0 ]; then
	echo "Bail out! tests/private needs root (setuid helper, useradd, mounts)"
	exit 1
fi
ST=$(mktemp -d /tmp/ecfs-private.XXXXXX)
chmod 755 "$ST"
mkdir -p "$ST/sbin" "$ST/bin"
PRIV_USERS=
priv_cleanup() {
	for u in $PRIV_USERS; do
		h=$(getent passwd "$u" | cut -d: -f6)
		grep -E " (fuse\.)?ecryptfs " /proc/self/mounts | awk '{print $2}' |
			grep "^$h" | sort -r | while read -r m; do umount -l "$m"; done
		pkill -KILL -u "$u" 2>/dev/null
		sleep 0.2
		userdel -r -f "$u" >/dev/null 2>&1
		rm -f /dev/shm/ecryptfs-"$u"-* /dev/shm/.ecryptfs-"$u"
		rm -rf "/home/.ecryptfs/$u"
	done
	rm -rf "$ST"
}
trap priv_cleanup EXIT

# Wrappers are root's and not writable by others, as the helper wants.
wrap() {	# NAME DIR TARGET
	printf '#!/bin/sh\nexec %s "$@"\n' "$3" >"$2/$1"
	chmod 755 "$2/$1"
}
install -o root -g root -m 4755 "$BUILDDIR/src/utils/private/mount.ecryptfs_private" "$ST/sbin/"
ln "$ST/sbin/mount.ecryptfs_private" "$ST/sbin/umount.ecryptfs_private"
wrap ecryptfs-fuse "$ST/sbin" "$(prog ecryptfs-fuse)"
# mount.ecryptfs (not setuid) starts the daemon named here.
wrap mount.ecryptfs "$ST/sbin" "$(prog mount.ecryptfs)"
export ECRYPTFS_FUSE_PROG="$ST/sbin/ecryptfs-fuse"
for p in ecryptfs-add-passphrase ecryptfs-wrap-passphrase ecryptfs-unwrap-passphrase \
	ecryptfs-insert-wrapped-passphrase-into-keyring ecryptfs-rewrap-passphrase \
	ecryptfs-decrypt ecryptfs-stat; do
	wrap "$p" "$ST/bin" "$(prog $p)"
done
for p in ecryptfs-setup-private ecryptfs-mount-private ecryptfs-umount-private \
	ecryptfs-recover-private ecryptfs-verify; do
	install -m 755 "$BUILDDIR/src/utils/private/$p" "$ST/bin/"
done
export ECRYPTFS_SBINDIR="$ST/sbin"
export PATH="$ST/bin:$PATH"
MOUNT_PRIV=$ST/sbin/mount.ecryptfs_private
UMOUNT_PRIV=$ST/sbin/umount.ecryptfs_private

# new_user NAME: a user with password NAME-pw-123 and a home.
new_user() {
	useradd -m -s /bin/sh "$1" || return 1
	PRIV_USERS="$PRIV_USERS $1"
	echo "$1:$1-pw-123" | chpasswd
}
# as USER CMD...: run CMD as USER with a small clean environment.
as() {
	_u=$1; shift
	env -i HOME="$(getent passwd "$_u" | cut -d: -f6)" USER="$_u" LOGNAME="$_u" \
		PATH="$PATH" ECRYPTFS_SBINDIR="$ECRYPTFS_SBINDIR" \
		setpriv --reuid="$_u" --regid="$(id -g "$_u")" --init-groups -- "$@"
}
home_of() { getent passwd "$1" | cut -d: -f6; }
# is_mounted DIR: a private mount (kernel or FUSE) on DIR.
is_mounted() { awk -v d="$1" '$2 == d && ($3 == "ecryptfs" || $3 == "fuse.ecryptfs") {f=1} END {exit !f}' /proc/self/mounts; }
# mount_owner DIR: the uid the daemon of the FUSE mount on DIR runs as.
daemon_uid() {
	for p in $(pgrep -f "ecryptfs-fuse.*$1"); do
		awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$p/status"
	done | sort -u
}
