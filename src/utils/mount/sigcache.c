/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The signature-cache check of mount.ecryptfs (doc/compatibility.md §4.3): a
 * key never mounted with before probably means a mistyped passphrase, so the
 * user confirms and may record the sig in ~/.ecryptfs/sig-cache.txt.  Texts,
 * trailing spaces and the 5-try limit are the reference's.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "helper.h"

/* The reference gives up after five answers that are not yes or no. */
#define TRIES 5

int mh_check_sig_cache(const char *sig_hex)
{
	char *dir = NULL, *path = NULL, *q = NULL;
	int r;

	r = cli_home_path(".ecryptfs", &dir);
	if (r == 0)
		r = cli_home_path(".ecryptfs/sig-cache.txt", &path);
	if (r < 0) {
		cli_error(r, "finding the home directory for the signature cache");
		goto out;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		r = -errno;
		cli_error(r, "creating %s", dir);
		goto out;
	}
	r = ecryptfs_sigcache_contains(path, sig_hex);
	if (r < 0) {
		cli_error(r, "reading the signature cache %s", path);
		goto out;
	}
	if (r == 1) {
		r = 0;
		goto out;
	}
	printf("WARNING: Based on the contents of [%s],\n"
	       "it looks like you have never mounted with this key \n"
	       "before. This could mean that you have typed your \n"
	       "passphrase wrong.\n\n", path);
	r = mh_ask_yes_no("Would you like to proceed with the mount (yes/no)? : ",
			  MH_ASK_WORDS_ONLY, TRIES);
	if (r <= 0) {
		if (r != -EIO)
			printf("Aborting mount.\n");
		r = r == 0 ? 1 : r;
		goto out;
	}
	if (asprintf(&q, "Would you like to append sig [%s] to\n[%s] \n"
		     "in order to avoid this warning in the future (yes/no)? : ",
		     sig_hex, path) < 0) {
		q = NULL;
		r = -ENOMEM;
		goto out;
	}
	r = mh_ask_yes_no(q, MH_ASK_WORDS_ONLY, TRIES);
	if (r < 0)
		goto out;
	if (r == 0) {
		printf("Not adding sig to user sig cache file; continuing with mount.\n");
		goto out;
	}
	r = ecryptfs_sigcache_append(path, sig_hex);
	if (r < 0) {
		cli_error(r, "appending the sig to %s", path);
		goto out;
	}
	printf("Successfully appended new sig to user sig cache file\n");
out:
	free(dir);
	free(path);
	free(q);
	return r;
}
