/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Filename and symlink-target encryption (doc/format.md §8): the tag 70
 * packet, the kernel's base64 variant and the "ECRYPTFS_FNEK_ENCRYPTED."
 * prefix.
 *
 * Encryption must match the kernel byte for byte: a kernel mount finds a file
 * by re-encrypting the name it is asked for, so the prefix is the kernel's
 * deterministic MD5 chain, not random bytes.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>

#include "libecryptfs.h"
#include "internal.h"

#define TAG_70 0x46
#define PREFIX_LEN (sizeof(ECRYPTFS_FNEK_PREFIX) - 1)
#define MIN_PREPEND 16			/* ECRYPTFS_FILENAME_MIN_RANDOM_PREPEND_BYTES */
#define NON_NULL 0x42			/* ECRYPTFS_NON_NULL */
#define TAG_70_MIN_PACKET 12		/* ECRYPTFS_TAG_70_MIN_METADATA_SIZE */
#define MD5_LEN 16
/* Largest packet body the kernel's two-octet length parser accepts. */
#define MAX_BODY 8383
/* Longest plaintext we ever handle: a symlink target below PATH_MAX. */
#define MAX_PLAIN 4095

static const char b64_chars[] =
	"-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* Reverse table; -1 for a byte outside the alphabet. */
static int b64_value(unsigned char c)
{
	if (c == '-')
		return 0;
	if (c == '.')
		return 1;
	if (c >= '0' && c <= '9')
		return c - '0' + 2;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 12;
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 38;
	return -1;
}

static size_t encoded_len(size_t n)
{
	return 4 * ((n + 2) / 3);
}

static void b64_encode(const uint8_t *src, size_t n, char *dst)
{
	for (size_t i = 0; i < n; i += 3) {
		uint8_t b[3] = { 0, 0, 0 };

		memcpy(b, src + i, n - i < 3 ? n - i : 3);
		*dst++ = b64_chars[b[0] >> 2];
		*dst++ = b64_chars[((b[0] << 4) & 0x30) | (b[1] >> 4)];
		*dst++ = b64_chars[((b[1] << 2) & 0x3c) | (b[2] >> 6)];
		*dst++ = b64_chars[b[2] & 0x3f];
	}
}

/*
 * floor(6n/8) bytes into dst, as the kernel's ecryptfs_decode_from_filename;
 * -EINVAL for a character outside the alphabet (the kernel reads it as 0).
 */
static ssize_t b64_decode(const char *src, size_t n, uint8_t *dst)
{
	size_t out = 0;
	unsigned acc = 0, bits = 0;

	for (size_t i = 0; i < n; i++) {
		int v = b64_value((unsigned char)src[i]);

		if (v < 0)
			return -EINVAL;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			dst[out++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	return (ssize_t)out;
}

static int block_size_of(uint8_t code, unsigned *bs)
{
	struct ecryptfs_cipher_info ci;
	int rc = ecryptfs_cipher_info(code, &ci);

	if (rc < 0)
		return rc;
	*bs = ci.block_size;
	return 0;
}

/* B: prefix, separator and name padded to whole blocks (doc/format.md §8.3). */
static size_t aligned_len(size_t len, unsigned bs)
{
	return (MIN_PREPEND + 1 + len + bs - 1) / bs * bs;
}

static size_t packet_len(size_t body)
{
	return 1 + (body < 192 ? 1 : 2) + body;
}

ssize_t ecryptfs_fname_lower_len(uint8_t code, size_t len)
{
	unsigned bs;
	int rc = block_size_of(code, &bs);

	if (rc < 0)
		return rc;
	if (len == 0 || len > MAX_PLAIN)
		return -EINVAL;
	return (ssize_t)(PREFIX_LEN + encoded_len(packet_len(9 + aligned_len(len, bs))));
}

ECRYPTFS_EXPORT ssize_t ecryptfs_fname_max_len(uint8_t code, size_t lower_name_max)
{
	unsigned bs;
	int rc = block_size_of(code, &bs);
	size_t len;

	if (rc < 0)
		return rc;
	/* The kernel's exact answer for the common case (ENC_NAME_MAX_BLOCKLEN_8_OR_16). */
	if (lower_name_max == 255 && (bs == 8 || bs == 16))
		return ECRYPTFS_MAX_NAME_BYTES;
	for (len = 0; len < MAX_PLAIN; len++)
		if ((size_t)ecryptfs_fname_lower_len(code, len + 1) > lower_name_max)
			break;
	return (ssize_t)len;
}

/* AES carries its key size in the code; other ciphers need it configured. */
static size_t implied_key_bytes(uint8_t code)
{
	switch (code) {
	case ECRYPTFS_CIPHER_AES_128:
		return 16;
	case ECRYPTFS_CIPHER_AES_192:
		return 24;
	case ECRYPTFS_CIPHER_AES_256:
		return 32;
	default:
		return 0;
	}
}

/* An ECB handle keyed with FNEK KEK[0:key_bytes]. */
static int open_ecb(uint8_t code, size_t key_bytes, const struct ecryptfs_pass_key *fnek,
		    gcry_cipher_hd_t *hd)
{
	int algo, rc;

	if (key_bytes == 0 || key_bytes > ECRYPTFS_MAX_KEY_BYTES)
		return -EINVAL;
	/* The kernel names AES by "aes" alone and keys it with fn_key_bytes. */
	if (implied_key_bytes(code) && implied_key_bytes(code) != key_bytes) {
		rc = ecryptfs_cipher_code("aes", key_bytes);
		if (rc < 0)
			return -EINVAL;
		code = (uint8_t)rc;
	}
	algo = ecryptfs_cipher_gcry_algo(code, key_bytes);
	if (algo < 0)
		return algo;
	rc = ecryptfs_init();
	if (rc < 0)
		return rc;
	if (gcry_cipher_open(hd, algo, GCRY_CIPHER_MODE_ECB, GCRY_CIPHER_SECURE)) {
		*hd = NULL;
		return -ENOMEM;
	}
	if (gcry_cipher_setkey(*hd, fnek->kek, key_bytes)) {
		gcry_cipher_close(*hd);
		*hd = NULL;
		return -EINVAL;
	}
	return 0;
}

static int encrypt_packet(const struct ecryptfs_pass_key *fnek, uint8_t code,
			  size_t key_bytes, const char *in, size_t len,
			  char *out, size_t out_size)
{
	gcry_cipher_hd_t hd = NULL;
	uint8_t *plain = NULL, *pkt = NULL;
	uint8_t hash[MD5_LEN];
	size_t body, plen, lower, r, b, i;
	unsigned bs;
	int rc;

	if (!fnek || !in || !out || len == 0)
		return -EINVAL;
	if (len > MAX_PLAIN)
		return -ENAMETOOLONG;
	if (key_bytes == 0)
		key_bytes = implied_key_bytes(code);
	/* The code must be the one the kernel derives from (fn_cipher, fn_key_bytes). */
	if (implied_key_bytes(code) && implied_key_bytes(code) != key_bytes)
		return -EINVAL;
	rc = block_size_of(code, &bs);
	if (rc < 0)
		goto out;
	b = aligned_len(len, bs);
	r = b - len;
	body = 9 + b;
	plen = packet_len(body);
	lower = PREFIX_LEN + encoded_len(plen);
	if (body > MAX_BODY || lower + 1 > out_size) {
		rc = -ENAMETOOLONG;
		goto out;
	}
	rc = open_ecb(code, key_bytes, fnek, &hd);
	if (rc < 0)
		goto out;
	plain = ecryptfs_secure_alloc(b);
	pkt = ecryptfs_secure_alloc(plen);
	if (!plain || !pkt) {
		rc = -ENOMEM;
		goto out;
	}
	gcry_md_hash_buffer(GCRY_MD_MD5, hash, fnek->kek, ECRYPTFS_MAX_KEY_BYTES);
	for (i = 0; i < r - 1; i++) {
		plain[i] = hash[i % MD5_LEN] ? hash[i % MD5_LEN] : NON_NULL;
		if (i % MD5_LEN == MD5_LEN - 1)
			gcry_md_hash_buffer(GCRY_MD_MD5, hash, hash, MD5_LEN);
	}
	plain[r - 1] = 0;
	memcpy(plain + r, in, len);

	i = 0;
	pkt[i++] = TAG_70;
	if (body < 192) {
		pkt[i++] = (uint8_t)body;
	} else {
		pkt[i++] = (uint8_t)((body - 192) / 256 + 192);
		pkt[i++] = (uint8_t)((body - 192) % 256);
	}
	memcpy(pkt + i, fnek->sig, ECRYPTFS_SIG_SIZE);
	i += ECRYPTFS_SIG_SIZE;
	pkt[i++] = code;
	if (gcry_cipher_encrypt(hd, pkt + i, b, plain, b)) {
		rc = -EINVAL;
		goto out;
	}
	memcpy(out, ECRYPTFS_FNEK_PREFIX, PREFIX_LEN);
	b64_encode(pkt, plen, out + PREFIX_LEN);
	out[lower] = '\0';
	rc = (int)lower;
out:
	if (hd)
		gcry_cipher_close(hd);
	ecryptfs_secure_free(plain);
	ecryptfs_secure_free(pkt);
	ecryptfs_wipe(hash, sizeof(hash));
	return rc;
}

static bool is_dot(const char *name, size_t len)
{
	return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

ECRYPTFS_EXPORT int ecryptfs_fname_encrypt(const struct ecryptfs_pass_key *fnek, uint8_t code,
					   size_t key_bytes, const char *name, size_t len,
					   char *out, size_t out_size)
{
	if (!name || !out || len == 0 || memchr(name, '/', len) || memchr(name, '\0', len))
		return -EINVAL;
	if (is_dot(name, len)) {
		if (out_size < len + 1)
			return -ENAMETOOLONG;
		memcpy(out, name, len);
		out[len] = '\0';
		return (int)len;
	}
	if (len > ECRYPTFS_MAX_NAME_BYTES)
		return -ENAMETOOLONG;
	return encrypt_packet(fnek, code, key_bytes, name, len, out, out_size);
}

ECRYPTFS_EXPORT int ecryptfs_symlink_encrypt(const struct ecryptfs_pass_key *fnek, uint8_t code,
					     size_t key_bytes, const char *target, size_t len,
					     char *out, size_t out_size)
{
	if (!target || memchr(target, '\0', len))
		return -EINVAL;
	return encrypt_packet(fnek, code, key_bytes, target, len, out, out_size);
}

/*
 * Decode and check the packet framing (doc/format.md §8.5).  pkt receives the
 * decoded bytes (at least 3 * (len - prefix) / 4 bytes); *ct and *ct_len
 * point at the ciphertext inside it.
 *
 * Only the encoding our encoder (and the kernel's) gives the packet is
 * accepted: exactly 4 * ceil(P / 3) characters of the alphabet for a packet
 * of P bytes, and zero fill bits after it.  Any other spelling of the same
 * packet (a character appended, fill bits set, '*' for '-') would be a second
 * lower name that lists as the same upper name.
 */
static int parse_packet(const char *lower, size_t len, uint8_t *pkt,
			const uint8_t **ct, size_t *ct_len)
{
	size_t n, body, lenlen, plen;
	ssize_t dn;

	if (len <= PREFIX_LEN || memcmp(lower, ECRYPTFS_FNEK_PREFIX, PREFIX_LEN) != 0)
		return -EINVAL;
	dn = b64_decode(lower + PREFIX_LEN, len - PREFIX_LEN, pkt);
	if (dn < 0)
		return (int)dn;
	n = (size_t)dn;
	if (n < TAG_70_MIN_PACKET || pkt[0] != TAG_70)
		return -EINVAL;
	if (pkt[1] < 192) {
		body = pkt[1];
		lenlen = 1;
	} else if (pkt[1] < 224) {
		body = (size_t)(pkt[1] - 192) * 256 + pkt[2] + 192;
		lenlen = 2;
	} else {
		return -EINVAL;
	}
	plen = 1 + lenlen + body;
	if (body <= 9 || plen > n || len - PREFIX_LEN != encoded_len(plen))
		return -EINVAL;
	/* The encoding is whole groups now: n = 3 * chars / 4, no bits left. */
	for (size_t i = plen; i < n; i++)
		if (pkt[i])
			return -EINVAL;
	*ct = pkt + 1 + lenlen + 9;
	*ct_len = body - 9;
	return (int)(1 + lenlen);
}

/* Room for decoding the longest lower string we accept. */
#define MAX_LOWER (PREFIX_LEN + 4 * ((MAX_BODY + 3 + 2) / 3))

ECRYPTFS_EXPORT int ecryptfs_fname_sig(const char *lower, size_t len,
				       uint8_t sig[ECRYPTFS_SIG_SIZE], uint8_t *code)
{
	uint8_t *pkt = NULL;
	const uint8_t *ct;
	size_t ct_len;
	int rc;

	if (!lower)
		return -EINVAL;
	if (len > MAX_LOWER)
		return -ENAMETOOLONG;
	pkt = ecryptfs_secure_alloc(len);
	if (!pkt)
		return -ENOMEM;
	rc = parse_packet(lower, len, pkt, &ct, &ct_len);
	if (rc < 0)
		goto out;
	if (sig)
		memcpy(sig, pkt + rc, ECRYPTFS_SIG_SIZE);
	if (code)
		*code = pkt[rc + ECRYPTFS_SIG_SIZE];
	rc = 0;
out:
	ecryptfs_secure_free(pkt);
	return rc;
}

enum plain_kind { PLAIN_NAME, PLAIN_TARGET };

static int decrypt_packet(const struct ecryptfs_pass_key *fnek, size_t key_bytes,
			  const char *lower, size_t len, enum plain_kind kind,
			  char *out, size_t out_size)
{
	gcry_cipher_hd_t hd = NULL;
	uint8_t *pkt = NULL, *plain = NULL;
	char *canon = NULL;
	const uint8_t *ct, *sep;
	size_t ct_len, name_len;
	unsigned bs;
	uint8_t code;
	int rc;

	if (!fnek || !lower || !out)
		return -EINVAL;
	if (len > MAX_LOWER)
		return -ENAMETOOLONG;
	pkt = ecryptfs_secure_alloc(len);
	if (!pkt) {
		rc = -ENOMEM;
		goto out;
	}
	rc = parse_packet(lower, len, pkt, &ct, &ct_len);
	if (rc < 0)
		goto out;
	if (memcmp(pkt + rc, fnek->sig, ECRYPTFS_SIG_SIZE) != 0) {
		rc = -ENOKEY;
		goto out;
	}
	code = pkt[rc + ECRYPTFS_SIG_SIZE];
	rc = block_size_of(code, &bs);
	if (rc < 0) {
		rc = rc == -ENOENT ? -EINVAL : rc;
		goto out;
	}
	if (ct_len % bs) {
		rc = -EINVAL;
		goto out;
	}
	if (key_bytes == 0)
		key_bytes = implied_key_bytes(code);
	rc = open_ecb(code, key_bytes, fnek, &hd);
	if (rc < 0)
		goto out;
	plain = ecryptfs_secure_alloc(ct_len);
	if (!plain) {
		rc = -ENOMEM;
		goto out;
	}
	if (gcry_cipher_decrypt(hd, plain, ct_len, ct, ct_len)) {
		rc = -EINVAL;
		goto out;
	}
	sep = memchr(plain, 0, ct_len);
	if (!sep) {
		rc = -EINVAL;
		goto out;
	}
	sep++;
	name_len = ct_len - (size_t)(sep - plain);
	/*
	 * A NUL cannot be returned in a C string; '/', "." and ".." in a name
	 * would let a hostile lower tree escape the directory it is read into.
	 */
	if (name_len == 0 || memchr(sep, 0, name_len) ||
	    (kind == PLAIN_NAME && (memchr(sep, '/', name_len) ||
				    is_dot((const char *)sep, name_len)))) {
		rc = -EINVAL;
		goto out;
	}
	/*
	 * The lower string must be the one encrypting the result gives, the one
	 * the kernel's lookup finds.  ECB lets anyone without the key repeat a
	 * prefix block, and every AES code decrypts under the caller's key size:
	 * such a string decrypts to a real name but is another lower file.
	 */
	canon = malloc(len + 1);
	if (!canon) {
		rc = -ENOMEM;
		goto out;
	}
	rc = encrypt_packet(fnek, code, key_bytes, (const char *)sep, name_len, canon, len + 1);
	if (rc != (int)len || memcmp(canon, lower, len) != 0) {
		rc = rc == -ENOMEM ? rc : -EINVAL;
		goto out;
	}
	if (name_len + 1 > out_size) {
		rc = -ERANGE;
		goto out;
	}
	memcpy(out, sep, name_len);
	out[name_len] = '\0';
	rc = (int)name_len;
out:
	if (hd)
		gcry_cipher_close(hd);
	ecryptfs_secure_free(pkt);
	ecryptfs_secure_free(plain);
	free(canon);
	return rc;
}

ECRYPTFS_EXPORT int ecryptfs_fname_decrypt(const struct ecryptfs_pass_key *fnek,
					   size_t key_bytes, const char *lower, size_t len,
					   char *out, size_t out_size)
{
	if (lower && is_dot(lower, len)) {
		if (!out || out_size < len + 1)
			return -ERANGE;
		memcpy(out, lower, len);
		out[len] = '\0';
		return (int)len;
	}
	return decrypt_packet(fnek, key_bytes, lower, len, PLAIN_NAME, out, out_size);
}

ECRYPTFS_EXPORT int ecryptfs_symlink_decrypt(const struct ecryptfs_pass_key *fnek,
					     size_t key_bytes, const char *lower, size_t len,
					     char *out, size_t out_size)
{
	return decrypt_packet(fnek, key_bytes, lower, len, PLAIN_TARGET, out, out_size);
}
