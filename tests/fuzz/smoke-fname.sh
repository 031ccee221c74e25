#!/bin/bash
# A short libFuzzer run of the filename decoder from the ASan+UBSan build:
# ok when about 20 seconds of mutated names cause no crash, leak or overread.
. "$SRCDIR/tests/lib/tap.sh"
fz=$BUILDDIR/tests/fuzz/fuzz-fname
corpus=$TESTTMP/corpus-fname
mkdir -p "$corpus"
cp "$SRCDIR"/tests/fuzz/corpus/fname/* "$corpus"/
check "fuzz-fname is built" test -x "$fz"
check "fuzz-fname: ${FUZZ_SECONDS:-20} s without a crash, leak or overread" \
	"$fz" -max_total_time="${FUZZ_SECONDS:-20}" -max_len=1200 -rss_limit_mb=1536 \
	-print_final_stats=1 "$corpus"
grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units)' "$TESTTMP/check.out" | sed 's/^/# /'
tap_done
