# The offline tools: ecryptfs-decrypt and ecryptfs-encrypt (no mount, no kernel).
OFFLINE_COMMON = src/utils/offline-tool.h src/utils/offline-main.c \
	src/utils/offline-tree.c src/utils/offline-keys.c src/utils/offline-keys.h \
	src/utils/offline-walk.c src/utils/offline-walk.h
bin_PROGRAMS += src/utils/ecryptfs-decrypt src/utils/ecryptfs-encrypt
src_utils_ecryptfs_decrypt_SOURCES = src/utils/ecryptfs-decrypt.c $(OFFLINE_COMMON)
src_utils_ecryptfs_decrypt_CPPFLAGS = $(CLI_CPPFLAGS)
src_utils_ecryptfs_decrypt_LDADD = $(CLI_LIBS)
src_utils_ecryptfs_encrypt_SOURCES = src/utils/ecryptfs-encrypt.c $(OFFLINE_COMMON)
src_utils_ecryptfs_encrypt_CPPFLAGS = $(CLI_CPPFLAGS)
src_utils_ecryptfs_encrypt_LDADD = $(CLI_LIBS)
dist_man_MANS += doc/ecryptfs-decrypt.1 doc/ecryptfs-encrypt.1
EXTRA_DIST += tests/offline/offline-lib.sh tests/offline/t-vectors.sh \
	tests/offline/t-encrypt-compat.sh tests/offline/t-roundtrip.sh \
	tests/offline/t-badinput.sh tests/offline/t-cli.sh tests/offline/t-rcsalt.sh
