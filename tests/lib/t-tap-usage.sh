#!/bin/bash
# The arguments of ok are expanded before ok runs, so a command substitution
# in its description replaces the status that ok records with its own: the
# assertion then passes whatever happened.  No test may write one; put the
# detail in a diag line after the ok instead.  Nor may ok follow a statement
# whose status is not the check's: the end of a loop or an if (the last body
# command's status, or 0 when no branch ran), an assignment through local,
# declare, export, readonly or typeset (0 whatever its $(...) returned), a
# pipeline whose last stage always succeeds (head, tail, tee, sort, uniq,
# cat, tr, cut, sed, wc), "|| true" or "|| :", or diag or a plain echo.
. "$SRCDIR/tests/lib/tap.sh"

# Calls of ok whose description holds $( or a backquote, as FILE:LINE:TEXT.
bad_oks() {
	grep -rnHE '(^|[;&|{(]|then|do|else)[[:space:]]*ok "[^"]*(\$\(|`)' "$@" --include='*.sh' \
		--exclude=t-tap-usage.sh
}

# Calls of ok right after a statement whose status is not a check's, as
# FILE:LINE:TEXT.  Line-based: continued lines (a trailing \, &&, || or |)
# are joined, heredoc bodies and comments skipped, command substitutions do
# not count as pipelines; the statement before ok is the text before it on
# its line (after the last ';'), else the last statement of the line before.
# Plain awk (mawk and busybox awk run it too).
bad_status_oks() {
	find "$@" -name '*.sh' ! -name t-tap-usage.sh -type f -print0 | sort -z |
		xargs -0 -r awk '
	function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
	function last_stmt(s,   n, p) { n = split(s, p, /;/); while (n > 1 && trim(p[n]) == "") n--; return trim(p[n]) }
	function suspect(c,   o) {
		do { o = c; gsub(/\$\([^()]*\)/, "S", c) } while (c != o)
		gsub(/`[^`]*`/, "S", c)
		if (c ~ /^(done|fi)([ \t]*[<>].*)?$/) return 1
		if (c ~ /^(local|declare|export|readonly|typeset)[ \t]/) return 1
		if (c ~ /\|[ \t]*(LC_ALL=[^ \t]+[ \t]+)?(head|tail|tee|sort|uniq|cat|tr|cut|sed|wc)([ \t][^|]*)?$/) return 1
		if (c ~ /\|\|[ \t]*(true|:)$/) return 1
		if (c ~ /^(diag|echo)([ \t][^<>|]*)?$/) return 1
		return 0
	}
	FNR == 1 { prev = ""; cont = ""; here = "" }
	{
		line = $0
		if (here != "") {
			t = line; sub(/^\t+/, "", t)
			if (t == here) { here = ""; prev = herecmd }
			next
		}
		if (cont != "") { line = cont " " line; cont = "" }
		if (line ~ /\\$/) { cont = substr(line, 1, length(line) - 1); next }
		if (line ~ /(&&|\|)[ \t]*$/ && line !~ /^[ \t]*#/) { cont = line; next }
		if (line ~ /^[ \t]*(#|$)/) next
		if (line !~ /<<</ && match(line, /<<-?[ \t]*["\047]?[A-Za-z_][A-Za-z_0-9]*/)) {
			here = substr(line, RSTART, RLENGTH); gsub(/[<"\047 \t-]/, "", here)
			herecmd = last_stmt(line)
		}
		if (match(line, /(^|[;&|{(]|then|do|else)[ \t]*ok "/)) {
			before = trim(substr(line, 1, RSTART + RLENGTH - 5))
			sub(/(;|&&|\|\||\{|\(|then|do|else)$/, "", before)
			c = trim(before) == "" ? prev : last_stmt(before)
			if (suspect(c)) print FILENAME ":" FNR ":" $0
		}
		prev = last_stmt(line)
	}'
}

printf '%s\n' 'false' 'ok "looks fine: $(cat f)"' '[ -e x ]; ok "n=`wc -l <f`"' \
	'ok "plain words"' 'ok "$n --help exits 0"' >"$TESTTMP/sample.sh"
is "$(bad_oks "$TESTTMP/sample.sh" | cut -d: -f2 | tr '\n' ' ')" "2 3 " \
	"the check finds substitutions in descriptions, and only those"
found=$(bad_oks "$SRCDIR/tests")
is "$found" "" "no test's ok description runs a command"

mkdir -p "$TESTTMP/status"
cat >"$TESTTMP/status/sample.sh" <<'SAMPLE'
for f in a b; do
	grep -q x "$f"
done
ok "1: a loop's status"
local n=$(grep -c x f); ok "2: an assignment's"
grep x f | head -1
ok "3: a pipeline into head"
cmp a b || true; ok "4: or true"
diag "x"; ok "5: diag"
if [ -e f ]; then grep -q x f; fi
ok "6: an if without else"
while read -r l; do [ -n "$l" ]; done <f
ok "7: a loop fed by a file"
grep -q x f
ok "fine: the check itself"
[ "$bad" = 0 ]; ok "fine: a count"
printf x | grep -q x; ok "fine: a pipeline into grep"
case $x in y) true ;; *) false ;; esac
ok "fine: a case with both outcomes"
cmp -s a \
	b; ok "fine: a continued line"
python3 - <<'PY'
done
PY
ok "fine: after a heredoc, its command"
echo x >"$f"; ok "fine: a redirection that may fail"
# done
ok "fine: after a comment, the line before it"
SAMPLE
is "$(bad_status_oks "$TESTTMP/status" | cut -d: -f2 | tr '\n' ' ')" "4 5 7 8 9 11 13 " \
	"the check finds oks after loops, ifs, assignments, always-true pipelines, || true and diag, and only those"
found=$(bad_status_oks "$SRCDIR/tests")
is "$found" "" "no test's ok records the status of something other than its check"
[ -z "$found" ] || printf '%s\n' "$found" | sed 's/^/#   /'
tap_done
