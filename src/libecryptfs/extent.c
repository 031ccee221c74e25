/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The extent engine (doc/format.md §5): CBC per 4096-byte extent under the
 * FEK, IVs from MD5 of the root IV and the decimal extent index.
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
#include <stdatomic.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>

#include "libecryptfs.h"
#include "internal.h"

#define IV_BYTES 16
#define INDEX_DIGITS 15		/* the kernel snprintf()s into a 16-byte slot */

struct slot {
	gcry_cipher_hd_t cipher;
	gcry_md_hd_t md;
	gcry_cipher_hd_t ecb;		/* for runs of zero extents; opened when first needed */
	struct slot *next;
};

/*
 * An optional IV cache: direct-mapped, one seqlock per entry so that any
 * number of threads read and fill it without a lock.  IVs are not secret
 * (CBC publishes them in effect, and MD5 hides the FEK behind the root IV),
 * so the cache lives in ordinary memory.  tag = index + 1, 0 = empty.
 */
struct iv_entry {
	_Atomic uint32_t seq;
	_Atomic uint64_t tag;
	_Atomic uint64_t iv[2];
};

struct ecryptfs_crypt {
	int algo;
	struct iv_entry *cache;
	size_t cache_mask;
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
	gcry_cipher_close(s->ecb);
	gcry_md_close(s->md);
	free(s);
}

/*
 * A cipher handle's key schedule is as good as the FEK (AES's first round
 * key is the key itself), so cipher handles live in secure memory too: one
 * per thread per open file, which secmem.c locks however many there are.
 * The MD5 handle only ever sees the root IV.  Closing wipes the handles.
 */
static int slot_new(const struct ecryptfs_crypt *c, struct slot **out)
{
	struct slot *s = calloc(1, sizeof(*s));
	gcry_error_t e;
	int rc = -ENOMEM;

	if (!s)
		goto out;
	rc = -EINVAL;
	if (gcry_cipher_open(&s->cipher, c->algo, GCRY_CIPHER_MODE_CBC, GCRY_CIPHER_SECURE))
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

int ecryptfs_crypt_new(const struct ecryptfs_fek *fek,
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
	c->algo = ecryptfs_fek_gcry_algo(fek->cipher_code, fek->key_bytes);
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

void ecryptfs_crypt_free(struct ecryptfs_crypt *c)
{
	if (!c)
		return;
	while (c->free_slots) {
		struct slot *s = c->free_slots;

		c->free_slots = s->next;
		slot_free(s);
	}
	ecryptfs_fek_free(c->fek);
	free(c->cache);
	pthread_mutex_destroy(&c->lock);
	ecryptfs_wipe(c->root_iv, sizeof(c->root_iv));
	free(c);
}

void ecryptfs_crypt_root_iv(const struct ecryptfs_crypt *c, uint8_t iv[16])
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

static bool cache_get(const struct ecryptfs_crypt *c, uint64_t idx, uint8_t iv[IV_BYTES])
{
	struct iv_entry *e = &c->cache[idx & c->cache_mask];
	uint32_t s1 = atomic_load_explicit(&e->seq, memory_order_acquire);
	uint64_t tag, w[2];

	if (s1 & 1)
		return false;
	tag = atomic_load_explicit(&e->tag, memory_order_relaxed);
	w[0] = atomic_load_explicit(&e->iv[0], memory_order_relaxed);
	w[1] = atomic_load_explicit(&e->iv[1], memory_order_relaxed);
	atomic_thread_fence(memory_order_acquire);
	if (atomic_load_explicit(&e->seq, memory_order_relaxed) != s1 || tag != idx + 1)
		return false;
	memcpy(iv, w, IV_BYTES);
	return true;
}

static void cache_put(struct ecryptfs_crypt *c, uint64_t idx, const uint8_t iv[IV_BYTES])
{
	struct iv_entry *e = &c->cache[idx & c->cache_mask];
	uint32_t s = atomic_load_explicit(&e->seq, memory_order_relaxed);
	uint64_t w[2];

	/* Somebody else is writing this entry: the IV is simply not cached. */
	if ((s & 1) || !atomic_compare_exchange_strong_explicit(&e->seq, &s, s + 1,
								 memory_order_acquire,
								 memory_order_relaxed))
		return;
	atomic_thread_fence(memory_order_release);
	memcpy(w, iv, IV_BYTES);
	atomic_store_explicit(&e->tag, idx + 1, memory_order_relaxed);
	atomic_store_explicit(&e->iv[0], w[0], memory_order_relaxed);
	atomic_store_explicit(&e->iv[1], w[1], memory_order_relaxed);
	atomic_store_explicit(&e->seq, s + 2, memory_order_release);
}

static void derive_iv(struct ecryptfs_crypt *c, gcry_md_hd_t md, uint64_t idx,
		      uint8_t iv[IV_BYTES])
{
	uint8_t src[2 * IV_BYTES];

	if (c->cache && cache_get(c, idx, iv))
		return;
	memcpy(src, c->root_iv, IV_BYTES);
	index_suffix(idx, src + IV_BYTES);
	gcry_md_reset(md);
	gcry_md_write(md, src, sizeof(src));
	memcpy(iv, gcry_md_read(md, GCRY_MD_MD5), IV_BYTES);
	if (c->cache)
		cache_put(c, idx, iv);
}

int ecryptfs_crypt_iv_cache(struct ecryptfs_crypt *c, size_t entries)
{
	struct iv_entry *cache = NULL;

	if (!c || (entries & (entries - 1)))
		return -EINVAL;
	if (c->cache)
		return -EBUSY;	/* threads may be reading it: set once, before use */
	if (entries == 0)
		return 0;
	cache = calloc(entries, sizeof(*cache));
	if (!cache)
		return -ENOMEM;
	c->cache_mask = entries - 1;
	c->cache = cache;
	return 0;
}

int ecryptfs_crypt_extent_iv(struct ecryptfs_crypt *c, uint64_t idx,
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

/*
 * Extents of zeros: what growing a file writes, gigabytes of them.  CBC of
 * a zero plaintext is the cipher iterated on the IV (C_0 = E(IV), C_j =
 * E(C_{j-1})), a chain that no single extent can run faster than one
 * block at a time.  But the chains of different extents are independent:
 * a run of extents advances all its chains by one block with one ECB call
 * over their current blocks, which keeps the AES pipeline as full as CBC
 * decryption keeps it, and each result goes to its place in its extent.
 */
#define ZERO_RUN 64		/* chains advanced together: 1 KiB of AES state */
#define ZERO_RUN_MIN 4		/* shorter runs are left to plain CBC */

static bool extent_is_zero(const uint8_t *p)
{
	return p[0] == 0 && memcmp(p, p + 1, ECRYPTFS_EXTENT_SIZE - 1) == 0;
}

/* Zero extents at src from extent i on, at most ZERO_RUN of them. */
static size_t zero_run(const uint8_t *src, size_t i, size_t n)
{
	size_t k = 0;

	while (i + k < n && k < ZERO_RUN && extent_is_zero(src + (i + k) * ECRYPTFS_EXTENT_SIZE))
		k++;
	return k;
}

/* 0, or -1 when the ECB handle cannot be had (then CBC does the run). */
static int ecb_handle(const struct ecryptfs_crypt *c, struct slot *s)
{
	gcry_error_t e;

	if (s->ecb)
		return 0;
	if (gcry_cipher_open(&s->ecb, c->algo, GCRY_CIPHER_MODE_ECB, GCRY_CIPHER_SECURE))
		return -1;
	e = gcry_cipher_setkey(s->ecb, c->fek->key, c->fek->key_bytes);
	if (e && gcry_err_code(e) != GPG_ERR_WEAK_KEY) {
		gcry_cipher_close(s->ecb);
		s->ecb = NULL;
		return -1;
	}
	return 0;
}

/*
 * The chains' blocks are kept for a cache line's worth of steps and then
 * stored a whole line per extent: the extents lie 4096 bytes apart, so
 * their lines share a cache set, and lines filled a block at a time would
 * be evicted and fetched again three times over.
 */
#define LINE 64

static int encrypt_zero_run(struct ecryptfs_crypt *c, struct slot *s, uint64_t first,
			    uint8_t *dst, size_t k)
{
	const unsigned b = c->block_size, steps = LINE / b;
	uint8_t state[ZERO_RUN * IV_BYTES], iv[IV_BYTES];
	uint8_t line[LINE * ZERO_RUN];		/* [step][chain] */

	for (size_t i = 0; i < k; i++) {
		derive_iv(c, s->md, first + i, iv);
		memcpy(state + i * b, iv, b);
	}
	for (size_t off = 0; off < ECRYPTFS_EXTENT_SIZE; off += LINE) {
		for (unsigned j = 0; j < steps; j++) {
			if (gcry_cipher_encrypt(s->ecb, state, k * b, NULL, 0))
				return -EIO;
			memcpy(line + j * k * b, state, k * b);
		}
		for (size_t i = 0; i < k; i++) {
			uint8_t *to = dst + i * ECRYPTFS_EXTENT_SIZE + off;

			/* Constant sizes: inline moves, not a library call per block. */
			for (unsigned j = 0; j < steps; j++) {
				if (b == 16)
					memcpy(to + j * 16, line + (j * k + i) * 16, 16);
				else
					memcpy(to + j * 8, line + (j * k + i) * 8, 8);
			}
		}
	}
	return 0;
}

static int encrypt_extents(struct ecryptfs_crypt *c, struct slot *s, uint64_t first,
			   const uint8_t *src, uint8_t *dst, size_t n)
{
	uint8_t iv[IV_BYTES];
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		const size_t off = i * ECRYPTFS_EXTENT_SIZE;
		size_t k = n - i >= ZERO_RUN_MIN ? zero_run(src, i, n) : 0;

		if (k >= ZERO_RUN_MIN && ecb_handle(c, s) == 0) {
			rc = encrypt_zero_run(c, s, first + i, dst + off, k);
			i += k - 1;
			continue;
		}

		derive_iv(c, s->md, first + i, iv);
		/* 8-byte-block ciphers take the first half of the IV. */
		gcry_cipher_setiv(s->cipher, iv, c->block_size);
		if (gcry_cipher_encrypt(s->cipher, dst + off, ECRYPTFS_EXTENT_SIZE,
					src == dst ? NULL : src + off,
					src == dst ? 0 : ECRYPTFS_EXTENT_SIZE))
			rc = -EIO;
	}
	ecryptfs_wipe(iv, sizeof(iv));
	return rc;
}

/*
 * CBC decryption of extent i as part of one long CBC stream differs from the
 * real thing only in its first block, which was XORed with the previous
 * extent's last ciphertext block instead of IV_i.  So a run of extents is
 * decrypted in one libgcrypt call (which keeps the AES pipeline full across
 * extent boundaries) and the first block of each extent is corrected.  The
 * blocks needed for the correction are saved first, as the output may
 * overwrite the input.
 */
#define DECRYPT_RUN 64

static int decrypt_extents(struct ecryptfs_crypt *c, struct slot *s, uint64_t first,
			   const uint8_t *src, uint8_t *dst, size_t n)
{
	const unsigned b = c->block_size;
	uint8_t fix[DECRYPT_RUN][IV_BYTES], iv[IV_BYTES];
	int rc = 0;

	for (size_t done = 0; done < n && rc == 0;) {
		size_t k = n - done < DECRYPT_RUN ? n - done : DECRYPT_RUN;
		const uint8_t *in = src + done * ECRYPTFS_EXTENT_SIZE;
		uint8_t *out = dst + done * ECRYPTFS_EXTENT_SIZE;

		derive_iv(c, s->md, first + done, iv);
		for (size_t i = 1; i < k; i++) {
			const uint8_t *prev_last = in + i * ECRYPTFS_EXTENT_SIZE - b;

			derive_iv(c, s->md, first + done + i, fix[i]);
			for (unsigned j = 0; j < b; j++)
				fix[i][j] ^= prev_last[j];
		}
		gcry_cipher_setiv(s->cipher, iv, b);
		if (gcry_cipher_decrypt(s->cipher, out, k * ECRYPTFS_EXTENT_SIZE,
					in == out ? NULL : in,
					in == out ? 0 : k * ECRYPTFS_EXTENT_SIZE)) {
			rc = -EIO;
			break;
		}
		for (size_t i = 1; i < k; i++)
			for (unsigned j = 0; j < b; j++)
				out[i * ECRYPTFS_EXTENT_SIZE + j] ^= fix[i][j];
		done += k;
	}
	ecryptfs_wipe(iv, sizeof(iv));
	ecryptfs_wipe(fix, sizeof(fix));
	return rc;
}

static int run(struct ecryptfs_crypt *c, bool encrypt, uint64_t first, const void *in,
	       void *out, size_t n)
{
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
	rc = encrypt ? encrypt_extents(c, s, first, in, out, n)
		     : decrypt_extents(c, s, first, in, out, n);
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
