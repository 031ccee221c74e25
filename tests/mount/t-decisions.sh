# mount.ecryptfs where we decided against the reference
# (doc/compatibility.md §4.5): each input is run through both, and the
# difference is exactly the documented one.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/mount/lib.sh"
mt_user
K=ecryptfs_sig=7a1719eb53966dd1,ecryptfs_unlink_sigs

both() {	# -o STRING: sets REF and OURS to the kernel option strings
	mt_run ref mount.ecryptfs "$L" "$U" -o "$1" </dev/null; REF=$(mt_opts)
	mt_run ours mount.ecryptfs "$L" "$U" -o "$1" </dev/null; OURS=$(mt_opts)
}

# the reference drops these silently; we pass them on
both "$P,$Q,$A,ecryptfs_xattr_metadata"
is "$REF" "$K,ecryptfs_cipher=aes,ecryptfs_key_bytes=16" "reference drops ecryptfs_xattr_metadata"
is "$OURS" "$K,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,ecryptfs_xattr_metadata" "ours passes ecryptfs_xattr_metadata"
both "rw,user_xattr,$P,$Q,$A"
is "$REF" "$K,rw,ecryptfs_cipher=aes,ecryptfs_key_bytes=16" "reference drops user_xattr"
is "$OURS" "$K,rw,user_xattr,ecryptfs_cipher=aes,ecryptfs_key_bytes=16" "ours passes user_xattr"
both "$P,$Q,$A,ecryptfs_xattr,ecryptfs_xattr_metadata"
is "$OURS" "ecryptfs_sig=7a1719eb53966dd1,ecryptfs_unlink_sigs,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,ecryptfs_xattr_metadata" "ecryptfs_xattr plus the direct option: once"
is "$REF" "ecryptfs_sig=7a1719eb53966dd1,ecryptfs_xattr_metadata,ecryptfs_unlink_sigs,ecryptfs_cipher=aes,ecryptfs_key_bytes=16" "(the reference: from the graph)"

# secrets: the reference hands a passphrase given as its own option to
# mount(8)'s argv and the kernel; we never do
both "key=passphrase,passwd=secret,$Q,$A"
is "$REF" "$K,passwd=secret,ecryptfs_cipher=aes,ecryptfs_key_bytes=16" "reference puts passwd= on mount's argv"
is "$OURS" "$K,ecryptfs_cipher=aes,ecryptfs_key_bytes=16" "ours does not"
both "key=passphrase,passphrase_passwd=secret,$Q,$A"
is "$OURS" "$K,ecryptfs_cipher=aes,ecryptfs_key_bytes=16" "nor passphrase_passwd="
check "no secret anywhere in the argv" bash -c "! grep -q secret '$MT/log'"
mt_run ours mount.ecryptfs "$L" "$U" -o "$P,$Q,$A,verbose" </dev/null
check "verbose: no secret on stdout/stderr" bash -c "! grep -q secret '$MT/out' '$MT/err'"

# the passphrase leaves our /proc/PID/cmdline at once: hold the helper at
# the sig-cache question and look
mkfifo "$MT/fifo"
chmod 666 "$MT/fifo"
mt_run ours mount.ecryptfs "$L" "$U" -o "key=passphrase:passwd=hushhush:salt=0011223344556677,passphrase_passwd=hushhush,$A,ecryptfs_passthrough=n,ecryptfs_enable_filename_crypto=n" <"$MT/fifo" &
bg=$!
exec 4>"$MT/fifo"
cmd=
for i in $(seq 1 100); do
	pid=$(pgrep -u "$MT_USER" -f 'mount.ecryptfs' | head -1)
	[ -n "$pid" ] && grep -q 'WARNING' "$MT/out" 2>/dev/null && { cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline"); break; }
	sleep 0.1
done
echo no >&4
exec 4>&-
wait $bg
check "helper found at the sig-cache question" test -n "$cmd"
check "no passphrase in its cmdline" bash -c "! grep -q hushhush <<<'$cmd'"
check "the rest of the options still there" grep -q 'key=passphrase:passwd=\*\*\*\*\*\*\*\*:salt=0011223344556677,passphrase_passwd=\*\*\*\*\*\*\*\*,ecryptfs_cipher' <<<"$cmd"
diag "cmdline: $cmd"

# messages: "prog: what failed: why" besides the reference's lines
mt_run ours mount.ecryptfs "$L" "$U" -o "$P,$Q,ecryptfs_cipher=aes" </dev/null
check "missing key_bytes: names it" grep -q '^mount.ecryptfs: .*ecryptfs_key_bytes' "$MT/err"
mt_run ours mount.ecryptfs "$L" "$U" -o "key=passphrase:salt=xyz:passwd=secret,$Q,$A" </dev/null
is "$?" 234 "bad salt: -EINVAL"
check "bad salt: says why" grep -q '^mount.ecryptfs: passphrase_salt' "$MT/err"
mt_run ours mount.ecryptfs "$L" "$U" -o "key=passphrase:passwd=$(printf '%065d' 0),$Q,$A" </dev/null
is "$?" 234 "65-byte passphrase: -EINVAL"
check "65-byte passphrase: says why" grep -q '^mount.ecryptfs: passphrase_passwd' "$MT/err"
mt_run ours mount.ecryptfs "$L" "$U" -o "key=gpg,$Q,$A" </dev/null
check "unknown key module: named" grep -q '^mount.ecryptfs: key=gpg' "$MT/err"

# a token of 128 characters or more: the reference ignores it and every
# option after it without a word; we refuse, naming the option
# (doc/compatibility.md §4.5, tests/mount/t-messages.sh)
long="comment=$(printf 'c%.0s' {1..130})"
mt_run ref mount.ecryptfs "$L" "$U" -o "$P,$Q,$A,$long,ecryptfs_passthrough=y" </dev/null
is "$? $(mt_opts)" "0 $K,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,$long" \
	"reference: a long token, then passthrough=y: mounts without passthrough"
mt_run ours mount.ecryptfs "$L" "$U" -o "$P,$Q,$A,$long,ecryptfs_passthrough=y" </dev/null
is "$? $(mt_opts)" "234 (none)" "ours: refused, no mount"
check "... naming the option" grep -qx 'mount.ecryptfs: comment: value too long (max 119)' "$MT/err"
# where the reference fails anyway (the passphrase after the long token is
# lost), the lines and the status are the reference's, plus ours
mt_run ref mount.ecryptfs "$L" "$U" -o "$Q,$A,$long,$P" </dev/null
echo "$?" >"$MT/ref.st"; cp "$MT/out" "$MT/ref.out"
mt_run ours mount.ecryptfs "$L" "$U" -o "$Q,$A,$long,$P" </dev/null
is "$?" "$(cat "$MT/ref.st")" "a long token before the passphrase: the reference's status"
check "... and its stdout" diff "$MT/ref.out" "$MT/out"

# --help
check "mount.ecryptfs --help" bash -c "'$(prog mount.ecryptfs)' --help | grep -q 'datapath=kernel|fuse|auto'"
check "umount.ecryptfs --help" bash -c "'$(prog umount.ecryptfs)' --help | grep -q 'eCryptfs umount helper'"
check "man pages" test -s "$SRCDIR/doc/mount.ecryptfs.8" -a -s "$SRCDIR/doc/umount.ecryptfs.8"
tap_done
