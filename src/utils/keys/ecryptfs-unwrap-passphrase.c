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
#include "libecryptfs.h"

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

int main(int argc, char *argv[])
{
	struct cli_wrapped_job job;
	size_t pass_len = 0;
	char *pass = NULL;
	int rc;

	cli_init(argv[0]);
	/* Our "Check the system log" lines must be true. */
	cli_log_to_syslog();
	cli_lock_memory();
	rc = cli_wrapped_job_start(argc, argv, usage, "Unwrapping passphrase failed", &job);
	if (rc != CLI_CONTINUE)
		return rc;
	rc = cli_unwrap_report(job.path, job.buf, job.len, &job.wrapping, &pass, &pass_len);
	if (rc < 0)
		goto out;
	/* Straight from secure memory: a stdio buffer would keep a copy. */
	fflush(stdout);
	pass[pass_len] = '\n';
	rc = ecryptfs_write_full(STDOUT_FILENO, pass, pass_len + 1);
	if (rc < 0)
		cli_error(rc, "writing the passphrase");
out:
	ecryptfs_secure_free(pass);
	cli_wrapped_job_end(&job);
	return rc < 0 ? 1 : 0;
}
