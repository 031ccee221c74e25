/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Declarations shared between libecryptfs source files but not exported
 * (libecryptfs.sym leaves them out).  Tests, fuzzers and benchmarks reach
 * them through the static libecryptfs-internal.la.  Each section belongs to
 * the file named in its heading, and the sections follow the layer order
 * below: a file calls only the files before it, never one after it
 * (libecryptfs.h declares the exported functions, grouped by topic).  A call
 * that must go up is marked "layer exception: SYMBOL" beside it, with the
 * reason; tests/project/t-layers.sh reads the order and the object files'
 * symbols, and fails on any other upward call.
 * layer order: secmem log fdio hex cipher mountinfo | kdf authtok keyring rcfile sigcache
 *   wrap_v3 wrap | fname keyset keymod policy options packets header header_ref
 *   extent lowerfile
 */
#ifndef ECFS_SRC_LIBECRYPTFS_INTERNAL_H
#define ECFS_SRC_LIBECRYPTFS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "libecryptfs.h"

/* secmem.c */
void ecryptfs_wipe(void *p, size_t n);

/*
 * log.c: one line (no newline) to the program's callback, if it set one (see
 * ecryptfs_set_log_callback); errno is preserved.  Never a secret: no
 * passphrase, key, plaintext, option value or file content, only what the
 * message needs to name the fault (sizes, offsets, versions, tags, sigs).
 */
void ecryptfs_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* fdio.c (the whole-transfer helpers are public, in libecryptfs.h) */
/* All input up to end of file into buf (max + 1 bytes): -EFBIG past max. */
int ecryptfs_read_bounded(int fd, void *buf, size_t max, size_t *len);

/* hex.c: hex_len must be even; out gets hex_len / 2 bytes. */
int ecryptfs_hex_decode(const char *hex, size_t hex_len, uint8_t *out);
/* out gets 2 * n characters plus NUL. */
void ecryptfs_hex_encode(const uint8_t *in, size_t n, char *out);

/* cipher.c: the GCRY_CIPHER_* for a code and key size, -ENOENT or -ENOTSUP. */
int ecryptfs_cipher_gcry_algo(uint8_t code, size_t key_bytes);
/* A FEK size a new file may use: -ENOPKG, -ENOTSUP, -EINVAL. */
int ecryptfs_fek_check_size(uint8_t cipher_code, size_t key_bytes);
/*
 * The libgcrypt algorithm for a FEK as a reader must take it: for AES the
 * key size decides, whatever the code says (the kernel reads a code 7
 * packet with a 32-byte EFEK as AES-256).
 */
int ecryptfs_fek_gcry_algo(uint8_t cipher_code, size_t key_bytes);

/*
 * mountinfo.c: undo the kernel's \ooo escapes of a mountinfo field in place
 * (first digit 0-3; any other backslash stays as it is): 0, or -EBADMSG for
 * an escape of NUL (s is then changed up to it).
 */
int ecryptfs_mountinfo_unescape(char *s);

/* ---- Key layer (kdf.c ... wrap.c) ---------------------------------------- */

/* kdf.c: 1..64 bytes, no NUL; 0 or -EINVAL. */
int ecryptfs_check_passphrase(const char *pass, size_t pass_len);
/*
 * The passphrase in a decrypted, NUL-padded plaintext of cap bytes (any
 * wrapped-passphrase version) into pass (cap + 1 bytes); -EBADMSG when it
 * is empty.
 */
int ecryptfs_wrapped_pass_out(const uint8_t *pt, size_t cap, char *pass, size_t *pass_len);

/* authtok.c: the 740-byte struct ecryptfs_auth_tok (version 0x0004, password type). */
int ecryptfs_auth_tok_build(const struct ecryptfs_pass_key *key,
			    uint8_t tok[ECRYPTFS_AUTH_TOK_SIZE]);
/* authtok.c: parse a password token back into a key: -EINVAL if not one. */
int ecryptfs_auth_tok_parse(const uint8_t *tok, size_t len, struct ecryptfs_pass_key *out);

/* keyring.c: search @u (and what it links) for the "user" key sig_hex: serial or -ENOKEY. */
int ecryptfs_keyring_find(const char *sig_hex, int32_t *serial);
/*
 * keyring.c: add a "user" key sig_hex of len bytes to @u, which build fills
 * (zeroed, secure memory); a key already there is kept (*already).
 */
int ecryptfs_keyring_add_token(const char *sig_hex, size_t len,
			       int (*build)(void *arg, uint8_t *tok), void *arg, bool *already);
/* keyring.c: the payload of the "user" key sig_hex, freed (wiped) with token_free. */
int ecryptfs_keyring_read_token(const char *sig_hex, void **payload, size_t *n);
void ecryptfs_keyring_token_free(void *payload, size_t n);

/* rcfile.c: value of the last entry named name (NULL if absent or valueless). */
const char *ecryptfs_nvlist_get(const struct ecryptfs_nvlist *l, const char *name);
/* rcfile.c: ecryptfs_user_salt for an explicit rc path. */
int ecryptfs_rc_salt(const char *rc_path, uint8_t salt[ECRYPTFS_SALT_SIZE], bool *from_rc);
/* rcfile.c: ~/.ecryptfsrc of the real uid's passwd home (malloc'd). */
int ecryptfs_user_rc_path(char **path);

/* wrap_v3.c, below wrap.c, which hands it v3 files. */
struct ecryptfs_wrap_params;
/*
 * A wrapped-passphrase file split into its fields, without any KDF (by
 * ecryptfs_wrapped_parse).  Pointers point into the parsed buffer.  Fields
 * a version lacks are NULL/0.
 */
#define ECRYPTFS_V3_SALT_BYTES 16
#define ECRYPTFS_V3_NONCE_BYTES 12
#define ECRYPTFS_V3_KCV_BYTES 16
#define ECRYPTFS_V3_TAG_BYTES 16
#define ECRYPTFS_V3_SUM_BYTES 32
#define ECRYPTFS_V3_HEADER_BYTES 58	/* everything before the ciphertext */
#define ECRYPTFS_V3_CT_BYTES 64		/* the passphrase, NUL-padded to 64 */
#define ECRYPTFS_V3_FILE_BYTES (ECRYPTFS_V3_HEADER_BYTES + ECRYPTFS_V3_CT_BYTES + \
				ECRYPTFS_V3_TAG_BYTES + ECRYPTFS_V3_SUM_BYTES)

struct ecryptfs_wrapped_fields {
	int version;			/* 1, 2 or 3 */
	const uint8_t *salt;		/* v2: 8 bytes; v3: 16 bytes; v1: NULL */
	const char *sig_hex;		/* v1, v2: 16 hex characters, no NUL */
	const uint8_t *ct;		/* ciphertext */
	size_t ct_len;
	/* v3 only */
	uint32_t argon2_time, argon2_memory_kib, argon2_lanes;
	const uint8_t *nonce, *kcv, *tag;
	size_t header_len;		/* bytes authenticated as AAD */
};

/* The v3 part of ecryptfs_wrapped_parse (buf starts with ':' 0x03). */
int ecryptfs_wrapped_v3_parse(const uint8_t *buf, size_t len, struct ecryptfs_wrapped_fields *f);
/* The v3 halves of ecryptfs_wrap / ecryptfs_unwrap. */
int ecryptfs_wrap_v3(const char *pass, size_t pass_len, const char *wrapping_pw,
		     size_t wrapping_len, const struct ecryptfs_wrap_params *params,
		     uint8_t *out, size_t *out_len);
int ecryptfs_unwrap_v3(const struct ecryptfs_wrapped_fields *f, const uint8_t *buf,
		       const char *wrapping_pw, size_t wrapping_len,
		       char *pass, size_t *pass_len);
/* Defaults of v3 (doc/wrapped-passphrase.5). */
#define ECRYPTFS_V3_DEFAULT_TIME 3
#define ECRYPTFS_V3_DEFAULT_MEMORY_KIB (64 * 1024)
#define ECRYPTFS_V3_DEFAULT_LANES 1

/*
 * wrap.c: validate the structure of buf and split it.  -EBADMSG truncated or
 * garbled, -ENOTSUP unknown version; v3 also checks its checksum here.
 */
int ecryptfs_wrapped_parse(const uint8_t *buf, size_t len, struct ecryptfs_wrapped_fields *f);

/* ---- Format layer (fname.c ... lowerfile.c) ------------------------------ */
struct ecryptfs_keyset;
struct ecryptfs_header;
struct ecryptfs_fek;

/* fname.c: length of the lower name or target for len plaintext bytes under code. */
ssize_t ecryptfs_fname_lower_len(uint8_t code, size_t len);

/*
 * keyset.c: public-key tokens (tag 1 packets).  A key module plugs in here;
 * the library builds and checks the payload cipher_code || FEK || BE16
 * sum(FEK bytes) and the module only encrypts or decrypts it.  Both return
 * 0, -ENOKEY when the token for sig is not theirs, or another negative
 * errno.  *out_len is the capacity on entry and the length on return.
 * release (may be NULL) frees ctx when the key set is freed.  keymod.c
 * plugs the key modules in here (ecryptfs_keyset_add_module_key).
 */
struct ecryptfs_pubkey_ops {
	int (*encrypt)(void *ctx, const uint8_t sig[ECRYPTFS_SIG_SIZE],
		       const uint8_t *payload, size_t len, uint8_t *out, size_t *out_len);
	int (*decrypt)(void *ctx, const uint8_t sig[ECRYPTFS_SIG_SIZE],
		       const uint8_t *blob, size_t len, uint8_t *out, size_t *out_len);
	void (*release)(void *ctx);
};
void ecryptfs_keyset_set_pubkey_ops(struct ecryptfs_keyset *ks,
				    const struct ecryptfs_pubkey_ops *ops, void *ctx);
/* keyset.c: the hook set (NULL if none) and its ctx. */
const struct ecryptfs_pubkey_ops *ecryptfs_keyset_pubkey_hook(struct ecryptfs_keyset *ks,
							      void **ctx);
/* keyset.c: the tag 1 hook, -ENOKEY when no module is plugged in. */
int ecryptfs_keyset_pubkey_encrypt(struct ecryptfs_keyset *ks, const uint8_t sig[8],
				   const uint8_t *payload, size_t len,
				   uint8_t *out, size_t *out_len);
int ecryptfs_keyset_pubkey_decrypt(struct ecryptfs_keyset *ks, const uint8_t sig[8],
				   const uint8_t *blob, size_t len,
				   uint8_t *out, size_t *out_len);

/* packets.c: packet length octets (doc/format.md §3.1): bytes written (1 or 2) or -EINVAL. */
int ecryptfs_packet_length_write(size_t len, uint8_t out[2]);
/* packets.c: parse at most avail bytes: *len and *used set; -EBADMSG for forms
 * the kernel rejects. */
int ecryptfs_packet_length_parse(const uint8_t *buf, size_t avail, size_t *len, size_t *used);
/* packets.c: the FEK size the kernel derives from a tag 3 (AES-192 alone is padded). */
size_t ecryptfs_tag3_key_bytes(uint8_t cipher_code, size_t efek_len);
/* Data extents that hold size bytes. */
static inline uint64_t ecryptfs_extents_for(uint64_t size)
{
	return size / ECRYPTFS_EXTENT_SIZE + (size % ECRYPTFS_EXTENT_SIZE != 0);
}

/*
 * packets.c: parse the packet set at buf[start..end) into hdr->packets
 * (offsets refer to buf, which hdr->raw copies).  truncated: the buffer
 * stopped before the kernel's 4096 bytes, so running off it is -EIO.
 */
int ecryptfs_packet_set_parse(const uint8_t *buf, size_t start, size_t end, int truncated,
			      struct ecryptfs_header *hdr, size_t *set_end);
/* Append the packets for one sig at out[*pos], at most cap: -E2BIG, -ENOKEY. */
int ecryptfs_packet_write_for_sig(struct ecryptfs_keyset *ks, const uint8_t sig[8],
				  const struct ecryptfs_fek *fek, uint8_t *out, size_t cap,
				  size_t *pos);
/* Unwrap the FEK of packet i of hdr. */
int ecryptfs_packet_unwrap(const struct ecryptfs_header *hdr, size_t i,
			   struct ecryptfs_keyset *ks, struct ecryptfs_fek *fek);

/* header.c: a file encryption key, in secure memory (ecryptfs_fek_new / _free). */
struct ecryptfs_fek {
	uint8_t cipher_code;
	size_t key_bytes;
	uint8_t key[ECRYPTFS_MAX_KEY_BYTES];
};
struct ecryptfs_fek *ecryptfs_fek_new(void);
void ecryptfs_fek_free(struct ecryptfs_fek *fek);
/* header.c: a fresh random FEK (strong): -EINVAL/-ENOTSUP for a bad cipher/size. */
int ecryptfs_fek_generate(uint8_t cipher_code, size_t key_bytes, struct ecryptfs_fek *fek);
/*
 * header.c: unwrap the FEK with the first packet (in file order) whose key
 * the set holds.  Errors: -ENOKEY, -ENOTSUP (cast6), -ENOPKG, -EKEYREJECTED
 * (tag 1 checksum).  *which (may be NULL) receives the index of the packet used.
 */
int ecryptfs_header_unwrap_fek(const struct ecryptfs_header *hdr, struct ecryptfs_keyset *ks,
			       struct ecryptfs_fek *fek, size_t *which);
/*
 * header.c: build a header for fek under policy p (a packet per p->sigs, each
 * key taken from ks: passphrase keys as tag 3 + tag 11, others through the
 * pubkey hook as tag 1), with a random marker and the given size.
 *   in_xattr false: exactly metadata_size bytes (terminator, zero fill);
 *   in_xattr true: the user.ecryptfs value (flag 0x04, no terminator).
 * out has out_cap bytes; *out_len gets the length.  -ENOSPC if out is too
 * small, -E2BIG if the packets pass 4096 bytes, -ENOKEY for a sig without key.
 */
int ecryptfs_header_build(const struct ecryptfs_policy *p, struct ecryptfs_keyset *ks,
			  const struct ecryptfs_fek *fek, uint64_t size, bool in_xattr,
			  uint8_t *out, size_t out_cap, size_t *out_len);
/*
 * header.c: the 8192-byte in-file header of an encrypted-view copy of an
 * xattr-mode file (doc/format.md §7.2): the xattr value with flag 0x04
 * cleared, fields (4096, 2), then zeros.  -EINVAL if hdr is not an xattr
 * header.
 */
int ecryptfs_header_view_copy(const struct ecryptfs_header *hdr,
			      uint8_t out[ECRYPTFS_MIN_METADATA_SIZE]);

/* extent.c: a context for fek (ecryptfs_file_crypt hands out a file's). */
int ecryptfs_crypt_new(const struct ecryptfs_fek *fek, struct ecryptfs_crypt **out);
void ecryptfs_crypt_free(struct ecryptfs_crypt *c);	/* NULL is fine */
/*
 * extent.c: keep the IVs of up to `entries` (a power of two; 0: none, the
 * default) extents, so extents read again, or read then rewritten, skip their
 * MD5.  32 bytes per entry, lock-free.  Call once, before the context is
 * shared: -EBUSY when a cache is already set.  Lower files use 512 entries.
 */
int ecryptfs_crypt_iv_cache(struct ecryptfs_crypt *c, size_t entries);
/* extent.c: the root IV and the 16-byte IV of one extent (before 8-byte truncation). */
void ecryptfs_crypt_root_iv(const struct ecryptfs_crypt *c, uint8_t iv[16]);
int ecryptfs_crypt_extent_iv(struct ecryptfs_crypt *c, uint64_t idx, uint8_t iv[16]);

#endif /* ECFS_SRC_LIBECRYPTFS_INTERNAL_H */
