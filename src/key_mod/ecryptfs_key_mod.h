/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs-ng key modules: the interface between a module (a shared object
 * in the key-module directory, doc/ecryptfs-key-mod.7) and its callers
 * (mount.ecryptfs, ecryptfs-fuse, ecryptfs-manager through libecryptfs).
 *
 * A module exports exactly one symbol, ECRYPTFS_KEY_MOD_ENTRY, a function
 * returning its ops table.  The loader refuses a table whose abi_version it
 * does not know, so a module built against another version of this header
 * fails with a message naming it instead of being called wrongly.
 *
 * A module key (other than a passphrase-type key, see derive) has two forms:
 *  - its blob: the bytes that name the key (for openssl: the PEM file and
 *    its passphrase), built from the user's parameters by make_blob and kept
 *    in the kernel keyring as the data of a private-key auth token, whose
 *    description is the key's signature;
 *  - an open key: what open() makes of a blob, kept by the caller for as
 *    long as it wraps and unwraps file keys (a mount), so that a key file is
 *    read and its passphrase used once, not per file.
 *
 * Rules for modules: return 0 or a negative errno; never print, never exit,
 * never prompt (a caller asks the user, see make_blob); say why something
 * failed in err (one line, no newline, never a secret); keep secrets in
 * memory that is wiped before it is freed.  Calls on one open key may come
 * from several threads at once.  Two errors mean something to callers:
 * -EKEYREJECTED, the blob's credentials (a PIN) or the key do not fit, and
 * -ENODEV, the device that holds the key is gone (a token pulled out or
 * reset, a TPM away): ecryptfsd then closes every open key of the module,
 * so that it starts afresh once the device is back (doc/ecryptfsd.8).
 */
#ifndef ECFS_SRC_KEY_MOD_ECRYPTFS_KEY_MOD_H
#define ECFS_SRC_KEY_MOD_ECRYPTFS_KEY_MOD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ECRYPTFS_KEY_MOD_ABI 1
#define ECRYPTFS_KEY_MOD_ENTRY "ecryptfs_key_mod_ops_v1"
#define ECRYPTFS_KEY_MOD_ALIAS_MAX 16	/* the kernel token's key_mod_alias field */
#define ECRYPTFS_KEY_MOD_BLOB_MAX 4096	/* the reference's MAX_KEY_MOD_VALUE_SIZE */
#define ECRYPTFS_KEY_MOD_SIG_HEX 16

/* struct ecryptfs_key_mod_param.flags */
#define ECRYPTFS_KEY_MOD_SECRET 0x1	/* a passphrase or PIN: masked, never echoed or logged */
#define ECRYPTFS_KEY_MOD_GEN 0x2	/* a parameter of key generation */
#define ECRYPTFS_KEY_MOD_MOUNT 0x4	/* a parameter of a mount (make_blob) */

/* A parameter a module takes, as key=MODULE:name=value or name=value. */
struct ecryptfs_key_mod_param {
	const char *name;		/* the reference's long name (openssl_keyfile) */
	const char *alias;		/* its short name (keyfile), or NULL */
	const char *prompt;		/* what a caller asks ("PEM key file") */
	const char *default_val;	/* used when absent, or NULL */
	unsigned flags;
};

/* The values a caller gives: names as the user wrote them (long or alias). */
struct ecryptfs_key_mod_value {
	const char *name;
	const char *value;
};

struct ecryptfs_key_mod_ops {
	uint32_t abi_version;		/* ECRYPTFS_KEY_MOD_ABI */
	const char *alias;		/* key=ALIAS; [a-z0-9_-], at most 16 bytes */
	const char *description;	/* one line for menus */
	const struct ecryptfs_key_mod_param *params;
	size_t n_params;

	/*
	 * The blob for the key the values name, into blob (capacity *len,
	 * ECRYPTFS_KEY_MOD_BLOB_MAX is always enough; *len the length on
	 * return).  -ENODATA when a parameter is missing that a caller may ask
	 * the user for: its long name goes into need (at least 64 bytes), and
	 * the caller calls again with it added.  The module may read files the
	 * values name (a passphrase file) but must not keep anything.
	 */
	int (*make_blob)(const struct ecryptfs_key_mod_value *v, size_t n, uint8_t *blob,
			 size_t *len, char *need, char *err, size_t errlen);
	/* Open the key a blob names: *key for the calls below. */
	int (*open)(const uint8_t *blob, size_t len, void **key, char *err, size_t errlen);
	void (*close)(void *key);	/* NULL is fine; wipes what open kept */
	/* The key's signature: 16 lowercase hex digits and a NUL. */
	int (*sig)(void *key, char sig_hex[ECRYPTFS_KEY_MOD_SIG_HEX + 1]);
	/*
	 * Wrap or unwrap a file key's payload (cipher code, FEK, checksum; at
	 * most 67 bytes) into out (capacity *out_len, at least 512 bytes; the
	 * length on return).  decrypt fails with -EKEYREJECTED for a blob this
	 * key did not wrap.
	 */
	int (*encrypt)(void *key, const uint8_t *in, size_t in_len, uint8_t *out,
		       size_t *out_len, char *err, size_t errlen);
	int (*decrypt)(void *key, const uint8_t *in, size_t in_len, uint8_t *out,
		       size_t *out_len, char *err, size_t errlen);
	/*
	 * Optional (NULL: the module cannot make keys): make a new key as the
	 * ECRYPTFS_KEY_MOD_GEN values say; -ENODATA and need as for make_blob.
	 */
	int (*generate)(const struct ecryptfs_key_mod_value *v, size_t n, char *need,
			char *err, size_t errlen);
	/*
	 * A module whose keys are passphrase keys instead (the passphrase
	 * module; a TPM-sealed secret): files get ordinary tag 3 packets, which
	 * the kernel opens without ecryptfsd, and the module runs only at
	 * mount.  derive fills the 64-byte key (KEK) and its 8-byte salt from
	 * the values (-ENODATA and need as for make_blob); the caller computes
	 * the signature and adds the key to the keyring.  Such a module sets
	 * derive and may leave make_blob, open, sig, encrypt and decrypt NULL.
	 */
	int (*derive)(const struct ecryptfs_key_mod_value *v, size_t n, uint8_t kek[64],
		      uint8_t salt[8], char *need, char *err, size_t errlen);
};

/*
 * For modules: the value given for parameter p, by its name or its alias
 * (the last one given wins), or NULL.  Inline, so that a module still
 * exports nothing but its entry point.
 */
static inline const char *ecryptfs_key_mod_value_of(const struct ecryptfs_key_mod_value *v,
						    size_t n,
						    const struct ecryptfs_key_mod_param *p)
{
	const char *r = NULL;

	for (size_t j = 0; j < n; j++)
		if (v[j].name && (!strcmp(v[j].name, p->name) ||
				  (p->alias && !strcmp(v[j].name, p->alias))))
			r = v[j].value;
	return r;
}

/* The one symbol a module exports (ECRYPTFS_KEY_MOD_ENTRY). */
typedef const struct ecryptfs_key_mod_ops *(*ecryptfs_key_mod_entry_fn)(void);
const struct ecryptfs_key_mod_ops *ecryptfs_key_mod_ops_v1(void);

#ifdef __cplusplus
}
#endif

#endif /* ECFS_SRC_KEY_MOD_ECRYPTFS_KEY_MOD_H */
