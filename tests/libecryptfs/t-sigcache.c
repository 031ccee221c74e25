/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The mount helper's signature cache: one sig a line, mode 0600. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libecryptfs.h"
#include "internal.h"
#include "tap.h"

static char dir[1024], path[1100];

static void spit(const char *p, const char *s, size_t n)
{
	FILE *f = fopen(p, "wb");

	if (!f || fwrite(s, 1, n, f) != n)
		abort();
	fclose(f);
}

static long file_size(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

int main(void)
{
	const char *t = getenv("TESTTMP");
	char link[4200], buf[64];
	struct stat st;
	mode_t old;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/t-sigcache.XXXXXX", t ? t : "/tmp");
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/sig-cache.txt", dir);

	is_int(ecryptfs_sigcache_contains(path, "0123456789abcdef"), 0, "no cache file: not found");
	old = umask(0277);
	is_int(ecryptfs_sigcache_append(path, "0123456789abcdef"), 0, "append creates the file");
	umask(old);
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600, "mode 0600 under umask 0277");
	is_int(file_size(path), 17, "one 17-byte record");
	f = fopen(path, "rb");
	ok(f && fread(buf, 1, 17, f) == 17 && memcmp(buf, "0123456789abcdef\n", 17) == 0,
	   "record is sig + newline");
	if (f)
		fclose(f);
	is_int(ecryptfs_sigcache_contains(path, "0123456789abcdef"), 1, "found");
	is_int(ecryptfs_sigcache_contains(path, "fedcba9876543210"), 0, "another sig not found");
	is_int(ecryptfs_sigcache_append(path, "fedcba9876543210"), 0, "append a second");
	is_int(file_size(path), 34, "two records");
	is_int(ecryptfs_sigcache_contains(path, "fedcba9876543210"), 1, "second found");
	is_int(ecryptfs_sigcache_contains(path, "0123456789abcdef"), 1, "first still found");
	is_int(ecryptfs_sigcache_append(path, "0123456789abcdeg"), -EINVAL, "append a non-hex sig: -EINVAL");
	is_int(ecryptfs_sigcache_append(path, "0123456789abcde"), -EINVAL, "append a short sig: -EINVAL");
	is_int(ecryptfs_sigcache_contains(path, NULL), -EINVAL, "look up NULL: -EINVAL");
	is_int(file_size(path), 34, "bad appends wrote nothing");

	/*
	 * Line by line: a line matches when it is the sig, and nothing else on
	 * a line shifts the lines after it (the reference read 17-byte
	 * records, so it found none of the sigs below but the first).
	 */
	spit(path, "0123456789abcdefX\n1111222233334444\n", 35);
	is_int(ecryptfs_sigcache_contains(path, "0123456789abcdef"), 0, "a line with more after the sig: no match");
	is_int(ecryptfs_sigcache_contains(path, "1111222233334444"), 1, "... and the next line is found");
	spit(path, "\n0123456789abcdef\n", 18);
	is_int(ecryptfs_sigcache_contains(path, "0123456789abcdef"), 1, "after an empty line: found");
	spit(path, "abc\n0123456789abcdef\nfedcba9876543210\n", 38);
	is_int(ecryptfs_sigcache_contains(path, "fedcba9876543210"), 1, "after a short line: found");
	spit(path, "0123456789abcde\n", 16);
	is_int(ecryptfs_sigcache_contains(path, "0123456789abcdef"), 0, "a short line is no prefix match");
	spit(path, "x0123456789abcdef\n", 18);
	is_int(ecryptfs_sigcache_contains(path, "0123456789abcdef"), 0, "nor a line ending in the sig");
	spit(path, "1111222233334444\n0123456789abcdef", 33);
	is_int(ecryptfs_sigcache_contains(path, "0123456789abcdef"), 1, "the last line without its newline");
	is_int(ecryptfs_sigcache_append(path, "fedcba9876543210"), 0, "append after it");
	is_int(file_size(path), 51, "... ends that line first");
	is_int(ecryptfs_sigcache_contains(path, "fedcba9876543210"), 1, "the appended sig is found");
	is_int(ecryptfs_sigcache_contains(path, "0123456789abcdef"), 1, "and the line before it still");
	spit(path, "partial", 7);
	is_int(ecryptfs_sigcache_append(path, "fedcba9876543210"), 0, "append after a partial line");
	is_int(ecryptfs_sigcache_contains(path, "fedcba9876543210"), 1, "... found");
	{
		/* A long file of junk lines and the sig at the end, across reads. */
		char big[9000];

		memset(big, 'z', sizeof(big));
		for (size_t i = 100; i < sizeof(big); i += 100)
			big[i] = '\n';
		memcpy(big + sizeof(big) - 17, "0123456789abcdef\n", 17);
		big[sizeof(big) - 18] = '\n';
		spit(path, big, sizeof(big));
		is_int(ecryptfs_sigcache_contains(path, "0123456789abcdef"), 1, "after 9000 bytes of junk lines");
	}
	spit(path, "1111222233334444", 16);

	is_int(ecryptfs_sigcache_contains(dir, "0123456789abcdef"), -EISDIR, "a directory: -EISDIR");
	snprintf(link, sizeof(link), "%s/link", dir);
	ok(symlink(path, link) == 0, "symlink made");
	is_int(ecryptfs_sigcache_append(link, "0123456789abcdef"), -ELOOP, "append through a symlink: -ELOOP");
	is_int(file_size(path), 16, "target untouched");
	{
		char cmd[4300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		(void)!system(cmd);
	}
	return tap_done();
}
