/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The keys a caller holds, found by signature the way the kernel finds auth
 * tokens: first the caller's own list, then (if asked) the user keyring.
 * Public-key tokens are reached only through a key module's hook, so the
 * format layer never needs to know what a module does with them.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libecryptfs.h"
#include "internal.h"

struct ecryptfs_keyset {
	struct ecryptfs_pass_key **keys;	/* each in secure memory */
	size_t n, cap;
	bool use_keyring;
	const struct ecryptfs_pubkey_ops *pk_ops;
	void *pk_ctx;
};

ECRYPTFS_EXPORT int ecryptfs_keyset_new(struct ecryptfs_keyset **out)
{
	struct ecryptfs_keyset *ks;

	if (!out)
		return -EINVAL;
	ks = calloc(1, sizeof(*ks));
	if (!ks)
		return -ENOMEM;
	*out = ks;
	return 0;
}

ECRYPTFS_EXPORT void ecryptfs_keyset_free(struct ecryptfs_keyset *ks)
{
	if (!ks)
		return;
	for (size_t i = 0; i < ks->n; i++)
		ecryptfs_secure_free(ks->keys[i]);
	if (ks->pk_ops && ks->pk_ops->release)
		ks->pk_ops->release(ks->pk_ctx);
	free(ks->keys);
	free(ks);
}

ECRYPTFS_EXPORT int ecryptfs_keyset_add_pass_key(struct ecryptfs_keyset *ks,
						 const struct ecryptfs_pass_key *key)
{
	struct ecryptfs_pass_key *copy;
	int rc = 0;

	if (!ks || !key)
		return -EINVAL;
	for (size_t i = 0; i < ks->n; i++) {
		if (memcmp(ks->keys[i]->sig, key->sig, ECRYPTFS_SIG_SIZE) == 0) {
			memcpy(ks->keys[i], key, sizeof(*key));
			goto out;
		}
	}
	if (ks->n == ks->cap) {
		size_t cap = ks->cap ? 2 * ks->cap : 4;
		struct ecryptfs_pass_key **v = realloc(ks->keys, cap * sizeof(*v));

		if (!v) {
			rc = -ENOMEM;
			goto out;
		}
		ks->keys = v;
		ks->cap = cap;
	}
	copy = ecryptfs_secure_alloc(sizeof(*copy));
	if (!copy) {
		rc = -ENOMEM;
		goto out;
	}
	memcpy(copy, key, sizeof(*copy));
	ks->keys[ks->n++] = copy;
out:
	return rc;
}

ECRYPTFS_EXPORT void ecryptfs_keyset_use_keyring(struct ecryptfs_keyset *ks, bool on)
{
	if (ks)
		ks->use_keyring = on;
}

void ecryptfs_keyset_set_pubkey_ops(struct ecryptfs_keyset *ks,
				    const struct ecryptfs_pubkey_ops *ops,
				    void *ctx)
{
	if (!ks)
		return;
	ks->pk_ops = ops;
	ks->pk_ctx = ctx;
}

const struct ecryptfs_pubkey_ops *ecryptfs_keyset_pubkey_hook(struct ecryptfs_keyset *ks,
							      void **ctx)
{
	*ctx = ks ? ks->pk_ctx : NULL;
	return ks ? ks->pk_ops : NULL;
}

ECRYPTFS_EXPORT int ecryptfs_keyset_get_pass_key(struct ecryptfs_keyset *ks,
						 const uint8_t sig[ECRYPTFS_SIG_SIZE],
						 struct ecryptfs_pass_key *out)
{
	char hex[ECRYPTFS_SIG_HEX_SIZE + 1];
	int rc = -ENOKEY;

	if (!ks || !sig || !out)
		return -EINVAL;
	for (size_t i = 0; i < ks->n; i++) {
		if (memcmp(ks->keys[i]->sig, sig, ECRYPTFS_SIG_SIZE) == 0) {
			memcpy(out, ks->keys[i], sizeof(*out));
			rc = 0;
			goto out;
		}
	}
	if (!ks->use_keyring)
		goto out;
	ecryptfs_sig_to_hex(sig, hex);
	rc = ecryptfs_keyring_get(hex, out);
	/* A token of another kind under that name is not a key we can use. */
	if (rc < 0 && rc != -ENOMEM)
		rc = -ENOKEY;
	else if (rc == 0 && memcmp(out->sig, sig, ECRYPTFS_SIG_SIZE) != 0)
		rc = -ENOKEY;
out:
	return rc;
}

int ecryptfs_keyset_pubkey_encrypt(struct ecryptfs_keyset *ks,
				   const uint8_t sig[ECRYPTFS_SIG_SIZE],
				   const uint8_t *payload, size_t len,
				   uint8_t *out, size_t *out_len)
{
	if (!ks || !ks->pk_ops || !ks->pk_ops->encrypt)
		return -ENOKEY;
	return ks->pk_ops->encrypt(ks->pk_ctx, sig, payload, len, out, out_len);
}

int ecryptfs_keyset_pubkey_decrypt(struct ecryptfs_keyset *ks,
				   const uint8_t sig[ECRYPTFS_SIG_SIZE],
				   const uint8_t *blob, size_t len,
				   uint8_t *out, size_t *out_len)
{
	if (!ks || !ks->pk_ops || !ks->pk_ops->decrypt)
		return -ENOKEY;
	return ks->pk_ops->decrypt(ks->pk_ctx, sig, blob, len, out, out_len);
}
