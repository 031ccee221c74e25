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
# (p) The pkcs11 module, in the same boot: a softhsm2 token made here
# (shipped with softhsm2 and pkcs11-tool through run.sh --bin) with keys
# made by ecryptfs-manager generate pkcs11 and pkcs11-tool; the kernel reads
# a tree our FUSE daemon wrote with one (mount.ecryptfs key=pkcs11), writes
# one with a key generated in the guest, which our FUSE daemon reads back
# here with the token the guest returns (tag 1 packets checked); the token
# removed under a mount, an open fails with EIO at once, the daemon serves
# on and, the token back, reopens the key; a wrong PIN (the token's PIN
# changed) fails an open at once, once: the token is not asked again
# until the key is added anew.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/kernel/lib.sh"

EFS=$(prog ecryptfs-fuse) || { echo "Bail out! ecryptfs-fuse not built"; exit 1; }
MGR=$(prog ecryptfs-manager) || { echo "Bail out! ecryptfs-manager not built"; exit 1; }
STAT=$(prog ecryptfs-stat) || { echo "Bail out! ecryptfs-stat not built"; exit 1; }
W=$K_WORK/t
mkdir -p "$W/km"
ln -s "$BUILDDIR/src/key_mod/openssl/.libs/openssl.so" "$W/km/openssl.so"
ln -s "$BUILDDIR/src/key_mod/pkcs11/.libs/pkcs11.so" "$W/km/pkcs11.so"

k_require

openssl genrsa -out "$K_IN/k.pem" 2048 2>/dev/null
ok "openssl genrsa: a 2048-bit RSA key"
chmod 600 "$K_IN/k.pem"
k_make_tree "$W/plain-a"
ok "tree (a) made"
k_make_tree "$K_IN/plain-b"
ok "tree (b) made"

# fuse_job NAME write|read LOWER DIR MODULE PARAMS...: in a session keyring
# of its own, the key's token into @u (ecryptfs-manager add MODULE PARAMS),
# ecryptfs-fuse over LOWER with only ecryptfs_sig (the module runs in the
# daemon), DIR copied in or out, unmounted, the token unlinked.  "RES name
# status" lines on stdout.
cat >"$W/fuse-job.sh" <<'EOS'
set -u
name=$1 mode=$2 lower=$3 dir=$4 mnt=$W/mnt-$1
shift 4
res() { echo "RES $1 $2"; }
export ECRYPTFS_KEYMOD_DIR=$W/km
keyctl link @u @s >/dev/null
"$MGR" add "$@" </dev/null >"$W/$name.add" 2>&1
sig=$(sed -n 's/.*signature \[\([0-9a-f]\{16\}\)\].*/\1/p' "$W/$name.add")
echo "SIG $sig"
[ -n "$sig" ]; res add $?
mkdir -p "$lower" "$mnt"
"$EFS" -f -o "ecryptfs_sig=$sig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16" "$lower" "$mnt" \
	2>"$W/$name.fuse.log" &
pid=$!
for _ in $(seq 200); do
	mountpoint -q "$mnt" && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.05
done
mountpoint -q "$mnt"; res mount $?
if [ "$mode" = write ]; then
	cp -a "$dir/." "$mnt/" 2>"$W/$name.cp.err"; res copy $?
else
	mkdir -p "$dir"
	cp -a "$mnt/." "$dir/" 2>"$W/$name.cp.err"; res copy $?
fi
fusermount3 -u "$mnt"; res umount $?
wait "$pid"; res daemon-exit $?
k=$(keyctl search @u user "$sig" 2>/dev/null) && keyctl unlink "$k" @u >/dev/null
exit 0
EOS
fuse_job() {
	W=$W MGR=$MGR EFS=$EFS keyctl session - bash "$W/fuse-job.sh" "$@" \
		>"$W/job-$1.out" 2>&1
	sed 's/^/# /' "$W/job-$1.out"
}
res() { sed -n "s/^RES $2 //p" "$W/job-$1.out" | head -1; }
jsig() { sed -n 's/^SIG //p' "$W/job-$1.out"; }

# ---- (a) our FUSE daemon writes with the RSA key.
fuse_job write write "$W/lower-a" "$W/plain-a" openssl keyfile="$K_IN/k.pem"
SIG=$(jsig write)
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

# ---- (p) the pkcs11 module: a softhsm2 token made here and shipped to the
# guest (/in/tokens) with two RSA keys: hk (ecryptfs-manager generate
# pkcs11) and xk (pkcs11-tool --keypairgen); the guest makes a third, gk.
SO=/usr/lib/softhsm/libsofthsm2.so
PU="uri=pkcs11:token=ecfs-k"
p11conf() {
	printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
		"$1" >"$2"
}
mkdir -p "$K_IN/tokens"
p11conf "$K_IN/tokens" "$W/softhsm2.conf"
export SOFTHSM2_CONF=$W/softhsm2.conf
softhsm2-util --init-token --free --label ecfs-k --so-pin 87654321 --pin 1234 >"$W/p11init.out" 2>&1
ok "softhsm2-util --init-token: a token ecfs-k for the guest"
printf '1234\n' >"$K_IN/pin"
chmod 600 "$K_IN/pin"
ECRYPTFS_KEYMOD_DIR=$W/km "$MGR" generate pkcs11 "$PU;object=hk" pin_file="$K_IN/pin" \
	</dev/null >"$W/hk.gen" 2>&1
ok "ecryptfs-manager generate pkcs11 $PU;object=hk: an RSA key made on it"
pkcs11-tool --module $SO --token-label ecfs-k --login --pin 1234 --keypairgen \
	--key-type rsa:2048 --id 03 --label xk >"$W/xk.gen" 2>&1
ok "pkcs11-tool --keypairgen: another one, xk"
k_make_tree "$W/plain-p"
ok "tree (p) made"
fuse_job pwrite write "$W/lower-p" "$W/plain-p" pkcs11 "$PU;object=hk" pin_file="$K_IN/pin"
PSIG=$(jsig pwrite)
is "$(res pwrite add)" 0 "ecryptfs-manager add pkcs11 $PU;object=hk pin_file=...: in @u ($PSIG)"
is "$(res pwrite mount)" 0 "ecryptfs-fuse mounts with ecryptfs_sig=$PSIG (the token's key)"
is "$(res pwrite copy)" 0 "cp -a tree (p) into it"
is "$(res pwrite daemon-exit)" 0 "the FUSE daemon exits 0"
"$STAT" "$W/lower-p/size-4096" >"$W/stat-p" 2>&1
check "... its files carry a tag 1 packet of key $PSIG" \
	grep -qF "Key signature: [$PSIG] (tag 1, public key)" "$W/stat-p"
mkdir -p "$K_IN/plain-x"
echo "a file of key xk" >"$K_IN/plain-x/x1"
head -c 5000 /dev/urandom >"$K_IN/plain-x/x2"
fuse_job xwrite write "$W/lower-x" "$K_IN/plain-x" pkcs11 "$PU;object=xk" pin_file="$K_IN/pin"
XSIG=$(jsig xwrite)
is "$(res xwrite copy)" 0 "ecryptfs-fuse writes two files with key xk ($XSIG)"
is "$(res xwrite daemon-exit)" 0 "... and exits 0"
cp -a "$W/lower-p" "$W/lower-x" "$K_IN/"
ok "the token and the lower trees (p) and (x) queued for the guest"
# The guest loads softhsm2 through p11-kit, as here: its module file too.
P11BIN=(--bin "$(readlink -f $SO)" --bin /usr/share/p11-kit/modules/softhsm2.module
	--bin "$(command -v pkcs11-tool)")

# ---- one VM: the daemon, (a) read by the kernel, (b) written by it.
k_stage "$W/stage"
ok "make install DESTDIR=stage"
k_exec_script "$W/guest.out" --root "$W/stage" "${P11BIN[@]}" --script "$SRCDIR/tests/kernel/guest/ecryptfsd.sh" \
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
k_result_ok p-generate
ok "(p) ecryptfs-manager generate pkcs11 $PU;object=gk: a key made in the guest"
diag "(p) generate: $(k_result p-generate)"
is "$(k_result p-x-added)" "ok $XSIG" "(p) ecryptfs-manager add pkcs11 ...;object=xk: the same signature"
is "$(k_result p-a-mount)" "ok $PSIG" \
	"(p) mount -t ecryptfs -o key=pkcs11:$PU;object=hk:pin_file=...: the kernel mounts, ecryptfs_sig=$PSIG"
k_result_ok p-a-read
ok "(p) the kernel reads the FUSE-written tree through ecryptfsd and the pkcs11 module"
diag "(p) read: $(k_result p-a-read)"
k_same_tree "$W/plain-p" "$K_OUT/read-p"
ok "(p) what it read is the tree our FUSE daemon was given"
GSIG=$(k_result p-b-mount | sed -n 's/^ok \([0-9a-f]\{16\}\)$/\1/p')
[ -n "$GSIG" ] && [ "$GSIG" != "$PSIG" ] && [ "$GSIG" != "$XSIG" ]
ok "(p) mount -t ecryptfs -o key=pkcs11:$PU;object=gk:...: the kernel mounts, a key of its own (${GSIG:-none})"
k_result_ok p-b-write
ok "(p) the kernel writes a tree with gk, ecryptfsd wrapping on the token's key"
diag "(p) write: $(k_result p-b-write)"
k_result_ok p-b-readded
ok "(p) ecryptfs-manager add pkcs11 ...;object=gk: the same signature"
k_result_ok p-b-readback
ok "(p) the kernel reads it back after a remount"
k_result_ok p-removed-refused
ok "(p) the token removed: an open fails with EIO at once (under 1.5 s)"
diag "(p) removed: $(k_result p-removed-refused)"
check "... the daemon's log names the module and the reason" \
	grep -q "key $GSIG: key module pkcs11: unwrapping a file key: .*the key is gone from the token" \
	"$K_OUT/efsd.log"
k_result_ok p-removed-serves
ok "(p) the daemon serves on (a file of the openssl key opens)"
k_result_ok p-pin-changed
ok "(p) the token back, pkcs11-tool --change-pin: its PIN is no longer the one in xk's token"
k_result_ok p-wrong-pin-refused
ok "(p) the daemon's first open of xk fails with EIO at once (under 1.5 s)"
diag "(p) wrong PIN: $(k_result p-wrong-pin-refused)"
check "... the daemon's log says why" \
	grep -q "key $XSIG: key module pkcs11: logging in to the token: wrong PIN" "$K_OUT/efsd.log"
k_result_ok p-pin-restored
ok "(p) the PIN changed back"
k_result_ok p-refused-kept
ok "(p) the PIN back: xk's token is not tried again, an open fails at once"
diag "(p) refused again: $(k_result p-refused-kept)"
is "$(grep -c "key $XSIG: key module pkcs11: logging in to the token: wrong PIN" "$K_OUT/efsd.log")" 1 \
	"... the daemon logged in with the wrong PIN once (the token's retry counter)"
check "... and says why it refuses" \
	grep -q "key $XSIG: key module pkcs11 refused its token before (wrong PIN?): not tried again until the key is added anew" \
	"$K_OUT/efsd.log"
k_result_ok p-x-readded
ok "(p) xk unlinked and added anew (ecryptfs-manager add pkcs11)"
k_result_ok p-pin-restored-served
ok "(p) the same daemon opens xk's files now"
k_result_ok p-back-served
ok "(p) the token back: the same daemon opens gk's file (the dead key reopened)"
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

# tag1_files DIR SIG: n, the files under DIR, when ecryptfs-stat finds in
# every one a sound header with a tag 1 packet of key SIG (else fails).
tag1_files() {
	local f n=0 good=0
	while IFS= read -r -d '' f; do
		n=$((n + 1))
		"$STAT" "$f" >"$W/stat.out" 2>&1
		grep -qxF 'Header: [sound]' "$W/stat.out" &&
			grep -qF "Key signature: [$2] (tag 1, public key)" "$W/stat.out" &&
			good=$((good + 1))
	done < <(find "$1" -type f -print0)
	echo "$n"
	[ "$n" -gt 0 ] && [ "$good" = "$n" ]
}

# ---- (b) on the host: the kernel's tag 1 packets, read by our FUSE daemon.
n=$(tag1_files "$K_OUT/lower-b" "$SIG")
ok "ecryptfs-stat: the $n kernel-written files carry a tag 1 packet of key $SIG"
fuse_job read read "$K_OUT/lower-b" "$W/read-b" openssl keyfile="$K_IN/k.pem"
is "$(res read mount)" 0 "ecryptfs-fuse mounts the kernel-written tree with the key's token"
is "$(res read copy)" 0 "cp -a the tree out of it"
is "$(res read daemon-exit)" 0 "the FUSE daemon exits 0"
k_same_tree "$K_IN/plain-b" "$W/read-b"
ok "(b) our FUSE daemon reads exactly the tree the kernel wrote through ecryptfsd"

# ---- (p) on the host: the kernel's files of key gk, read by our FUSE daemon
# with the token as the guest left it.
n=$(tag1_files "$K_OUT/lower-pb" "$GSIG")
ok "ecryptfs-stat: the $n files the kernel wrote with gk carry a tag 1 packet of key $GSIG"
p11conf "$K_OUT/tokens" "$W/softhsm2-back.conf"
export SOFTHSM2_CONF=$W/softhsm2-back.conf
fuse_job pread read "$K_OUT/lower-pb" "$W/read-pb" pkcs11 "$PU;object=gk" pin_file="$K_IN/pin"
is "$(jsig pread)" "$GSIG" "ecryptfs-manager add pkcs11 ...;object=gk here: the guest's signature"
is "$(res pread mount)" 0 "ecryptfs-fuse mounts the kernel-written tree with the token's key"
is "$(res pread copy)" 0 "cp -a the tree out of it"
is "$(res pread daemon-exit)" 0 "the FUSE daemon exits 0"
k_same_tree "$K_IN/plain-b" "$W/read-pb"
ok "(p) our FUSE daemon reads exactly the tree the kernel wrote with the pkcs11 key"
grep -q . "$K_OUT/dmesg.txt" 2>/dev/null && sed 's/^/# dmesg: /' "$K_OUT/dmesg.txt" | tail -10
tap_done
