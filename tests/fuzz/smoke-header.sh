#!/bin/bash
# A short libFuzzer run of the header and packet parser from the ASan+UBSan
# build: ok when about 20 seconds of mutated headers (file head and xattr
# forms, unwrap, lower-file open) cause no crash, leak or overread.
. "$SRCDIR/tests/lib/tap.sh"
fz=$BUILDDIR/tests/fuzz/fuzz-header
corpus=$TESTTMP/corpus-header
mkdir -p "$corpus"
cp "$SRCDIR"/tests/fuzz/corpus/header/* "$corpus"/
check "fuzz-header is built" test -x "$fz"
check "fuzz-header: ${FUZZ_SECONDS:-20} s without a crash, leak or overread" \
	"$fz" -max_total_time="${FUZZ_SECONDS:-20}" -max_len=12400 -rss_limit_mb=1536 \
	-print_final_stats=1 "$corpus"
grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units)' "$TESTTMP/check.out" | sed 's/^/# /'
tap_done
