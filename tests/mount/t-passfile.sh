# mount.ecryptfs: passphrase_passwd_file / passphrase_passwd_fd (and their
# aliases), the "passwd=" file syntax, and ~/.ecryptfsrc merged under -o
# (doc/compatibility.md §2.4, §4.2).
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/mount/lib.sh"
mt_user
F=$MT/pw-passwd R=$MT/pw-raw G=$MT/pw-long
printf 'passwd=secret\n' >"$F"
printf 'secret\n' >"$R"
printf 'passphrase_passwd=secret\n' >"$G"
chmod 644 "$F" "$R" "$G"

mt_compare "passphrase_passwd_file passwd=" "$N" "$L" "$U" -o "key=passphrase:passphrase_passwd_file=$F,$Q,$A"
is "$(mt_opts)" "ecryptfs_sig=7a1719eb53966dd1,ecryptfs_unlink_sigs,ecryptfs_cipher=aes,ecryptfs_key_bytes=16" "passwd file: sig 7a1719eb53966dd1"
mt_compare "passfile alias, passphrase_passwd=" "$N" "$L" "$U" -o "key=passphrase:passfile=$G,$Q,$A"
mt_compare "passphrase_passwd_file as its own option" "$N" "$L" "$U" -o "key=passphrase,passphrase_passwd_file=$F,$Q,$A"
mt_compare "raw passphrase file fails" "$N" "$L" "$U" -o "key=passphrase:passphrase_passwd_file=$R,$Q,$A"
check "raw file: says why" grep -q 'Cannot find \[passwd\] directive' "$MT/err"
mt_compare "missing passphrase file" "$N" "$L" "$U" -o "key=passphrase:passphrase_passwd_file=$MT/nope,$Q,$A"
MT_FD3=$F mt_compare "passphrase_passwd_fd=3" "$N" "$L" "$U" -o "key=passphrase:passphrase_passwd_fd=3,$Q,$A"
is "$(mt_opts)" "ecryptfs_sig=7a1719eb53966dd1,ecryptfs_unlink_sigs,ecryptfs_cipher=aes,ecryptfs_key_bytes=16" "fd: sig 7a1719eb53966dd1"
MT_FD3=$F mt_compare "passfd alias, hex fd" "$N" "$L" "$U" -o "key=passphrase:passfd=0x3,$Q,$A"
MT_FD3=$R mt_compare "raw passphrase on fd fails" "$N" "$L" "$U" -o "key=passphrase:passphrase_passwd_fd=3,$Q,$A"
mt_compare "passwd beats passfile" "$N" "$L" "$U" -o "key=passphrase:passphrase_passwd=secret,passphrase_passwd_file=$R,$Q,$A"

# ~/.ecryptfsrc of the passwd home, under -o
RC=$MT_HOME/.ecryptfsrc
printf 'key=passphrase:passphrase_passwd_file=%s\necryptfs_cipher=blowfish\necryptfs_key_bytes=56\n' "$F" >"$RC"
chown "$MT_USER" "$RC"
mt_compare "rc file supplies key and cipher" "$N" "$L" "$U" -o "rw,$Q"
mt_compare "command line beats rc" "$N" "$L" "$U" -o "rw,$Q,$A"
printf 'salt=a1b2c3d4e5f60718\nkey=passphrase\npassphrase_passwd=secret\n' >"$RC"
mt_compare "rc salt" "$N" "$L" "$U" -o "$Q,$A"
printf 'verbosity=0\n' >"$RC"
mt_compare "rc verbosity=0" "$N" "$L" "$U" -o "key=passphrase:passwd=secret,$A"
printf 'key=passphrase:passwd=secret\necryptfs_cipher=aes\necryptfs_key_bytes=16\nno_sig_cache\nverbosity=0\n' >"$RC"
mt_compare "rc only" "$N" "$L" "$U"
rm -f "$RC"
tap_done
