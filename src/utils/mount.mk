# mount.ecryptfs and umount.ecryptfs: where mount(8) looks for helpers.
rootsbin_PROGRAMS += src/utils/mount.ecryptfs src/utils/umount.ecryptfs
src_utils_mount_ecryptfs_SOURCES = src/utils/mount_ecryptfs.c \
	src/utils/mount_helper.h \
	src/utils/mount_opts.c \
	src/utils/mount_prompt.c \
	src/utils/mount_passphrase.c \
	src/utils/mount_graph.c \
	src/utils/mount_sigcache.c \
	src/utils/mount_datapath.c
src_utils_mount_ecryptfs_CPPFLAGS = $(CLI_CPPFLAGS)
src_utils_mount_ecryptfs_LDADD = $(CLI_LIBS)
src_utils_umount_ecryptfs_SOURCES = src/utils/umount_ecryptfs.c
src_utils_umount_ecryptfs_CPPFLAGS = $(CLI_CPPFLAGS)
src_utils_umount_ecryptfs_LDADD = $(CLI_LIBS)
dist_man_MANS += doc/mount.ecryptfs.8 doc/umount.ecryptfs.8
EXTRA_DIST += tests/mount/lib.sh tests/mount/t-options.sh tests/mount/t-passfile.sh \
	tests/mount/t-dialogue.sh tests/mount/t-datapath.sh tests/mount/t-decisions.sh \
	tests/mount/t-umount.sh tests/mount/t-fuse-e2e.sh tests/mount/t-kernel-vm.sh
