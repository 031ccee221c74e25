/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Listing prefetch: when a directory is listed, threads of their own walk
 * it and its subdirectories ahead of the requests, so that the lower
 * inodes, and the headers whose sizes are not known yet, are in memory by
 * the time readdirplus and the lookups that follow ask for them.
 *
 * A cold walk (find, du, a backup after the caches were dropped) is a
 * chain of synchronous lower reads: a directory's blocks, its inodes, then
 * the next directory.  The requests come one at a time, so the daemon
 * alone would wait on each read in turn; the walkers here issue those
 * reads earlier and several at once.  A directory listed now goes first;
 * its subdirectories (one level down) follow, in the order a walk visits
 * them.
 *
 * Only caches are touched: nothing here decides what a request answers,
 * so a walker that is late, skipped or wrong costs time, never
 * correctness.  The work is bounded: a fixed queue (a full one drops the
 * look-ahead), a cap of entries per directory, entries whose inode the
 * daemon already holds skipped.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "efs.h"

#define WALKERS 3		/* mostly waiting on the disk: several reads in flight */
#define QUEUE 64		/* directories waiting */
#define MAX_ENTRIES 16384	/* per directory */

struct job {
	int fd;			/* the lower directory, O_RDONLY */
	bool look_ahead;	/* a subdirectory of a listed one: no deeper */
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct job q[QUEUE];	/* a ring: head is taken next */
	unsigned head, count, cap;	/* cap: jobs queued at most, <= QUEUE */
	bool stop;
	unsigned nthreads;
	pthread_t threads[WALKERS];
} pf = { .lock = PTHREAD_MUTEX_INITIALIZER, .more = PTHREAD_COND_INITIALIZER };

static bool dot_or_dotdot(const char *n)
{
	return n[0] == '.' && (n[1] == 0 || (n[1] == '.' && n[2] == 0));
}

/* Queue a job; a listing goes first, look-ahead last.  fd consumed. */
static void enqueue(int fd, bool look_ahead)
{
	int drop = -1;

	pthread_mutex_lock(&pf.lock);
	if (pf.stop || !pf.nthreads) {
		drop = fd;
	} else if (!look_ahead) {
		if (pf.count == pf.cap) {	/* the newest look-ahead gives way */
			drop = pf.q[(pf.head + pf.count - 1) % QUEUE].fd;
			pf.count--;
		}
		pf.head = (pf.head + QUEUE - 1) % QUEUE;
		pf.q[pf.head] = (struct job){ fd, false };
		pf.count++;
		pthread_cond_signal(&pf.more);
	} else if (pf.count == pf.cap) {
		drop = fd;
	} else {
		pf.q[(pf.head + pf.count) % QUEUE] = (struct job){ fd, true };
		pf.count++;
		pthread_cond_signal(&pf.more);
	}
	pthread_mutex_unlock(&pf.lock);
	if (drop >= 0)
		close(drop);
}

/*
 * A regular file whose size is not known: start reading its header in the
 * background (no access time is touched by a readahead).
 */
static void header_ahead(int dirfd, const char *lname, const struct stat *st)
{
	off_t size;
	int fd;

	if (st->st_size < 16 || efs_sizes_get(st, &size))
		return;
	fd = openat(dirfd, lname, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;
	posix_fadvise(fd, 0, ECRYPTFS_HEADER_READ_MAX, POSIX_FADV_WILLNEED);
	close(fd);
}

static bool stopping(void)
{
	return __atomic_load_n(&pf.stop, __ATOMIC_RELAXED);
}

static void walk(struct job *j)
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
		if (dir && !j->look_ahead) {
			int fd = openat(j->fd, de->d_name,
					O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (fd >= 0)
				enqueue(fd, true);
		}
	}
	closedir(dp);
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
		enqueue(fd, false);
}
