#!/bin/bash
# What a login costs with pam_ecryptfs.so (not a timed test; numbers only),
# each a median over BENCH_LOGINS (default 15) logins of a real test user
# through a real PAM stack (pam_unix, then pam_ecryptfs.so unwrap):
#   open    from the start of PAM authentication to a mounted ~/Private
#           from which the user has read a file (tests/pam/pam-session -t
#           -r: authenticate, open_session, then a read as the user)
#   lock    from the start of the last close_session to its end, when
#           ~/Private is unmounted and the keys are unlinked (checked)
#   kdf     ecryptfs-unwrap-passphrase of the same wrapped passphrase with
#           the same password, process start included: the key
#           derivation and unwrap alone, the share of "open" that every
#           login pays for the key
#   unix    authentication by pam_unix alone (the password hash check):
#           the share of "open" that is not ours
#   auth    authentication through pam_unix + our module (unwrap, both
#           keys into @u), no session: our auth's own cost is auth - unix
#   ref-auth the same with the reference's pam_ecryptfs.so (ecryptfs-utils
#           111, Debian's package unpacked by tests/lib/reference.sh and
#           loaded with its own libecryptfs.so.1)
# The reference's open and lock are not measured: its pam_ecryptfs.so runs
# the mount helper from the fixed path /sbin/mount.ecryptfs_private, and
# that helper has no FUSE path: it needs the kernel's eCryptfs, which a
# machine without the module (the case this project is for) does not have.
# Needs root (a test user, the setuid helper, mounts) and a build
# (BUILDDIR, default SRCDIR/build).  Also leaves a 300-second sleeper per
# reference login (its "zombie placeholder"), killed at the end.
set -u
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
BUILDDIR=${BUILDDIR:-$SRCDIR/build}
N=${BENCH_LOGINS:-15}
if [ "$(id -u)" -ne 0 ]; then
	echo "login.sh: needs root (a test user, the setuid helper, mounts)" >&2
	exit 2
fi
export BUILDDIR SRCDIR
TESTTMP=${TESTTMP:-$(mktemp -d)}
export TESTTMP
# The staging tree, the module and its test service, a syslog (trap included).
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/pam/lib.sh"
. "$SRCDIR/tests/lib/reference.sh"
trap 'pam_cleanup; rm -rf "$TESTTMP"' EXIT
ref_fetch || { echo "login.sh: cannot fetch the reference" >&2; exit 1; }

U=ecfsbl$$a
new_user "$U" || exit 1
H=$(home_of "$U") PW=$U-pw-123
setup "$U" || { cat "$TESTTMP/setup-$U.out"; exit 1; }
as "$U" keyctl clear @u
# A file to read back at each login.
start_session w "$U" "$PW" || { cat "$TESTTMP/w.out"; exit 1; }
as "$U" sh -c "head -c 65536 /dev/urandom >'$H/Private/probe'"
end_session w

# Services: pam_unix alone; pam_unix + the reference's module.
printf 'auth\trequired\tpam_unix.so\naccount\trequired\tpam_permit.so\n' >"/etc/pam.d/$SVC-unix"
printf 'auth\trequired\tpam_unix.so\nauth\trequired\t%s unwrap\naccount\trequired\tpam_permit.so\n' \
	"$(ls "$REF_ROOT"/lib/*/security/pam_ecryptfs.so)" >"/etc/pam.d/$SVC-ref"
trap 'rm -f "/etc/pam.d/$SVC-unix" "/etc/pam.d/$SVC-ref"; pam_cleanup; rm -rf "$TESTTMP"' EXIT

now() { date +%s%N; }
# median FILE: the median of the numbers (ns) in FILE, in ms.
median() { sort -n "$1" | awk '{ a[NR] = $1 } END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m / 1e6 }'; }
: >"$TESTTMP/open" >"$TESTTMP/lock" >"$TESTTMP/kdf" >"$TESTTMP/unix" >"$TESTTMP/auth" >"$TESTTMP/ref"
fail=0
for i in $(seq "$N"); do
	as "$U" keyctl clear @u
	# open and lock
	rm -f "$TESTTMP/l.in"; mkfifo "$TESTTMP/l.in"
	PAM_TEST_PASSWORD=$PW "$DRIVER" -t -r "$H/Private/probe" "$SVC" "$U" <"$TESTTMP/l.in" >"$TESTTMP/l.out" 2>&1 &
	pid=$!
	exec 8>"$TESTTMP/l.in"
	for _j in $(seq 3000); do grep -q '^opened' "$TESTTMP/l.out" && break; sleep 0.01; done
	exec 8>&-
	wait "$pid"
	t() { awk -v k="$1" '$1 == k { print $2 }' "$TESTTMP/l.out"; }
	if [ -z "$(t t-readable)" ] || is_mounted "$H/Private" || [ "$(keys_of "$U")" != 0 ]; then
		echo "login $i: not opened and locked as it should:" >&2
		cat "$TESTTMP/l.out" >&2
		fail=1
		break
	fi
	echo $(($(t t-readable) - $(t t-start))) >>"$TESTTMP/open"
	echo $(($(t t-closed) - $(t t-close))) >>"$TESTTMP/lock"
	# the key derivation alone
	t0=$(now)
	printf '%s\0' "$PW" | "$ST/bin/ecryptfs-unwrap-passphrase" "$H/.ecryptfs/wrapped-passphrase" - >/dev/null 2>&1
	echo $(($(now) - t0)) >>"$TESTTMP/kdf"
	# authentication: pam_unix alone, with ours, with the reference's
	t0=$(now)
	printf '%s\n' "$PW" | pamtester "$SVC-unix" "$U" authenticate >/dev/null 2>&1
	echo $(($(now) - t0)) >>"$TESTTMP/unix"
	as "$U" keyctl clear @u
	t0=$(now)
	printf '%s\n' "$PW" | pamtester "$SVC" "$U" authenticate >/dev/null 2>&1
	echo $(($(now) - t0)) >>"$TESTTMP/auth"
	[ "$(keys_of "$U")" = 2 ] || { echo "login $i: our auth added no keys" >&2; fail=1; }
	as "$U" keyctl clear @u
	t0=$(now)
	printf '%s\n' "$PW" | LD_LIBRARY_PATH=$(ref_libpath) pamtester "$SVC-ref" "$U" authenticate >/dev/null 2>&1
	echo $(($(now) - t0)) >>"$TESTTMP/ref"
	[ "$(keys_of "$U")" = 2 ] || { echo "login $i: the reference's auth added no keys" >&2; fail=1; }
done
pkill -KILL -u "$U" 2>/dev/null
[ "$fail" = 0 ] || exit 1

open=$(median "$TESTTMP/open") kdf=$(median "$TESTTMP/kdf") unix=$(median "$TESTTMP/unix")
echo "pam_ecryptfs login benchmark: median of $N logins, ms ($(nproc) CPUs, $(uname -r))"
printf '  %-44s %8s\n' \
	"open: auth start -> ~/Private mounted, read" "$open" \
	"lock: last close_session -> locked" "$(median "$TESTTMP/lock")" \
	"kdf: ecryptfs-unwrap-passphrase alone" "$kdf" \
	"unix: pam_unix authentication alone" "$unix" \
	"auth: pam_unix + our pam_ecryptfs" "$(median "$TESTTMP/auth")" \
	"ref-auth: pam_unix + the reference's" "$(median "$TESTTMP/ref")"
awk -v o="$open" -v k="$kdf" -v u="$unix" 'BEGIN {
	printf "  share of open: key derivation (kdf) %.0f%%, pam_unix %.0f%%\n", 100 * k / o, 100 * u / o }'
