/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Wrapped passphrase v3, ours (doc/wrapped-passphrase.5).  v2's KDF is
 * 65536 x SHA-512 (fast on GPUs) and its only check is a 64-bit sig with no
 * integrity; v3 uses Argon2id and AES-256-GCM, and tells three failures apart:
 *   corrupted file       SHA-256 of the file does not match   -EBADMSG
 *   wrong passphrase     key-check value does not match       -EKEYREJECTED
 *   forged/tampered      GCM tag does not verify              -EBADMSG
 * Layout (integers big-endian):
 *     0  1  ':'           1  1  0x03
 *     2  4  Argon2 time   6  4  Argon2 memory (KiB)   10  4  Argon2 lanes
 *    14 16  salt         30 12  GCM nonce             42 16  key-check value
 *    58 64  ciphertext of the passphrase NUL-padded to 64 bytes
 *   122 16  GCM tag (AAD: bytes 0..57)
 *   138 32  SHA-256 of bytes 0..137
 * Argon2id(passphrase, salt) gives 48 bytes: the AES-256 key, then the
 * key-check value.  The ciphertext is always 64 bytes so the file does not
 * tell the passphrase's length.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <gcrypt.h>

#include "libecryptfs.h"
#include "bigendian.h"
#include "internal.h"

#define OFF_TIME 2
#define OFF_MEMORY 6
#define OFF_LANES 10
#define OFF_SALT 14
#define OFF_NONCE (OFF_SALT + ECRYPTFS_V3_SALT_BYTES)
#define OFF_KCV (OFF_NONCE + ECRYPTFS_V3_NONCE_BYTES)
#define OFF_CT ECRYPTFS_V3_HEADER_BYTES
#define OFF_TAG (OFF_CT + ECRYPTFS_V3_CT_BYTES)
#define OFF_SUM (OFF_TAG + ECRYPTFS_V3_TAG_BYTES)
#define AES_KEY_BYTES 32
#define DERIVED_BYTES (AES_KEY_BYTES + ECRYPTFS_V3_KCV_BYTES)

/* Bounds on what a file may ask of us: enough for any sane setting, and no
 * file can make a login allocate more than 4 GiB or spin for minutes. */
#define MAX_TIME 64
#define MAX_LANES 64
#define MAX_MEMORY_KIB (4u * 1024 * 1024)

_Static_assert(OFF_KCV + ECRYPTFS_V3_KCV_BYTES == ECRYPTFS_V3_HEADER_BYTES, "v3 header");
_Static_assert(OFF_SUM + ECRYPTFS_V3_SUM_BYTES == ECRYPTFS_V3_FILE_BYTES, "v3 size");
_Static_assert(ECRYPTFS_V3_FILE_BYTES <= ECRYPTFS_WRAPPED_MAX_BYTES, "v3 fits");

static bool costs_ok(uint32_t t, uint32_t m, uint32_t p)
{
	/* Argon2 itself needs at least 8 KiB per lane. */
	return t >= 1 && t <= MAX_TIME && p >= 1 && p <= MAX_LANES &&
	       m >= 8 * p && m <= MAX_MEMORY_KIB;
}

int ecryptfs_wrapped_v3_parse(const uint8_t *buf, size_t len, struct ecryptfs_wrapped_fields *f)
{
	uint8_t sum[ECRYPTFS_V3_SUM_BYTES];
	int rc;

	memset(f, 0, sizeof(*f));
	if (len != ECRYPTFS_V3_FILE_BYTES || buf[0] != ':' || buf[1] != ECRYPTFS_WRAP_V3) {
		ecryptfs_log(ECRYPTFS_LOG_ERR, "wrapped passphrase v3: %zu bytes, not %d",
			     len, ECRYPTFS_V3_FILE_BYTES);
		return -EBADMSG;
	}
	/* The checksum is libgcrypt's first use on the ecryptfs_wrapped_version path. */
	rc = ecryptfs_init();
	if (rc < 0)
		return rc;
	gcry_md_hash_buffer(GCRY_MD_SHA256, sum, buf, OFF_SUM);
	if (memcmp(sum, buf + OFF_SUM, sizeof(sum)) != 0) {
		ecryptfs_log(ECRYPTFS_LOG_ERR, "wrapped passphrase v3: the SHA-256 checksum does "
			     "not match: the file is damaged");
		return -EBADMSG;
	}
	f->version = ECRYPTFS_WRAP_V3;
	f->argon2_time = ecryptfs_get_be32(buf + OFF_TIME);
	f->argon2_memory_kib = ecryptfs_get_be32(buf + OFF_MEMORY);
	f->argon2_lanes = ecryptfs_get_be32(buf + OFF_LANES);
	/* Intact but not something we would write: refuse before any KDF. */
	if (!costs_ok(f->argon2_time, f->argon2_memory_kib, f->argon2_lanes)) {
		ecryptfs_log(ECRYPTFS_LOG_ERR, "wrapped passphrase v3: Argon2 costs out of "
			     "bounds (time %u, memory %u KiB, lanes %u)", f->argon2_time,
			     f->argon2_memory_kib, f->argon2_lanes);
		return -EBADMSG;
	}
	f->salt = buf + OFF_SALT;
	f->nonce = buf + OFF_NONCE;
	f->kcv = buf + OFF_KCV;
	f->ct = buf + OFF_CT;
	f->ct_len = ECRYPTFS_V3_CT_BYTES;
	f->tag = buf + OFF_TAG;
	f->header_len = ECRYPTFS_V3_HEADER_BYTES;
	return 0;
}

static int argon2id(const char *pw, size_t pw_len, const uint8_t *salt, uint32_t t,
		    uint32_t m, uint32_t p, uint8_t out[DERIVED_BYTES])
{
	const unsigned long param[4] = { DERIVED_BYTES, t, m, p };
	gcry_kdf_hd_t hd = NULL;
	gcry_error_t err;
	int rc;

	err = gcry_kdf_open(&hd, GCRY_KDF_ARGON2, GCRY_KDF_ARGON2ID, param, 4, pw, pw_len,
			    salt, ECRYPTFS_V3_SALT_BYTES, NULL, 0, NULL, 0);
	if (err) {
		hd = NULL;
		rc = gcry_err_code(err) == GPG_ERR_ENOMEM ? -ENOMEM : -EINVAL;
		goto out;
	}
	err = gcry_kdf_compute(hd, NULL);
	if (!err)
		err = gcry_kdf_final(hd, DERIVED_BYTES, out);
	if (err) {
		rc = gcry_err_code(err) == GPG_ERR_ENOMEM ? -ENOMEM : -EIO;
		goto out;
	}
	rc = 0;
out:
	if (hd)
		gcry_kdf_close(hd);
	return rc;
}

static int gcm_open(const uint8_t *key, const uint8_t *nonce, const uint8_t *aad,
		    gcry_cipher_hd_t *h)
{
	gcry_error_t err;

	if (gcry_cipher_open(h, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_GCM, GCRY_CIPHER_SECURE)) {
		*h = NULL;
		return -ENOMEM;
	}
	err = gcry_cipher_setkey(*h, key, AES_KEY_BYTES);
	if (!err)
		err = gcry_cipher_setiv(*h, nonce, ECRYPTFS_V3_NONCE_BYTES);
	if (!err)
		err = gcry_cipher_authenticate(*h, aad, ECRYPTFS_V3_HEADER_BYTES);
	return err ? -EIO : 0;
}

/* Constant time, so that a timing oracle cannot guess the check value. */
static bool same(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t d = 0;

	for (size_t i = 0; i < n; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

/* What both directions hold: the derived key and a plaintext (secure), GCM. */
struct v3_work {
	uint8_t *key;	/* DERIVED_BYTES: the AES key, then the key-check value */
	uint8_t *pt;	/* ECRYPTFS_V3_CT_BYTES */
	gcry_cipher_hd_t h;
};

static int work_derive(struct v3_work *w, const char *pw, size_t pw_len, const uint8_t *salt,
		       uint32_t t, uint32_t m, uint32_t p)
{
	w->key = ecryptfs_secure_alloc(DERIVED_BYTES);
	w->pt = ecryptfs_secure_alloc(ECRYPTFS_V3_CT_BYTES);
	if (!w->key || !w->pt)
		return -ENOMEM;
	return argon2id(pw, pw_len, salt, t, m, p, w->key);
}

static void work_free(struct v3_work *w)
{
	if (w->h)
		gcry_cipher_close(w->h);
	ecryptfs_secure_free(w->key);
	ecryptfs_secure_free(w->pt);
}

int ecryptfs_unwrap_v3(const struct ecryptfs_wrapped_fields *f, const uint8_t *buf,
		       const char *wrapping_pw, size_t wrapping_len,
		       char *pass, size_t *pass_len)
{
	struct v3_work w = { NULL, NULL, NULL };
	int rc;

	rc = work_derive(&w, wrapping_pw, wrapping_len, f->salt, f->argon2_time,
			 f->argon2_memory_kib, f->argon2_lanes);
	if (rc < 0)
		goto out;
	if (!same(w.key + AES_KEY_BYTES, f->kcv, ECRYPTFS_V3_KCV_BYTES)) {
		ecryptfs_log(ECRYPTFS_LOG_ERR, "wrapped passphrase v3: the key-check value "
			     "does not match: a wrong wrapping passphrase");
		rc = -EKEYREJECTED;
		goto out;
	}
	rc = gcm_open(w.key, f->nonce, buf, &w.h);
	if (rc < 0)
		goto out;
	if (gcry_cipher_decrypt(w.h, w.pt, ECRYPTFS_V3_CT_BYTES, f->ct, ECRYPTFS_V3_CT_BYTES) ||
	    gcry_cipher_checktag(w.h, f->tag, ECRYPTFS_V3_TAG_BYTES)) {
		/* Intact checksum and the right key but a bad tag: forged. */
		ecryptfs_log(ECRYPTFS_LOG_ERR, "wrapped passphrase v3: the right wrapping "
			     "passphrase, but the GCM tag does not verify: the file was altered");
		rc = -EBADMSG;
		goto out;
	}
	rc = ecryptfs_wrapped_pass_out(w.pt, ECRYPTFS_V3_CT_BYTES, pass, pass_len);
out:
	work_free(&w);
	return rc;
}

int ecryptfs_wrap_v3(const char *pass, size_t pass_len, const char *wrapping_pw,
		     size_t wrapping_len, const struct ecryptfs_wrap_params *params,
		     uint8_t *out, size_t *out_len)
{
	uint32_t t = params->argon2_time ? params->argon2_time : ECRYPTFS_V3_DEFAULT_TIME;
	uint32_t m = params->argon2_memory_kib ? params->argon2_memory_kib :
						 ECRYPTFS_V3_DEFAULT_MEMORY_KIB;
	uint32_t p = params->argon2_lanes ? params->argon2_lanes : ECRYPTFS_V3_DEFAULT_LANES;
	struct v3_work w = { NULL, NULL, NULL };
	int rc;

	if (!costs_ok(t, m, p) || pass_len > ECRYPTFS_V3_CT_BYTES) {
		rc = -EINVAL;
		goto out;
	}
	memset(out, 0, ECRYPTFS_V3_FILE_BYTES);
	out[0] = ':';
	out[1] = ECRYPTFS_WRAP_V3;
	ecryptfs_put_be32(out + OFF_TIME, t);
	ecryptfs_put_be32(out + OFF_MEMORY, m);
	ecryptfs_put_be32(out + OFF_LANES, p);
	gcry_randomize(out + OFF_SALT, ECRYPTFS_V3_SALT_BYTES, GCRY_STRONG_RANDOM);
	/* A fresh key per file (random salt), so a random nonce never repeats
	 * under one key. */
	gcry_create_nonce(out + OFF_NONCE, ECRYPTFS_V3_NONCE_BYTES);
	rc = work_derive(&w, wrapping_pw, wrapping_len, out + OFF_SALT, t, m, p);
	if (rc < 0)
		goto out;
	/* Part of the AAD, so in place before gcm_open authenticates it. */
	memcpy(out + OFF_KCV, w.key + AES_KEY_BYTES, ECRYPTFS_V3_KCV_BYTES);
	memcpy(w.pt, pass, pass_len);
	rc = gcm_open(w.key, out + OFF_NONCE, out, &w.h);
	if (rc < 0)
		goto out;
	if (gcry_cipher_encrypt(w.h, out + OFF_CT, ECRYPTFS_V3_CT_BYTES, w.pt,
				ECRYPTFS_V3_CT_BYTES) ||
	    gcry_cipher_gettag(w.h, out + OFF_TAG, ECRYPTFS_V3_TAG_BYTES)) {
		rc = -EIO;
		goto out;
	}
	gcry_md_hash_buffer(GCRY_MD_SHA256, out + OFF_SUM, out, OFF_SUM);
	*out_len = ECRYPTFS_V3_FILE_BYTES;
	rc = 0;
out:
	work_free(&w);
	return rc;
}
