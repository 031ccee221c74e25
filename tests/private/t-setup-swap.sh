#!/bin/bash
# ecryptfs-setup-swap on loop-device swaps (a GPT image in the test's tmp,
# its partitions swapped on), every edit made on copies of fstab and
# crypttab through the ECRYPTFS_SETUP_SWAP_* variables: the reference's
# crypttab and fstab lines, fstab entries commented by UUID, path and label,
# the first free cryptswapN, the GPT no-auto bit, the skips, the
# confirmation, -n; refusals without cryptsetup, root or dm-crypt; and,
# where this machine's kernel has dm-crypt, the real switch-over.  The real
# /etc files are never written.
. "$SRCDIR/tests/lib/tap.sh"
SWAP=$BUILDDIR/src/utils/private/ecryptfs-setup-swap
if [ "$(id -u)" != 0 ]; then
	echo "Bail out! tests/private/t-setup-swap needs root (losetup, swapon)"
	exit 1
fi
CIPHER=aes-xts-plain64
E2E_MAPS=
etc_sums() { cat /etc/fstab /etc/crypttab 2>/dev/null | sha256sum; }
ETC_BEFORE=$(etc_sums)

# The loop devices made, in a file: gpt_loop runs in a command substitution.
: >"$TESTTMP/loops"
cleanup() {
	local l p
	for p in $E2E_MAPS; do
		swapoff "/dev/mapper/$p" 2>/dev/null
		cryptsetup close "$p" 2>/dev/null
	done
	for l in $(cat "$TESTTMP/loops"); do
		for p in "$l"p*; do
			[ -b "$p" ] && swapoff "$p" 2>/dev/null
		done
		partx -d "$l" 2>/dev/null
		losetup -d "$l" 2>/dev/null
	done
}
trap cleanup EXIT

# gpt_loop IMG: a 64 MiB GPT image with three 16 MiB swap partitions (the
# second labelled "sw2", the third with attribute bit 60 already set) on a
# loop device with its partition devices; prints the loop device.
gpt_loop() {
	local l
	truncate -s 64M "$1" &&
	printf 'label: gpt\nsize=16M, type=S\nsize=16M, type=S\nsize=16M, type=S, attrs="GUID:60"\n' | sfdisk -q "$1" >/dev/null &&
	l=$(losetup -f --show -P "$1") || return 1
	echo "$l" >>"$TESTTMP/loops"
	partx -a "$l" 2>/dev/null
	for i in 1 2 3; do
		[ -b "${l}p$i" ] || { echo "no ${l}p$i" >&2; return 1; }
	done
	mkswap "${l}p1" >/dev/null && mkswap -L sw2 "${l}p2" >/dev/null && mkswap "${l}p3" >/dev/null &&
		echo "$l"
}
L=$(gpt_loop "$TESTTMP/gpt.img"); ok "a GPT image on a loop device, three swap partitions ($L)" || { tap_done; exit 1; }
check "the three are swapped on" swapon "${L}p1" "${L}p2" "${L}p3"
[ "$_st" = 0 ] || { tap_done; exit 1; }
U1=$(blkid -c /dev/null -o value -s UUID "${L}p1")
U3=$(blkid -c /dev/null -o value -s UUID "${L}p3")

# Copies of the files; /proc/swaps cut down to our devices and a file that
# is not swap.
E=$TESTTMP/etc
mkdir -p "$E" "$TESTTMP/fake"
: >"$TESTTMP/notswap"
head -n1 /proc/swaps >"$E/swaps.none"
{ head -n1 /proc/swaps; grep "^$L" /proc/swaps
  printf '%s\t\t\t\tfile\t\t1024\t\t0\t\t-3\n' "$TESTTMP/notswap"; } >"$E/swaps"
cat >"$E/fstab.orig" <<FSTAB
# <file system> <mount point> <type> <options> <dump> <pass>
UUID=0000-not-ours / ext4 errors=remount-ro 0 1
UUID=$U1 none swap sw 0 0
${L}p2 none swap sw 0 0
LABEL=sw2 none swap sw 0 0
${L}p20 none swap sw 0 0
FSTAB
cat >"$E/crypttab.orig" <<CRYPTTAB
# <target name> <source device> <key file> <options>
cryptswap1 /dev/not-ours /dev/urandom swap,offset=1024,cipher=$CIPHER
CRYPTTAB
reset_etc() { cp "$E/fstab.orig" "$E/fstab" && cp "$E/crypttab.orig" "$E/crypttab"; }
export ECRYPTFS_SETUP_SWAP_FSTAB=$E/fstab ECRYPTFS_SETUP_SWAP_CRYPTTAB=$E/crypttab
export ECRYPTFS_SETUP_SWAP_PROC_SWAPS=$E/swaps ECRYPTFS_SETUP_SWAP_CRYPTROOT=$E/cryptroot
# A dmsetup that says the kernel has the crypt target and that the devices
# listed in $TESTTMP/fake/encrypted are crypt mappings; a modprobe that fails.
cat >"$TESTTMP/fake/dmsetup" <<'FAKE'
#!/bin/sh
case "$1" in
targets) [ -e "$FAKE_DIR/no-crypt" ] || echo "crypt            v1.24.0"; echo "linear           v1.4.0" ;;
table) grep -qxF "$2" "$FAKE_DIR/encrypted" 2>/dev/null || exit 1; echo "0 32768 crypt $CIPHER :32:logon:x 0 7:2 0" ;;
*) exit 1 ;;
esac
FAKE
printf '#!/bin/sh\nexit 1\n' >"$TESTTMP/fake/modprobe"
chmod 755 "$TESTTMP/fake/dmsetup" "$TESTTMP/fake/modprobe"
export FAKE_DIR=$TESTTMP/fake CIPHER
# fsw ARGS...: the program with the fake dmsetup; output in sw.out, status in st.
fsw() {
	PATH=$TESTTMP/fake:$PATH timeout 60 "$SWAP" "$@" >"$TESTTMP/sw.out" 2>&1
	st=$?
}

# --- the conversion, -f -n -------------------------------------------------------
reset_etc
fsw -f -n
is "$st" 0 "-f -n: exit 0"
grep -qxF "INFO: Successfully encrypted swap!" "$TESTTMP/sw.out"; ok "  INFO: Successfully encrypted swap!"
grep -qxF "WARNING: [$TESTTMP/notswap] does not appear to be swap space, skipping." "$TESTTMP/sw.out"
ok "a file that is not swap is skipped"
cat >"$TESTTMP/crypttab.want" <<WANT
$(cat "$E/crypttab.orig")
cryptswap2 UUID=$U1 /dev/urandom swap,offset=1024,cipher=$CIPHER
cryptswap3 UUID=$(blkid -c /dev/null -o value -s UUID "${L}p2") /dev/urandom swap,offset=1024,cipher=$CIPHER
cryptswap4 UUID=$U3 /dev/urandom swap,offset=1024,cipher=$CIPHER
WANT
diff -u "$TESTTMP/crypttab.want" "$E/crypttab"; ok "crypttab: the reference's lines, from the first free cryptswapN"
cat >"$TESTTMP/fstab.want" <<WANT
# <file system> <mount point> <type> <options> <dump> <pass>
UUID=0000-not-ours / ext4 errors=remount-ro 0 1
#UUID=$U1 none swap sw 0 0
#${L}p2 none swap sw 0 0
#LABEL=sw2 none swap sw 0 0
${L}p20 none swap sw 0 0
/dev/mapper/cryptswap2 none swap sw 0 0
/dev/mapper/cryptswap3 none swap sw 0 0
/dev/mapper/cryptswap4 none swap sw 0 0
WANT
diff -u "$TESTTMP/fstab.want" "$E/fstab"; ok "fstab: the swaps commented out by UUID, path and label, the mapper lines added"
is "$(grep -c '^WARNING: Commented out your unencrypted swap from ' "$TESTTMP/sw.out")" 3 "  with a warning for each"
is "$(sfdisk --part-attrs "$L" 1)" "GUID:63" "partition 1 marked no-auto (GPT attribute 63)"
is "$(sfdisk --part-attrs "$L" 3)" "GUID:60,63" "partition 3 keeps bit 60 and gets 63"
grep -qxF "marking GPT swap partition ${L}p1 as no-auto..." "$TESTTMP/sw.out"; ok "  says so"
is "$(grep -c "^$L" /proc/swaps)" 3 "-n: the swaps are still on, untouched"
is "$(etc_sums)" "$ETC_BEFORE" "the real /etc/fstab and /etc/crypttab are untouched"

# Again: every swap is in crypttab now.
fsw -f -n
is "$st" 0 "a second run: exit 0"
grep -qxF "WARNING: [${L}p1] already has an entry in $E/crypttab, skipping." "$TESTTMP/sw.out"; ok "  each swap already in crypttab is skipped"
grep -qxF "WARNING: There were no usable swap devices to be encrypted.  Exiting." "$TESTTMP/sw.out"; ok "  nothing to do"
diff -u "$TESTTMP/crypttab.want" "$E/crypttab"; ok "  crypttab unchanged"

# Skips: a crypt mapping already, a RAM device.
reset_etc
echo "${L}p2" >"$TESTTMP/fake/encrypted"
cp "$E/swaps" "$E/swaps.keep"
{ head -n1 "$E/swaps.keep"; grep "^${L}p[12]" "$E/swaps.keep"; } >"$E/swaps"
fsw -f -n
is "$st" 0 "p2 a crypt mapping already: exit 0"
grep -qxF "WARNING: [${L}p2] already appears to be encrypted, skipping." "$TESTTMP/sw.out"; ok "  skipped"
is "$(grep -c '^cryptswap' "$E/crypttab")" 2 "  only p1 added"
is "$(sfdisk --part-attrs "$L" 1)" "GUID:63" "an already marked partition stays marked"
grep -qxF "${L}p1 is already marked as no-auto" "$TESTTMP/sw.out"; ok "  and says so"
rm -f "$TESTTMP/fake/encrypted"
cp "$E/swaps.keep" "$E/swaps"

# The switch-over, its cryptsetup failing: the plain swap is back on.
reset_etc
{ head -n1 "$E/swaps.keep"; grep "^${L}p1" "$E/swaps.keep"; } >"$E/swaps"
printf '#!/bin/sh\necho "fake cryptsetup: $*" >&2\nexit 1\n' >"$TESTTMP/fake/cryptsetup-fails"
chmod 755 "$TESTTMP/fake/cryptsetup-fails"
ECRYPTFS_SETUP_SWAP_CRYPTSETUP=$TESTTMP/fake/cryptsetup-fails fsw -f
is "$st" 1 "the switch-over fails in cryptsetup: exit 1"
grep -qxF "ERROR: Cannot open [${L}p1] as [cryptswap2]; it stays unencrypted until the next boot" "$TESTTMP/sw.out"
ok "  says so"
grep -qF "fake cryptsetup: open --type plain --key-file /dev/urandom --cipher $CIPHER --key-size 256 --offset 1024 ${L}p1 cryptswap2" "$TESTTMP/sw.out"
ok "  cryptsetup was asked for the crypttab line's mapping"
grep -q "^${L}p1 " /proc/swaps; ok "  the plain swap is on again"
grep -qxF "cryptswap2 UUID=$U1 /dev/urandom swap,offset=1024,cipher=$CIPHER" "$E/crypttab"; ok "  the files are written for the next boot"
cp "$E/swaps.keep" "$E/swaps"

# --- the confirmation -------------------------------------------------------------
reset_etc
echo n | PATH=$TESTTMP/fake:$PATH timeout 60 "$SWAP" -n >"$TESTTMP/c.out" 2>&1
is $? 0 "answered n: exit 0"
grep -qF 'Do you want to proceed with encrypting your swap? [y/N]: ' "$TESTTMP/c.out"; ok "  the reference's question"
grep -qF 'WILL BREAK HIBERNATE/RESUME' "$TESTTMP/c.out"; ok "  the hibernation warning"
grep -qxF 'INFO: Aborting.' "$TESTTMP/c.out"; ok "  INFO: Aborting."
cmp -s "$E/crypttab" "$E/crypttab.orig" && cmp -s "$E/fstab" "$E/fstab.orig"; ok "  nothing written"
echo y | PATH=$TESTTMP/fake:$PATH timeout 60 "$SWAP" -n >"$TESTTMP/c.out" 2>&1
is $? 0 "answered y: exit 0"
is "$(grep -c '^cryptswap' "$E/crypttab")" 4 "  the swaps added"

# --- no swap at all --------------------------------------------------------------
reset_etc
ECRYPTFS_SETUP_SWAP_PROC_SWAPS=$E/swaps.none fsw -f -n
is "$st" 0 "no swap: exit 0"
grep -qxF 'INFO: You do not currently have any swap space defined.' "$TESTTMP/sw.out"; ok "  says so"
grep -qF ' $ sudo mkswap /swapfile' "$TESTTMP/sw.out"; ok "  and how to make one"
cmp -s "$E/crypttab" "$E/crypttab.orig"; ok "  nothing written"

# --- refusals -----------------------------------------------------------------------
ECRYPTFS_SETUP_SWAP_CRYPTSETUP=/nonexistent/cryptsetup fsw -f -n
is "$st" 1 "no cryptsetup: exit 1"
grep -qxF "ERROR: Please install 'cryptsetup'" "$TESTTMP/sw.out"; ok "  ERROR: Please install 'cryptsetup'"
touch "$TESTTMP/fake/no-crypt"
fsw -f -n
is "$st" 1 "no dm-crypt in the kernel: exit 1"
grep -q "^ERROR: The kernel has no dm-crypt" "$TESTTMP/sw.out"; ok "  says so"
cmp -s "$E/crypttab" "$E/crypttab.orig"; ok "  nothing written"
rm "$TESTTMP/fake/no-crypt"
setpriv --reuid=65534 --regid=65534 --clear-groups -- env PATH="$TESTTMP/fake:$PATH" \
	"$SWAP" -f -n >"$TESTTMP/nr.out" 2>&1
is $? 1 "not root: exit 1"
grep -qxF "ERROR: This program must be run with 'sudo', or as root" "$TESTTMP/nr.out"; ok "  says so"
fsw --bogus
is "$st" 1 "an unknown option: exit 1"
grep -qF 'ecryptfs-setup-swap [-f|--force] [-n|--no-reload]' "$TESTTMP/sw.out"; ok "  with the usage"
fsw --help
is "$st" 0 "--help: exit 0"
grep -qF -- '--no-reload' "$TESTTMP/sw.out"; ok "  the options"

# --- this machine's dm-crypt -------------------------------------------------------
# A probe mapping on a scratch loop device says whether dm-crypt works here.
truncate -s 8M "$TESTTMP/probe.img"
PL=$(losetup -f --show "$TESTTMP/probe.img") && echo "$PL" >>"$TESTTMP/loops"
if cryptsetup open --type plain --key-file /dev/urandom --key-size 256 --cipher $CIPHER \
	"$PL" "ecfs-probe-$$" >/dev/null 2>&1; then
	cryptsetup close "ecfs-probe-$$"
	diag "dm-crypt works here: the real switch-over"
	swapoff "${L}p2" "${L}p3"
	{ head -n1 /proc/swaps; grep "^${L}p1" /proc/swaps; } >"$E/swaps"
	reset_etc
	timeout 60 "$SWAP" -f >"$TESTTMP/e2e.out" 2>&1
	is $? 0 "dm-crypt: the switch-over, exit 0"
	N=$(sed -n 's/^\(cryptswap[0-9]*\) UUID=.*/\1/p' "$E/crypttab")
	E2E_MAPS=$N
	test -b "/dev/mapper/$N"; ok "  /dev/mapper/$N exists"
	grep -q "^${L}p1 " /proc/swaps; test $? -ne 0; ok "  the plain partition is off"
	dm=$(readlink -f "/dev/mapper/$N")
	grep -q "^$dm " /proc/swaps; ok "  the mapping is the swap now"
	cryptsetup status "$N" >"$TESTTMP/status" 2>&1
	grep -q "cipher: *$CIPHER" "$TESTTMP/status" && grep -q "offset: *1024 sectors" "$TESTTMP/status"
	ok "  as the crypttab line says ($CIPHER, offset 1024)"
else
	diag "dm-crypt does not work here: the refusal"
	timeout 60 "$SWAP" -f -n >"$TESTTMP/e2e.out" 2>&1
	is $? 1 "no dm-crypt on this machine: exit 1"
	grep -q "^ERROR: The kernel has no dm-crypt" "$TESTTMP/e2e.out"; ok "  says so"
	cmp -s "$E/crypttab" "$E/crypttab.orig" || [ ! -e "$E/crypttab" ]; ok "  nothing written"
fi
is "$(etc_sums)" "$ETC_BEFORE" "the real /etc/fstab and /etc/crypttab are untouched at the end"
tap_done
