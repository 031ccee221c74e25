/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mount's keys: the passphrase keys of every ecryptfs_sig= from the
 * user keyring, as the kernel takes them at mount, or the key module keys
 * there (opened once, here), and the policy new files
 * get (options.c resolved it from the option string).  Keys are copied into
 * libecryptfs's key set (secure memory); the keyring stays the fallback for
 * files written under other keys unless ecryptfs_mount_auth_tok_only.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "efs.h"

/* Add the key sig_hex from @u to ks: 0, or a negative errno with err set. */
static int load_one(struct ecryptfs_keyset *ks, const char *sig_hex, char *err, size_t errlen)
{
	struct ecryptfs_pass_key *key = ecryptfs_pass_key_new();
	int r;

	if (!key) {
		snprintf(err, errlen, "secure memory: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	r = ecryptfs_keyring_get(sig_hex, key);
	if (r == 0)
		r = ecryptfs_keyset_add_pass_key(ks, key);
	ecryptfs_pass_key_free(key);
	if (r == -EINVAL) {
		/*
		 * Not a passphrase token: a key module's (key=openssl:...), whose
		 * module runs here, in the daemon, for the tag 1 packets (no
		 * ecryptfsd on this path).
		 */
		char why[400] = "";

		r = ecryptfs_keyset_add_keyring_module_key(ks, sig_hex, why, sizeof(why));
		if (r < 0) {
			snprintf(err, errlen, "ecryptfs_sig=%s: %s", sig_hex,
				 why[0] ? why : strerror(-r));
			return r;
		}
		return 0;
	}
	if (r < 0)
		snprintf(err, errlen, "ecryptfs_sig=%s: %s", sig_hex,
			 r == -ENOKEY ? "key not found in the user keyring" : strerror(-r));
	return r;
}

int efs_keys_load(struct efs_fs *fs, char *err, size_t errlen)
{
	const struct ecryptfs_mount_opts *o = &fs->opts.mount;
	struct efs_keys *k = calloc(1, sizeof(*k));
	int r;

	if (!k)
		return -ENOMEM;
	fs->keys = k;
	k->policy = o->policy;
	if (k->policy.n_sigs == 0) {
		snprintf(err, errlen, "no ecryptfs_sig= given: the mount needs a key");
		return -EINVAL;
	}
	r = ecryptfs_keyset_new(&k->ks);
	if (r < 0) {
		snprintf(err, errlen, "key set: %s", strerror(-r));
		return r;
	}
	for (size_t i = 0; i < k->policy.n_sigs; i++) {
		char hex[ECRYPTFS_SIG_HEX_SIZE + 1];

		ecryptfs_sig_to_hex(k->policy.sigs[i], hex);
		r = load_one(k->ks, hex, err, errlen);
		if (r < 0)
			return r;
	}
	/* The kernel also looks file keys up by sig unless told not to. */
	ecryptfs_keyset_use_keyring(k->ks, !o->mount_auth_tok_only);
	r = ecryptfs_policy_check(&k->policy);
	if (r < 0) {
		snprintf(err, errlen, "ecryptfs_cipher=%s,ecryptfs_key_bytes=%zu: %s",
			 o->cipher[0] ? o->cipher : "aes", o->key_bytes,
			 "not a usable cipher and key size");
		return r;
	}
	return 0;
}

void efs_keys_free(struct efs_fs *fs)
{
	if (!fs->keys)
		return;
	ecryptfs_keyset_free(fs->keys->ks);
	free(fs->keys);
	fs->keys = NULL;
}
