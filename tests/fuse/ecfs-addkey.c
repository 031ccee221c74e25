/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test helper: ecfs-addkey [--fnek] [--unlink SIG] PASSPHRASE
 * Derives the passphrase key with the data salt (or, with --fnek, the
 * login path's filename-key salt), adds its token to @u and prints the sig.
 * --unlink SIG removes a key instead.  Tests only: the passphrase is an
 * argument here.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "libecryptfs.h"

int main(int argc, char **argv)
{
	const uint8_t *salt = ecryptfs_default_salt;
	struct ecryptfs_pass_key *key;
	int i = 1, r;

	if (argc == 3 && strcmp(argv[1], "--unlink") == 0) {
		r = ecryptfs_keyring_unlink(argv[2]);
		if (r < 0)
			fprintf(stderr, "ecfs-addkey: unlink %s: %s\n", argv[2], strerror(-r));
		return r < 0;
	}
	if (argc == 3 && strcmp(argv[1], "--fnek") == 0) {
		salt = ecryptfs_fnek_salt;
		i = 2;
	}
	if (argc != i + 1) {
		fprintf(stderr, "usage: ecfs-addkey [--fnek] PASSPHRASE | --unlink SIG\n");
		return 2;
	}
	key = ecryptfs_pass_key_new();
	if (!key)
		return 1;
	r = ecryptfs_derive_pass_key(argv[i], strlen(argv[i]), salt, key);
	if (r == 0)
		r = ecryptfs_keyring_add(key, NULL);
	if (r < 0) {
		fprintf(stderr, "ecfs-addkey: %s\n", strerror(-r));
		ecryptfs_pass_key_free(key);
		return 1;
	}
	printf("%s\n", key->sig_hex);
	ecryptfs_pass_key_free(key);
	return 0;
}
