#!/bin/bash
# Trees written through OUR FUSE daemon (ecryptfs-fuse) are read by the real
# kernel eCryptfs (Debian's 6.1 in qemu) exactly: names, contents, symlink
# targets, hard links, for four option sets: AES-128 plain names, AES-256
# with the setup-private filename key (ecryptfs-add-passphrase --fnek),
# AES-192 with the filename key = the file key, AES-128 with the header in
# the user.ecryptfs xattr.  And the reverse in the same VM boot: the kernel
# writes a tree with keys from our ecryptfs-add-passphrase, our daemon (in
# the guest) reads it and modifies it (append, truncate down and up,
# overwrites in the middle, O_TRUNC, create, link, rename, unlink; then
# ecfs-fsx's random operations, mmap stores included, on a new file), and
# the kernel reads the result back exactly.  One VM boot for everything.
#   XCHECK_FSX_OPS=N   ecfs-fsx operations per option set (default 300)
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/kernel/lib.sh"

EFS=$BUILDDIR/src/fuse/ecryptfs-fuse
ADDP=$BUILDDIR/src/utils/keys/ecryptfs-add-passphrase
W=$K_WORK/t
X=$K_IN/xcheck
mkdir -p "$W" "$X"

# Everything this test mounts, starts or adds goes again on exit.
_xc_mnts=() _xc_pids=() _xc_sigs=()
_xc_cleanup() {
	local m p s k
	for m in "${_xc_mnts[@]}"; do
		mountpoint -q "$m" 2>/dev/null && { umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; }
	done
	for p in "${_xc_pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	for s in "${_xc_sigs[@]}"; do
		k=$(keyctl search @u user "$s" 2>/dev/null) && keyctl unlink "$k" @u >/dev/null 2>&1
	done
	_k_cleanup
}
trap _xc_cleanup EXIT
trap 'exit 130' INT TERM

k_require
diag "t=${SECONDS}s: harness ready"
[ -x "$EFS" ] && [ -x "$ADDP" ] || _k_bail "$EFS or $ADDP missing (build first)"
KVER=$(cat "${KECFS_CACHE:-/var/cache/ecryptfs-ng-kernel}/kver")
FUSEKO=$(find "${KECFS_CACHE:-/var/cache/ecryptfs-ng-kernel}/root/lib/modules/$KVER" -name 'fuse.ko*' | head -1)
[ -n "$FUSEKO" ] || _k_bail "no fuse.ko for $KVER in the harness cache (setup.sh --refetch?)"
case $FUSEKO in *.ko) ;; *) _k_bail "$FUSEKO is compressed; busybox insmod needs a plain .ko" ;; esac

# ---- the plaintext tree: every size around the extent boundaries, every
# name length from 1 to 143 bytes (143 is the limit with filename
# encryption), UTF-8 names of 2-, 3- and 4-byte characters, nesting, empty
# directories, symlinks (one dangling), hard links.
P=$W/plain
mkdir -p "$P/sub/deeper/deepest" "$P/empty-dir" "$P/sub/empty-too" "$P/names"
for n in 0 1 4095 4096 4097 8193; do head -c "$n" /dev/urandom >"$P/size-$n"; done
head -c $((1048576 + 5)) /dev/urandom >"$P/sub/deeper/big-1MiB+5"
for n in $(seq 143); do
	name=$(printf 'n%.0s' $(seq "$n"))
	echo "name of $n bytes" >"$P/names/$name"
done
u2=$(printf '\xc3\xa9%.0s' $(seq 71))x               # 71 x "é" + "x"
u3=$(printf '\xe5\x90\x8d%.0s' $(seq 47))ab          # 47 x "名" + "ab"
u4=$(printf '\xf0\x9f\x94\x90%.0s' $(seq 35))xyz     # 35 x "🔐" + "xyz"
echo utf8-2 >"$P/sub/deeper/$u2"
echo utf8-3 >"$P/sub/$u3"
echo utf8-4 >"$P/$u4"
echo spaces >"$P/name with spaces and ünïcødé 名前.txt"
echo deep >"$P/sub/deeper/deepest/leaf"
ln -s sub/deeper/big-1MiB+5 "$P/link-relative"
ln -s /nonexistent/dangling/target "$P/sub/link-dangling"
ln -s "$u3" "$P/sub/link-to-utf8"
ln "$P/size-4097" "$P/sub/hardlink-to-size-4097"
ln "$P/size-0" "$P/sub/deeper/hardlink-to-size-0"
is "$(printf %s "$u2" | wc -c) $(printf %s "$u3" | wc -c) $(printf %s "$u4" | wc -c)" "143 143 143" \
	"the UTF-8 names are 143 bytes"

# ---- the reverse tree, written by the kernel in the VM (see guest/xcheck-mods.sh).
R=$X/rplain
mkdir -p "$R/dir/sub" "$R/empty"
for n in 0 1 4095 4096 4097 8193; do head -c "$n" /dev/urandom >"$R/f-$n"; done
head -c $((1048576 + 5)) /dev/urandom >"$R/big"
ln "$R/f-4097" "$R/dir/hard-4097"
echo "to be unlinked" >"$R/dir/gone"
head -c 777 /dev/urandom >"$R/nested-move-me"
echo utf8 >"$R/dir/sub/$u2"
ln -s "../dir/sub/$u2" "$R/dir/link-utf8"
head -c 65536 /dev/urandom >"$X/rand"
cp "$SRCDIR/tests/kernel/guest/xcheck-mods.sh" "$X/"
cp "$FUSEKO" "$X/fuse.ko"

# Four option sets: name|key bytes|filename key|xattr metadata.
cases=(
	"aes128-plain|16|none|0"
	"aes256-fnek|32|separate|0"
	"aes192-fnek-same|24|same|0"
	"aes128-xattr|16|none|1"
)
newpass() { head -c 18 /dev/urandom | base64 | tr -d '/+='; }

# fuse_write NAME KEYBYTES FNEK XATTR: a fresh passphrase, its keys in @u,
# an empty lower dir mounted through ecryptfs-fuse, the tree copied in with
# cp -a, read back through the daemon, unmounted (the daemon must exit 0).
fuse_write() {
	local name=$1 kb=$2 fn=$3 xa=$4 pass out sigs sig fsig opts lower=$W/lower-$1 mnt=$W/mnt-$1 pid st
	pass=$(newpass)
	printf '%s\n' "$pass" >"$W/$name.pass"
	if [ "$fn" = separate ]; then
		out=$(printf %s "$pass" | "$ADDP" --fnek - 2>&1)
	else
		out=$(printf %s "$pass" | "$ADDP" - 2>&1)
	fi
	sigs=$(sed -n 's/.*sig \[\([0-9a-f]\{16\}\)\].*/\1/p' <<<"$out")
	sig=$(sed -n 1p <<<"$sigs")
	fsig=
	[ "$fn" = separate ] && fsig=$(sed -n 2p <<<"$sigs")
	[ "$fn" = same ] && fsig=$sig
	_xc_sigs+=($sigs)
	[ -n "$sig" ] && { [ "$fn" = none ] || [ -n "$fsig" ]; }
	ok "$name: our ecryptfs-add-passphrase added ${sigs//$'\n'/ }"
	opts=ecryptfs_sig=$sig,ecryptfs_cipher=aes,ecryptfs_key_bytes=$kb
	[ -n "$fsig" ] && opts=$opts,ecryptfs_fnek_sig=$fsig
	[ "$xa" = 1 ] && opts=$opts,ecryptfs_xattr_metadata
	mkdir -p "$lower" "$mnt"
	_xc_mnts+=("$mnt")
	"$EFS" -f -o "$opts" "$lower" "$mnt" 2>"$W/$name.daemon.log" &
	pid=$!
	_xc_pids+=("$pid")
	for _ in $(seq 200); do
		mountpoint -q "$mnt" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	mountpoint -q "$mnt"
	ok "$name: ecryptfs-fuse -o $opts mounts"
	if ! mountpoint -q "$mnt"; then
		sed 's/^/#   /' "$W/$name.daemon.log" | tail -10
		return 1
	fi
	cp -a "$P/." "$mnt/" 2>"$W/$name.cp.err"
	ok "$name: cp -a the plaintext tree into the FUSE mount"
	sed 's/^/#   /' "$W/$name.cp.err" | head -10
	k_same_tree "$P" "$mnt"
	ok "$name: the daemon reads it back (before the kernel sees it)"
	for _ in 1 2 3 4 5; do
		umount "$mnt" 2>"$W/$name.umount.err" && break
		sleep 0.5
	done
	! mountpoint -q "$mnt"
	ok "$name: umount"
	if mountpoint -q "$mnt"; then
		# Never wait for a daemon whose mount is still there.
		sed 's/^/#   /' "$W/$name.umount.err"
		umount -l "$mnt"
		kill -9 "$pid"
	fi
	wait "$pid"
	st=$?
	is "$st" 0 "$name: the daemon exits 0 after the unmount"
	[ "$st" = 0 ] || sed 's/^/#   /' "$W/$name.daemon.log" | tail -10
	k_read_add "$name" "$lower" "$W/$name.pass" key_bytes="$kb" fnek="$fn" xattr="$xa"
	ok "$name: queued for the kernel"
}

t0=$SECONDS
fsx_seed=4100
for c in "${cases[@]}"; do
	IFS='|' read -r name kb fn xa <<<"$c"
	fuse_write "$name" "$kb" "$fn" "$xa"
	# The reverse direction in the guest, same option set, its own passphrase.
	mkdir -p "$X/rev/$name"
	newpass | tr -d '\n' >"$X/rev/$name/pass"
	printf 'KEY_BYTES=%s\nFNEK=%s\nXATTR=%s\nFSX_SEED=%s\nFSX_OPS=%s\n' "$kb" "$fn" "$xa" \
		"$((fsx_seed += 1))" "${XCHECK_FSX_OPS:-300}" >"$X/rev/$name/conf"
done
diag "t=${SECONDS}s: the four trees written through FUSE in $((SECONDS - t0)) s"
# The host keys are done with (the guest adds its own): unlink them now
# rather than after the VM, which a hard kill of the test would skip.
for s in "${_xc_sigs[@]}"; do
	k=$(keyctl search @u user "$s" 2>/dev/null) && keyctl unlink "$k" @u >/dev/null 2>&1
done
_xc_sigs=()

# The lower trees really are what the option sets say.
n=$(find "$W/lower-aes128-plain" -mindepth 1 -name 'ECRYPTFS_FNEK_ENCRYPTED.*' | wc -l)
is "$n:$(find "$W/lower-aes128-plain/names" -mindepth 1 | wc -l)" 0:143 "aes128-plain: lower names are the plaintext names"
for name in aes256-fnek aes192-fnek-same; do
	n=$(find "$W/lower-$name" -mindepth 1 ! -name 'ECRYPTFS_FNEK_ENCRYPTED.*' | wc -l)
	is "$n:$(find "$W/lower-$name" -mindepth 1 | wc -l)" "0:$(find "$P" -mindepth 1 | wc -l)" \
		"$name: every lower name is encrypted"
	n=$(find "$W/lower-$name" -type l -printf '%l\n' | grep -vc '^ECRYPTFS_FNEK_ENCRYPTED\.')
	is "$n:$(find "$W/lower-$name" -type l | wc -l)" "0:$(find "$P" -type l | wc -l)" \
		"$name: every lower symlink target is encrypted"
done
is "$(find "$W/lower-aes128-plain" -name size-4097 -printf '%s %n')" "16384 2" \
	"aes128-plain: size-4097 is 8 KiB header + 2 extents, with 2 links"
is "$(stat -c %s "$W/lower-aes128-xattr/size-4097")" 8192 "aes128-xattr: no in-file header"
nx=0 nf=0
while IFS= read -r -d '' f; do
	nf=$((nf + 1))
	getfattr -n user.ecryptfs "$f" >/dev/null 2>&1 || nx=$((nx + 1))
done < <(find "$W/lower-aes128-xattr" -type f -print0)
is "$nx:$nf" "0:$(find "$P" -type f | wc -l)" "aes128-xattr: every lower file has its header in user.ecryptfs"
is "$(stat -c %s "$W/lower-aes128-xattr/size-0")" 0 "aes128-xattr: the empty file is a 0-byte lower file"

# A control for the reader: a few lower files of aes128-plain, one with a
# zeroed marker (the kernel must refuse it, and the reader must say so), one
# with a flipped data byte (reads without error, eCryptfs has no MAC, but
# the content differs).
C=$W/lower-control
mkdir -p "$C"
for f in size-1 size-4095 size-4096; do cp -a "$W/lower-aes128-plain/$f" "$C/"; done
printf '\0\0\0\0' | dd of="$C/size-1" bs=1 seek=8 conv=notrunc status=none
printf '\377' | dd of="$C/size-4096" bs=1 seek=9000 conv=notrunc status=none
k_read_add control "$C" "$W/aes128-plain.pass"
ok "queued a damaged copy of three aes128-plain files as a control"

# ---- one VM: the kernel reads the four FUSE-written trees, then the reverse.
# glibc loads libgcc_s.so.1 with dlopen() when a thread is cancelled (the
# daemon does at unmount); ldd does not list it, so run.sh would not ship it.
# The guest gets the very binaries the host half used: libtool's real
# programs from .libs and libecryptfs, at their installed paths.  (k_stage's
# make install takes 25-45 s on a loaded 2-core host, and rebuilds whatever
# changed in the tree since the build.)
xc_stage() {
	local d=$1 e src dst b
	rm -rf "$d"
	mkdir -p "$d/usr/sbin" "$d/usr/bin" "$d/usr/lib"
	for e in src/fuse/ecryptfs-fuse:usr/sbin src/utils/keys/ecryptfs-add-passphrase:usr/bin \
		src/utils/offline/ecryptfs-stat:usr/bin tests/fsx/ecfs-fsx:usr/bin; do
		src=$BUILDDIR/${e%%:*} dst=$d/${e#*:} b=${e%%:*}
		b=${b##*/}
		[ -f "${src%/*}/.libs/$b" ] && src=${src%/*}/.libs/$b
		[ "$(head -c 4 "$src" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ] || {
			echo "#   $src is not an ELF program"
			return 1
		}
		cp "$src" "$dst/" || return 1
	done
	# A static-only library leaves nothing to copy, which is fine.
	cp -a "$BUILDDIR"/src/libecryptfs/.libs/libecryptfs.so* "$d/usr/lib/" 2>/dev/null
	return 0
}
diag "t=${SECONDS}s: staging"
xc_stage "$W/stage"
ok "staged the build's ecryptfs-fuse, ecryptfs-add-passphrase, ecryptfs-stat and libecryptfs for the guest"
diag "t=${SECONDS}s: booting"
rm -rf "$K_OUT"
# One VM boot runs both directions.
k_exec_script "$W/guest.out" --root "$W/stage" \
	--script "$SRCDIR/tests/kernel/guest/xcheck-fuse.sh" --in "$K_IN" --out "$K_OUT" \
	--out-mb "$(($(du -sm "$K_IN" | cut -f1) * 6 + 64))"
diag "t=${SECONDS}s: VM done"

# Forward: the kernel's view of what our daemon wrote.
for c in "${cases[@]}"; do
	k_case_reads "${c%%|*}" "$P" "the kernel mounts our FUSE-written tree and reads every entry" \
		"kernel view = plaintext (names, types, link counts, sizes, symlink targets, sha256)"
done

o=$K_OUT/control
is "$(cat "$o/status" 2>/dev/null)" ERRORS "control: the damaged tree is reported"
grep -q 'size-1.*Input/output error' "$o/errors" 2>/dev/null
ok "control: the file with the zeroed marker gives EIO"
is "$(grep -c -v 'size-1' "$o/errors" 2>/dev/null)" 0 "control: and nothing else does"
sed 's/^/#   /' "$o/errors" 2>/dev/null | head -5
cmp -s "$P/size-4095" "$o/plain/size-4095" && [ -f "$o/plain/size-4096" ] &&
	! cmp -s "$P/size-4096" "$o/plain/size-4096"
ok "control: the flipped byte changes size-4096 only"

# Reverse.
k_result_ok fuse-module
ok "fuse.ko loads in the guest and /dev/fuse appears"
k_result_ok staged
ok "the guest runs our staged ecryptfs-fuse and ecryptfs-add-passphrase"
for c in "${cases[@]}"; do
	name=${c%%|*}
	o=$K_OUT/rev/$name
	k_result_ok "$name-keys" && k_result_ok "$name-kernel-write" && k_result_ok "$name-kernel-umount"
	ok "reverse $name: the kernel writes a tree keyed by our ecryptfs-add-passphrase"
	k_result_ok "$name-fuse-mount" && k_result_ok "$name-fuse-read"
	ok "reverse $name: our daemon (in the guest) mounts the kernel's lower tree"
	k_same_tree "$R" "$o/fuse-read"
	ok "reverse $name: our daemon reads the kernel-written tree exactly"
	k_result_ok "$name-model-mods"
	ok "reverse $name: the modifications apply to the plain model"
	k_result_ok "$name-fuse-mods"
	ok "reverse $name: append, truncate down/up, overwrites, O_TRUNC, create, link, rename, unlink through our daemon"
	r=$(k_result "$name-fsx")
	k_result_ok "$name-fsx"
	ok "reverse $name: ecfs-fsx through our daemon (${r#ok })"
	k_same_tree "$o/want" "$o/fuse-after"
	ok "reverse $name: our daemon's view after the modifications = the model"
	k_result_ok "$name-fuse-umount" && k_result_ok "$name-daemon-exit"
	ok "reverse $name: unmount; the daemon exits 0"
	r=$(k_result "$name-lower-sound")
	k_result_ok "$name-lower-sound"
	ok "reverse $name: every lower file is sound for ecryptfs-stat (${r#ok })"
	k_result_ok "$name-kernel-reread"
	ok "reverse $name: the kernel mounts the modified tree and reads every entry"
	[ -s "$o/errors" ] && sed 's/^/#   /' "$o/errors" | head -20
	k_same_tree "$o/want" "$o/kernel-after"
	ok "reverse $name: the kernel reads back exactly what our daemon wrote (= the model)"
done
# The model itself must have changed, or the comparisons above prove little.
o=$K_OUT/rev/aes128-plain/want
[ "$(stat -c %s "$o/f-4096" 2>/dev/null)" = 12000 ] && [ "$(stat -c %s "$o/big" 2>/dev/null)" = 703001 ] &&
	[ "$(stat -c %h "$o/f-1" 2>/dev/null)" = 2 ] && [ ! -e "$o/dir/gone" ] &&
	[ "$(od -An -tx1 -j 100 -N 16 "$o/f-4096" | tr -d ' \n')" = 00000000000000000000000000000000 ]
ok "the model has the expected sizes, links and zeros after truncate down/up"
grep -q . "$K_OUT/dmesg-all.txt" 2>/dev/null && sed 's/^/# dmesg: /' "$K_OUT/dmesg-all.txt" | tail -10
diag "t=${SECONDS}s: all checked"
tap_done
