/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs-add-passphrase [--fnek] [-]: derive the passphrase's auth token
 * and put it into the user keyring, as ecryptfs-utils 111 does.
 *
 * Differences from the reference (doc/ecryptfs-add-passphrase.1): bad
 * arguments exit 1 instead of 0, and --fnek does not require the kernel's
 * filename-encryption bit, because our FUSE data path handles FNEK too.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "libecryptfs.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage:\n"
		"ecryptfs-add-passphrase [--fnek]\n"
		"or\n"
		"printf \"%%s\" \"passphrase\" | ecryptfs-add-passphrase [--fnek] -\n"
		"\n"
		"Adds the passphrase's auth token (and with --fnek the filename key's)\n"
		"to the user keyring.  At most 64 bytes.\n");
}

/* Derive with one salt, insert, print the reference's line. */
static int add_one(const struct cli_secret *pass, const uint8_t salt[ECRYPTFS_SALT_SIZE],
		   const char *which)
{
	struct ecryptfs_pass_key *key;
	int rc;

	key = ecryptfs_pass_key_new();
	if (!key) {
		cli_error(-ENOMEM, "allocating the %s", which);
		return -ENOMEM;
	}
	rc = ecryptfs_derive_pass_key(pass->buf, pass->len, salt, key);
	if (rc < 0) {
		cli_ref_error("Inserting key into the user session keyring failed", rc);
		cli_error(rc, "deriving the %s", which);
		goto out;
	}
	rc = ecryptfs_keyring_add(key, NULL);
	if (rc < 0) {
		cli_ref_error("Inserting key into the user session keyring failed", rc);
		cli_error(rc, "adding the %s %s to the user keyring", which, key->sig_hex);
		goto out;
	}
	printf("Inserted auth tok with sig [%s] into the user session keyring\n", key->sig_hex);
	fflush(stdout);
out:
	ecryptfs_pass_key_free(key);
	return rc;
}

int main(int argc, char *argv[])
{
	enum cli_secret_source src = CLI_SECRET_PROMPT;
	struct cli_secret pass = { 0 };
	uint8_t salt[ECRYPTFS_SALT_SIZE];
	bool fnek = false;
	int i = 1, rc;

	cli_init(argv[0]);
	/* Our "Check the system log" lines must be true. */
	cli_log_to_syslog();
	cli_lock_memory();
	if (argc == 2 && cli_is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	if (i < argc && strcmp(argv[i], "--fnek") == 0) {
		fnek = true;
		i++;
	}
	if (i < argc && strcmp(argv[i], "-") == 0) {
		src = CLI_SECRET_STDIN;
		i++;
	}
	if (i != argc) {
		cli_error(0, "unexpected argument '%s'", argv[i]);
		usage(stderr);
		return 1;
	}
	if (cli_secret_get(src, "passphrase", "Passphrase", NULL, &pass) < 0)
		return 1;
	rc = ecryptfs_user_salt(salt, NULL);
	if (rc < 0) {
		cli_error(rc, "reading the salt from ~/.ecryptfsrc");
		goto out;
	}
	/* Data key first, then the FNEK: setup-private stores them in this order. */
	rc = add_one(&pass, salt, "key");
	if (rc == 0 && fnek)
		rc = add_one(&pass, ecryptfs_fnek_salt, "filename key");
out:
	cli_secret_free(&pass);
	return rc < 0 ? 1 : 0;
}
