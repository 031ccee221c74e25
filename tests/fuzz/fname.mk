# libFuzzer target for the filename decoder; run briefly by smoke-fname.sh.
EXTRA_DIST += tests/fuzz/smoke-fname.sh tests/fuzz/corpus/fname
if ENABLE_FUZZERS
noinst_PROGRAMS += tests/fuzz/fuzz-fname
# fname.c is compiled in again so that its branches carry coverage feedback.
tests_fuzz_fuzz_fname_SOURCES = tests/fuzz/fuzz-fname.c src/libecryptfs/fname.c
tests_fuzz_fuzz_fname_CFLAGS = $(AM_CFLAGS) $(GCRYPT_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_fname_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer -pthread
tests_fuzz_fuzz_fname_LDADD = src/libecryptfs/libecryptfs-internal.la $(GCRYPT_LIBS) \
	$(KEYUTILS_LIBS)
endif
