#!/bin/bash
# The library's boundary (libecryptfs.h's top comment).  libecryptfs.sym is
# the one list of exports: the built libecryptfs.so exports exactly its names
# (functions and data), all in its version node; the installed header
# declares exactly those names, each marked ECRYPTFS_EXPORT; no definition in
# the library's sources carries the mark without being listed; every global
# of the library and of its internal archive is named ecryptfs_*.  The header
# compiles alone (C and C++), and through a staged install and its pkg-config
# file a program links and runs, while one calling an internal function does
# not link.  Each comparison also runs on a planted sample and must report
# the fault planted there.
. "$SRCDIR/tests/lib/tap.sh"
SYM=$SRCDIR/src/libecryptfs/libecryptfs.sym
HDR=$SRCDIR/src/libecryptfs/libecryptfs.h
LIBDIR=$BUILDDIR/src/libecryptfs
SO=$LIBDIR/.libs/libecryptfs.so
CC=${CC:-cc}

# sym_names SCRIPT: the names in the global: parts of a version script, sorted.
sym_names() {
	sed 's/#.*//' "$1" | awk '
		/local:/ { g = 0 }
		/global:/ { g = 1; sub(/.*global:/, "") }
		g { gsub(/[ \t]/, ""); n = split($0, a, ";")
		    for (i = 1; i <= n; i++) if (a[i] != "" && a[i] !~ /[{}]/) print a[i] }' | sort
}
# sym_nodes SCRIPT: the version nodes a script defines, sorted.
sym_nodes() {
	sed 's/#.*//' "$1" | sed -n 's/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_.]*\)[[:space:]]*{.*/\1/p' | sort
}
# dyn_exports NM-OUTPUT: "name version" for each defined dynamic symbol
# (version "-" when it has none), the version nodes themselves left out.
dyn_exports() {
	awk 'NF == 3 && $2 != "A" { v = "-"; n = $3
		if (index(n, "@")) { v = n; sub(/.*@/, "", v); sub(/@.*/, "", n) }
		print n, v }' "$1" | sort
}
# header_decls HEADER: "E name" for each function or object the header
# declares with ECRYPTFS_EXPORT, "- name" for one without; types, typedefs,
# static inline functions and forward declarations are not declarations of
# symbols.  Works on the preprocessed text (comments gone, the mark expanded
# to its attribute) of the header's own lines.
header_decls() {
	"$CC" -E -x c "$1" | awk -v base="$(basename "$1")" '
	/^# [0-9]+ "/ { f = $3; gsub(/"/, "", f); sub(/.*\//, "", f); ours = (f == base); next }
	ours { text = text " " $0 }
	function out(s,   name, m) {
		gsub(/[ \t]+/, " ", s); sub(/^ /, "", s); sub(/ $/, "", s)
		if (s == "" || s ~ /^(typedef|static)[ ]/ || s ~ /[{]/) return
		if (s ~ /^(struct|union|enum) [A-Za-z_0-9]+$/) return
		m = index(s, "__attribute__((visibility(\"default\")))")
		gsub(/__attribute__\(\(visibility\("default"\)\)\)/, "", s)
		if (match(s, /\(\*[ ]*[A-Za-z_][A-Za-z_0-9]*[ ]*\)/)) {
			name = substr(s, RSTART + 2, RLENGTH - 3)
		} else if (index(s, "(")) {
			name = substr(s, 1, index(s, "(") - 1)
		} else {
			name = s; gsub(/\[[^]]*\]/, "", name)
		}
		sub(/[ ]+$/, "", name); sub(/.*[^A-Za-z_0-9]/, "", name)
		print (m ? "E" : "-"), name
	}
	END {
		depth = 0; cur = ""
		for (i = 1; i <= length(text); i++) {
			c = substr(text, i, 1); cur = cur c
			if (c == "{") depth++
			else if (c == "}") { depth--; if (depth == 0 && cur ~ /\)[ ]*\{/) { out(cur); cur = "" } }
			else if (c == ";" && depth == 0) { out(substr(cur, 1, length(cur) - 1)); cur = "" }
		}
	}' | sort -k2
}
# list_diff WANT GOT: "+name" for each line only in GOT, "-name" for each
# only in WANT, on one line; empty when the two sorted lists agree.
list_diff() {
	{ comm -13 "$1" "$2" | sed 's/^/+/'; comm -23 "$1" "$2" | sed 's/^/-/'; } | tr '\n' ' ' |
		sed 's/ $//'
}
# unprefixed NM-OUTPUT: defined global names not starting with ecryptfs_.
unprefixed() {
	awk 'NF == 3 && $2 ~ /^[A-Z]$/ && $2 != "A" { n = $3; sub(/@.*/, "", n)
		if (n !~ /^ecryptfs_/) print n }' "$1" | sort -u | tr '\n' ' ' | sed 's/ $//'
}
# marked_definitions DIR: names of the definitions marked ECRYPTFS_EXPORT in DIR/*.c.
marked_definitions() {
	sed -n 's/^ECRYPTFS_EXPORT[^(=[]*[^A-Za-z0-9_(=[]\([A-Za-z_][A-Za-z0-9_]*\)[[(].*/\1/p' \
		"$1"/*.c | sort
}

# --- The planted samples: each comparison finds what was planted. ---
S=$TESTTMP/sample
mkdir -p "$S/src"
cat >"$S/lib.sym" <<'EOF'
# a.c
LIB_1 {
global:
	lib_a;	# a comment
	lib_b; lib_c;
local:
	*;
};
EOF
cat >"$S/nm.out" <<'EOF'
0000000000000000 A LIB_1
0000000000001000 T lib_a@@LIB_1
0000000000001010 T lib_b@@LIB_1
0000000000002000 R lib_extra@@LIB_1
0000000000001020 T lib_old@@LIB_0
0000000000001030 T helper
                 U memcpy
EOF
sym_names "$S/lib.sym" >"$S/want"
dyn_exports "$S/nm.out" | cut -d' ' -f1 >"$S/got"
is "$(list_diff "$S/want" "$S/got")" "+helper +lib_extra +lib_old -lib_c" \
	"planted: an extra function, object and old-version export, a missing one, all reported"
is "$(sym_nodes "$S/lib.sym")" "LIB_1" "planted: the script's node is found"
is "$(dyn_exports "$S/nm.out" | awk '$2 != "LIB_1" { print $1 }' | tr '\n' ' ')" "helper lib_old " \
	"planted: exports outside the node are found"
is "$(unprefixed "$S/nm.out")" "helper lib_a lib_b lib_extra lib_old" \
	"planted: names without the ecryptfs_ prefix are found"
cat >"$S/sample.h" <<'EOF'
/* A header with one unmarked function among things that declare no symbol. */
#define ECRYPTFS_EXPORT __attribute__((visibility("default")))
#include <stddef.h>
struct lib_fwd;
struct lib_ops { int (*op)(void *ctx, size_t n); };	/* not a declaration */
typedef void (*lib_cb)(int level, const char *msg);
enum lib_e { LIB_A = 1, LIB_B };
ECRYPTFS_EXPORT int lib_marked(const char *s,
			       size_t n);
int lib_unmarked(void);
ECRYPTFS_EXPORT struct lib_ops *lib_ops_new(void);
ECRYPTFS_EXPORT extern const unsigned char lib_table[8];
ECRYPTFS_EXPORT extern int (*lib_hook)(int);
static inline int lib_inline(int x) { return x + 1; }
ECRYPTFS_EXPORT void lib_after_inline(void);
EOF
is "$(header_decls "$S/sample.h" | tr '\n' ' ')" \
	"E lib_after_inline E lib_hook E lib_marked E lib_ops_new E lib_table - lib_unmarked " \
	"planted: the header reader finds each declaration, the unmarked one as such, and nothing else"
printf '%s\n' 'ECRYPTFS_EXPORT int lib_a(void)' 'ECRYPTFS_EXPORT const uint8_t lib_t[8] = {' \
	'ECRYPTFS_EXPORT struct x *lib_new(void)' 'int lib_plain(void)' >"$S/src/a.c"
is "$(marked_definitions "$S/src" | tr '\n' ' ')" "lib_a lib_new lib_t " \
	"planted: marked definitions (functions, pointers, data) are found"

# --- The library. ---
if [ ! -f "$SO" ]; then
	echo "Bail out! $SO not built"
	exit 1
fi
nm -D --defined-only "$SO" >"$TESTTMP/so.nm"
check "nm -D reads the built library" test -s "$TESTTMP/so.nm"
sym_names "$SYM" >"$TESTTMP/sym"
dyn_exports "$TESTTMP/so.nm" | cut -d' ' -f1 >"$TESTTMP/exports"
is "$(list_diff "$TESTTMP/sym" "$TESTTMP/exports")" "" \
	"libecryptfs.so exports exactly libecryptfs.sym's names (+ extra, - missing)"
diag "$(wc -l <"$TESTTMP/exports") exports"
is "$(sym_nodes "$SYM" | tr '\n' ' ')" "LIBECRYPTFS_2 " "libecryptfs.sym has one node, LIBECRYPTFS_2"
is "$(dyn_exports "$TESTTMP/so.nm" | awk '$2 != "LIBECRYPTFS_2" { print $1 }' | tr '\n' ' ')" "" \
	"every export carries version LIBECRYPTFS_2"
is "$(sort "$TESTTMP/sym" | uniq -d | tr '\n' ' ')" "" "libecryptfs.sym names nothing twice"

header_decls "$HDR" >"$TESTTMP/decls"
check "the header's declarations are read" test -s "$TESTTMP/decls"
is "$(awk '$1 == "-" { print $2 }' "$TESTTMP/decls" | tr '\n' ' ')" "" \
	"every function and object libecryptfs.h declares is marked ECRYPTFS_EXPORT"
cut -d' ' -f2 "$TESTTMP/decls" | sort >"$TESTTMP/declared"
is "$(list_diff "$TESTTMP/sym" "$TESTTMP/declared")" "" \
	"libecryptfs.h declares exactly libecryptfs.sym's names (+ extra, - missing)"
marked_definitions "$SRCDIR/src/libecryptfs" >"$TESTTMP/marked"
is "$(comm -13 "$TESTTMP/sym" "$TESTTMP/marked" | tr '\n' ' ')" "" \
	"no definition in src/libecryptfs is marked ECRYPTFS_EXPORT without being listed"

is "$(unprefixed "$TESTTMP/so.nm")" "" "every export is named ecryptfs_*"
nm -g --defined-only "$LIBDIR/.libs/libecryptfs-internal.a" >"$TESTTMP/internal.nm" 2>/dev/null
check "nm reads the internal archive" test -s "$TESTTMP/internal.nm"
is "$(unprefixed "$TESTTMP/internal.nm")" "" \
	"every global of the internal archive (cross-file names too) is named ecryptfs_*"

# --- The installed header and the pkg-config file. ---
printf '#include <libecryptfs.h>\n' >"$TESTTMP/alone.c"
check "libecryptfs.h compiles alone as C11" "$CC" -std=c11 -Wall -Wextra -Werror -pedantic \
	-fsyntax-only -I"$SRCDIR/src/libecryptfs" "$TESTTMP/alone.c"
check "and as C++" c++ -Wall -Wextra -Werror -fsyntax-only -x c++ -I"$SRCDIR/src/libecryptfs" \
	"$TESTTMP/alone.c"
STAGE=$TESTTMP/stage
check "a staged install of the library, header and .pc" make -s -C "$BUILDDIR" DESTDIR="$STAGE" \
	install-libLTLIBRARIES install-includeHEADERS install-pkgconfigDATA
PCDIR=$(dirname "$(find "$STAGE" -name libecryptfs.pc | head -1)")
export PKG_CONFIG_PATH=$PCDIR PKG_CONFIG_SYSROOT_DIR=$STAGE PKG_CONFIG_LIBDIR=$PCDIR
check "the installed header is libecryptfs.h" test -f "$(pkg-config --variable=includedir libecryptfs)/libecryptfs.h"
cat >"$TESTTMP/user.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include <libecryptfs.h>
static void cb(int level, const char *msg, void *ctx) { (void)ctx; printf("%d %s\n", level, msg); }
int main(void)
{
	char pass[ECRYPTFS_MAX_PASSPHRASE_BYTES + 1];
	size_t n;

	ecryptfs_set_log_callback(cb, NULL);
	return ecryptfs_unwrap((const unsigned char *)"", 0, "pw", 2, NULL, pass, &n) < 0 ? 0 : 1;
}
EOF
# shellcheck disable=SC2046
check "a program builds with pkg-config --cflags --libs libecryptfs" "$CC" -o "$TESTTMP/user" \
	"$TESTTMP/user.c" $(pkg-config --cflags --libs libecryptfs)
LD_LIBRARY_PATH=$(pkg-config --variable=libdir libecryptfs) "$TESTTMP/user" >"$TESTTMP/user.out" 2>&1
ok "and runs against the installed library"
is "$(cat "$TESTTMP/user.out")" "3 wrapped passphrase: an empty file" \
	"its log callback receives the library's reason"
printf '%s\n' '#include <stdint.h>' '#include <libecryptfs.h>' \
	'int ecryptfs_packet_length_write(size_t len, uint8_t out[2]);' \
	'int main(void) { uint8_t b[2]; return ecryptfs_packet_length_write(1, b); }' >"$TESTTMP/inner.c"
# shellcheck disable=SC2046
! "$CC" -o "$TESTTMP/inner" "$TESTTMP/inner.c" $(pkg-config --cflags --libs libecryptfs) \
	>"$TESTTMP/inner.out" 2>&1
ok "a program calling an internal function does not link"
check "(for want of the symbol)" grep -q "undefined reference to .ecryptfs_packet_length_write" \
	"$TESTTMP/inner.out"
tap_done
