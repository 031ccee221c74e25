#!/bin/bash
# Runs the whole test suite and ends with one line "N passed, N failed".
#   tests/run.sh [-b BUILDDIR] [-a ASAN_BUILDDIR] [PATTERN...]
# Every test is a TAP producer: C programs named t-* in BUILDDIR/tests/libecryptfs and
# scripts named t-*.sh under tests/.  Each ok/not ok line counts once; a test
# that crashes, exits non-zero without a failing line, prints no plan, or
# whose plan disagrees with its lines counts as one more failure.  With -a,
# the C unit tests and the fuzz smoke runs are repeated from an ASan+UBSan
# build.
set -u
SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
BUILDDIR=$SRCDIR/build
ASAN_BUILDDIR=
while getopts b:a: o; do
	case $o in
	b) BUILDDIR=$(cd "$OPTARG" && pwd) ;;
	a) ASAN_BUILDDIR=$(cd "$OPTARG" && pwd) ;;
	*) echo "usage: $0 [-b BUILDDIR] [-a ASAN_BUILDDIR] [PATTERN...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
PATTERNS=("$@")
# Kernel-written vectors live in the tree; tests/kernel/lib.sh locates the qemu
# harness (ECFS_KERNEL_TOOLS or KERNEL_TOOLS from the environment).
export VECTORS=${VECTORS:-$SRCDIR/tests/data/vectors}
LOGDIR=$BUILDDIR/test-logs
rm -rf "$LOGDIR"; mkdir -p "$LOGDIR"
passed=0 failed=0
failed_tests=()

selected() {
	[ ${#PATTERNS[@]} -eq 0 ] && return 0
	for p in "${PATTERNS[@]}"; do [[ $1 == *$p* ]] && return 0; done
	return 1
}

run_one() {	# LABEL BUILDDIR COMMAND...
	local label=$1 bdir=$2; shift 2
	local log=$LOGDIR/${label//\//_}.log tmp st p f
	selected "$label" || return 0
	tmp=$(mktemp -d /tmp/ecfs-test.XXXXXX)
	local t0=$SECONDS
	( cd "$tmp" && BUILDDIR=$bdir SRCDIR=$SRCDIR TESTTMP=$tmp \
		ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		timeout --kill-after=10 "${TEST_TIMEOUT:-1800}" "$@" ) >"$log" 2>&1 </dev/null
	st=$?
	rm -rf "$tmp"
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$log" | tail -1)
	# A plan that disagrees with the lines: results were lost (an ok in a
	# subshell or a piped loop counts nowhere) or a test ended early.
	if [ -n "$plan" ] && [ "$plan" -ne $((p + f)) ]; then
		echo "# plan 1..$plan but $((p + f)) results" >>"$log"
		f=$((f + 1))
	fi
	if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	if [ -z "$plan" ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p)); failed=$((failed + f))
	printf '%-44s %4d passed %3d failed  (%ds)\n' "$label" "$p" "$f" $((SECONDS - t0))
	if [ "$f" -ne 0 ]; then
		failed_tests+=("$label")
		grep -E '^(not ok|#)' "$log" | head -40 | sed 's/^/    /'
		[ "$st" -ne 0 ] && { echo "    exit status $st; last lines:"; tail -15 "$log" | sed 's/^/    | /'; }
	fi
}

for t in "$BUILDDIR"/tests/libecryptfs/t-*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	run_one "libecryptfs/$(basename "$t")" "$BUILDDIR" "$t"
done
while IFS= read -r t; do
	rel=${t#"$SRCDIR"/tests/}
	run_one "${rel%.sh}" "$BUILDDIR" bash "$t"
done < <(find "$SRCDIR/tests" -name 't-*.sh' -type f | sort)

if [ -n "$ASAN_BUILDDIR" ]; then
	for t in "$ASAN_BUILDDIR"/tests/libecryptfs/t-*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		run_one "asan/libecryptfs/$(basename "$t")" "$ASAN_BUILDDIR" "$t"
	done
	for t in "$SRCDIR"/tests/fuzz/smoke-*.sh; do
		[ -f "$t" ] || continue
		run_one "asan/$(basename "${t%.sh}")" "$ASAN_BUILDDIR" bash "$t"
	done
fi

if [ ${#failed_tests[@]} -ne 0 ]; then
	echo "failing: ${failed_tests[*]}"
	echo "logs: $LOGDIR"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
