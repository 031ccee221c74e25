/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The multi-threaded tester, on one file laid out as
 *   [region 0][region 1]...[region T-1] pad [block 0][block 1]...[block B-1]
 * Regions: each belongs to one worker thread that writes, mmap-writes and
 * reads it against its own model. Region sizes are not multiples of 4096,
 * so neighbouring regions share an extent: a daemon that read-modify-writes
 * extents without serialising loses its neighbour's bytes.
 * Blocks: whole, extent-aligned, self-describing 4096-byte blocks rewritten
 * by writer threads while reader threads read them unlocked; every block
 * read must be internally consistent and no older than the last completed
 * write of it. Checker threads also lock a region and compare it whole.
 * At the end every region and block is compared after a cache drop. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsx.h"

#define REGION_LEN (37 * FSX_EXTENT + 1234)
#define NBLOCKS 64
#define BLOCK_MAGIC 0x45434653424c4b31ULL	/* "ECFSBLK1" */

struct region {
	pthread_mutex_t lock;	/* held while the file and model disagree */
	size_t base;
	unsigned char *good;
};

struct block {
	pthread_mutex_t lock;	/* one writer of a block at a time */
	/* started is raised before the pwrite, committed after it returns */
	_Atomic uint64_t started, committed;
};

struct worker {
	struct mt *mt;
	int id, fd;
	struct rng rng;
	long ops;
	unsigned char *buf;
	struct oplog log;
};

struct mt {
	const struct fsx_opts *o;
	int nreg;
	size_t blocks_base, filelen;
	struct region *reg;
	struct block blk[NBLOCKS];
	atomic_int writers_left;
	atomic_bool stop;
	atomic_long tears, block_reads, region_checks;
	pthread_mutex_t fail_lock;
	char failure[512];
	struct worker *failed_by;
};

__attribute__((format(printf, 2, 3)))
static void mt_fail(struct worker *w, const char *fmt, ...)
{
	struct mt *mt = w->mt;
	va_list ap;

	pthread_mutex_lock(&mt->fail_lock);
	if (!mt->failed_by) {
		va_start(ap, fmt);
		vsnprintf(mt->failure, sizeof(mt->failure), fmt, ap);
		va_end(ap);
		mt->failed_by = w;
	}
	pthread_mutex_unlock(&mt->fail_lock);
	atomic_store(&mt->stop, true);
}

/* ---- self-describing blocks ---- */

static uint32_t fnv1a(const unsigned char *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void put64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* Content is a pure function of (index, generation), so the final compare
 * can rebuild it. */
static void make_block(unsigned char *p, uint64_t idx, uint64_t gen)
{
	struct rng r;
	uint32_t h;

	rng_seed(&r, idx * 1000003 + gen);
	put64(p, BLOCK_MAGIC);
	put64(p + 8, idx);
	put64(p + 16, gen);
	for (size_t i = 24; i < FSX_EXTENT - 8; i += 8)
		put64(p + i, rng_next(&r));
	memset(p + FSX_EXTENT - 8, 0x5a, 4);
	h = fnv1a(p, FSX_EXTENT - 4);
	memcpy(p + FSX_EXTENT - 4, &h, 4);
}

/* 0 if consistent (gen stored in *gen), else a reason. */
static const char *check_block(const unsigned char *p, uint64_t idx, uint64_t *gen)
{
	uint32_t h;

	if (get64(p) != BLOCK_MAGIC)
		return "bad magic";
	if (get64(p + 8) != idx)
		return "wrong block index (misplaced extent)";
	memcpy(&h, p + FSX_EXTENT - 4, 4);
	if (h != fnv1a(p, FSX_EXTENT - 4))
		return "checksum mismatch (torn or corrupt block)";
	*gen = get64(p + 16);
	return NULL;
}

static off_t block_off(struct mt *mt, uint64_t b)
{
	return (off_t)(mt->blocks_base + b * FSX_EXTENT);
}

static void *block_writer(void *arg)
{
	struct worker *w = arg;
	struct mt *mt = w->mt;

	for (long i = 0; i < w->ops && !atomic_load(&mt->stop); i++) {
		uint64_t b = rng_below(&w->rng, NBLOCKS);
		struct block *bk = &mt->blk[b];
		uint64_t gen;

		pthread_mutex_lock(&bk->lock);
		gen = atomic_load(&bk->committed) + 1;
		oplog_add(&w->log, false, "block write %llu gen %llu",
			  (unsigned long long)b, (unsigned long long)gen);
		make_block(w->buf, b, gen);
		if (w->id == 0 && i + 1 == mt->o->inject_at) {
			printf("# self-test: block %llu gen %llu written with a flipped byte\n",
			       (unsigned long long)b, (unsigned long long)gen);
			w->buf[100] ^= 0x40;
		}
		atomic_store(&bk->started, gen);
		if (full_pwrite(w->fd, w->buf, FSX_EXTENT, block_off(mt, b)) < 0)
			mt_fail(w, "block %llu: pwrite: %s", (unsigned long long)b, strerror(errno));
		atomic_store(&bk->committed, gen);
		pthread_mutex_unlock(&bk->lock);
		if (rng_below(&w->rng, 50) == 0 && fdatasync(w->fd) < 0)
			mt_fail(w, "fdatasync: %s", strerror(errno));
	}
	atomic_fetch_sub(&mt->writers_left, 1);
	return NULL;
}

/* An inconsistent block is a torn read if each of its bytes belongs to one
 * of the generations that could have been in the file during the read
 * (buffered reads and writes are not atomic with each other on any Linux
 * filesystem, so such a mix is allowed). A byte that belongs to none was
 * never written: e.g. ciphertext torn under the decryption, or an extent
 * from elsewhere. Returns the offset of the first such byte, or -1. */
static long unexplained_byte(const unsigned char *p, uint64_t idx, uint64_t from, uint64_t to)
{
	enum { MAXCAND = 8 };
	static _Thread_local unsigned char cand[MAXCAND][FSX_EXTENT];
	uint64_t n = to - from + 1 < MAXCAND ? to - from + 1 : MAXCAND;

	for (uint64_t c = 0; c < n; c++)
		make_block(cand[c], idx, from + c);
	for (size_t i = 0; i < FSX_EXTENT; i++) {
		uint64_t c;

		for (c = 0; c < n; c++)
			if (p[i] == cand[c][i])
				break;
		if (c == n)
			return (long)i;
	}
	return -1;
}

/* Read 1-3 blocks unlocked, while writers rewrite them, and verify each:
 * internally consistent (or a torn mix of generations that were in the
 * file meanwhile, counted), and never older than its last completed write. */
static void read_blocks(struct worker *w)
{
	struct mt *mt = w->mt;
	uint64_t b = rng_below(&w->rng, NBLOCKS), n = 1 + rng_below(&w->rng, 3);
	uint64_t before[3];

	if (b + n > NBLOCKS)
		n = NBLOCKS - b;
	for (uint64_t i = 0; i < n; i++)
		before[i] = atomic_load(&mt->blk[b + i].committed);
	oplog_add(&w->log, false, "block read %llu+%llu", (unsigned long long)b,
		  (unsigned long long)n);
	if (full_pread(w->fd, w->buf, n * FSX_EXTENT, block_off(mt, b)) != (ssize_t)(n * FSX_EXTENT)) {
		mt_fail(w, "block read %llu+%llu: %s", (unsigned long long)b,
			(unsigned long long)n, strerror(errno));
		return;
	}
	atomic_fetch_add(&mt->block_reads, 1);
	for (uint64_t i = 0; i < n; i++) {
		const unsigned char *p = w->buf + i * FSX_EXTENT;
		uint64_t idx = b + i, after = atomic_load(&mt->blk[idx].started), gen = 0;
		const char *why = check_block(p, idx, &gen);
		long at;

		if (why) {
			at = unexplained_byte(p, idx, before[i], after);
			if (at < 0) {
				atomic_fetch_add(&mt->tears, 1);
				continue;
			}
			mt_fail(w, "block %llu at offset %lld: %s; byte %ld is from no generation "
				"%llu..%llu that was in the file during the read",
				(unsigned long long)idx, (long long)block_off(mt, idx), why, at,
				(unsigned long long)before[i], (unsigned long long)after);
			return;
		}
		if (gen < before[i]) {
			mt_fail(w, "block %llu: read generation %llu after generation %llu had been written (stale)",
				(unsigned long long)idx, (unsigned long long)gen,
				(unsigned long long)before[i]);
			return;
		}
		if (gen > after) {
			mt_fail(w, "block %llu: read generation %llu that was never written",
				(unsigned long long)idx, (unsigned long long)gen);
			return;
		}
	}
}

/* ---- regions ---- */

static bool region_compare(struct worker *w, struct region *r, size_t lo, size_t hi,
			   const char *why)
{
	long d;

	if (lo >= hi)
		return true;
	if (full_pread(w->fd, w->buf, hi - lo, (off_t)(r->base + lo)) != (ssize_t)(hi - lo)) {
		mt_fail(w, "%s: pread %zu+%zu: %s", why, r->base + lo, hi - lo, strerror(errno));
		return false;
	}
	d = first_diff(r->good + lo, w->buf, hi - lo);
	if (d >= 0) {
		report_diff(r->good + lo, w->buf, r->base + lo, hi - lo, (size_t)d);
		mt_fail(w, "%s: data mismatch at offset %zu (region %ld +%zu)", why,
			r->base + lo + (size_t)d, (long)(r - w->mt->reg), lo + (size_t)d);
		return false;
	}
	return true;
}

static void region_op(struct worker *w, long opno)
{
	struct mt *mt = w->mt;
	struct region *r = &mt->reg[w->id];
	size_t pagesize = (size_t)sysconf(_SC_PAGESIZE);
	/* offsets are drawn in file coordinates so that extent boundaries matter */
	size_t off = gen_offset(&w->rng, r->base, r->base + REGION_LEN, r->base + REGION_LEN) - r->base;
	size_t len = gen_length(&w->rng, mt->o->maxoplen, 3 * FSX_EXTENT);
	uint64_t k = rng_below(&w->rng, 100);

	if (len > REGION_LEN - off)
		len = REGION_LEN - off;
	if (k < 45 || (k < 65 && mt->o->no_mmap)) {
		oplog_add(&w->log, false, "%ld write %zu+%zu", opno, r->base + off, len);
		fill_pattern(w->buf, len, opno, r->base + off);
		pthread_mutex_lock(&r->lock);
		if (full_pwrite(w->fd, w->buf, len, (off_t)(r->base + off)) < 0)
			mt_fail(w, "pwrite %zu+%zu: %s", r->base + off, len, strerror(errno));
		memcpy(r->good + off, w->buf, len);
		pthread_mutex_unlock(&r->lock);
	} else if (k < 65) {
		size_t pg = (r->base + off) & ~(pagesize - 1);
		size_t maplen = r->base + off + len - pg;
		unsigned char *p;

		oplog_add(&w->log, false, "%ld mapwrite %zu+%zu", opno, r->base + off, len);
		p = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_SHARED, w->fd, (off_t)pg);
		if (p == MAP_FAILED) {
			mt_fail(w, "mmap %zu+%zu: %s", pg, maplen, strerror(errno));
			return;
		}
		pthread_mutex_lock(&r->lock);
		fill_pattern(p + (r->base + off - pg), len, opno, r->base + off);
		memcpy(r->good + off, p + (r->base + off - pg), len);
		pthread_mutex_unlock(&r->lock);
		if (rng_below(&w->rng, 2) && msync(p, maplen, MS_SYNC) < 0)
			mt_fail(w, "msync: %s", strerror(errno));
		munmap(p, maplen);
	} else if (k < 90) {
		oplog_add(&w->log, false, "%ld read %zu+%zu", opno, r->base + off, len);
		region_compare(w, r, off, off + len, "region read");
		return;
	} else if (k < 95) {
		oplog_add(&w->log, false, "%ld fsync", opno);
		if (fsync(w->fd) < 0)
			mt_fail(w, "fsync: %s", strerror(errno));
		return;
	} else {
		/* Drops only clean pages, everybody's: other threads' next reads
		 * go to the filesystem while writes are in flight. */
		oplog_add(&w->log, false, "%ld fadvise DONTNEED", opno);
		posix_fadvise(w->fd, 0, 0, POSIX_FADV_DONTNEED);
		return;
	}
	/* touched range plus an extent either side, clipped to the region */
	region_compare(w, r, off > FSX_EXTENT ? off - FSX_EXTENT : 0,
		       off + len + FSX_EXTENT < REGION_LEN ? off + len + FSX_EXTENT : REGION_LEN,
		       "after op");
}

static void *region_worker(void *arg)
{
	struct worker *w = arg;

	for (long i = 1; i <= w->ops && !atomic_load(&w->mt->stop); i++)
		region_op(w, (long)w->id * 100000000L + i);
	atomic_fetch_sub(&w->mt->writers_left, 1);
	return NULL;
}

static void *reader(void *arg)
{
	struct worker *w = arg;
	struct mt *mt = w->mt;

	/* bounded even if a writer hangs: the harness's timeout is the backstop */
	for (long i = 0; i < 10000000L && !atomic_load(&mt->stop) &&
	     atomic_load(&mt->writers_left) > 0; i++) {
		if (rng_below(&w->rng, 4)) {
			read_blocks(w);
		} else {
			struct region *r = &mt->reg[rng_below(&w->rng, (uint64_t)mt->nreg)];

			oplog_add(&w->log, false, "check region %ld", (long)(r - mt->reg));
			pthread_mutex_lock(&r->lock);
			region_compare(w, r, 0, REGION_LEN, "locked region check");
			pthread_mutex_unlock(&r->lock);
			atomic_fetch_add(&mt->region_checks, 1);
		}
	}
	return NULL;
}

/* ---- set-up and the final compare ---- */

static int setup_file(struct mt *mt, struct worker *w0)
{
	unsigned char *blk = w0->buf;

	for (int i = 0; i < mt->nreg; i++) {
		fill_pattern(mt->reg[i].good, REGION_LEN, 0, mt->reg[i].base);
		if (full_pwrite(w0->fd, mt->reg[i].good, REGION_LEN, (off_t)mt->reg[i].base) < 0)
			return -1;
	}
	for (uint64_t b = 0; b < NBLOCKS; b++) {
		make_block(blk, b, 0);
		if (full_pwrite(w0->fd, blk, FSX_EXTENT, block_off(mt, b)) < 0)
			return -1;
	}
	return fsync(w0->fd);
}

static void final_compare(struct mt *mt, struct worker *w)
{
	unsigned char want[FSX_EXTENT];
	struct stat st;

	close(w->fd);
	w->fd = open(mt->o->path, O_RDONLY);
	if (w->fd < 0) {
		mt_fail(w, "final reopen: %s", strerror(errno));
		return;
	}
	posix_fadvise(w->fd, 0, 0, POSIX_FADV_DONTNEED);
	if (fstat(w->fd, &st) < 0 || (size_t)st.st_size != mt->filelen) {
		mt_fail(w, "final size %lld, want %zu", (long long)st.st_size, mt->filelen);
		return;
	}
	for (int i = 0; i < mt->nreg; i++)
		if (!region_compare(w, &mt->reg[i], 0, REGION_LEN, "final compare"))
			return;
	for (uint64_t b = 0; b < NBLOCKS; b++) {
		long d;

		make_block(want, b, atomic_load(&mt->blk[b].committed));
		if (full_pread(w->fd, w->buf, FSX_EXTENT, block_off(mt, b)) != FSX_EXTENT) {
			mt_fail(w, "final block read %llu: %s", (unsigned long long)b, strerror(errno));
			return;
		}
		d = first_diff(want, w->buf, FSX_EXTENT);
		if (d >= 0) {
			report_diff(want, w->buf, (size_t)block_off(mt, b), FSX_EXTENT, (size_t)d);
			mt_fail(w, "final compare: block %llu differs from its last generation %llu",
				(unsigned long long)b,
				(unsigned long long)atomic_load(&mt->blk[b].committed));
			return;
		}
	}
}

int fsx_multi(const struct fsx_opts *o)
{
	static struct mt mt;
	int t = o->threads, nw = 3 * t, rc = 0;
	struct worker *w = calloc((size_t)nw + 1, sizeof(*w));
	pthread_t *tid = calloc((size_t)nw, sizeof(*tid));
	size_t buflen = o->maxoplen + 4 * FSX_EXTENT + REGION_LEN;
	uint64_t t0 = now_ms();

	mt.o = o;
	mt.nreg = t;
	mt.reg = calloc((size_t)t, sizeof(*mt.reg));
	if (!w || !tid || !mt.reg)
		return 2;
	pthread_mutex_init(&mt.fail_lock, NULL);
	for (int i = 0; i < t; i++) {
		pthread_mutex_init(&mt.reg[i].lock, NULL);
		mt.reg[i].base = (size_t)i * REGION_LEN;
		mt.reg[i].good = malloc(REGION_LEN);
		if (!mt.reg[i].good)
			return 2;
	}
	mt.blocks_base = ((size_t)t * REGION_LEN + 2 * FSX_EXTENT - 1) / FSX_EXTENT * FSX_EXTENT;
	mt.filelen = mt.blocks_base + NBLOCKS * FSX_EXTENT;
	for (int b = 0; b < NBLOCKS; b++)
		pthread_mutex_init(&mt.blk[b].lock, NULL);
	/* w[0..t) region workers, w[t..2t) block writers, w[2t..3t) readers,
	 * w[3t] the set-up and final compare */
	for (int i = 0; i <= nw; i++) {
		w[i].mt = &mt;
		w[i].id = i < nw ? i % t : 0;
		rng_seed(&w[i].rng, o->seed * 131 + (uint64_t)i);
		w[i].ops = o->nops / (2 * t);
		w[i].buf = malloc(buflen);
		w[i].fd = open(o->path, O_RDWR | O_CREAT | (i == nw ? O_TRUNC : 0), 0644);
		if (!w[i].buf || w[i].fd < 0) {
			fprintf(stderr, "ecfs-fsx: %s: %s\n", o->path, strerror(errno));
			return 2;
		}
	}
	printf("# ecfs-fsx: seed %llu, %d threads x 3 (region workers, block writers, readers), "
	       "%ld ops, file %s of %zu bytes\n", (unsigned long long)o->seed, t, o->nops,
	       o->path, mt.filelen);
	if (setup_file(&mt, &w[nw]) < 0) {
		printf("# FAILED: writing the initial file: %s\n", strerror(errno));
		return 1;
	}
	atomic_store(&mt.writers_left, 2 * t);
	for (int i = 0; i < nw; i++)
		pthread_create(&tid[i], NULL,
			       i < t ? region_worker : i < 2 * t ? block_writer : reader, &w[i]);
	for (int i = 0; i < nw; i++)
		pthread_join(tid[i], NULL);
	if (!mt.failed_by)
		final_compare(&mt, &w[nw]);
	if (mt.failed_by) {
		printf("# FAILED: seed %llu, thread %ld: %s\n", (unsigned long long)o->seed,
		       (long)(mt.failed_by - w), mt.failure);
		printf("# replay with: ecfs-fsx -t %d -S %llu -N %ld ... (thread interleaving varies)\n",
		       t, (unsigned long long)o->seed, o->nops);
		oplog_dump(&mt.failed_by->log, "the failing thread", OPLOG_LEN);
		for (int i = 0; i < nw; i++)
			if (&w[i] != mt.failed_by) {
				char who[32];

				snprintf(who, sizeof(who), "thread %d", i);
				oplog_dump(&w[i].log, who, 4);
			}
		rc = 1;
	} else {
		printf("# ecfs-fsx: seed %llu: multi-threaded run passed in %.1f s: %ld region ops, "
		       "%ld block writes, %ld block reads, %ld locked region checks, "
		       "%ld transient torn reads\n", (unsigned long long)o->seed,
		       (double)(now_ms() - t0) / 1000, w[0].ops * t, w[t].ops * t,
		       atomic_load(&mt.block_reads), atomic_load(&mt.region_checks),
		       atomic_load(&mt.tears));
	}
	for (int i = 0; i <= nw; i++) {
		close(w[i].fd);
		free(w[i].buf);
	}
	for (int i = 0; i < t; i++)
		free(mt.reg[i].good);
	free(mt.reg);
	free(w);
	free(tid);
	return rc;
}
