#!/bin/bash
# Concurrent rewraps of one wrapped-passphrase file run one after the other
# under the file's lock (flock on the file itself, doc/wrapped-passphrase.5):
# a run reports success only if its change is the one the file holds until
# the next successful run, and a run whose old passphrase was changed away
# meanwhile fails with the reference's error.  Each run below reads its
# secrets a second after it started, by which time all eight have opened and
# checked the file: without the lock each would then rewrap what it read.
. "$SRCDIR/tests/lib/tap.sh"
WRAP=$(prog ecryptfs-wrap-passphrase)
UNWRAP=$(prog ecryptfs-unwrap-passphrase)
REWRAP=$(prog ecryptfs-rewrap-passphrase)
d=$TESTTMP/lock
mkdir -p "$d"
N=8

# unwraps FILE PASS: exit 0 when PASS unwraps FILE to the mount passphrase.
unwraps() { [ "$(printf '%s' "$2" | "$UNWRAP" "$1" - 2>/dev/null)" = "the mount pass" ]; }

# run_all FILE OLD-OF-i NEW-OF-i: N rewraps at once, run i with the secrets
# printed by the two functions; statuses in $d/st.i, stderr in $d/err.i.
run_all() {
	local f=$1 i
	for i in $(seq 1 $N); do
		( { sleep 1; printf '%s\n%s' "$($2 "$i")" "$($3 "$i")"; } |
			timeout -k 1 60 "$REWRAP" "$f" - >"$d/out.$i" 2>"$d/err.$i"
		  echo $? >"$d/st.$i" ) &
	done
	wait
}
successes() {	# the runs that exited 0, in order
	local i
	for i in $(seq 1 $N); do [ "$(cat "$d/st.$i")" = 0 ] && printf '%s ' "$i"; done
}
# bad_failures: the runs that failed otherwise than with the reference's
# wrong-passphrase lines (exit 1, "Error: Unwrapping passphrase failed [-5]").
bad_failures() {
	local i
	for i in $(seq 1 $N); do
		[ "$(cat "$d/st.$i")" = 0 ] && continue
		[ "$(cat "$d/st.$i")" = 1 ] &&
			grep -qx 'Error: Unwrapping passphrase failed \[-5\]' "$d/err.$i" &&
			grep -q 'wrong wrapping passphrase' "$d/err.$i" && continue
		printf '%s ' "$i"
	done
}

# 1. Eight runs from the same old passphrase to eight new ones: the first to
# take the lock wins, the seven others find the old passphrase gone.
printf 'the mount pass\nold' | "$WRAP" "$d/same" -
same_old() { echo old; }
same_new() { echo "new $1"; }
run_all "$d/same" same_old same_new
won=$(successes)
is "$(echo "$won" | wc -w)" 1 "same old passphrase: exactly one run reports success"
diag "successful run: $won"
w=${won%% *}
unwraps "$d/same" "new ${w:-none}"
ok "the file unwraps with the winner's new passphrase"
lost=0
for i in $(seq 1 $N); do
	[ "$i" = "$w" ] && continue
	unwraps "$d/same" "new $i" && lost=$((lost + 1))
done
is "$lost" 0 "no other run's new passphrase unwraps it"
unwraps "$d/same" old
is "$?" 1 "the old passphrase no longer unwraps it"
is "$(bad_failures)" "" "every other run failed with the reference's wrong-passphrase error"

# 2. A chain, v3 (slow enough to hold the lock while others wait): run i
# rewraps "pass i-1" to "pass i".  Whatever the order, the runs that
# succeed are 1..k, each having read its predecessor's file, and the file
# ends with "pass k".
printf 'the mount pass\npass 0' | "$WRAP" --v3 "$d/chain" -
chain_old() { echo "pass $(($1 - 1))"; }
chain_new() { echo "pass $1"; }
run_all "$d/chain" chain_old chain_new
won=$(successes)
k=$(echo "$won" | wc -w)
is "$won" "$(seq -s ' ' 1 "$k") " "chain: the successful runs are 1..k, in sequence"
diag "successful runs: $won"
unwraps "$d/chain" "pass $k"
ok "chain: the file unwraps with the last successful run's passphrase"
others=0
for i in $(seq 0 $N); do
	[ "$i" = "$k" ] && continue
	unwraps "$d/chain" "pass $i" && others=$((others + 1))
done
is "$others" 0 "chain: no other passphrase of the chain unwraps it"
is "$(bad_failures)" "" "chain: every failed run failed with the reference's error"
is "$(head -c 2 "$d/chain" | od -An -tx1 | tr -d ' ')" 3a03 "chain: still a v3 file"

# 3. The lock is flock(2) on the file: while another process holds it (here
# flock(1), as a script would take it), rewrap and wrap wait.
printf 'the mount pass\nheld' | "$WRAP" "$d/held" -
before=$(sha256sum <"$d/held")
flock "$d/held" -c "touch '$d/taken'; sleep 4" &
holder=$!
for _ in $(seq 1 50); do [ -e "$d/taken" ] && break; sleep 0.1; done
printf 'held\nnew' | timeout 1 "$REWRAP" "$d/held" - >/dev/null 2>&1
is "$?" 124 "rewrap waits while the file is locked"
printf 'other\nwrap' | timeout 1 "$WRAP" "$d/held" - >/dev/null 2>&1
is "$?" 124 "wrap over the file waits too"
is "$(sha256sum <"$d/held")" "$before" "the file is untouched while locked"
printf 'held\nnew' | timeout 20 "$REWRAP" "$d/held" - >/dev/null 2>&1
ok "rewrap goes on once the lock is released"
wait "$holder"
unwraps "$d/held" new
ok "and its change is in the file"
tap_done
