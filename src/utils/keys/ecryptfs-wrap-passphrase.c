/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs-wrap-passphrase [--v3] FILE [- | PASSPHRASE WRAPPING]: encrypt a
 * mount passphrase under a wrapping passphrase into FILE (v2 by default,
 * the reference's format; --v3 for our Argon2id + AEAD format).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "cli.h"
#include "libecryptfs.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage:\n"
		"\n"
		"ecryptfs-wrap-passphrase [--v3] [file]\n"
		"or\n"
		"printf \"%%s\\n%%s\" \"passphrase to wrap\" \"wrapping passphrase\" "
		"| ecryptfs-wrap-passphrase [--v3] [file] -\n"
		"\n"
		"note: passphrase can be at most 64 bytes long\n"
		"--v3: write the v3 format (Argon2id, authenticated), which\n"
		"      ecryptfs-utils cannot read\n");
}

int main(int argc, char *argv[])
{
	struct ecryptfs_wrap_params params = { .version = ECRYPTFS_WRAP_V2 };
	struct cli_secret pass = { 0 }, wrapping = { 0 };
	struct cli_two_secrets a;
	int rc;

	cli_init(argv[0]);
	/* Our "Check the system log" lines must be true. */
	cli_log_to_syslog();
	cli_lock_memory();
	rc = cli_two_secret_args(argc, argv, "3", true, usage, &a);
	if (rc != CLI_CONTINUE)
		return rc;
	if (a.version == 3)
		params.version = ECRYPTFS_WRAP_V3;
	rc = cli_secret_get(a.src, "passphrase to wrap", "Passphrase to wrap", a.secret[0], &pass);
	if (rc >= 0)
		rc = cli_secret_get(a.src, "wrapping passphrase", "Wrapping passphrase",
				    a.secret[1], &wrapping);
	if (rc >= 0) {
		rc = ecryptfs_wrap_file(a.path, pass.buf, pass.len, wrapping.buf, wrapping.len,
					&params);
		if (rc < 0) {
			cli_ref_error("Wrapping passphrase failed", rc);
			cli_error(rc, "writing %s", a.path);
		}
	}
	cli_secret_free(&pass);
	cli_secret_free(&wrapping);
	return rc < 0 ? 1 : 0;
}
