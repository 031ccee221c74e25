#!/bin/bash
# A short libFuzzer run of the wrapped parser from the ASan+UBSan build: ok when
# about 20 seconds of mutated input cause no crash, leak or overread.
. "$SRCDIR/tests/lib/tap.sh"
fz=$BUILDDIR/tests/fuzz/fuzz-wrapped
corpus=$TESTTMP/corpus-wrapped
mkdir -p "$corpus"
cp "$SRCDIR"/tests/fuzz/corpus-wrapped/* "$corpus"/
check "fuzz-wrapped is built" test -x "$fz"
check "fuzz-wrapped: ${FUZZ_SECONDS:-20} s without a crash, leak or overread" \
	"$fz" -max_total_time="${FUZZ_SECONDS:-20}" -max_len=512 -rss_limit_mb=1536 \
	-print_final_stats=1 "$corpus"
grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units)' "$TESTTMP/check.out" | sed 's/^/# /'
tap_done
