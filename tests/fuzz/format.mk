# libFuzzer target for the header and packet parser; run briefly by smoke-header.sh.
EXTRA_DIST += tests/fuzz/smoke-header.sh tests/fuzz/corpus/header
if ENABLE_FUZZERS
noinst_PROGRAMS += tests/fuzz/fuzz-header
# The format sources are compiled in again so that their branches carry coverage feedback.
tests_fuzz_fuzz_header_SOURCES = tests/fuzz/fuzz-header.c src/libecryptfs/header.c \
	src/libecryptfs/packets.c src/libecryptfs/keyset.c src/libecryptfs/extent.c \
	src/libecryptfs/lowerfile.c
tests_fuzz_fuzz_header_CFLAGS = $(AM_CFLAGS) $(GCRYPT_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_header_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer -pthread
tests_fuzz_fuzz_header_LDADD = src/libecryptfs/libecryptfs-internal.la $(GCRYPT_LIBS) \
	$(KEYUTILS_LIBS)
endif
