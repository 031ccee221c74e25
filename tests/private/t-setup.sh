# ecryptfs-setup-private without a terminal, as root for a test user and as
# the user: the files, their modes and owners, the formats, the self-test on
# the FUSE path; refused runs leave nothing; the options.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/private/lib.sh"
U1=ecfsps$$a U2=ecfsps$$b
new_user "$U1" && new_user "$U2"
ok "test users made"
H1=$(home_of "$U1") H2=$(home_of "$U2")

# --- root sets up U1, passphrases from the environment ---
LOGINPASS="$U1-pw-123" ecryptfs-setup-private -u "$U1" </dev/null >"$TESTTMP/s1.out" 2>&1
ok "root: ecryptfs-setup-private -u USER with LOGINPASS"
sed 's/^/#   /' "$TESTTMP/s1.out" | tail -5
grep -qx 'Testing succeeded.' "$TESTTMP/s1.out"; ok "the self-test succeeded"
grep -q 'YOU SHOULD RECORD YOUR MOUNT PASSPHRASE AND STORE IT IN A SAFE LOCATION.' "$TESTTMP/s1.out"
ok "the record-your-passphrase banner"
is "$(stat -c '%a %U' "$H1/.Private")" "700 $U1" "~/.Private 0700, the user's"
is "$(stat -c '%a %U' "$H1/Private")" "500 $U1" "~/Private 0500 when unmounted, the user's"
is "$(stat -c '%a %U' "$H1/.ecryptfs")" "700 $U1" "~/.ecryptfs 0700"
is "$(stat -c '%a %U' "$H1/.ecryptfs/wrapped-passphrase")" "600 $U1" "wrapped-passphrase 0600"
is "$(stat -c '%a %U' "$H1/.ecryptfs/Private.sig")" "600 $U1" "Private.sig 0600"
is "$(stat -c '%a %U' "$H1/.ecryptfs/Private.mnt")" "600 $U1" "Private.mnt 0600"
is "$(stat -c '%U %s' "$H1/.ecryptfs/auto-mount" "$H1/.ecryptfs/auto-umount" | sort -u)" "$U1 0" \
	"auto-mount and auto-umount: empty, the user's"
test ! -e "$H1/.ecryptfs/wrapping-independent"; ok "no wrapping-independent without -w"
is "$(find "$H1" ! -user "$U1" | wc -l)" 0 "every file in the home is the user's"
grep -Eqx '[0-9a-f]{16}' "$H1/.ecryptfs/Private.sig"; ok "Private.sig: hex signatures"
is "$(wc -l <"$H1/.ecryptfs/Private.sig")" 2 "two signatures: file names encrypted by default (FUSE path)"
is "$(cat "$H1/.ecryptfs/Private.mnt")" "$H1/Private" "Private.mnt names ~/Private"
is "$(head -c 2 "$H1/.ecryptfs/wrapped-passphrase" | od -An -tx1 | tr -d ' ')" 3a02 "a v2 wrapped file"
MP=$(printf '%s\0' "$U1-pw-123" | as "$U1" ecryptfs-unwrap-passphrase "$H1/.ecryptfs/wrapped-passphrase" - 2>/dev/null)
echo "$MP" | grep -Eqx '[0-9a-f]{32}'; ok "the mount passphrase: 32 random hex digits"
is_mounted "$H1/Private"; test $? -ne 0; ok "not left mounted"
is "$(as "$U1" keyctl list @u 2>/dev/null | grep -c -f "$H1/.ecryptfs/Private.sig")" 0 \
	"the keys are gone from the user's keyring after the self-test"
is "$(keyctl list @u 2>/dev/null | grep -c -f "$H1/.ecryptfs/Private.sig")" 0 "none in root's keyring"

# --- refusals leave nothing ---
snap() { find "$1" -printf '%p %m %s\n' | sort; }
snap "$H1" >"$TESTTMP/before"
LOGINPASS="$U1-pw-123" ecryptfs-setup-private -u "$U1" </dev/null >"$TESTTMP/s2.out" 2>&1
is $? 1 "an existing setup without -f is refused"
grep -q 'wrapped-passphrase file already exists, use --force to overwrite.' "$TESTTMP/s2.out"; ok "with the reference's message"
snap "$H1" >"$TESTTMP/after"
cmp -s "$TESTTMP/before" "$TESTTMP/after"; ok "and changes nothing"

LOGINPASS=wrong-password ecryptfs-setup-private -u "$U2" </dev/null >"$TESTTMP/s3.out" 2>&1
is $? 1 "a wrong login passphrase is refused"
grep -q 'Your login passphrase is incorrect' "$TESTTMP/s3.out"; ok "Your login passphrase is incorrect"
is "$(ls -A "$H2" | grep -c -e ecryptfs -e Private)" 0 "nothing left in the home"

printf 'one\ntwo\n' | ecryptfs-setup-private -u "$U2" -w -m mp >"$TESTTMP/s4.out" 2>&1
is $? 1 "mismatched wrapping passphrases on stdin are refused"
grep -q 'Wrapping passphrases must match' "$TESTTMP/s4.out"; ok "Wrapping passphrases must match"
is "$(ls -A "$H2" | grep -c -e ecryptfs -e Private)" 0 "nothing left in the home"
grep -q 'WARNING: passing the mount passphrase (-m)' "$TESTTMP/s4.out"; ok "-m on argv warns"

printf '%s\nmp1\nmp2\nmp1\nmp3\nmp1\nmp4\n' "$U2-pw-123" | ecryptfs-setup-private -u "$U2" >"$TESTTMP/s5.out" 2>&1
is $? 1 "mismatched mount passphrases three times are refused"
grep -q 'Mount passphrases do not match' "$TESTTMP/s5.out"; ok "Mount passphrases do not match"
is "$(ls -A "$H2" | grep -c -e ecryptfs -e Private)" 0 "nothing left in the home"

ecryptfs-setup-private -u no-such-user-$$ </dev/null >"$TESTTMP/s6.out" 2>&1
is $? 1 "a user that does not exist is refused"
grep -q 'User does not exist' "$TESTTMP/s6.out"; ok "User does not exist"

ecryptfs-setup-private --undo >"$TESTTMP/undo.out" 2>&1
is $? 0 "--undo exits 0"
grep -q 'rm -rf \$PRIVATE ~/.Private ~/.ecryptfs' "$TESTTMP/undo.out"; ok "--undo prints the removal steps"
ecryptfs-setup-private --bogus >/dev/null 2>&1
is $? 1 "an unknown option: usage, exit 1"
ecryptfs-setup-private --help >"$TESTTMP/help.out" 2>&1
is $? 0 "--help exits 0"
grep -q -- '--noautomount' "$TESTTMP/help.out"; ok "--help lists the options"

# --- the user sets up alone: stdin, -w, -n, -a, -A, --v3 ---
printf 'wrap-pass\nwrap-pass\nmount-pass-xyz\nmount-pass-xyz\n' |
	as "$U2" ecryptfs-setup-private -w -n -a -A --v3 >"$TESTTMP/u1.out" 2>&1
ok "the user: -w -n -a -A --v3, passphrases on stdin"
sed 's/^/#   /' "$TESTTMP/u1.out" | tail -5
grep -qx 'Testing succeeded.' "$TESTTMP/u1.out"; ok "the self-test succeeded"
is "$(wc -l <"$H2/.ecryptfs/Private.sig")" 1 "-n: one signature"
test -e "$H2/.ecryptfs/wrapping-independent"; ok "-w: wrapping-independent"
test ! -e "$H2/.ecryptfs/auto-mount" && test ! -e "$H2/.ecryptfs/auto-umount"; ok "-a -A: no markers"
is "$(head -c 2 "$H2/.ecryptfs/wrapped-passphrase" | od -An -tx1 | tr -d ' ')" 3a03 "--v3: a v3 wrapped file"
is "$(printf 'wrap-pass\0' | as "$U2" ecryptfs-unwrap-passphrase "$H2/.ecryptfs/wrapped-passphrase" - 2>/dev/null)" \
	mount-pass-xyz "it unwraps to the mount passphrase given"
is "$(find "$H2" ! -user "$U2" | wc -l)" 0 "every file is the user's"

# -f over an existing setup keeps the old files as backups
printf 'wrap-pass\nwrap-pass\n\n' | as "$U2" ecryptfs-setup-private -f -w -l wrap-pass >"$TESTTMP/u2.out" 2>&1
ok "-f overwrites an existing setup"
sed 's/^/#   /' "$TESTTMP/u2.out" | tail -3
is "$(ls "$H2/.ecryptfs" | grep -c '^wrapped-passphrase\.[0-9]\{14\}$')" 1 "the old wrapped-passphrase is kept"
grep -q 'WARNING: passing the login passphrase (-l)' "$TESTTMP/u2.out"; ok "-l on argv warns"
tap_done
