#!/bin/bash
# Prefetch (src/fuse/prefetch.c): a listing sends walkers ahead through the
# directory and its subdirectories, one level down, reading the lower
# inodes and the headers of files whose size the daemon does not know yet;
# a reader opening a directory's files one after the other has the next
# ones read ahead of it.  Checked from outside: which lower pages are in
# memory (fincore) after the caches were dropped.  Also: sizes stay exact,
# the walkers leave no descriptor behind, and an unmount does not wait for
# them.
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

# Open-ahead: a reader opening a directory's files in listing order has the
# next files' first pages (header and first extent: 12 KiB lower files
# here) read ahead, in windows of 4, 8, 16, 32, the next one sent when the
# reader is halfway through a window or past it; a walk that opens nothing
# reads no contents.  Listings read at most a header's page of each.
mkdir "$M/seq" "$M/walk"
for i in $(seq 100); do
	printf 'file %03d\n' "$i" | head -c 4000 >"$M/seq/s$i"
	head -c 4000 /dev/zero >"$M/walk/w$i"
done
mapfile -t order < <(ls -U "$M/seq")	# the listing order
lower() { local f; for f in "$@"; do echo "$L/seq/$f"; done; }
# whole FILE...: how many have all their 12 KiB in memory.
whole() { fincore -b -n -o RES "$@" | awk '$1 >= 12288 { n++ } END { print n + 0 }'; }
# wait_whole N FILE...: up to 3 s for N of them to be whole.
wait_whole() {
	local want=$1 n=0; shift
	for _ in $(seq 30); do
		n=$(whole "$@")
		[ "$n" -ge "$want" ] && break
		sleep 0.1
	done
	echo "$n"
}
cold
ls -U "$M/seq" >/dev/null
cat "$M/seq/${order[0]}" >/dev/null
is "$(wait_whole 4 $(lower "${order[@]:1:4}"))" 4 "opening a file reads the next 4 ahead"
sleep 0.3
is "$(whole $(lower "${order[@]:5:95}"))" 0 "and no further"
cat "$M/seq/${order[1]}" "$M/seq/${order[2]}" "$M/seq/${order[3]}" >/dev/null
is "$(wait_whole 8 $(lower "${order[@]:5:8}"))" 8 "opening the one halfway through reads the next 8"
sleep 0.3
is "$(whole $(lower "${order[@]:13:87}"))" 0 "and no further"
cat "$M/seq/${order[11]}" >/dev/null
is "$(wait_whole 16 $(lower "${order[@]:13:16}"))" 16 "opening one past halfway reads the next 16"
sleep 0.3
is "$(whole $(lower "${order[@]:29:71}"))" 0 "and no further"
cat "$M/seq/${order[50]}" >/dev/null
is "$(wait_whole 4 $(lower "${order[@]:51:4}"))" 4 "an open elsewhere reads 4 after it"
want=$(for f in "${order[@]}"; do printf 'file %03d\n' "${f#s}"; done | md5sum)
cold
ls -U "$M/seq" >/dev/null
is "$(for f in "${order[@]}"; do cat "$M/seq/$f"; done | md5sum)" "$want" \
	"a cold read of them all in order reads every file right"
# Random opens: windows that go unused make the next ones wait (up to
# 128 ms), so reading half of 400 files in an order that is not the
# listing's, 2 ms apart, reads few of the others ahead; with a window at
# every open most of them would be.
mkdir "$M/rand"
for i in $(seq 400); do head -c 4000 /dev/zero >"$M/rand/r$i"; done
cold
ls -U "$M/rand" >/dev/null
# prints the names it did not open
mapfile -t others < <(python3 -c 'import os, random, sys, time
d = sys.argv[1]
names = os.listdir(d)
random.seed(7)
opened = random.sample(names, 200)
for n in opened:
    with open(os.path.join(d, n), "rb") as f:
        f.read(1)
    time.sleep(0.002)   # time for a walker to finish each window
print("\n".join(sorted(set(names) - set(opened))))' "$M/rand")
sleep 0.5
n=$(whole $(for f in "${others[@]}"; do echo "$L/rand/$f"; done))
ok_few() { [ "${#others[@]}" = 200 ] && [ "$n" -lt 100 ]; }
check "random opens read few files ahead ($n of the 200 others)" ok_few
cold
find "$M/walk" -printf '%s %m\n' >/dev/null
ls -l "$M/walk" >/dev/null
sleep 0.5
is "$(fincore -b -n -o RES "$L"/walk/* | awk '$1 > 4096 { n++ } END { print n + 0 }')" 0 \
	"a walk that opens no file reads no contents"

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
