#!/bin/bash
# mount.ecryptfs's own lines say what is wrong: a key size the cipher does
# not take names the sizes it does; an option token too long for the
# tokenizer names the option and the longest value it may have (the
# reference silently ignored it and everything after it); and where the
# reference's lines send the user to the system log, the reason is there
# (tests/lib/syslog.sh catches what the helper sends to /dev/log).
# The helper runs as root in a session keyring of its own with the FUSE data
# path forced and ECRYPTFS_FUSE_PROG standing in for the daemon; sig= skips
# the key module, so no key is ever added.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/lib/syslog.sh"

MOUNT=$(prog mount.ecryptfs)
L=$TESTTMP/lower U=$TESTTMP/upper
mkdir -p "$L" "$U"
Q=sig=0011223344556677,no_sig_cache,verbosity=0,datapath=fuse

# run OPTIONS [FUSE-PROG]: stdout, stderr (without keyctl's line), syslog
# lines and the status in $TESTTMP/{out,err,log}, $ST
run() {
	ECRYPTFS_FUSE_PROG=${2:-/bin/true} syslog_run "$TESTTMP/log" \
		keyctl session - "$MOUNT" "$L" "$U" -o "$1" </dev/null >"$TESTTMP/out" 2>"$TESTTMP/err.raw"
	ST=$?
	grep -v '^Joined session keyring' "$TESTTMP/err.raw" >"$TESTTMP/err"
}

# --- key sizes
run "$Q,ecryptfs_cipher=aes,ecryptfs_key_bytes=17"
is "$ST $(cat "$TESTTMP/err")" "234 mount.ecryptfs: ecryptfs_key_bytes=17: aes takes 16, 24 or 32" \
	"aes with 17 bytes: the sizes aes takes"
check "... after the reference's line on stdout" \
	grep -qx 'Error attempting to evaluate mount options: \[-22\] Invalid argument' "$TESTTMP/out"
run "$Q,ecryptfs_cipher=blowfish,ecryptfs_key_bytes=20"
is "$(cat "$TESTTMP/err")" "mount.ecryptfs: ecryptfs_key_bytes=20: blowfish takes 16, 32 or 56" \
	"blowfish with 20 bytes: the sizes of its menu"
run "$Q,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,min_key_bytes=24"
is "$(cat "$TESTTMP/err")" "mount.ecryptfs: ecryptfs_key_bytes=16: aes takes 24 or 32" \
	"min_key_bytes narrows the sizes named"
run "$Q,ecryptfs_cipher=aes,ecryptfs_key_bytes=x"
is "$(cat "$TESTTMP/err")" "mount.ecryptfs: ecryptfs_key_bytes=x: aes takes 16, 24 or 32" \
	"not a number: the same"

# --- the system log the reference's lines point to
run "$Q,ecryptfs_cipher=aes,ecryptfs_key_bytes=17"
check "'Check your system logs for details': the reason is in the system log" \
	grep -q 'mount.ecryptfs\[[0-9]*\]: ecryptfs_key_bytes=17: aes takes 16, 24 or 32$' "$TESTTMP/log"
run "$Q,ecryptfs_cipher=aes,ecryptfs_key_bytes=16" /bin/false
check "a failed mount prints the reference's lines" \
	grep -qx 'Check your system logs; visit <http://ecryptfs.org/support.html>' "$TESTTMP/out"
check "... and the failure is in the system log" \
	grep -q "mount.ecryptfs\[[0-9]*\]: mounting $L on $U: " "$TESTTMP/log"
run "$Q,ecryptfs_cipher=aes,ecryptfs_key_bytes=16"
is "$ST $(grep -c . "$TESTTMP/log")" "0 0" "a mount that works logs nothing"

# --- tokens of 128 characters or more
long=$(printf 'a%.0s' {1..200})
run "no_sig_cache,verbosity=0,datapath=fuse,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,key=passphrase:passphrase_passwd=$long"
is "$ST $(cat "$TESTTMP/err")" "234 mount.ecryptfs: passphrase_passwd: value too long (max 94)" \
	"a long passphrase_passwd in key=: named, with the longest value it may have"
check "... the value is nowhere" bash -c "! grep -q aaaaaaaa '$TESTTMP/out' '$TESTTMP/err' '$TESTTMP/log'"
check "... nothing reached the daemon" bash -c "! grep -q 'Attempting to mount' '$TESTTMP/out'"
run "$Q,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,ecryptfs_fnek_sig=$long,ecryptfs_passthrough=y"
is "$ST $(cat "$TESTTMP/err")" "234 mount.ecryptfs: ecryptfs_fnek_sig: value too long (max 109)" \
	"a long ecryptfs_fnek_sig: named, max 127 - 18"
run "$Q,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,$long"
is "$ST $(cat "$TESTTMP/err")" "234 mount.ecryptfs: option 7: too long (max 127 characters)" \
	"a long token without a value: its position"
c127="comment=$(printf 'c%.0s' {1..119})"
run "$Q,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,$c127"
is "${#c127} $ST $(cat "$TESTTMP/err")" "127 0 " "127 characters are fine"
run "$Q,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,${c127}c"
is "$ST $(cat "$TESTTMP/err")" "234 mount.ecryptfs: comment: value too long (max 119)" "128 are not"
tap_done
