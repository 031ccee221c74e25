# Keys of a FUSE mount after its daemon died (doc/compatibility.md §10): the
# daemon records its mount's signatures in /run/ecryptfs-ng/MAJOR:MINOR;
# after a SIGKILL, umount.ecryptfs takes the dead mount down ("Transport
# endpoint is not connected") and unlinks the keys when the mount asked for
# ecryptfs_unlink_sigs; SIGTERM, SIGINT and SIGHUP let the daemon do it
# itself; without ecryptfs_unlink_sigs the keys stay; a record that is not
# the caller's, or that names another mount, is ignored; records of mounts
# that are gone are swept.  Each case runs as root in a private mount
# namespace with a tmpfs on /run and its own session keyring (keys are in
# root's @u, each case under a passphrase of its own); one case mounts as a
# throwaway user, whose records are in its XDG_RUNTIME_DIR.
. "$SRCDIR/tests/lib/tap.sh"
W=$TESTTMP/fk
mkdir -p "$W"
FUSE=$(prog ecryptfs-fuse) || { echo "Bail out! ecryptfs-fuse not built"; exit 1; }
MOUNT=$(prog mount.ecryptfs) || { echo "Bail out! mount.ecryptfs not built"; exit 1; }
UMOUNT=$(prog umount.ecryptfs) || { echo "Bail out! umount.ecryptfs not built"; exit 1; }
ADDKEY=$BUILDDIR/tests/fuse/ecfs-addkey

cat >"$W/guest.sh" <<EOS
set -u
W=$W FUSE=$FUSE MOUNT=$MOUNT UMOUNT=$UMOUNT ADDKEY=$ADDKEY
EOS
cat >>"$W/guest.sh" <<'EOS'
CASE=$1
L=$W/$CASE/lower M=$W/$CASE/upper R=/run/ecryptfs-ng
mkdir -p "$L" "$M"
trap 'umount -l "$M" 2>/dev/null' EXIT
mount -t tmpfs -o mode=755 none /run
keyctl link @u @s >/dev/null
res() { echo "RES $1 $2"; }
A=ecryptfs_cipher=aes,ecryptfs_key_bytes=16
PW="fuse-keys-$CASE-$$-$RANDOM"
# mount.ecryptfs always adds ecryptfs_unlink_sigs; it prints the sig.
via_helper() {
	printf 'passwd=%s\n' "$PW" >"$W/$CASE/pw"
	ECRYPTFS_FUSE_PROG=$FUSE "$MOUNT" "$L" "$M" -o "key=passphrase:passphrase_passwd_file=$W/$CASE/pw,$A,ecryptfs_passthrough=n,ecryptfs_enable_filename_crypto=n,no_sig_cache,datapath=fuse" >"$W/$CASE/mount.out" 2>&1
	res mount $?
	SIG=$(sed -n 's/^  ecryptfs_sig=//p' "$W/$CASE/mount.out")
}
# the daemon itself, without ecryptfs_unlink_sigs
direct() {
	SIG=$("$ADDKEY" "$PW")
	"$FUSE" -o "ecryptfs_sig=$SIG,$A" "$L" "$M"
	res mount $?
}
daemon() { pgrep -f -- "ecryptfs-fuse .* $M\$"; }
stop() {	# SIGNAL: send it to the daemon, wait until it is gone
	local pid i
	pid=$(daemon) || { res stopped none; return; }
	kill "-$1" "$pid"
	for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
	kill -0 "$pid" 2>/dev/null; res alive $?
}
key() { keyctl search @u user "$SIG" >/dev/null 2>&1; res key $?; }
mounted() { grep -q " $M " /proc/self/mounts; res mounted $?; }
record() { local f; f=$(ls "$R" 2>/dev/null | grep -c .); res records "$f"; }
rec_file() { ls -d "$R"/*:* 2>/dev/null | head -1; }
umount_ecryptfs() {
	"$UMOUNT" "$M" >"$W/$CASE/umount.out" 2>&1
	res umount $?
}
# FIELD VALUE: set a field of the record (as root, keeping its owner)
rec_set() { sed -i "s|^$1=.*|$1=$2|" "$(rec_file)"; }

case $CASE in
kill)
	via_helper
	key
	f=$(rec_file)
	res rec-mode "$(stat -c '%a %U' "$f")"
	grep -qx "sig=$SIG" "$f"; res rec-sig $?
	grep -qx "unlink_sigs=1" "$f"; res rec-unlink $?
	stop KILL
	ls "$M" >/dev/null 2>"$W/$CASE/ls.err"
	grep -q 'Transport endpoint is not connected' "$W/$CASE/ls.err"; res dead $?
	umount_ecryptfs
	mounted
	key
	record
	;;
TERM|INT|HUP)
	via_helper
	key
	record
	stop "$CASE"
	mounted
	key
	record
	;;
clean)
	via_helper
	umount_ecryptfs
	for i in $(seq 50); do daemon >/dev/null || break; sleep 0.1; done
	mounted
	key
	record
	;;
nounlink)
	direct
	grep -qx "unlink_sigs=0" "$(rec_file)"; res rec-unlink $?
	stop KILL
	umount_ecryptfs
	mounted
	key
	record
	keyctl unlink "$(keyctl search @u user "$SIG")" @u >/dev/null
	;;
forged|forged-own|stale|wrong-point)
	# a record made to ask for the unlinking the mount did not ask for
	direct
	rec_set unlink_sigs 1
	case $CASE in
	forged) chown 65534 "$(rec_file)" ;;	# not the caller's
	stale) rec_set mount_id "$(($(sed -n 's/^mount_id=//p' "$(rec_file)") + 1))" ;;
	wrong-point) rec_set mountpoint "$W" ;;
	esac
	stop KILL
	umount_ecryptfs
	mounted
	key
	keyctl unlink "$(keyctl search @u user "$SIG" 2>/dev/null)" @u >/dev/null 2>&1
	;;
unsafe-dir)
	# a record directory others may write into is not trusted
	via_helper
	chmod 777 "$R"
	stop KILL
	umount_ecryptfs
	mounted
	key
	keyctl unlink "$(keyctl search @u user "$SIG" 2>/dev/null)" @u >/dev/null 2>&1
	;;
user)
	# TU's own mount, its records in its XDG_RUNTIME_DIR; root has a key
	# of the same passphrase in its own @u
	U=$2
	X=/run/xdg-$U
	mkdir -m 700 "$X"
	chown "$U:" "$X" "$L" "$M"
	# /dev/fuse as Debian has it (0666), also where the machine has 0600
	mknod -m 666 /run/fuse c 10 229 && mount --bind /run/fuse /dev/fuse
	as_u() { setpriv --reuid="$U" --regid="$U" --init-groups env XDG_RUNTIME_DIR="$X" \
		keyctl session - bash -c 'keyctl link @u @s >/dev/null; "$@"' as_u "$@" 2> >(grep -v "^Joined session" >&2); }
	usermount() {
		SIG=$(as_u "$ADDKEY" "$PW")
		as_u "$FUSE" -o "ecryptfs_sig=$SIG,$A,ecryptfs_unlink_sigs" "$L" "$M"
		res mount $?
	}
	ukey() { as_u keyctl search @u user "$SIG" >/dev/null 2>&1; res ukey $?; }
	usermount
	res urecords "$(ls "$X/ecryptfs-ng" | grep -c .)"
	res urec-owner "$(stat -c %U "$(ls -d "$X"/ecryptfs-ng/*:* | head -1)")"
	"$ADDKEY" "$PW" >/dev/null
	# root copies the user's record as its own: the mount's user_id is not root
	mkdir -m 700 "$R"
	f=$(ls -d "$X"/ecryptfs-ng/*:* | head -1)
	sed 's/^uid=.*/uid=0/' "$f" >"$R/$(basename "$f")"
	chmod 600 "$R/$(basename "$f")"
	stop KILL
	umount_ecryptfs
	mounted
	key
	ukey
	keyctl unlink "$(keyctl search @u user "$SIG" 2>/dev/null)" @u >/dev/null 2>&1
	# the user's own umount.ecryptfs after a SIGKILL: fusermount3 -u, keys gone
	usermount
	stop KILL
	as_u "$UMOUNT" "$M"
	res uumount $?
	mounted
	ukey
	res urecords "$(ls "$X/ecryptfs-ng" | grep -c .)"
	as_u keyctl clear @u
	;;
sweep)
	# the records of mounts that are gone go at the next mount
	mkdir -m 700 "$R"
	printf 'junk\n' >"$R/0:99999"
	printf 'other\n' >"$R/notes"
	via_helper
	test -e "$R/0:99999"; res swept $?
	test -e "$R/notes"; res kept $?
	record
	;;
esac
EOS

run_case() {	# CASE [ARG]: run it, its RES lines in $W/CASE.log
	keyctl session - unshare -m bash "$W/guest.sh" "$@" >"$W/$1.log" 2>&1
	grep -v '^RES ' "$W/$1.log" | grep -v '^Joined session' | sed "s/^/# $1: /"
}
r() { sed -n "s/^RES $2 //p" "$W/$1.log" | tail -1; }
first() { sed -n "s/^RES $2 //p" "$W/$1.log" | head -1; }

run_case kill
is "$(r kill mount)" 0 "SIGKILL: mount.ecryptfs mounts through FUSE"
is "$(first kill key)" 0 "SIGKILL: the key is in @u"
is "$(r kill rec-mode)" "600 root" "SIGKILL: the record is root's, mode 0600"
is "$(r kill rec-sig)" 0 "SIGKILL: the record names the sig"
is "$(r kill rec-unlink)" 0 "SIGKILL: the record says unlink_sigs"
is "$(r kill alive)" 1 "SIGKILL: the daemon is dead"
is "$(r kill dead)" 0 "SIGKILL: the mount is dead (Transport endpoint is not connected)"
is "$(r kill umount)" 0 "SIGKILL: umount.ecryptfs exits 0"
is "$(r kill mounted)" 1 "SIGKILL: the mount is gone"
is "$(r kill key)" 1 "SIGKILL: umount.ecryptfs unlinked the key"
is "$(r kill records)" 0 "SIGKILL: and removed the record"
check "SIGKILL: umount.ecryptfs said nothing" test ! -s "$W/kill/umount.out"

for s in TERM INT HUP; do
	run_case "$s"
	is "$(r "$s" mount)" 0 "SIG$s: mounted"
	is "$(first "$s" key)" 0 "SIG$s: the key is in @u"
	is "$(first "$s" records)" 1 "SIG$s: one record while mounted"
	is "$(r "$s" alive)" 1 "SIG$s: the daemon ended"
	is "$(r "$s" mounted)" 1 "SIG$s: it unmounted"
	is "$(r "$s" key)" 1 "SIG$s: it unlinked the key"
	is "$(r "$s" records)" 0 "SIG$s: it removed its record"
done

run_case clean
is "$(r clean umount)" 0 "live daemon: umount.ecryptfs exits 0"
is "$(r clean mounted)" 1 "live daemon: unmounted"
is "$(r clean key)" 1 "live daemon: key unlinked"
is "$(r clean records)" 0 "live daemon: no record left"

run_case nounlink
is "$(r nounlink mount)" 0 "without unlink_sigs: mounted"
is "$(r nounlink rec-unlink)" 0 "without unlink_sigs: the record says unlink_sigs=0"
is "$(r nounlink umount)" 0 "without unlink_sigs: umount.ecryptfs exits 0 after SIGKILL"
is "$(r nounlink mounted)" 1 "without unlink_sigs: the mount is gone"
is "$(r nounlink key)" 0 "without unlink_sigs: the key stays"
is "$(r nounlink records)" 0 "without unlink_sigs: the record is removed"

# The same forged contents: honoured only as the caller's own record of
# this very mount (the control shows the forgery would work otherwise).
run_case forged-own
is "$(r forged-own umount)" 0 "control, a record of root's own: umount exits 0"
is "$(r forged-own key)" 1 "control, a record of root's own: its unlink_sigs=1 is obeyed"
run_case forged
is "$(r forged umount)" 0 "record owned by another user: umount exits 0"
is "$(r forged mounted)" 1 "record owned by another user: unmounted"
is "$(r forged key)" 0 "record owned by another user: ignored, the key stays"
check "record owned by another user: umount.ecryptfs says it ignores it" \
	grep -q "ignoring the mount record /run/ecryptfs-ng/" "$W/forged/umount.out"
run_case stale
is "$(r stale mounted)" 1 "record of another mount ID (stale): unmounted"
is "$(r stale key)" 0 "record of another mount ID (stale): ignored, the key stays"
run_case wrong-point
is "$(r wrong-point mounted)" 1 "record of another mount point: unmounted"
is "$(r wrong-point key)" 0 "record of another mount point: ignored, the key stays"
run_case unsafe-dir
is "$(r unsafe-dir umount)" 0 "record directory mode 0777: umount exits 0"
is "$(r unsafe-dir key)" 0 "record directory mode 0777: not trusted, the key stays"

# A user's mount: its record in its XDG_RUNTIME_DIR; root's umount.ecryptfs
# ignores a record of root's own for it (user_id= is the user's), and the
# user's own umount.ecryptfs unlinks the user's keys.
. "$SRCDIR/tests/lib/reference.sh"
TU=
tu_create >"$TESTTMP/tu.name" || exit 1
TU=$(cat "$TESTTMP/tu.name")
run_case user "$TU"
is "$(first user mount)" 0 "user: the user mounts with ecryptfs-fuse"
is "$(first user urecords)" 1 "user: a record in its XDG_RUNTIME_DIR/ecryptfs-ng"
is "$(r user urec-owner)" "$TU" "user: the record is the user's"
is "$(first user umount)" 0 "user's mount, root's umount.ecryptfs: exit 0"
is "$(first user mounted)" 1 "user's mount, root's umount.ecryptfs: unmounted"
is "$(first user key)" 0 "user's mount, root's record copy: ignored, root's key stays"
is "$(first user ukey)" 0 "user's mount, root's umount.ecryptfs: the user's key stays"
is "$(r user uumount)" 0 "user's umount.ecryptfs after SIGKILL: exit 0 (fusermount3 -u)"
is "$(r user mounted)" 1 "user's umount.ecryptfs after SIGKILL: unmounted"
is "$(r user ukey)" 1 "user's umount.ecryptfs after SIGKILL: the user's key is gone"
is "$(r user urecords)" 0 "user's umount.ecryptfs after SIGKILL: its record is gone"

run_case sweep
is "$(r sweep mount)" 0 "sweep: mounted"
is "$(r sweep swept)" 1 "sweep: the record of a mount that is gone was removed"
is "$(r sweep kept)" 0 "sweep: a file that is no record was left alone"
is "$(r sweep records)" 2 "sweep: the new mount's record and that file remain"
tap_done
