# mount.ecryptfs: kernel version fallback (doc/compatibility.md §4.4) and the choice
# of data path: the kernel when /proc/filesystems lists ecryptfs, our FUSE
# daemon otherwise, datapath= to force one.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/mount/lib.sh"
mt_user
T=$(printf '\t')
D=$TESTTMP/dlg
K=ecryptfs_sig=7a1719eb53966dd1,ecryptfs_unlink_sigs,ecryptfs_cipher=aes,ecryptfs_key_bytes=16
MT_ENV="ECRYPTFS_FUSE_PROG=$MT/rec"

# --- no version file, module listed: the reference's passphrase-only block
MT_VER=none
rm -f "$MT/modprobe.log"
mt_run ref mount.ecryptfs "$L" "$U" -o "$P,$Q,$A,ecryptfs_passthrough=y"
sed -n '1,/^Enabling passphrase-mode only for now.$/p' "$MT/out" >"$MT/ref.block"
is "$(cat "$MT/modprobe.log")" "modprobe ecryptfs" "reference: modprobe once"
rm -f "$MT/modprobe.log"
mt_run ours mount.ecryptfs "$L" "$U" -o "$P,$Q,$A,ecryptfs_passthrough=y"
is "$?" 0 "fallback: ours mounts (the reference's graph fails here: [don't copy])"
is "$(cat "$MT/modprobe.log")" "modprobe ecryptfs" "fallback: modprobe once"
check "fallback: the reference's block, byte for byte" \
	cmp "$MT/ref.block" <(sed -n '1,/^Enabling passphrase-mode only for now.$/p' "$MT/out")
check "fallback: block has 'Enabling passphrase-mode only for now.'" grep -qx 'Enabling passphrase-mode only for now.' "$MT/out"
is "$(mt_opts)" "$K" "fallback: passthrough not offered"
check "fallback: kernel path" grep -qx /bin/mount "$MT/log"
cat >"$D" <<EOS
Passphrase: ${T}secret
Selection [aes]: $T<empty>
Selection [16]: $T<empty>
EOS
mt_dialogue ours "$D" "$L" "$U" -o no_sig_cache
is "$?" 0 "fallback dialogue: mounted"
check "fallback dialogue: no passthrough question" bash -c "! grep -q passthrough '$MT/ours.tty'"
check "fallback dialogue: no filename question" bash -c "! grep -q 'filename encryption' '$MT/ours.tty'"
is "$(mt_opts "$MT/ours.argv")" "ecryptfs_sig=7a1719eb53966dd1,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,ecryptfs_unlink_sigs" "fallback dialogue: options"

# --- no module: our FUSE daemon, with what it implements, and no block
MT_FS=nokernel
rm -f "$MT/modprobe.log"
mt_run ours mount.ecryptfs "$L" "$U" -o "rw,$P,$Q,$A,ecryptfs_passthrough=y,ecryptfs_enable_filename_crypto=y,ecryptfs_fnek_sig=1122334455667788"
is "$?" 0 "fuse: mounted"
is "$(head -1 "$MT/log")" "$MT/rec" "fuse: the daemon ran, not mount(8)"
is "$(sed -n '2,5p' "$MT/log" | tr '\n' ' ')" "-o ecryptfs_sig=7a1719eb53966dd1,ecryptfs_passthrough,ecryptfs_unlink_sigs,rw,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,ecryptfs_fnek_sig=1122334455667788 $L $U " "fuse: -o OPTS SRC DST, the kernel's option string"
check "fuse: no passphrase-only block" bash -c "! grep -q 'Enabling passphrase-mode' '$MT/out'"
is "$(cat "$MT/modprobe.log")" "modprobe ecryptfs" "fuse (auto): modprobe tried once first"
check "fuse: Mounted eCryptfs" grep -qx 'Mounted eCryptfs' "$MT/out"
check "fuse: no secret on the daemon's argv" bash -c "! grep -q secret '$MT/log'"
cat >"$D" <<EOS
Passphrase: ${T}secret
Selection [aes]: $T<empty>
Selection [16]: $T<empty>
Enable plaintext passthrough (y/n) [n]: ${T}y
Enable filename encryption (y/n) [n]: ${T}y
Signature [7a1719eb53966dd1]: $T<empty>
EOS
mt_dialogue ours "$D" "$L" "$U" -o no_sig_cache
is "$?" 0 "fuse dialogue: passthrough and filename encryption offered"
is "$(sed -n 3p "$MT/ours.argv")" "ecryptfs_sig=7a1719eb53966dd1,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,ecryptfs_passthrough,ecryptfs_fnek_sig=7a1719eb53966dd1,ecryptfs_unlink_sigs" "fuse dialogue: options"
MT_RC=3 mt_run ours mount.ecryptfs "$L" "$U" -o "$P,$Q,$A"
is "$?" 253 "fuse: daemon failure is reported as -status"
check "fuse: daemon failure message" grep -qx 'Error mounting eCryptfs: \[-3\] No such process' "$MT/out"

# --- forcing a path
MT_VER=895
mt_run ours mount.ecryptfs "$L" "$U" -o "$P,$Q,$A,datapath=kernel"
is "$(head -1 "$MT/log")" /bin/mount "datapath=kernel without the module: mount(8)"
is "$(mt_opts)" "$K" "datapath= is not passed on"
MT_FS=kernel
rm -f "$MT/modprobe.log"
mt_run ours mount.ecryptfs "$L" "$U" -o "datapath=fuse,$P,$Q,$A"
is "$(head -1 "$MT/log")" "$MT/rec" "datapath=fuse with the module: the daemon"
is "$(sed -n 3p "$MT/log")" "$K" "datapath=fuse: options"
mt_run ours mount.ecryptfs "$L" "$U" -o "$P,$Q,$A,datapath=auto"
is "$(head -1 "$MT/log")" /bin/mount "datapath=auto with the module: mount(8)"
mt_run ours mount.ecryptfs "$L" "$U" -o "$P,$Q,$A,datapath=floppy"
is "$?" 234 "datapath=floppy: -EINVAL"
check "datapath=floppy: says why" grep -q 'datapath=floppy' "$MT/err"
is "$(mt_opts)" "(none)" "datapath=floppy: nothing mounted"
tap_done
