/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the filename decoder (fname.c): arbitrary lower names
 * and symlink targets must never crash, leak or read past a buffer, and only
 * the encoder's own output may decode.
 *
 * Input: one mode byte, then the name.  Mode bit 0 prepends the FNEK prefix
 * (so the fuzzer need not rediscover it), bit 1 decodes as a symlink target,
 * bits 2-3 pick the key size.  The key's sig is set to the one in the packet,
 * so that mutated ciphertext actually reaches the cipher and the separator
 * search instead of stopping at -ENOKEY.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libecryptfs.h"

#define MAX_IN 8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t key_sizes[4] = { 0, 16, 24, 32 };
	const size_t plen = strlen(ECRYPTFS_FNEK_PREFIX);
	struct ecryptfs_pass_key *key;
	char *name, out[MAX_IN], again[MAX_IN + 64];	/* room for the prefix */
	size_t len, kb;
	uint8_t mode, code = 0;
	int rc, plain_len;

	if (size < 1 || size > MAX_IN)
		return 0;
	mode = data[0];
	kb = key_sizes[(mode >> 2) & 3];
	data++;
	size--;
	/* An exact-size heap copy, so ASan sees any read past the end. */
	len = size + ((mode & 1) ? plen : 0);
	name = malloc(len ? len : 1);
	key = ecryptfs_pass_key_new();
	if (!name || !key)
		goto out;
	if (mode & 1)
		memcpy(name, ECRYPTFS_FNEK_PREFIX, plen);
	memcpy(name + ((mode & 1) ? plen : 0), data, size);
	for (size_t i = 0; i < sizeof(key->kek); i++)
		key->kek[i] = (uint8_t)(i * 37 + 11);

	if (ecryptfs_fname_sig(name, len, key->sig, &code) != 0)
		memset(key->sig, 0, sizeof(key->sig));
	if (mode & 2)
		rc = ecryptfs_symlink_decrypt(key, kb, name, len, out, sizeof(out));
	else
		rc = ecryptfs_fname_decrypt(key, kb, name, len, out, sizeof(out));
	if (rc < 0 || code == 0 || (len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		goto out;
	if ((size_t)rc != strlen(out))
		abort();
	plain_len = rc;
	/*
	 * Whatever decrypts must be exactly what the encoder makes of the
	 * result (no second spelling of a name decodes), and survive a round
	 * trip through it.
	 */
	if (mode & 2)
		rc = ecryptfs_symlink_encrypt(key, code, kb, out, (size_t)rc, again, sizeof(again));
	else
		rc = ecryptfs_fname_encrypt(key, code, kb, out, (size_t)rc, again, sizeof(again));
	/* Names over 143 bytes: no lower NAME_MAX of 255 holds them; not written. */
	if (rc == -ENAMETOOLONG && !(mode & 2) && plain_len > ECRYPTFS_MAX_NAME_BYTES)
		goto out;
	if (rc != (int)len || memcmp(again, name, len) != 0)
		abort();
	if (rc > 0) {
		char back[MAX_IN];
		int n = (mode & 2) ?
			ecryptfs_symlink_decrypt(key, kb, again, (size_t)rc, back, sizeof(back)) :
			ecryptfs_fname_decrypt(key, kb, again, (size_t)rc, back, sizeof(back));

		if (n < 0 || strcmp(back, out) != 0)
			abort();
	}
out:
	ecryptfs_pass_key_free(key);
	free(name);
	return 0;
}
