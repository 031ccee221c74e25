/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's cipher table (crypto.c ecryptfs_cipher_code_str_map) and its
 * mapping onto libgcrypt.  One code serves every key size except AES, whose
 * code carries the size.  The rules for a FEK's cipher and size (what a new
 * file may use, what a reader must take) are here too.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <gcrypt.h>

#include "libecryptfs.h"
#include "internal.h"

struct cipher_row {
	struct ecryptfs_cipher_info info;
	int gcry_algo[3];	/* by key size: see gcry_algo_for() */
};

/* gcry_algo: one algorithm for all sizes (index 0) except AES and twofish. */
static const struct cipher_row table[] = {
	{ { "des3_ede", ECRYPTFS_CIPHER_DES3_EDE, 8, 24, 24, true }, { GCRY_CIPHER_3DES } },
	{ { "cast5", ECRYPTFS_CIPHER_CAST5, 8, 5, 16, true }, { GCRY_CIPHER_CAST5 } },
	{ { "blowfish", ECRYPTFS_CIPHER_BLOWFISH, 8, 16, 56, true }, { GCRY_CIPHER_BLOWFISH } },
	{ { "aes", ECRYPTFS_CIPHER_AES_128, 16, 16, 16, true }, { GCRY_CIPHER_AES128 } },
	{ { "aes", ECRYPTFS_CIPHER_AES_192, 16, 24, 24, true }, { GCRY_CIPHER_AES192 } },
	{ { "aes", ECRYPTFS_CIPHER_AES_256, 16, 32, 32, true }, { GCRY_CIPHER_AES256 } },
	{ { "twofish", ECRYPTFS_CIPHER_TWOFISH, 16, 16, 32, true },
	  { GCRY_CIPHER_TWOFISH128, GCRY_CIPHER_TWOFISH } },
	/* CAST-256 (RFC 2612): neither libgcrypt nor OpenSSL has it. */
	{ { "cast6", ECRYPTFS_CIPHER_CAST6, 16, 16, 32, false }, { 0 } },
};

static const struct cipher_row *row_by_code(uint8_t code)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].info.code == code)
			return &table[i];
	return NULL;
}

/* A key size the kernel can use: in range and a whole number of blocks. */
static bool key_size_ok(const struct ecryptfs_cipher_info *c, size_t key_bytes)
{
	if (key_bytes < c->min_key_bytes || key_bytes > c->max_key_bytes)
		return false;
	/* The FEK is ECB-wrapped; AES-192 is the one size the kernel pads. */
	if (c->code == ECRYPTFS_CIPHER_AES_192)
		return true;
	return key_bytes % c->block_size == 0;
}

ECRYPTFS_EXPORT int ecryptfs_cipher_code(const char *name, size_t key_bytes)
{
	bool known = false;

	if (!name)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct ecryptfs_cipher_info *c = &table[i].info;

		if (strcmp(c->name, name) != 0)
			continue;
		known = true;
		if (!key_size_ok(c, key_bytes))
			continue;
		if (!c->supported)
			return -ENOTSUP;
		if (c->code == ECRYPTFS_CIPHER_TWOFISH && key_bytes != 16 && key_bytes != 32)
			return -EINVAL;
		return c->code;
	}
	return known ? -EINVAL : -ENOENT;
}

ECRYPTFS_EXPORT int ecryptfs_cipher_key_sizes(const char *name, char *out, size_t size)
{
	size_t usable[ECRYPTFS_MAX_KEY_BYTES], n = 0, len = 0;
	int rc = ecryptfs_cipher_code(name, 16);

	if (size)
		out[0] = '\0';
	if (rc == -ENOENT || !name)
		return -ENOENT;
	for (size_t kb = 1; kb <= ECRYPTFS_MAX_KEY_BYTES; kb++)
		if (ecryptfs_cipher_code(name, kb) >= 0)
			usable[n++] = kb;
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(out + len, size - len, "%s%zu",
				 i == 0 ? "" : i + 1 == n ? " or " : ", ", usable[i]);

		if (w < 0 || (size_t)w >= size - len) {
			if (size)
				out[0] = '\0';
			return -ENOSPC;
		}
		len += (size_t)w;
	}
	return (int)n;
}

ECRYPTFS_EXPORT int ecryptfs_cipher_info(uint8_t code, struct ecryptfs_cipher_info *out)
{
	const struct cipher_row *r = row_by_code(code);

	if (!r)
		return -ENOENT;
	*out = r->info;
	return 0;
}

int ecryptfs_cipher_gcry_algo(uint8_t code, size_t key_bytes)
{
	const struct cipher_row *r = row_by_code(code);

	if (!r)
		return -ENOENT;
	if (!r->info.supported)
		return -ENOTSUP;
	if (code == ECRYPTFS_CIPHER_TWOFISH)
		return key_bytes == 16 ? r->gcry_algo[0] : r->gcry_algo[1];
	return r->gcry_algo[0];
}

int ecryptfs_fek_check_size(uint8_t cipher_code, size_t key_bytes)
{
	struct ecryptfs_cipher_info ci;
	int rc;

	if (ecryptfs_cipher_info(cipher_code, &ci) < 0)
		return -ENOPKG;
	/* The name lookup carries the kernel's rules (AES code by size, twofish 16/32). */
	rc = ecryptfs_cipher_code(ci.name, key_bytes);
	if (rc < 0)
		return rc == -ENOENT ? -ENOPKG : rc;
	return rc == cipher_code ? 0 : -EINVAL;
}

int ecryptfs_fek_gcry_algo(uint8_t cipher_code, size_t key_bytes)
{
	if (cipher_code == ECRYPTFS_CIPHER_AES_128 || cipher_code == ECRYPTFS_CIPHER_AES_192 ||
	    cipher_code == ECRYPTFS_CIPHER_AES_256) {
		switch (key_bytes) {
		case 16:
			return ecryptfs_cipher_gcry_algo(ECRYPTFS_CIPHER_AES_128, 16);
		case 24:
			return ecryptfs_cipher_gcry_algo(ECRYPTFS_CIPHER_AES_192, 24);
		case 32:
			return ecryptfs_cipher_gcry_algo(ECRYPTFS_CIPHER_AES_256, 32);
		default:
			return -EINVAL;
		}
	}
	return ecryptfs_cipher_gcry_algo(cipher_code, key_bytes);
}
