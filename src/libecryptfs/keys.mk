# The key layer of libecryptfs: passphrase keys, keyring tokens, rc files,
# the signature cache and wrapped passphrases.
src_libecryptfs_libecryptfs_la_SOURCES += \
	src/libecryptfs/kdf.c \
	src/libecryptfs/authtok.c \
	src/libecryptfs/keyring.c \
	src/libecryptfs/rcfile.c \
	src/libecryptfs/sigcache.c \
	src/libecryptfs/wrap.c \
	src/libecryptfs/wrap_v3.c
