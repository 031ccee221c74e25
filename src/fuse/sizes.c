/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Plaintext sizes of regular files, by lower inode, kept across the
 * kernel's forgets.  The size of a file lives in its header (or its
 * user.ecryptfs xattr), so a stat of a file the kernel no longer knows
 * would cost a read of that header: one synchronous disk read per file
 * when a cold `find`, `ls -l` or backup walks a home.  A size learnt once
 * (at a header read, or when this daemon closes a file it wrote) stays
 * here while the lower file is unchanged, which its size, mtime and ctime
 * say: any write, truncate or xattr change through any path moves the
 * ctime.  What this cannot see is a change by another writer within the
 * lower file system's timestamp granularity of the moment the size was
 * learnt that also leaves the lower size as it was; doc/ecryptfs-fuse.8
 * says so beside the timeouts, which already leave the kernel's copy of a
 * size as stale as a minute.
 *
 * A fixed set-associative table: memory stays bounded however many files
 * are walked, and entries beyond the bound replace the oldest of their set.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "efs.h"

#define WAYS 4
#define STRIPES 256

struct size_entry {
	uint64_t ino;
	uint64_t dev;
	int64_t lower_size;
	int64_t mtime_s, ctime_s;
	uint32_t mtime_ns, ctime_ns;
	int64_t size;		/* the plaintext size; 0 and ino 0: empty */
};

struct size_set {
	struct size_entry e[WAYS];
};

static struct {
	struct size_set *sets;
	size_t mask;
	unsigned char *next;		/* per set: the way replaced next */
	pthread_mutex_t lock[STRIPES];
} tab;

int efs_sizes_init(size_t entries)
{
	size_t nsets = 1;

	while (nsets * WAYS < entries)
		nsets <<= 1;
	/* calloc of this size maps zero pages: memory is used as sets fill. */
	tab.sets = calloc(nsets, sizeof(*tab.sets));
	tab.next = calloc(nsets, 1);
	if (!tab.sets || !tab.next) {
		efs_sizes_destroy();
		return -ENOMEM;
	}
	tab.mask = nsets - 1;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&tab.lock[i], NULL);
	return 0;
}

void efs_sizes_destroy(void)
{
	free(tab.sets);
	free(tab.next);
	tab.sets = NULL;
	tab.next = NULL;
}

static size_t set_of(const struct stat *st)
{
	uint64_t h = ((uint64_t)st->st_ino ^ ((uint64_t)st->st_dev << 32)) * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 20) & tab.mask;
}

static bool same_inode(const struct size_entry *e, const struct stat *st)
{
	return e->ino == (uint64_t)st->st_ino && e->dev == (uint64_t)st->st_dev;
}

static bool unchanged(const struct size_entry *e, const struct stat *st)
{
	return e->lower_size == st->st_size &&
	       e->mtime_s == st->st_mtim.tv_sec && e->mtime_ns == (uint32_t)st->st_mtim.tv_nsec &&
	       e->ctime_s == st->st_ctim.tv_sec && e->ctime_ns == (uint32_t)st->st_ctim.tv_nsec;
}

bool efs_sizes_get(const struct stat *lower, off_t *size)
{
	size_t s;
	bool hit = false;

	if (!tab.sets)
		return false;
	s = set_of(lower);
	pthread_mutex_lock(&tab.lock[s % STRIPES]);
	for (int w = 0; w < WAYS; w++) {
		const struct size_entry *e = &tab.sets[s].e[w];

		if (same_inode(e, lower) && unchanged(e, lower)) {
			*size = (off_t)e->size;
			hit = true;
			break;
		}
	}
	pthread_mutex_unlock(&tab.lock[s % STRIPES]);
	return hit;
}

void efs_sizes_put(const struct stat *lower, off_t size)
{
	struct size_entry *slot = NULL;
	size_t s;

	if (!tab.sets || !S_ISREG(lower->st_mode))
		return;
	s = set_of(lower);
	pthread_mutex_lock(&tab.lock[s % STRIPES]);
	/* The inode's own entry, else a free way, else the oldest. */
	for (int w = 0; w < WAYS && !slot; w++)
		if (same_inode(&tab.sets[s].e[w], lower))
			slot = &tab.sets[s].e[w];
	for (int w = 0; w < WAYS && !slot; w++)
		if (tab.sets[s].e[w].ino == 0)
			slot = &tab.sets[s].e[w];
	if (!slot) {
		slot = &tab.sets[s].e[tab.next[s]];
		tab.next[s] = (unsigned char)((tab.next[s] + 1) % WAYS);
	}
	slot->ino = (uint64_t)lower->st_ino;
	slot->dev = (uint64_t)lower->st_dev;
	slot->lower_size = lower->st_size;
	slot->mtime_s = lower->st_mtim.tv_sec;
	slot->mtime_ns = (uint32_t)lower->st_mtim.tv_nsec;
	slot->ctime_s = lower->st_ctim.tv_sec;
	slot->ctime_ns = (uint32_t)lower->st_ctim.tv_nsec;
	slot->size = size;
	pthread_mutex_unlock(&tab.lock[s % STRIPES]);
}
