#!/bin/bash
# Extent engine throughput and its overhead against raw libgcrypt CBC, in one
# run over the same buffers.  Target: overhead under 10%.  Prints only.
#   bench/extent/bench.sh [BUILDDIR] [MiB per round] [rounds]
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
BUILDDIR=${1:-$SRCDIR/build}
bin=$BUILDDIR/bench/extent/extent-bench
if [ ! -x "$bin" ]; then
	echo "bench/extent/bench.sh: $bin not built (make -C $BUILDDIR bench/extent/extent-bench)" >&2
	exit 1
fi
"$bin" "${2:-8}" "${3:-15}"
