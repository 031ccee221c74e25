/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the format layer's unit tests (t-header, t-lowerfile, ...). */
#ifndef ECFS_TESTS_LIBECRYPTFS_FORMAT_UTIL_H
#define ECFS_TESTS_LIBECRYPTFS_FORMAT_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libecryptfs.h"
#include "internal.h"
#include "tap.h"

/* A passphrase key with the default salt; aborts on failure (a broken test). */
__attribute__((unused))
static struct ecryptfs_pass_key *fu_key(const char *pass)
{
	struct ecryptfs_pass_key *k = ecryptfs_pass_key_new();

	if (!k || ecryptfs_derive_pass_key(pass, strlen(pass), ecryptfs_default_salt, k) < 0) {
		fprintf(stderr, "cannot derive key for %s\n", pass);
		abort();
	}
	return k;
}

/* A key set holding the keys for the given passphrases (NULL-terminated). */
__attribute__((unused))
static struct ecryptfs_keyset *fu_keyset(const char *pass, ...)
{
	struct ecryptfs_keyset *ks;
	va_list ap;

	if (ecryptfs_keyset_new(&ks) < 0)
		abort();
	va_start(ap, pass);
	for (const char *p = pass; p; p = va_arg(ap, const char *)) {
		struct ecryptfs_pass_key *k = fu_key(p);

		if (ecryptfs_keyset_add_pass_key(ks, k) < 0)
			abort();
		ecryptfs_pass_key_free(k);
	}
	va_end(ap);
	return ks;
}

/* Whole file into a malloc()ed buffer; NULL if it cannot be read. */
__attribute__((unused))
static uint8_t *fu_slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	uint8_t *buf = NULL;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0) {
		buf = malloc((size_t)st.st_size + 1);
		if (buf && pread(fd, buf, (size_t)st.st_size, 0) != st.st_size) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)st.st_size;
	}
	close(fd);
	return buf;
}

__attribute__((unused))
static int fu_write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (len && write(fd, buf, len) != (ssize_t)len)
		rc = -EIO;
	close(fd);
	return rc;
}

__attribute__((unused))
static uint64_t fu_file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (uint64_t)st.st_size : UINT64_MAX;
}

/* Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
__attribute__((unused))
static void fu_fill(uint8_t *p, size_t n, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)(x >> 24);
	}
}

/* Scratch path under TESTTMP (or /tmp). */
__attribute__((unused))
static const char *fu_path(const char *name)
{
	static char buf[4][4096];
	static int next;
	const char *dir = getenv("TESTTMP");
	char *p = buf[next++ % 4];

	snprintf(p, 4096, "%s/%s", dir ? dir : "/tmp", name);
	return p;
}

#endif /* ECFS_TESTS_LIBECRYPTFS_FORMAT_UTIL_H */
