#!/bin/bash
# The ~/.ecryptfsrc salt of the offline tools: a passphrase also yields the
# data key of the salt= in the rc file of the REAL uid's passwd home (not
# $HOME), as mount.ecryptfs and ecryptfs-add-passphrase do.  Run as a
# throwaway user so that /root is never touched.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/lib/reference.sh"
. "$SRCDIR/tests/offline/offline-lib.sh"

u=$(tu_create) || exit 1
home=$(tu_home "$u")
W=$home/w
# The reference's worked value (tests/keys/t-add-passphrase.sh): this
# passphrase under this salt has this sig.
salt=a1b2c3d4e5f60718 sig=16585f12815dd980
mkdir -p "$W/plain/sub"
printf 'test passphrase' >"$W/pass"
head -c 9000 /dev/urandom >"$W/plain/data"
printf 'small\n' >"$W/plain/sub/small"
ln -s data "$W/plain/link"
chown -R "$u:$u" "$W"
rc_salt() { if [ -n "$1" ]; then echo "salt=$1" >"$home/.ecryptfsrc"; else rm -f "$home/.ecryptfsrc"; fi; }

rc_salt $salt
as_user "$u" "$ENCRYPT" --passphrase-file "$W/pass" --fnek "$W/plain" "$W/lower" 2>"$TESTTMP/err"
ok "encrypt under the rc-file salt: exit 0"
sed 's/^/#   /' "$TESTTMP/err" | head -5

rc_salt ""
as_user "$u" "$DECRYPT" --passphrase-file "$W/pass" "$W/lower" "$W/out-norc" 2>"$TESTTMP/err"
is "$?" 1 "without the rc file the files do not decrypt (exit 1)"
check "... they want the rc salt's key, the reference's sig $sig" \
	grep -q "no key for sig $sig\$" "$TESTTMP/err"
check "... the names (setup-private FNEK salt) still decrypt" \
	test -d "$W/out-norc/sub" -a -L "$W/out-norc/link"

rc_salt $salt
as_user "$u" "$DECRYPT" --passphrase-file "$W/pass" "$W/lower" "$W/out" 2>"$TESTTMP/err"
ok "with salt=$salt in ~/.ecryptfsrc: exit 0"
sed 's/^/#   /' "$TESTTMP/err" | head -5
check "... and the tree comes back" same_tree "$W/plain" "$W/out"

# $HOME is not where the rc file is looked for.
mkdir -p "$W/fakehome"
echo "salt=0000000000000000" >"$W/fakehome/.ecryptfsrc"
chown -R "$u:$u" "$W/fakehome"
as_user "$u" env HOME="$W/fakehome" "$DECRYPT" --passphrase-file "$W/pass" "$W/lower" \
	"$W/out-home" 2>"$TESTTMP/err"
ok "with another salt in \$HOME/.ecryptfsrc: the passwd home's salt still wins (exit 0)"
check "... and the tree comes back" same_tree "$W/plain" "$W/out-home"
rm -f "$home/.ecryptfsrc"
as_user "$u" env HOME="$W/fakehome" "$DECRYPT" --passphrase-file "$W/pass" "$W/lower" \
	"$W/out-home2" 2>"$TESTTMP/err"
is "$?" 1 "... and \$HOME's rc file alone does not supply it (exit 1)"
check "... the files want the rc salt's key" grep -q "no key for sig $sig\$" "$TESTTMP/err"

# With the rc salt set, the default salt's key is derived as well: a tree
# made before the rc file existed still opens.
as_user "$u" "$ENCRYPT" --passphrase-file "$W/pass" "$W/plain" "$W/lower-default" 2>/dev/null
ok "encrypt without an rc file (default salt): exit 0"
rc_salt $salt
as_user "$u" "$DECRYPT" --passphrase-file "$W/pass" "$W/lower-default" "$W/out-default" \
	2>"$TESTTMP/err"
ok "a default-salt tree decrypts with the rc salt set: exit 0"
check "... to the plaintext" same_tree "$W/plain" "$W/out-default"
rc_salt ""
as_user "$u" "$DECRYPT" --passphrase-file "$W/pass" "$W/lower-default" "$W/out-x" \
	2>/dev/null
ok "... and without it (exit 0)"
# A wrong salt in the rc file: neither its key nor the default one opens the files.
rc_salt 0011223344556678
as_user "$u" "$DECRYPT" --passphrase-file "$W/pass" "$W/lower" "$W/out-wrong" 2>"$TESTTMP/err"
is "$?" 1 "another salt in the rc file: exit 1"
check "... the files are reported by their sig" grep -q "no key for sig $sig\$" "$TESTTMP/err"
rm -f "$home/.ecryptfsrc"
tap_done
