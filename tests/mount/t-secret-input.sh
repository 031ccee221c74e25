#!/bin/bash
# mount.ecryptfs never shortens a passphrase silently and never reads an
# endless input forever: a NUL inside passphrase_passwd_file or _fd content
# or at the Passphrase prompt is refused (the reference would take what comes
# before it), an endless fd or stdin ends within seconds, and an empty
# passwd= (the last one counts) is refused rather than taken as a passphrase;
# nothing is mounted.  A final NUL (printf "passwd=%s\0") still works, as on
# the reference.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/mount/lib.sh"
mt_user
SIG=ecryptfs_sig=7a1719eb53966dd1,ecryptfs_unlink_sigs,$A
NUL_MSG='the passphrase contains a NUL byte'
printf 'passwd=secret\0junk\n' >"$MT/pw-nul"
printf 'passwd=sec\0ret\n' >"$MT/pw-nul-mid"
printf 'salt=0011223344556677\n\0passwd=secret\n' >"$MT/pw-nul-line"
printf 'passwd=secret\0' >"$MT/pw-final"
printf 'passwd=secret\0\n' >"$MT/pw-final-nl"
printf 'passwd=\n' >"$MT/pw-empty"
printf 'passwd=secret\npasswd=\n' >"$MT/pw-empty-last"
printf 'passwd=secret\npassphrase_passwd=\n' >"$MT/pw-empty-long"
chmod 644 "$MT"/pw-*
printf 'sec\0ret\n' >"$TESTTMP/in-nul"
chmod 644 "$TESTTMP/in-nul"

# refused DESCRIPTION STDIN STDERR-REGEX ARGS...: ours exits 1..123 within
# 10 s (not the timeout's 124), says why, and calls no mount(8).
refused() {
	local desc=$1 in=$2 re=$3 st; shift 3
	MT_ENV="timeout -k 1 10" mt_run ours mount.ecryptfs "$@" <"$in"
	st=$?
	_tap_n=$((_tap_n + 1))
	if [ "$st" -ne 0 ] && [ "$st" -ne 124 ] && [ "$st" -ne 137 ] &&
	   grep -Eq "$re" "$MT/err" && [ "$(mt_opts)" = "(none)" ]; then
		echo "ok $_tap_n - $desc"
	else
		echo "not ok $_tap_n - $desc"
		echo "#   exit $st, mount -o $(mt_opts); stderr:"
		sed 's/^/#   | /' "$MT/err" | head -8
		_tap_fail=$((_tap_fail + 1))
	fi
}

refused "passphrase_passwd_file: NUL after the passphrase" "$N" \
	"mount.ecryptfs: the passphrase file .*/pw-nul: $NUL_MSG" \
	"$L" "$U" -o "key=passphrase:passphrase_passwd_file=$MT/pw-nul,$Q,$A"
refused "passphrase_passwd_file: NUL inside the passphrase" "$N" "$NUL_MSG" \
	"$L" "$U" -o "key=passphrase:passphrase_passwd_file=$MT/pw-nul-mid,$Q,$A"
refused "passfile alias: a NUL line before passwd=" "$N" "$NUL_MSG" \
	"$L" "$U" -o "key=passphrase:passfile=$MT/pw-nul-line,$Q,$A"
MT_FD3=$MT/pw-nul refused "passphrase_passwd_fd=3: NUL after the passphrase" "$N" \
	"mount.ecryptfs: the input on fd 3: $NUL_MSG" \
	"$L" "$U" -o "key=passphrase:passphrase_passwd_fd=3,$Q,$A"
refused "passphrase_passwd_fd=0: NUL from stdin" "$MT/pw-nul-mid" "$NUL_MSG" \
	"$L" "$U" -o "key=passphrase:passfd=0,$Q,$A"
refused "passphrase_passwd_fd=0: /dev/zero" /dev/zero "fd 0: too long" \
	"$L" "$U" -o "key=passphrase:passphrase_passwd_fd=0,$Q,$A"
refused "passphrase_passwd_fd=0: endless lines from yes" <(yes passwd=secret) "fd 0: too long" \
	"$L" "$U" -o "key=passphrase:passphrase_passwd_fd=0,$Q,$A"
refused "passphrase_passwd_file=/dev/zero" "$N" "too long" \
	"$L" "$U" -o "key=passphrase:passphrase_passwd_file=/dev/zero,$Q,$A"
EMPTY_MSG='is empty \(passwd= needs a value\)'
refused "passphrase_passwd_file: passwd= empty" "$N" \
	"mount.ecryptfs: the passphrase in the passphrase file .*/pw-empty $EMPTY_MSG" \
	"$L" "$U" -o "key=passphrase:passphrase_passwd_file=$MT/pw-empty,$Q,$A"
refused "passphrase_passwd_file: the last passwd= empty" "$N" "$EMPTY_MSG" \
	"$L" "$U" -o "key=passphrase:passphrase_passwd_file=$MT/pw-empty-last,$Q,$A"
refused "passphrase_passwd_file: passphrase_passwd= empty beside passwd=" "$N" "$EMPTY_MSG" \
	"$L" "$U" -o "key=passphrase:passphrase_passwd_file=$MT/pw-empty-long,$Q,$A"
MT_FD3=$MT/pw-empty refused "passphrase_passwd_fd=3: passwd= empty" "$N" \
	"mount.ecryptfs: the passphrase in the input on fd 3 $EMPTY_MSG" \
	"$L" "$U" -o "key=passphrase:passphrase_passwd_fd=3,$Q,$A"
# Interactive: the Passphrase prompt reads the line from stdin.
refused "the Passphrase prompt: NUL inside" "$TESTTMP/in-nul" \
	"mount.ecryptfs: reading the passphrase: $NUL_MSG" "$L" "$U" -o "key=passphrase,no_sig_cache,$A"
refused "the Passphrase prompt: /dev/zero" /dev/zero "$NUL_MSG" \
	"$L" "$U" -o "key=passphrase,no_sig_cache,$A"
refused "the cipher menu: /dev/zero" /dev/zero "an answer longer than 65536 bytes" \
	"$L" "$U" -o "key=passphrase:passwd=secret,no_sig_cache"
refused "a yes/no question: /dev/zero" /dev/zero "an answer longer than 65536 bytes" \
	"$L" "$U" -o "key=passphrase:passwd=secret,no_sig_cache,$A"
# Where the reference runs out of memory on the endless line, its lines and
# status are ours too.
MT_ENV="timeout -k 1 10" mt_compare "a yes/no question: /dev/zero, as the reference" /dev/zero \
	"$L" "$U" -o "key=passphrase:passwd=secret,no_sig_cache,$A"

# Valid input is unchanged: a final NUL is taken, as by the reference.
mt_compare "passphrase_passwd_file ending in a NUL" "$N" \
	"$L" "$U" -o "key=passphrase:passphrase_passwd_file=$MT/pw-final,$Q,$A"
is "$(mt_opts)" "$SIG" "a final NUL: the key of secret"
mt_compare "passphrase_passwd_file ending in a NUL and a newline" "$N" \
	"$L" "$U" -o "key=passphrase:passphrase_passwd_file=$MT/pw-final-nl,$Q,$A"
MT_FD3=$MT/pw-final mt_compare "passphrase_passwd_fd=3 ending in a NUL" "$N" \
	"$L" "$U" -o "key=passphrase:passphrase_passwd_fd=3,$Q,$A"
is "$(mt_opts)" "$SIG" "fd: the key of secret"
tap_done
