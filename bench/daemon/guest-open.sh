#!/bin/sh
# Guest side of bench/daemon/kernel-open.sh: /in/conf "FILES ROUNDS",
# /in/pass a passphrase, /in/k.pem an RSA key.  Prints the result lines.
set -u
read -r N R </in/conf
keyctl link @u @s >/dev/null
[ -c /dev/ecryptfs ] || modprobe ecryptfs
ecryptfsd --allow-root -p /tmp/efsd.pid || exit 1
for _ in $(seq 50); do [ -s /tmp/efsd.pid ] && break; sleep 0.1; done
PSIG=$(ecryptfs-add-passphrase - </in/pass | sed -n 's/.*sig \[\([0-9a-f]\{16\}\)\].*/\1/p')
MSIG=$(ecryptfs-manager add openssl keyfile=/in/k.pem </dev/null |
	sed -n 's/.*signature \[\([0-9a-f]\{16\}\)\].*/\1/p')
[ -n "$PSIG" ] && [ -n "$MSIG" ] || { echo "no keys ($PSIG, $MSIG)"; exit 1; }
cs() { cut -d' ' -f1 /proc/uptime | tr -d .; }	# centiseconds since boot

# median_us NAME SIG: µs per open, the median of R rounds.
median_us() {
	l=/tmp/lower-$1 u=/tmp/upper-$1
	o=ecryptfs_sig=$2,ecryptfs_cipher=aes,ecryptfs_key_bytes=16
	mkdir -p "$l" "$u"
	mount -i -t ecryptfs -o "$o" "$l" "$u" || return 1
	for i in $(seq "$N"); do echo x >"$u/f$i"; done
	umount -i "$u"
	for r in $(seq "$R"); do
		echo 3 >/proc/sys/vm/drop_caches
		mount -i -t ecryptfs -o "$o" "$l" "$u"
		ls "$u" >/dev/null
		t0=$(cs)
		(cd "$u" && cat f* >/dev/null)
		t1=$(cs)
		umount -i "$u"
		echo $(((t1 - t0) * 10000 / N))
	done | sort -n | sed -n "$(((R + 1) / 2))p"
}
p=$(median_us pass "$PSIG")
m=$(median_us openssl "$MSIG")
echo "file opens on the kernel path, $N files, median of $R rounds (µs per open, read of 2 bytes included):"
echo "  passphrase key (tag 3, kernel only):            $p"
echo "  openssl RSA-2048 key (tag 1, through ecryptfsd): $m"
[ -n "$p" ] && [ "$p" -gt 0 ] && echo "  ratio: $((m * 10 / p / 10)).$((m * 10 / p % 10))x"
kill "$(cat /tmp/efsd.pid)"
