# Harness for the mount helper tests: both implementations run in a private
# mount namespace where
#   /sys/fs/ecryptfs/version  is fake (MT_VER, or absent with MT_VER=none),
#   /proc/filesystems         lists ecryptfs or not (MT_FS=kernel|nokernel),
#   /bin/mount, /bin/umount,
#   /bin/fusermount3          record their argv into $MT/log (exit MT_RC),
#   /sbin/modprobe            records its call and fails,
#   the key-module directory  holds the reference's passphrase module only,
#                             and ours (ECRYPTFS_KEYMOD_DIR) none: the
#                             reference's dialogue has one key type,
#   /etc                      may get files laid over it (MT_ETC=DIR, e.g. a
#                             fake mtab for umount.ecryptfs),
# and then run as a throwaway user (own passwd home and @u, fresh session
# keyring), so nothing touches root's keyring or home.  mt_user checks once
# that the reference mounts through this harness (one assertion).
#   mt_run ref|ours PROG ARGS...   stdout -> $MT/out, stderr -> $MT/err,
#                                  status returned; the reference's stderr
#                                  lines are kept, ours without our
#                                  "prog: ..." lines in $MT/err.clean
#   mt_opts                        the -o value /bin/mount got, or "(none)"
. "$SRCDIR/tests/lib/reference.sh"

MT=$TESTTMP/mt
mkdir -p "$MT/km/ecryptfs" "$MT/km-ng" "$MT/etc" "$MT/lower" "$MT/upper"
chmod 755 "$TESTTMP"
chmod 777 "$MT" "$MT/lower" "$MT/upper"
ref_fetch || { echo "Bail out! cannot fetch the reference"; exit 1; }
MT_LIBDIR=$(ref_libpath)
MT_LIBDIR_SYS=/usr/lib/$(basename "$MT_LIBDIR")
cp "$MT_LIBDIR/ecryptfs/libecryptfs_key_mod_passphrase.so" "$MT/km/ecryptfs/"

cat >"$MT/rec" <<'EOS'
#!/bin/bash
{ printf '%s\n' "$0" "$@"; echo --; } >>"$MT/log"
exit "${MT_RC:-0}"
EOS
sed -i "2i MT=$MT" "$MT/rec"
chmod 755 "$MT/rec"
printf '#!/bin/sh\necho "modprobe $*" >>%s/modprobe.log\nexit 1\n' "$MT" >"$MT/modprobe"
chmod 755 "$MT/modprobe"
grep -v 'ecryptfs' /proc/filesystems >"$MT/fs-nokernel"
{ cat "$MT/fs-nokernel"; printf '\tecryptfs\n'; } >"$MT/fs-kernel"

cat >"$MT/ns.sh" <<'EOS'
set -e
mount -t tmpfs none /sys/fs
if [ "$MT_VER" != none ]; then
	mkdir /sys/fs/ecryptfs
	echo "$MT_VER" >/sys/fs/ecryptfs/version
fi
mount -t overlay overlay -o "lowerdir=$MT/km:$MT_LIBDIR_SYS" "$MT_LIBDIR_SYS"
if [ -n "$(ls -A "$MT/etc")" ]; then
	mount -t overlay overlay -o "lowerdir=$MT/etc:/etc" /etc
fi
mount --bind "$MT/fs-$MT_FS" /proc/filesystems
mount --bind "$MT/modprobe" /sbin/modprobe
mount --bind "$MT/rec" /bin/umount
[ -e /bin/fusermount3 ] && mount --bind "$MT/rec" /bin/fusermount3
mount --bind "$MT/rec" /bin/mount
set +e
exec "$@"
EOS

MT_VER=895
MT_FS=kernel
MT_USER=
mt_user() {
	# Not in $(...): tu_create records the user for its clean-up trap.
	TU=
	tu_create >"$TESTTMP/tu.name" || exit 1
	MT_USER=${TU:-$(cat "$TESTTMP/tu.name")}
	MT_HOME=$(tu_home "$MT_USER")
	# Shorthands every test uses: an empty stdin, the mount points, quiet
	# and cache-less, the passphrase module with its secret, a cipher.
	N=$TESTTMP/null
	: >"$N"
	L=$MT/lower U=$MT/upper
	Q=no_sig_cache,verbosity=0
	P=key=passphrase:passphrase_passwd=secret
	A=ecryptfs_cipher=aes,ecryptfs_key_bytes=16
	# The harness itself: the reference, run in the namespace as the user,
	# reaches the fake mount(8) with the options it assembles.  Without this
	# a broken harness (both implementations failing alike) would pass every
	# comparison with the reference.
	mt_run ref mount.ecryptfs "$L" "$U" -o "$P,$Q,$A" <"$N"
	is "$? $(mt_opts)" "0 ecryptfs_sig=7a1719eb53966dd1,ecryptfs_unlink_sigs,$A" \
		"harness: the reference mounts through the fake mount(8)"
}

mt_cmd() {	# ref|ours PROG -> words
	case $1 in
	ref) printf 'env LD_LIBRARY_PATH=%s %s/sbin/%s' "$MT_LIBDIR" "$REF_ROOT" "$2" ;;
	ours) printf '%s' "$(prog "$2")" ;;
	esac
}

mt_run() {	# ref|ours PROG ARGS...  (stdin is passed through)
	local impl=$1 p=$2; shift 2
	rm -f "$MT/log"
	if [ -n "${MT_FD3:-}" ]; then exec 3<"$MT_FD3"; else exec 3</dev/null; fi
	# shellcheck disable=SC2046
	MT=$MT MT_VER=$MT_VER MT_FS=$MT_FS MT_LIBDIR_SYS=$MT_LIBDIR_SYS \
		unshare -m bash "$MT/ns.sh" \
		setpriv --reuid="$MT_USER" --regid="$MT_USER" --init-groups \
		env HOME="$MT_HOME" USER="$MT_USER" LOGNAME="$MT_USER" MT_RC="${MT_RC:-0}" \
		ECRYPTFS_KEYMOD_DIR="$MT/km-ng" \
		${MT_ENV:-} keyctl session - $(mt_cmd "$impl" "$p") "$@" \
		>"$MT/out" 2>"$MT/err.raw"
	local st=$?
	exec 3<&-
	grep -v '^Joined session keyring: ' "$MT/err.raw" >"$MT/err"
	grep -v "^$p: " "$MT/err" >"$MT/err.clean"
	return $st
}

mt_opts() {	# [ARGV-FILE]: the -o value /bin/mount got, or "(none)"
	local f=${1:-$MT/log}
	[ -s "$f" ] || { echo "(none)"; return; }
	sed -n '/^-o$/{n;p;q}' "$f"
}
mt_argv() { [ -f "$MT/log" ] && cat "$MT/log"; }

# Run both with the same arguments and stdin file; compare stdout, the
# reference's stderr lines, the status, and the argv of /bin/mount.
mt_compare() {	# DESCRIPTION STDIN-FILE ARGS...
	local d=$1 in=$2 rs os; shift 2
	mt_run ref mount.ecryptfs "$@" <"$in"; rs=$?
	cp "$MT/out" "$MT/ref.out"; cp "$MT/err.clean" "$MT/ref.err"
	mt_argv >"$MT/ref.argv"
	mt_run ours mount.ecryptfs "$@" <"$in"; os=$?
	mt_argv >"$MT/ours.argv"
	is "$(mt_opts)" "$(mt_opts "$MT/ref.argv")" "$d: kernel options"
	is "$os" "$rs" "$d: exit status"
	check "$d: stdout" diff "$MT/ref.out" "$MT/out"
	check "$d: stderr" diff "$MT/ref.err" "$MT/err.clean"
	check "$d: mount argv" diff "$MT/ref.argv" "$MT/ours.argv"
}

# A script that runs IMPL's PROG in the namespace on the caller's terminal,
# for expect: mt_script ref|ours PROG ARGS... -> prints its path.
mt_script() {
	local impl=$1 p=$2 f=$MT/run-$1.sh a; shift 2
	{
		echo "#!/bin/bash"
		echo "rm -f $MT/log"
		[ -n "${MT_FD3:-}" ] && printf 'exec 3<%q\n' "$MT_FD3"
		printf 'MT=%q MT_VER=%q MT_FS=%q MT_LIBDIR_SYS=%q ' "$MT" "$MT_VER" "$MT_FS" "$MT_LIBDIR_SYS"
		printf 'unshare -m bash %q setpriv --reuid=%q --regid=%q --init-groups ' \
			"$MT/ns.sh" "$MT_USER" "$MT_USER"
		printf 'env HOME=%q USER=%q LOGNAME=%q MT_RC=0 ECRYPTFS_KEYMOD_DIR=%q %s keyctl session - %s' \
			"$MT_HOME" "$MT_USER" "$MT_USER" "$MT/km-ng" "${MT_ENV:-}" "$(mt_cmd "$impl" "$p")"
		for a in "$@"; do printf ' %q' "$a"; done
		echo
	} >"$f"
	chmod 755 "$f"
	echo "$f"
}

# Run an expect dialogue (a file of "expect-pattern<TAB>answer" lines;
# "<empty>" sends an empty line, "<slow>X" sends X after half a second)
# against IMPL, to the end; the transcript, with CRs,
# keyring notices and our own "prog: ..." lines removed, goes to
# $MT/IMPL.tty, the exit status is returned.
mt_dialogue() {	# ref|ours DIALOGUE-FILE ARGS...
	local impl=$1 dlg=$2 s; shift 2
	s=$(mt_script "$impl" mount.ecryptfs "$@")
	expect - "$s" "$dlg" "$MT/$impl.raw" <<'EOS' >/dev/null 2>&1
set timeout 10
log_user 0
log_file -a -noappend [lindex $argv 2]
spawn -noecho [lindex $argv 0]
set f [open [lindex $argv 1]]
while {[gets $f line] >= 0} {
	set parts [split $line "\t"]
	set pat [lindex $parts 0]
	set ans [lindex $parts 1]
	expect {
		-exact $pat { }
		timeout { send_log "\n<TIMEOUT waiting for: $pat>\n"; exit 124 }
		eof { send_log "\n<EOF waiting for: $pat>\n"; catch wait r; exit [lindex $r 3] }
	}
	if {[string match "<slow>*" $ans]} { sleep 0.5; set ans [string range $ans 6 end] }
	if {$ans eq "<empty>"} { send "\r" } else { send "$ans\r" }
}
expect { eof { } timeout { send_log "\n<TIMEOUT at end>\n"; exit 124 } }
catch wait r
exit [lindex $r 3]
EOS
	s=$?
	# Whether a fast answer to "Passphrase: " is echoed depends on when the
	# program turns echo off (a race in both); t-dialogue checks it slowly.
	tr -d '\r' <"$MT/$impl.raw" | grep -v -e '^Joined session keyring: ' -e '^mount.ecryptfs: ' |
		sed 's/^Passphrase: .*/Passphrase: /' >"$MT/$impl.tty"
	mt_argv >"$MT/$impl.argv"
	return $s
}

# Both implementations through the same dialogue: transcripts, status and
# the argv of /bin/mount must match.  ~/.ecryptfs is reset before each run.
mt_dialogue_compare() {	# DESCRIPTION DIALOGUE-FILE ARGS...
	local d=$1 dlg=$2 rs os; shift 2
	rm -rf "$MT_HOME/.ecryptfs"
	mt_dialogue ref "$dlg" "$@"; rs=$?
	rm -rf "$MT_HOME/.ecryptfs"
	mt_dialogue ours "$dlg" "$@"; os=$?
	is "$os" "$rs" "$d: exit status"
	check "$d: transcript not empty" grep -q . "$MT/ref.tty"
	check "$d: transcript" diff "$MT/ref.tty" "$MT/ours.tty"
	check "$d: mount argv" diff "$MT/ref.argv" "$MT/ours.argv"
}
