/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Passphrase -> key encryption key and signature, as ecryptfs-utils'
 * generate_passphrase_sig() computes them.  Every token in every keyring and
 * every wrapped-passphrase file depends on this being bit-exact.
 * Also what a passphrase may be, and how one is read back out of the
 * NUL-padded plaintext of every wrapped-passphrase version.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <gcrypt.h>

#include "libecryptfs.h"
#include "internal.h"

#define SHA512_BYTES 64

ECRYPTFS_EXPORT struct ecryptfs_pass_key *ecryptfs_pass_key_new(void)
{
	return ecryptfs_secure_alloc(sizeof(struct ecryptfs_pass_key));
}

ECRYPTFS_EXPORT void ecryptfs_pass_key_free(struct ecryptfs_pass_key *key)
{
	if (key)
		ecryptfs_wipe(key, sizeof(*key));
	ecryptfs_secure_free(key);
}

int ecryptfs_check_passphrase(const char *pass, size_t pass_len)
{
	if (!pass || pass_len == 0 || pass_len > ECRYPTFS_MAX_PASSPHRASE_BYTES)
		return -EINVAL;
	/* The reference handles C strings: a NUL would silently cut the key. */
	if (memchr(pass, '\0', pass_len))
		return -EINVAL;
	return 0;
}

int ecryptfs_wrapped_pass_out(const uint8_t *pt, size_t cap, char *pass, size_t *pass_len)
{
	size_t n = strnlen((const char *)pt, cap);

	/* The right wrapping key and no passphrase: damaged ciphertext. */
	if (n == 0) {
		ecryptfs_log(ECRYPTFS_LOG_ERR, "wrapped passphrase: the right wrapping "
			     "passphrase, but the ciphertext decrypts to an empty passphrase");
		return -EBADMSG;
	}
	memcpy(pass, pt, n);
	pass[n] = '\0';
	*pass_len = n;
	return 0;
}

ECRYPTFS_EXPORT int ecryptfs_derive_pass_key(const char *pass, size_t pass_len,
					     const uint8_t salt[ECRYPTFS_SALT_SIZE],
					     struct ecryptfs_pass_key *out)
{
	gcry_md_hd_t md = NULL;
	uint8_t *h = NULL;
	int rc;

	rc = ecryptfs_check_passphrase(pass, pass_len);
	if (rc < 0 || !salt || !out) {
		rc = -EINVAL;
		goto out;
	}
	rc = ecryptfs_init();
	if (rc < 0)
		goto out;
	h = ecryptfs_secure_alloc(SHA512_BYTES);
	if (!h) {
		rc = -ENOMEM;
		goto out;
	}
	/* One secure handle reused for all rounds: opening one per round is
	 * what makes naive implementations slow. */
	if (gcry_md_open(&md, GCRY_MD_SHA512, GCRY_MD_FLAG_SECURE)) {
		rc = -ENOMEM;
		goto out;
	}
	gcry_md_write(md, salt, ECRYPTFS_SALT_SIZE);
	gcry_md_write(md, pass, pass_len);
	memcpy(h, gcry_md_read(md, GCRY_MD_SHA512), SHA512_BYTES);
	for (unsigned i = 1; i < ECRYPTFS_KDF_ITERATIONS; i++) {
		gcry_md_reset(md);
		gcry_md_write(md, h, SHA512_BYTES);
		memcpy(h, gcry_md_read(md, GCRY_MD_SHA512), SHA512_BYTES);
	}
	memcpy(out->kek, h, SHA512_BYTES);
	memcpy(out->salt, salt, ECRYPTFS_SALT_SIZE);
	gcry_md_reset(md);
	gcry_md_write(md, out->kek, SHA512_BYTES);
	memcpy(out->sig, gcry_md_read(md, GCRY_MD_SHA512), ECRYPTFS_SIG_SIZE);
	ecryptfs_sig_to_hex(out->sig, out->sig_hex);
	rc = 0;
out:
	if (md)
		gcry_md_close(md);
	ecryptfs_secure_free(h);
	return rc;
}
