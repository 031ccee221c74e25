# ecryptfs-stat: the header of a lower file, as ecryptfs-utils prints it and more.
bin_PROGRAMS += src/utils/ecryptfs-stat
src_utils_ecryptfs_stat_SOURCES = src/utils/ecryptfs-stat.c \
	src/utils/stat_ref.c src/utils/stat_ref.h
src_utils_ecryptfs_stat_CPPFLAGS = $(CLI_CPPFLAGS)
src_utils_ecryptfs_stat_LDADD = $(CLI_LIBS)
dist_man_MANS += doc/ecryptfs-stat.1
EXTRA_DIST += tests/cli/t-stat.sh tests/kernel/lib.sh \
	tests/kernel/t-encrypt-kernel-read.sh tests/kernel/t-exec-tools.sh \
	tests/kernel/t-kernel-modes.sh tests/kernel/guest/modes.sh \
	tests/kernel/guest/read-trees.sh tests/kernel/guest/lib-read.sh \
	tests/kernel/guest/exec-tools.sh
