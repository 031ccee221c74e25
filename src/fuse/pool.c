/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The extent crypto worker pool (the paper's parallel encryption).  A large
 * request is cut into disjoint runs of extents; the calling FUSE thread does
 * one run and the workers the others, all through the engine's batch API on
 * the same file context, which is safe from many threads at once.  Small
 * requests never come here: the FUSE loop's own threads already spread them.
 * Also the per-thread buffers those requests are decrypted and copied in.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "efs.h"

#define MIN_RUN 32		/* extents per run: 128 KiB, worth a hand-off */
#define MAX_WORKERS 8

struct job {
	struct job *next;
	struct ecryptfs_crypt *c;
	bool enc;
	uint64_t first;
	const char *in;
	char *out;
	size_t n;
	int result;
	struct batch *batch;
};

struct batch {
	pthread_mutex_t lock;
	pthread_cond_t done;
	unsigned pending;
};

static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t qcond = PTHREAD_COND_INITIALIZER;
static struct job *qhead, **qtail = &qhead;
static pthread_t workers[MAX_WORKERS];
static unsigned nworkers;
static bool stopping;

static int run(struct job *j)
{
	return j->enc ? ecryptfs_crypt_encrypt(j->c, j->first, j->in, j->out, j->n)
		      : ecryptfs_crypt_decrypt(j->c, j->first, j->in, j->out, j->n);
}

static void *worker(void *arg)
{
	for (;;) {
		struct job *j;

		pthread_mutex_lock(&qlock);
		while (!qhead && !stopping)
			pthread_cond_wait(&qcond, &qlock);
		if (!qhead) {
			pthread_mutex_unlock(&qlock);
			return NULL;
		}
		j = qhead;
		qhead = j->next;
		if (!qhead)
			qtail = &qhead;
		pthread_mutex_unlock(&qlock);

		j->result = run(j);
		pthread_mutex_lock(&j->batch->lock);
		if (--j->batch->pending == 0)
			pthread_cond_signal(&j->batch->done);
		pthread_mutex_unlock(&j->batch->lock);
	}
}

int efs_pool_start(unsigned n)
{
	if (n > MAX_WORKERS)
		n = MAX_WORKERS;
	for (nworkers = 0; nworkers < n; nworkers++)
		if (pthread_create(&workers[nworkers], NULL, worker, NULL) != 0)
			break;
	return 0;
}

void efs_pool_stop(void)
{
	pthread_mutex_lock(&qlock);
	stopping = true;
	pthread_cond_broadcast(&qcond);
	pthread_mutex_unlock(&qlock);
	for (unsigned i = 0; i < nworkers; i++)
		pthread_join(workers[i], NULL);
	nworkers = 0;
}

int efs_pool_crypt(struct ecryptfs_crypt *c, bool enc, uint64_t first, const char *in,
		   char *out, size_t n)
{
	struct job jobs[MAX_WORKERS + 1];
	struct batch b;
	size_t runs = n / MIN_RUN, per, done = 0;
	int r;

	if (runs > nworkers + 1)
		runs = nworkers + 1;
	if (runs < 2)
		return enc ? ecryptfs_crypt_encrypt(c, first, in, out, n)
			   : ecryptfs_crypt_decrypt(c, first, in, out, n);
	per = (n + runs - 1) / runs;
	pthread_mutex_init(&b.lock, NULL);
	pthread_cond_init(&b.done, NULL);
	b.pending = (unsigned)runs - 1;
	for (size_t i = 0; i < runs; i++) {
		size_t cnt = i == runs - 1 ? n - done : per;

		jobs[i] = (struct job){ .c = c, .enc = enc, .first = first + done,
					.in = in + done * ECRYPTFS_EXTENT_SIZE,
					.out = out + done * ECRYPTFS_EXTENT_SIZE, .n = cnt,
					.batch = &b };
		done += cnt;
	}
	pthread_mutex_lock(&qlock);
	for (size_t i = 1; i < runs; i++) {
		*qtail = &jobs[i];
		qtail = &jobs[i].next;
	}
	pthread_cond_broadcast(&qcond);
	pthread_mutex_unlock(&qlock);

	r = run(&jobs[0]);
	pthread_mutex_lock(&b.lock);
	while (b.pending)
		pthread_cond_wait(&b.done, &b.lock);
	pthread_mutex_unlock(&b.lock);
	for (size_t i = 1; i < runs; i++)
		if (jobs[i].result < 0 && r == 0)
			r = jobs[i].result;
	pthread_mutex_destroy(&b.lock);
	pthread_cond_destroy(&b.done);
	return r;
}

/*
 * Per-thread buffers: a 1 MiB request should not cost a 1 MiB malloc.  They
 * hold plaintext, so each is a mapping of its own, extent aligned (O_DIRECT
 * lower I/O stays possible) and left out of core dumps (MADV_DONTDUMP); the
 * key's value is the slot's record, so the destructor knows the size.
 */
struct tbuf {
	char *p;
	size_t size;
};
static __thread struct tbuf tbuf[2];
static pthread_key_t tbuf_key[2];
static pthread_once_t tbuf_once = PTHREAD_ONCE_INIT;

static void tbuf_release(void *arg)
{
	struct tbuf *t = arg;

	if (t->p)
		munmap(t->p, t->size);
	t->p = NULL;
	t->size = 0;
}

static void tbuf_keys_make(void)
{
	pthread_key_create(&tbuf_key[0], tbuf_release);
	pthread_key_create(&tbuf_key[1], tbuf_release);
}

char *efs_thread_buffer(int slot, size_t size)
{
	struct tbuf *t = &tbuf[slot];

	if (size > t->size) {
		/* Small first (libfuse's workers come and go), 1 MiB when needed. */
		size_t want = size <= 64 * 1024 ? 64 * 1024 :
			      size <= EFS_MAX_WRITE + 2 * ECRYPTFS_EXTENT_SIZE ?
			      EFS_MAX_WRITE + 2 * ECRYPTFS_EXTENT_SIZE : size;
		void *p;

		pthread_once(&tbuf_once, tbuf_keys_make);
		if (t->p)
			tbuf_release(t);
		p = mmap(NULL, want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		madvise(p, want, MADV_DONTDUMP);
		t->p = p;
		t->size = want;
		pthread_setspecific(tbuf_key[slot], t);
	}
	return t->p;
}
