# pam_ecryptfs.so's session counting with real PAM and real users: two
# overlapping logins lock only when the second ends; a session closed
# after the login program became the user (as systemd's (sd-pam) does)
# still locks; sessions of systemd's user manager and of cron neither
# count nor lock; a login without a password (a key login) mounts
# nothing and says so.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/pam/lib.sh"
U=ecfsps$$a
new_user "$U"; ok "test user made"
H=$(home_of "$U") PW=$U-pw-123 CNT=/dev/shm/ecryptfs-$U-Private
setup "$U"; ok "ecryptfs-setup-private for the user"
as "$U" keyctl clear @u
# count: the session counter's value (0 when there is none).
count() { if [ -s "$CNT" ]; then cat "$CNT"; else echo 0; fi; }
# locked: not mounted and no key in @u.
locked() { ! is_mounted "$H/Private" && [ "$(keys_of "$U")" = 0 ]; }
open_() { is_mounted "$H/Private" && [ "$(keys_of "$U")" = 2 ]; }

# --- two overlapping sessions ---
start_session a "$U" "$PW"; ok "session A opened"
check "A: mounted, keys in @u" open_
as "$U" sh -c "echo from-a >'$H/Private/a.txt'"; ok "A writes"
start_session b "$U" "$PW"; ok "session B opened"
is "$(count)" 2 "two sessions counted"
end_session a; ok "session A closed"
check "A closed, B open: still mounted, keys still there" open_
is "$(as "$U" cat "$H/Private/a.txt")" from-a "B still reads A's file"
is "$(count)" 1 "one session counted"
end_session b; ok "session B closed"
check "the last session closed: locked" locked
is "$(count)" 0 "no session counted"

# --- closed by the user: the login program dropped its privileges ---
start_session c "$U" "$PW" -u; ok "session C opened (it will close as the user)"
check "C: mounted" open_
end_session c; ok "session C closed as the user"
grep -q '^close_session: Success' "$TESTTMP/c.out"; ok "C: close_session succeeded"
check "C closed as the user: locked" locked

# --- systemd's user manager: neither counts nor locks ---
start_session d "$U" "$PW"; ok "session D opened"
PAM_SERVICE_NAME=systemd-user start_session m "$U" "" -n -u -c "$PAM_CONFDIR"
ok "a systemd-user session opened"
is "$(count)" 1 "the systemd-user session is not counted"
end_session d; ok "session D closed"
check "D, the last login, closed: locked though systemd-user's session is open" locked
end_session m; ok "the systemd-user session closed, as the user"
check "still locked" locked
is "$(count)" 0 "no session counted"

# --- cron: neither counts nor locks ---
start_session e "$U" "$PW"; ok "session E opened"
PAM_SERVICE_NAME=cron start_session k "$U" "" -n -c "$PAM_CONFDIR"; ok "a cron session opened"
is "$(count)" 1 "the cron session is not counted"
end_session k; ok "the cron session closed"
check "E still open: still mounted" open_
end_session e; ok "session E closed"
check "locked" locked

# --- a key login: no password, so no keys; nothing mounted, a hint ---
syslog_mark
start_session f "$U" "" -n; ok "a session without authentication opened"
check "nothing mounted" locked
grep -q '^info: .*not mounted' "$TESTTMP/f.out" && grep -q 'Run .ecryptfs-mount-private' "$TESTTMP/f.out"; ok "the user is told why and what to run"
is "$(syslog_new | grep -c "pam_ecryptfs($SVC:session): user $U: keys not in the keyring")" 1 "one syslog line"
end_session f; ok "that session closed"
is "$(count)" 0 "and it was never counted"
tap_done
