/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs-rewrap-passphrase [--v2|--v3] FILE [- | OLD NEW]: change the
 * wrapping passphrase of FILE.  v1 and v2 files are written back as v2 (the
 * reference's v1 -> v2 migration), v3 files stay v3; --v2/--v3 choose.  The
 * new file replaces the old one atomically, so any failure leaves it intact.
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
		"ecryptfs-rewrap-passphrase [--v2|--v3] [file]\n"
		"or\n"
		"printf \"%%s\\n%%s\" \"old wrapping passphrase\" \"new wrapping passphrase\" "
		"| ecryptfs-rewrap-passphrase [--v2|--v3] [file] -\n"
		"\n"
		"--v3: write the v3 format (Argon2id, authenticated), which\n"
		"      ecryptfs-utils cannot read; --v2: write the reference's format\n");
}

int main(int argc, char *argv[])
{
	struct ecryptfs_wrap_params params = { .version = ECRYPTFS_WRAP_V2 };
	struct cli_secret old = { 0 }, new = { 0 }, again = { 0 };
	uint8_t buf[ECRYPTFS_WRAPPED_MAX_BYTES], out[ECRYPTFS_WRAPPED_MAX_BYTES];
	enum cli_secret_source src;
	size_t len = 0, out_len = 0, pass_len = 0;
	int i = 1, version = 0, rc = -EINVAL;
	char *pass = NULL;
	const char *path;

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
	if (strcmp(argv[i], "--v2") == 0 || strcmp(argv[i], "--v3") == 0) {
		version = argv[i][3] - '0';
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
	if (path[0] == '-') {
		cli_error(0, "unknown option '%s'", path);
		usage(stderr);
		return 1;
	}
	rc = cli_wrapped_load(path, "Unwrapping passphrase failed", buf, &len);
	if (rc < 0)
		goto out;
	if (!version)
		version = rc == ECRYPTFS_WRAP_V3 ? 3 : 2;
	params.version = version == 3 ? ECRYPTFS_WRAP_V3 : ECRYPTFS_WRAP_V2;

	rc = cli_secret_get(src, "old wrapping passphrase", "Old wrapping passphrase",
			    src == CLI_SECRET_ARGV ? argv[i + 1] : NULL, &old);
	if (rc < 0)
		goto out;
	rc = cli_secret_get(src, "new wrapping passphrase", "New wrapping passphrase",
			    src == CLI_SECRET_ARGV ? argv[i + 2] : NULL, &new);
	if (rc < 0)
		goto out;
	if (src == CLI_SECRET_PROMPT) {
		rc = cli_secret_get(src, "new wrapping passphrase",
				    "New wrapping passphrase (again)", NULL, &again);
		if (rc < 0)
			goto out;
		if (again.len != new.len || memcmp(again.buf, new.buf, new.len) != 0) {
			fprintf(stderr, "New wrapping passphrases do not match\n");
			cli_error(0, "the new wrapping passphrases do not match");
			rc = -EINVAL;
			goto out;
		}
	}

	pass = ecryptfs_secure_alloc(ECRYPTFS_MAX_PASSPHRASE_BYTES + 2);
	if (!pass) {
		rc = -ENOMEM;
		cli_error(rc, "allocating secure memory");
		goto out;
	}
	rc = ecryptfs_unwrap(buf, len, old.buf, old.len, NULL, pass, &pass_len);
	if (rc < 0) {
		cli_ref_error("Unwrapping passphrase failed", rc);
		cli_error(rc, "%s", path);
		goto out;
	}
	rc = ecryptfs_wrap(pass, pass_len, new.buf, new.len, &params, out, &out_len);
	if (rc >= 0)
		rc = ecryptfs_wrapped_write_file(path, out, out_len);
	if (rc < 0) {
		cli_ref_error("Wrapping passphrase failed", rc);
		cli_error(rc, "writing %s", path);
	}
out:
	ecryptfs_secure_free(pass);
	cli_secret_free(&old);
	cli_secret_free(&new);
	cli_secret_free(&again);
	return rc < 0 ? 1 : 0;
}
