# libecryptfs, the on-disk format layer: key sets, policy, header and key
# packets, the extent engine and lower files.
src_libecryptfs_libecryptfs_la_SOURCES += \
	src/libecryptfs/keyset.c \
	src/libecryptfs/policy.c \
	src/libecryptfs/packets.c \
	src/libecryptfs/header.c \
	src/libecryptfs/extent.c \
	src/libecryptfs/lowerfile.c
