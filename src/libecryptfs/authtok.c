/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's struct ecryptfs_auth_tok (packed, 740 bytes) for passphrase
 * keys.  Written field by field at fixed offsets rather than through a C
 * struct, so that compiler padding can never change the bytes the kernel (and
 * `keyctl pipe` comparisons with ecryptfs-utils) see.  Integers are
 * host-endian because the payload never leaves this machine.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "libecryptfs.h"
#include "internal.h"

enum {
	TOK_VERSION = 0,		/* u16, major << 8 | minor */
	TOK_TYPE = 2,			/* u16, 0 = password */
	TOK_FLAGS = 4,
	TOK_SESSION_KEY = 8,		/* 588 bytes, zero for passphrase keys */
	TOK_PW = 628,			/* the password arm of the token union */
	TOK_PW_BYTES = TOK_PW + 0,
	TOK_PW_HASH_ALGO = TOK_PW + 4,
	TOK_PW_HASH_ITER = TOK_PW + 8,
	TOK_PW_SKEK_BYTES = TOK_PW + 12,
	TOK_PW_FLAGS = TOK_PW + 16,
	TOK_PW_SKEK = TOK_PW + 20,	/* 64 bytes */
	TOK_PW_SIG = TOK_PW + 84,	/* 16 hex + NUL */
	TOK_PW_SALT = TOK_PW + 101,	/* 8 bytes */
};

#define TOK_VERSION_VALUE 0x0004	/* what keystore.c ecryptfs_verify_version wants */
#define TOK_TYPE_PASSWORD 0
#define PGP_DIGEST_ALGO_SHA512 10
#define SKEK_SET 0x02			/* ECRYPTFS_SESSION_KEY_ENCRYPTION_KEY_SET */

static void put16(uint8_t *tok, size_t off, uint16_t v)
{
	memcpy(tok + off, &v, sizeof(v));
}

static void put32(uint8_t *tok, size_t off, uint32_t v)
{
	memcpy(tok + off, &v, sizeof(v));
}

static uint16_t get16(const uint8_t *tok, size_t off)
{
	uint16_t v;

	memcpy(&v, tok + off, sizeof(v));
	return v;
}

static uint32_t get32(const uint8_t *tok, size_t off)
{
	uint32_t v;

	memcpy(&v, tok + off, sizeof(v));
	return v;
}

int ecryptfs_auth_tok_build(const struct ecryptfs_pass_key *key,
			    uint8_t tok[ECRYPTFS_AUTH_TOK_SIZE])
{
	if (!key || !tok)
		return -EINVAL;
	memset(tok, 0, ECRYPTFS_AUTH_TOK_SIZE);
	put16(tok, TOK_VERSION, TOK_VERSION_VALUE);
	put16(tok, TOK_TYPE, TOK_TYPE_PASSWORD);
	put32(tok, TOK_PW_HASH_ALGO, PGP_DIGEST_ALGO_SHA512);
	/* hash_iterations stays 0: ecryptfs-utils never fills it in. */
	put32(tok, TOK_PW_SKEK_BYTES, ECRYPTFS_MAX_KEY_BYTES);
	put32(tok, TOK_PW_FLAGS, SKEK_SET);
	memcpy(tok + TOK_PW_SKEK, key->kek, ECRYPTFS_MAX_KEY_BYTES);
	ecryptfs_sig_to_hex(key->sig, (char *)tok + TOK_PW_SIG);
	memcpy(tok + TOK_PW_SALT, key->salt, ECRYPTFS_SALT_SIZE);
	return 0;
}

int ecryptfs_auth_tok_parse(const uint8_t *tok, size_t len,
			    struct ecryptfs_pass_key *out)
{
	uint32_t skek_bytes;

	if (!tok || !out || len != ECRYPTFS_AUTH_TOK_SIZE)
		return -EINVAL;
	if (get16(tok, TOK_VERSION) != TOK_VERSION_VALUE ||
	    get16(tok, TOK_TYPE) != TOK_TYPE_PASSWORD)
		return -EINVAL;
	if (!(get32(tok, TOK_PW_FLAGS) & SKEK_SET))
		return -EINVAL;
	skek_bytes = get32(tok, TOK_PW_SKEK_BYTES);
	if (skek_bytes == 0 || skek_bytes > ECRYPTFS_MAX_KEY_BYTES)
		return -EINVAL;
	if (tok[TOK_PW_SIG + ECRYPTFS_SIG_HEX_SIZE] != '\0' ||
	    ecryptfs_sig_from_hex((const char *)tok + TOK_PW_SIG, out->sig) < 0)
		return -EINVAL;
	memset(out->kek, 0, sizeof(out->kek));
	memcpy(out->kek, tok + TOK_PW_SKEK, skek_bytes);
	memcpy(out->salt, tok + TOK_PW_SALT, ECRYPTFS_SALT_SIZE);
	ecryptfs_sig_to_hex(out->sig, out->sig_hex);
	return 0;
}
