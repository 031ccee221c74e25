#!/bin/sh
# Guest side of tests/kernel/t-ecryptfsd.sh: the real kernel eCryptfs with
# our staged ecryptfsd, ecryptfs-manager, mount.ecryptfs and openssl and
# pkcs11 key modules (laid over / by run.sh exec --root; softhsm2, its
# p11-kit module file and pkcs11-tool by run.sh exec --bin).  Everything runs as root, the
# only user the harness's guest has, so the daemon runs with --allow-root
# and serves root's opens.
#   /in/k.pem      the RSA key (openssl genrsa on the host)
#   /in/lower-a/   a tree our FUSE daemon wrote on the host with that key
#   /in/plain-b/   a tree for the kernel to write
#   /in/tokens/    a softhsm2 token (label ecfs-k, PIN in /in/pin) holding
#                  RSA keys hk (ecryptfs-manager generate pkcs11) and xk
#                  (pkcs11-tool --keypairgen), both made on the host
#   /in/lower-p/   a tree our FUSE daemon wrote on the host with key hk
#   /in/lower-x/   a small one (/in/plain-x/) written with key xk
# Prints "RESULT name ok|FAIL detail" lines; leaves in /out:
#   read-a/        what the kernel read from lower-a
#   lower-b/       what the kernel wrote through mount.ecryptfs key=openssl
#   efsd.log       the daemon's messages
#   read-p/        what the kernel read from lower-p through the pkcs11 module
#   lower-pb/      what the kernel wrote with key gk, made here on the token
#   tokens/        the token, gk included, for the host's FUSE daemon
set -u
res() { echo "RESULT $1 $2"; }
okst() { if [ $? = 0 ]; then res "$1" "ok${2:+ $2}"; else res "$1" FAIL; fi; }
kernel_mounted() { grep -q " $1 ecryptfs " /proc/mounts; }
cs() { cut -d' ' -f1 /proc/uptime | tr -d .; }	# centiseconds
sums() { (cd "$1" && find . -type f | LC_ALL=C sort | while IFS= read -r f; do sha256sum "$f"; done); }

# The token's configuration, for the daemon (started below) and the tools:
# softhsm2 is shipped by the host (run.sh --bin) with its p11-kit module file.
printf 'directories.tokendir = /in/tokens\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
	>/tmp/softhsm2.conf
export SOFTHSM2_CONF=/tmp/softhsm2.conf
SO=/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so

for p in ecryptfsd ecryptfs-manager mount.ecryptfs; do echo "which $p: $(command -v "$p")"; done
[ -x /usr/sbin/ecryptfsd ] || [ -x /sbin/ecryptfsd ]
okst staged
[ -c /dev/ecryptfs ] || modprobe ecryptfs 2>/dev/null
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -c /dev/ecryptfs ] && break; sleep 0.2; done
ls -l /dev/ecryptfs
[ -c /dev/ecryptfs ]
okst device
keyctl link @u @s	# reading a key needs possession (mount.ecryptfs, the kernel's mount)

ecryptfs-manager add openssl keyfile=/in/k.pem </dev/null >/tmp/add.out 2>&1
cat /tmp/add.out
SIG=$(sed -n 's/.*signature \[\([0-9a-f]\{16\}\)\].*/\1/p' /tmp/add.out)
echo "sig $SIG"
[ -n "$SIG" ]
okst key-added "$SIG"

# Refusals before the real start.
ecryptfsd -f >/tmp/noroot.out 2>&1
st=$?
cat /tmp/noroot.out
[ $st != 0 ] && grep -q 'refusing to run as root' /tmp/noroot.out
okst refuses-root

ecryptfsd --allow-root -f -p /tmp/efsd.pid >/out/efsd.log 2>&1 &
DPID=$!
for _ in $(seq 50); do [ -s /tmp/efsd.pid ] && break; sleep 0.1; done
[ -s /tmp/efsd.pid ] && kill -0 "$DPID" 2>/dev/null
okst daemon-started "pid $DPID"

ecryptfsd --allow-root -f >/tmp/second.out 2>&1
st=$?
cat /tmp/second.out
[ $st != 0 ] && grep -q 'already registered' /tmp/second.out
okst second-refused

# (a) The kernel reads the FUSE-written tree: kernel options only (mount -i).
O=ecryptfs_sig=$SIG,ecryptfs_cipher=aes,ecryptfs_key_bytes=16
mkdir -p /tmp/ua /out/read-a
if mount -i -t ecryptfs -o "$O" /in/lower-a /tmp/ua 2>/tmp/ma.err && kernel_mounted /tmp/ua; then
	res a-mount ok
	t0=$(cs)
	cp -a /tmp/ua/. /out/read-a/ 2>/tmp/a-cp.err
	okst a-read "$(find /tmp/ua -type f | wc -l) files in $(($(cs) - t0)) cs"
	head -5 /tmp/a-cp.err
	# The key unlinked: the daemon must refuse at once, not time out.
	umount -i /tmp/ua
	echo 3 >/proc/sys/vm/drop_caches
	mount -i -t ecryptfs -o "$O" /in/lower-a /tmp/ua
	F=$(cd /tmp/ua && find . -type f -size +0 | head -1)
	echo "probe file $F"
	keyctl unlink "$(keyctl search @u user "$SIG")" @u
	t0=$(cs)
	cat "/tmp/ua/$F" >/dev/null 2>/tmp/unl.err
	st=$? dt=$(($(cs) - t0))
	cat /tmp/unl.err
	[ $st != 0 ] && [ "$dt" -lt 150 ]
	okst a-unlinked-refused "status $st after $dt cs"
	ecryptfs-manager add openssl keyfile=/in/k.pem </dev/null >/dev/null 2>&1
	cmp -s "/tmp/ua/$F" "/out/read-a/$F"
	okst a-readded-served
	umount -i /tmp/ua
else
	res a-mount "FAIL $(cat /tmp/ma.err) $(dmesg | grep -i ecryptfs | tail -3 | tr '\n' ' ')"
fi

# (b) The kernel writes through our mount.ecryptfs key=openssl (run by mount(8)).
mkdir -p /tmp/lb /tmp/ub /out/lower-b
H=key=openssl:keyfile=/in/k.pem,ecryptfs_cipher=aes,ecryptfs_key_bytes=16
H=$H,ecryptfs_passthrough=n,ecryptfs_enable_filename_crypto=n,no_sig_cache
mount -t ecryptfs /tmp/lb /tmp/ub -o "$H" </dev/null >/tmp/hb.out 2>&1
echo "mount.ecryptfs exit $?"; cat /tmp/hb.out
if kernel_mounted /tmp/ub; then
	res b-mount ok
	grep -q "ecryptfs_sig=$SIG" /proc/mounts
	okst b-sig
	t0=$(cs)
	(cd /in/plain-b && gtar -cf - .) | (cd /tmp/ub && gtar -xpf -)
	okst b-write "$(find /in/plain-b -type f | wc -l) files in $(($(cs) - t0)) cs"
	sync
	umount /tmp/ub
	# umount.ecryptfs unlinks the key (ecryptfs_unlink_sigs): add it back.
	! keyctl search @u user "$SIG" >/dev/null 2>&1
	okst b-key-unlinked
	ecryptfs-manager add openssl keyfile=/in/k.pem </dev/null >/dev/null 2>&1
	echo 3 >/proc/sys/vm/drop_caches
	mount -i -t ecryptfs -o "$O" /tmp/lb /tmp/ub
	sums /in/plain-b >/tmp/sa
	sums /tmp/ub >/tmp/sb 2>&1
	cmp -s /tmp/sa /tmp/sb
	okst b-readback "$(wc -l </tmp/sa) files"
	diff /tmp/sa /tmp/sb | head -5
	umount -i /tmp/ub
else
	res b-mount "FAIL $(tr '\n' ' ' </tmp/hb.out) $(dmesg | grep -i ecryptfs | tail -3 | tr '\n' ' ')"
fi
cp -a /tmp/lb/. /out/lower-b/

# (p) The pkcs11 module: keys on the softhsm2 token, the same daemon.
PU=uri=pkcs11:token=ecfs-k
PO=ecryptfs_cipher=aes,ecryptfs_key_bytes=16,ecryptfs_passthrough=n
PO=$PO,ecryptfs_enable_filename_crypto=n,no_sig_cache
ko() { echo "ecryptfs_sig=$1,ecryptfs_cipher=aes,ecryptfs_key_bytes=16"; }
msig() { sed -n 's/.*signature \[\([0-9a-f]\{16\}\)\].*/\1/p' "$1"; }
t0=$(cs)
ecryptfs-manager generate pkcs11 "$PU;object=gk" pin_file=/in/pin </dev/null >/tmp/pgen.out 2>&1
okst p-generate "in $(($(cs) - t0)) cs"
cat /tmp/pgen.out
# xk's token into @u now; the daemon opens it first in the wrong-PIN step.
ecryptfs-manager add pkcs11 "$PU;object=xk" pin_file=/in/pin </dev/null >/tmp/padd-x.out 2>&1
cat /tmp/padd-x.out
XS=$(msig /tmp/padd-x.out)
[ -n "$XS" ]
okst p-x-added "$XS"

# (p-a) The kernel reads the FUSE-written tree of key hk, mounted through
# our mount.ecryptfs key=pkcs11.
mkdir -p /tmp/up /out/read-p
mount -t ecryptfs /in/lower-p /tmp/up -o "key=pkcs11:$PU;object=hk:pin_file=/in/pin,$PO" \
	</dev/null >/tmp/pa.out 2>&1
echo "mount.ecryptfs exit $?"; cat /tmp/pa.out
if kernel_mounted /tmp/up; then
	HS=$(sed -n 's/.* \/tmp\/up ecryptfs .*ecryptfs_sig=\([0-9a-f]\{16\}\).*/\1/p' /proc/mounts)
	res p-a-mount "ok $HS"
	t0=$(cs)
	cp -a /tmp/up/. /out/read-p/ 2>/tmp/pa-cp.err
	okst p-a-read "$(find /tmp/up -type f | wc -l) files in $(($(cs) - t0)) cs"
	head -5 /tmp/pa-cp.err
	umount /tmp/up
else
	res p-a-mount "FAIL $(tr '\n' ' ' </tmp/pa.out) $(dmesg | grep -i ecryptfs | tail -3 | tr '\n' ' ')"
fi

# (p-b) The kernel writes with gk (made here) through mount.ecryptfs.
mkdir -p /tmp/lpb /tmp/upb /out/lower-pb
mount -t ecryptfs /tmp/lpb /tmp/upb -o "key=pkcs11:$PU;object=gk:pin_file=/in/pin,$PO" \
	</dev/null >/tmp/pb.out 2>&1
echo "mount.ecryptfs exit $?"; cat /tmp/pb.out
if kernel_mounted /tmp/upb; then
	GS=$(sed -n 's/.* \/tmp\/upb ecryptfs .*ecryptfs_sig=\([0-9a-f]\{16\}\).*/\1/p' /proc/mounts)
	res p-b-mount "ok $GS"
	t0=$(cs)
	(cd /in/plain-b && gtar -cf - .) | (cd /tmp/upb && gtar -xpf -)
	okst p-b-write "$(find /in/plain-b -type f | wc -l) files in $(($(cs) - t0)) cs"
	sync
	umount /tmp/upb
	ecryptfs-manager add pkcs11 "$PU;object=gk" pin_file=/in/pin </dev/null >/tmp/padd-g.out 2>&1
	[ "$(msig /tmp/padd-g.out)" = "$GS" ]
	okst p-b-readded
	echo 3 >/proc/sys/vm/drop_caches
	mount -i -t ecryptfs -o "$(ko "$GS")" /tmp/lpb /tmp/upb
	sums /in/plain-b >/tmp/psa
	sums /tmp/upb >/tmp/psb 2>&1
	cmp -s /tmp/psa /tmp/psb
	okst p-b-readback "$(wc -l </tmp/psa) files"
	diff /tmp/psa /tmp/psb | head -5
	# The token removed while mounted: the daemon holds gk open (it
	# unwrapped with it just now); a file not yet opened fails at once.
	umount -i /tmp/upb
	echo 3 >/proc/sys/vm/drop_caches
	mount -i -t ecryptfs -o "$(ko "$GS")" /tmp/lpb /tmp/upb
	mkdir -p /in/tokens.away
	mv /in/tokens/* /in/tokens.away/
	t0=$(cs)
	cat /tmp/upb/size-4097 >/dev/null 2>/tmp/prm.err
	st=$? dt=$(($(cs) - t0))
	cat /tmp/prm.err
	[ $st != 0 ] && [ "$dt" -lt 150 ] && grep -q 'Input/output error' /tmp/prm.err
	okst p-removed-refused "status $st after $dt cs"
	# The daemon serves on: a file of the openssl key, never opened here.
	mount -i -t ecryptfs -o "$O" /in/lower-a /tmp/ua
	cmp -s /tmp/ua/sub/deeper/deepest/leaf /out/read-a/sub/deeper/deepest/leaf
	okst p-removed-serves
	umount -i /tmp/ua
	mv /in/tokens.away/* /in/tokens/
	# A wrong PIN: xk's token in @u carries PIN 1234, the token's PIN is
	# now another; the daemon's first open of xk fails at once.  Here,
	# because softhsm2 reads the PIN when it starts, and the daemon has
	# none of the token's keys open since the token went away.
	pkcs11-tool --module "$SO" --token-label ecfs-k --login --pin 1234 --change-pin \
		--new-pin 5678 >/tmp/pin1.out 2>&1
	okst p-pin-changed
	cat /tmp/pin1.out
	mkdir -p /tmp/ux
	mount -i -t ecryptfs -o "$(ko "$XS")" /in/lower-x /tmp/ux
	t0=$(cs)
	cat /tmp/ux/x1 >/dev/null 2>/tmp/pin.err
	st=$? dt=$(($(cs) - t0))
	cat /tmp/pin.err
	[ $st != 0 ] && [ "$dt" -lt 150 ] && grep -q 'Input/output error' /tmp/pin.err
	okst p-wrong-pin-refused "status $st after $dt cs"
	pkcs11-tool --module "$SO" --token-label ecfs-k --login --pin 5678 --change-pin \
		--new-pin 1234 >/tmp/pin2.out 2>&1
	okst p-pin-restored
	# The refused token is not tried again (the token's retry counter),
	# even with the right PIN back: an open fails at once ...
	t0=$(cs)
	cat /tmp/ux/x2 >/dev/null 2>/tmp/pin3.err
	st=$? dt=$(($(cs) - t0))
	cat /tmp/pin3.err
	[ $st != 0 ] && [ "$dt" -lt 150 ] && grep -q 'Input/output error' /tmp/pin3.err
	okst p-refused-kept "status $st after $dt cs"
	# ... until the key is added anew.
	keyctl unlink "$(keyctl search @u user "$XS")" @u
	ecryptfs-manager add pkcs11 "$PU;object=xk" pin_file=/in/pin </dev/null >/tmp/padd-x2.out 2>&1
	[ "$(msig /tmp/padd-x2.out)" = "$XS" ]
	okst p-x-readded
	cmp -s /tmp/ux/x1 /in/plain-x/x1 && cmp -s /tmp/ux/x2 /in/plain-x/x2
	okst p-pin-restored-served
	umount -i /tmp/ux
	# The token back: the same mount, the same daemon, gk's file opens.
	cmp -s /tmp/upb/size-4097 /in/plain-b/size-4097
	okst p-back-served
	umount -i /tmp/upb
else
	res p-b-mount "FAIL $(tr '\n' ' ' </tmp/pb.out) $(dmesg | grep -i ecryptfs | tail -3 | tr '\n' ' ')"
fi
cp -a /tmp/lpb/. /out/lower-pb/

mkdir -p /out/tokens
cp -a /in/tokens/. /out/tokens/

# The daemon ends on SIGTERM and says what it did.
kill -TERM "$DPID"
wait "$DPID"
st=$?
cat /out/efsd.log
[ $st = 0 ] && grep -q 'exiting on .*requests answered' /out/efsd.log && [ ! -e /tmp/efsd.pid ]
okst daemon-exit "$(grep exiting /out/efsd.log)"

# Without the daemon the same files do not open: it was doing the work.
mount -i -t ecryptfs -o "$O" /in/lower-a /tmp/ua
F=$(cd /tmp/ua && find . -type f -size +0 | head -1)
cat "/tmp/ua/$F" >/dev/null 2>/tmp/nod.err
st=$?
cat /tmp/nod.err
[ $st != 0 ]
okst no-daemon-fails "status $st"
umount -i /tmp/ua

# (c) A user's own daemon, started as that user (detached, no -f), serves
#     that user's opens of a mount root made; root has no daemon now.
echo 'efsu:x:1000:1000:efsu:/tmp/efsu:/bin/sh' >>/etc/passwd
echo 'efsu:x:1000:' >>/etc/group
mkdir -p /tmp/efsu /tmp/uc
cp /in/k.pem /tmp/efsu/k.pem
chown -R 1000:1000 /tmp/efsu
chmod 600 /tmp/efsu/k.pem
asu() { su -s /bin/sh efsu -c "$1"; }
mount -i -t ecryptfs -o "$O" /in/lower-a /tmp/uc
kernel_mounted /tmp/uc
okst c-mount
# The kernel makes the device root's; the rule doc/ecryptfsd.8 gives opens it.
asu "ecryptfsd -f" >/tmp/c-eacces.out 2>&1
cat /tmp/c-eacces.out
grep -q 'Permission denied' /tmp/c-eacces.out
okst c-device-closed
chmod 0666 /dev/ecryptfs
asu "cat /tmp/uc/size-4097 >/dev/null"
[ $? != 0 ]
okst c-no-daemon-fails
asu "ecryptfs-manager add openssl keyfile=/tmp/efsu/k.pem </dev/null" >/tmp/c-add.out 2>&1
cat /tmp/c-add.out
grep -q "signature \[$SIG\]" /tmp/c-add.out
okst c-key-added
asu "ecryptfsd -p /tmp/efsu/efsd.pid"
st=$?
for _ in $(seq 50); do [ -s /tmp/efsu/efsd.pid ] && break; sleep 0.1; done
UPID=$(cat /tmp/efsu/efsd.pid 2>/dev/null)
grep Uid "/proc/${UPID:-0}/status" 2>/dev/null
[ $st = 0 ] && [ -n "$UPID" ] && grep -q '^Uid:[[:space:]]*1000[[:space:]]' "/proc/$UPID/status"
okst c-daemon-started "pid $UPID"
(cd /out/read-a && find . -type f -exec sha256sum {} + | LC_ALL=C sort -k2) >/tmp/c.want
asu "cd /tmp/uc && find . -type f -exec sha256sum {} + | LC_ALL=C sort -k2" >/tmp/c.got 2>&1
cmp -s /tmp/c.want /tmp/c.got
okst c-user-reads "$(wc -l </tmp/c.got) files"
diff /tmp/c.want /tmp/c.got | head -5
mkdir /tmp/uc/udir && chown 1000:1000 /tmp/uc/udir
asu "echo written by efsu >/tmp/uc/udir/new"
okst c-user-writes
umount -i /tmp/uc
echo 3 >/proc/sys/vm/drop_caches
mount -i -t ecryptfs -o "$O" /in/lower-a /tmp/uc
[ "$(asu 'cat /tmp/uc/udir/new')" = "written by efsu" ]
okst c-user-readback
kill -TERM "$UPID"
for _ in $(seq 50); do [ -d "/proc/$UPID" ] || break; sleep 0.1; done
[ ! -d "/proc/$UPID" ] && [ ! -e /tmp/efsu/efsd.pid ]
okst c-daemon-exit
umount -i /tmp/uc
dmesg | grep -i ecryptfs | tail -20 >/out/dmesg.txt
exit 0
