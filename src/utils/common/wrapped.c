/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Opening a wrapped-passphrase file in the programs: load and check it
 * before any prompt, read its wrapping passphrase, unwrap it; every failure
 * reported with the reference's "Error:" lines and our "prog: ..." line.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

int cli_wrapped_load(const char *path, const char *ref_what, unsigned char *buf, size_t *len)
{
	struct stat st;
	int rc;

	*len = 0;
	/*
	 * Opening a FIFO without a writer blocks forever, and a device could
	 * hand us anything: only regular files hold wrapped passphrases.
	 * (A file swapped in after this check is read as before.)
	 */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		cli_ref_error(ref_what, -EINVAL);
		cli_error(0, "%s: not a regular file", path);
		return -EINVAL;
	}
	rc = ecryptfs_wrapped_read_file(path, buf, len);
	if (rc >= 0 && *len == 0) {
		cli_ref_error(ref_what, -EINVAL);
		cli_error(0, "%s: empty file", path);
		return -EBADMSG;
	}
	if (rc >= 0)
		rc = ecryptfs_wrapped_version(buf, *len);
	if (rc < 0) {
		cli_ref_error(ref_what, rc);
		cli_error(rc, "%s", path);
	}
	return rc;
}

int cli_wrapped_job_start(int argc, char *argv[], void (*usage)(FILE *), const char *ref_what,
			  struct cli_wrapped_job *job)
{
	enum cli_secret_source src;
	char *arg;
	int rc;

	memset(job, 0, sizeof(*job));
	if (argc == 2 && cli_is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	rc = cli_file_secret_args(argc - 1, argv + 1, &job->path, &src, &arg);
	if (rc == -EINVAL) {
		cli_error(0, "wrong arguments");
		usage(stderr);
		return 1;
	} else if (rc < 0) {
		cli_error(rc, "finding ~/.ecryptfs/wrapped-passphrase");
		return 1;
	}
	/* The file first: no passphrase is asked for a file it cannot open. */
	if (cli_wrapped_load(job->path, ref_what, job->buf, &job->len) < 0 ||
	    cli_secret_get(src, "wrapping passphrase", "Passphrase", arg, &job->wrapping) < 0) {
		cli_wrapped_job_end(job);
		return 1;
	}
	return CLI_CONTINUE;
}

void cli_wrapped_job_end(struct cli_wrapped_job *job)
{
	cli_secret_free(&job->wrapping);
	free(job->path);
	job->path = NULL;
}

int cli_unwrap_report(const char *path, const uint8_t *buf, size_t len,
		      const struct cli_secret *wrapping, char **pass, size_t *pass_len)
{
	int rc;

	*pass_len = 0;
	/* Room for a '\n' after the longest passphrase, and the NUL. */
	*pass = ecryptfs_secure_alloc(ECRYPTFS_MAX_PASSPHRASE_BYTES + 2);
	if (!*pass) {
		cli_error(-ENOMEM, "allocating secure memory");
		return -ENOMEM;
	}
	rc = ecryptfs_unwrap(buf, len, wrapping->buf, wrapping->len, NULL, *pass, pass_len);
	if (rc < 0) {
		cli_ref_error("Unwrapping passphrase failed", rc);
		cli_error(rc, "%s", path);
		ecryptfs_secure_free(*pass);
		*pass = NULL;
		*pass_len = 0;
	}
	return rc;
}
