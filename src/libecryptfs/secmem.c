/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libgcrypt set-up and the secure memory every secret lives in.
 *
 * Secure memory is ours, not libgcrypt's pool: libgcrypt locks only the
 * first pool it maps, and the pools it adds when that one fills are plain
 * malloc memory that is never locked.  A FUSE daemon keeps a FEK and the
 * key schedules of its cipher handles per open file, so a few thousand open
 * files put keys into swappable memory.  Our pages are
 *  - locked (mlock) as they are mapped, every one of them; where the
 *    memlock limit forbids it (no CAP_IPC_LOCK), the memory is still handed
 *    out and the first refusal is logged once (ecryptfs_log), as the best an
 *    unprivileged program can get.  Locks are not inherited: a child after
 *    fork has these pages unlocked, and our programs only fork to exec;
 *  - excluded from core dumps (MADV_DONTDUMP);
 *  - wiped when freed.
 * When this library sets libgcrypt up (ecryptfs_init, unless the program did
 * it first), libgcrypt's own secure allocations come here too, so cipher
 * handles opened with GCRY_CIPHER_SECURE keep their key schedules in the
 * same pages.
 *
 * Layout: small blocks come from slabs of one size class each (32 bytes to
 * 16 KiB, powers of two), larger ones get a mapping of their own.  A sorted
 * table of our mappings answers "is this pointer ours" for free() and for
 * libgcrypt's is-secure question.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <syslog.h>
#include <unistd.h>

#include <gcrypt.h>

#include "libecryptfs.h"
#include "internal.h"

#define SLAB_BYTES (64 * 1024)
#define MIN_SHIFT 5		/* 32-byte blocks */
#define MAX_SHIFT 14		/* 16 KiB blocks; larger ones are mapped alone */
#define N_CLASSES (MAX_SHIFT - MIN_SHIFT + 1)

/* One mapping: a slab of class cls, or (cls < 0) one large block. */
struct area {
	uintptr_t base;
	size_t len;
	int cls;
};

static pthread_mutex_t mem_lock = PTHREAD_MUTEX_INITIALIZER;
static struct area *areas;	/* sorted by base; ordinary memory, no secret */
static size_t n_areas, cap_areas;
static void *free_blocks[N_CLASSES];	/* each free block starts with the next one */
static int lock_error;		/* errno of the first refused mlock, 0 if none */
static size_t lock_refused;	/* bytes of that mapping */
static bool lock_reported;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_result;

/* ---- the table of mappings (under mem_lock) -------------------------------- */

/* Index of the area holding p, or -1. */
static long area_of(const void *p)
{
	uintptr_t a = (uintptr_t)p;
	size_t lo = 0, hi = n_areas;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (areas[mid].base <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || a - areas[lo - 1].base >= areas[lo - 1].len)
		return -1;
	return (long)(lo - 1);
}

static int area_add(void *base, size_t len, int cls)
{
	uintptr_t b = (uintptr_t)base;
	size_t i = 0;

	if (n_areas == cap_areas) {
		size_t cap = cap_areas ? cap_areas * 2 : 16;
		struct area *t = realloc(areas, cap * sizeof(*t));

		if (!t)
			return -ENOMEM;
		areas = t;
		cap_areas = cap;
	}
	while (i < n_areas && areas[i].base < b)
		i++;
	memmove(&areas[i + 1], &areas[i], (n_areas - i) * sizeof(*areas));
	areas[i] = (struct area){ b, len, cls };
	n_areas++;
	return 0;
}

static void area_remove(size_t i)
{
	memmove(&areas[i], &areas[i + 1], (n_areas - i - 1) * sizeof(*areas));
	n_areas--;
}

/* ---- mappings ------------------------------------------------------------ */

static void lock_area(void *p, size_t len)
{
	if (mlock(p, len) < 0 && !lock_error) {
		lock_error = errno;
		lock_refused = len;
	}
}

static void *map_area(size_t len, int cls)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	/* Kernels before 3.4 lack the advice; the memory is still usable. */
	madvise(p, len, MADV_DONTDUMP);
	lock_area(p, len);
	if (area_add(p, len, cls) < 0) {
		munmap(p, len);
		return NULL;
	}
	return p;
}

/* The refusal, once, outside mem_lock (a log callback may allocate). */
static void report_lock_error(void)
{
	struct rlimit rl;
	char limit[32] = "unlimited";
	size_t bytes;
	int err;

	pthread_mutex_lock(&mem_lock);
	err = lock_reported ? 0 : lock_error;
	bytes = lock_refused;
	if (err)
		lock_reported = true;
	pthread_mutex_unlock(&mem_lock);
	if (!err)
		return;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		snprintf(limit, sizeof(limit), "%llu KiB", (unsigned long long)rl.rlim_cur / 1024);
	/* layer exception: ecryptfs_log (log.c uses no secure memory; nowhere else to say it) */
	ecryptfs_log(LOG_WARNING,
		     "secure memory: cannot lock %zu bytes (%s; RLIMIT_MEMLOCK %s): "
		     "secrets may be swapped out", bytes, strerror(err), limit);
}

/* ---- blocks ---------------------------------------------------------------- */

static size_t class_bytes(int cls)
{
	return (size_t)1 << (cls + MIN_SHIFT);
}

static int class_of(size_t n)
{
	int cls = 0;

	while (class_bytes(cls) < n)
		cls++;
	return cls;
}

static void *block_alloc(size_t n)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p = NULL;

	if (n == 0)
		n = 1;
	pthread_mutex_lock(&mem_lock);
	if (n > class_bytes(N_CLASSES - 1)) {
		size_t len = (n + (size_t)page - 1) & ~((size_t)page - 1);

		if (len >= n)
			p = map_area(len, -1);	/* fresh pages are zero */
	} else {
		int cls = class_of(n);
		size_t size = class_bytes(cls);
		char *slab;

		if (!free_blocks[cls] && (slab = map_area(SLAB_BYTES, cls))) {
			/* Lowest address first: neighbours share pages. */
			for (size_t off = SLAB_BYTES; off >= size; off -= size) {
				*(void **)(slab + off - size) = free_blocks[cls];
				free_blocks[cls] = slab + off - size;
			}
		}
		p = free_blocks[cls];
		if (p) {
			free_blocks[cls] = *(void **)p;
			/* A free block is wiped but for its link. */
			memset(p, 0, sizeof(void *));
		}
	}
	pthread_mutex_unlock(&mem_lock);
	report_lock_error();
	return p;
}

/*
 * Wipe and release p if it is ours: true, else false (and nothing done).
 * A pointer into one of our areas that starts no block is left alone.
 */
static bool block_free(void *p)
{
	uintptr_t off;
	long i;

	pthread_mutex_lock(&mem_lock);
	i = area_of(p);
	if (i < 0) {
		pthread_mutex_unlock(&mem_lock);
		return false;
	}
	off = (uintptr_t)p - areas[i].base;
	if (areas[i].cls < 0 ? off != 0 : off % class_bytes(areas[i].cls) != 0) {
		pthread_mutex_unlock(&mem_lock);
		return true;
	}
	if (areas[i].cls < 0) {
		void *base = (void *)areas[i].base;
		size_t len = areas[i].len;

		area_remove((size_t)i);
		explicit_bzero(base, len);
		munmap(base, len);
	} else {
		int cls = areas[i].cls;

		explicit_bzero(p, class_bytes(cls));
		*(void **)p = free_blocks[cls];
		free_blocks[cls] = p;
	}
	pthread_mutex_unlock(&mem_lock);
	return true;
}

/* Usable bytes of our block p, or 0 if p is not ours. */
static size_t block_size(const void *p)
{
	size_t n = 0;
	long i;

	pthread_mutex_lock(&mem_lock);
	i = area_of(p);
	if (i >= 0)
		n = areas[i].cls < 0 ? areas[i].len : class_bytes(areas[i].cls);
	pthread_mutex_unlock(&mem_lock);
	return n;
}

/* ---- libgcrypt's allocation handlers ---------------------------------------- */

static void *gc_alloc(size_t n)
{
	return malloc(n);
}

static int gc_is_secure(const void *p)
{
	return block_size(p) != 0;
}

static void *gc_realloc(void *p, size_t n)
{
	size_t old;
	void *q;

	if (!p)
		return malloc(n);
	old = block_size(p);
	if (!old)
		return realloc(p, n);
	if (n <= old)
		return p;
	q = block_alloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, old);
	block_free(p);
	return q;
}

static void gc_free(void *p)
{
	if (p && !block_free(p))
		free(p);
}

/* ---- set-up -------------------------------------------------------------- */

static void do_init(void)
{
	bool ours = false;

	if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
		/* The application set libgcrypt up itself; respect that. */
		init_result = 0;
		return;
	}
	if (!gcry_control(GCRYCTL_ANY_INITIALIZATION_P)) {
		/*
		 * Every gcry_cipher_open and gcry_md_open runs a "fast random
		 * poll", which on x86 reads 64 bytes with RDRAND: slow, and very
		 * slow under virtualization (doc/architecture.md, Secrets).  The
		 * random pool is seeded from getrandom(2) all the same; RDRAND
		 * was one more input to it.  First: the allocation handler and
		 * gcry_check_version detect the CPU's features.
		 */
		gcry_control(GCRYCTL_DISABLE_HWF, "intel-rdrand", NULL);
		/*
		 * Nothing has used libgcrypt yet, so no block it allocated can
		 * reach our free handler.  In FIPS mode libgcrypt refuses custom
		 * handlers and keeps its own pool, set up below.
		 */
		gcry_set_allocation_handler(gc_alloc, block_alloc, gc_is_secure, gc_realloc,
					    gc_free);
		ours = !gcry_fips_mode_active();
	}
	if (!gcry_check_version("1.10.0")) {
		init_result = -ENOTSUP;
		return;
	}
	/* Warnings about unlocked pages would go to stderr of our callers. */
	gcry_control(GCRYCTL_DISABLE_SECMEM_WARN);
	if (!ours) {
		gcry_control(GCRYCTL_INIT_SECMEM, 256 * 1024, 0);
		gcry_control(GCRYCTL_AUTO_EXPAND_SECMEM, 1024 * 1024, 0);
	}
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	init_result = 0;
}

ECRYPTFS_EXPORT int ecryptfs_init(void)
{
	pthread_once(&init_once, do_init);
	return init_result;
}

ECRYPTFS_EXPORT void *ecryptfs_secure_alloc(size_t n)
{
	if (ecryptfs_init() < 0)
		return NULL;
	return block_alloc(n);
}

/* A pointer that is not ours is left alone: freeing it could do worse. */
ECRYPTFS_EXPORT void ecryptfs_secure_free(void *p)
{
	if (p)
		block_free(p);
}

void ecryptfs_wipe(void *p, size_t n)
{
	if (p && n)
		explicit_bzero(p, n);
}
