#!/bin/sh
# Guest side of tests/kernel/t-ecryptfsd.sh: the real kernel eCryptfs with
# our staged ecryptfsd, ecryptfs-manager, mount.ecryptfs and openssl key
# module (laid over / by run.sh exec --root).  Everything runs as root, the
# only user the harness's guest has, so the daemon runs with --allow-root
# and serves root's opens.
#   /in/k.pem      the RSA key (openssl genrsa on the host)
#   /in/lower-a/   a tree our FUSE daemon wrote on the host with that key
#   /in/plain-b/   a tree for the kernel to write
# Prints "RESULT name ok|FAIL detail" lines; leaves in /out:
#   read-a/        what the kernel read from lower-a
#   lower-b/       what the kernel wrote through mount.ecryptfs key=openssl
#   efsd.log       the daemon's messages
set -u
res() { echo "RESULT $1 $2"; }
okst() { if [ $? = 0 ]; then res "$1" "ok${2:+ $2}"; else res "$1" FAIL; fi; }
kernel_mounted() { grep -q " $1 ecryptfs " /proc/mounts; }
cs() { cut -d' ' -f1 /proc/uptime | tr -d .; }	# centiseconds
sums() { (cd "$1" && find . -type f | LC_ALL=C sort | while IFS= read -r f; do sha256sum "$f"; done); }

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
