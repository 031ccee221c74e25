/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The extent engine (FORMAT §5): CBC per 4096-byte extent under the FEK,
 * IVs from MD5 of the root IV and the decimal extent index.
 *
 * Speed comes from doing nothing per extent but the unavoidable: one MD5 of
 * 32 bytes, one setiv, one CBC call.  Cipher and hash handles are keyed once
 * and kept in a per-context pool, because libgcrypt handles are not
 * thread-safe but keying them costs more than encrypting an extent.  A
 * caller holds one handle pair for a whole batch, so the lock is taken twice
 * per call, not per extent.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>

#include "ecryptfs.h"
#include "internal.h"

#define IV_BYTES 16
#define INDEX_DIGITS 15		/* the kernel snprintf()s into a 16-byte slot */

struct slot {
	gcry_cipher_hd_t cipher;
	gcry_md_hd_t md;
	struct slot *next;
};

struct ecryptfs_crypt {
	int algo;
	unsigned block_size;
	struct ecryptfs_fek *fek;	/* secure memory: new slots are keyed from it */
	uint8_t root_iv[IV_BYTES];
	pthread_mutex_t lock;
	struct slot *free_slots;
};

static void slot_free(struct slot *s)
{
	if (!s)
		return;
	/* Both close calls wipe the handle, key schedule included. */
	gcry_cipher_close(s->cipher);
	gcry_md_close(s->md);
	free(s);
}

/*
 * Data handles are not opened in secure memory: the pool would hold one key
 * schedule per thread per open file, far more than the locked pool can take.
 * libgcrypt wipes them on close; the FEK itself stays in secure memory.
 */
static int slot_new(const struct ecryptfs_crypt *c, struct slot **out)
{
	struct slot *s = calloc(1, sizeof(*s));
	gcry_error_t e;
	int rc = -ENOMEM;

	if (!s)
		goto out;
	rc = -EINVAL;
	if (gcry_cipher_open(&s->cipher, c->algo, GCRY_CIPHER_MODE_CBC, 0))
		goto out;
	e = gcry_cipher_setkey(s->cipher, c->fek->key, c->fek->key_bytes);
	if (e && gcry_err_code(e) != GPG_ERR_WEAK_KEY)
		goto out;
	if (gcry_md_open(&s->md, GCRY_MD_MD5, 0))
		goto out;
	*out = s;
	s = NULL;
	rc = 0;
out:
	slot_free(s);
	return rc;
}

static int slot_take(struct ecryptfs_crypt *c, struct slot **out)
{
	pthread_mutex_lock(&c->lock);
	*out = c->free_slots;
	if (*out)
		c->free_slots = (*out)->next;
	pthread_mutex_unlock(&c->lock);
	if (*out)
		return 0;
	return slot_new(c, out);
}

static void slot_give(struct ecryptfs_crypt *c, struct slot *s)
{
	pthread_mutex_lock(&c->lock);
	s->next = c->free_slots;
	c->free_slots = s;
	pthread_mutex_unlock(&c->lock);
}

ECRYPTFS_EXPORT int ecryptfs_crypt_new(const struct ecryptfs_fek *fek,
				       struct ecryptfs_crypt **out)
{
	struct ecryptfs_cipher_info ci;
	struct ecryptfs_crypt *c = NULL;
	struct slot *s = NULL;
	int rc;

	if (!fek || !out || fek->key_bytes == 0 || fek->key_bytes > ECRYPTFS_MAX_KEY_BYTES)
		return -EINVAL;
	rc = ecryptfs_init();
	if (rc < 0)
		return rc;
	if (ecryptfs_cipher_info(fek->cipher_code, &ci) < 0)
		return -ENOPKG;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	pthread_mutex_init(&c->lock, NULL);
	c->block_size = ci.block_size;
	c->algo = ecryptfs_cipher_gcry_algo(fek->cipher_code, fek->key_bytes);
	if (c->algo < 0) {
		rc = c->algo;
		goto out;
	}
	c->fek = ecryptfs_fek_new();
	if (!c->fek) {
		rc = -ENOMEM;
		goto out;
	}
	memcpy(c->fek, fek, sizeof(*fek));
	gcry_md_hash_buffer(GCRY_MD_MD5, c->root_iv, fek->key, fek->key_bytes);
	/* One slot up front: it proves the key works before anyone relies on it. */
	rc = slot_new(c, &s);
	if (rc < 0)
		goto out;
	slot_give(c, s);
	*out = c;
	c = NULL;
out:
	ecryptfs_crypt_free(c);
	return rc;
}

ECRYPTFS_EXPORT void ecryptfs_crypt_free(struct ecryptfs_crypt *c)
{
	if (!c)
		return;
	while (c->free_slots) {
		struct slot *s = c->free_slots;

		c->free_slots = s->next;
		slot_free(s);
	}
	ecryptfs_fek_free(c->fek);
	pthread_mutex_destroy(&c->lock);
	ecryptfs_wipe(c->root_iv, sizeof(c->root_iv));
	free(c);
}

ECRYPTFS_EXPORT void ecryptfs_crypt_root_iv(const struct ecryptfs_crypt *c, uint8_t iv[16])
{
	memcpy(iv, c->root_iv, IV_BYTES);
}

/* The kernel's "%lld" into a zeroed 16-byte slot: at most 15 digits survive. */
static void index_suffix(uint64_t idx, uint8_t out[16])
{
	char digits[24];
	size_t n = 0;

	do {
		digits[n++] = (char)('0' + idx % 10);
		idx /= 10;
	} while (idx);
	memset(out, 0, 16);
	for (size_t i = 0; i < n && i < INDEX_DIGITS; i++)
		out[i] = (uint8_t)digits[n - 1 - i];
}

static void derive_iv(const struct ecryptfs_crypt *c, gcry_md_hd_t md, uint64_t idx,
		      uint8_t iv[IV_BYTES])
{
	uint8_t src[2 * IV_BYTES];

	memcpy(src, c->root_iv, IV_BYTES);
	index_suffix(idx, src + IV_BYTES);
	gcry_md_reset(md);
	gcry_md_write(md, src, sizeof(src));
	memcpy(iv, gcry_md_read(md, GCRY_MD_MD5), IV_BYTES);
}

ECRYPTFS_EXPORT int ecryptfs_crypt_extent_iv(struct ecryptfs_crypt *c, uint64_t idx,
					     uint8_t iv[16])
{
	struct slot *s;
	int rc;

	if (!c || !iv)
		return -EINVAL;
	rc = slot_take(c, &s);
	if (rc < 0)
		return rc;
	derive_iv(c, s->md, idx, iv);
	slot_give(c, s);
	return 0;
}

static int run(struct ecryptfs_crypt *c, bool encrypt, uint64_t first, const void *in,
	       void *out, size_t n)
{
	const uint8_t *src = in;
	uint8_t *dst = out;
	uint8_t iv[IV_BYTES];
	struct slot *s = NULL;
	int rc;

	if (!c || (n && (!in || !out)))
		return -EINVAL;
	if (n == 0)
		return 0;
	if (first + n < first)
		return -EOVERFLOW;
	rc = slot_take(c, &s);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		const size_t off = i * ECRYPTFS_EXTENT_SIZE;
		gcry_error_t e;

		derive_iv(c, s->md, first + i, iv);
		/* 8-byte-block ciphers take the first half of the IV. */
		gcry_cipher_setiv(s->cipher, iv, c->block_size);
		if (src == dst)
			e = encrypt ? gcry_cipher_encrypt(s->cipher, dst + off,
							  ECRYPTFS_EXTENT_SIZE, NULL, 0)
				    : gcry_cipher_decrypt(s->cipher, dst + off,
							  ECRYPTFS_EXTENT_SIZE, NULL, 0);
		else
			e = encrypt ? gcry_cipher_encrypt(s->cipher, dst + off,
							  ECRYPTFS_EXTENT_SIZE, src + off,
							  ECRYPTFS_EXTENT_SIZE)
				    : gcry_cipher_decrypt(s->cipher, dst + off,
							  ECRYPTFS_EXTENT_SIZE, src + off,
							  ECRYPTFS_EXTENT_SIZE);
		if (e) {
			rc = -EIO;
			goto out;
		}
	}
	rc = 0;
out:
	ecryptfs_wipe(iv, sizeof(iv));
	slot_give(c, s);
	return rc;
}

ECRYPTFS_EXPORT int ecryptfs_crypt_encrypt(struct ecryptfs_crypt *c, uint64_t first,
					   const void *in, void *out, size_t n)
{
	return run(c, true, first, in, out, n);
}

ECRYPTFS_EXPORT int ecryptfs_crypt_decrypt(struct ecryptfs_crypt *c, uint64_t first,
					   const void *in, void *out, size_t n)
{
	return run(c, false, first, in, out, n);
}
