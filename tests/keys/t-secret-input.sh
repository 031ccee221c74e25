#!/bin/bash
# Secrets are never shortened silently and no input keeps a program reading:
# a NUL inside a passphrase (which ecryptfs-utils would cut there, giving the
# key of "ab" for "ab\0cd") is refused by every passphrase program, and an
# endless stdin (/dev/zero, yes) ends within seconds with a non-zero exit.
# A NUL as the last byte of the line, as `printf "%s\0"` sends it, still
# works.  Nothing on disk or in the keyring changes on a refusal.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/lib/reference.sh"
ADD=$(prog ecryptfs-add-passphrase)
WRAP=$(prog ecryptfs-wrap-passphrase)
UNWRAP=$(prog ecryptfs-unwrap-passphrase)
REWRAP=$(prog ecryptfs-rewrap-passphrase)
INSERT=$(prog ecryptfs-insert-wrapped-passphrase-into-keyring)
u=$(tu_create) || exit 1
home=$(tu_home "$u")
d=$home/d
as_user "$u" mkdir "$d"
P100=$(printf 'p%.0s' {1..100})
NUL_MSG='the passphrase contains a NUL byte'

printf 'the mount pass\nthe wrap' | as_user "$u" "$WRAP" "$d/good" -
sums() { sha256sum "$d"/* 2>/dev/null; stat -c '%n %a %s' "$d"/* 2>/dev/null; }
before=$(sums)
kr_clear "$u"

# feed SPEC: the input a case sends.  zero: /dev/zero; yes: an endless line
# (yes without its newlines); yes-long: endless 100-byte lines; after-line
# TEXT: one line, then /dev/zero; anything else: printf '%b' of it.
feed() {
	case $1 in
	zero) exec cat /dev/zero ;;
	yes) yes | tr -d '\n' ;;
	yes-long) yes "$P100" ;;
	after-line:*) printf '%b\n' "${1#after-line:}"; exec cat /dev/zero ;;
	*) printf '%b' "$1" ;;
	esac
}

# refused DESCRIPTION INPUT STDERR-REGEX CMD...: exit status 1..123 (not
# the timeout's 124, not a signal) within 5 s, and the message on stderr.
refused() {
	local desc=$1 in=$2 re=$3 st t0; shift 3
	t0=$SECONDS
	feed "$in" 2>/dev/null | as_user "$u" timeout -k 1 5 "$@" >"$TESTTMP/out" 2>"$TESTTMP/err"
	st=$?
	_tap_n=$((_tap_n + 1))
	if [ "$st" -ge 1 ] && [ "$st" -lt 124 ] && grep -Eq "$re" "$TESTTMP/err"; then
		echo "ok $_tap_n - $desc"
	else
		echo "not ok $_tap_n - $desc"
		echo "#   exit $st after $((SECONDS - t0)) s; stderr:"
		sed 's/^/#   | /' "$TESTTMP/err" | head -5
		_tap_fail=$((_tap_fail + 1))
	fi
}

# A NUL inside the secret: each program, each secret it reads.  Every input
# below works on the reference and on the old code, which read up to the NUL
# (the wrapping passphrase is "the wrap").
refused "add: NUL inside (stdin mode)" 'ab\0cd' "ecryptfs-add-passphrase: passphrase: $NUL_MSG" "$ADD" -
refused "add: NUL inside (at the prompt)" 'ab\0cd\n' "ecryptfs-add-passphrase: passphrase: $NUL_MSG" "$ADD"
refused "add --fnek: NUL inside" 'ab\0cd' "$NUL_MSG" "$ADD" --fnek -
refused "add: two NULs" 'ab\0\0\n' "$NUL_MSG" "$ADD" -
refused "wrap: NUL in the passphrase to wrap" 'mp\0x\nwp' \
	"ecryptfs-wrap-passphrase: passphrase to wrap: $NUL_MSG" "$WRAP" "$d/new" -
refused "wrap: NUL in the wrapping passphrase" 'mp\nwp\0x' \
	"ecryptfs-wrap-passphrase: wrapping passphrase: $NUL_MSG" "$WRAP" "$d/new" -
refused "wrap: NUL at the prompt" 'mp\0x\nwp\n' "$NUL_MSG" "$WRAP" "$d/new"
refused "unwrap: NUL in the wrapping passphrase" 'the wrap\0x' \
	"ecryptfs-unwrap-passphrase: wrapping passphrase: $NUL_MSG" "$UNWRAP" "$d/good" -
refused "unwrap: NUL at the prompt" 'the wrap\0x\n' "$NUL_MSG" "$UNWRAP" "$d/good"
refused "rewrap: NUL in the old passphrase" 'the wrap\0x\nnew' \
	"ecryptfs-rewrap-passphrase: old wrapping passphrase: $NUL_MSG" "$REWRAP" "$d/good" -
refused "rewrap: NUL in the new passphrase" 'the wrap\nnew\0x' \
	"ecryptfs-rewrap-passphrase: new wrapping passphrase: $NUL_MSG" "$REWRAP" "$d/good" -
refused "rewrap: NUL in the repeated new passphrase (prompt)" 'the wrap\nnew\nnew\0x\n' \
	"$NUL_MSG" "$REWRAP" "$d/good"
refused "insert: NUL in the wrapping passphrase" 'the wrap\0x' \
	"ecryptfs-insert-wrapped-passphrase-into-keyring: wrapping passphrase: $NUL_MSG" \
	"$INSERT" "$d/good" -
refused "insert: NUL at the prompt" 'the wrap\0x\n' "$NUL_MSG" "$INSERT" "$d/good"
# The argv modes cannot carry a NUL; the ps warning is all they get.

# Endless input: every program, every way it reads, ends within seconds.
for p in "$ADD" "$UNWRAP" "$INSERT"; do
	n=${p##*/}
	case $n in
	ecryptfs-add-passphrase) args=() ;;
	*) args=("$d/good") ;;
	esac
	refused "$n: /dev/zero on stdin (stdin mode)" zero "$NUL_MSG" "$p" "${args[@]}" -
	refused "$n: /dev/zero on stdin (prompt)" zero "$NUL_MSG" "$p" "${args[@]}"
	refused "$n: an endless line (yes without newlines)" yes "longer than 64 bytes" "$p" "${args[@]}" -
	refused "$n: endless long lines (yes)" yes-long "longer than 64 bytes" "$p" "${args[@]}" -
done
grep -qx 'Passphrase is too long. Use at most 64 characters long passphrase.' "$TESTTMP/err"
ok "an endless line gets the reference's too-long line too"
refused "wrap: /dev/zero" zero "passphrase to wrap: $NUL_MSG" "$WRAP" "$d/new" -
refused "wrap: an endless line" yes "passphrase to wrap: longer than 64 bytes" "$WRAP" "$d/new" -
refused "wrap: /dev/zero after the first line" 'after-line:mp' "wrapping passphrase: $NUL_MSG" \
	"$WRAP" "$d/new" -
refused "wrap: /dev/zero at the prompts" zero "$NUL_MSG" "$WRAP" "$d/new"
refused "rewrap: /dev/zero" zero "old wrapping passphrase: $NUL_MSG" "$REWRAP" "$d/good" -
refused "rewrap: an endless line" yes "old wrapping passphrase: longer than 64 bytes" \
	"$REWRAP" "$d/good" -
refused "rewrap: /dev/zero after the old passphrase" 'after-line:the wrap' \
	"new wrapping passphrase: $NUL_MSG" "$REWRAP" "$d/good" -
refused "rewrap: /dev/zero at the prompts" zero "$NUL_MSG" "$REWRAP" "$d/good"

is "$(sums)" "$before" "no file changed or created by any refusal"
is "$(kr_sigs "$u")" "" "no key added by any refusal"

# Valid input is unchanged: the NUL that ends a line is taken, as from the
# reference's scripts (printf "%s\0"), before a newline too.
is "$(printf 'the wrap\0' | as_user "$u" "$UNWRAP" "$d/good" -)" "the mount pass" \
	"unwrap: a final NUL ends the passphrase"
is "$(printf 'the wrap\0\n' | as_user "$u" "$UNWRAP" "$d/good" -)" "the mount pass" \
	"unwrap: a NUL before the newline ends it"
printf 'the wrap\0\nnew wrap\0\n' | as_user "$u" "$REWRAP" "$d/good" - >/dev/null
ok "rewrap: both passphrases NUL-terminated"
is "$(printf 'new wrap' | as_user "$u" "$UNWRAP" "$d/good" -)" "the mount pass" \
	"rewrap: the new passphrase is the one before the NUL"
printf 'foo\0' | as_user "$u" "$ADD" - >/dev/null
ok "add: a NUL-terminated passphrase"
is "$(kr_sigs "$u")" 253ca7e88811d184 "add: the key of foo (the NUL is not part of it)"
kr_clear "$u"
P64=$(printf 'q%.0s' {1..64})
printf '%s\0' "$P64" | as_user "$u" "$ADD" - >/dev/null
ok "add: 64 bytes and a final NUL"
tap_done
