/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reads and writes that finish: EINTR and short transfers are retried, so
 * that pipes, FIFOs and interrupted calls behave like regular files.
 */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "libecryptfs.h"
#include "internal.h"

/* off < 0: the file position (read/write); otherwise pread/pwrite at off. */
static ssize_t read_at(int fd, uint8_t *buf, size_t n, int64_t off)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = off < 0 ? read(fd, buf + done, n - done)
				    : pread(fd, buf + done, n - done, (off_t)(off + (int64_t)done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

static int write_at(int fd, const uint8_t *buf, size_t n, int64_t off)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = off < 0 ? write(fd, buf + done, n - done)
				    : pwrite(fd, buf + done, n - done, (off_t)(off + (int64_t)done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		/* No progress and no error: retrying would spin forever. */
		if (r == 0)
			return -EIO;
		done += (size_t)r;
	}
	return 0;
}

ECRYPTFS_EXPORT ssize_t ecryptfs_read_full(int fd, void *buf, size_t n)
{
	return read_at(fd, buf, n, -1);
}

int ecryptfs_read_bounded(int fd, void *buf, size_t max, size_t *len)
{
	/* One byte more than allowed tells input at the limit from longer input. */
	ssize_t got = read_at(fd, buf, max + 1, -1);

	if (got < 0)
		return (int)got;
	if ((size_t)got > max)
		return -EFBIG;
	*len = (size_t)got;
	return 0;
}

ECRYPTFS_EXPORT int ecryptfs_write_full(int fd, const void *buf, size_t n)
{
	return write_at(fd, buf, n, -1);
}

ECRYPTFS_EXPORT ssize_t ecryptfs_pread_full(int fd, void *buf, size_t n, uint64_t off)
{
	if (off > INT64_MAX || n > (uint64_t)INT64_MAX - off)
		return -EFBIG;
	return read_at(fd, buf, n, (int64_t)off);
}

ECRYPTFS_EXPORT int ecryptfs_pwrite_full(int fd, const void *buf, size_t n, uint64_t off)
{
	if (off > INT64_MAX || n > (uint64_t)INT64_MAX - off)
		return -EFBIG;
	return write_at(fd, buf, n, (int64_t)off);
}
