# libFuzzer target for the filename decoder; run briefly by smoke-fname.sh.
# (Pattern of tests/fuzz/Makefile.inc: the library is coverage-instrumented.)
EXTRA_DIST += tests/fuzz/smoke-fname.sh tests/fuzz/corpus/fname
if ENABLE_FUZZERS
noinst_PROGRAMS += tests/fuzz/fuzz-fname
tests_fuzz_fuzz_fname_CFLAGS = $(FUZZ_FLAGS)
tests_fuzz_fuzz_fname_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_fname_LDADD = $(FUZZ_LIBS)
endif
