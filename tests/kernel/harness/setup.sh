#!/bin/bash
# setup.sh - fetch Debian's kernel + eCryptfs userspace and build a tiny initramfs
# for running the REAL Linux kernel eCryptfs inside qemu.  Part of the test
# suite's real-kernel harness (tests/kernel/harness: setup.sh, run.sh, guest.sh;
# tests/kernel/lib.sh is the glue the tests use).
#
# Idempotent: re-running only redoes what is missing (use --force to rebuild the
# initramfs, --refetch to re-download the .debs).
#
# Env:
#   KECFS_CACHE  cache dir (default /var/cache/ecryptfs-ng-kernel)
#   KECFS_KPKG   kernel package to use (default: whatever linux-image-amd64 depends on,
#                e.g. linux-image-6.1.0-56-amd64)
set -euo pipefail

CACHE=${KECFS_CACHE:-/var/cache/ecryptfs-ng-kernel}
FORCE=0; REFETCH=0
for a in "$@"; do
  case "$a" in
    --force) FORCE=1 ;;
    --refetch) REFETCH=1; FORCE=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown argument $a" >&2; exit 2 ;;
  esac
done

die() { echo "setup.sh: ERROR: $*" >&2; exit 1; }
log() { echo "setup.sh: $*" >&2; }

[ "$(id -u)" = 0 ] || die "must run as root (apt-get, mke2fs -d ownership)"

# ---------------------------------------------------------------- host tools
need_pkgs=()
command -v qemu-system-x86_64 >/dev/null || need_pkgs+=(qemu-system-x86)
command -v mke2fs  >/dev/null || need_pkgs+=(e2fsprogs)
command -v cpio    >/dev/null || need_pkgs+=(cpio)
command -v tar     >/dev/null || need_pkgs+=(tar)
command -v modprobe >/dev/null && command -v depmod >/dev/null || need_pkgs+=(kmod)
command -v getfattr >/dev/null && command -v setfattr >/dev/null || need_pkgs+=(attr)
command -v bash >/dev/null || need_pkgs+=(bash)
command -v dash >/dev/null || need_pkgs+=(dash)
[ -x /usr/bin/mount ] && [ -x /usr/bin/umount ] || need_pkgs+=(mount)
dpkg -s libnss3 >/dev/null 2>&1 || need_pkgs+=(libnss3)
dpkg -s libnspr4 >/dev/null 2>&1 || need_pkgs+=(libnspr4)
dpkg -s libsqlite3-0 >/dev/null 2>&1 || need_pkgs+=(libsqlite3-0)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing host packages: ${need_pkgs[*]}"
  apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need_pkgs[@]}" >&2
fi

# ---------------------------------------------------------------- .debs
mkdir -p "$CACHE/debs"
KPKG=${KECFS_KPKG:-}
if [ -z "$KPKG" ]; then
  if [ -f "$CACHE/kpkg" ] && [ $REFETCH = 0 ]; then
    KPKG=$(cat "$CACHE/kpkg")
  else
    KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
    [ -n "$KPKG" ] || { apt-get update -qq; KPKG=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}'); }
    [ -n "$KPKG" ] || die "cannot resolve linux-image-amd64 -> linux-image-X; set KECFS_KPKG"
  fi
fi
echo "$KPKG" > "$CACHE/kpkg"
DEB_PKGS=("$KPKG" busybox-static ecryptfs-utils libecryptfs1 keyutils libkeyutils1)

if [ $REFETCH = 1 ]; then rm -f "$CACHE"/debs/*.deb; rm -rf "$CACHE/root"; fi
missing=()
for p in "${DEB_PKGS[@]}"; do
  ls "$CACHE"/debs/"${p}"_*.deb >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "downloading: ${missing[*]}"
  ( cd "$CACHE/debs" && apt-get download "${missing[@]}" ) >&2 || {
    apt-get update -qq; ( cd "$CACHE/debs" && apt-get download "${missing[@]}" ) >&2; }
  rm -rf "$CACHE/root"
fi

if [ ! -d "$CACHE/root" ]; then
  log "unpacking .debs into $CACHE/root"
  mkdir -p "$CACHE/root.tmp"
  for d in "$CACHE"/debs/*.deb; do dpkg -x "$d" "$CACHE/root.tmp"; done
  mv "$CACHE/root.tmp" "$CACHE/root"
  FORCE=1
fi

R=$CACHE/root
KVER=$(ls "$R/lib/modules" | head -1)
[ -n "$KVER" ] && [ -f "$R/boot/vmlinuz-$KVER" ] || die "kernel not found in $R"
[ -f "$R/lib/modules/$KVER/modules.dep" ] || depmod -b "$R" "$KVER"
echo "$KVER" > "$CACHE/kver"
dpkg-deb -f "$CACHE"/debs/"${KPKG}"_*.deb Version > "$CACHE/kpkg-version"

INITRD=$CACHE/initramfs.cpio.gz
if [ -f "$INITRD" ] && [ $FORCE = 0 ]; then
  log "initramfs already built: $INITRD (kernel $KVER); use --force to rebuild"
  exit 0
fi

# ---------------------------------------------------------------- initramfs
IR=$CACHE/initramfs-root
rm -rf "$IR"
# merged-/usr layout like Debian 12: /bin, /sbin, /lib, /lib64 are symlinks into /usr
mkdir -p "$IR"/{dev,proc,sys,tmp,run,etc,root,in,out,mnt/work,mnt/upper,usr/bin,usr/sbin,usr/lib/x86_64-linux-gnu,usr/lib64,usr/local/bin,usr/local/sbin,usr/local/lib}
mkdir -p "$IR"/opt/ecryptfs-utils/{bin,libexec,lib}
for d in bin sbin lib lib64; do ln -s "usr/$d" "$IR/$d"; done
cp "$R/bin/busybox" "$IR/usr/bin/busybox"

# --- kernel modules (dependency order resolved with kmod against the unpacked tree)
# "req" modules must load; "opt" ones may fail (e.g. aesni without AES-NI in the guest CPU).
REQ_MODS="virtio_pci virtio_blk ext4 ecb sha512_generic ecryptfs"
OPT_MODS="aesni_intel sha512_ssse3 blowfish_generic cast5_generic cast6_generic des_generic twofish_generic serpent_generic camellia_generic"
: > "$IR/etc/kecfs-modules"
declare -A seen=()
add_mod() { # $1 module, $2 req|opt
  local line path rel
  while read -r line; do
    case "$line" in
      insmod\ *) path=${line#insmod }; path=${path%% *} ;;
      builtin\ *) continue ;;
      *) continue ;;
    esac
    rel=${path#"$R"/lib/modules/"$KVER"/}
    [ -n "${seen[$rel]:-}" ] && continue
    seen[$rel]=1
    mkdir -p "$IR/lib/modules/$KVER/$(dirname "$rel")"
    cp "$path" "$IR/lib/modules/$KVER/$rel"
    echo "$rel $2" >> "$IR/etc/kecfs-modules"
  done < <(modprobe -d "$R" -S "$KVER" --show-depends "$1" 2>/dev/null || { [ "$2" = opt ] || die "module $1 not found"; })
}
for m in $REQ_MODS; do add_mod "$m" req; done
for m in $OPT_MODS; do add_mod "$m" opt; done
# make sure ecryptfs is loaded last (after all crypto)
grep -v '/ecryptfs.ko ' "$IR/etc/kecfs-modules" > "$IR/etc/kecfs-modules.tmp"
grep '/ecryptfs.ko ' "$IR/etc/kecfs-modules" >> "$IR/etc/kecfs-modules.tmp"
mv "$IR/etc/kecfs-modules.tmp" "$IR/etc/kecfs-modules"

# --- dynamically linked userspace: Debian's ecryptfs-add-passphrase (+libecryptfs, NSS),
#     keyctl, getfattr/setfattr (for --xattr mode)
LIBPATH="$R/usr/lib/x86_64-linux-gnu:$R/lib/x86_64-linux-gnu"
copy_libs() { # copy shared libs of $1 into $IR
  local lib
  LD_LIBRARY_PATH=$LIBPATH ldd "$1" | awk '/=> \//{print $3} /^\t\/.*ld-linux/{print $1}' | while read -r lib; do
    local base; base=$(basename "$lib")
    if [[ "$base" == ld-linux* ]]; then
      [ -e "$IR/usr/lib64/$base" ] || cp -L "$lib" "$IR/usr/lib64/$base"
    else
      [ -e "$IR/usr/lib/x86_64-linux-gnu/$base" ] || cp -L "$lib" "$IR/usr/lib/x86_64-linux-gnu/$base"
    fi
  done
}
for b in "$R/bin/keyctl" /usr/bin/getfattr /usr/bin/setfattr /usr/bin/mount /usr/bin/umount /bin/bash /bin/dash; do
  cp "$b" "$IR/usr/bin/"
  copy_libs "$b"
done
# /bin/sh is dash, as on Debian. Scripts run by /bin/sh (or bash) look commands up in
# PATH; busybox's own shell would prefer its built-in applets (e.g. its mount) instead.
ln -s dash "$IR/usr/bin/sh"
# The reference ecryptfs-utils tools are kept OFF the default PATH and their
# libecryptfs.so.1 off the default library path, so that a program under test can
# never pick them up by accident (same soname as the project's library). They are
# reachable as /opt/ecryptfs-utils/bin/NAME (small wrappers that set the library path).
for b in ecryptfs-add-passphrase ecryptfs-stat ecryptfs-wrap-passphrase ecryptfs-unwrap-passphrase ecryptfs-insert-wrapped-passphrase-into-keyring ecryptfs-rewrap-passphrase; do
  [ -e "$R/usr/bin/$b" ] || continue
  cp "$R/usr/bin/$b" "$IR/opt/ecryptfs-utils/libexec/"
  copy_libs "$R/usr/bin/$b"
  printf '#!/bin/sh\nLD_LIBRARY_PATH=/opt/ecryptfs-utils/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} exec /opt/ecryptfs-utils/libexec/%s "$@"\n' "$b" > "$IR/opt/ecryptfs-utils/bin/$b"
  chmod 755 "$IR/opt/ecryptfs-utils/bin/$b"
done
for l in "$IR"/usr/lib/x86_64-linux-gnu/libecryptfs.so*; do
  [ -e "$l" ] && mv "$l" "$IR/opt/ecryptfs-utils/lib/"
done
# GNU tar (busybox tar has no -T/-X): used to copy an explicit file list out of the mount
cp /usr/bin/tar "$IR/usr/bin/gtar"; copy_libs /usr/bin/tar
# NSS loads its soft token / freebl with dlopen(); copy them (and their deps) too.
for l in libsoftokn3.so libfreebl3.so libfreeblpriv3.so libnssdbm3.so; do
  src=/usr/lib/x86_64-linux-gnu/$l
  [ -e "$src" ] || continue
  cp -L "$src" "$IR/usr/lib/x86_64-linux-gnu/"
  [ -e "${src%.so}.chk" ] && cp -L "${src%.so}.chk" "$IR/usr/lib/x86_64-linux-gnu/"
  copy_libs "$src"
done
# reference key modules: kept for inspection only, outside the compiled-in module dir
[ -d "$R/usr/lib/x86_64-linux-gnu/ecryptfs" ] && cp -a "$R/usr/lib/x86_64-linux-gnu/ecryptfs" "$IR/opt/ecryptfs-utils/lib/key-modules"

echo "root:x:0:0:root:/root:/bin/sh" > "$IR/etc/passwd"
echo "nobody:x:65534:65534:nobody:/nonexistent:/bin/sh" >> "$IR/etc/passwd"
echo "root:x:0:" > "$IR/etc/group"
echo "nogroup:x:65534:" >> "$IR/etc/group"
ln -s /proc/mounts "$IR/etc/mtab"   # libecryptfs locates sysfs through /etc/mtab
echo "$KVER" > "$IR/etc/kecfs-kver"

# --- /init: minimal bootstrap; the real job script (guest.sh) is shipped on the work disk
cat > "$IR/init" <<'EOF'
#!/bin/busybox sh
# busybox applets become symlinks in /usr/bin; real tools already there (GNU tar as
# gtar, util-linux mount/umount, dash as sh, bash, keyctl, getfattr/setfattr) are kept.
/bin/busybox --install -s /bin
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu
export HOME=/root
busybox mount -t proc proc /proc
busybox mount -t sysfs sysfs /sys
busybox mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
busybox mount -t devpts devpts /dev/pts 2>/dev/null
busybox mount -t tmpfs tmpfs /dev/shm 2>/dev/null
KVER=$(cat /etc/kecfs-kver)
echo "KECFS: guest kernel $(uname -r) up after $(cut -d' ' -f1 /proc/uptime)s"
bad=0
while read -r m kind; do
  if ! insmod "/lib/modules/$KVER/$m" 2>/tmp/insmod.err; then
    if [ "$kind" = req ] && ! grep -q 'File exists' /tmp/insmod.err; then
      echo "KECFS-FAIL: insmod $m: $(cat /tmp/insmod.err)"; bad=1
    fi
  fi
done < /etc/kecfs-modules
# the eCryptfs pieces a userspace suite expects: filesystem type, sysfs version, misc device
if [ $bad = 0 ]; then
  grep -qw ecryptfs /proc/filesystems || { echo "KECFS-FAIL: ecryptfs missing from /proc/filesystems"; bad=1; }
  [ -r /sys/fs/ecryptfs/version ] || { echo "KECFS-FAIL: /sys/fs/ecryptfs/version missing"; bad=1; }
  j=0; while [ ! -c /dev/ecryptfs ] && [ $j -lt 20 ]; do j=$((j+1)); sleep 0.1; done
  [ -c /dev/ecryptfs ] || echo "KECFS: warning: /dev/ecryptfs (misc device) did not appear"
  echo "KECFS: ecryptfs ready: /sys/fs/ecryptfs/version=$(cat /sys/fs/ecryptfs/version 2>/dev/null) /dev/ecryptfs=$([ -c /dev/ecryptfs ] && echo yes || echo no)"
fi
i=0
while [ ! -b /dev/vda ] || [ ! -b /dev/vdb ]; do
  i=$((i+1)); [ $i -gt 100 ] && { echo "KECFS-FAIL: /dev/vda or /dev/vdb did not appear"; bad=1; break; }
  sleep 0.1
done
rc=1
if [ $bad = 0 ]; then
  if busybox mount -t ext4 /dev/vda /mnt/work; then
    if [ -f /mnt/work/job/guest.sh ]; then
      busybox sh /mnt/work/job/guest.sh; rc=$?
    else
      echo "KECFS-FAIL: no /mnt/work/job/guest.sh"
    fi
    cd /
    busybox umount /mnt/upper 2>/dev/null
    busybox umount /in /out 2>/dev/null
    busybox umount /mnt/work || echo "KECFS: warning: umount /mnt/work failed (a mount or process left by the job?)"
  else
    echo "KECFS-FAIL: cannot mount /dev/vda (ext4)"
  fi
fi
sync
echo "KECFS-GUEST-EXIT $rc (uptime $(cut -d' ' -f1 /proc/uptime)s)"
poweroff -f
EOF
chmod 755 "$IR/init"

log "packing initramfs"
( cd "$IR" && find . -print0 | cpio --null -o -H newc --quiet ) | gzip -1 > "$INITRD.tmp"
mv "$INITRD.tmp" "$INITRD"
log "done: kernel $R/boot/vmlinuz-$KVER ($KPKG $(cat "$CACHE/kpkg-version")), initramfs $INITRD ($(du -h "$INITRD" | cut -f1))"
