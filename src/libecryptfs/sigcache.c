/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mount.ecryptfs's signature cache (~/.ecryptfs/sig-cache.txt): one sig per
 * line, "<16 hex>\n" as the reference writes them
 * (doc/compatibility.md §2.5).  Read line by line: a line that is exactly
 * the sig matches (the last one too without its newline), any other line is
 * ignored.  The reference read fixed 17-byte records instead, so one short
 * or long line shifted every record after it and none of them was found
 * again.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
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
	char buf[4096];
	size_t line = 0;	/* bytes of the current line so far */
	bool same = true;	/* ... and all of them equal to the sig's */
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
	while ((n = ecryptfs_read_full(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				if (same && line == ECRYPTFS_SIG_HEX_SIZE) {
					rc = 1;
					goto out;
				}
				line = 0;
				same = true;
				continue;
			}
			if (line >= ECRYPTFS_SIG_HEX_SIZE || buf[i] != sig_hex[line])
				same = false;
			if (line < ECRYPTFS_SIG_HEX_SIZE + 1)
				line++;
		}
	}
	if (n < 0)
		rc = (int)n;
	else if (same && line == ECRYPTFS_SIG_HEX_SIZE)
		rc = 1;	/* the last line, without its newline */
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

ECRYPTFS_EXPORT int ecryptfs_sigcache_append(const char *path, const char *sig_hex)
{
	char rec[1 + RECORD_BYTES], last = '\n';
	struct stat st;
	size_t off = 1;
	int fd = -1, rc;
	ssize_t n;

	if (!path || check_sig(sig_hex) < 0) {
		rc = -EINVAL;
		goto out;
	}
	/* O_NOFOLLOW: the helper may run as root in a user's directory. */
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		/* Created by us: 0600 whatever the umask. */
		if (fchmod(fd, 0600) < 0) {
			rc = -errno;
			goto out;
		}
	} else if (errno == EEXIST) {
		fd = open(path, O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	/* A last line without its newline is ended first, or the sig would
	 * join it and never be found. */
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0 &&
	    ecryptfs_pread_full(fd, &last, 1, st.st_size - 1) != 1) {
		rc = -EIO;
		goto out;
	}
	if (last != '\n')
		off = 0;
	rec[0] = '\n';
	memcpy(rec + 1, sig_hex, ECRYPTFS_SIG_HEX_SIZE);
	rec[1 + ECRYPTFS_SIG_HEX_SIZE] = '\n';
	/* One write with O_APPEND: records never interleave. */
	do {
		n = write(fd, rec + off, sizeof(rec) - off);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		rc = -errno;
		goto out;
	}
	rc = (size_t)n == sizeof(rec) - off ? 0 : -EIO;
	if (fsync(fd) < 0 && rc == 0)
		rc = -errno;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}
