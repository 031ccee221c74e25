/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libecryptfs (ecryptfs-ng): the one public header.
 *
 * Keys (passphrase -> KEK and signature, keyring auth tokens, wrapped
 * passphrases, rc files, the signature cache) and the kernel's on-disk format
 * (header, key packets, the extent engine, file names).
 *
 * Conventions, everywhere in this library:
 *  - functions return 0 (or a documented non-negative value) on success and a
 *    negative errno on failure; they never print and never exit;
 *  - every secret (passphrase, KEK, FEK) lives in memory from
 *    ecryptfs_secure_alloc() and is wiped when freed;
 *  - "sig" is the 8-byte binary key signature, "sig_hex" its 16 lowercase hex
 *    characters plus NUL, as used for keyring descriptions and Private.sig.
 */
#ifndef ECRYPTFS_H
#define ECRYPTFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ECRYPTFS_EXPORT __attribute__((visibility("default")))

/* ------------------------------------------------------------------------ */
/* Limits and constants shared with the kernel and ecryptfs-utils            */
/* ------------------------------------------------------------------------ */

#define ECRYPTFS_MAX_PASSPHRASE_BYTES 64
#define ECRYPTFS_SALT_SIZE 8
#define ECRYPTFS_SIG_SIZE 8
#define ECRYPTFS_SIG_HEX_SIZE 16
#define ECRYPTFS_MAX_KEY_BYTES 64
#define ECRYPTFS_KDF_ITERATIONS 65536
#define ECRYPTFS_AUTH_TOK_SIZE 740
#define ECRYPTFS_EXTENT_SIZE 4096
#define ECRYPTFS_MIN_METADATA_SIZE 8192
#define ECRYPTFS_MAX_NAME_BYTES 143	/* plaintext name limit with FNEK */
#define ECRYPTFS_FNEK_PREFIX "ECRYPTFS_FNEK_ENCRYPTED."
#define ECRYPTFS_XATTR_NAME "user.ecryptfs"

/* Salt used for data keys unless ~/.ecryptfsrc says otherwise: 00 11 .. 77. */
ECRYPTFS_EXPORT extern const uint8_t ecryptfs_default_salt[ECRYPTFS_SALT_SIZE];
/*
 * Salt of the filename key (FNEK) in the login path: the 8 ASCII bytes
 * "99887766".  ecryptfs-utils passes the hex string "9988776655443322" where
 * raw bytes are expected; every existing Private.sig depends on it.
 */
ECRYPTFS_EXPORT extern const uint8_t ecryptfs_fnek_salt[ECRYPTFS_SALT_SIZE];

/* ------------------------------------------------------------------------ */
/* Library set-up and secure memory (secmem.c)                               */
/* ------------------------------------------------------------------------ */

/*
 * Initialise libgcrypt (version check, secure memory pool).  Idempotent and
 * thread-safe; every other function calls it when needed, so programs only
 * call it to learn early that secure memory is unavailable.
 */
ECRYPTFS_EXPORT int ecryptfs_init(void);

/* Zeroed, locked, wiped-on-free memory.  NULL on ENOMEM. */
ECRYPTFS_EXPORT void *ecryptfs_secure_alloc(size_t n);
ECRYPTFS_EXPORT void ecryptfs_secure_free(void *p);	/* NULL is fine */

/* Lowercase hex of 8 bytes; hex must hold 17 bytes. */
ECRYPTFS_EXPORT void ecryptfs_sig_to_hex(const uint8_t sig[ECRYPTFS_SIG_SIZE],
					 char hex[ECRYPTFS_SIG_HEX_SIZE + 1]);
/* Exactly 16 hex digits (either case), nothing else: 0 or -EINVAL. */
ECRYPTFS_EXPORT int ecryptfs_sig_from_hex(const char *hex, uint8_t sig[ECRYPTFS_SIG_SIZE]);
/* Exactly 16 hex digits into 8 salt bytes: 0 or -EINVAL. */
ECRYPTFS_EXPORT int ecryptfs_salt_from_hex(const char *hex, uint8_t salt[ECRYPTFS_SALT_SIZE]);

/* ------------------------------------------------------------------------ */
/* Passphrase keys (kdf.c)                                                   */
/* ------------------------------------------------------------------------ */

/*
 * A passphrase-derived key: what the kernel calls the session key encryption
 * key and ecryptfs-utils the "fekek".  Always allocate it with
 * ecryptfs_pass_key_new() so that it lives in secure memory.
 */
struct ecryptfs_pass_key {
	uint8_t kek[ECRYPTFS_MAX_KEY_BYTES];
	uint8_t salt[ECRYPTFS_SALT_SIZE];
	uint8_t sig[ECRYPTFS_SIG_SIZE];
	char sig_hex[ECRYPTFS_SIG_HEX_SIZE + 1];
};

ECRYPTFS_EXPORT struct ecryptfs_pass_key *ecryptfs_pass_key_new(void);
ECRYPTFS_EXPORT void ecryptfs_pass_key_free(struct ecryptfs_pass_key *key);

/*
 * kek = SHA-512^65536(salt || passphrase); sig = SHA-512(kek)[0..7].
 * -EINVAL for an empty passphrase, one over 64 bytes or one containing NUL.
 */
ECRYPTFS_EXPORT int ecryptfs_derive_pass_key(const char *pass, size_t pass_len,
					     const uint8_t salt[ECRYPTFS_SALT_SIZE],
					     struct ecryptfs_pass_key *out);

/* ------------------------------------------------------------------------ */
/* Auth tokens and the kernel keyring (authtok.c, keyring.c)                 */
/* ------------------------------------------------------------------------ */

/* The 740-byte struct ecryptfs_auth_tok (version 0x0004, password type). */
ECRYPTFS_EXPORT int ecryptfs_auth_tok_build(const struct ecryptfs_pass_key *key,
					    uint8_t tok[ECRYPTFS_AUTH_TOK_SIZE]);
/* Parse a password token back into a key: -EINVAL if not one. */
ECRYPTFS_EXPORT int ecryptfs_auth_tok_parse(const uint8_t *tok, size_t len,
					    struct ecryptfs_pass_key *out);

/*
 * Add the key's auth token to the user keyring (@u) as a "user" key described
 * by its sig.  A key already present is success; *already (may be NULL) says
 * which happened.
 */
ECRYPTFS_EXPORT int ecryptfs_keyring_add(const struct ecryptfs_pass_key *key, bool *already);
/* Search @u (and what it links) for the "user" key sig_hex: serial or -ENOKEY. */
ECRYPTFS_EXPORT int ecryptfs_keyring_find(const char *sig_hex, int32_t *serial);
/* Read the token for sig_hex from the keyring into out: -ENOKEY, -EINVAL. */
ECRYPTFS_EXPORT int ecryptfs_keyring_get(const char *sig_hex, struct ecryptfs_pass_key *out);
/* Unlink the key sig_hex from @u: 0 or -ENOKEY. */
ECRYPTFS_EXPORT int ecryptfs_keyring_unlink(const char *sig_hex);
/* Link @u into @s, so the kernel finds user keys from this session. */
ECRYPTFS_EXPORT int ecryptfs_keyring_link_user_session(void);

/* ------------------------------------------------------------------------ */
/* rc files and option lists (rcfile.c)                                      */
/* ------------------------------------------------------------------------ */

/*
 * Name/value lists with the reference's tokenizer: tokens split on ',' and
 * '\n', at most 128 characters, name=value split at the *last* '=',
 * "key=mod:a=1:b=2" expanded.  Values may hold secrets: the list is kept in
 * secure memory and wiped by ecryptfs_nvlist_free().
 */
struct ecryptfs_nv {
	char *name;
	char *value;		/* NULL when the token had no '=' */
};
struct ecryptfs_nvlist {
	struct ecryptfs_nv *v;
	size_t n;
};

ECRYPTFS_EXPORT int ecryptfs_nvlist_parse(const char *buf, size_t len,
					  struct ecryptfs_nvlist *out);
/* At most 0xA000 bytes; a FIFO is read in pieces. -ENOENT if missing. */
ECRYPTFS_EXPORT int ecryptfs_nvlist_parse_file(const char *path, struct ecryptfs_nvlist *out);
ECRYPTFS_EXPORT int ecryptfs_nvlist_parse_fd(int fd, struct ecryptfs_nvlist *out);
/* Value of the last entry named name (NULL if absent or valueless). */
ECRYPTFS_EXPORT const char *ecryptfs_nvlist_get(const struct ecryptfs_nvlist *l,
						const char *name);
ECRYPTFS_EXPORT void ecryptfs_nvlist_free(struct ecryptfs_nvlist *l);

/*
 * The data-key salt for the real uid: salt= from ~/.ecryptfsrc of the passwd
 * home (not $HOME), or the default.  A malformed salt falls back to the
 * default; *from_rc (may be NULL) says where it came from.
 */
ECRYPTFS_EXPORT int ecryptfs_user_salt(uint8_t salt[ECRYPTFS_SALT_SIZE], bool *from_rc);
/* The same for an explicit rc path (tests, other users). */
ECRYPTFS_EXPORT int ecryptfs_rc_salt(const char *rc_path, uint8_t salt[ECRYPTFS_SALT_SIZE],
				     bool *from_rc);

/* ------------------------------------------------------------------------ */
/* Wrapped passphrases (wrap.c: v1 and v2, wrap_v3.c: our opt-in v3)         */
/* ------------------------------------------------------------------------ */

/*
 * v1: hex sig + AES-128-ECB, salt from the rc file (read only).
 * v2: ':' 0x02 salt[8] hex sig + AES-128-ECB (the reference's default).
 * v3: ':' 0x03 ..., Argon2id + authenticated encryption (doc/wrapped-passphrase.5).
 *
 * Errors: -EKEYREJECTED wrong wrapping passphrase; -EBADMSG truncated,
 * garbled or (v3) tampered file; -ENOTSUP unknown version; -EINVAL bad
 * arguments (lengths); -ENOENT etc. from the file system.
 */
enum ecryptfs_wrap_version {
	ECRYPTFS_WRAP_V1 = 1,
	ECRYPTFS_WRAP_V2 = 2,
	ECRYPTFS_WRAP_V3 = 3,
};

struct ecryptfs_wrap_params {
	enum ecryptfs_wrap_version version;	/* V2 (default) or V3 */
	uint32_t argon2_time;			/* v3 only; 0 = library default */
	uint32_t argon2_memory_kib;
	uint32_t argon2_lanes;
};

/* The largest wrapped file any version produces. */
#define ECRYPTFS_WRAPPED_MAX_BYTES 256

/* Version of an in-memory wrapped file: 1, 2, 3 or negative errno. */
ECRYPTFS_EXPORT int ecryptfs_wrapped_version(const uint8_t *buf, size_t len);

/*
 * Unwrap buf into pass (a buffer of at least 65 bytes, secure memory),
 * NUL-terminated, *pass_len without the NUL.  v1_salt is used for v1 files
 * only (NULL: ecryptfs_user_salt()).
 */
ECRYPTFS_EXPORT int ecryptfs_unwrap(const uint8_t *buf, size_t len,
				    const char *wrapping_pw, size_t wrapping_len,
				    const uint8_t *v1_salt, char *pass, size_t *pass_len);

/* Wrap pass into out (ECRYPTFS_WRAPPED_MAX_BYTES), *out_len set. params NULL = v2. */
ECRYPTFS_EXPORT int ecryptfs_wrap(const char *pass, size_t pass_len,
				  const char *wrapping_pw, size_t wrapping_len,
				  const struct ecryptfs_wrap_params *params,
				  uint8_t *out, size_t *out_len);

/* Whole files: read (at most ECRYPTFS_WRAPPED_MAX_BYTES) ... */
ECRYPTFS_EXPORT int ecryptfs_wrapped_read_file(const char *path, uint8_t *buf, size_t *len);
/* ... and write: temp file in the same directory, mode 0600, fsync, rename. */
ECRYPTFS_EXPORT int ecryptfs_wrapped_write_file(const char *path, const uint8_t *buf,
						size_t len);

ECRYPTFS_EXPORT int ecryptfs_unwrap_file(const char *path, const char *wrapping_pw,
					 size_t wrapping_len, const uint8_t *v1_salt,
					 char *pass, size_t *pass_len);
ECRYPTFS_EXPORT int ecryptfs_wrap_file(const char *path, const char *pass, size_t pass_len,
				       const char *wrapping_pw, size_t wrapping_len,
				       const struct ecryptfs_wrap_params *params);
/*
 * Unwrap with the old passphrase and write again with the new one.  The file
 * is left untouched on any failure.  params NULL: v3 files stay v3, v1 and v2
 * files become v2 (the reference's v1 -> v2 migration).
 */
ECRYPTFS_EXPORT int ecryptfs_rewrap_file(const char *path,
					 const char *old_pw, size_t old_len,
					 const char *new_pw, size_t new_len,
					 const uint8_t *v1_salt,
					 const struct ecryptfs_wrap_params *params);

/*
 * Unwrap and add two tokens to @u, as the reference does: first the FNEK
 * (ASCII salt "99887766"), then the data key (salt data_salt, NULL: the
 * user's).  sig_hex / fnek_sig_hex (17 bytes each, may be NULL) receive them.
 */
ECRYPTFS_EXPORT int ecryptfs_insert_wrapped_into_keyring(const char *path,
							 const char *wrapping_pw,
							 size_t wrapping_len,
							 const uint8_t *data_salt,
							 char *sig_hex, char *fnek_sig_hex);

/* ------------------------------------------------------------------------ */
/* Signature cache ~/.ecryptfs/sig-cache.txt (sigcache.c)                    */
/* ------------------------------------------------------------------------ */

/* 1 if sig_hex is in the cache, 0 if not (or no cache file), <0 on error. */
ECRYPTFS_EXPORT int ecryptfs_sigcache_contains(const char *path, const char *sig_hex);
/* Append "sig\n" (17 bytes), creating the file mode 0600. */
ECRYPTFS_EXPORT int ecryptfs_sigcache_append(const char *path, const char *sig_hex);

/* ------------------------------------------------------------------------ */
/* The on-disk format (cipher.c, header.c, packets.c, extent.c, fname.c)     */
/* Owned by the format layer; see doc/ and spec/FORMAT.md.                   */
/* ------------------------------------------------------------------------ */

/* Ciphers (cipher.c) ------------------------------------------------------ */

/* The kernel's RFC 2440 cipher codes (tag 3 and tag 70 packets). */
enum ecryptfs_cipher_code {
	ECRYPTFS_CIPHER_DES3_EDE = 0x02,
	ECRYPTFS_CIPHER_CAST5 = 0x03,
	ECRYPTFS_CIPHER_BLOWFISH = 0x04,
	ECRYPTFS_CIPHER_AES_128 = 0x07,
	ECRYPTFS_CIPHER_AES_192 = 0x08,
	ECRYPTFS_CIPHER_AES_256 = 0x09,
	ECRYPTFS_CIPHER_TWOFISH = 0x0a,
	ECRYPTFS_CIPHER_CAST6 = 0x0b,
};

struct ecryptfs_cipher_info {
	const char *name;	/* kernel name: "aes", "blowfish", ... */
	uint8_t code;
	unsigned block_size;	/* 8 or 16 */
	size_t min_key_bytes, max_key_bytes;
	bool supported;		/* false: we cannot do it (cast6) */
};

/*
 * Code for a cipher name and key size as the kernel computes it (AES's code
 * depends on the size).  -ENOENT unknown name; -EINVAL a key size the kernel
 * would accept at mount but fail at file creation (not a whole number of
 * blocks, or out of range); -ENOTSUP a cipher libgcrypt lacks (cast6).
 */
ECRYPTFS_EXPORT int ecryptfs_cipher_code(const char *name, size_t key_bytes);
/* Facts about a code: 0 or -ENOENT. */
ECRYPTFS_EXPORT int ecryptfs_cipher_info(uint8_t code, struct ecryptfs_cipher_info *out);

/* FORMAT-API: the format layer declares the rest of its interface below. */

#ifdef __cplusplus
}
#endif

#endif /* ECRYPTFS_H */
