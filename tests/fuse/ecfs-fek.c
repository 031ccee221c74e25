/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test helper: ecfs-fek LOWER-FILE | --kek SIG
 * Prints the FEK of an eCryptfs lower file (in-file header) in hex, its key
 * taken from @u by signature; with --kek, the passphrase key (KEK) of SIG in
 * @u.  Tests only: it exists so that tests/fuse/t-coredump.sh can look for
 * the keys in the daemon's memory.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "libecryptfs.h"
#include "internal.h"

int main(int argc, char **argv)
{
	static struct ecryptfs_header hdr;
	static uint8_t head[ECRYPTFS_HEADER_READ_MAX];
	struct ecryptfs_keyset *ks = NULL;
	struct ecryptfs_fek *fek = NULL;
	ssize_t n;
	int fd, r;

	if (argc == 3 && strcmp(argv[1], "--kek") == 0) {
		struct ecryptfs_pass_key *key = ecryptfs_pass_key_new();

		r = key ? ecryptfs_keyring_get(argv[2], key) : -ENOMEM;
		if (r == 0)
			for (size_t i = 0; i < sizeof(key->kek); i++)
				printf("%02x%s", key->kek[i], i + 1 < sizeof(key->kek) ? "" : "\n");
		else
			fprintf(stderr, "ecfs-fek: %s: %s\n", argv[2], strerror(-r));
		ecryptfs_pass_key_free(key);
		return r != 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: ecfs-fek LOWER-FILE | --kek SIG\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	n = ecryptfs_pread_full(fd, head, sizeof(head), 0);
	close(fd);
	r = n < 0 ? (int)n : ecryptfs_header_parse(head, (size_t)n, false, &hdr);
	if (r == 0)
		r = ecryptfs_keyset_new(&ks);
	if (r == 0) {
		ecryptfs_keyset_use_keyring(ks, true);
		fek = ecryptfs_fek_new();
		r = fek ? ecryptfs_header_unwrap_fek(&hdr, ks, fek, NULL) : -1;
	}
	if (r == 0)
		for (size_t i = 0; i < fek->key_bytes; i++)
			printf("%02x", fek->key[i]);
	if (r == 0)
		printf("\n");
	else
		fprintf(stderr, "ecfs-fek: %s: %s\n", argv[1], strerror(-r));
	ecryptfs_fek_free(fek);
	ecryptfs_keyset_free(ks);
	return r != 0;
}
