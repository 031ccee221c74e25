# ecryptfs-mount-private / ecryptfs-umount-private as a test user: the
# reference's flow (silent mount with keys, else the passphrase prompt, up
# to three tries), messages and exit codes.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/private/lib.sh"
U=ecfspm$$a
new_user "$U"; ok "test user made"
H=$(home_of "$U")
as "$U" ecryptfs-mount-private </dev/null >"$TESTTMP/n.out" 2>&1
is $? 1 "not set up: exit 1"
grep -q 'ERROR: Encrypted private directory is not setup properly' "$TESTTMP/n.out"; ok "not setup properly"
LOGINPASS="$U-pw-123" ecryptfs-setup-private -u "$U" </dev/null >/dev/null 2>&1; ok "setup-private"
as "$U" keyctl clear @u >/dev/null 2>&1
printf 'bad1\nbad2\nbad3\n' | as "$U" ecryptfs-mount-private >"$TESTTMP/b.out" 2>&1
is $? 1 "three wrong passphrases: exit 1"
is "$(grep -c 'ERROR: Your passphrase is incorrect' "$TESTTMP/b.out")" 3 "Your passphrase is incorrect, three times"
grep -q 'ERROR: Too many incorrect password attempts, exiting' "$TESTTMP/b.out"; ok "Too many incorrect password attempts"
is_mounted "$H/Private"; test $? -ne 0; ok "not mounted"
printf 'bad\n%s\n' "$U-pw-123" | as "$U" ecryptfs-mount-private >"$TESTTMP/g.out" 2>&1
is $? 0 "a wrong then the right login passphrase: mounted"
grep -q 'Enter your login passphrase:' "$TESTTMP/g.out"; ok "the reference's prompt"
is_mounted "$H/Private"; ok "~/Private mounted"
as "$U" sh -c "cd '$H/Private' && ecryptfs-mount-private" </dev/null >"$TESTTMP/s.out" 2>&1
is $? 0 "with the keys in the keyring: silent success"
as "$U" sh -c "echo data >'$H/Private/f'"; ok "writable by the user"
as "$U" sh -c "cd '$H/Private' && ecryptfs-umount-private" >"$TESTTMP/u0.out" 2>&1
is $? 1 "two sessions: umount-private exits 1"
as "$U" sh -c "cd '$H/Private' && ecryptfs-umount-private" >"$TESTTMP/u.out" 2>&1
is $? 0 "ecryptfs-umount-private: exit 0"
grep -q 'INFO: Your private directory has been unmounted.' "$TESTTMP/u.out"; ok "the cd hint when inside"
is_mounted "$H/Private"; test $? -ne 0; ok "unmounted"
is "$(as "$U" keyctl list @u 2>/dev/null | grep -c -f "$H/.ecryptfs/Private.sig")" 0 "keys gone from @u"
as "$U" ecryptfs-umount-private >/dev/null 2>&1
is $? 1 "umount-private when not mounted: exit 1"
as "$U" ecryptfs-mount-private --help >"$TESTTMP/h.out" 2>&1; is $? 0 "mount-private --help"
as "$U" ecryptfs-umount-private --help >"$TESTTMP/h2.out" 2>&1; is $? 0 "umount-private --help"
tap_done
