#!/bin/bash
# run.sh - run the real Debian kernel eCryptfs in qemu (tests/kernel/harness;
# setup.sh fills the cache first, guest.sh is the job inside the VM)
#
#   run.sh write --passphrase P [opts] --in PLAINDIR --out LOWERDIR
#       encrypt PLAINDIR through a kernel eCryptfs mount; LOWERDIR receives the
#       lower (ciphertext) files exactly as the kernel wrote them
#   run.sh read  --passphrase P [opts] --lower LOWERDIR --out PLAINDIR
#       mount kernel eCryptfs over LOWERDIR (produced elsewhere) and copy the
#       decrypted tree to PLAINDIR; per-file read errors (EIO) are reported
#   run.sh exec  --script GUEST_SCRIPT [--bin PATH]... [--root DIR]... [--in DIR]
#                [--out DIR] [--env NAME=VALUE]... [--out-mb N] [--console] [common opts]
#       run GUEST_SCRIPT as root inside the VM, next to the kernel eCryptfs:
#       --bin PATH   a directory (all of it) or one file, copied to the SAME absolute
#                    path in the guest; every ELF in it gets its shared libraries
#                    (resolved with ldd on the host, copied at their host paths)
#       --root DIR   like --bin, but DIR is laid over the guest's / (a
#                    `make install DESTDIR=DIR` tree lands at its configured prefix)
#       PATH / LD_LIBRARY_PATH start with every directory holding an executable /
#       a shared library from --bin/--root. /in = a copy of --in, /out starts empty
#       and comes back to --out. The script's stdout/stderr are replayed on run.sh's
#       stdout/stderr; run.sh exits with the script's exit status.
#
# opts:
#   --passphrase-file F     read the passphrase from F (trailing newline stripped)
#   --cipher NAME           ecryptfs_cipher (default aes)
#   --key-bytes N           ecryptfs_key_bytes (default 16)
#   --fnek                  filename encryption, FNEK = separate key derived from the
#                           same passphrase with the FNEK salt (ecryptfs-add-passphrase
#                           --fnek; what ecryptfs-setup-private does)
#   --fnek-same-key         filename encryption with ecryptfs_fnek_sig = ecryptfs_sig
#                           (mount.ecryptfs's default answer)
#   --xattr                 ecryptfs_xattr_metadata (header in user.ecryptfs xattr)
#   --xattr-dump FILE       write: also save the lower xattrs (getfattr --dump format) to FILE
#                           read:  apply FILE (setfattr --restore) to the lower tree in the VM
#   --passthrough           ecryptfs_passthrough (default: off, i.e. passthrough=n)
#   --no-verify             write: skip the in-guest remount+re-read check
#   --accel auto|tcg|kvm    (default auto: kvm only if the CPU advertises vmx/svm)
#   --mem MB                guest RAM (default 1024)
#   --timeout S             kill the VM after S seconds (default 1800)
#   --keep                  keep the scratch dir (disk images, console log)
#   --quiet                 do not echo the guest console (it is still saved)
#   --in DIR                exec: /in in the guest is a writable copy of DIR (optional)
#   --out DIR               exec: what the script leaves in /out comes back to DIR (optional)
#   --env NAME=VALUE        exec: export a one-line variable to the script (repeatable)
#   --out-mb N              exec: room for /out in MB (default 1024; sparse images)
#   --console               exec: echo the guest console live to stderr (default off)
# exit (write/read): 0 ok, 1 harness/VM/mount failure, 2 usage,
#                    3 read finished but some entries had errors
# exit (exec): the script's exit status; 2 usage; 124 VM timed out;
#              125 harness/VM failure (the script did not run to completion)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${KECFS_CACHE:-/var/cache/ecryptfs-ng-kernel}

FAIL_RC=1   # exec mode uses 125, so that 1 stays free for the script's own status
die() { echo "run.sh: ERROR: $*" >&2; exit $FAIL_RC; }
usage() { sed -n '2,/^set -uo/p' "$0" | sed '$d' >&2; exit 2; }
log() { echo "run.sh: $*" >&2; }

MODE=${1:-}; shift || true
case "$MODE" in write|read|exec) ;; -h|--help|"") usage ;; *) echo "run.sh: unknown mode '$MODE'" >&2; usage ;; esac

PASS= ; PASS_SET=0; CIPHER=aes; KEY_BYTES=16; FNEK=none; XATTR=0; XDUMP=; PASSTHROUGH=0
IN=; OUT=; LOWER=; ACCEL=auto; MEM=1024; TIMEOUT=1800; KEEP=0; QUIET=0; VERIFY=1
SCRIPT=; BINS=(); ROOTS=(); ENVS=(); OUT_MB_X=1024; CONSOLE=0
[ "$MODE" = exec ] && FAIL_RC=125
while [ $# -gt 0 ]; do
  case "$1" in
    --passphrase) PASS=$2; PASS_SET=1; shift 2 ;;
    --passphrase-file) PASS=$(cat "$2") || die "cannot read $2"; PASS_SET=1; shift 2 ;;
    --cipher) CIPHER=$2; shift 2 ;;
    --key-bytes) KEY_BYTES=$2; shift 2 ;;
    --fnek) FNEK=separate; shift ;;
    --fnek-same-key) FNEK=same; shift ;;
    --xattr) XATTR=1; shift ;;
    --xattr-dump) XDUMP=$2; shift 2 ;;
    --passthrough) PASSTHROUGH=1; shift ;;
    --no-verify) VERIFY=0; shift ;;
    --in) IN=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --lower) LOWER=$2; shift 2 ;;
    --accel) ACCEL=$2; shift 2 ;;
    --mem) MEM=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --quiet) QUIET=1; shift ;;
    --script) SCRIPT=$2; shift 2 ;;
    --bin) BINS+=("$2"); shift 2 ;;
    --root) ROOTS+=("$2"); shift 2 ;;
    --env) ENVS+=("$2"); shift 2 ;;
    --out-mb) OUT_MB_X=$2; shift 2 ;;
    --console) CONSOLE=1; shift ;;
    -h|--help) usage ;;
    *) echo "run.sh: unknown option $1" >&2; usage ;;
  esac
done

if [ "$MODE" = exec ]; then
  [ -n "$SCRIPT" ] || { echo "run.sh: exec needs --script GUEST_SCRIPT" >&2; usage; }
  [ -f "$SCRIPT" ] && [ -r "$SCRIPT" ] || { echo "run.sh: --script $SCRIPT: not a readable file" >&2; exit 2; }
  for b in ${BINS[@]+"${BINS[@]}"}; do [ -e "$b" ] || { echo "run.sh: --bin $b: no such file or directory" >&2; exit 2; }; done
  for r in ${ROOTS[@]+"${ROOTS[@]}"}; do [ -d "$r" ] || { echo "run.sh: --root $r: not a directory" >&2; exit 2; }; done
  for e in ${ENVS[@]+"${ENVS[@]}"}; do
    [[ "$e" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] && [[ "$e" != *$'\n'* ]] || { echo "run.sh: --env $e: want NAME=VALUE (one line)" >&2; exit 2; }
  done
  [ -z "$IN" ] || [ -d "$IN" ] || { echo "run.sh: --in $IN: not a directory" >&2; exit 2; }
  [[ "$OUT_MB_X" =~ ^[0-9]+$ ]] || { echo "run.sh: --out-mb must be a number" >&2; exit 2; }
else
[ $PASS_SET = 1 ] || { echo "run.sh: --passphrase or --passphrase-file is required" >&2; usage; }
[ -n "$PASS" ] || die "empty passphrase"
[ ${#PASS} -le 64 ] || die "passphrase longer than 64 bytes (ECRYPTFS_MAX_PASSPHRASE_BYTES)"
[[ "$KEY_BYTES" =~ ^[0-9]+$ ]] || die "--key-bytes must be a number"
[[ "$CIPHER" =~ ^[a-z0-9_]+$ ]] || die "bad --cipher"
[ -n "$OUT" ] || { echo "run.sh: --out is required" >&2; usage; }
fi
if [ "$MODE" = exec ]; then
  :
elif [ "$MODE" = write ]; then
  [ -n "$IN" ] && [ -d "$IN" ] || die "--in PLAINDIR must be an existing directory"
  SRC=$IN
else
  [ -n "$LOWER" ] && [ -d "$LOWER" ] || die "--lower LOWERDIR must be an existing directory"
  SRC=$LOWER
  [ -z "$XDUMP" ] || [ -f "$XDUMP" ] || die "--xattr-dump $XDUMP: no such file"
fi
if [ -n "$OUT" ] && [ -e "$OUT" ]; then
  [ -d "$OUT" ] && [ -z "$(ls -A "$OUT")" ] || die "--out $OUT exists and is not an empty directory"
fi
[ "$(id -u)" = 0 ] || die "must run as root (mke2fs -d must preserve ownership; tar extraction)"

KVER=$(cat "$CACHE/kver" 2>/dev/null) || die "not set up: run $HERE/setup.sh first"
KERNEL=$CACHE/root/boot/vmlinuz-$KVER
INITRD=$CACHE/initramfs.cpio.gz
[ -f "$KERNEL" ] && [ -f "$INITRD" ] || die "kernel/initramfs missing in $CACHE: run $HERE/setup.sh"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: run $HERE/setup.sh"

# ---------------------------------------------------------------- exec staging
# Lays out $S/sysroot exactly as the guest's / will see it, writes job/{script,path,ldpath,env}.
is_elf() { [ "$(head -c 4 "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]; }
is_solib() { case "${1##*/}" in *.so|*.so.*) return 0 ;; esac; return 1; }
stage_exec() {
  local SYS=$S/sysroot p abs f g d libdirs="" bindirs="" hostlibs="" lib
  mkdir -p "$SYS"
  for p in ${BINS[@]+"${BINS[@]}"}; do
    if [ -d "$p" ]; then
      abs=$(cd "$p" && pwd)
      mkdir -p "$SYS$abs" && cp -a "$p/." "$SYS$abs/" || return 1
    else
      abs=$(cd "$(dirname "$p")" && pwd)/$(basename "$p")
      mkdir -p "$SYS$(dirname "$abs")" && cp -L --preserve=mode,timestamps "$p" "$SYS$abs" || return 1
    fi
  done
  for p in ${ROOTS[@]+"${ROOTS[@]}"}; do
    cp -a "$p/." "$SYS/" || return 1
  done
  # search paths: every directory (guest path) holding an executable / a shared library
  while IFS= read -r -d '' f; do
    g=${f#"$SYS"}; d=$(dirname "$g")
    if is_solib "$f"; then
      case ":$libdirs:" in *":$d:"*) ;; *) libdirs=${libdirs:+$libdirs:}$d ;; esac
    elif [ -x "$f" ]; then
      case "$d" in */.libs|*/_libs) continue ;; esac   # libtool's real binaries: use the wrappers
      case ":$bindirs:" in *":$d:"*) ;; *) bindirs=${bindirs:+$bindirs:}$d ;; esac
    fi
  done < <(find "$SYS" \( -type f -o -type l \) -print0 | sort -z)
  printf '%s' "$bindirs" > "$S/job/path"
  printf '%s' "$libdirs" > "$S/job/ldpath"
  # shared libraries needed by every ELF file, resolved on the host (the staged libraries
  # first, via the staged library dirs) and copied to the same path in the guest
  local hostld; hostld=$(echo "$libdirs" | tr ':' '\n' | sed "/^$/d; s|^|$SYS|" | paste -sd:)
  local nf=0 nl=0
  while IFS= read -r -d '' f; do
    is_elf "$f" || continue
    nf=$((nf+1))
    while IFS= read -r line; do
      case "$line" in
        *"=> not found"*) log "WARNING: ${f#"$SYS"}: ${line%% *} not found on the host (ldd); the guest may lack it" ;;
        *"=> /"*) lib=${line#*=> }; lib=${lib%% (*} ;;
        /*) lib=${line%% (*} ;;
        *) continue ;;
      esac
      case "$line" in *"=> not found"*) continue ;; esac
      case "$lib" in "$SYS"/*) continue ;; esac
      [ -e "$SYS$lib" ] && continue
      mkdir -p "$SYS$(dirname "$lib")" && cp -L "$lib" "$SYS$lib" || return 1
      nl=$((nl+1))
    done < <(LD_LIBRARY_PATH=$hostld ldd "$f" 2>/dev/null | sed 's/^[[:space:]]*//')
  done < <(find "$SYS" -type f -print0)
  # glibc dlopen()s libgcc_s.so.1 to unwind a cancelled thread (libfuse cancels
  # its workers at unmount); ldd never lists it, so a staged program that links
  # libc gets it too, or the guest aborts it at the first pthread_cancel.
  if [ $nf -gt 0 ]; then
    lib=$(ldconfig -p | sed -n 's/^[[:space:]]*libgcc_s\.so\.1 (libc6,x86-64) => //p' | head -1)
    if [ -n "$lib" ] && [ ! -e "$SYS$lib" ]; then
      mkdir -p "$SYS$(dirname "$lib")" && cp -L "$lib" "$SYS$lib" || return 1
      nl=$((nl+1))
    fi
  fi
  cp "$SCRIPT" "$S/job/script"
  : > "$S/job/env"
  for e in ${ENVS[@]+"${ENVS[@]}"}; do printf '%s\n' "$e" >> "$S/job/env"; done
  mkdir -p "$S/in" "$S/out"
  if [ -n "$IN" ]; then cp -a "$IN/." "$S/in/" || return 1; fi
  [ $QUIET = 1 ] || log "exec: staged $nf ELF files, $nl host libraries; guest PATH+=${bindirs:-none} LD_LIBRARY_PATH+=${libdirs:-none}"
}

T0=$(date +%s.%N)
T=$(mktemp -d /tmp/kecfs.XXXXXX)
cleanup() { if [ $KEEP = 1 ]; then log "scratch kept in $T"; else rm -rf "$T"; fi; }
trap cleanup EXIT

# ---------------------------------------------------------------- work disk
S=$T/stage
mkdir -p "$S/job"
cp "$HERE/guest.sh" "$S/job/guest.sh"
[ "$MODE" = exec ] || printf '%s' "$PASS" > "$S/job/passphrase"
cat > "$S/job/config" <<EOF
MODE=$MODE
CIPHER=$CIPHER
KEY_BYTES=$KEY_BYTES
FNEK=$FNEK
XATTR=$XATTR
PASSTHROUGH=$PASSTHROUGH
VERIFY=$VERIFY
EOF
if [ "$MODE" = exec ]; then
  stage_exec || die "staging the programs failed"
  SRC=$S
elif [ "$MODE" = write ]; then
  cp -a "$SRC/." "$S/in/" 2>/dev/null || { mkdir -p "$S/in" && cp -a "$SRC/." "$S/in/"; } || die "cannot copy $SRC"
else
  mkdir -p "$S/lower"
  cp -a "$SRC/." "$S/lower/" || die "cannot copy $SRC"
  [ -n "$XDUMP" ] && cp "$XDUMP" "$S/job/xattrs.dump"
fi
BYTES=$(du -sb "$SRC" | cut -f1)
NENT=$(find "$SRC" | wc -l)
WORK_MB=$(( (3*BYTES + NENT*16384) / 1048576 + 96 ))
OUT_MB=$(( (2*BYTES + NENT*16384) / 1048576 + 32 ))
if [ "$MODE" = exec ]; then   # /out lives on the work disk; both images are sparse
  WORK_MB=$(( (BYTES + NENT*16384) / 1048576 + OUT_MB_X + 96 ))
  OUT_MB=$(( OUT_MB_X + 64 ))
fi
mke2fs -q -F -t ext4 -b 4096 -L kecfs-work -d "$S" "$T/work.img" "${WORK_MB}M" >"$T/mke2fs.log" 2>&1 \
  || die "mke2fs -d failed: $(cat "$T/mke2fs.log")"
truncate -s "${OUT_MB}M" "$T/out.img"
rm -rf "$S"

# ---------------------------------------------------------------- boot
if [ "$ACCEL" = auto ]; then
  if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then ACCEL=kvm; else ACCEL=tcg; fi
fi
# A /dev/kvm without vmx/svm in the CPU flags (nested hosts) makes qemu hang or
# abort instead of failing: refuse it here, before anything boots.
if [ "$ACCEL" = kvm ] && ! { [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; }; then
  die "--accel kvm: KVM is not usable here (no writable /dev/kvm or no vmx/svm CPU flag); use --accel auto or tcg"
fi
case "$ACCEL" in
  kvm) ACCEL_ARGS=(-accel kvm -cpu host) ;;
  tcg) ACCEL_ARGS=(-accel tcg -cpu max) ;;
  *) die "--accel must be auto, tcg or kvm" ;;
esac
QEMU=(qemu-system-x86_64 "${ACCEL_ARGS[@]}" -smp 2 -m "$MEM" -no-user-config -nodefaults
      -display none -serial stdio -monitor none -no-reboot -net none
      -kernel "$KERNEL" -initrd "$INITRD"
      -append "console=ttyS0 loglevel=4 panic=-1 rdinit=/init"
      -drive "file=$T/work.img,format=raw,if=virtio,cache=unsafe"
      -drive "file=$T/out.img,format=raw,if=virtio,cache=unsafe")
T1=$(date +%s.%N)
log "booting $KVER under $ACCEL (work disk ${WORK_MB}M, out disk ${OUT_MB}M, input $BYTES bytes / $NENT entries)"
if [ $QUIET = 1 ] || { [ "$MODE" = exec ] && [ $CONSOLE = 0 ]; }; then
  timeout -k 5 "$TIMEOUT" "${QEMU[@]}" < /dev/null > "$T/console.log" 2>&1
else
  timeout -k 5 "$TIMEOUT" "${QEMU[@]}" < /dev/null 2>&1 | tee "$T/console.log" >&2
fi
QRC=$?
T2=$(date +%s.%N)
VM_S=$(awk -v a="$T1" -v b="$T2" 'BEGIN{printf "%.1f", b-a}')
if [ $QRC = 124 ]; then
  KEEP=1
  echo "run.sh: ERROR: VM timed out after ${TIMEOUT}s (console: $T/console.log). Console tail:" >&2
  tail -n 25 "$T/console.log" >&2
  exit 124
fi
GEXIT=$(sed -n 's/.*KECFS-GUEST-EXIT \([0-9]*\).*/\1/p' "$T/console.log" | tr -d '\r' | tail -1)
if [ -z "$GEXIT" ]; then
  KEEP=1; die "VM did not finish the job (qemu rc=$QRC). Console tail:
$(tail -n 25 "$T/console.log")"
fi

# ---------------------------------------------------------------- results
X=$T/x; mkdir -p "$X"
tar -xf "$T/out.img" -C "$X" meta 2>"$T/untar.err" || { KEEP=1; die "cannot read results from out disk: $(cat "$T/untar.err")"; }
STATUS=$(head -1 "$X/meta/status" 2>/dev/null)
if grep -q '^FAIL' "$X/meta/status" 2>/dev/null || [ "$GEXIT" = 1 ]; then
  KEEP=1
  die "guest reported failure (exit $GEXIT): $(grep -h KECFS-FAIL "$T/console.log" | tr -d '\r' | head -5)"
fi
if [ "$MODE" = exec ]; then
  SRC_RC=$(cat "$X/meta/exit" 2>/dev/null)
  [[ "$SRC_RC" =~ ^[0-9]+$ ]] || { KEEP=1; die "no exit status from the job script (console: $T/console.log)"; }
  if [ -n "$OUT" ]; then
    mkdir -p "$OUT"
    tar -xpf "$T/out.img" -C "$OUT" --strip-components=1 out 2>"$T/untar-out.err" \
      || { KEEP=1; die "extracting /out failed: $(head -3 "$T/untar-out.err")"; }
  fi
  cat "$X/meta/stdout" 2>/dev/null
  [ $CONSOLE = 1 ] || cat "$X/meta/stderr" >&2 2>/dev/null
  TOT=$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
  [ $QUIET = 1 ] || log "script exit status $SRC_RC; /out -> ${OUT:-(discarded)}; timing: total ${TOT}s, VM ${VM_S}s ($ACCEL)"
  exit "$SRC_RC"
fi
SIGS=$(tr '\n' ' ' < "$X/meta/sigs" 2>/dev/null)
mkdir -p "$OUT"
if [ "$MODE" = write ]; then
  tar -xpf "$T/out.img" -C "$OUT" --strip-components=1 lower || die "extracting lower tree failed"
  if [ "$XATTR" = 1 ]; then
    [ -n "$XDUMP" ] && cp "$X/meta/xattrs.dump" "$XDUMP"
    ( cd "$OUT" && setfattr -h --restore="$X/meta/xattrs.dump" ) 2>"$T/setfattr.err" \
      || log "WARNING: could not set user.ecryptfs xattrs on $OUT ($(head -1 "$T/setfattr.err")); use --xattr-dump FILE"
  fi
  log "lower tree written by kernel eCryptfs -> $OUT ($(find "$OUT" | wc -l) entries)"
else
  tar -xpf "$T/out.img" -C "$OUT" --strip-components=1 plain || die "extracting plaintext tree failed"
  log "decrypted tree -> $OUT; $(cat "$X/meta/counts" 2>/dev/null)"
fi
log "options: $(cat "$X/meta/mount-options")  ($SIGS)"
TOT=$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
log "timing: total ${TOT}s, VM ${VM_S}s ($ACCEL); $(grep -o 'KECFS-GUEST-EXIT.*' "$T/console.log" | tr -d '\r')"
if [ "$STATUS" != OK ]; then
  log "guest status: $STATUS; per-entry errors:"
  sed 's/^/  /' "$X/meta/errors.txt" >&2
  grep -i ecryptfs "$X/meta/dmesg.txt" | tail -20 | sed 's/^/  dmesg: /' >&2
  [ "$MODE" = read ] && exit 3
  exit 1
fi
log "OK"
exit 0
