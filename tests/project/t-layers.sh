#!/bin/bash
# Layers call only downward.  src/fuse/efs.h and src/libecryptfs/internal.h
# each state a "layer order" of their folder's source files, lowest first;
# a file may call (or read a global of) a file before it, never one after
# it.  Who calls whom comes from the object files: nm's defined symbols say
# which file defines a name, its undefined ones which names a file uses.
# An upward call is allowed only where the caller's source says
# "layer exception: SYMBOL" within three lines of a use of SYMBOL.
# The headers must show the same order: their "/* NAME.c" section headings
# follow it, and a function declared in a section is defined by that file.
# The folder's Makefile.inc lists its sources in the same order, and
# libecryptfs.h's top comment names the library's files in that order too.
. "$SRCDIR/tests/lib/tap.sh"

# layer_order HEADER: the names after "layer order:" up to the end of its
# comment, one a line ("|" and "<" may group them).
layer_order() {
	awk '/layer order:/ { on = 1; sub(/.*layer order:/, "") }
	on { l = $0; e = sub(/\*\/.*/, "", l); sub(/^[ \t]*\*/, "", l); print l; if (e) exit }' "$1" |
		tr -s ' \t|<' '\n\n\n\n' | grep -E '^[a-z0-9_]+$'
}

# symbols PREFIX OBJ...: "FILE TYPE NAME" for every global symbol, FILE the
# object's name without PREFIX and .o.
symbols() {
	local pfx=$1 o f out; shift
	for o in "$@"; do
		f=$(basename "$o" .o)
		f=${f#"$pfx"}
		out=$(nm -P "$o") || return 1
		printf '%s\n' "$out" | awk -v f="$f" 'NF >= 2 && $2 ~ /^[A-Z]$/ { print f, $2, $1 }'
	done
}

# edges SYMBOLS: "CALLER CALLEE NAME", one a line, for uses across files.
edges() {
	awk '$2 != "U" { def[$3] = $1 } $2 == "U" { use[++n] = $1 " " $3 }
	END { for (i = 1; i <= n; i++) { split(use[i], u, " ")
		if ((u[2] in def) && def[u[2]] != u[1]) print u[1], def[u[2]], u[2] } }' "$1" | LC_ALL=C sort -u
}

# excused SOURCE NAME: SOURCE says "layer exception: NAME" (NAME whole)
# within three lines of a line that uses NAME (the mark itself aside).
excused() {
	awk -v s="$2" '
	function uses(l,   i, c) {
		while ((i = index(l, s)) > 0) {
			c = substr(l, i + length(s), 1)
			if (c !~ /[A-Za-z0-9_]/ && (i == 1 || substr(l, i - 1, 1) !~ /[A-Za-z0-9_]/))
				return 1
			l = substr(l, i + length(s))
		}
		return 0
	}
	{
		line[NR] = $0
		i = index($0, "layer exception: " s)
		if (i && substr($0, i + length("layer exception: " s), 1) !~ /[A-Za-z0-9_]/)
			mark[NR] = 1
	}
	END {
		for (m in mark)
			for (i = m - 3; i <= m + 3; i++) {
				if (i < 1 || i > NR)
					continue
				l = line[i]
				if (i == m)
					sub(/layer exception: .*/, "", l)
				if (uses(l))
					found = 1
			}
		exit !found
	}' "$1"
}

# header_sections HEADER: "FILE NAME" for each function or extern variable
# declared under a "/* FILE.c" heading (also "/*" then " * FILE.c"); a
# "/* ----" banner ends a section.  Comment and preprocessor lines are skipped.
header_sections() {
	awk '
	function heading(h) {
		sub(/^(\/| )\* /, "", h)
		sub(/\.c.*/, "", h)
		cur = h
		print "@" h
	}
	/^\/\* -/ { cur = ""; prev = $0; next }
	/^\/\* [a-z0-9_]+\.c([^a-z0-9_]|$)/ { heading($0) }
	prev ~ /^\/\*[ \t]*$/ && /^ \* [a-z0-9_]+\.c([^a-z0-9_]|$)/ { heading($0) }
	{ prev = $0 }
	/^[ \t]*(\/\*|\*|#)/ { next }
	cur != "" {
		l = $0
		gsub(/\/\*.*\*\//, "", l)
		while (match(l, /[A-Za-z_][A-Za-z0-9_]*\(/)) {
			print cur, substr(l, RSTART, RLENGTH - 1)
			l = substr(l, RSTART + RLENGTH)
		}
		if ($0 ~ /^extern /) {
			v = $0
			sub(/;.*/, "", v)
			sub(/\[.*/, "", v)
			sub(/.*[ *]/, "", v)
			print cur, v
		}
	}' "$1"
}

# makefile_order MAKEFILE DIR: the NAME of each .../DIR/NAME.c it lists, in order.
makefile_order() {
	grep -oE "$2/[a-z0-9_]+\.c" "$1" | sed -e "s|^$2/||" -e 's/\.c$//' | awk '!seen[$0]++'
}

# layer_check SRCDIR HEADER PREFIX OBJ...: print every breach of the rules
# above (the Makefile.inc in SRCDIR is checked when there is one); status 1
# if there was one.
layer_check() {
	local dir=$1 hdr=$2 pfx=$3 w; shift 3
	w=$(mktemp -d "$TESTTMP/lc.XXXXXX") || return 1
	layer_order "$hdr" >"$w/order" || { echo "$hdr: no \"layer order:\" line"; return 1; }
	symbols "$pfx" "$@" >"$w/syms" || { echo "nm failed"; return 1; }
	edges "$w/syms" >"$w/edges"
	header_sections "$hdr" >"$w/sections"
	[ -f "$dir/Makefile.inc" ] && makefile_order "$dir/Makefile.inc" "$(basename "$dir")" >"$w/make"
	awk -v hdr="$(basename "$hdr")" -v w="$w" '
	FILENAME == w "/order" { idx[$1] = ++n; next }
	FILENAME == w "/syms" { file[$1] = 1; if ($2 != "U") def[$3] = $1; next }
	FILENAME == w "/sections" && $1 ~ /^@/ {
		h = substr($1, 2)
		if (!(h in idx))
			print hdr ": section " h ".c is not in its layer order"
		else if (idx[h] < last)
			print hdr ": section " h ".c comes after " lastname ".c, against the layer order"
		else {
			last = idx[h]
			lastname = h
		}
		next
	}
	FILENAME == w "/sections" {
		if (($2 in def) && def[$2] != $1)
			print hdr ": " $2 " is declared under " $1 ".c but defined in " def[$2] ".c"
		next
	}
	FILENAME == w "/make" {
		if (!($1 in idx))
			print "Makefile.inc: " $1 ".c is not in the layer order"
		else if (idx[$1] < mlast)
			print "Makefile.inc: " $1 ".c is listed after " mname ".c, against the layer order"
		else {
			mlast = idx[$1]
			mname = $1
		}
		next
	}
	FILENAME == w "/edges" {
		if (($1 in idx) && ($2 in idx) && idx[$2] > idx[$1])
			print "UP " $1 " " $2 " " $3
		next
	}
	END {
		for (f in file)
			if (!(f in idx))
				print f ".o: " f ".c is not in the layer order of " hdr
	}
	' "$w/order" "$w/syms" "$w/sections" $([ -f "$w/make" ] && echo "$w/make") "$w/edges" >"$w/found"
	while read -r tag caller callee sym; do
		if [ "$tag" != UP ]; then
			echo "$tag $caller $callee $sym"
		elif ! excused "$dir/$caller.c" "$sym"; then
			echo "$caller.c -> $callee.c: $sym (up the layer order)"
		fi
	done <"$w/found" >"$w/report"
	cat "$w/report"
	[ ! -s "$w/report" ]
}

# ---- The check fires: a planted pair of files that call each other. ------
S=$TESTTMP/sample
mkdir -p "$S"
cat >"$S/sample.h" <<'EOF'
/* A sample.
 * layer order: base | top
 */
/* base.c */
int base_fn(int x);

/* top.c: the upper file */
int top_fn(int x);
EOF
cat >"$S/base.c" <<'EOF'
int top_fn(int x);
int base_fn(int x)
{
	return x > 0 ? top_fn(x - 1) : 0;
}
EOF
cat >"$S/top.c" <<'EOF'
int base_fn(int x);
int top_fn(int x)
{
	return base_fn(x) + 1;
}
EOF
CC_=$(sed -n 's/^CC = //p' "$BUILDDIR/Makefile")
check "the sample objects compile" sh -c "cd '$S' && ${CC_:-cc} -c -o s-base.o base.c && ${CC_:-cc} -c -o s-top.o top.c"
layer_check "$S" "$S/sample.h" s- "$S/s-base.o" "$S/s-top.o" >"$S/out1"
is "$?" 1 "a call up the order fails the check"
grep -qxF "base.c -> top.c: top_fn (up the layer order)" "$S/out1"
ok "the report names the upward edge and its symbol"
sed 's/^/#   /' "$S/out1"
[ "$(grep -c . "$S/out1")" -eq 1 ]
ok "the downward edge top.c -> base.c is not reported"

# A marked exception passes; the mark has to be beside a use of the symbol.
sed -i 's|return x > 0 ? top_fn(x - 1) : 0;|/* layer exception: top_fn (the sample recurses) */\n\treturn x > 0 ? top_fn(x - 1) : 0;|' "$S/base.c"
layer_check "$S" "$S/sample.h" s- "$S/s-base.o" "$S/s-top.o" >"$S/out2"
is "$?" 0 "a call marked \"layer exception: SYMBOL\" beside it passes"
sed 's/^/#   /' "$S/out2"
printf '%s\n' '/* layer exception: top_fn, far from any use */' '' '' '' '' 'int top_fn(int x);' \
	'int base_fn(int x)' '{' '	return x > 0 ? top_fn(x - 1) : 0;' '}' >"$S/base.c"
layer_check "$S" "$S/sample.h" s- "$S/s-base.o" "$S/s-top.o" >"$S/out3"
is "$?" 1 "a mark that is not beside the call does not excuse it"
printf '%s\n' '/* layer exception: top_fnx */' 'int top_fn(int x);' 'int base_fn(int x)' '{' \
	'	return x > 0 ? top_fn(x - 1) : 0;' '}' >"$S/base.c"
layer_check "$S" "$S/sample.h" s- "$S/s-base.o" "$S/s-top.o" >"$S/out4"
is "$?" 1 "a mark for another symbol does not excuse it"

# The header must show the order: sections in order, declarations filed right.
sed -e 's|^/\* base.c \*/|/* top.c */|' -e 's|^/\* top.c: the upper file \*/|/* base.c */|' \
	"$S/sample.h" >"$S/swapped.h"
printf '%s\n' 'int top_fn(int x);' 'int base_fn(int x) { return x; }' >"$S/base.c"
layer_check "$S" "$S/swapped.h" s- "$S/s-base.o" "$S/s-top.o" >"$S/out5"
is "$?" 1 "sections out of order fail the check"
grep -qF "swapped.h: section base.c comes after top.c, against the layer order" "$S/out5"
ok "the report names the section out of order"
grep -qF "swapped.h: base_fn is declared under top.c but defined in base.c" "$S/out5"
ok "the report names a declaration filed under the wrong file"
sed 's/^/#   /' "$S/out5"
printf '%s\n' 'int extra_fn(void) { return 0; }' >"$S/extra.c"
(cd "$S" && ${CC_:-cc} -c -o s-extra.o extra.c)
ok "a third sample object compiles"
layer_check "$S" "$S/sample.h" s- "$S/s-base.o" "$S/s-top.o" "$S/s-extra.o" >"$S/out6"
is "$?" 1 "an object whose file is not in the order fails the check"
grep -qF "extra.o: extra.c is not in the layer order of sample.h" "$S/out6"
ok "the report names the file missing from the order"
printf '%s\n' 'x_SOURCES = sample/sample.h \' '	sample/top.c \' '	sample/base.c' >"$S/Makefile.inc"
layer_check "$S" "$S/sample.h" s- "$S/s-base.o" "$S/s-top.o" >"$S/out7"
is "$?" 1 "a Makefile.inc that lists the sources out of order fails the check"
grep -qF "Makefile.inc: base.c is listed after top.c, against the layer order" "$S/out7"
ok "the report names the source listed out of order"
sed 's/^/#   /' "$S/out7"

# ---- The tree. ------------------------------------------------------------
FUSE_OBJS=("$BUILDDIR"/src/fuse/ecryptfs_fuse-*.o)
LIB_DIR=$BUILDDIR/src/libecryptfs/.libs
[ -d "$LIB_DIR" ] || LIB_DIR=$BUILDDIR/src/libecryptfs
LIB_OBJS=("$LIB_DIR"/libecryptfs_la-*.o)
[ -e "${FUSE_OBJS[0]}" ] && [ "${#FUSE_OBJS[@]}" -ge 10 ]
ok "the FUSE daemon's objects are built (${#FUSE_OBJS[@]})"
[ -e "${LIB_OBJS[0]}" ] && [ "${#LIB_OBJS[@]}" -ge 15 ]
ok "libecryptfs's objects are built (${#LIB_OBJS[@]})"

for part in fuse libecryptfs; do
	if [ "$part" = fuse ]; then
		hname=efs.h pfx=ecryptfs_fuse- objs=("${FUSE_OBJS[@]}")
	else
		hname=internal.h pfx=libecryptfs_la- objs=("${LIB_OBJS[@]}")
	fi
	hdr=$SRCDIR/src/$part/$hname
	layer_order "$hdr" >"$TESTTMP/$part.order"
	symbols "$pfx" "${objs[@]}" >"$TESTTMP/$part.syms"
	edges "$TESTTMP/$part.syms" >"$TESTTMP/$part.edges"
	diag "$part: layer order $(tr '\n' ' ' <"$TESTTMP/$part.order")"
	diag "$part: $(wc -l <"$TESTTMP/$part.edges") uses of one file's symbols in another"
	[ "$(wc -l <"$TESTTMP/$part.edges")" -ge 20 ]
	ok "src/$part: nm shows the files' calls to each other"
	layer_check "$SRCDIR/src/$part" "$hdr" "$pfx" "${objs[@]}" >"$TESTTMP/$part.report"
	ok "src/$part: every call goes down the layer order of $hname, which its sections and Makefile.inc follow"
	sed 's/^/#   /' "$TESTTMP/$part.report"
done

# libecryptfs.h names the library's files in the same order.
awk '/layer order/ { on = 1 } on { print } on && /\*\// { exit }' \
	"$SRCDIR/src/libecryptfs/libecryptfs.h" | tr -cs 'a-z0-9_' '\n' >"$TESTTMP/public-words"
awk 'NR == FNR { idx[$1] = NR; next } ($1 in idx) { print $1; if (idx[$1] < last) bad = 1; last = idx[$1]; n++ }
	END { exit bad || n < 15 }' "$TESTTMP/libecryptfs.order" "$TESTTMP/public-words" >"$TESTTMP/public-order"
ok "libecryptfs.h's top comment names the files in internal.h's layer order"
diag "libecryptfs.h: $(tr '\n' ' ' <"$TESTTMP/public-order")"
tap_done
