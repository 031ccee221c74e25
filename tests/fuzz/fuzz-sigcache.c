/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The signature cache file (sigcache.c, ~/.ecryptfs/sig-cache.txt) on
 * arbitrary contents: ecryptfs_sigcache_contains must answer as the format
 * says (1 when a line, the last one also without its newline, is exactly
 * the sig; any other line ignored), refuse a sig that is not 16 hex digits,
 * and never crash or leak; after ecryptfs_sigcache_append the sig is always
 * found, and so is a sig found before.
 *
 * Input: a mode byte (bit 0: append the sig), 16 bytes of sig, the file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libecryptfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[4000], path[4096];

static void cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

/* The smoke scripts point TMPDIR into the test's scratch directory. */
static void setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/fuzz-sigcache.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/sig-cache.txt", dir);
	atexit(cleanup);
}

/* What the format says the answer is: some line is the sig. */
static int expected(const uint8_t *file, size_t len, const char *sig)
{
	for (size_t off = 0; off < len;) {
		const uint8_t *nl = memchr(file + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - file) : len;

		if (end - off == ECRYPTFS_SIG_HEX_SIZE &&
		    memcmp(file + off, sig, ECRYPTFS_SIG_HEX_SIZE) == 0)
			return 1;
		off = end + 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char sig[ECRYPTFS_SIG_HEX_SIZE + 1];
	uint8_t bin[ECRYPTFS_SIG_SIZE];
	const uint8_t *file;
	size_t len;
	bool valid;
	int fd, rc;

	if (!path[0])
		setup();
	if (size < 1 + ECRYPTFS_SIG_HEX_SIZE)
		return 0;
	memcpy(sig, data + 1, ECRYPTFS_SIG_HEX_SIZE);
	sig[ECRYPTFS_SIG_HEX_SIZE] = '\0';
	file = data + 1 + ECRYPTFS_SIG_HEX_SIZE;
	len = size - 1 - ECRYPTFS_SIG_HEX_SIZE;
	valid = ecryptfs_sig_from_hex(sig, bin) == 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || ecryptfs_pwrite_full(fd, file, len, 0) < 0)
		abort();
	close(fd);
	rc = ecryptfs_sigcache_contains(path, sig);
	if (rc != (valid ? expected(file, len, sig) : -EINVAL))
		abort();
	if ((data[0] & 1) && valid) {
		if (ecryptfs_sigcache_append(path, sig) != 0)
			abort();
		if (ecryptfs_sigcache_contains(path, sig) != 1)
			abort();
		/* A sig the file's first line held is still found. */
		if (len >= ECRYPTFS_SIG_HEX_SIZE) {
			char other[ECRYPTFS_SIG_HEX_SIZE + 1];

			memcpy(other, file, ECRYPTFS_SIG_HEX_SIZE);
			other[ECRYPTFS_SIG_HEX_SIZE] = '\0';
			if (ecryptfs_sig_from_hex(other, bin) == 0 && expected(file, len, other) &&
			    ecryptfs_sigcache_contains(path, other) != 1)
				abort();
		}
	}
	/* A missing file is an empty cache. */
	if (unlink(path) < 0 || ecryptfs_sigcache_contains(path, valid ? sig : "0123456789abcdef") != 0)
		abort();
	return 0;
}
