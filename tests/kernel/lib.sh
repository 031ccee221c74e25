# Glue between the test suite and the real-kernel harness
# (tests/kernel/harness: Debian's kernel and ecryptfs.ko in a qemu VM).
# Source after tests/lib/tap.sh.  Tests assume root.
#
#   k_require                 the harness is there and set up, or the test
#                             fails here (not ok + Bail out!), never skips
#   k_run MODE ARGS...        tools/kernel/run.sh with our defaults (--accel,
#                             --timeout, --quiet); its stderr becomes TAP
#                             diagnostics; its scratch dir is removed even
#                             when run.sh keeps it after a failure; a boot
#                             panic of the emulated guest is retried
#   k_check_vm MODE           after k_run: fail the test (Bail out!) when the
#                             VM or harness failed rather than the job
#   k_stage DESTDIR           make install DESTDIR=DESTDIR from BUILDDIR
#
# Reading lower trees with the kernel, several trees in ONE VM boot (boots
# are the expensive part under TCG):
#   k_read_add NAME LOWER PASSFILE [cipher=aes] [key_bytes=16]
#              [fnek=none|separate|same] [xattr=0|1]
#       queue a lower tree (written by anything: ecryptfs-encrypt, our FUSE
#       daemon, ...).  PASSFILE's first line is the mount passphrase; the
#       guest adds it with the reference ecryptfs-add-passphrase (so only the
#       format is under test) and mounts with kernel options.  With xattr=1
#       the user.ecryptfs xattrs of LOWER's files travel with it.
#   k_read_run                boot once, mount and read every queued tree;
#                             returns run.sh's status.  Then, per NAME:
#       $K_OUT/NAME/plain     the tree as the kernel shows it
#       $K_OUT/NAME/errors    entries the kernel refused (EIO, hidden names)
#       $K_OUT/NAME/status    OK, or why the mount failed
#   k_same_tree A B           0 when names, types, link counts, sizes,
#                             symlink targets and sha256 of every file agree;
#                             the difference is printed as TAP diagnostics
#
#   k_make_tree DIR           the plaintext tree the read tests write: sizes
#                             around the extent boundaries, names of 1..143
#                             bytes (UTF-8 too), nesting, empty dirs, symlinks,
#                             a hard link
#   k_at_exit CMD...          run CMD when the test ends (before the scratch
#                             space goes); lib.sh owns the EXIT trap
#
# Environment: ECFS_KERNEL_TOOLS (harness dir, default
# $SRCDIR/tests/kernel/harness), ECFS_KERNEL_ACCEL (auto), ECFS_KERNEL_TIMEOUT (seconds per
# VM, 900), ECFS_KERNEL_KEEP=1 keeps the scratch space for debugging.

K_TOOLS=${ECFS_KERNEL_TOOLS:-$SRCDIR/tests/kernel/harness}
K_WORK=$TESTTMP/kernel
K_IN=$K_WORK/in
K_OUT=$K_WORK/out
K_LOG=$K_WORK/log
K_GUEST=$SRCDIR/tests/kernel/guest
mkdir -p "$K_WORK" "$K_IN/cases"

_k_kept=()
_k_exit=()
k_at_exit() { _k_exit+=("$(printf '%q ' "$@")"); }
_k_cleanup() {
	local c
	for c in "${_k_exit[@]}"; do eval "$c"; done
	[ "${ECFS_KERNEL_KEEP:-0}" = 1 ] && { echo "# kept: $K_WORK ${_k_kept[*]}"; return; }
	local d
	for d in "${_k_kept[@]}"; do rm -rf "$d"; done
	rm -rf "$K_WORK"
}
trap _k_cleanup EXIT

# Fail the whole test with a reason the reader can act on.
_k_bail() {
	echo "not ok $((_tap_n + 1)) - kernel harness: $1"
	shift
	local l
	for l in "$@"; do [ -f "$l" ] && tail -20 "$l" | sed 's/^/#   /'; done
	echo "1..$((_tap_n + 1))"
	echo "Bail out! the real-kernel harness cannot run: tests/kernel/lib.sh"
	exit 1
}

k_require() {
	[ "$(id -u)" = 0 ] || _k_bail "must run as root"
	[ -x "$K_TOOLS/run.sh" ] && [ -x "$K_TOOLS/setup.sh" ] ||
		_k_bail "no harness at $K_TOOLS (set ECFS_KERNEL_TOOLS)"
	# Idempotent, ~2 s when cached; a fresh machine downloads the kernel once.
	# Concurrent tests must not build the cache twice.
	mkdir -p "${KECFS_CACHE:-/var/cache/ecryptfs-ng-kernel}" 2>/dev/null
	(
		flock 9
		"$K_TOOLS/setup.sh"
	) 9>"${KECFS_CACHE:-/var/cache/ecryptfs-ng-kernel}.lock" >"$K_WORK/setup.log" 2>&1 ||
		_k_bail "$K_TOOLS/setup.sh failed (network to the Debian archive? apt-get update?)" \
			"$K_WORK/setup.log"
	command -v qemu-system-x86_64 >/dev/null || _k_bail "qemu-system-x86_64 missing"
	echo "ok $((_tap_n += 1)) - kernel harness ready ($(cat "${KECFS_CACHE:-/var/cache/ecryptfs-ng-kernel}/kver"))"
}

# run.sh with our defaults; stdout as run.sh gives it, its stderr as TAP
# diagnostics.  A guest kernel that panics while booting (under a loaded
# TCG host: "IO-APIC + timer doesn't work!") is retried, twice at most:
# that is the emulator's flake, not a finding.
k_run() {
	local mode=$1 st kept q=--quiet try
	shift
	# exec mode never echoes the console, and --quiet would hide its timing.
	[ "$mode" = exec ] && q=
	for try in 1 2 3; do
		"$K_TOOLS/run.sh" "$mode" --accel "${ECFS_KERNEL_ACCEL:-auto}" \
			--timeout "${ECFS_KERNEL_TIMEOUT:-900}" $q "$@" 2>"$K_LOG.err"
		st=$?
		# run.sh keeps its scratch dir (disk images) after a failure.
		kept=$(sed -n 's/^run\.sh: scratch kept in \(\/tmp\/kecfs\.[A-Za-z0-9]*\)$/\1/p' "$K_LOG.err")
		[ -n "$kept" ] && _k_kept+=("$kept")
		[ -n "$kept" ] && [ "${ECFS_KERNEL_KEEP:-0}" != 1 ] && rm -rf "$kept"
		sed 's/^/# /' "$K_LOG.err" >&2
		grep -q 'VM did not finish the job' "$K_LOG.err" &&
			grep -q 'Kernel panic' "$K_LOG.err" && [ $try -lt 3 ] || break
		echo "# k_run: the guest kernel panicked while booting; retrying ($try)" >&2
		# The output directory must be empty again for run.sh.
		local a prev=
		for a in "$@"; do
			[ "$prev" = --out ] && rm -rf "$a"
			prev=$a
		done
	done
	K_STATUS=$st
	return "$st"
}

# After k_run: stop the test with a clear reason when the VM itself failed
# (exec: 124 timeout, 125 harness; write/read: 1 with run.sh's ERROR line).
k_check_vm() {
	case $1:$K_STATUS in
	exec:124) _k_bail "the VM timed out (ECFS_KERNEL_TIMEOUT=${ECFS_KERNEL_TIMEOUT:-900})" "$K_LOG.err" ;;
	exec:125) _k_bail "the VM or the harness failed" "$K_LOG.err" ;;
	exec:*) return 0 ;;
	*:1) grep -q '^run\.sh: ERROR' "$K_LOG.err" && _k_bail "the VM or the harness failed" "$K_LOG.err" ;;
	esac
	return 0
}

# The VM time run.sh reported for its last job ("" if none).
k_vm_time() {
	sed -n 's/.*timing: total \([0-9.]*\)s, VM \([0-9.]*\)s (\([a-z]*\)).*/VM \2 s (\3), total \1 s/p' \
		"$K_LOG.err" 2>/dev/null | tail -1
}

k_stage() {
	rm -rf "$1"
	make -C "$BUILDDIR" install DESTDIR="$1" >"$K_WORK/install.log" 2>&1 || {
		tail -20 "$K_WORK/install.log" >&2
		return 1
	}
}

k_make_tree() {
	local P=$1 n name u
	mkdir -p "$P/sub/deeper/deepest" "$P/empty-dir" "$P/sub/empty-too" || return 1
	for n in 0 1 4095 4096 4097 8193; do head -c "$n" /dev/urandom >"$P/size-$n"; done
	head -c $((1048576 + 5)) /dev/urandom >"$P/sub/deeper/big-1MiB+5"
	for n in 1 2 15 16 17 31 32 33 100 142 143; do
		name=$(printf 'n%.0s' $(seq "$n"))
		echo "name of $n bytes" >"$P/sub/$name"
	done
	u=$(printf '\xc3\xa9%.0s' $(seq 71))x	# 71 x "é" + "x" = 143 bytes
	echo utf8 >"$P/sub/deeper/$u"
	echo spaces >"$P/name with spaces and ünïcødé 名前.txt"
	echo deep >"$P/sub/deeper/deepest/leaf"
	ln -s sub/deeper/big-1MiB+5 "$P/link-relative"
	ln -s /nonexistent/dangling/target "$P/sub/link-dangling"
	ln "$P/size-4097" "$P/sub/hardlink-to-size-4097"
	[ "$(printf %s "$u" | wc -c)" = 143 ]
}

k_read_add() {
	local name=$1 lower=$2 pass=$3 c=$K_IN/cases/$1 kv
	local cipher=aes key_bytes=16 fnek=none xattr=0
	shift 3
	for kv in "$@"; do
		case $kv in
		cipher=* | key_bytes=* | fnek=* | xattr=*) eval "${kv%%=*}=\${kv#*=}" ;;
		*) echo "k_read_add: unknown option $kv" >&2; return 2 ;;
		esac
	done
	mkdir -p "$c" || return 1
	# run.sh exec ships only the guest script itself; the guest readers of
	# the queue (read-trees.sh, guest/xcheck-fuse.sh) source this from /in.
	cp "$K_GUEST/lib-read.sh" "$K_IN/" || return 1
	cp -a "$lower" "$c/lower" || return 1
	# The guest feeds it to ecryptfs-add-passphrase without a newline.
	head -n 1 "$pass" | tr -d '\n' >"$c/pass"
	printf 'CIPHER=%s\nKEY_BYTES=%s\nFNEK=%s\nXATTR=%s\n' \
		"$cipher" "$key_bytes" "$fnek" "$xattr" >"$c/conf"
	if [ "$xattr" = 1 ]; then
		# The disk image may or may not keep xattrs: ship them explicitly.
		(cd "$c/lower" && getfattr -R -h -d -m '^user\.ecryptfs$' -e hex .) \
			>"$c/xattrs.dump" 2>"$K_WORK/getfattr.err" || {
			cat "$K_WORK/getfattr.err" >&2
			return 1
		}
	fi
}

k_read_run() {
	rm -rf "$K_OUT"
	k_run exec --script "$K_GUEST/read-trees.sh" --in "$K_IN" --out "$K_OUT" \
		--out-mb "$(($(du -sm "$K_IN" | cut -f1) * 3 + 64))" >"$K_LOG.out"
	local st=$?
	sed 's/^/# guest: /' "$K_LOG.out"
	k_check_vm exec
	return "$st"
}

# One line per entry, independent of inode numbers and directory sizes.
k_listing() (
	cd "$1" || exit 1
	find . -mindepth 1 \( -type f -printf 'f %n %s %p\n' \) -o \
		\( -type l -printf 'l %n %p -> %l\n' \) -o -printf '%y %n %p\n' | LC_ALL=C sort
	find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
)

# k_exec_script GUEST-OUT K_RUN-EXEC-ARGS...: one exec-mode VM running a
# guest script; records that it ran, shows its output, and keeps GUEST-OUT
# for k_result.
k_exec_script() {
	local out=$1 t0=$SECONDS st msg
	shift
	k_run exec "$@" >"$out"
	st=$?
	k_check_vm exec
	msg="the guest script ran ($(k_vm_time); $((SECONDS - t0)) s here)"
	[ "$st" = 0 ]
	ok "$msg"
	sed 's/^/# guest: /' "$out"
	K_GUEST_OUT=$out
}
# k_result NAME: the text after "RESULT NAME " in the guest's output.
k_result() { sed -n "s/^RESULT $1 //p" "$K_GUEST_OUT" | head -1; }
# k_result_ok NAME: that result starts with ok (else says what it was).
k_result_ok() {
	local r
	r=$(k_result "$1")
	[[ $r == ok* ]] || echo "#   $1: ${r:-no result}"
	[[ $r == ok* ]]
}

# k_case_reads CASE TREE READS-DESC SAME-DESC: the guest's read of CASE
# (under $K_OUT) ended OK, and what it read equals TREE.
k_case_reads() {
	local o=$K_OUT/$1
	is "$(cat "$o/status" 2>/dev/null)" OK "$1: $3"
	[ -s "$o/errors" ] && sed 's/^/#   /' "$o/errors" | head -20
	k_same_tree "$2" "$o/plain"
	ok "$1: $4"
}

k_same_tree() {
	k_listing "$1" >"$K_WORK/l1" || return 1
	k_listing "$2" >"$K_WORK/l2" || return 1
	[ -s "$K_WORK/l1" ] || { echo "#   empty tree $1"; return 1; }
	cmp -s "$K_WORK/l1" "$K_WORK/l2" && return 0
	diff "$K_WORK/l1" "$K_WORK/l2" | head -20 | sed 's/^/#   /'
	return 1
}
