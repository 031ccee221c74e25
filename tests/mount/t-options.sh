# mount.ecryptfs, non-interactive: for a matrix of -o strings the kernel
# option string, stdout, stderr, exit status and the argv of /bin/mount must
# be the reference's, byte for byte (doc/compatibility.md §4.2).
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/mount/lib.sh"
mt_user

# the example of doc/compatibility.md §4.2 and the quirks it lists
mt_compare "documented example" "$N" "$L" "$U" -o "rw,$P,ecryptfs_cipher=aes,ecryptfs_key_bytes=32,ecryptfs_passthrough=n,ecryptfs_enable_filename_crypto=y,ecryptfs_fnek_sig=7a1719eb53966dd1,$Q"
mt_compare "unknown option passes" "$N" "$L" "$U" -o "$P,$A,$Q,ecryptfs_mount_auth_tok_only,nosuid,relatime"
mt_compare "ecryptfs_xattr translated" "$N" "$L" "$U" -o "$P,$A,$Q,ecryptfs_xattr"
mt_compare "xattr_user kept" "$N" "$L" "$U" -o "$P,$A,$Q,xattr_user_foo"
mt_compare "encrypted_view=y" "$N" "$L" "$U" -o "$P,$A,$Q,ecryptfs_encrypted_view=y"
mt_compare "xattr=maybe" "$N" "$L" "$U" -o "$P,$A,$Q,ecryptfs_xattr=maybe"
# passthrough
mt_compare "passthrough=y" "$N" "$L" "$U" -o "$P,$A,$Q,ecryptfs_passthrough=y"
mt_compare "passthrough=yes" "$N" "$L" "$U" -o "$P,$A,$Q,ecryptfs_passthrough=yes"
mt_compare "passthrough=n" "$N" "$L" "$U" -o "$P,$A,$Q,ecryptfs_passthrough=n"
mt_compare "passthrough bare" "$N" "$L" "$U" -o "$P,$A,$Q,ecryptfs_passthrough"
mt_compare "passthrough=maybe" "$N" "$L" "$U" -o "$P,$A,$Q,ecryptfs_passthrough=maybe"
# filename encryption
mt_compare "fnek y without sig" "$N" "$L" "$U" -o "$P,$A,$Q,ecryptfs_enable_filename_crypto=y"
mt_compare "fnek y with sig" "$N" "$L" "$U" -o "$P,$A,$Q,ecryptfs_enable_filename_crypto=y,ecryptfs_fnek_sig=1122334455667788"
mt_compare "fnek n with sig" "$N" "$L" "$U" -o "$P,$A,$Q,ecryptfs_enable_filename_crypto=n,ecryptfs_fnek_sig=1122334455667788"
mt_compare "everything on" "$N" "$L" "$U" -o "$P,$A,$Q,ecryptfs_passthrough=y,ecryptfs_xattr=y,ecryptfs_encrypted_view=y,ecryptfs_enable_filename_crypto=y,ecryptfs_fnek_sig=1122334455667788"
# ciphers and key sizes
for ck in aes:16 aes:24 aes:32 blowfish:16 blowfish:56 des3_ede:24 twofish:32 cast6:16 cast5:16 aes:20 blowfish:24 foo:16 2:16; do
	mt_compare "cipher ${ck%:*} ${ck#*:}" "$N" "$L" "$U" -o "$P,$Q,ecryptfs_cipher=${ck%:*},ecryptfs_key_bytes=${ck#*:}"
done
mt_compare "last duplicate wins" "$N" "$L" "$U" -o "$P,$Q,ecryptfs_cipher=aes,ecryptfs_cipher=blowfish,ecryptfs_key_bytes=56"
mt_compare "cipher= alias is only scrubbed" "$N" "$L" "$U" -o "$P,$Q,cipher=aes,ecryptfs_key_bytes=16"
mt_compare "min/max_key_bytes" "$N" "$L" "$U" -o "$P,$Q,$A,min_key_bytes=16,max_key_bytes=16"
# required values when prompting is off
mt_compare "no key_bytes" "$N" "$L" "$U" -o "$P,$Q,ecryptfs_cipher=aes"
mt_compare "no cipher" "$N" "$L" "$U" -o "$P,$Q,ecryptfs_key_bytes=16"
mt_compare "no key=" "$N" "$L" "$U" -o "$Q,$A,passwd=secret"
mt_compare "no passphrase" "$N" "$L" "$U" -o "key=passphrase,$Q,$A"
mt_compare "no_prompt" "$N" "$L" "$U" -o "$P,no_sig_cache,no_prompt,$A"
mt_compare "wild_ass_guess" "$N" "$L" "$U" -o "$P,wild_ass_guess,$A"
mt_compare "no_prompt with verbosity=1" "$N" "$L" "$U" -o "$P,no_prompt,verbosity=1,no_sig_cache,$A"
mt_compare "verbosity=0 then verbosity=1" "$N" "$L" "$U" -o "$P,verbosity=0,verbosity=1,$A"
# assembly: empty tokens, strstr de-duplication, user sig kept
mt_compare "empty tokens" "$N" "$L" "$U" -o ",rw,,nosuid,$P,$Q,$A,"
mt_compare "present anywhere is skipped" "$N" "$L" "$U" -o "$P,$Q,$A,zecryptfs_unlink_sigsz"
mt_compare "explicit unlink_sigs" "$N" "$L" "$U" -o "$P,$Q,$A,ecryptfs_unlink_sigs"
mt_compare "user ecryptfs_sig kept" "$N" "$L" "$U" -o "$P,$Q,$A,ecryptfs_sig=0011223344556677"
mt_compare "sig= skips the key module" "$N" "$L" "$U" -o "$Q,$A,sig=7a1719eb53966dd1"
mt_compare "salt" "$N" "$L" "$U" -o "key=passphrase:passphrase_passwd=secret:salt=0102030405060708,$Q,$A"
mt_compare "passphrase_salt" "$N" "$L" "$U" -o "$P,passphrase_salt=a1b2c3d4e5f60718,$Q,$A"
mt_compare "verbose" "$N" "$L" "$U" -o "$P,$Q,$A,verbose"
mt_compare "remount refused" "$N" "$L" "$U" -o "$P,$Q,$A,remount"
# trailing slashes and relative paths
# (In this shell, not a subshell: the counts of is/check must survive it.)
cd "$MT" || exit 1
mt_compare "trailing slash" "$N" lower/ upper// -o "$P,$Q,$A"
cd "$OLDPWD" || exit 1
mt_compare "missing mount point" "$N" "$L" "$MT/nonexistent" -o "$P,$Q,$A"
mt_compare "too few arguments" "$N" "$L"
# mount(8) exit status mapping
for rc in 1 2 19 32; do
	MT_RC=$rc mt_compare "mount exits $rc" "$N" "$L" "$U" -o "$P,$Q,$A"
done
tap_done
