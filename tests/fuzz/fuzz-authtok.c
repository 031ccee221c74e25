/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The keyring auth-token parser (authtok.c), which reads whatever a "user"
 * key described by a sig holds (ecryptfs_keyring_get): arbitrary payloads
 * must never crash, leak or read past the input; only 740-byte version-4
 * password tokens with a terminated hex sig and a KEK length of 1..64 are
 * taken, and what is taken is the token's fields (KEK cut at its length and
 * zero-filled, salt, sig), which build back into a token that parses to the
 * same key.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libecryptfs.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Field offsets of the token (doc/format.md §9.3). */
#define PW 628
#define SKEK_BYTES (PW + 12)
#define KEK (PW + 20)
#define SIG (PW + 84)
#define SALT (PW + 101)

static bool same_key(const struct ecryptfs_pass_key *a, const struct ecryptfs_pass_key *b)
{
	return !memcmp(a->kek, b->kek, sizeof(a->kek)) && !memcmp(a->sig, b->sig, sizeof(a->sig)) &&
	       !memcmp(a->salt, b->salt, sizeof(a->salt)) && !strcmp(a->sig_hex, b->sig_hex);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ecryptfs_pass_key *key = ecryptfs_pass_key_new(), *back = ecryptfs_pass_key_new();
	/* An exact-size heap copy, so that ASan sees any read past the payload. */
	uint8_t *tok = malloc(size ? size : 1), again[ECRYPTFS_AUTH_TOK_SIZE];
	uint32_t skek;
	int rc;

	if (!key || !back || !tok)
		abort();
	memcpy(tok, data, size);
	rc = ecryptfs_auth_tok_parse(tok, size, key);
	if (rc != 0) {
		if (rc != -EINVAL)
			abort();
		goto out;
	}
	if (size != ECRYPTFS_AUTH_TOK_SIZE)
		abort();
	memcpy(&skek, tok + SKEK_BYTES, sizeof(skek));
	if (skek < 1 || skek > ECRYPTFS_MAX_KEY_BYTES || memcmp(key->kek, tok + KEK, skek) != 0)
		abort();
	for (size_t i = skek; i < ECRYPTFS_MAX_KEY_BYTES; i++)
		if (key->kek[i])
			abort();	/* nothing of the token beyond the KEK's length */
	if (memcmp(key->salt, tok + SALT, ECRYPTFS_SALT_SIZE) != 0)
		abort();
	/* The sig is the token's text, in lower case. */
	if (tok[SIG + ECRYPTFS_SIG_HEX_SIZE] != '\0' || strlen(key->sig_hex) != ECRYPTFS_SIG_HEX_SIZE)
		abort();
	for (size_t i = 0; i < ECRYPTFS_SIG_HEX_SIZE; i++)
		if (key->sig_hex[i] != tolower(tok[SIG + i]))
			abort();
	/* What the keyring gets from a parsed key parses to the same key. */
	if (ecryptfs_auth_tok_build(key, again) != 0 ||
	    ecryptfs_auth_tok_parse(again, sizeof(again), back) != 0 || !same_key(key, back))
		abort();
out:
	ecryptfs_pass_key_free(key);
	ecryptfs_pass_key_free(back);
	free(tok);
	return 0;
}
