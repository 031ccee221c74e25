#!/bin/bash
# The FUSE data path against the alternatives, in one run on one machine:
#   ours         ecryptfs-fuse (BUILDDIR/src/fuse), AES, BENCH_KEY_BYTES key
#   before       the same from another build (BENCH_BASELINE, the build
#                directory of an earlier commit), with the same key: a
#                change is judged against the code before it in one run
#   gocryptfs    Debian's package, default settings (AES-256-GCM)
#   securefs     Debian's package (0.13), default settings: the best peer
#                on several lines
#   passthrough  libfuse's passthrough_ll example (FUSE, no crypto), defaults
#   plain        the lower directory itself
# For each: sequential write of BENCH_SIZE_MB with fsync, cold read (caches
# dropped), re-read of the cached file, random 4 KiB reads and writes (fio),
# create/stat/read/delete of BENCH_FILES small files, extracting a tarball
# of /usr/include and reading it back cold, the cold variants of the small
# files (5,000 files of 4 KiB in 50 directories: find -printf and a read of
# every file after dropping caches, which makes the kernel forget the
# mount's inodes) and a cold walk of the extracted tree (find -printf and
# du -s).  Prints every figure, our ratios to gocryptfs, to the best
# encrypted peer of the run (gocryptfs or securefs) and to the passthrough,
# and which targets hold:
#   T1 at least gocryptfs's figure, on every line
#   T2 sequential write and cold read at least the passthrough's
#   T3 cached re-read within 2x of the plain directory
#   T4 with BENCH_BASELINE: no line below BENCH_NOISE (0.90) of before's
#   T5 cold stat and the cold walk at least 1.25x gocryptfs and 0.8x the
#      passthrough
# Needs root (drop_caches, mounts).  Installs fio, gocryptfs, libfuse3-dev,
# fuse3 from Debian when missing.  Environment:
#   BUILDDIR (default SRCDIR/build), BENCH_DIR (scratch, default under
#   /var/tmp), BENCH_SIZE_MB (1024), BENCH_RAND_MB (256), BENCH_RAND_SECONDS
#   (10), BENCH_FILES (5000), BENCH_TARGETS ("ours gocryptfs passthrough
#   plain"), BENCH_KEY_BYTES (16), BENCH_ROUNDS (3), BENCH_COLD_READS (3:
#   cold reads of the big file and of the tree, per target and round),
#   BENCH_BASELINE (unset: no "before" target), BENCH_NOISE (0.90).
# All targets are mounted side by side; every step of a round (the write,
# the cold read, ...) visits each target in turn, in an order that rotates
# from round to round, and each figure is the median of the rounds.
set -u
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
BUILDDIR=${BUILDDIR:-$SRCDIR/build}
SIZE_MB=${BENCH_SIZE_MB:-1024}
RAND_MB=${BENCH_RAND_MB:-256}
RAND_S=${BENCH_RAND_SECONDS:-10}
NFILES=${BENCH_FILES:-5000}
BASELINE=${BENCH_BASELINE:-}
NOISE=${BENCH_NOISE:-0.90}
TARGETS=${BENCH_TARGETS:-"ours${BASELINE:+ before} gocryptfs securefs passthrough plain"}
KEY_BYTES=${BENCH_KEY_BYTES:-16}
ROUNDS=${BENCH_ROUNDS:-3}
COLD_READS=${BENCH_COLD_READS:-3}
[ "$RAND_MB" -gt "$SIZE_MB" ] && RAND_MB=$SIZE_MB

if [ "$(id -u)" -ne 0 ]; then
	echo "bench.sh: needs root (drop_caches, mounts)" >&2
	exit 2
fi
WORK=${BENCH_DIR:-$(mktemp -d /var/tmp/ecfs-bench.XXXXXX)}
mkdir -p "$WORK"
MOUNTS=()
SIG=
cleanup() {
	local m
	for m in "${MOUNTS[@]}"; do
		mountpoint -q "$m" 2>/dev/null && { fusermount3 -u "$m" 2>/dev/null || umount -l "$m"; }
	done
	if [ -n "$SIG" ]; then
		k=$(keyctl search @u user "$SIG" 2>/dev/null) && keyctl unlink "$k" @u >/dev/null
	fi
	[ -z "${BENCH_DIR:-}" ] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "# $*" >&2; }

# --- tools ---------------------------------------------------------------
need=()
command -v fio >/dev/null || need+=(fio)
command -v gocryptfs >/dev/null || need+=(gocryptfs)
command -v securefs >/dev/null || need+=(securefs)
command -v fusermount3 >/dev/null || need+=(fuse3)
[ -f /usr/share/doc/libfuse3-dev/examples/passthrough_ll.c ] || need+=(libfuse3-dev)
command -v gcc >/dev/null || need+=(gcc)
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v keyctl >/dev/null || need+=(keyutils)
if [ ${#need[@]} -gt 0 ]; then
	log "installing ${need[*]}"
	(apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${need[@]}") >"$WORK/apt.log" 2>&1 ||
		log "apt-get failed (see $WORK/apt.log); going on with what there is"
fi

# passthrough_ll from the libfuse3-dev examples, into the scratch dir
PT=$WORK/passthrough_ll
EX=/usr/share/doc/libfuse3-dev/examples
if [ -f "$EX/passthrough_ll.c" ]; then
	cp "$EX/passthrough_ll.c" "$EX"/passthrough_helpers.h "$WORK/" 2>/dev/null
	gcc -O2 -o "$PT" "$WORK/passthrough_ll.c" $(pkg-config fuse3 --cflags --libs) \
		>"$WORK/pt-build.log" 2>&1 || { log "passthrough_ll did not build:"; cat "$WORK/pt-build.log" >&2; }
fi

SMALLF=$BUILDDIR/bench/fuse/ecfs-bench-smallfiles
if [ ! -x "$SMALLF" ]; then
	SMALLF=$WORK/ecfs-bench-smallfiles
	: >"$WORK/config.h"
	gcc -O2 -I"$WORK" -o "$SMALLF" "$SRCDIR/bench/fuse/smallfiles.c" || exit 2
fi

# The tarball: /usr/include without node's copy of itself (about 70 MB).
TAR=$WORK/src.tar
tar -cf "$TAR" -C /usr --exclude=include/node include 2>/dev/null
TAR_MB=$(($(stat -c %s "$TAR") / 1048576))
TAR_FILES=$(tar -tf "$TAR" | grep -vc '/$')

# --- mounting each target ------------------------------------------------
# All targets are mounted at once, each over its own lower directory, so
# that every measurement can visit them in turn within seconds: this
# machine's disk is shared and its speed drifts by 2x and more from one
# minute to the next, which would otherwise decide the ratios.
OURS=$BUILDDIR/src/fuse/ecryptfs-fuse
BEFORE=${BASELINE:+$BASELINE/src/fuse/ecryptfs-fuse}
ADDPASS=$BUILDDIR/src/utils/keys/ecryptfs-add-passphrase

available() {
	case $1 in
	ours) [ -x "$OURS" ] && [ -x "$ADDPASS" ] ;;
	before) [ -n "$BEFORE" ] && [ -x "$BEFORE" ] && [ -x "$ADDPASS" ] ;;
	gocryptfs) command -v gocryptfs >/dev/null ;;
	securefs) command -v securefs >/dev/null ;;
	passthrough) [ -x "$PT" ] ;;
	plain) true ;;
	esac
}

declare -A DIR		# DIR[target] = the directory it is measured in
setup() {	# TARGET
	local t=$1 lower=$WORK/$1/lower mnt=$WORK/$1/mnt
	mkdir -p "$lower" "$mnt"
	DIR[$t]=$mnt
	[ "$t" = plain ] || MOUNTS+=("$mnt")
	case $t in
	ours|before)
		local pass out daemon=$OURS
		[ "$t" = before ] && daemon=$BEFORE
		if [ -z "$SIG" ]; then	# one key for both builds
			pass=$(head -c 24 /dev/urandom | base64)
			out=$(printf '%s' "$pass" | "$ADDPASS" -) || return 1
			SIG=$(sed -n 's/.*sig \[\([0-9a-f]*\)\].*/\1/p' <<<"$out")
		fi
		"$daemon" -o "ecryptfs_sig=$SIG,ecryptfs_cipher=aes,ecryptfs_key_bytes=$KEY_BYTES" \
			"$lower" "$mnt" || return 1
		;;
	gocryptfs)
		head -c 24 /dev/urandom | base64 >"$WORK/gocryptfs.pass"
		gocryptfs -q -init -passfile "$WORK/gocryptfs.pass" "$lower" &&
			gocryptfs -q -nosyslog -passfile "$WORK/gocryptfs.pass" "$lower" "$mnt" || return 1
		;;
	securefs)
		head -c 24 /dev/urandom | base64 >"$WORK/securefs.pass"
		securefs create --pbkdf pkcs5-pbkdf2-hmac-sha256 --pass "$(cat "$WORK/securefs.pass")" \
			"$lower" >/dev/null &&
			securefs mount -b --pass "$(cat "$WORK/securefs.pass")" "$lower" "$mnt" \
				>"$WORK/securefs.log" 2>&1 || return 1
		;;
	passthrough) "$PT" -o source="$lower" "$mnt" || return 1 ;;
	plain) DIR[$t]=$lower; return 0 ;;
	esac
	for _ in $(seq 50); do
		mountpoint -q "$mnt" && return 0
		sleep 0.1
	done
	return 1
}

# --- measurements --------------------------------------------------------
drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches; }
secs() { date +%s.%N; }
rate() { awk -v a="$1" -v b="$2" -v c="$3" 'BEGIN { printf "%.1f", a / (c - b) }'; }

fio_iops() {	# FILE MODE(randread|randwrite) SIZE_MB: prints IOPS
	fio --name=r --filename="$1" --rw="$2" --bs=4k --size="${3}M" --ioengine=psync \
		--runtime="$RAND_S" --time_based --end_fsync=1 --invalidate=1 \
		--output-format=json 2>"$WORK/fio.err" |
		python3 -c 'import json,sys; j=json.load(sys.stdin)["jobs"][0]; print("%.0f" % (j["read"]["iops"] + j["write"]["iops"]))'
}

declare -A R		# R[target,metric] = figures of the rounds, blank-separated
put() { R[$1,$2]+="$3 "; }
# The figure of a metric is the median of its draws (rounds, and cold
# reads within them): one lucky or disturbed draw moves it less than it
# moves a best or a mean.
median() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g |
	awk '{ v[NR] = $1 } END { if (NR) printf "%.1f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# cold_rate TARGET METRIC ENTRIES CMD...: CMD run after dropping caches (the
# kernel forgets the mount's inodes too), as ENTRIES per second.
cold_rate() {
	local t=$1 m=$2 n=$3 t0 t1
	shift 3
	drop_caches
	t0=$(secs)
	"$@" >/dev/null || return 1
	t1=$(secs)
	put "$t" "$m" "$(rate "$n" "$t0" "$t1")"
}

# One step of a round, for one target; a failure marks the target failed.
step() {	# STEP TARGET
	local t=$2 d=${DIR[$2]} t0 t1 out n
	case $1 in
	seqwrite)
		t0=$(secs)
		dd if=/dev/zero of="$d/big" bs=1M count="$SIZE_MB" conv=fsync status=none || return 1
		t1=$(secs)
		put "$t" seqwrite "$(rate "$SIZE_MB" "$t0" "$t1")"
		;;
	coldread)
		drop_caches
		t0=$(secs)
		dd if="$d/big" of=/dev/null bs=1M status=none || return 1
		t1=$(secs)
		put "$t" coldread "$(rate "$SIZE_MB" "$t0" "$t1")"
		;;
	reread)	# the file is cached by the cold read just before
		dd if="$d/big" of=/dev/null bs=1M status=none || return 1
		t0=$(secs); dd if="$d/big" of=/dev/null bs=1M status=none; t1=$(secs)
		put "$t" reread "$(rate "$SIZE_MB" "$t0" "$t1")"
		;;
	random)
		truncate -s "${RAND_MB}M" "$d/big" || return 1
		drop_caches
		out=$(fio_iops "$d/big" randread "$RAND_MB") && [ -n "$out" ] || return 1
		put "$t" randread "$out"
		out=$(fio_iops "$d/big" randwrite "$RAND_MB") && [ -n "$out" ] || return 1
		put "$t" randwrite "$out"
		rm -f "$d/big"
		;;
	small)
		mkdir -p "$d/small"
		out=$("$SMALLF" "$d/small" "$NFILES") || return 1
		for ph in create stat read delete; do
			put "$t" "small_$ph" "$(awk -v p="$ph" '$1 == p { print $2 }' <<<"$out")"
		done
		rm -rf "$d/small"
		;;
	untar)
		mkdir -p "$d/x"
		t0=$(secs)
		tar -xf "$TAR" -C "$d/x" && sync -f "$d/x" || return 1
		t1=$(secs)
		put "$t" untar "$(rate "$TAR_MB" "$t0" "$t1")"
		;;
	tarread)
		drop_caches
		t0=$(secs)
		tar -cf - -C "$d/x" . | cat >/dev/null
		t1=$(secs)
		put "$t" tarread "$(rate "$TAR_MB" "$t0" "$t1")"
		;;
	coldsmall)	# 50 directories of 100 files of 4 KiB, walked and read cold
		mkdir -p "$d/cs"
		for k in $(seq 50); do
			mkdir -p "$d/cs/d$k"
			for f in $(seq 100); do head -c 4096 /dev/zero >"$d/cs/d$k/f$f"; done
		done
		# 5,000 files, 50 directories and the top one
		cold_rate "$t" cold_stat 5051 find "$d/cs" -printf '%s %m %U %T@\n' || return 1
		cold_rate "$t" cold_small_read 5000 find "$d/cs" -type f -exec cat {} + || return 1
		rm -rf "$d/cs"
		;;
	walk)	# the extracted tree, cold: find -printf, then du -s
		n=$(find "$d/x" | wc -l)
		cold_rate "$t" walk_find "$n" find "$d/x" -printf '%s %m %U %T@\n' || return 1
		cold_rate "$t" walk_du "$n" du -s "$d/x" || return 1
		;;
	clean)
		rm -rf "$d/x"
		;;
	esac
}
log "$(uname -sr), $(nproc) CPUs: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)," \
	"AES-NI $(grep -qw aes /proc/cpuinfo && echo yes || echo no); load $(cut -d' ' -f1-3 /proc/loadavg)"
log "scratch $WORK; sequential ${SIZE_MB} MiB, random 4 KiB on ${RAND_MB} MiB for ${RAND_S} s," \
	"$NFILES small files, tarball $TAR_MB MiB ($TAR_FILES files); median of $ROUNDS rounds, $COLD_READS cold reads each"
log "ours: AES with a $KEY_BYTES-byte key; gocryptfs: its defaults (AES-256-GCM); passthrough_ll: its defaults"
declare -A FAILED
LIVE=()
for t in $TARGETS; do
	if ! available "$t"; then
		log "$t: unavailable"
	elif setup "$t"; then
		LIVE+=("$t")
	else
		log "$t: could not be mounted"
		FAILED[$t]=1
	fi
done
# The disk behind this machine serves a cold read at one of two speeds
# (about 1.2 or 2 GB/s here), seemingly at random: cold reads are repeated
# within each round so that their medians rest on COLD_READS x ROUNDS draws.
cold() { printf "$1 %.0s" $(seq "$COLD_READS"); }
STEPS="seqwrite $(cold coldread)reread random small coldsmall untar $(cold tarread)walk clean"
for ((round = 0; round < ROUNDS; round++)); do
	log "round $((round + 1)) of $ROUNDS"
	for s in $STEPS; do
		n=${#LIVE[@]}
		for ((i = 0; i < n; i++)); do
			t=${LIVE[$(((i + round) % n))]}
			[ -n "${FAILED[$t]:-}" ] && continue
			if ! step "$s" "$t"; then
				log "$t: $s failed"
				FAILED[$t]=1
			fi
		done
	done
done
for t in "${LIVE[@]}"; do [ -z "${FAILED[$t]:-}" ] && R[$t,ok]=1; done

# --- report ----------------------------------------------------------------
METRICS="seqwrite coldread reread randread randwrite small_create small_stat small_read small_delete cold_stat cold_small_read untar tarread walk_find walk_du"
declare -A LABEL=(
	[seqwrite]="seq write+fsync MB/s" [coldread]="cold read MB/s" [reread]="cached re-read MB/s"
	[randread]="random 4K read IOPS" [randwrite]="random 4K write IOPS"
	[small_create]="small files create/s" [small_stat]="small files stat/s"
	[small_read]="small files read/s" [small_delete]="small files delete/s"
	[cold_stat]="cold stat (find) files/s" [cold_small_read]="cold small read files/s"
	[untar]="untar MB/s" [tarread]="tar tree cold read MB/s"
	[walk_find]="tree cold find files/s" [walk_du]="tree cold du files/s"
)
fig() { [ -n "${R[$1,ok]:-}" ] && median "${R[$1,$2]:-}" || echo "n/a"; }
ratio() {	# A B -> A/B or n/a
	case "$1$2" in *n/a*|"") echo n/a; return ;; esac
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}
geq() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

printf '\n%-26s %10s %12s %10s %10s %10s %10s %9s %9s %9s %9s  %s\n' metric plain passthrough \
	gocryptfs securefs before ours ours/gocr ours/best ours/pass ours/bef targets
all_hold=1 judged=0
for m in $METRICS; do
	o=$(fig ours "$m") g=$(fig gocryptfs "$m") p=$(fig passthrough "$m") d=$(fig plain "$m")
	b=$(fig before "$m") sf=$(fig securefs "$m")
	best=$(printf '%s\n' "$g" "$sf" | grep -v n/a | sort -g | tail -1)
	rg=$(ratio "$o" "$g") rp=$(ratio "$o" "$p") rb=$(ratio "$o" "$b") rbest=$(ratio "$o" "$best")
	verdict=
	if [ "$o" = n/a ]; then
		verdict="ours unavailable"
	else
		if [ "$rg" != n/a ]; then
			judged=1
			if geq "$rg" 1; then verdict+="T1 holds; "; else verdict+="T1 MISSED; "; all_hold=0; fi
		fi
		if [[ $m == seqwrite || $m == coldread ]] && [ "$rp" != n/a ]; then
			if geq "$rp" 1; then verdict+="T2 holds; "; else verdict+="T2 MISSED; "; all_hold=0; fi
		fi
		if [ "$m" = reread ] && [ "$d" != n/a ]; then
			if geq "$(ratio "$o" "$d")" 0.5; then verdict+="T3 holds ($(ratio "$o" "$d")x plain)"
			else verdict+="T3 MISSED ($(ratio "$o" "$d")x plain)"; all_hold=0; fi
		fi
		if [[ $m == cold_stat || $m == walk_find || $m == walk_du ]] && [ "$rg" != n/a ] &&
			[ "$rp" != n/a ]; then
			if geq "$rg" 1.25 && geq "$rp" 0.8; then verdict+="T5 holds; "
			else verdict+="T5 MISSED; "; all_hold=0; fi
		fi
		if [ "$rb" != n/a ]; then
			verdict="${verdict%; }${verdict:+; }"
			if geq "$rb" "$NOISE"; then verdict+="T4 holds"
			else verdict+="T4 MISSED (slower than before)"; all_hold=0; fi
		fi
	fi
	printf '%-26s %10s %12s %10s %10s %10s %10s %9s %9s %9s %9s  %s\n' "${LABEL[$m]}" "$d" "$p" "$g" \
		"$sf" "$b" "$o" "$rg" "$rbest" "$rp" "$rb" "${verdict%; }"
done
echo
# Every draw behind the medians, so that their spread can be judged.
for m in $METRICS; do
	for t in "${LIVE[@]}"; do
		log "$(printf '%-24s %-12s' "${LABEL[$m]}" "$t") ${R[$t,$m]:-}"
	done
done
log "load at the end $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews the figures)"
if [ -z "${R[ours,ok]:-}" ]; then
	echo "ours: unavailable or failed (looked for $OURS); the other targets were measured"
elif [ "$all_hold" -eq 0 ]; then
	echo "some targets are missed (see MISSED above)"
elif [ "$judged" -eq 1 ] && [ -n "${R[passthrough,ok]:-}" ] && [ -n "${R[plain,ok]:-}" ]; then
	echo "all targets hold"
else
	echo "no target missed, but not all could be judged (a comparison target is missing)"
fi
