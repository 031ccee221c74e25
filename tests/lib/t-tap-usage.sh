#!/bin/bash
# The arguments of ok are expanded before ok runs, so a command substitution
# in its description replaces the status that ok records with its own: the
# assertion then passes whatever happened.  No test may write one; put the
# detail in a diag line after the ok instead.
. "$SRCDIR/tests/lib/tap.sh"

# Calls of ok whose description holds $( or a backquote, as FILE:LINE:TEXT.
bad_oks() {
	grep -rnHE '(^|[;&|{(]|then|do|else)[[:space:]]*ok "[^"]*(\$\(|`)' "$@" --include='*.sh' \
		--exclude=t-tap-usage.sh
}

printf '%s\n' 'false' 'ok "looks fine: $(cat f)"' '[ -e x ]; ok "n=`wc -l <f`"' \
	'ok "plain words"' 'ok "$n --help exits 0"' >"$TESTTMP/sample.sh"
is "$(bad_oks "$TESTTMP/sample.sh" | cut -d: -f2 | tr '\n' ' ')" "2 3 " \
	"the check finds substitutions in descriptions, and only those"
found=$(bad_oks "$SRCDIR/tests")
is "$found" "" "no test's ok description runs a command"
tap_done
