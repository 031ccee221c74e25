# pam_ecryptfs.so's session counting with real PAM and real users: two
# overlapping logins lock only when the second ends; a session closed
# after the login program became the user (as systemd's (sd-pam) does)
# still locks; sessions of systemd's user manager and of cron neither
# count nor lock; a login program killed with SIGKILL still locks (its
# watcher closes the session for it), and one of two overlapping logins
# killed leaves the other open; a login without a password (a key login)
# mounts nothing and says so.
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

# --- a login program killed with SIGKILL: its watcher closes the session ---
# watchers: the user's session watchers now running (not the exited ones
# an init that does not reap would leave as zombies).
watchers() { ps -u "$U" -o stat=,comm= | awk '$2 == "ecryptfs-watch" && $1 !~ /^Z/' | wc -l; }
# kill_session NAME: SIGKILL the login program, as the OOM killer would.
kill_session() {
	kill -KILL "$(eval echo "\$PID_$1")"
	end_session "$1"
}
count_is() { [ "$(count)" = "$1" ]; }
no_watcher() { [ "$(watchers)" = 0 ]; }
# eventually COMMAND...: COMMAND succeeds within 10 seconds.
eventually() { for _i in $(seq 100); do "$@" && return 0; sleep 0.1; done; "$@"; }
is "$(watchers)" 0 "no watcher left by the sessions closed so far"
syslog_mark
start_session g "$U" "$PW"; ok "session G opened"
check "G: mounted, keys in @u" open_
is "$(watchers)" 1 "G has a watcher, the user's"
W=$(ps -u "$U" -o pid=,stat=,comm= | awk '$3 == "ecryptfs-watch" && $2 !~ /^Z/ { print $1 }')
python3 "$SRCDIR/tests/pam/memgrep.py" "$PID_g" "$PW"; ok "the login program holds the password (so the next check can fail)"
python3 "$SRCDIR/tests/pam/memgrep.py" "$W" "$PW"; test $? -eq 1; ok "the watcher's memory does not"
kill_session g; test $? -eq 137; ok "G's login program killed with SIGKILL"
check "G killed: locked (unmounted, keys unlinked)" eventually locked
is "$(count)" 0 "no session counted"
check "the watcher has exited" eventually no_watcher
is "$(syslog_new | grep -c "pam_ecryptfs($SVC:session): user $U: the login program ended without closing the session; closed for it")" 1 \
	"one syslog line says the session was closed for the killed login"

start_session h "$U" "$PW"; ok "session H opened"
start_session i "$U" "$PW"; ok "session I opened"
kill_session h; test $? -eq 137; ok "H's login program killed"
check "H's session counted out" eventually count_is 1
check "I still open: still mounted, keys still there" open_
end_session i; ok "session I closed"
check "the last session closed: locked" locked
check "no watcher left" eventually no_watcher

# --- a key login: no password, so no keys; nothing mounted, a hint ---
syslog_mark
start_session f "$U" "" -n; ok "a session without authentication opened"
check "nothing mounted" locked
grep -q '^info: .*not mounted' "$TESTTMP/f.out" && grep -q 'Run .ecryptfs-mount-private' "$TESTTMP/f.out"; ok "the user is told why and what to run"
is "$(syslog_new | grep -c "pam_ecryptfs($SVC:session): user $U: keys not in the keyring")" 1 "one syslog line"
end_session f; ok "that session closed"
is "$(count)" 0 "and it was never counted"
tap_done
