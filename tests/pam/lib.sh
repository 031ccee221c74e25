# Shared set-up of tests/pam: tests/private's staging tree and test users,
# plus the module under test, a PAM service for it in /etc/pam.d (made
# here, removed by the trap), and a syslog that the test can read.  The
# test runs in a mount namespace of its own, where /dev/log is the test's
# socket.  Source after tests/lib/tap.sh.
if [ -z "${ECFS_PAM_NS:-}" ]; then
	ECFS_PAM_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
. "$SRCDIR/tests/private/lib.sh"

# The module, root's, where the stack names it by its path.
install -o root -g root -m 644 "$BUILDDIR/src/pam_ecryptfs/.libs/pam_ecryptfs.so" "$ST/"
PAM_SO=$ST/pam_ecryptfs.so
# Its session watcher, root's like the helpers beside it.
install -o root -g root -m 755 "$BUILDDIR/src/pam_ecryptfs/ecryptfs-watch" "$ST/sbin/"
DRIVER=$BUILDDIR/tests/pam/pam-session

# /dev/log: our catcher's socket, seen in this namespace only.
. "$SRCDIR/tests/lib/syslog.sh"
SYSLOG=$TESTTMP/syslog
syslog_catch_start "$TESTTMP/log.sock" "$SYSLOG"
mount --bind "$TESTTMP/log.sock" /dev/log || echo "Bail out! cannot put a syslog socket on /dev/log"

# The test service, in /etc/pam.d and in a directory of services for
# pam-session -c (there under the names systemd-user and cron too).
SVC=ecfs-test-$$
PAM_CONFDIR=$TESTTMP/pam.d
mkdir -p "$PAM_CONFDIR"
service_text() {	# AUTH-ARGS
	cat <<EOT
auth	required	pam_unix.so
auth	required	$PAM_SO $1 helperdir=$ST/sbin
account	required	pam_permit.so
session	optional	$PAM_SO helperdir=$ST/sbin watcher=$ST/sbin/ecryptfs-watch
password	required	pam_unix.so
password	optional	$PAM_SO
EOT
}
service_text unwrap >"/etc/pam.d/$SVC"
for s in "$SVC" systemd-user cron; do service_text unwrap >"$PAM_CONFDIR/$s"; done

pam_cleanup() {
	st=$?
	rm -f "/etc/pam.d/$SVC"
	umount /dev/log 2>/dev/null
	syslog_catch_stop
	priv_cleanup
	exit $st
}
trap pam_cleanup EXIT

# login USER PASSWORD OPS...: pamtester through the test service.
login() {
	_u=$1 _p=$2; shift 2
	printf '%s\n' "$_p" | pamtester -v "$SVC" "$_u" "$@"
}
# keys_of USER: how many of Private.sig's signatures are in USER's @u.
keys_of() {
	as "$1" keyctl list @u 2>/dev/null | grep -c -f "$(home_of "$1")/.ecryptfs/Private.sig"
}
# setup USER: ecryptfs-setup-private for USER with their login password.
setup() {
	LOGINPASS="$1-pw-123" ecryptfs-setup-private -u "$1" </dev/null >"$TESTTMP/setup-$1.out" 2>&1
}
# syslog_has REGEX: a line of the module's in the syslog since the last mark.
syslog_mark() { PAM_SYSLOG_FROM=$(($(wc -l <"$SYSLOG") + 1)); }
syslog_new() { tail -n +"${PAM_SYSLOG_FROM:-1}" "$SYSLOG"; }

# start_session NAME USER PASSWORD [pam-session options...]: a login held
# open by pam-session (the test service unless -c names another), its input
# a FIFO; returns once the session is open (0) or the program has ended.
# end_session NAME: end its input, so it closes the session; waits for it.
PAM_SESSION_FDS=
start_session() {
	_n=$1 _u=$2 _p=$3; shift 3
	rm -f "$TESTTMP/$_n.in"; mkfifo "$TESTTMP/$_n.in"
	_svc=$SVC
	case " $* " in *" -c "*) _svc=${PAM_SERVICE_NAME:-$SVC} ;; esac
	# The driver must not inherit another session's end of its FIFO, or
	# that session would never see its end of input.
	(for _f in $PAM_SESSION_FDS; do eval "exec $_f>&-"; done
	 PAM_TEST_PASSWORD=$_p exec "$DRIVER" "$@" "$_svc" "$_u") <"$TESTTMP/$_n.in" >"$TESTTMP/$_n.out" 2>&1 &
	eval "PID_$_n=$!"
	exec {_fd}>"$TESTTMP/$_n.in"
	eval "FD_$_n=$_fd"
	PAM_SESSION_FDS="$PAM_SESSION_FDS $_fd"
	for _i in $(seq 300); do
		grep -q '^opened' "$TESTTMP/$_n.out" && break
		kill -0 "$(eval echo "\$PID_$_n")" 2>/dev/null || break
		sleep 0.1
	done
	grep -q '^open_session: Success' "$TESTTMP/$_n.out"
}
end_session() {
	_fd=$(eval echo "\$FD_$1")
	eval "exec $_fd>&-"
	PAM_SESSION_FDS=$(echo " $PAM_SESSION_FDS " | sed "s/ $_fd / /")
	wait "$(eval echo "\$PID_$1")"
}
