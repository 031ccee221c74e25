/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs-insert-wrapped-passphrase-into-keyring [FILE [- | WRAPPING]]:
 * unwrap FILE and add both tokens to the user keyring (the filename key with
 * the ASCII salt "99887766", then the data key), printing only the data
 * key's sig, which ecryptfs-mount-private and other scripts parse.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "cli.h"
#include "libecryptfs.h"

#define REF_ERROR "Unwrapping passphrase and inserting into the user session keyring failed"

static void usage(FILE *f)
{
	fprintf(f, "Usage:\n"
		"\n"
		"ecryptfs-insert-wrapped-passphrase-into-keyring [file]\n"
		"or\n"
		"printf \"%%s\" \"wrapping passphrase\" | "
		"ecryptfs-insert-wrapped-passphrase-into-keyring [file] -\n"
		"\n"
		"Adds the keys of the passphrase wrapped in file (default\n"
		"~/.ecryptfs/wrapped-passphrase) to the user keyring.\n");
}

int main(int argc, char *argv[])
{
	char sig[ECRYPTFS_SIG_HEX_SIZE + 1], fnek_sig[ECRYPTFS_SIG_HEX_SIZE + 1];
	struct cli_wrapped_job job;
	int rc;

	cli_init(argv[0]);
	/* Our "Check the system log" lines must be true. */
	cli_log_to_syslog();
	cli_lock_memory();
	rc = cli_wrapped_job_start(argc, argv, usage, REF_ERROR, &job);
	if (rc != CLI_CONTINUE)
		return rc;
	rc = ecryptfs_insert_wrapped_into_keyring(job.path, job.wrapping.buf, job.wrapping.len,
						  NULL, sig, fnek_sig);
	if (rc < 0) {
		cli_ref_error(REF_ERROR, rc);
		if (rc == -EKEYREJECTED || rc == -EBADMSG || rc == -ENOTSUP)
			cli_error(rc, "%s", job.path);
		else
			cli_error(rc, "adding the keys of %s to the user keyring", job.path);
	} else {
		printf("Inserted auth tok with sig [%s] into the user session keyring\n", sig);
	}
	cli_wrapped_job_end(&job);
	return rc < 0 ? 1 : 0;
}
