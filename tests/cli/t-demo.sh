#!/bin/bash
# scripts/demo.sh runs against the build tree (as a throwaway user, so its
# keys land in a user keyring of their own) and leaves no key behind.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/lib/reference.sh"
u=$(tu_create) || exit 1
bin=$(dirname "$(prog ecryptfs-wrap-passphrase)")
out=$(as_user "$u" env PATH="$bin:$PATH" bash "$SRCDIR/scripts/demo.sh" 2>"$TESTTMP/err")
ok "demo.sh exits 0"
[ ! -s "$TESTTMP/err" ]
ok "demo.sh writes nothing to stderr"
sigs=$(printf '%s\n' "$out" | sed -n 's/^Inserted auth tok with sig \[\([0-9a-f]\{16\}\)\].*/\1/p' | sort -u)
is "$(echo "$sigs" | wc -l)" 2 "demo shows two signatures"
first=$(printf '%s\n' "$out" | sed -n 's/^Inserted auth tok with sig \[\(.*\)\].*/\1/p' | head -1)
printf '%s\n' "$out" | grep -q "user: $first"
ok "keyctl show lists the data key"
is "$(kr_sigs "$u")" "" "no key left in the user keyring"
ls /tmp/ecryptfs-demo.* >/dev/null 2>&1
is $? 2 "no temp dir left behind"
tap_done
