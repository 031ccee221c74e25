/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Prefetch: threads of their own read ahead of the requests, so that what
 * a cold walk or a cold read is about to ask for is in memory, or on its
 * way, by the time the request comes.
 *
 * Listings.  A cold walk (find, du, a backup after the caches were dropped)
 * is a chain of synchronous lower reads: a directory's blocks, its inodes,
 * then the next directory.  The requests come one at a time, so the daemon
 * alone would wait on each read in turn.  When a directory is listed, the
 * walkers read its lower inodes, and the headers whose sizes are not known
 * yet, then do the same for its subdirectories (one level down), in the
 * order a walk visits them.  A directory listed now goes first.
 *
 * Opens.  A program that reads a directory's files one after the other
 * (cat *, tar, cp -r, grep -r) opens them in listing order, and each open
 * waits on the disk for the file's header, then each read for its first
 * extent.  An open sends a walker ahead of it: the next regular files in
 * the listing (a window) have their first AHEAD_BYTES read in the
 * background.  An open halfway through a window, or past it, sends the
 * walker on to the next, twice as large (up to AHEAD_FILES), as the
 * kernel's readahead grows on a sequential read; an open outside the
 * windows starts a small one after it, at once while windows serve the
 * opens, later and later (up to AHEAD_QUIET_MS) while they do not.  So
 * opens in another order cost a few windows a second, and a walk that
 * opens nothing (find, du, ls -l with known sizes) reads no file's
 * contents.
 *
 * Only caches are touched: nothing here decides what a request answers,
 * so a walker that is late, skipped or wrong costs time, never
 * correctness.  The work is bounded: a fixed queue (a full one drops the
 * look-ahead), a cap of entries per directory, entries whose inode the
 * daemon already holds skipped, a window of files per open.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "efs.h"

#define WALKERS 3		/* mostly waiting on the disk: several reads in flight */
#define QUEUE 64		/* directories waiting */
#define MAX_ENTRIES 16384	/* per directory */
#define AHEAD_FIRST 4		/* files in an opener's first window */
#define AHEAD_FILES 32		/* and in its largest */
#define AHEAD_BYTES 16384	/* of each: the header and the first extents */
#define AHEAD_DIRS 8		/* directories whose openers are followed */
#define RING (2 * AHEAD_FILES)	/* names remembered of a directory's windows */
#define AHEAD_QUIET_MS 128	/* random opens: a window in this time at most */

enum job_kind {
	LISTING,		/* a listed directory */
	LOOK_AHEAD,		/* a subdirectory of a listed one: no deeper */
	OPENED,			/* files after one opened */
};

struct job {
	int fd;			/* the lower directory, O_RDONLY */
	enum job_kind kind;
	/*
	 * OPENED: a window of size files from telldir position pos, or (pos 0)
	 * after the name hashing to after, in the directory (dev, ino).
	 */
	long pos;
	uint64_t after;
	unsigned size;
	dev_t dev;
	ino_t ino;
};

/* A directory whose files are being opened (ino 0: a free slot). */
struct ahead {
	dev_t dev;
	ino_t ino;
	bool busy;		/* a walker is on its next window */
	unsigned last;		/* files in the last window (its size when pos is set) */
	long pos;		/* telldir after it; 0: the end, or sent on already */
	/*
	 * The names read ahead in the last windows, by hash (0: none), oldest
	 * first from seen[next]: the last window's are the last `last`.
	 */
	uint64_t seen[RING];
	unsigned next;
	/*
	 * Opens of names read ahead (hits) and of others (misses) since the
	 * last miss that started a window.
	 */
	unsigned hits, misses;
	bool started;		/* a window was started by a miss, */
	uint64_t started_ms;	/* at this time */
	unsigned quiet_ms;	/* before a miss may start the next */
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct job q[QUEUE];	/* a ring: head is taken next */
	unsigned head, count, cap;	/* cap: jobs queued at most, <= QUEUE */
	bool stop;
	unsigned nthreads;
	pthread_t threads[WALKERS];
	struct ahead ahead[AHEAD_DIRS];	/* under lock */
	unsigned ahead_next;		/* the slot a new directory takes */
} pf = { .lock = PTHREAD_MUTEX_INITIALIZER, .more = PTHREAD_COND_INITIALIZER };

static bool dot_or_dotdot(const char *n)
{
	return n[0] == '.' && (n[1] == 0 || (n[1] == '.' && n[2] == 0));
}

/* Under pf.lock. */
static struct ahead *ahead_find(dev_t dev, ino_t ino)
{
	for (unsigned i = 0; i < AHEAD_DIRS; i++)
		if (pf.ahead[i].ino == ino && pf.ahead[i].dev == dev)
			return &pf.ahead[i];
	return NULL;
}

/* Under pf.lock: a job that will not run; its fd is closed by the caller. */
static void dropped(const struct job *j)
{
	struct ahead *a = j->kind == OPENED ? ahead_find(j->dev, j->ino) : NULL;

	if (a)
		a->busy = false;
}

/* Queue a job; a listing or an open goes first, look-ahead last.  j->fd consumed. */
static void enqueue(const struct job *j)
{
	const struct job *drop = NULL;
	struct job last;

	pthread_mutex_lock(&pf.lock);
	if (pf.stop || !pf.nthreads) {
		drop = j;
	} else if (j->kind != LOOK_AHEAD) {
		if (pf.count == pf.cap) {	/* the newest job gives way */
			last = pf.q[(pf.head + pf.count - 1) % QUEUE];
			drop = &last;
			pf.count--;
		}
		pf.head = (pf.head + QUEUE - 1) % QUEUE;
		pf.q[pf.head] = *j;
		pf.count++;
		pthread_cond_signal(&pf.more);
	} else if (pf.count == pf.cap) {
		drop = j;
	} else {
		pf.q[(pf.head + pf.count) % QUEUE] = *j;
		pf.count++;
		pthread_cond_signal(&pf.more);
	}
	if (drop)
		dropped(drop);
	pthread_mutex_unlock(&pf.lock);
	if (drop)
		close(drop->fd);
}

/*
 * Start reading the first len bytes of the regular file lname in the
 * background (no access time is touched by a readahead).  Only a regular
 * file is opened: an open of a device can do things.
 */
static void read_ahead(int dirfd, const char *lname, off_t len)
{
	int fd = openat(dirfd, lname, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return;
	posix_fadvise(fd, 0, len, POSIX_FADV_WILLNEED);
	close(fd);
}

/* A regular file whose size is not known: its header. */
static void header_ahead(int dirfd, const char *lname, const struct stat *st)
{
	off_t size;

	if (st->st_size >= 16 && !efs_sizes_get(st, &size))
		read_ahead(dirfd, lname, ECRYPTFS_HEADER_READ_MAX);
}

static bool stopping(void)
{
	return __atomic_load_n(&pf.stop, __ATOMIC_RELAXED);
}

static void walk_listing(struct job *j)
{
	struct stat dst, st;
	struct dirent *de;
	unsigned n = 0;
	DIR *dp;

	if (fstat(j->fd, &dst) < 0 || !(dp = fdopendir(j->fd))) {
		close(j->fd);
		return;
	}
	while (!stopping() && n++ < MAX_ENTRIES && (de = readdir(dp))) {
		bool dir = de->d_type == DT_DIR;

		if (dot_or_dotdot(de->d_name))
			continue;
		/*
		 * An inode with a cached fd is in memory already, but not what
		 * a directory holds: that is looked ahead all the same.
		 */
		if (!efs_inode_cached(dst.st_dev, de->d_ino) || de->d_type == DT_UNKNOWN) {
			if (fstatat(j->fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				continue;
			dir = S_ISDIR(st.st_mode);
			if (S_ISREG(st.st_mode))
				header_ahead(j->fd, de->d_name, &st);
		}
		if (dir && j->kind == LISTING) {
			int fd = openat(j->fd, de->d_name,
					O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (fd >= 0)
				enqueue(&(struct job){ .fd = fd, .kind = LOOK_AHEAD });
		}
	}
	closedir(dp);
}

/* FNV-1a: names are compared by hash; a collision costs a readahead. */
static uint64_t name_hash(const char *name)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 0x100000001b3u;
	return h ? h : 1;	/* 0 means none */
}

/* The first pages of a regular file opened next (or of a DT_UNKNOWN entry that is one). */
static void contents_ahead(int dirfd, const struct dirent *de)
{
	struct stat st;

	if (de->d_type == DT_UNKNOWN &&
	    (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)))
		return;
	read_ahead(dirfd, de->d_name, AHEAD_BYTES);
}

/* A window of files after the one opened, or after the last window. */
static void walk_opened(struct job *j)
{
	uint64_t names[AHEAD_FILES];
	struct dirent *de = NULL;
	struct ahead *a;
	unsigned n = 0, skipped = 0;
	long pos = 0;
	DIR *dp = fdopendir(j->fd);

	if (!dp) {
		close(j->fd);
		goto out;
	}
	if (j->pos) {
		seekdir(dp, j->pos);
	} else {
		do
			de = readdir(dp);
		while (de && !stopping() && ++skipped < MAX_ENTRIES &&
		       name_hash(de->d_name) != j->after);
		if (!de || name_hash(de->d_name) != j->after)
			goto out;
	}
	while (!stopping() && n < j->size && (de = readdir(dp))) {
		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
			continue;
		contents_ahead(dirfd(dp), de);
		names[n++] = name_hash(de->d_name);
	}
	/* A window cut short by the end of the listing has no successor. */
	if (n == j->size && (pos = telldir(dp)) < 0)
		pos = 0;
out:
	pthread_mutex_lock(&pf.lock);
	a = ahead_find(j->dev, j->ino);
	if (a) {
		a->busy = false;
		a->last = n;
		a->pos = pos;
		for (unsigned i = 0; i < n; i++)
			a->seen[a->next++ % RING] = names[i];
	}
	pthread_mutex_unlock(&pf.lock);
	if (dp)
		closedir(dp);
}

static void walk(struct job *j)
{
	if (j->kind == OPENED)
		walk_opened(j);
	else
		walk_listing(j);
}

static void *walker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&pf.lock);
	for (;;) {
		struct job j;

		while (!pf.stop && !pf.count)
			pthread_cond_wait(&pf.more, &pf.lock);
		if (pf.stop)
			break;
		j = pf.q[pf.head];
		pf.head = (pf.head + 1) % QUEUE;
		pf.count--;
		pthread_mutex_unlock(&pf.lock);
		walk(&j);
		pthread_mutex_lock(&pf.lock);
	}
	pthread_mutex_unlock(&pf.lock);
	return NULL;
}

void efs_prefetch_start(void)
{
	/*
	 * Each queued job holds a descriptor: a sixty-fourth of the limit at
	 * most, none under a small one, where requests need them all.
	 */
	unsigned cap = efs->fd_limit / 64 > QUEUE ? QUEUE : (unsigned)efs->fd_limit / 64;

	if (cap < 4)
		return;
	pthread_mutex_lock(&pf.lock);
	pf.cap = cap;
	pf.stop = false;
	while (pf.nthreads < WALKERS &&
	       pthread_create(&pf.threads[pf.nthreads], NULL, walker, NULL) == 0)
		pf.nthreads++;
	pthread_mutex_unlock(&pf.lock);
}

void efs_prefetch_stop(void)
{
	pthread_mutex_lock(&pf.lock);
	pf.stop = true;
	pthread_cond_broadcast(&pf.more);
	pthread_mutex_unlock(&pf.lock);
	for (unsigned i = 0; i < pf.nthreads; i++)
		pthread_join(pf.threads[i], NULL);
	pf.nthreads = 0;
	for (; pf.count; pf.count--) {
		close(pf.q[pf.head].fd);
		pf.head = (pf.head + 1) % QUEUE;
	}
}

void efs_prefetch_listing(int dirfd)
{
	int fd;

	if (!__atomic_load_n(&pf.nthreads, __ATOMIC_RELAXED))
		return;
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
		enqueue(&(struct job){ .fd = fd, .kind = LISTING });
}

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/*
 * Under pf.lock: where the walker goes for an open of the file hashing to h
 * in a, as a job without its fd; size 0: nowhere.
 */
static struct job next_window(struct ahead *a, uint64_t h)
{
	struct job j = { .kind = OPENED, .dev = a->dev, .ino = a->ino };
	unsigned age;

	/* age: 0 for the name read ahead last */
	for (age = 0; age < RING && a->seen[(a->next + RING - 1 - age) % RING] != h; age++)
		;
	if (age < RING)
		a->hits++;
	else
		a->misses++;
	if (a->busy)
		return j;
	if (age < RING) {
		/* halfway through the last window, or past it: the next one */
		if (age < a->last && a->last - 1 - age >= a->last / 2 && a->pos) {
			j.pos = a->pos;
			j.size = a->last * 2 > AHEAD_FILES ? AHEAD_FILES : a->last * 2;
			a->pos = 0;
		}
	} else if (!a->started || now_ms() - a->started_ms >= a->quiet_ms) {
		/*
		 * Not read ahead: a small window after it.  When the windows
		 * since the last one a miss started served fewer opens than
		 * missed them (random opens), the next waits twice as long as
		 * the last wait, up to AHEAD_QUIET_MS: a reader that does not
		 * go in listing order costs a few windows a second, and one
		 * that starts to is followed within that time.
		 */
		if (!a->started || a->hits > a->misses)
			a->quiet_ms = 0;
		else
			a->quiet_ms = a->quiet_ms * 2 > AHEAD_QUIET_MS ? AHEAD_QUIET_MS :
				      a->quiet_ms ? a->quiet_ms * 2 : 1;
		a->started = true;
		a->started_ms = now_ms();
		a->misses = a->hits = 0;
		j.after = h;
		j.size = AHEAD_FIRST;
	}
	a->busy = j.size != 0;
	return j;
}

void efs_prefetch_opened(struct efs_inode *in)
{
	char lname[NAME_MAX + 1];
	struct efs_inode *dir;
	struct ahead *a;
	struct job j;
	int pfd;

	if (!__atomic_load_n(&pf.nthreads, __ATOMIC_RELAXED))
		return;
	dir = efs_inode_parent(in, lname, sizeof(lname));
	if (!dir)
		return;
	pthread_mutex_lock(&pf.lock);
	a = ahead_find(dir->dev, dir->ino);
	if (!a) {		/* a directory not followed yet takes the oldest slot */
		a = &pf.ahead[pf.ahead_next++ % AHEAD_DIRS];
		*a = (struct ahead){ .dev = dir->dev, .ino = dir->ino };
	}
	j = next_window(a, name_hash(lname));
	pthread_mutex_unlock(&pf.lock);
	if (j.size) {
		j.fd = -1;
		pfd = efs_inode_fd(dir);
		if (pfd >= 0) {
			j.fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			efs_inode_fd_put(dir);
		}
		if (j.fd >= 0) {
			enqueue(&j);
		} else {
			pthread_mutex_lock(&pf.lock);
			dropped(&j);
			pthread_mutex_unlock(&pf.lock);
		}
	}
	efs_inode_release(dir);
}
