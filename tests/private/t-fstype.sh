# mount.ecryptfs_private's mountpoint file system decision
# (src/utils/private/fstype.c): the homes' file systems pass, the virtual
# ones a user could use to fool other programs do not.
. "$SRCDIR/tests/lib/tap.sh"
F=$BUILDDIR/tests/private/fstype-check
want() {	# MAGIC NAME VERDICT
	is "$("$F" "$1")" "$1 $3" "$2 ($1): $3"
}
want EF53 ext4 allowed
want 9123683E btrfs allowed
want 58465342 xfs allowed
want 01021994 tmpfs allowed
want 65735546 fuse allowed
want 6969 nfs allowed
want 794C7630 overlayfs allowed
want 2FC12FC1 zfs allowed
want F15F ecryptfs allowed
want 9fa0 proc refused
want 62656572 sysfs refused
want 1cd1 devpts refused
want 27e0eb cgroup refused
want 63677270 cgroup2 refused
want 858458f6 ramfs refused
want 0 "zero" refused
# statfs's f_type is a signed long: a sign-extended magic is the same file system
want FFFFFFFF9123683E "btrfs sign-extended" allowed
# the check can fail: a planted entry of the real list flips a verdict
"$F" 9fa0 | grep -q refused; ok "the checker reports refusals (proc)"
tap_done
