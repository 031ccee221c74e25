#!/bin/bash
# The ecryptfs-ng demo, run by "./setup.sh demo" after "make install":
# wrap a random mount passphrase under a login password, as
# ecryptfs-setup-private does, insert its two keys into a fresh session
# keyring, as pam_ecryptfs does at login, show them, and remove them again.
# Secrets go through stdin, never the command line.
set -euo pipefail
for p in ecryptfs-wrap-passphrase ecryptfs-unwrap-passphrase ecryptfs-add-passphrase \
	ecryptfs-insert-wrapped-passphrase-into-keyring keyctl; do
	command -v "$p" >/dev/null || { echo "demo: $p not found (run make install)" >&2; exit 1; }
done
dir=$(mktemp -d /tmp/ecryptfs-demo.XXXXXX)
trap 'rm -rf "$dir"' EXIT
step() { printf '\n== %s\n' "$*"; }

export DEMO_DIR=$dir
export DEMO_LOGIN="demo login password"
export DEMO_MOUNT=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')

step "1. Wrap a random mount passphrase under the login password"
printf '%s\n%s' "$DEMO_MOUNT" "$DEMO_LOGIN" | ecryptfs-wrap-passphrase "$dir/wrapped-passphrase" -
ls -l "$dir/wrapped-passphrase"
od -A d -t x1 "$dir/wrapped-passphrase"
echo "(':' 0x02, 8 bytes of salt, the login password's signature, AES of the passphrase)"

keyctl session - bash -euo pipefail -c '
step() { printf "\n== %s\n" "$*"; }
step "2. Unlock it at \"login\": insert both keys into the user keyring"
out=$(printf "%s" "$DEMO_LOGIN" | ecryptfs-insert-wrapped-passphrase-into-keyring "$DEMO_DIR/wrapped-passphrase" -)
echo "$out"

step "3. The signatures: file key and filename key (what Private.sig holds)"
printf "%s" "$DEMO_LOGIN" | ecryptfs-unwrap-passphrase "$DEMO_DIR/wrapped-passphrase" - |
	ecryptfs-add-passphrase --fnek - | tee "$DEMO_DIR/sigs"
sigs=$(sed "s/.*\[\(.*\)\].*/\1/" "$DEMO_DIR/sigs")

step "4. The keys, as seen from this session (keyctl show)"
# Keys are ours to link once we possess them through @u; then drop @u again
# so that only these two are shown.
keyctl link @u @s
for s in $sigs; do keyctl link "$(keyctl search @u user "$s")" @s; done
keyctl unlink @u @s >/dev/null
keyctl show @s

step "5. Clean up: unlink the two keys"
for s in $sigs; do
	id=$(keyctl search @u user "$s")
	keyctl unlink "$id" @s >/dev/null
	keyctl unlink "$id" @u >/dev/null
	echo "removed $s"
done
' 2> >(grep -v "^Joined session keyring" >&2)
echo
echo "Done."
