/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs-wrap-passphrase [--v3] FILE [- | PASSPHRASE WRAPPING]: encrypt a
 * mount passphrase under a wrapping passphrase into FILE (v2 by default,
 * the reference's format; --v3 for our Argon2id + AEAD format).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ecryptfs.h"

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
	enum cli_secret_source src;
	const char *path;
	int i = 1, rc = -EINVAL;

	cli_init(argv[0]);
	cli_lock_memory();
	if (argc == 1) {
		/* The reference prints usage and succeeds here. */
		usage(stdout);
		return 0;
	}
	if (cli_is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[i], "--v3") == 0) {
		params.version = ECRYPTFS_WRAP_V3;
		i++;
	}
	if (argc - i == 1) {
		src = CLI_SECRET_PROMPT;
	} else if (argc - i == 2 && strcmp(argv[i + 1], "-") == 0) {
		src = CLI_SECRET_STDIN;
	} else if (argc - i == 3) {
		src = CLI_SECRET_ARGV;
	} else {
		cli_error(0, "wrong arguments");
		usage(stderr);
		return 1;
	}
	path = argv[i];
	if (path[0] == '-' && path[1] != '\0') {
		cli_error(0, "unknown option '%s'", path);
		usage(stderr);
		return 1;
	}
	if (cli_secret_get(src, "passphrase to wrap", "Passphrase to wrap",
			   src == CLI_SECRET_ARGV ? argv[i + 1] : NULL, &pass) < 0)
		goto out;
	if (cli_secret_get(src, "wrapping passphrase", "Wrapping passphrase",
			   src == CLI_SECRET_ARGV ? argv[i + 2] : NULL, &wrapping) < 0)
		goto out;
	rc = ecryptfs_wrap_file(path, pass.buf, pass.len, wrapping.buf, wrapping.len, &params);
	if (rc < 0) {
		cli_ref_error("Wrapping passphrase failed", rc);
		cli_error(rc, "writing %s", path);
	}
out:
	cli_secret_free(&pass);
	cli_secret_free(&wrapping);
	return rc < 0 ? 1 : 0;
}
