# mount.ecryptfs in a pty: prompts, their order and spelling, menus, default
# selections, number and name selection, re-prompting on bad input, the
# signature-cache questions (doc/compatibility.md §4.3).
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/mount/lib.sh"
mt_user
D=$TESTTMP/dlg
T=$(printf '\t')

# all defaults, filename encryption with the suggested FNEK sig, then accept
# the sig-cache warning and record the sig
cat >"$D" <<EOS
Passphrase: ${T}secret
Selection [aes]: $T<empty>
Selection [16]: $T<empty>
Enable plaintext passthrough (y/n) [n]: $T<empty>
Enable filename encryption (y/n) [n]: ${T}y
Signature [7a1719eb53966dd1]: $T<empty>
(yes/no)? : ${T}yes
(yes/no)? : ${T}yes
EOS
mt_dialogue_compare "defaults, no -o" "$D" "$L" "$U"
check "sig cache holds sig + newline (17 bytes)" test "$(cat "$MT_HOME/.ecryptfs/sig-cache.txt")" = 7a1719eb53966dd1
is "$(stat -c %s "$MT_HOME/.ecryptfs/sig-cache.txt")" 17 "sig cache is 17 bytes"
is "$(stat -c %a "$MT_HOME/.ecryptfs/sig-cache.txt")" 600 "sig cache mode 0600"
is "$(stat -c %a "$MT_HOME/.ecryptfs")" 700 "~/.ecryptfs mode 0700"
is "$(stat -c %U "$MT_HOME/.ecryptfs/sig-cache.txt")" "$MT_USER" "sig cache owned by the user"

# known sig: no warning the second time (ours, with the cache ours wrote)
cat >"$D" <<EOS
Passphrase: ${T}secret
Selection [aes]: $T<empty>
Selection [16]: $T<empty>
Enable plaintext passthrough (y/n) [n]: $T<empty>
Enable filename encryption (y/n) [n]: $T<empty>
EOS
mt_dialogue ours "$D" "$L" "$U"
is "$?" 0 "known sig: mounted"
check "known sig: no warning" bash -c "! grep -q WARNING '$MT/ours.tty'"
check "known sig: Mounted eCryptfs" grep -qx 'Mounted eCryptfs' "$MT/ours.tty"

# bad input everywhere: empty passphrase, bad cipher numbers and names,
# a name, a bad key size then a number, a bad y/n answer, sig-cache retries
cat >"$D" <<EOS
Passphrase: $T<empty>
Passphrase: ${T}secret
Selection [aes]: ${T}9
Selection [aes]: ${T}foo
Selection [aes]: ${T}blowfish
Selection [16]: ${T}7
Selection [16]: ${T}3
Enable plaintext passthrough (y/n) [n]: ${T}maybe
Enable plaintext passthrough (y/n) [n]: ${T}yes
Enable filename encryption (y/n) [n]: ${T}n
(yes/no)? : ${T}maybe
(yes/no)? : ${T}y
(yes/no)? : ${T}yes
(yes/no)? : ${T}nah
(yes/no)? : ${T}no
EOS
mt_dialogue_compare "bad input, -o rw" "$D" "$L" "$U" -o rw
check "declined append: no cache file" test ! -e "$MT_HOME/.ecryptfs/sig-cache.txt"

# one key size, a typed FNEK sig, numbers
cat >"$D" <<EOS
Passphrase: ${T}secret
Selection [aes]: ${T}3
Selection [24]: $T<empty>
Enable plaintext passthrough (y/n) [n]: ${T}n
Enable filename encryption (y/n) [n]: ${T}yes
Signature [7a1719eb53966dd1]: ${T}0011223344556677
EOS
mt_dialogue_compare "des3_ede, typed FNEK sig" "$D" "$L" "$U" -o no_sig_cache

# the values given on the command line are not asked for
cat >"$D" <<EOS
Selection [16]: ${T}2
Enable filename encryption (y/n) [n]: $T<empty>
EOS
mt_dialogue_compare "partly given" "$D" "$L" "$U" -o key=passphrase:passwd=secret,ecryptfs_cipher=twofish,ecryptfs_passthrough=n,no_sig_cache

# sig cache: "no" aborts with status 0; five bad answers fail
cat >"$D" <<EOS
(yes/no)? : ${T}no
EOS
O=key=passphrase:passwd=other,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,ecryptfs_passthrough=n,ecryptfs_enable_filename_crypto=n
mt_dialogue_compare "sig cache: no" "$D" "$L" "$U" -o "$O"
check "sig cache: no -> Aborting mount." grep -qx 'Aborting mount.' "$MT/ours.tty"
is "$(mt_opts "$MT/ours.argv")" "(none)" "sig cache: no -> nothing mounted"
printf '(yes/no)? : \tx\n(yes/no)? : \tx\n(yes/no)? : \tx\n(yes/no)? : \tx\n(yes/no)? : \tx\n' >"$D"
mt_dialogue_compare "sig cache: five bad answers" "$D" "$L" "$U" -o "$O"
# only the whole words count here: y, n and an empty line are asked again
printf '(yes/no)? : \ty\n(yes/no)? : \t\n(yes/no)? : \tn\n(yes/no)? : \tY\n(yes/no)? : \tx\n' >"$D"
mt_dialogue_compare "sig cache: y, n and empty are no answers" "$D" "$L" "$U" -o "$O"
printf '(yes/no)? : \tyes\n(yes/no)? : \tx\n(yes/no)? : \tx\n(yes/no)? : \tx\n(yes/no)? : \tx\n(yes/no)? : \tx\n' >"$D"
mt_dialogue_compare "sig cache: five bad append answers" "$D" "$L" "$U" -o "$O"

# a kernel with HMAC (0x80): its question, without a default shown; the
# passphrase from a file named at the "Passphrase File" prompt
printf 'passwd=secret\n' >"$MT/pwfile"
chmod 644 "$MT/pwfile"
cat >"$D" <<EOS
Passphrase File: ${T}$MT/pwfile
Enable plaintext passthrough (y/n) [n]: $T<empty>
Enable HMAC integrity verification (y/N): ${T}maybe
Enable HMAC integrity verification (y/N): $T<empty>
Enable filename encryption (y/n) [n]: $T<empty>
EOS
MT_VER=1023 mt_dialogue_compare "HMAC kernel, passphrase file prompt" "$D" "$L" "$U" -o key=passphrase:passphrase_type=passphrase_passwd_file,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,no_sig_cache
cat >"$D" <<EOS
Passphrase File Discriptor: ${T}3
Enable plaintext passthrough (y/n) [n]: $T<empty>
Enable filename encryption (y/n) [n]: $T<empty>
EOS
MT_FD3=$MT/pwfile mt_dialogue_compare "fd prompt (sic)" "$D" "$L" "$U" -o key=passphrase:passphrase_type=passphrase_passwd_fd,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,no_sig_cache

# given values: a bad cipher or key size fails even when asking; a bad y/n
# value is asked for
: >"$D"
mt_dialogue_compare "bad given cipher" "$D" "$L" "$U" -o key=passphrase:passwd=secret,ecryptfs_cipher=foo,no_sig_cache
mt_dialogue_compare "bad given key size" "$D" "$L" "$U" -o key=passphrase:passwd=secret,ecryptfs_cipher=aes,ecryptfs_key_bytes=20,no_sig_cache
cat >"$D" <<EOS
Enable plaintext passthrough (y/n) [n]: $T<empty>
Enable filename encryption (y/n) [n]: $T<empty>
EOS
mt_dialogue_compare "bad given passthrough value" "$D" "$L" "$U" -o key=passphrase:passwd=secret,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,ecryptfs_passthrough=maybe,no_sig_cache

# three empty passphrases: the reference ends the graph and fails on the
# missing key size; a passphrase over 64 bytes fails at once
printf 'Passphrase: \t<empty>\nPassphrase: \t<empty>\nPassphrase: \t<empty>\n' >"$D"
mt_dialogue_compare "three empty passphrases" "$D" "$L" "$U" -o no_sig_cache
check "three empty: Required mount option not provided" grep -qx 'Required mount option not provided: \[ecryptfs_key_bytes=\]' "$MT/ours.tty"
printf 'Passphrase: \t%065d\n' 0 >"$D"
mt_dialogue_compare "65-byte passphrase" "$D" "$L" "$U" -o no_sig_cache

# the passphrase is never echoed (answer once echo is off) nor printed
cat >"$D" <<EOS
Passphrase: $T<slow>hushhush
Selection [aes]: $T<empty>
Selection [16]: $T<empty>
Enable plaintext passthrough (y/n) [n]: $T<empty>
Enable filename encryption (y/n) [n]: $T<empty>
EOS
mt_dialogue ours "$D" "$L" "$U" -o no_sig_cache
is "$?" 0 "slow passphrase: mounted"
check "passphrase not echoed or printed" bash -c "! grep -q hushhush '$MT/ours.raw'"
tap_done
