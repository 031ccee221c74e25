/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ecfs-bench-smallfiles DIR [N]: create, stat, read and delete N small
 * files (100 B to 8 KiB) in DIR, one phase after the other; prints each
 * phase's rate as "PHASE FILES_PER_SECOND". Reads check the contents, so a
 * fast wrong answer cannot pass for a fast one. Exit 1 on any error. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAXSZ 8192

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t size_of(long i)
{
	return 100 + (size_t)((i * 2654435761UL) % (MAXSZ - 100));
}

static void fill(unsigned char *b, size_t n, long i)
{
	for (size_t k = 0; k < n; k++)
		b[k] = (unsigned char)(i + (long)k * 7);
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "ecfs-bench-smallfiles: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	static unsigned char want[MAXSZ], got[MAXSZ];
	long n = argc > 2 ? atol(argv[2]) : 5000;
	char path[4096];
	const char *dir;
	double t;

	if (argc < 2 || n <= 0) {
		fprintf(stderr, "usage: ecfs-bench-smallfiles DIR [N]\n");
		return 2;
	}
	dir = argv[1];

	t = now();
	for (long i = 0; i < n; i++) {
		size_t sz = size_of(i);
		int fd;

		snprintf(path, sizeof(path), "%s/f%06ld", dir, i);
		fill(want, sz, i);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, want, sz) != (ssize_t)sz || close(fd) < 0)
			die("create", path);
	}
	printf("create %.0f\n", (double)n / (now() - t));

	t = now();
	for (long i = 0; i < n; i++) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/f%06ld", dir, i);
		if (stat(path, &st) < 0)
			die("stat", path);
		if ((size_t)st.st_size != size_of(i)) {
			errno = EIO;
			die("stat (wrong size)", path);
		}
	}
	printf("stat %.0f\n", (double)n / (now() - t));

	t = now();
	for (long i = 0; i < n; i++) {
		size_t sz = size_of(i);
		int fd;

		snprintf(path, sizeof(path), "%s/f%06ld", dir, i);
		fd = open(path, O_RDONLY);
		if (fd < 0 || read(fd, got, MAXSZ) != (ssize_t)sz || close(fd) < 0)
			die("read", path);
		fill(want, sz, i);
		if (memcmp(want, got, sz) != 0) {
			errno = EIO;
			die("read (wrong contents)", path);
		}
	}
	printf("read %.0f\n", (double)n / (now() - t));

	t = now();
	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%06ld", dir, i);
		if (unlink(path) < 0)
			die("delete", path);
	}
	printf("delete %.0f\n", (double)n / (now() - t));
	return 0;
}
