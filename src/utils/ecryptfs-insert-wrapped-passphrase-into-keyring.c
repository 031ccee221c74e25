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
#include <stdlib.h>

#include "cli.h"
#include "ecryptfs.h"

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
	uint8_t buf[ECRYPTFS_WRAPPED_MAX_BYTES];
	struct cli_secret wrapping = { 0 };
	enum cli_secret_source src;
	char *path = NULL, *arg;
	size_t len = 0;
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
	rc = cli_wrapped_load(path, REF_ERROR, buf, &len);
	if (rc < 0)
		goto out;
	rc = cli_secret_get(src, "wrapping passphrase", "Passphrase", arg, &wrapping);
	if (rc < 0)
		goto out;
	rc = ecryptfs_insert_wrapped_into_keyring(path, wrapping.buf, wrapping.len, NULL,
						  sig, fnek_sig);
	if (rc < 0) {
		cli_ref_error(REF_ERROR, rc);
		if (rc == -EKEYREJECTED || rc == -EBADMSG || rc == -ENOTSUP)
			cli_error(rc, "%s", path);
		else
			cli_error(rc, "adding the keys of %s to the user keyring", path);
		goto out;
	}
	printf("Inserted auth tok with sig [%s] into the user session keyring\n", sig);
out:
	cli_secret_free(&wrapping);
	free(path);
	return rc < 0 ? 1 : 0;
}
