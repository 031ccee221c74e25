# Benchmark of the extent engine (bench/extent.sh runs it); built, never installed.
noinst_PROGRAMS += bench/extent-bench
EXTRA_DIST += bench/extent.sh
bench_extent_bench_SOURCES = bench/extent-bench.c
bench_extent_bench_CFLAGS = $(AM_CFLAGS) $(GCRYPT_CFLAGS) -pthread
bench_extent_bench_LDFLAGS = $(AM_LDFLAGS) -pthread
bench_extent_bench_LDADD = src/libecryptfs/libecryptfs-internal.la $(GCRYPT_LIBS) \
	$(KEYUTILS_LIBS)
