#!/bin/bash
# ecryptfs-verify: the reference's checks, lines and exit codes on a ~/Private
# made by ecryptfs-setup-private and on hand-made homes; an unknown option is
# a usage error, not the reference's endless loop.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/private/lib.sh"
U=ecfsvf$$a
new_user "$U"; ok "test user made"
H=$(home_of "$U")
LOGINPASS="$U-pw-123" ecryptfs-setup-private -u "$U" </dev/null >"$TESTTMP/setup.out" 2>&1
ok "ecryptfs-setup-private"

# v ARGS...: ecryptfs-verify as the test user; status in $st, output in v.out.
v() {
	timeout 20 env -i HOME="$H" USER="$U" PATH="$PATH" \
		setpriv --reuid="$U" --regid="$(id -g "$U")" --init-groups -- \
		ecryptfs-verify "$@" >"$TESTTMP/v.out" 2>&1
	st=$?
}
v -p -e
is "$st" 0 "-p -e on the new ~/Private: exit 0"
grep -qxF "INFO: [$H/.ecryptfs] exists" "$TESTTMP/v.out"; ok "INFO: [~/.ecryptfs] exists"
grep -qxF "INFO: [$H/.ecryptfs/Private.sig] contains [2] signatures" "$TESTTMP/v.out"; ok "two signatures"
grep -qxF "INFO: Mount point [$H/Private] is not the user's home [$H]" "$TESTTMP/v.out"; ok "the mount point is not the home"
grep -qxF "INFO: Ownership [$U] of mount point [$H/Private] is correct" "$TESTTMP/v.out"; ok "the user owns it"
grep -qxF "INFO: Filenames are encrypted" "$TESTTMP/v.out"; ok "Filenames are encrypted"
is "$(tail -n1 "$TESTTMP/v.out")" "INFO: Configuration valid" "ends with Configuration valid"
ecryptfs-verify -u "$U" --private </dev/null >"$TESTTMP/root.out" 2>&1
is $? 0 "root with -u USER --private: exit 0"
v -n
is "$st" 1 "-n on encrypted names: exit 1"
grep -qxF "ERROR: Filenames are encrypted" "$TESTTMP/v.out"; ok "ERROR: Filenames are encrypted"
is "$(tail -n1 "$TESTTMP/v.out")" "ERROR: Configuration invalid" "ends with Configuration invalid"
v -h
is "$st" 1 "-h (home) on a ~/Private: exit 1"
grep -qxF "ERROR: [$H/.ecryptfs/auto-mount] does not exist" "$TESTTMP/v.out" ||
	grep -qxF "ERROR: Mount point [$H/Private] is not the user's home [$H]" "$TESTTMP/v.out"
ok "says why"

# Hand-made configurations, checked by root for the test user.
chown root "$H/Private"
ecryptfs-verify -u "$U" -p </dev/null >"$TESTTMP/o.out" 2>&1
is $? 1 "a mount point owned by someone else: exit 1"
grep -qxF "ERROR: Invalid owner [root] of mount point [$H/Private]" "$TESTTMP/o.out"; ok "Invalid owner"
chown "$U" "$H/Private"
cp "$H/.ecryptfs/Private.sig" "$TESTTMP/sig"
head -n1 "$TESTTMP/sig" >"$H/.ecryptfs/Private.sig"
ecryptfs-verify -u "$U" -n </dev/null >"$TESTTMP/n.out" 2>&1
is $? 0 "one signature: -n passes"
grep -qxF "INFO: Filenames are not encrypted" "$TESTTMP/n.out"; ok "Filenames are not encrypted"
ecryptfs-verify -u "$U" -e </dev/null >"$TESTTMP/e.out" 2>&1
is $? 1 "one signature: -e fails"
cat "$TESTTMP/sig" "$TESTTMP/sig" >"$H/.ecryptfs/Private.sig"
ecryptfs-verify -u "$U" -e </dev/null >"$TESTTMP/4.out" 2>&1
is $? 1 "four lines in Private.sig: exit 1"
grep -qxF "ERROR: [$H/.ecryptfs/Private.sig] does not contain exactly 1 or 2 lines" "$TESTTMP/4.out"; ok "  says so"
cp "$TESTTMP/sig" "$H/.ecryptfs/Private.sig"
# An encrypted home: Private.mnt names the home, auto-mount set.
cp "$H/.ecryptfs/Private.mnt" "$TESTTMP/mnt"
echo "$H" >"$H/.ecryptfs/Private.mnt"
touch "$H/.ecryptfs/auto-mount"
ecryptfs-verify -u "$U" -h -e </dev/null >"$TESTTMP/h.out" 2>&1
is $? 0 "a home configuration: -h -e pass"
grep -qxF "INFO: Mount point [$H] is the user's home" "$TESTTMP/h.out"; ok "the mount point is the home"
ecryptfs-verify -u "$U" -p </dev/null >"$TESTTMP/hp.out" 2>&1
is $? 1 "  and -p fails"
grep -qxF "ERROR: Mount point [$H] is the user's home" "$TESTTMP/hp.out"; ok "  because it is the home"
rm "$H/.ecryptfs/auto-mount"
ecryptfs-verify -u "$U" -h </dev/null >"$TESTTMP/am.out" 2>&1
is $? 1 "no auto-mount: -h fails"
grep -qxF "ERROR: [$H/.ecryptfs/auto-mount] does not exist" "$TESTTMP/am.out"; ok "  says so"
cp "$TESTTMP/mnt" "$H/.ecryptfs/Private.mnt"
rm "$H/.ecryptfs/Private.sig"
ecryptfs-verify -u "$U" -e </dev/null >"$TESTTMP/ns.out" 2>&1
is $? 1 "no Private.sig: exit 1"
grep -qxF "ERROR: [$H/.ecryptfs/Private.sig] does not exist" "$TESTTMP/ns.out"; ok "  says so"

# Options.
v
is "$st" 1 "no checks: exit 1"
grep -qxF "ERROR: No checks given" "$TESTTMP/v.out"; ok "ERROR: No checks given"
v --bogus
is "$st" 1 "unknown option: exit 1 (the reference looped forever; 124 would be the timeout)"
grep -q '^ecryptfs-verify \[-h|--home\]' "$TESTTMP/v.out"; ok "  with the usage"
v -p -x
is "$st" 1 "an unknown option after a good one: exit 1"
v --help
is "$st" 1 "--help: usage, exit 1 as the reference"
grep -q '^Usage:$' "$TESTTMP/v.out"; ok "  the usage"
v -u
is "$st" 1 "-u without a user: exit 1"
ecryptfs-verify -u no-such-user-$$ -p </dev/null >"$TESTTMP/nu.out" 2>&1
is $? 1 "-u of a missing user: exit 1"
grep -qxF "ERROR: Invalid home directory [] of [no-such-user-$$]" "$TESTTMP/nu.out"; ok "  Invalid home directory"
tap_done
