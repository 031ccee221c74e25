#!/bin/bash
# Our ecryptfsd with the real kernel eCryptfs (Debian's 6.1 in qemu, one VM
# boot), for files whose key is an RSA key (openssl genrsa) behind our
# openssl key module, in both directions:
#  (a) a tree our FUSE daemon wrote on the host with that key (tag 1
#      packets) is read by the kernel in the guest through ecryptfsd;
#  (b) the kernel writes a tree through our mount.ecryptfs
#      key=openssl:keyfile=... and ecryptfsd, and our FUSE daemon reads it
#      back on the host exactly; ecryptfs-stat finds the tag 1 packets.
# Also in the guest: the daemon refuses root without --allow-root and a
# second instance for the same uid; a key unlinked from the keyring fails
# an open at once (the failure reply, not the kernel's 3 s timeout) and
# works again once added back; SIGTERM ends it cleanly; with no daemon the
# same files do not open.  Root's daemon (--allow-root) serves root's opens
# in (a) and (b); then (c) a user (uid 1000, made in the guest) starts
# their own detached daemon, which serves their opens, reads and writes,
# of a mount root made (doc/ecryptfsd.8, "One daemon per user").
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/kernel/lib.sh"

EFS=$(prog ecryptfs-fuse) || { echo "Bail out! ecryptfs-fuse not built"; exit 1; }
MGR=$(prog ecryptfs-manager) || { echo "Bail out! ecryptfs-manager not built"; exit 1; }
STAT=$(prog ecryptfs-stat) || { echo "Bail out! ecryptfs-stat not built"; exit 1; }
W=$K_WORK/t
mkdir -p "$W/km"
ln -s "$BUILDDIR/src/key_mod/openssl/.libs/openssl.so" "$W/km/openssl.so"

k_require

openssl genrsa -out "$K_IN/k.pem" 2048 2>/dev/null
ok "openssl genrsa: a 2048-bit RSA key"
chmod 600 "$K_IN/k.pem"
k_make_tree "$W/plain-a"
ok "tree (a) made"
k_make_tree "$K_IN/plain-b"
ok "tree (b) made"

# fuse_job write|read LOWER DIR: in a session keyring of its own, the key's
# token into @u (ecryptfs-manager), ecryptfs-fuse over LOWER with only
# ecryptfs_sig (the module runs in the daemon), DIR copied in or out,
# unmounted, the token unlinked.  "RES name status" lines on stdout.
cat >"$W/fuse-job.sh" <<'EOS'
set -u
mode=$1 lower=$2 dir=$3 mnt=$W/mnt-$mode
res() { echo "RES $1 $2"; }
export ECRYPTFS_KEYMOD_DIR=$W/km
keyctl link @u @s >/dev/null
"$MGR" add openssl keyfile="$K_IN/k.pem" </dev/null >"$W/$mode.add" 2>&1
sig=$(sed -n 's/.*signature \[\([0-9a-f]\{16\}\)\].*/\1/p' "$W/$mode.add")
echo "SIG $sig"
[ -n "$sig" ]; res add $?
mkdir -p "$lower" "$mnt"
"$EFS" -f -o "ecryptfs_sig=$sig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16" "$lower" "$mnt" \
	2>"$W/$mode.fuse.log" &
pid=$!
for _ in $(seq 200); do
	mountpoint -q "$mnt" && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.05
done
mountpoint -q "$mnt"; res mount $?
if [ "$mode" = write ]; then
	cp -a "$dir/." "$mnt/" 2>"$W/$mode.cp.err"; res copy $?
else
	mkdir -p "$dir"
	cp -a "$mnt/." "$dir/" 2>"$W/$mode.cp.err"; res copy $?
fi
fusermount3 -u "$mnt"; res umount $?
wait "$pid"; res daemon-exit $?
k=$(keyctl search @u user "$sig" 2>/dev/null) && keyctl unlink "$k" @u >/dev/null
exit 0
EOS
fuse_job() {
	W=$W K_IN=$K_IN MGR=$MGR EFS=$EFS keyctl session - bash "$W/fuse-job.sh" "$@" \
		>"$W/job-$1.out" 2>&1
	sed 's/^/# /' "$W/job-$1.out"
}
res() { sed -n "s/^RES $2 //p" "$W/job-$1.out" | head -1; }

# ---- (a) our FUSE daemon writes with the RSA key.
fuse_job write "$W/lower-a" "$W/plain-a"
SIG=$(sed -n 's/^SIG //p' "$W/job-write.out")
is "$(res write add)" 0 "ecryptfs-manager add openssl keyfile=...: the key's token in @u ($SIG)"
is "$(res write mount)" 0 "ecryptfs-fuse mounts with ecryptfs_sig=$SIG (a module key)"
is "$(res write copy)" 0 "cp -a the tree into it"
is "$(res write umount)" 0 "fusermount3 -u"
is "$(res write daemon-exit)" 0 "the FUSE daemon exits 0"
"$STAT" "$W/lower-a/size-4096" >"$W/stat-a" 2>&1
ok "ecryptfs-stat reads a file it wrote"
check "... a tag 1 packet of key $SIG" grep -qF "Key signature: [$SIG] (tag 1, public key)" "$W/stat-a"
cp -a "$W/lower-a" "$K_IN/lower-a"
ok "lower tree (a) queued for the guest"

# ---- one VM: the daemon, (a) read by the kernel, (b) written by it.
k_stage "$W/stage"
ok "make install DESTDIR=stage"
k_exec_script "$W/guest.out" --root "$W/stage" --script "$SRCDIR/tests/kernel/guest/ecryptfsd.sh" \
	--in "$K_IN" --out "$K_OUT" --out-mb "$(($(du -sm "$K_IN" | cut -f1) * 3 + 64))"
k_result_ok staged
ok "guest: our staged ecryptfsd, ecryptfs-manager and mount.ecryptfs"
k_result_ok device
ok "guest: /dev/ecryptfs is there"
k_result_ok refuses-root
ok "guest: ecryptfsd refuses root without --allow-root"
k_result_ok daemon-started
ok "guest: ecryptfsd --allow-root -f -p FILE starts and writes its pid file"
k_result_ok second-refused
ok "guest: a second ecryptfsd for the same uid is refused (already registered)"
is "$(k_result key-added)" "ok $SIG" "guest: our ecryptfs-manager computes the same signature"
k_result_ok a-mount
ok "(a) the kernel mounts the FUSE-written lower tree with ecryptfs_sig=$SIG"
k_result_ok a-read
ok "(a) and reads every file through ecryptfsd"
diag "(a) read: $(k_result a-read)"
k_same_tree "$W/plain-a" "$K_OUT/read-a"
ok "(a) what the kernel read is the tree our FUSE daemon was given"
k_result_ok a-unlinked-refused
ok "(a) the key unlinked from @u: the open fails at once (under 1.5 s)"
diag "(a) unlinked: $(k_result a-unlinked-refused)"
k_result_ok a-readded-served
ok "(a) the key added again: the same file opens again"
k_result_ok b-mount
ok "(b) mount -t ecryptfs -o key=openssl:keyfile=... mounts the kernel eCryptfs"
k_result_ok b-sig
ok "(b) with ecryptfs_sig=$SIG"
k_result_ok b-write
ok "(b) the kernel writes the tree, ecryptfsd wrapping the file keys"
k_result_ok b-key-unlinked
ok "(b) umount runs our umount.ecryptfs, which unlinks the key"
k_result_ok b-readback
ok "(b) the kernel reads it back after a remount (key added again)"
diag "(b) write: $(k_result b-write); read back: $(k_result b-readback)"
k_result_ok daemon-exit
ok "SIGTERM: ecryptfsd exits 0, removes its pid file, logs what it answered"
diag "daemon: $(k_result daemon-exit)"
answered=$(sed -n 's/.*: \([0-9]*\) requests answered.*/\1/p' "$K_OUT/efsd.log" | tail -1)
[ "${answered:-0}" -ge 40 ]
ok "ecryptfsd answered the kernel's requests (${answered:-no} answered: two per file at least)"
k_result_ok no-daemon-fails
ok "with no daemon the kernel cannot open the same files"
k_result_ok c-mount
ok "(c) root mounts the tree (a) again"
k_result_ok c-device-closed
ok "(c) the device is root's: a user's ecryptfsd says so"
k_result_ok c-no-daemon-fails
ok "(c) a user with no daemon of their own cannot open its files"
k_result_ok c-key-added
ok "(c) the user adds the key to their own keyring (same signature)"
k_result_ok c-daemon-started
ok "(c) the user starts ecryptfsd (detached): it runs as the user, pid file written"
k_result_ok c-user-reads
ok "(c) the user reads every file through their daemon"
k_result_ok c-user-writes
ok "(c) the user creates a file (the daemon wraps its key)"
k_result_ok c-user-readback
ok "(c) and reads it back after a remount"
k_result_ok c-daemon-exit
ok "(c) SIGTERM ends the user's daemon and its pid file goes"
grep -q . "$K_OUT/efsd.log" 2>/dev/null && sed 's/^/# efsd: /' "$K_OUT/efsd.log" | tail -15

# ---- (b) on the host: the kernel's tag 1 packets, read by our FUSE daemon.
n=0 good=0
while IFS= read -r -d '' f; do
	n=$((n + 1))
	"$STAT" "$f" >"$W/stat.out" 2>&1
	grep -qxF 'Header: [sound]' "$W/stat.out" &&
		grep -qF "Key signature: [$SIG] (tag 1, public key)" "$W/stat.out" && good=$((good + 1))
done < <(find "$K_OUT/lower-b" -type f -print0)
[ "$n" -gt 0 ] && [ "$good" = "$n" ]
ok "ecryptfs-stat: the $n kernel-written files carry a tag 1 packet of key $SIG"
fuse_job read "$K_OUT/lower-b" "$W/read-b"
is "$(res read mount)" 0 "ecryptfs-fuse mounts the kernel-written tree with the key's token"
is "$(res read copy)" 0 "cp -a the tree out of it"
is "$(res read daemon-exit)" 0 "the FUSE daemon exits 0"
k_same_tree "$K_IN/plain-b" "$W/read-b"
ok "(b) our FUSE daemon reads exactly the tree the kernel wrote through ecryptfsd"
grep -q . "$K_OUT/dmesg.txt" 2>/dev/null && sed 's/^/# dmesg: /' "$K_OUT/dmesg.txt" | tail -10
tap_done
