/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mount-wide policy: what a new file gets (cipher, key size, the keys
 * that wrap its FEK) and how existing lower files are treated.  The kernel
 * keeps the same facts in its mount_crypt_stat.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "libecryptfs.h"
#include "internal.h"

ECRYPTFS_EXPORT int ecryptfs_policy_init(struct ecryptfs_policy *p, const char *cipher,
					 size_t key_bytes)
{
	int code;

	if (!p)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	code = ecryptfs_cipher_code(cipher, key_bytes);
	if (code < 0)
		return code;
	p->cipher_code = (uint8_t)code;
	p->key_bytes = key_bytes;
	p->fn_cipher_code = (uint8_t)code;
	p->fn_key_bytes = key_bytes;
	return 0;
}

ECRYPTFS_EXPORT int ecryptfs_policy_add_sig(struct ecryptfs_policy *p,
					    const uint8_t sig[ECRYPTFS_SIG_SIZE])
{
	if (!p || !sig)
		return -EINVAL;
	for (size_t i = 0; i < p->n_sigs; i++)
		if (memcmp(p->sigs[i], sig, ECRYPTFS_SIG_SIZE) == 0)
			return 0;
	if (p->n_sigs >= ECRYPTFS_POLICY_MAX_KEYS)
		return -E2BIG;
	memcpy(p->sigs[p->n_sigs++], sig, ECRYPTFS_SIG_SIZE);
	return 0;
}

ECRYPTFS_EXPORT int ecryptfs_policy_check(const struct ecryptfs_policy *p)
{
	int rc;

	if (!p)
		return -EINVAL;
	rc = ecryptfs_fek_check_size(p->cipher_code, p->key_bytes);
	if (rc < 0)
		return rc;
	if (p->n_sigs == 0 || p->n_sigs > ECRYPTFS_POLICY_MAX_KEYS)
		return -EINVAL;
	/* The kernel's minimum, and whole extents so data stays aligned. */
	if (p->metadata_size && (p->metadata_size < ECRYPTFS_MIN_METADATA_SIZE ||
				 p->metadata_size % ECRYPTFS_EXTENT_SIZE ||
				 p->metadata_size / ECRYPTFS_EXTENT_SIZE > 0xffff))
		return -EINVAL;
	return 0;
}
