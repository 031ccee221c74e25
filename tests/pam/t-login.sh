# pam_ecryptfs.so in a real PAM stack (pam_unix, real test users): the
# login flow from setup-private to a mounted, writable ~/Private and back
# to locked; wrong passwords and broken wrapped passphrases never block a
# login and never mount; chauthtok re-wraps; the first-login bootstrap and
# the v1 migration; a home made by the reference opens.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/pam/lib.sh"
U=ecfspl$$a
new_user "$U"; ok "test user made"
H=$(home_of "$U") PW=$U-pw-123
setup "$U"; ok "ecryptfs-setup-private for the user"
as "$U" keyctl clear @u
is "$(keys_of "$U")" 0 "no keys before the login"

# --- authenticate + open_session: mounted, the user's, names encrypted ---
start_session s1 "$U" "$PW"; ok "pam-session: authenticated and session opened"
is_mounted "$H/Private"; ok "~/Private mounted"
is "$(keys_of "$U")" 2 "both keys (data and file names) in the user's @u"
is "$(keyctl list @u 2>/dev/null | grep -c -f "$H/.ecryptfs/Private.sig")" 0 "none in root's keyring"
as "$U" sh -c "echo secret-data >'$H/Private/note.txt'"; ok "the user writes into ~/Private"
is "$(as "$U" cat "$H/Private/note.txt")" secret-data "and reads it back"
ls "$H/.Private" | grep -q '^ECRYPTFS_FNEK_ENCRYPTED\.'; ok "the lower name is encrypted"
ls "$H/.Private" | grep -q note; test $? -ne 0; ok "no plaintext name below"
is "$(daemon_uid "$H/.Private")" "$(id -u "$U") $(id -u "$U") $(id -u "$U") $(id -u "$U")" \
	"the FUSE daemon runs as the user"
end_session s1; ok "pam-session: session closed"
is_mounted "$H/Private"; test $? -ne 0; ok "close_session: unmounted"
is "$(keys_of "$U")" 0 "close_session: the keys gone from @u"
syslog_new | grep -q 'pam_ecryptfs'; test $? -ne 0; ok "a clean login logs nothing"

# --- the same with pamtester, in one go ---
login "$U" "$PW" authenticate open_session close_session >"$TESTTMP/pt.out" 2>&1
ok "pamtester: authenticate open_session close_session"
is_mounted "$H/Private"; test $? -ne 0; ok "nothing left mounted"
is "$(keys_of "$U")" 0 "no keys left"
start_session s1b "$U" "$PW"; ok "a second login"
is "$(as "$U" cat "$H/Private/note.txt")" secret-data "the file of the first session reads back"
end_session s1b
# pamtester ends without close_session: the session's watcher closes it.
login "$U" "$PW" authenticate open_session >"$TESTTMP/pt2.out" 2>&1
ok "pamtester: authenticate open_session, no close"
for _i in $(seq 100); do is_mounted "$H/Private" || break; sleep 0.1; done
is_mounted "$H/Private"; test $? -ne 0; ok "pamtester ended: unmounted all the same"
is "$(keys_of "$U")" 0 "and the keys gone"

# --- a wrong password: no mount, no key ---
syslog_mark
login "$U" wrong-password authenticate open_session >"$TESTTMP/w.out" 2>&1
test $? -ne 0; ok "a wrong password fails authentication (pam_unix)"
is_mounted "$H/Private"; test $? -ne 0; ok "wrong password: not mounted"
is "$(keys_of "$U")" 0 "wrong password: no key"

# --- the password changed behind the module's back: login still works ---
echo "$U:other-pw-456" | chpasswd
syslog_mark
login "$U" other-pw-456 authenticate open_session close_session >"$TESTTMP/o.out" 2>&1
ok "a password that does not unwrap: the login still succeeds"
is_mounted "$H/Private"; test $? -ne 0; ok "nothing mounted"
is "$(keys_of "$U")" 0 "no key"
syslog_new | grep -E '^<8[0-7]>' | grep -q "pam_ecryptfs($SVC:auth): user $U: .*wrapped-passphrase: unwrapping with the login password failed: wrong password"
ok "one authpriv syslog line says why"
is "$(syslog_new | grep -c "pam_ecryptfs($SVC:auth)")" 1 "exactly one"
grep -q 'not mounted' "$TESTTMP/o.out"; ok "the session says ~/Private was not mounted"
syslog_new | grep -q -e "$PW" -e other-pw-456; test $? -ne 0; ok "no password in the syslog"
echo "$U:$PW" | chpasswd

# --- broken wrapped passphrases: login succeeds, a line, nothing mounted ---
cp -p "$H/.ecryptfs/wrapped-passphrase" "$TESTTMP/wp.good"
broken_login() {	# WHAT
	syslog_mark
	login "$U" "$PW" authenticate open_session close_session >"$TESTTMP/b.out" 2>&1
	ok "$1: the login succeeds"
	is_mounted "$H/Private"; test $? -ne 0; ok "$1: nothing mounted"
	is "$(keys_of "$U")" 0 "$1: no key"
	is "$(syslog_new | grep -c "pam_ecryptfs($SVC:auth): user $U: ")" 1 "$1: one syslog line"
	syslog_new | grep "pam_ecryptfs($SVC:auth)" | sed 's/^/#   /'
}
rm -f "$H/.ecryptfs/wrapped-passphrase"
broken_login "missing wrapped passphrase"
head -c 20 "$TESTTMP/wp.good" >"$H/.ecryptfs/wrapped-passphrase"
broken_login "truncated wrapped passphrase"
{ head -c 20 "$TESTTMP/wp.good"; head -c 38 /dev/zero; } >"$H/.ecryptfs/wrapped-passphrase"
broken_login "corrupt wrapped passphrase"
cp -p "$TESTTMP/wp.good" "$H/.ecryptfs/wrapped-passphrase"

# --- chauthtok: the new password unwraps, the old one does not ---
printf '%s\n%s\n%s\n' "$PW" new-pw-789 new-pw-789 |
	pamtester "$SVC" "$U" 'chauthtok(PAM_CHANGE_EXPIRED_AUTHTOK)' >"$TESTTMP/c.out" 2>&1
ok "pamtester chauthtok"
printf '%s\0' new-pw-789 | as "$U" ecryptfs-unwrap-passphrase "$H/.ecryptfs/wrapped-passphrase" - >/dev/null 2>&1
ok "the new password unwraps"
printf '%s\0' "$PW" | as "$U" ecryptfs-unwrap-passphrase "$H/.ecryptfs/wrapped-passphrase" - >/dev/null 2>&1
test $? -ne 0; ok "the old one does not"
syslog_mark
is "$(stat -c '%a %U' "$H/.ecryptfs/wrapped-passphrase")" "600 $U" "still 0600, the user's"
login "$U" new-pw-789 authenticate open_session close_session >"$TESTTMP/c2.out" 2>&1
ok "a login with the new password"
syslog_new | grep -q "pam_ecryptfs"; test $? -ne 0; ok "without a complaint"
PW=new-pw-789

# --- first login of a bootstrapped home: /dev/shm passphrase wrapped, removed ---
MP=$(printf '%s\0' "$PW" | as "$U" ecryptfs-unwrap-passphrase "$H/.ecryptfs/wrapped-passphrase" - 2>/dev/null)
rm -f "$H/.ecryptfs/wrapped-passphrase"
printf '%s' "$MP" >"/dev/shm/.ecryptfs-$U"
chown "$U:" "/dev/shm/.ecryptfs-$U"; chmod 600 "/dev/shm/.ecryptfs-$U"
syslog_mark
start_session s2 "$U" "$PW"; ok "bootstrap: the first login"
test ! -e "/dev/shm/.ecryptfs-$U"; ok "bootstrap: the cleartext passphrase file is removed"
is "$(head -c 2 "$H/.ecryptfs/wrapped-passphrase" | od -An -tx1 | tr -d ' ')" 3a02 \
	"bootstrap: wrapped-passphrase written, v2"
is "$(stat -c '%a %U' "$H/.ecryptfs/wrapped-passphrase")" "600 $U" "bootstrap: 0600, the user's"
is "$(as "$U" cat "$H/Private/note.txt")" secret-data "bootstrap: ~/Private opens"
end_session s2
is_mounted "$H/Private"; test $? -ne 0; ok "bootstrap: locked at logout"
is "$(printf '%s\0' "$PW" | as "$U" ecryptfs-unwrap-passphrase "$H/.ecryptfs/wrapped-passphrase" - 2>/dev/null)" \
	"$MP" "bootstrap: the login password unwraps the mount passphrase"

# --- a v1 wrapped passphrase (tests/data/keys/wp01) becomes v2 at login ---
U2=ecfspl$$b
new_user "$U2"; H2=$(home_of "$U2")
echo "$U2:Wrapping pass" | chpasswd
LOGINPASS='Wrapping pass' MOUNTPASS='This is test #1' ecryptfs-setup-private -u "$U2" </dev/null >"$ST/v1.out" 2>&1
ok "v1: a user whose mount passphrase is wp01's"
install -o "$U2" -g "$(id -g "$U2")" -m 600 "$SRCDIR/tests/data/keys/wp01" "$H2/.ecryptfs/wrapped-passphrase"
as "$U2" keyctl clear @u
syslog_mark
start_session v1 "$U2" 'Wrapping pass'; ok "v1: login"
is "$(head -c 2 "$H2/.ecryptfs/wrapped-passphrase" | od -An -tx1 | tr -d ' ')" 3a02 "v1: re-wrapped as v2"
is_mounted "$H2/Private"; ok "v1: ~/Private mounted"
is "$(printf '%s\0' 'Wrapping pass' | as "$U2" ecryptfs-unwrap-passphrase "$H2/.ecryptfs/wrapped-passphrase" - 2>/dev/null)" \
	'This is test #1' "v1: the v2 file holds the same mount passphrase"
syslog_new | grep -q "pam_ecryptfs"; test $? -ne 0; ok "v1: without a complaint"
end_session v1

# --- chauthtok on a v3 file (tests/data/keys/v3-fixture, t=1 m=64 KiB p=1):
# it stays v3 with its own Argon2id costs, not the defaults ---
echo "$U2:v3 fixture wrapping pw" | chpasswd
install -o "$U2" -g "$(id -g "$U2")" -m 600 "$SRCDIR/tests/data/keys/v3-fixture" "$H2/.ecryptfs/wrapped-passphrase"
printf '%s\n%s\n%s\n' 'v3 fixture wrapping pw' new-v3-pw-246 new-v3-pw-246 |
	pamtester "$SVC" "$U2" 'chauthtok(PAM_CHANGE_EXPIRED_AUTHTOK)' >"$TESTTMP/c3.out" 2>&1
ok "v3: pamtester chauthtok"
is "$(head -c 14 "$H2/.ecryptfs/wrapped-passphrase" | od -An -tx1 | tr -d ' \n')" \
	3a03000000010000004000000001 "v3: still v3, its costs kept (t=1, m=64 KiB, p=1)"
is "$(printf '%s\0' new-v3-pw-246 | as "$U2" ecryptfs-unwrap-passphrase "$H2/.ecryptfs/wrapped-passphrase" - 2>/dev/null)" \
	'v3 fixture mount passphrase' "v3: the new password unwraps the same mount passphrase"

# --- a home made by the reference (setup-private-style vectors) ---
V=$SRCDIR/tests/data/vectors/setup-private-style
U3=ecfspl$$c
new_user "$U3"; H3=$(home_of "$U3")
echo "$U3:Alice login password 2026!" | chpasswd
mkdir -p "$ST/v" && chmod 755 "$ST/v" && tar -C "$ST/v" -xpf "$V/dot-ecryptfs.tar" &&
	tar -C "$ST/v" -xpf "$V/dot-Private.tar" && tar -C "$ST/v" -xpf "$V/plain.tar"
ok "reference home: vectors extracted"
cp -a "$ST/v/dot-ecryptfs" "$H3/.ecryptfs" && cp -a "$ST/v/dot-Private" "$H3/.Private" &&
	echo "$H3/Private" >"$H3/.ecryptfs/Private.mnt" && touch "$H3/.ecryptfs/auto-mount" "$H3/.ecryptfs/auto-umount" &&
	mkdir -m 500 "$H3/Private" && chown -R "$U3:" "$H3/.ecryptfs" "$H3/.Private" "$H3/Private" &&
	chmod 700 "$H3/.ecryptfs" "$H3/.Private"
ok "reference home: its .ecryptfs and .Private in the user's home"
start_session s3 "$U3" 'Alice login password 2026!'; ok "reference home: login"
is_mounted "$H3/Private"; ok "reference home: mounted"
as "$U3" diff -r --no-dereference "$ST/v/plain" "$H3/Private" >"$TESTTMP/d.out" 2>&1
ok "reference home: every file, directory and symlink reads back exactly"
sed 's/^/#   /' "$TESTTMP/d.out" | head -5
is "$(as "$U3" stat -c %i "$H3/Private/Documents/notes.txt")" "$(as "$U3" stat -c %i "$H3/Private/Documents/notes-hardlink.txt")" \
	"reference home: the hard link is one file"
end_session s3
is_mounted "$H3/Private"; test $? -ne 0; ok "reference home: locked at logout"
is "$(keys_of "$U3")" 0 "reference home: keys gone"
tap_done
