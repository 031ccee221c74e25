#!/bin/bash
# ecryptfs-recover-private on a disk of another machine: the kernel-written
# setup-private-style home (tests/data/vectors) owned by a user id that does
# not exist here, recovered through mount.ecryptfs (the FUSE daemon where
# the kernel has no eCryptfs) with the login passphrase, with the mount
# passphrase, through a dangling .ecryptfs symlink, and copied out with
# --copy-to; wrong passphrases mount nothing and leave no key behind.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/private/lib.sh"
SET=$VECTORS/setup-private-style
LOGINPW=$(sed -n 's/^- Login (wrapping) password: `\(.*\)`$/\1/p' "$SET/MANIFEST.md")
MOUNTPW=$(sed -n 's/^- Mount passphrase.*`\([0-9a-f]\{32\}\)`.*$/\1/p' "$SET/MANIFEST.md")
SIG=922556c260679dc7
FNEK_SIG=417c2dc550a14afc

# Every mount of a lower tree of this test goes, whatever happened.
rc_cleanup() {
	awk -v t="$TESTTMP" 'index($1, t) == 1 && $3 ~ /ecryptfs/ {print $2}' /proc/self/mounts |
		while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; rmdir "$m"; done
	priv_cleanup
}
trap rc_cleanup EXIT

# A user name and id that do not exist on this machine.
GUID=$((60000 + $$ % 5000))
while getent passwd "$GUID" >/dev/null || getent group "$GUID" >/dev/null; do GUID=$((GUID + 1)); done
GNAME=rcv$$
getent passwd "$GNAME" >/dev/null; test $? -ne 0; ok "owner $GNAME ($GUID) does not exist here"

# disk N: a copy of the home as ecryptfs-setup-private -b leaves it, under
# $TESTTMP/diskN: home/.ecryptfs/USER/{.Private,.ecryptfs} and the home's
# .Private and .ecryptfs symlinks to their absolute paths on that machine
# (missing here).  Prints the disk's root.
disk() {
	local r=$TESTTMP/disk$1 e
	e=$r/home/.ecryptfs/$GNAME
	mkdir -p "$e" "$r/home/$GNAME" || return 1
	tar -xpf "$SET/dot-Private.tar" -C "$e" && mv "$e/dot-Private" "$e/.Private" &&
	tar -xpf "$SET/dot-ecryptfs.tar" -C "$e" && mv "$e/dot-ecryptfs" "$e/.ecryptfs" &&
	ln -s "/home/.ecryptfs/$GNAME/.Private" "$r/home/$GNAME/.Private" &&
	ln -s "/home/.ecryptfs/$GNAME/.ecryptfs" "$r/home/$GNAME/.ecryptfs" &&
	chown -R -h "$GUID:$GUID" "$r/home" && echo "$r"
}

# manifest DIR: path, type, mode, links, size, sha256 or target of each entry.
manifest() {
	(cd "$1" 2>/dev/null || { echo "manifest: cannot enter $1"; exit 1; }
	find . -mindepth 1 -print0 | sort -z | while IFS= read -r -d '' p; do
		if [ -L "$p" ]; then
			printf '%s L -> %s\n' "$p" "$(readlink "$p")"
		elif [ -d "$p" ]; then
			printf '%s D %s\n' "$p" "$(stat -c %a "$p")"
		else
			printf '%s F %s %s\n' "$p" "$(stat -c '%a %h %s' "$p")" "$(sha256sum <"$p" | cut -d' ' -f1)"
		fi
	done)
}
mkdir -p "$TESTTMP/want"
tar -xpf "$SET/plain.tar" -C "$TESTTMP/want"
manifest "$TESTTMP/want/plain" >"$TESTTMP/want.list"
NWANT=$(wc -l <"$TESTTMP/want.list")
test "$NWANT" -ge 10; ok "the vectors' plaintext: $NWANT entries"

# mounted_from LOWER: the mount points of ecryptfs mounts of LOWER.
mounted_from() {
	awk -v l="$1" '$1 == l && $3 ~ /ecryptfs/ {print $2}' /proc/self/mounts
}
# success_path FILE: the directory named by the success line.
success_path() {
	sed -n 's/^INFO: Success!  Private data mounted at \[\(.*\)\]\.$/\1/p' "$1"
}
# no_keys SIG...: none of these keys is in the user keyring.
no_keys() {
	local s
	for s in "$@"; do
		keyctl search @u user "$s" >/dev/null 2>&1 && { echo "key $s is in @u"; return 1; }
	done
	return 0
}
# unmount MNT: unmount and wait for the daemon, which unlinks the keys.
unmount() {
	local i
	umount "$1" || return 1
	for i in $(seq 50); do
		pgrep -f -- "ecryptfs-fuse.* $1\$" >/dev/null || break
		sleep 0.1
	done
	rmdir "$1"
}

# --- the login passphrase, from the real .Private found by a search ----------
D1=$(disk 1); ok "disk 1 made"
P1=$D1/home/.ecryptfs/$GNAME/.Private
test "$(stat -c %u "$P1")" = "$GUID"; ok "the lower tree belongs to the missing uid"
printf '\n\n%s\n' "$LOGINPW" | ecryptfs-recover-private "$P1" >"$TESTTMP/l.out" 2>&1
is $? 0 "login passphrase: exit 0"
grep -qxF "INFO: Found [$P1]." "$TESTTMP/l.out"; ok "INFO: Found [DIR]."
grep -qF 'Try to recover this directory? [Y/n]: ' "$TESTTMP/l.out"; ok "asks whether to recover it"
grep -q 'INFO: Found your wrapped-passphrase$' "$TESTTMP/l.out"; ok "finds the wrapped passphrase"
grep -qF 'Do you know your LOGIN passphrase? [Y/n] ' "$TESTTMP/l.out"; ok "asks for the LOGIN passphrase"
M=$(success_path "$TESTTMP/l.out")
case "$M" in /tmp/ecryptfs.????????) true ;; *) false ;; esac; ok "success line with a fresh /tmp/ecryptfs.XXXXXXXX ($M)"
is "$(mounted_from "$P1")" "$M" "mounted there"
awk -v m="$M" '$2 == m && $3 == "fuse.ecryptfs" && $4 ~ /^ro,/ {f=1} END {exit !f}' /proc/self/mounts
ok "through the FUSE daemon, read-only"
manifest "$M" >"$TESTTMP/got1.list"
diff -u "$TESTTMP/want.list" "$TESTTMP/got1.list"; ok "every entry reads back exactly"
is "$(stat -c %u "$M/README.txt")" "$GUID" "the files keep their (missing) owner"
touch "$M/new-file" 2>/dev/null; test $? -ne 0; ok "without --rw a write fails"
test ! -e "$M/new-file"; ok "  and creates nothing"
check "unmounts" unmount "$M"
check "the keys went with the unmount" no_keys "$SIG" "$FNEK_SIG"

# --- --rw through the home's dangling symlinks ---------------------------------
D2=$(disk 2); ok "disk 2 made"
H2=$D2/home/$GNAME
test -L "$H2/.ecryptfs" && test ! -e "$H2/.ecryptfs"; ok ".ecryptfs is a symlink to a path missing here"
printf 'y\n\n%s\n' "$LOGINPW" | ecryptfs-recover-private --rw "$H2/.Private" >"$TESTTMP/rw.out" 2>&1
is $? 0 "--rw through the symlinked .Private and .ecryptfs: exit 0"
grep -q 'INFO: Found your wrapped-passphrase$' "$TESTTMP/rw.out"; ok "the wrapped passphrase found on the same disk"
M=$(success_path "$TESTTMP/rw.out")
is "$(mounted_from "$D2/home/.ecryptfs/$GNAME/.Private")" "$M" "the real .Private is mounted"
manifest "$M" >"$TESTTMP/got2.list"
diff -u "$TESTTMP/want.list" "$TESTTMP/got2.list"; ok "every entry reads back exactly"
echo "written after recovery" >"$M/new-file"; ok "with --rw a write works"
is "$(cat "$M/new-file")" "written after recovery" "  and reads back"
check "unmounts" unmount "$M"
# The new file is on the disk, encrypted: mount again to read it.
printf '\nn\n%s\n' "$MOUNTPW" | ecryptfs-recover-private "$H2/.Private" >"$TESTTMP/rw2.out" 2>&1
is $? 0 "mounted again, with the mount passphrase"
M=$(success_path "$TESTTMP/rw2.out")
is "$(cat "$M/new-file" 2>&1)" "written after recovery" "the file written with --rw is there"
check "unmounts" unmount "$M"

# --- the mount passphrase, the wrapped file deleted ----------------------------
D3=$(disk 3); ok "disk 3 made"
P3=$D3/home/.ecryptfs/$GNAME/.Private
rm "$D3/home/.ecryptfs/$GNAME/.ecryptfs/wrapped-passphrase"
printf '\n%s\n' "$MOUNTPW" | ecryptfs-recover-private "$P3" >"$TESTTMP/m.out" 2>&1
is $? 0 "mount passphrase: exit 0"
grep -q 'INFO: Could not find your wrapped passphrase file.$' "$TESTTMP/m.out"; ok "says the wrapped file is missing"
grep -q '^INFO: It should be 32 characters long, consisting of \[0-9\] and \[a-f\].$' "$TESTTMP/m.out"
ok "the reference's MOUNT passphrase explanation"
grep -qF 'Enter your MOUNT passphrase: ' "$TESTTMP/m.out"; ok "asks for the MOUNT passphrase"
M=$(success_path "$TESTTMP/m.out")
manifest "$M" >"$TESTTMP/got3.list"
diff -u "$TESTTMP/want.list" "$TESTTMP/got3.list"; ok "every entry reads back exactly"
check "unmounts" unmount "$M"
# No .ecryptfs at all: the signature in a file's header is checked.
rm -r "$D3/home/.ecryptfs/$GNAME/.ecryptfs"
printf '\n%s\n' "$MOUNTPW" | ecryptfs-recover-private "$P3" >"$TESTTMP/m2.out" 2>&1
is $? 0 "no .ecryptfs at all: mount passphrase, exit 0"
M=$(success_path "$TESTTMP/m2.out")
manifest "$M" >"$TESTTMP/got4.list"
diff -u "$TESTTMP/want.list" "$TESTTMP/got4.list"; ok "every entry reads back exactly"
check "unmounts" unmount "$M"

# --- names not encrypted, no .ecryptfs: another vector set ---------------------
PN=$VECTORS/aes128-plain-names
PNPASS=$(sed -n 's/^- Passphrase: `\(.*\)`$/\1/p' "$PN/MANIFEST.md")
mkdir -p "$TESTTMP/disk4/home/$GNAME" "$TESTTMP/want4"
tar -xpf "$PN/lower.tar" -C "$TESTTMP/disk4/home/$GNAME" && mv "$TESTTMP/disk4/home/$GNAME/lower" "$TESTTMP/disk4/home/$GNAME/.Private"
ok "disk 4 made (aes128-plain-names)"
chown -R "$GUID:$GUID" "$TESTTMP/disk4"
P4=$TESTTMP/disk4/home/$GNAME/.Private
tar -xpf "$PN/plain.tar" -C "$TESTTMP/want4"
manifest "$TESTTMP/want4/plain" >"$TESTTMP/want4.list"
printf '\n%s\n' "$PNPASS" | ecryptfs-recover-private "$P4" >"$TESTTMP/p.out" 2>&1
is $? 0 "plain names, mount passphrase checked against a file header: exit 0"
M=$(success_path "$TESTTMP/p.out")
manifest "$M" >"$TESTTMP/got5.list"
test -s "$TESTTMP/want4.list" && diff -u "$TESTTMP/want4.list" "$TESTTMP/got5.list"; ok "every entry reads back exactly"
check "unmounts" unmount "$M"
printf '\n%s\n' "$PNPASS" | ecryptfs-recover-private --copy-to "$TESTTMP/copy4" "$P4" >"$TESTTMP/p2.out" 2>&1
is $? 0 "plain names: --copy-to, exit 0"
manifest "$TESTTMP/copy4" >"$TESTTMP/got6.list"
diff -u "$TESTTMP/want4.list" "$TESTTMP/got6.list"; ok "the copy is the plaintext tree exactly"
printf '\n%s\n' "$MOUNTPW" | ecryptfs-recover-private "$P4" >"$TESTTMP/p3.out" 2>&1
is $? 1 "another passphrase: exit 1"
grep -q 'this directory.s is \[6627f3e624e6e2e6\]' "$TESTTMP/p3.out"; ok "  refused by the header's signature"
is "$(mounted_from "$P4")" "" "  nothing mounted"

# --- wrong passphrases -----------------------------------------------------------
ls /tmp | grep -c '^ecryptfs\.' >"$TESTTMP/tmpdirs.before"
printf '\n\nwrong 1\nwrong 2\nwrong 3\n' | ecryptfs-recover-private "$P1" >"$TESTTMP/w.out" 2>&1
is $? 1 "three wrong login passphrases: exit 1"
is "$(grep -c '^ERROR: Your passphrase is incorrect$' "$TESTTMP/w.out")" 3 "each one refused"
is "$(mounted_from "$P1")" "" "nothing mounted"
grep -q 'Success' "$TESTTMP/w.out"; test $? -ne 0; ok "no success line"
check "no key in the keyring" no_keys "$SIG" "$FNEK_SIG"
WRONG=0123456789abcdef0123456789abcdef
printf '\nn\n%s\n' "$WRONG" | ecryptfs-recover-private "$P1" >"$TESTTMP/w2.out" 2>&1
is $? 1 "a wrong mount passphrase: exit 1"
WSIG=$(sed -n 's/^ERROR: Wrong passphrase: its key is \[\([0-9a-f]*\)\], this directory.s is \[922556c260679dc7\]\.$/\1/p' "$TESTTMP/w2.out")
test ${#WSIG} -eq 16; ok "refused before mounting: its key $WSIG is not the directory's"
is "$(mounted_from "$P1")" "" "nothing mounted"
check "its key does not stay in the keyring" no_keys "$WSIG"
check "nor the directory's keys" no_keys "$SIG" "$FNEK_SIG"
is "$(ls /tmp | grep -c '^ecryptfs\.')" "$(cat "$TESTTMP/tmpdirs.before")" "no mount directory left in /tmp"
printf '\nn\n%s\n' "$WRONG" | ecryptfs-recover-private --copy-to "$TESTTMP/wcopy" "$P1" >"$TESTTMP/w3.out" 2>&1
is $? 1 "--copy-to with a wrong mount passphrase: exit 1"
test ! -e "$TESTTMP/wcopy"; ok "  nothing copied"

# --- --copy-to: no mount, the same tree ------------------------------------------
printf '\n\n%s\n' "$LOGINPW" | ecryptfs-recover-private --copy-to "$TESTTMP/copy" "$P1" >"$TESTTMP/c.out" 2>"$TESTTMP/c.err"
is $? 0 "--copy-to with the login passphrase: exit 0"
grep -qxF "INFO: Success!  Private data copied to [$TESTTMP/copy]." "$TESTTMP/c.out"; ok "success line names the copy"
manifest "$TESTTMP/copy" >"$TESTTMP/gotc.list"
diff -u "$TESTTMP/want.list" "$TESTTMP/gotc.list"; ok "the copy is the plaintext tree exactly"
is "$(mounted_from "$P1")" "" "no mount"
check "no key in the keyring" no_keys "$SIG" "$FNEK_SIG"
grep -q ' files, \|'$'\r' "$TESTTMP/c.err"; test $? -ne 0; ok "no progress display without a terminal"
printf '\n\n%s\n' "$LOGINPW" >"$TESTTMP/answers"
script -qec "ecryptfs-recover-private --copy-to '$TESTTMP/copy2' '$P1' <'$TESTTMP/answers'" /dev/null \
	</dev/null >"$TESTTMP/tty.out" 2>&1
is $? 0 "--copy-to on a terminal: exit 0"
grep -q $'\r''12/12 files, [0-9.]* [KMG]*i*B/[0-9.]* [KMG]*i*B, [0-9.]* [KMG]*i*B/s, 0:00 left' "$TESTTMP/tty.out"
ok "progress shown on a terminal (entries, bytes, rate, time left)"
manifest "$TESTTMP/copy2" >"$TESTTMP/gotc2.list"
diff -u "$TESTTMP/want.list" "$TESTTMP/gotc2.list"; ok "that copy is exact too"
printf '\n\n%s\n' "$LOGINPW" | ecryptfs-recover-private --copy-to "$TESTTMP/copy" "$P1" >"$TESTTMP/c2.out" 2>&1
is $? 1 "--copy-to into a directory that is not empty: exit 1"
grep -q '^ERROR: The directory .* is not empty\.$' "$TESTTMP/c2.out"; ok "  says so"

# --- answers and refusals ---------------------------------------------------------
printf 'n\n' | ecryptfs-recover-private "$P1" >"$TESTTMP/n.out" 2>&1
is $? 0 "declining the directory: exit 0"
is "$(mounted_from "$P1")" "" "  nothing mounted"
ecryptfs-recover-private --bogus "$P1" </dev/null >"$TESTTMP/u.out" 2>&1
is $? 1 "unknown option: exit 1"
grep -q '^Usage: ecryptfs-recover-private' "$TESTTMP/u.out"; ok "  with the usage"
ecryptfs-recover-private "$TESTTMP/no-such-dir" </dev/null >"$TESTTMP/d.out" 2>&1
is $? 1 "missing directory: exit 1"
grep -qF "ERROR: Not a directory: [$TESTTMP/no-such-dir]." "$TESTTMP/d.out"; ok "  names it"
ecryptfs-recover-private --help >"$TESTTMP/h.out" 2>&1
is $? 0 "--help: exit 0"
setpriv --reuid=65534 --regid=65534 --clear-groups -- "$ST/bin/ecryptfs-recover-private" "$P1" \
	</dev/null >"$TESTTMP/r.out" 2>&1
is $? 1 "not root: exit 1"
grep -q '^ERROR: This program must be run as root.$' "$TESTTMP/r.out"; ok "  the reference's message"
tap_done
