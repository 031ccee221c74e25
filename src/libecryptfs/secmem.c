/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libgcrypt set-up and the secure memory every secret lives in.  libgcrypt's
 * pool is locked (never swapped) and wiped on free; when it cannot be locked
 * (no CAP_IPC_LOCK and a low RLIMIT_MEMLOCK) libgcrypt still hands out wiped
 * memory, which is the best an unprivileged tool can get.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <gcrypt.h>

#include "libecryptfs.h"
#include "internal.h"

#define SECMEM_POOL_BYTES (256 * 1024)
/*
 * A daemon keeps a FEK and its cipher handles per open file: some 2,500 open
 * files fill the first pool, so further locked pools of this size are added.
 */
#define SECMEM_GROW_BYTES (1024 * 1024)

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_result;

static void do_init(void)
{
	if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
		/* The application set libgcrypt up itself; respect that. */
		init_result = 0;
		return;
	}
	if (!gcry_check_version("1.10.0")) {
		init_result = -ENOTSUP;
		return;
	}
	/* Warnings about unlocked pages would go to stderr of our callers. */
	gcry_control(GCRYCTL_DISABLE_SECMEM_WARN);
	gcry_control(GCRYCTL_INIT_SECMEM, SECMEM_POOL_BYTES, 0);
	gcry_control(GCRYCTL_AUTO_EXPAND_SECMEM, SECMEM_GROW_BYTES, 0);
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
	void *p;

	if (ecryptfs_init() < 0)
		return NULL;
	/* gcry_calloc_secure zeroes; gcry_free wipes secure blocks. */
	p = gcry_calloc_secure(1, n ? n : 1);
	return p;
}

ECRYPTFS_EXPORT void ecryptfs_secure_free(void *p)
{
	if (p)
		gcry_free(p);
}

void ecryptfs_wipe(void *p, size_t n)
{
	if (p && n)
		explicit_bzero(p, n);
}
