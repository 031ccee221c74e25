#!/bin/bash
# The interactive prompts in a pty: the reference's prompt texts, no echo of
# the secret, echo restored afterwards, also when Ctrl-C interrupts a prompt.
. "$SRCDIR/tests/lib/tap.sh"
WRAP=$(prog ecryptfs-wrap-passphrase)
UNWRAP=$(prog ecryptfs-unwrap-passphrase)
REWRAP=$(prog ecryptfs-rewrap-passphrase)
cd "$TESTTMP" || exit 1

# pty_run "ANSWER|ANSWER|..." [INTERRUPT] -- PROG ARGS: answers each prompt in turn;
# prints the transcript, then "exit=N echo=0/1" (the tty's ECHO flag at the end).
pty_run() {
	python3 - "$@" <<'PY'
import os, pty, sys, termios, time, select
answers = sys.argv[1].split("|") if sys.argv[1] else []
interrupt = sys.argv[2] == "int"
argv = sys.argv[4:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)
out = b""
def read_some(t=5.0):
    global out
    r, _, _ = select.select([fd], [], [], t)
    if not r:
        return False
    try:
        b = os.read(fd, 4096)
    except OSError:
        return False
    if not b:
        return False
    out += b
    return True
for a in answers + (["<int>"] if interrupt else []):
    while not out.rstrip().endswith(b":"):
        if not read_some():
            break
    echo = bool(termios.tcgetattr(fd)[3] & termios.ECHO)
    out += b"<echo=%d>" % echo
    if a == "<int>":
        os.write(fd, b"\x03")
    else:
        os.write(fd, a.encode() + b"\n")
    # Wait for the program to take the line before looking for the next prompt.
    time.sleep(0.3)
    read_some(0.5)
    out = out.replace(b": <echo=", b":<echo=")
while read_some():
    pass
_, st = os.waitpid(pid, 0)
echo_after = bool(termios.tcgetattr(fd)[3] & termios.ECHO)
code = os.WEXITSTATUS(st) if os.WIFEXITED(st) else 128 + os.WTERMSIG(st)
sys.stdout.write(out.decode(errors="replace").replace("\r\n", "\n"))
sys.stdout.write("\nexit=%d echo=%d\n" % (code, echo_after))
PY
}

t=$(pty_run "the mount pass|wrap pw" - -- "$WRAP" "$TESTTMP/f")
case $t in *"Passphrase to wrap:<echo=0>"*"Wrapping passphrase:<echo=0>"*) true ;; *) false ;; esac
ok "wrap prompts 'Passphrase to wrap:' and 'Wrapping passphrase:' with echo off"
case $t in *"the mount pass"* | *"wrap pw"*) false ;; *) true ;; esac
ok "wrap does not echo the secrets"
case $t in *"exit=0 echo=1") true ;; *) false ;; esac
ok "wrap exits 0 and leaves echo on"

t=$(pty_run "wrap pw" - -- "$UNWRAP" "$TESTTMP/f")
case $t in *"Passphrase:<echo=0>"*"the mount pass"*"exit=0 echo=1") true ;; *) false ;; esac
ok "unwrap prompts 'Passphrase:' with echo off and prints the passphrase"
case $t in *"wrap pw"*) false ;; *) true ;; esac
ok "unwrap does not echo the wrapping passphrase"

t=$(pty_run "wrap pw|new pw|new pw" - -- "$REWRAP" "$TESTTMP/f")
case $t in *"Old wrapping passphrase:<echo=0>"*"New wrapping passphrase:<echo=0>"*"New wrapping passphrase (again):<echo=0>"*"exit=0 echo=1") true ;; *) false ;; esac
ok "rewrap asks old, new, new again, with echo off"
is "$(printf 'new pw' | "$UNWRAP" "$TESTTMP/f" -)" "the mount pass" "the new wrapping passphrase works"

t=$(pty_run "new pw|one|other" - -- "$REWRAP" "$TESTTMP/f")
case $t in *"New wrapping passphrases do not match"*"exit=1 echo=1") true ;; *) false ;; esac
ok "rewrap: mismatch reported, exit 1, echo back on"

t=$(pty_run "" int -- "$UNWRAP" "$TESTTMP/f")
case $t in *"Passphrase:<echo=0>"*"exit=130 echo=1") true ;; *) false ;; esac
ok "Ctrl-C at the prompt ends the program with SIGINT and echo restored"
diag "$t"
tap_done
