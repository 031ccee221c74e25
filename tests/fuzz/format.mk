# libFuzzer target for the header and packet parser; run briefly by smoke-header.sh.
# (Pattern of tests/fuzz/Makefile.inc: the library is coverage-instrumented.)
EXTRA_DIST += tests/fuzz/smoke-header.sh tests/fuzz/corpus/header
if ENABLE_FUZZERS
noinst_PROGRAMS += tests/fuzz/fuzz-header
tests_fuzz_fuzz_header_CFLAGS = $(FUZZ_FLAGS)
tests_fuzz_fuzz_header_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_header_LDADD = $(FUZZ_LIBS)
endif
