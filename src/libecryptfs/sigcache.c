/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mount.ecryptfs's signature cache (~/.ecryptfs/sig-cache.txt): 17-byte
 * records "<16 hex>\n", matched on their first 16 bytes, as the reference
 * reads them (a short record at the end never matches).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libecryptfs.h"
#include "internal.h"

#define RECORD_BYTES (ECRYPTFS_SIG_HEX_SIZE + 1)

static int check_sig(const char *sig_hex)
{
	uint8_t sig[ECRYPTFS_SIG_SIZE];

	return ecryptfs_sig_from_hex(sig_hex, sig);
}

ECRYPTFS_EXPORT int ecryptfs_sigcache_contains(const char *path, const char *sig_hex)
{
	char rec[RECORD_BYTES];
	ssize_t n;
	int fd = -1, rc;

	if (!path || check_sig(sig_hex) < 0) {
		rc = -EINVAL;
		goto out;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = errno == ENOENT ? 0 : -errno;
		goto out;
	}
	rc = 0;
	/* A partial record at the end never matches. */
	while ((n = ecryptfs_read_full(fd, rec, RECORD_BYTES)) == RECORD_BYTES) {
		if (memcmp(rec, sig_hex, ECRYPTFS_SIG_HEX_SIZE) == 0) {
			rc = 1;
			goto out;
		}
	}
	if (n < 0)
		rc = (int)n;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

ECRYPTFS_EXPORT int ecryptfs_sigcache_append(const char *path, const char *sig_hex)
{
	char rec[RECORD_BYTES];
	int fd = -1, rc;
	ssize_t n;

	if (!path || check_sig(sig_hex) < 0) {
		rc = -EINVAL;
		goto out;
	}
	/* O_NOFOLLOW: the helper may run as root in a user's directory. */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		/* Created by us: 0600 whatever the umask. */
		if (fchmod(fd, 0600) < 0) {
			rc = -errno;
			goto out;
		}
	} else if (errno == EEXIST) {
		fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	memcpy(rec, sig_hex, ECRYPTFS_SIG_HEX_SIZE);
	rec[ECRYPTFS_SIG_HEX_SIZE] = '\n';
	/* One write with O_APPEND: records never interleave. */
	do {
		n = write(fd, rec, sizeof(rec));
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		rc = -errno;
		goto out;
	}
	rc = n == RECORD_BYTES ? 0 : -EIO;
	if (fsync(fd) < 0 && rc == 0)
		rc = -errno;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}
