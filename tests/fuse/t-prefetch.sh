#!/bin/bash
# The listing prefetch (src/fuse/prefetch.c): a listing sends walkers ahead
# through the directory and its subdirectories, one level down, reading the
# lower inodes and the headers of files whose size the daemon does not know
# yet.  Checked from outside: which lower pages are in memory (fincore)
# after the caches were dropped.  Also: sizes stay exact, the walkers leave
# no descriptor behind, and an unmount does not wait for them.
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/fuse/lib.sh"

sig=$(efs_addkey "prefetch $$ $RANDOM")
O="ecryptfs_sig=$sig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16"
L=$TESTTMP/lower M=$TESTTMP/mnt
mkdir -p "$L"
daemon_pid() { pgrep -f -- "ecryptfs-fuse.* $1\$" | head -1; }
cold() { sync; echo 3 >/proc/sys/vm/drop_caches; }
# resident FILE...: how many of the files have pages in memory.
resident() { fincore -b -n -o RES "$@" | awk '$1 > 0 { n++ } END { print n + 0 }'; }

check_st "mounts" efs_mount "$L" "$M" "$O" || { tap_done; exit; }
for d in d0 d1 d2; do
	mkdir -p "$M/$d/deeper"
	for i in $(seq 40); do head -c $((1000 + i)) /dev/zero >"$M/$d/f$i"; done
	for i in $(seq 10); do head -c 500 /dev/zero >"$M/$d/deeper/g$i"; done
done
check "unmounts" efs_umount "$M"

# A fresh daemon knows no size: a stat would read each header.
check_st "mounts again" efs_mount "$L" "$M" "$O" || { tap_done; exit; }
cold
is "$(resident "$L"/d2/f*)" 0 "the lower headers are not in memory after drop_caches"
ls "$M" >/dev/null
n=0
for i in $(seq 30); do
	n=$(resident "$L"/d2/f*)
	[ "$n" = 40 ] && break
	sleep 0.1
done
is "$n" 40 "listing the root reads the headers of a subdirectory not listed yet"
is "$(resident "$L"/d2/deeper/g*)" 0 "but nothing two levels down"
ls "$M/d2" >/dev/null
n=0
for i in $(seq 30); do
	n=$(resident "$L"/d2/deeper/g*)
	[ "$n" = 10 ] && break
	sleep 0.1
done
is "$n" 10 "listing that subdirectory reads one level below it in turn"

sizes=$(for d in d0 d1 d2; do stat -c %s "$M/$d"/f* "$M/$d"/deeper/g*; done | sort -n | uniq -c |
	awk '{ printf "%s:%s ", $2, $1 }')
want=$( (for d in d0 d1 d2; do seq 1001 1040; for i in $(seq 10); do echo 500; done; done) |
	sort -n | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')
is "$sizes" "$want" "every size exact"

# Walkers' descriptors are O_RDONLY directories of the lower tree; node
# descriptors are O_PATH (flags 010000000), and other directories the
# daemon holds (its mount record's) are not in the lower tree.
pid=$(daemon_pid "$M")
open_dirs() {
	local f fl n=0
	for f in /proc/"$pid"/fd/*; do
		[ -d "$f" ] || continue
		[[ $(readlink "$f") == "$L"* ]] || continue
		fl=$(awk '/^flags:/ { print $2 }' "/proc/$pid/fdinfo/${f##*/}" 2>/dev/null)
		[ -n "$fl" ] && (( (8#$fl & 8#10000000) == 0 )) && n=$((n + 1))
	done
	echo "$n"
}
find "$M" >/dev/null
sleep 0.5
is "$(open_dirs)" 0 "no directory stays open once the walks are done"

# A large directory one level down keeps the walkers busy: the unmount
# must not wait for them.
mkdir "$L/huge"
python3 -c 'import os, sys
for i in range(20000):
    os.close(os.open(f"{sys.argv[1]}/e{i}", os.O_CREAT | os.O_WRONLY, 0o600))' "$L/huge"
cold
ls "$M" >/dev/null
t0=$(date +%s%N)
check "unmounts while the walkers are busy" efs_umount "$M"
t1=$(date +%s%N)
ok_cmp() { [ $(( (t1 - t0) / 1000000 )) -lt 3000 ]; }
check "within 3 s" ok_cmp
is "$(daemon_pid "$M")" "" "the daemon is gone"
efs_sanitizer_check
tap_done
