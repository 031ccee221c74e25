/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test key modules for tests/libecryptfs/t-keymod.c, built from this one
 * file: "toy" (a working module whose "keys" are names: the signature is
 * a hash of the name, wrapping an XOR with it behind a magic prefix, so a
 * blob wrapped under another name is refused) and, with TOY_BAD_ABI, a
 * module of an interface version nobody knows.  No crypto worth the name:
 * the tests check the plumbing, the openssl module the crypto.
 *
 * Two knobs for the daemon's tests (tests/daemon/t-request.c), off unless
 * set: TOY_DEVICE names a file that stands for the keys' device, as a
 * token is the pkcs11 module's: absent, the device is gone; its content
 * changed, it was reset and the keys opened before are dead; -ENODEV
 * either way, as the pkcs11 module says.  TOY_REFUSE names a key whose
 * open is refused (-EKEYREJECTED), as a wrong PIN is.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "ecryptfs_key_mod.h"

#define EXPORT __attribute__((visibility("default")))
#define WRAPPED 256
/* Each build of this file uses one set of the functions below. */
#define MAYBE __attribute__((unused))

MAYBE static const struct ecryptfs_key_mod_param params[] = {
	{ "toy_keyname", "keyname", "Key name", NULL, ECRYPTFS_KEY_MOD_MOUNT },
	{ "toy_secret", "secret", "Secret", NULL, ECRYPTFS_KEY_MOD_MOUNT | ECRYPTFS_KEY_MOD_SECRET },
};

struct key {
	char name[64];
	char gen[16];	/* TOY_DEVICE's content at open */
};

/* TOY_DEVICE's content into gen ("" when unset); -ENODEV when absent. */
MAYBE static int device(char gen[16])
{
	const char *p = getenv("TOY_DEVICE");
	FILE *f;

	memset(gen, 0, 16);
	if (!p)
		return 0;
	f = fopen(p, "r");
	if (!f)
		return -ENODEV;
	if (!fgets(gen, 16, f))
		gen[0] = '\0';
	fclose(f);
	return 0;
}

/* The device k was opened on is still there, unchanged. */
MAYBE static int device_same(const struct key *k, char *err, size_t errlen)
{
	char g[16];

	if (device(g) < 0 || strcmp(g, k->gen) != 0) {
		snprintf(err, errlen, "the device is gone");
		return -ENODEV;
	}
	return 0;
}

MAYBE static int make_blob(const struct ecryptfs_key_mod_value *v, size_t n, uint8_t *blob,
		     size_t *len, char *need, char *err, size_t errlen)
{
	const char *name = NULL, *secret = NULL;

	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v[i].name, "toy_keyname") || !strcmp(v[i].name, "keyname"))
			name = v[i].value;
		if (!strcmp(v[i].name, "toy_secret") || !strcmp(v[i].name, "secret"))
			secret = v[i].value;
	}
	if (!name) {
		snprintf(need, 64, "toy_keyname");
		snprintf(err, errlen, "no key name");
		return -ENODATA;
	}
	if (!secret) {
		snprintf(need, 64, "toy_secret");
		snprintf(err, errlen, "no secret");
		return -ENODATA;
	}
	if (strcmp(secret, "open sesame") != 0) {
		snprintf(err, errlen, "wrong secret");
		return -EKEYREJECTED;
	}
	if (strlen(name) + 1 > *len || strlen(name) >= 64)
		return -E2BIG;
	*len = strlen(name) + 1;
	memcpy(blob, name, *len);
	return 0;
}

MAYBE static int key_open(const uint8_t *blob, size_t len, void **out, char *err, size_t errlen)
{
	struct key *k;

	if (len < 2 || len > 64 || blob[len - 1] != '\0') {
		snprintf(err, errlen, "not a toy blob");
		return -EINVAL;
	}
	if (getenv("TOY_REFUSE") && !strcmp(getenv("TOY_REFUSE"), (const char *)blob)) {
		snprintf(err, errlen, "wrong secret");
		return -EKEYREJECTED;
	}
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	memcpy(k->name, blob, len);
	if (device(k->gen) < 0) {
		free(k);
		snprintf(err, errlen, "no device");
		return -ENODEV;
	}
	*out = k;
	return 0;
}

MAYBE static void key_close(void *k)
{
	free(k);
}

MAYBE static int key_sig(void *k, char sig[17])
{
	const struct key *key = k;
	unsigned long long h = 0xcbf29ce484222325ull;

	for (const char *p = key->name; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	snprintf(sig, 17, "%016llx", h);
	return 0;
}

MAYBE static int encrypt(void *k, const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len,
		   char *err, size_t errlen)
{
	const struct key *key = k;
	size_t kl = strlen(key->name);

	if (device_same(key, err, errlen) < 0)
		return -ENODEV;
	if (*out_len < WRAPPED || in_len > WRAPPED - 1 - kl) {
		snprintf(err, errlen, "too long");
		return -E2BIG;
	}
	memset(out, 0, WRAPPED);
	memcpy(out, key->name, kl);	/* the "magic": who wrapped it */
	out[kl] = (uint8_t)in_len;
	for (size_t i = 0; i < in_len; i++)
		out[kl + 1 + i] = in[i] ^ (uint8_t)key->name[i % kl];
	*out_len = WRAPPED;
	return 0;
}

MAYBE static int decrypt(void *k, const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len,
		   char *err, size_t errlen)
{
	const struct key *key = k;
	size_t kl = strlen(key->name), n;

	if (device_same(key, err, errlen) < 0)
		return -ENODEV;
	if (in_len != WRAPPED || memcmp(in, key->name, kl) != 0) {
		snprintf(err, errlen, "not wrapped by toy key %s", key->name);
		return -EKEYREJECTED;
	}
	n = in[kl];
	if (n > *out_len || n > WRAPPED - 1 - kl)
		return -EKEYREJECTED;
	for (size_t i = 0; i < n; i++)
		out[i] = in[kl + 1 + i] ^ (uint8_t)key->name[i % kl];
	*out_len = n;
	return 0;
}

/* "toypass": a passphrase-type module; KEK byte i = word[i % len] ^ i, salt 0x11s. */
MAYBE static int derive(const struct ecryptfs_key_mod_value *v, size_t n, uint8_t kek[64],
		  uint8_t salt[8], char *need, char *err, size_t errlen)
{
	const char *w = NULL;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, "toy_word") || !strcmp(v[i].name, "word"))
			w = v[i].value;
	if (!w || !*w) {
		snprintf(need, 64, "toy_word");
		snprintf(err, errlen, "no word");
		return -ENODATA;
	}
	for (size_t i = 0; i < 64; i++)
		kek[i] = (uint8_t)(w[i % strlen(w)] ^ i);
	memset(salt, 0x11, 8);
	return 0;
}

MAYBE static const struct ecryptfs_key_mod_param word_params[] = {
	{ "toy_word", "word", "Word", NULL, ECRYPTFS_KEY_MOD_MOUNT },
};

static const struct ecryptfs_key_mod_ops ops = {
#ifdef TOY_DERIVE
	.abi_version = ECRYPTFS_KEY_MOD_ABI,
	.alias = "toypass",
	.description = "test module of passphrase-type keys",
	.params = word_params,
	.n_params = 1,
	.derive = derive,
};
#else
#ifdef TOY_BAD_ABI
	.abi_version = 99,
	.alias = "badabi",
#else
	.abi_version = ECRYPTFS_KEY_MOD_ABI,
	.alias = "toy",
#endif
	.description = "test module",
	.params = params,
	.n_params = 2,
	.make_blob = make_blob,
	.open = key_open,
	.close = key_close,
	.sig = key_sig,
	.encrypt = encrypt,
	.decrypt = decrypt,
};
#endif

EXPORT const struct ecryptfs_key_mod_ops *ecryptfs_key_mod_ops_v1(void)
{
	return &ops;
}
