/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The single-threaded tester: one file, one in-memory model of it, random
 * operations applied to both, and the file checked against the model after
 * every step (size always, the touched range plus an extent either side,
 * and the whole file periodically and after reopen or cache drops). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsx.h"

enum op {
	OP_WRITE, OP_READ, OP_MAPREAD, OP_MAPWRITE, OP_TRUNCATE, OP_APPEND,
	OP_FALLOC, OP_REOPEN, OP_FSYNC, OP_INVALIDATE, OP_MAPEOF, OP_MAX
};
static const char *const op_names[OP_MAX] = {
	"write", "read", "mapread", "mapwrite", "truncate", "append",
	"fallocate", "reopen", "fsync", "invalidate", "mapeof",
};
/* Relative frequencies; writes and truncates change state, the rest probe it. */
static const unsigned op_weight[OP_MAX] = { 22, 14, 8, 8, 10, 7, 6, 4, 5, 4, 3 };

struct fsx {
	const struct fsx_opts *o;
	struct rng rng;
	int fd;
	unsigned char *good;	/* the model; zero past size, always */
	unsigned char *buf;
	size_t buflen, size, pagesize;
	long opno;
	bool falloc_ok;
	bool eof_garbage;	/* a mapeof since the size last changed */
	long done[OP_MAX], skipped;
	struct oplog log;
};

__attribute__((noreturn, format(printf, 2, 3)))
static void fail(struct fsx *f, const char *fmt, ...)
{
	va_list ap;

	printf("# FAILED: seed %llu, op %ld: ", (unsigned long long)f->o->seed, f->opno);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n# model size %zu; replay with: ecfs-fsx -S %llu -N %ld ...\n", f->size,
	       (unsigned long long)f->o->seed, f->o->nops);
	oplog_dump(&f->log, "the file", OPLOG_LEN);
	dump_model(f->o->model_out, f->good, f->size);
	if (f->o->model_out)
		printf("# the model (what the file should hold) is in %s\n", f->o->model_out);
	fflush(stdout);
	exit(1);
}

static void check_size(struct fsx *f)
{
	static size_t last;
	struct stat st;

	/* stores past the old EOF are no longer visible in a mapping of the
	 * page holding the new EOF... unless it is the same page: then only
	 * the range up to the new EOF must read as zeros */
	if (f->size != last && (f->size & ~(f->pagesize - 1)) != (last & ~(f->pagesize - 1)))
		f->eof_garbage = false;
	last = f->size;

	if (fstat(f->fd, &st) < 0)
		fail(f, "fstat: %s", strerror(errno));
	if ((size_t)st.st_size != f->size)
		fail(f, "size is %lld, model says %zu", (long long)st.st_size, f->size);
}

/* Compare [lo, hi) of the file with the model; past the model's size the
 * file must end (a read there returns nothing). */
static void check_range(struct fsx *f, long lo, long hi, const char *why)
{
	size_t a = lo < 0 ? 0 : (size_t)lo, b = hi < 0 ? 0 : (size_t)hi;
	ssize_t n;
	long d;

	if (b > f->size)
		b = f->size;
	if (a < b) {
		n = full_pread(f->fd, f->buf, b - a, (off_t)a);
		if (n < 0)
			fail(f, "%s: pread %zu+%zu: %s", why, a, b - a, strerror(errno));
		if ((size_t)n != b - a)
			fail(f, "%s: pread %zu+%zu returned %zd before EOF", why, a, b - a, n);
		d = first_diff(f->good + a, f->buf, b - a);
		if (d >= 0) {
			report_diff(f->good + a, f->buf, a, b - a, (size_t)d);
			fail(f, "%s: data mismatch at offset %zu", why, a + (size_t)d);
		}
	}
	if ((size_t)hi > f->size) {
		n = pread(f->fd, f->buf, 64, (off_t)f->size);
		if (n != 0)
			fail(f, "%s: pread at EOF %zu returned %zd, want 0", why, f->size, n);
	}
}

static void check_touched(struct fsx *f, size_t lo, size_t hi)
{
	check_range(f, (long)lo - FSX_EXTENT, (long)hi + FSX_EXTENT, "after op");
}

static void check_all(struct fsx *f, const char *why)
{
	check_range(f, 0, (long)f->size + 1, why);
}

/* Bring the model to a new size, zero-filling or cutting. */
static void model_resize(struct fsx *f, size_t newsize)
{
	if (newsize < f->size)
		memset(f->good + newsize, 0, f->size - newsize);
	f->size = newsize;
}

static void model_write(struct fsx *f, size_t off, const unsigned char *data, size_t len)
{
	memcpy(f->good + off, data, len);
	if (off + len > f->size)
		f->size = off + len;
}

/* Keep off+len inside the maximum file length, length at least 1. */
static void clip(struct fsx *f, size_t *off, size_t *len)
{
	if (*off >= f->o->maxlen)
		*off = f->o->maxlen - 1;
	if (*off + *len > f->o->maxlen)
		*len = f->o->maxlen - *off;
}

static void pick(struct fsx *f, size_t *off, size_t *len)
{
	*off = gen_offset(&f->rng, 0, f->o->maxlen, f->size);
	*len = gen_length(&f->rng, f->o->maxoplen, f->o->biglen);
	clip(f, off, len);
}

#define LOG(f, ...) oplog_add(&(f)->log, (f)->o->verbose, __VA_ARGS__)

static void do_write(struct fsx *f)
{
	size_t off, len, old = f->size;

	pick(f, &off, &len);
	fill_pattern(f->buf, len, f->opno, off);
	LOG(f, "%ld write %zu+%zu (0x%zx..0x%zx) size %zu", f->opno, off, len, off, off + len, old);
	if (full_pwrite(f->fd, f->buf, len, (off_t)off) < 0)
		fail(f, "pwrite %zu+%zu: %s", off, len, strerror(errno));
	model_write(f, off, f->buf, len);
	check_size(f);
	check_touched(f, off < old ? off : old, off + len);
}

static void do_read(struct fsx *f)
{
	size_t off = gen_offset(&f->rng, 0, f->o->maxlen + FSX_EXTENT, f->size);
	size_t len = gen_length(&f->rng, f->o->maxoplen, f->o->biglen);
	size_t want = off < f->size ? (len < f->size - off ? len : f->size - off) : 0;
	ssize_t n;
	long d;

	LOG(f, "%ld read %zu+%zu size %zu", f->opno, off, len, f->size);
	n = full_pread(f->fd, f->buf, len, (off_t)off);
	if (n < 0)
		fail(f, "pread %zu+%zu: %s", off, len, strerror(errno));
	if ((size_t)n != want)
		fail(f, "pread %zu+%zu returned %zd, want %zu", off, len, n, want);
	d = first_diff(f->good + off, f->buf, want);
	if (d >= 0) {
		report_diff(f->good + off, f->buf, off, want, (size_t)d);
		fail(f, "read: data mismatch at offset %zu", off + (size_t)d);
	}
}

static void *map_range(struct fsx *f, size_t pg, size_t maplen, int prot)
{
	void *p = mmap(NULL, maplen, prot, MAP_SHARED, f->fd, (off_t)pg);

	if (p == MAP_FAILED)
		fail(f, "mmap %zu+%zu: %s", pg, maplen, strerror(errno));
	return p;
}

static void do_mapread(struct fsx *f)
{
	size_t off = gen_offset(&f->rng, 0, f->size ? f->size : 1, f->size);
	size_t len = gen_length(&f->rng, f->o->maxoplen, f->o->biglen);
	size_t pg, end, maplen;
	unsigned char *p;
	long d;

	if (f->o->no_mmap || f->size == 0) {
		LOG(f, "%ld mapread skipped (size %zu)", f->opno, f->size);
		f->skipped++;
		return;
	}
	if (off >= f->size)
		off = f->size - 1;
	if (len > f->size - off)
		len = f->size - off;
	pg = off & ~(f->pagesize - 1);
	end = (off + len + f->pagesize - 1) & ~(f->pagesize - 1);
	maplen = end - pg;
	LOG(f, "%ld mapread %zu+%zu size %zu", f->opno, off, len, f->size);
	p = map_range(f, pg, maplen, PROT_READ);
	d = first_diff(f->good + off, p + (off - pg), len);
	if (d >= 0) {
		report_diff(f->good + off, p + (off - pg), off, len, (size_t)d);
		fail(f, "mapread: data mismatch at offset %zu", off + (size_t)d);
	}
	/* POSIX: the rest of the page holding EOF reads as zeros in a mapping. */
	if (off + len == f->size && !f->eof_garbage)
		for (size_t i = f->size; i < end; i++)
			if (p[i - pg])
				fail(f, "mapread: byte %zu past EOF %zu is 0x%02x, not zero",
				     i, f->size, p[i - pg]);
	munmap(p, maplen);
}

static void do_mapwrite(struct fsx *f)
{
	size_t off, len, pg, maplen, old = f->size;
	unsigned char *p;
	bool sync;

	pick(f, &off, &len);
	sync = rng_below(&f->rng, 2);
	if (f->o->no_mmap) {
		LOG(f, "%ld mapwrite skipped", f->opno);
		f->skipped++;
		return;
	}
	LOG(f, "%ld mapwrite %zu+%zu%s size %zu", f->opno, off, len, sync ? " msync" : "", old);
	/* A store past EOF is SIGBUS: grow the file first, as fsx does. */
	if (off + len > f->size) {
		if (ftruncate(f->fd, (off_t)(off + len)) < 0)
			fail(f, "mapwrite: ftruncate %zu: %s", off + len, strerror(errno));
		model_resize(f, off + len);
	}
	pg = off & ~(f->pagesize - 1);
	maplen = off + len - pg;
	p = map_range(f, pg, maplen, PROT_READ | PROT_WRITE);
	fill_pattern(p + (off - pg), len, f->opno, off);
	model_write(f, off, p + (off - pg), len);
	if (sync && msync(p, maplen, MS_SYNC) < 0)
		fail(f, "msync: %s", strerror(errno));
	munmap(p, maplen);
	check_size(f);
	check_touched(f, off < old ? off : old, off + len);
}

static void do_truncate(struct fsx *f)
{
	size_t ns = gen_offset(&f->rng, 0, f->o->maxlen + 1, f->size), old = f->size;

	LOG(f, "%ld truncate %zu -> %zu (%s)", f->opno, old, ns,
	    ns > old ? "up" : ns < old ? "down" : "same");
	if (ftruncate(f->fd, (off_t)ns) < 0)
		fail(f, "ftruncate %zu: %s", ns, strerror(errno));
	model_resize(f, ns);
	check_size(f);
	check_touched(f, ns < old ? ns : old, ns > old ? ns : old);
}

static void do_append(struct fsx *f)
{
	size_t len = gen_length(&f->rng, f->o->maxoplen, f->o->biglen), old = f->size;
	ssize_t n;
	int fd;

	if (old + len > f->o->maxlen)
		len = f->o->maxlen - old;
	if (len == 0) {
		LOG(f, "%ld append skipped (file full)", f->opno);
		f->skipped++;
		return;
	}
	fill_pattern(f->buf, len, f->opno, old);
	LOG(f, "%ld append %zu at %zu", f->opno, len, old);
	/* Its own descriptor: O_APPEND, and the close is a FUSE flush. */
	fd = open(f->o->path, O_WRONLY | O_APPEND);
	if (fd < 0)
		fail(f, "open O_APPEND: %s", strerror(errno));
	n = write(fd, f->buf, len);
	if (n != (ssize_t)len)
		fail(f, "append write of %zu returned %zd: %s", len, n, n < 0 ? strerror(errno) : "short");
	if (close(fd) < 0)
		fail(f, "close after append: %s", strerror(errno));
	model_write(f, old, f->buf, len);
	check_size(f);
	check_touched(f, old, old + len);
}

static void do_falloc(struct fsx *f)
{
	size_t off, len, old = f->size;

	pick(f, &off, &len);
	if (!f->falloc_ok) {
		LOG(f, "%ld fallocate skipped (unsupported)", f->opno);
		f->skipped++;
		return;
	}
	LOG(f, "%ld fallocate %zu+%zu size %zu", f->opno, off, len, old);
	if (fallocate(f->fd, 0, (off_t)off, (off_t)len) < 0) {
		if ((errno == EOPNOTSUPP || errno == ENOSYS) && !f->o->need_falloc) {
			printf("# fallocate mode 0 is not supported here (%s); no longer tried\n",
			       strerror(errno));
			f->falloc_ok = false;
			f->skipped++;
			return;
		}
		fail(f, "fallocate %zu+%zu: %s", off, len, strerror(errno));
	}
	if (off + len > f->size)
		model_resize(f, off + len);
	check_size(f);
	check_touched(f, off < old ? off : old, off + len);
}

static void do_reopen(struct fsx *f)
{
	bool trunc = rng_below(&f->rng, 8) == 0;

	LOG(f, "%ld reopen%s size %zu", f->opno, trunc ? " O_TRUNC" : "", f->size);
	if (close(f->fd) < 0)
		fail(f, "close: %s", strerror(errno));
	f->fd = open(f->o->path, O_RDWR | (trunc ? O_TRUNC : 0));
	if (f->fd < 0)
		fail(f, "reopen: %s", strerror(errno));
	if (trunc)
		model_resize(f, 0);
	check_size(f);
	check_all(f, "after reopen");
}

static void do_fsync(struct fsx *f)
{
	bool data = rng_below(&f->rng, 2);

	LOG(f, "%ld %s", f->opno, data ? "fdatasync" : "fsync");
	if ((data ? fdatasync(f->fd) : fsync(f->fd)) < 0)
		fail(f, "%s: %s", data ? "fdatasync" : "fsync", strerror(errno));
}

/* Drop the kernel's cached pages so that the next reads come from the
 * filesystem itself (through FUSE: from the daemon, decrypting). */
static void do_invalidate(struct fsx *f)
{
	LOG(f, "%ld invalidate (fsync + fadvise DONTNEED) size %zu", f->opno, f->size);
	if (fsync(f->fd) < 0)
		fail(f, "fsync: %s", strerror(errno));
	errno = posix_fadvise(f->fd, 0, 0, POSIX_FADV_DONTNEED);
	if (errno)
		fail(f, "posix_fadvise: %s", strerror(errno));
	check_all(f, "after cache drop");
}

/* Proves the checks can fail: one byte changed through a second
 * descriptor and not recorded in the model (an empty file gains a byte). */
static void inject(struct fsx *f)
{
	size_t at = f->size / 2;
	unsigned char c = 0;
	int fd = open(f->o->path, O_RDWR);

	printf("# self-test: flipping the byte at offset %zu behind the model's back\n", at);
	if (fd < 0 || (f->size && pread(fd, &c, 1, (off_t)at) != 1))
		fail(f, "self-test: cannot read byte %zu", at);
	c ^= 0x40;
	if (pwrite(fd, &c, 1, (off_t)at) != 1 || close(fd) < 0)
		fail(f, "self-test: cannot write byte %zu", at);
}

/* Stores past EOF into the mapped page that holds EOF: POSIX says they do
 * not reach the file, so when the file grows later that range must read as
 * zeros, not as this garbage (an extent encrypted from the page cache page
 * as it is would carry it along). */
static void do_mapeof(struct fsx *f)
{
	size_t pg = f->size & ~(f->pagesize - 1), tail = f->size - pg;
	unsigned char *p;

	if (f->o->no_mmap || f->o->no_mapeof || tail == 0) {
		LOG(f, "%ld mapeof skipped (size %zu)", f->opno, f->size);
		f->skipped++;
		return;
	}
	LOG(f, "%ld mapeof: garbage into %zu..%zu past EOF", f->opno, f->size, pg + f->pagesize);
	p = map_range(f, pg, f->pagesize, PROT_READ | PROT_WRITE);
	f->eof_garbage = true;
	for (size_t i = tail; i < f->pagesize; i++)
		p[i] = (unsigned char)(0xa5 ^ i);
	munmap(p, f->pagesize);
	check_size(f);
	check_touched(f, f->size, f->size);
}

static enum op pick_op(struct fsx *f)
{
	unsigned total = 0, k;

	for (int i = 0; i < OP_MAX; i++)
		total += op_weight[i];
	k = (unsigned)rng_below(&f->rng, total);
	for (int i = 0; i < OP_MAX; i++) {
		if (k < op_weight[i])
			return (enum op)i;
		k -= op_weight[i];
	}
	return OP_WRITE;
}

int fsx_single(const struct fsx_opts *o)
{
	static struct fsx f;	/* the op log is large; keep it off the stack */
	uint64_t t0 = now_ms();

	f.o = o;
	rng_seed(&f.rng, o->seed);
	f.pagesize = (size_t)sysconf(_SC_PAGESIZE);
	f.falloc_ok = !o->no_falloc;
	f.buflen = o->maxlen + o->biglen + 2 * FSX_EXTENT + o->maxoplen;
	f.good = calloc(1, o->maxlen + f.buflen);
	f.buf = malloc(f.buflen);
	if (!f.good || !f.buf) {
		fprintf(stderr, "ecfs-fsx: out of memory\n");
		return 2;
	}
	f.fd = open(o->path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (f.fd < 0) {
		fprintf(stderr, "ecfs-fsx: %s: %s\n", o->path, strerror(errno));
		return 2;
	}
	printf("# ecfs-fsx: seed %llu, %ld ops, maxlen %zu, file %s\n",
	       (unsigned long long)o->seed, o->nops, o->maxlen, o->path);
	for (f.opno = 1; f.opno <= o->nops; f.opno++) {
		enum op op = pick_op(&f);

		switch (op) {
		case OP_WRITE: do_write(&f); break;
		case OP_READ: do_read(&f); break;
		case OP_MAPREAD: do_mapread(&f); break;
		case OP_MAPWRITE: do_mapwrite(&f); break;
		case OP_TRUNCATE: do_truncate(&f); break;
		case OP_APPEND: do_append(&f); break;
		case OP_FALLOC: do_falloc(&f); break;
		case OP_REOPEN: do_reopen(&f); break;
		case OP_FSYNC: do_fsync(&f); break;
		case OP_INVALIDATE: do_invalidate(&f); break;
		case OP_MAPEOF: do_mapeof(&f); break;
		default: break;
		}
		f.done[op]++;
		if (f.opno == o->inject_at)
			inject(&f);
		check_size(&f);
		if (o->fullcmp_every > 0 && f.opno % o->fullcmp_every == 0)
			check_all(&f, "periodic full compare");
	}
	f.opno = o->nops;
	if (fsync(f.fd) < 0)
		fail(&f, "final fsync: %s", strerror(errno));
	check_all(&f, "final compare");
	if (close(f.fd) < 0)
		fail(&f, "final close: %s", strerror(errno));
	f.fd = open(o->path, O_RDONLY);
	if (f.fd < 0)
		fail(&f, "final reopen: %s", strerror(errno));
	posix_fadvise(f.fd, 0, 0, POSIX_FADV_DONTNEED);
	check_size(&f);
	check_all(&f, "final compare after reopen");
	close(f.fd);
	dump_model(o->model_out, f.good, f.size);
	printf("# ecfs-fsx: seed %llu: %ld ops passed in %.1f s, final size %zu;",
	       (unsigned long long)o->seed, o->nops, (double)(now_ms() - t0) / 1000, f.size);
	for (int i = 0; i < OP_MAX; i++)
		printf(" %s %ld", op_names[i], f.done[i]);
	printf(" (skipped %ld)\n", f.skipped);
	free(f.good);
	free(f.buf);
	return 0;
}
