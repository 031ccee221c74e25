/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Whole-buffer I/O and how mismatches are shown. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fsx.h"

/* Stops early only at end of file: a short read is how EOF is checked. */
ssize_t full_pread(int fd, void *buf, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, off + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

ssize_t full_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, (const char *)buf + done, len - done, off + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* Never zero (zero-fill bugs stand out), and a byte found at the wrong
 * place tells which op wrote it: op = byte - 1 - pos (mod 255). */
void fill_pattern(unsigned char *buf, size_t len, long opno, size_t pos)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)((opno % 255 + (long)((pos + i) % 255)) % 255 + 1);
}

long first_diff(const unsigned char *a, const unsigned char *b, size_t n)
{
	if (memcmp(a, b, n) == 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return (long)i;
	return -1;
}

static void hexline(const char *tag, const unsigned char *p, size_t base, size_t from, size_t to)
{
	printf("#   %-4s %08zx:", tag, base + from);
	for (size_t i = from; i < to; i++)
		printf(" %02x", p[i]);
	printf("\n");
}

/* good/bad hold n bytes of the file starting at file offset base; at is the
 * first differing index. */
void report_diff(const unsigned char *good, const unsigned char *bad,
		 size_t base, size_t n, size_t at)
{
	size_t from = at >= 16 ? at - 16 : 0, to = at + 32 < n ? at + 32 : n;
	size_t pos = base + at, last = at, bad_bytes = 0;

	for (size_t i = at; i < n; i++)
		if (good[i] != bad[i]) {
			last = i;
			bad_bytes++;
		}
	printf("# first differing offset %zu (0x%zx, extent %zu +%zu): good 0x%02x bad 0x%02x\n",
	       pos, pos, pos / FSX_EXTENT, pos % FSX_EXTENT, good[at], bad[at]);
	printf("# %zu differing bytes up to offset %zu (0x%zx)\n", bad_bytes, base + last, base + last);
	if (bad[at])
		printf("# the bad byte would have been written by op %ld (mod 255), or is foreign\n",
		       (long)(((long)bad[at] - 1 - (long)(pos % 255)) % 255 + 255) % 255);
	else
		printf("# the bad byte is zero: data lost or never written\n");
	for (size_t l = from; l < to; l += 16) {
		size_t e = l + 16 < to ? l + 16 : to;

		hexline("good", good, base, l, e);
		hexline("bad", bad, base, l, e);
	}
}

void dump_model(const char *path, const unsigned char *buf, size_t len)
{
	int fd;

	if (!path)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || full_pwrite(fd, buf, len, 0) < 0)
		printf("# could not save the model to %s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
