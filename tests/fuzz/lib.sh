# Shared by the tests/fuzz/smoke-*.sh scripts (sourced after tests/lib/tap.sh).
# fuzz_smoke NAME CORPUS MAX_LEN [LIBFUZZER ARGS...]: run the ASan+UBSan
# build's fuzz-NAME for FUZZ_SECONDS (default: the script's FUZZ_DEFAULT_SECONDS,
# else 20) on a scratch copy of the seed corpus CORPUS (relative to
# tests/fuzz); ok when nothing crashes, leaks or overreads.  Targets that
# need files make them under TMPDIR, which points into the test's scratch
# directory, so that the runner removes them.
fuzz_smoke() {
	local name=$1 seeds=$2 max_len=$3
	local fz=$BUILDDIR/tests/fuzz/fuzz-$name corpus=$TESTTMP/corpus-$name
	local secs=${FUZZ_SECONDS:-${FUZZ_DEFAULT_SECONDS:-20}}

	shift 3
	mkdir -p "$corpus"
	cp "$SRCDIR/tests/fuzz/$seeds"/* "$corpus"/
	check "fuzz-$name is built" test -x "$fz"
	check "fuzz-$name: $secs s without a crash, leak or overread" \
		env TMPDIR="$TESTTMP" "$fz" -max_total_time="$secs" \
		-max_len="$max_len" -rss_limit_mb=1536 -print_final_stats=1 "$@" "$corpus"
	grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units)' "$TESTTMP/check.out" |
		sed 's/^/# /'
}
