# The reference oracle for shell tests: Debian's ecryptfs-utils 111 binaries,
# and throwaway users to run both implementations as.  Source after tap.sh.
#
#   ref_fetch                 download + unpack the reference once (cached)
#   ref PROG ARGS...          run a reference program (bin or sbin)
#   ref_cmd PROG              the same as words for as_user: $(ref_cmd P) ARGS
#   ours PROG ARGS...         run one of our programs from BUILDDIR
#   tu_create                 new user with its own passwd home and user
#                             keyring; prints the name; removed at exit
#   tu_home USER              the user's passwd home
#   as_user USER CMD...       run CMD as USER in a fresh session keyring
#   as_user_fnek USER CMD...  the same with a fake /sys/fs/ecryptfs/version
#   kr_dump / kr_sigs / kr_clear USER   the user's @u: "sig payload-hex" lines,
#                             the sigs on one line, or emptied
#
# The reference is never installed: it is unpacked into REF_CACHE and run
# with LD_LIBRARY_PATH pointing at its own libecryptfs.so.1 (which needs
# libnss3 and libnspr4, installed by setup.sh).  Each throwaway user has its
# own @u, so tests that look at the user keyring cannot see each other's keys,
# and its own passwd home, so ~/.ecryptfsrc salts need no backup of /root.

REF_CACHE=${ECFS_REF_CACHE:-/var/cache/ecryptfs-ng-ref}
REF_ROOT=$REF_CACHE/root
REF_DEBS="ecryptfs-utils libecryptfs1"

ref_fetch() {
	[ -x "$REF_ROOT/usr/bin/ecryptfs-add-passphrase" ] && return 0
	mkdir -p "$REF_CACHE" || return 1
	(
		# Several tests may start at once; one downloads, the others wait.
		flock 9
		[ -x "$REF_ROOT/usr/bin/ecryptfs-add-passphrase" ] && exit 0
		dl=$(mktemp -d "$REF_CACHE/dl.XXXXXX") || exit 1
		chmod 755 "$dl"	# apt's _apt user writes there
		if ! (cd "$dl" && apt-get download -q $REF_DEBS) >"$dl/log" 2>&1; then
			apt-get update -q >>"$dl/log" 2>&1
			(cd "$dl" && apt-get download -q $REF_DEBS) >>"$dl/log" 2>&1 ||
				{ cat "$dl/log" >&2; rm -rf "$dl"; exit 1; }
		fi
		rm -rf "$REF_ROOT.new"
		for d in "$dl"/*.deb; do dpkg -x "$d" "$REF_ROOT.new" || exit 1; done
		rm -rf "$REF_ROOT" "$dl"
		mv "$REF_ROOT.new" "$REF_ROOT"
	) 9>"$REF_CACHE/lock"
}

ref_libpath() {
	local d
	for d in "$REF_ROOT"/usr/lib/*-linux-gnu; do printf '%s' "$d"; return 0; done
}

ref() {
	local p=$1; shift
	local bin=$REF_ROOT/usr/bin/$p
	[ -x "$bin" ] || bin=$REF_ROOT/sbin/$p
	LD_LIBRARY_PATH=$(ref_libpath) "$bin" "$@"
}

ours() {
	local p=$1; shift
	"$(prog "$p")" "$@"
}

# Users are recorded in a file, not a variable, because tests call
# tu_create in $(...), a subshell.
_TU_LIST=$TESTTMP/.tu-users
_tu_cleanup() {
	local u
	[ -f "$_TU_LIST" ] || return 0
	while read -r u; do
		setpriv --reuid="$u" --regid="$u" --init-groups keyctl clear @u >/dev/null 2>&1
		_tu_retry userdel "$u"
	done <"$_TU_LIST"
	rm -f "$_TU_LIST"
}
trap _tu_cleanup EXIT	# a test that sets its own EXIT trap must call _tu_cleanup

# useradd and userdel fail while another test holds the passwd lock.
_tu_retry() {
	local i
	for i in $(seq 1 40); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.25
	done
	return 1
}

tu_create() {
	local n name home
	n=$(cat "$_TU_LIST" 2>/dev/null | wc -l)
	name=ecfs$$x$n
	home=$TESTTMP/home-$name
	# Users must reach their homes and our build tree.
	chmod 755 "$TESTTMP"
	# Users of finished runs (their scratch dir is gone) that were killed
	# before their exit trap, including a stale one of this very name.
	getent passwd | awk -F: '$1 ~ /^ecfs[0-9]+x[0-9]+$/ { print $1, $6 }' |
		while read -r old oldhome; do
			[ -d "$(dirname "$oldhome")" ] || _tu_retry userdel "$old"
		done
	id "$name" >/dev/null 2>&1 && _tu_retry userdel "$name"
	_tu_retry useradd --no-create-home --home-dir "$home" --user-group \
		--shell /bin/bash "$name"
	id "$name" >/dev/null 2>&1 || { echo "tu_create: useradd $name failed" >&2; return 1; }
	echo "$name" >>"$_TU_LIST"
	mkdir -p "$home"
	chown "$name:$name" "$home"
	chmod 700 "$home"
	echo "$name"
}

tu_home() {
	getent passwd "$1" | cut -d: -f6
}

# keyctl announces the new session keyring on stderr; tests compare stderr.
_tu_run() {	# FAKE-SYSFS(0/1) USER CMD...
	local fake=$1 u=$2; shift 2
	local -a cmd=(setpriv --reuid="$u" --regid="$u" --init-groups
		env HOME="$(tu_home "$u")" USER="$u" LOGNAME="$u" keyctl session - "$@")
	if [ "$fake" = 1 ]; then
		cmd=(unshare -m bash -c 'mount -t tmpfs none /sys/fs && mkdir /sys/fs/ecryptfs &&
			echo 895 >/sys/fs/ecryptfs/version && exec "$@"' fake_sysfs "${cmd[@]}")
	fi
	{
		"${cmd[@]}" 2>&1 1>&3 3>&- | grep -v '^Joined session keyring: ' >&2
		return "${PIPESTATUS[0]}"
	} 3>&1
}
as_user() { _tu_run 0 "$@"; }
# The same with a fake /sys/fs/ecryptfs/version of 895 (0x37F: passphrase,
# ..., fnek), which the reference's add-passphrase --fnek insists on.
as_user_fnek() { _tu_run 1 "$@"; }

# "SIG PAYLOAD-HEX" for every user key in USER's @u, sorted.
kr_dump() {
	# Reading a key needs possession: link @u into the session first.
	as_user "$1" bash -c 'keyctl link @u @s; for k in $(keyctl rlist @u); do
		d=$(keyctl rdescribe "$k") || continue
		printf "%s %s\n" "${d##*;}" "$(keyctl pipe "$k" | od -An -v -tx1 | tr -d " \n")"
	done | sort'
}
kr_sigs() { kr_dump "$1" | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//'; }
kr_clear() { as_user "$1" keyctl clear @u >/dev/null; }

# A reference program as a command line for as_user: $(ref_cmd PROG) ARGS.
ref_cmd() {
	printf 'env LD_LIBRARY_PATH=%s %s' "$(ref_libpath)" "$REF_ROOT/usr/bin/$1"
}
