# bench/fuse: the FUSE benchmark (bench/fuse/bench.sh) and its small-files
# helper, built here so that CI compiles it; bench.sh builds it itself when
# it runs from a tree without a build.
noinst_PROGRAMS += bench/fuse/ecfs-bench-smallfiles
bench_fuse_ecfs_bench_smallfiles_SOURCES = bench/fuse/smallfiles.c
EXTRA_DIST += bench/fuse/bench.sh
