#!/bin/bash
# One include-guard pattern for every header under src/, tests/ and bench/:
# ECFS_ and the header's path from the top of the tree, in capitals, with
# every other character than a letter or digit as '_' (src/fuse/efs.h:
# ECFS_SRC_FUSE_EFS_H), so that two headers can never share a guard.  The
# first directive is #ifndef GUARD, the next line #define GUARD, the last
# line #endif /* GUARD */.  Shown to fire on a planted sample first.
. "$SRCDIR/tests/lib/tap.sh"

# guard_faults TOP: "path: what is wrong" for each header under TOP/{src,tests,bench}.
guard_faults() {
	(cd "$1" && find src tests bench -name '*.h' -type f 2>/dev/null | LC_ALL=C sort |
		while IFS= read -r h; do
			g=ECFS_$(printf '%s' "$h" | tr '[:lower:]' '[:upper:]' | tr -c 'A-Z0-9' '_')
			awk -v g="$g" -v h="$h" '
				/^[ \t]*#/ && !first { first = FNR; if ($0 != "#ifndef " g) bad = "first directive is not #ifndef " g }
				first && FNR == first + 1 && !bad && $0 != "#define " g { bad = "no #define " g " after the #ifndef" }
				NF { last = $0 }
				END {
					if (!first) bad = "no directive at all"
					if (!bad && last != "#endif /* " g " */") bad = "last line is not #endif /* " g " */"
					if (bad) print h ": " bad
				}' "$h"
		done)
}

S=$TESTTMP/sample
mkdir -p "$S/src/a" "$S/tests/b" "$S/bench/c"
printf '%s\n' '/* fine */' '#ifndef ECFS_SRC_A_GOOD_H' '#define ECFS_SRC_A_GOOD_H' 'int f(void);' \
	'#endif /* ECFS_SRC_A_GOOD_H */' '' >"$S/src/a/good.h"
printf '%s\n' '#ifndef WRONG_NAME_H' '#define WRONG_NAME_H' '#endif /* WRONG_NAME_H */' \
	>"$S/src/a/wrong-name.h"
printf '%s\n' '#ifndef ECFS_TESTS_B_NO_END_H' '#define ECFS_TESTS_B_NO_END_H' '#endif' \
	>"$S/tests/b/no-end.h"
printf '%s\n' '#include <stdio.h>' '#ifndef ECFS_BENCH_C_LATE_H' '#define ECFS_BENCH_C_LATE_H' \
	'#endif /* ECFS_BENCH_C_LATE_H */' >"$S/bench/c/late.h"
printf '%s\n' '#ifndef ECFS_BENCH_C_OTHER_DEFINE_H' '#define ECFS_BENCH_C_OTHER_H' \
	'#endif /* ECFS_BENCH_C_OTHER_DEFINE_H */' >"$S/bench/c/other-define.h"
guard_faults "$S" | cut -d: -f1 >"$TESTTMP/sample.out"
is "$(tr '\n' ' ' <"$TESTTMP/sample.out")" \
	"bench/c/late.h bench/c/other-define.h src/a/wrong-name.h tests/b/no-end.h " \
	"planted: a wrong name, a directive before the guard, another #define, an unmarked #endif are found; a good header is not"

find "$SRCDIR/src" "$SRCDIR/tests" "$SRCDIR/bench" -name '*.h' -type f >"$TESTTMP/headers"
check "there are headers to check" test -s "$TESTTMP/headers"
diag "$(wc -l <"$TESTTMP/headers") headers"
guard_faults "$SRCDIR" >"$TESTTMP/faults"
is "$(cat "$TESTTMP/faults")" "" "every header of the tree follows the pattern"
tap_done
