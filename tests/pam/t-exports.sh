#!/bin/bash
# pam_ecryptfs.so's boundary (src/pam_ecryptfs/pam_ecryptfs.sym): the
# built module exports exactly the names of the list's global part, those
# are the five service hooks libpam looks up, and the library linked into
# it stays inside: it needs no libecryptfs.so (of whatever version is
# installed) and no GLib.  Each check is first shown to catch a planted
# module that breaks it.
. "$SRCDIR/tests/lib/tap.sh"
SYM=$SRCDIR/src/pam_ecryptfs/pam_ecryptfs.sym
SO=$BUILDDIR/src/pam_ecryptfs/.libs/pam_ecryptfs.so
CC=${CC:-cc}
HOOKS="pam_sm_authenticate pam_sm_chauthtok pam_sm_close_session pam_sm_open_session pam_sm_setcred"

# sym_names SCRIPT: the names in the global: part of a version script, sorted.
sym_names() {
	sed -e 's|/\*.*\*/||' -e 's|/\*.*||' -e 's|^[^{]*\*/||' "$1" | awk '
		/local:/ { g = 0 }
		/global:/ { g = 1; sub(/.*global:/, "") }
		g { gsub(/[ \t]/, ""); n = split($0, a, ";")
		    for (i = 1; i <= n; i++) if (a[i] != "" && a[i] !~ /[{}]/) print a[i] }' | sort
}
# exports SO: the dynamic symbols SO defines, one a line, sorted.
exports() { nm -D --defined-only "$1" | awk 'NF == 3 { sub(/@.*/, "", $3); print $3 }' | sort; }
# bad_exports SO SCRIPT: says how SO's exports differ from SCRIPT's list (status 1).
bad_exports() {
	local d
	d=$(diff <(sym_names "$2") <(exports "$1")) && return 0
	echo "$1 against $2:"; echo "$d"
	return 1
}
# bad_needs SO: names a library SO must not need (status 1), or nothing.
bad_needs() {
	local n
	n=$(readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | grep -E '^lib(ecryptfs|glib|gobject|gio)') || return 0
	echo "$1 needs: $n"
	return 1
}

# Planted modules: one exporting a name more, one that needs libecryptfs.so.
printf '%s\n' 'int pam_sm_authenticate(void) { return 0; }' 'int ecryptfs_leaked(void) { return 1; }' >"$TESTTMP/extra.c"
check "planted: a module with one export too many builds" \
	"$CC" -shared -fPIC -o "$TESTTMP/extra.so" "$TESTTMP/extra.c"
check "planted: the export comparison catches it" \
	bash -c "$(declare -f sym_names exports bad_exports); ! bad_exports '$TESTTMP/extra.so' '$SYM'"
printf '%s\n' 'int ecryptfs_init(void);' 'int pam_sm_setcred(void) { return ecryptfs_init(); }' >"$TESTTMP/needs.c"
check "planted: a module linked with libecryptfs.so builds" \
	"$CC" -shared -fPIC -o "$TESTTMP/needs.so" "$TESTTMP/needs.c" -Wl,--no-as-needed \
	-L"$BUILDDIR/src/libecryptfs/.libs" -lecryptfs
check "planted: the dependency check catches it" \
	bash -c "$(declare -f bad_needs); ! bad_needs '$TESTTMP/needs.so'"

check "the module is built" test -f "$SO"
is "$(sym_names "$SYM" | tr '\n' ' ')" "$HOOKS " "pam_ecryptfs.sym lists the five PAM service hooks"
check "pam_ecryptfs.so exports exactly pam_ecryptfs.sym's names" bad_exports "$SO" "$SYM"
check "pam_ecryptfs.so needs no libecryptfs.so and no GLib" bad_needs "$SO"
tap_done
