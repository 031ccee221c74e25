/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs-rewrap-passphrase [--v2|--v3] FILE [- | OLD NEW]: change the
 * wrapping passphrase of FILE.  v1 and v2 files are written back as v2 (the
 * reference's v1 -> v2 migration), v3 files stay v3; --v2/--v3 choose.  The
 * new file replaces the old one atomically, so any failure leaves it intact,
 * and under the file's lock (ecryptfs_wrapped_lock), so concurrent rewraps
 * run one after the other.
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
		"\n"
		"ecryptfs-rewrap-passphrase [--v2|--v3] [file]\n"
		"or\n"
		"printf \"%%s\\n%%s\" \"old wrapping passphrase\" \"new wrapping passphrase\" "
		"| ecryptfs-rewrap-passphrase [--v2|--v3] [file] -\n"
		"\n"
		"--v3: write the v3 format (Argon2id, authenticated), which\n"
		"      ecryptfs-utils cannot read; --v2: write the reference's format\n");
}

/* The new wrapping passphrase: twice at the prompt, where a typo is likely. */
static int get_new(enum cli_secret_source src, char *arg, struct cli_secret *new)
{
	struct cli_secret again = { 0 };
	int rc;

	rc = cli_secret_get(src, "new wrapping passphrase", "New wrapping passphrase", arg, new);
	if (rc < 0 || src != CLI_SECRET_PROMPT)
		return rc;
	rc = cli_secret_get(src, "new wrapping passphrase", "New wrapping passphrase (again)",
			    NULL, &again);
	if (rc >= 0 && (again.len != new->len || memcmp(again.buf, new->buf, new->len) != 0)) {
		fprintf(stderr, "New wrapping passphrases do not match\n");
		cli_error(0, "the new wrapping passphrases do not match");
		rc = -EINVAL;
	}
	cli_secret_free(&again);
	return rc;
}

int main(int argc, char *argv[])
{
	struct ecryptfs_wrap_params params = { .version = ECRYPTFS_WRAP_V2 };
	struct cli_secret old = { 0 }, new = { 0 };
	uint8_t buf[ECRYPTFS_WRAPPED_MAX_BYTES], out[ECRYPTFS_WRAPPED_MAX_BYTES];
	size_t len = 0, out_len = 0, pass_len = 0;
	struct cli_two_secrets a;
	char *pass = NULL;
	int lock = -1, rc;

	cli_init(argv[0]);
	/* Our "Check the system log" lines must be true. */
	cli_log_to_syslog();
	cli_lock_memory();
	rc = cli_two_secret_args(argc, argv, "23", false, usage, &a);
	if (rc != CLI_CONTINUE)
		return rc;
	/* A file we could not open is reported before any prompt. */
	rc = cli_wrapped_load(a.path, "Unwrapping passphrase failed", buf, &len);
	if (rc < 0)
		goto out;
	rc = cli_secret_get(a.src, "old wrapping passphrase", "Old wrapping passphrase",
			    a.secret[0], &old);
	if (rc < 0)
		goto out;
	rc = get_new(a.src, a.secret[1], &new);
	if (rc < 0)
		goto out;
	/*
	 * Read, unwrap, wrap and rename under the file's lock (never across a
	 * prompt): a rewrap that finished while we asked is read here, so its
	 * old passphrase no longer unwraps and nobody's change is lost.
	 */
	rc = ecryptfs_wrapped_lock(a.path, &lock);
	if (rc < 0) {
		cli_ref_error("Unwrapping passphrase failed", rc);
		cli_error(rc, "locking %s", a.path);
		goto out;
	}
	rc = cli_wrapped_load(a.path, "Unwrapping passphrase failed", buf, &len);
	if (rc < 0)
		goto out;
	/* Without --v2/--v3 a v3 file stays v3; v1 and v2 become v2. */
	if (!a.version)
		a.version = rc == ECRYPTFS_WRAP_V3 ? 3 : 2;
	params.version = a.version == 3 ? ECRYPTFS_WRAP_V3 : ECRYPTFS_WRAP_V2;
	rc = cli_unwrap_report(a.path, buf, len, &old, &pass, &pass_len);
	if (rc < 0)
		goto out;
	rc = ecryptfs_wrap(pass, pass_len, new.buf, new.len, &params, out, &out_len);
	if (rc >= 0)
		rc = ecryptfs_wrapped_write_file(a.path, out, out_len);
	if (rc < 0) {
		cli_ref_error("Wrapping passphrase failed", rc);
		cli_error(rc, "writing %s", a.path);
	}
out:
	ecryptfs_wrapped_unlock(lock);
	ecryptfs_secure_free(pass);
	cli_secret_free(&old);
	cli_secret_free(&new);
	return rc < 0 ? 1 : 0;
}
