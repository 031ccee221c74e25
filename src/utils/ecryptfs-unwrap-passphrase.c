/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs-unwrap-passphrase [FILE [- | WRAPPING]]: print the mount
 * passphrase wrapped in FILE (v1, v2 or v3).  The file is only read.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "ecryptfs.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage:\n"
		"\n"
		"ecryptfs-unwrap-passphrase [file]\n"
		"or\n"
		"printf \"%%s\" \"wrapping passphrase\" | ecryptfs-unwrap-passphrase [file] -\n"
		"\n"
		"Prints the passphrase wrapped in file (default ~/.ecryptfs/wrapped-passphrase).\n");
}

static int write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int main(int argc, char *argv[])
{
	uint8_t buf[ECRYPTFS_WRAPPED_MAX_BYTES];
	struct cli_secret wrapping = { 0 };
	enum cli_secret_source src;
	char *path = NULL, *arg, *pass = NULL;
	size_t len = 0, pass_len = 0;
	int rc;

	cli_init(argv[0]);
	cli_lock_memory();
	if (argc == 2 && cli_is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	rc = cli_file_secret_args(argc - 1, argv + 1, &path, &src, &arg);
	if (rc == -EINVAL) {
		cli_error(0, "wrong arguments");
		usage(stderr);
		return 1;
	} else if (rc < 0) {
		cli_error(rc, "finding ~/.ecryptfs/wrapped-passphrase");
		return 1;
	}
	rc = cli_wrapped_load(path, "Unwrapping passphrase failed", buf, &len);
	if (rc < 0)
		goto out;
	rc = cli_secret_get(src, "wrapping passphrase", "Passphrase", arg, &wrapping);
	if (rc < 0)
		goto out;
	pass = ecryptfs_secure_alloc(ECRYPTFS_MAX_PASSPHRASE_BYTES + 2);
	if (!pass) {
		rc = -ENOMEM;
		cli_error(rc, "allocating secure memory");
		goto out;
	}
	rc = ecryptfs_unwrap(buf, len, wrapping.buf, wrapping.len, NULL, pass, &pass_len);
	if (rc < 0) {
		cli_ref_error("Unwrapping passphrase failed", rc);
		cli_error(rc, "%s", path);
		goto out;
	}
	/* Straight from secure memory: a stdio buffer would keep a copy. */
	fflush(stdout);
	pass[pass_len] = '\n';
	rc = write_all(STDOUT_FILENO, pass, pass_len + 1);
	if (rc < 0)
		cli_error(rc, "writing the passphrase");
out:
	ecryptfs_secure_free(pass);
	cli_secret_free(&wrapping);
	free(path);
	return rc < 0 ? 1 : 0;
}
