# Filename and symlink-target encryption (tag 70, FORMAT.md §6).
src_libecryptfs_libecryptfs_la_SOURCES += src/libecryptfs/fname.c
