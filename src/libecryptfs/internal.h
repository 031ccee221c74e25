/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Declarations shared between libecryptfs source files but not exported.
 * Each section belongs to the file named in its heading, and the sections
 * follow the layer order below: a file calls only the files before it,
 * never one after it (libecryptfs.h declares the exported functions,
 * grouped by topic).  A call that must go up is marked "layer exception:
 * SYMBOL" beside it, with the reason; tests/project/t-layers.sh reads the
 * order and the object files' symbols, and fails on any other upward call.
 * layer order: secmem fdio hex cipher | kdf authtok keyring rcfile sigcache
 *   wrap_v3 wrap | fname keyset policy packets header extent lowerfile
 */
#ifndef ECRYPTFS_INTERNAL_H
#define ECRYPTFS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "libecryptfs.h"

/* secmem.c */
void ecryptfs_wipe(void *p, size_t n);

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

/* ---- Key layer (kdf.c ... wrap.c) ---------------------------------------- */

/* kdf.c: 1..64 bytes, no NUL; 0 or -EINVAL. */
int ecryptfs_check_passphrase(const char *pass, size_t pass_len);
/*
 * The passphrase in a decrypted, NUL-padded plaintext of cap bytes (any
 * wrapped-passphrase version) into pass (cap + 1 bytes); -EBADMSG when it
 * is empty.
 */
int ecryptfs_wrapped_pass_out(const uint8_t *pt, size_t cap, char *pass, size_t *pass_len);

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

/* keyset.c: the tag 1 hook, -ENOKEY when no module is plugged in. */
int ecryptfs_keyset_pubkey_encrypt(struct ecryptfs_keyset *ks, const uint8_t sig[8],
				   const uint8_t *payload, size_t len,
				   uint8_t *out, size_t *out_len);
int ecryptfs_keyset_pubkey_decrypt(struct ecryptfs_keyset *ks, const uint8_t sig[8],
				   const uint8_t *blob, size_t len,
				   uint8_t *out, size_t *out_len);

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

#endif
