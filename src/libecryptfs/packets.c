/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Key packets (doc/format.md §3): tag 3 + tag 11 for passphrase tokens, tag 1
 * for public-key tokens, and the length octets they share.  Parsing never reads
 * past the bytes it is given; every field the kernel checks is checked here
 * too, so a header we accept is one the kernel accepts.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <gcrypt.h>

#include "libecryptfs.h"
#include "internal.h"

#define TAG1 0x01
#define TAG3 0x8c
#define TAG11 0xed
#define TAG3_VERSION 0x04
#define TAG1_VERSION 0x03
#define S2K_ITERATED_SALTED 0x03
#define HASH_MD5 0x01
#define S2K_COUNT_65536 0x60
#define RFC2440_RSA 0x01
#define TAG11_FORMAT_BINARY 0x62
#define TAG11_FILENAME "_CONSOLE"
#define TAG11_FIXED 14		/* format, name length, "_CONSOLE", date */
#define TAG3_FIXED 13		/* version, code, s2k, hash, salt, count */
#define TAG1_FIXED 10		/* version, key id, algorithm */
#define MAX_EFEK_BYTES 512	/* the kernel's ECRYPTFS_MAX_ENCRYPTED_KEY_BYTES */

int ecryptfs_packet_length_write(size_t len, uint8_t out[2])
{
	if (len < 192) {
		out[0] = (uint8_t)len;
		return 1;
	}
	/* The two-octet form ends at 8383; the kernel rejects what lies past it. */
	if (len > 8383)
		return -EINVAL;
	out[0] = (uint8_t)((len - 192) / 256 + 192);
	out[1] = (uint8_t)((len - 192) % 256);
	return 2;
}

int ecryptfs_packet_length_parse(const uint8_t *buf, size_t avail,
				 size_t *len, size_t *used)
{
	if (avail < 1)
		return -EBADMSG;
	if (buf[0] < 192) {
		*len = buf[0];
		*used = 1;
		return 0;
	}
	if (buf[0] < 224) {
		if (avail < 2)
			return -EBADMSG;
		*len = (size_t)(buf[0] - 192) * 256 + buf[1] + 192;
		*used = 2;
		return 0;
	}
	/* 224-254 partial lengths, 255 the five-octet form: both refused. */
	return -EBADMSG;
}

/* Why the packet at offset off is refused, for the program's log; returns rc. */
static int refuse(int rc, size_t off, const char *why)
{
	ecryptfs_log(ECRYPTFS_LOG_ERR, "header: key packet at offset %zu: %s", off, why);
	return rc;
}

/*
 * Header of a packet at buf[i]: body offset and length, bounded by end.
 * Running past end is -EIO when the buffer was cut short of 4096 bytes.
 */
static int packet_bounds(const uint8_t *buf, size_t i, size_t end, int truncated,
			 size_t *body, size_t *body_len)
{
	size_t len, used;
	int rc;

	rc = ecryptfs_packet_length_parse(buf + i + 1, end - i - 1, &len, &used);
	if (rc < 0) {
		if (truncated && end - i - 1 < 2)
			return refuse(-EIO, i, "the file is cut inside its length");
		return refuse(rc, i, "no length, or a length form the kernel refuses");
	}
	if (len > end - i - 1 - used)
		return truncated ? refuse(-EIO, i, "the file is cut inside its body")
				 : refuse(-EBADMSG, i, "its length runs past the header");
	*body = i + 1 + used;
	*body_len = len;
	return 0;
}

size_t ecryptfs_tag3_key_bytes(uint8_t code, size_t efek_len)
{
	return code == ECRYPTFS_CIPHER_AES_192 ? 24 : efek_len;
}

static int parse_tag3(const uint8_t *buf, size_t i, size_t end, int truncated,
		      struct ecryptfs_packet_info *pi, size_t *next)
{
	struct ecryptfs_cipher_info ci;
	size_t body, len, n;
	int rc;

	rc = packet_bounds(buf, i, end, truncated, &body, &len);
	if (rc < 0)
		goto out;
	rc = -EBADMSG;
	if (len <= TAG3_FIXED || len - TAG3_FIXED > MAX_EFEK_BYTES) {
		refuse(rc, i, "a tag 3 body too short or too long for an encrypted key");
		goto out;
	}
	if (buf[body] != TAG3_VERSION || buf[body + 2] != S2K_ITERATED_SALTED ||
	    buf[body + 3] != HASH_MD5) {
		refuse(rc, i, "tag 3 version, S2K or hash not the kernel's (4, 3, MD5)");
		goto out;
	}
	n = len - TAG3_FIXED;
	pi->tag = 3;
	pi->cipher_code = buf[body + 1];
	memcpy(pi->salt, buf + body + 4, ECRYPTFS_SALT_SIZE);
	pi->efek_off = (uint16_t)(body + TAG3_FIXED);
	pi->efek_len = (uint16_t)n;
	if (ecryptfs_cipher_info(pi->cipher_code, &ci) < 0) {
		ecryptfs_log(ECRYPTFS_LOG_ERR, "header: key packet at offset %zu: cipher code "
			     "0x%02x is not in the kernel's table", i, pi->cipher_code);
		rc = -ENOPKG;
		goto out;
	}
	/* code 8 stores 24 bytes padded to 32; anything shorter cannot hold them. */
	if (ecryptfs_tag3_key_bytes(pi->cipher_code, n) > n) {
		refuse(rc, i, "an AES-192 key in fewer than 24 bytes");
		goto out;
	}
	*next = body + len;
	rc = 0;
out:
	return rc;
}

static int parse_tag11(const uint8_t *buf, size_t i, size_t end, int truncated,
		       struct ecryptfs_packet_info *pi, size_t *next)
{
	size_t body, len;
	int rc;

	if (i >= end)
		return truncated ? refuse(-EIO, i, "the file is cut before tag 3's tag 11")
				 : refuse(-EBADMSG, i, "the header ends before tag 3's tag 11");
	if (buf[i] != TAG11)	/* tag 3 must be followed by its signature */
		return refuse(-EBADMSG, i, "a tag 3 not followed by its tag 11");
	rc = packet_bounds(buf, i, end, truncated, &body, &len);
	if (rc < 0)
		return rc;
	if (len != TAG11_FIXED + ECRYPTFS_SIG_SIZE || buf[body] != TAG11_FORMAT_BINARY ||
	    buf[body + 1] != 8)
		return refuse(-EBADMSG, i, "tag 11 is not the kernel's 8-byte binary signature");
	memcpy(pi->sig, buf + body + TAG11_FIXED, ECRYPTFS_SIG_SIZE);
	*next = body + len;
	return 0;
}

static int parse_tag1(const uint8_t *buf, size_t i, size_t end, int truncated,
		      struct ecryptfs_packet_info *pi, size_t *next)
{
	size_t body, len;
	int rc;

	rc = packet_bounds(buf, i, end, truncated, &body, &len);
	if (rc < 0)
		return rc;
	if (len <= TAG1_FIXED || len - TAG1_FIXED > MAX_EFEK_BYTES ||
	    buf[body] != TAG1_VERSION)
		return refuse(-EBADMSG, i, "tag 1 length or version not the kernel's");
	pi->tag = 1;
	memcpy(pi->sig, buf + body + 1, ECRYPTFS_SIG_SIZE);
	pi->cipher_code = 0;
	pi->efek_off = (uint16_t)(body + TAG1_FIXED);
	pi->efek_len = (uint16_t)(len - TAG1_FIXED);
	*next = body + len;
	return 0;
}

int ecryptfs_packet_set_parse(const uint8_t *buf, size_t start, size_t end, int truncated,
			      struct ecryptfs_header *hdr, size_t *set_end)
{
	size_t i = start;
	int rc = 0;

	hdr->n_packets = 0;
	while (i < end) {
		struct ecryptfs_packet_info pi;

		memset(&pi, 0, sizeof(pi));
		if (buf[i] == TAG3) {
			rc = parse_tag3(buf, i, end, truncated, &pi, &i);
			if (rc < 0)
				goto out;
			rc = parse_tag11(buf, i, end, truncated, &pi, &i);
		} else if (buf[i] == TAG1) {
			rc = parse_tag1(buf, i, end, truncated, &pi, &i);
		} else if (buf[i] == TAG11) {
			rc = refuse(-EBADMSG, i, "a tag 11 without a tag 3 before it");
		} else {
			break;		/* the 0x00 terminator, or whatever ends the set */
		}
		if (rc < 0)
			goto out;
		if (hdr->n_packets == ECRYPTFS_MAX_PACKETS) {
			rc = refuse(-EBADMSG, i, "more than the 128 key packets this library keeps");
			goto out;
		}
		hdr->packets[hdr->n_packets++] = pi;
	}
	/* In a cut-off file the set must still end inside what we have. */
	if (i >= end && truncated) {
		rc = refuse(-EIO, i, "the file is cut before the end of the key packets");
		goto out;
	}
	if (hdr->n_packets == 0) {
		/* The kernel's "non-encrypted eCryptfs file". */
		rc = refuse(-EBADMSG, i, "not a key packet: the header has none");
		goto out;
	}
	*set_end = i;
out:
	return rc;
}

/* ECB with the file's cipher and KEK[0:key_bytes], as the kernel wraps FEKs. */
static int ecb(uint8_t code, const uint8_t *key, size_t key_bytes, bool encrypt,
	       const uint8_t *in, uint8_t *out, size_t n)
{
	gcry_cipher_hd_t h = NULL;
	gcry_error_t e;
	int algo, rc;

	algo = ecryptfs_fek_gcry_algo(code, key_bytes);
	if (algo < 0)
		return algo;
	rc = -ENOMEM;	/* the secure pool is what runs out */
	if (gcry_cipher_open(&h, algo, GCRY_CIPHER_MODE_ECB, GCRY_CIPHER_SECURE))
		goto out;
	rc = -EINVAL;
	e = gcry_cipher_setkey(h, key, key_bytes);
	/* libgcrypt still sets a DES weak key; the kernel only refuses to make one. */
	if (e && gcry_err_code(e) != GPG_ERR_WEAK_KEY)
		goto out;
	e = encrypt ? gcry_cipher_encrypt(h, out, n, in, n) : gcry_cipher_decrypt(h, out, n, in, n);
	if (e)
		goto out;
	rc = 0;
out:
	gcry_cipher_close(h);
	return rc;
}

static int unwrap_tag3(const struct ecryptfs_header *hdr, const struct ecryptfs_packet_info *pi,
		       struct ecryptfs_keyset *ks, struct ecryptfs_fek *fek)
{
	struct ecryptfs_pass_key *key = NULL;
	uint8_t *plain = NULL;
	size_t key_bytes = ecryptfs_tag3_key_bytes(pi->cipher_code, pi->efek_len);
	int rc;

	/* The cipher first: a file we cannot decrypt stays so whatever the key. */
	rc = ecryptfs_fek_check_size(pi->cipher_code, key_bytes);
	if (rc == -EINVAL) {
		/* A reader takes any size the cipher can key (code 7 with 32 bytes). */
		rc = ecryptfs_fek_gcry_algo(pi->cipher_code, key_bytes);
		if (rc >= 0)
			rc = key_bytes <= ECRYPTFS_MAX_KEY_BYTES ? 0 : -EBADMSG;
	}
	if (rc < 0)
		goto out;
	key = ecryptfs_secure_alloc(sizeof(*key));
	plain = ecryptfs_secure_alloc(MAX_EFEK_BYTES);
	if (!key || !plain) {
		rc = -ENOMEM;
		goto out;
	}
	rc = ecryptfs_keyset_get_pass_key(ks, pi->sig, key);
	if (rc < 0)
		goto out;
	{
		struct ecryptfs_cipher_info ci;

		ecryptfs_cipher_info(pi->cipher_code, &ci);
		if (pi->efek_len % ci.block_size) {
			rc = -EBADMSG;
			goto out;
		}
	}
	rc = ecb(pi->cipher_code, key->kek, key_bytes, false, hdr->raw + pi->efek_off, plain,
		 pi->efek_len);
	if (rc == -EINVAL)
		rc = -EBADMSG;	/* libgcrypt refused the key size the packet implies */
	if (rc < 0)
		goto out;
	fek->cipher_code = pi->cipher_code;
	fek->key_bytes = key_bytes;
	memcpy(fek->key, plain, key_bytes);
out:
	ecryptfs_secure_free(plain);
	ecryptfs_secure_free(key);
	return rc;
}

static int unwrap_tag1(const struct ecryptfs_header *hdr, const struct ecryptfs_packet_info *pi,
		       struct ecryptfs_keyset *ks, struct ecryptfs_fek *fek)
{
	uint8_t *payload = ecryptfs_secure_alloc(MAX_EFEK_BYTES);
	size_t len = MAX_EFEK_BYTES, n;
	unsigned sum = 0;
	int rc;

	if (!payload)
		return -ENOMEM;
	rc = ecryptfs_keyset_pubkey_decrypt(ks, pi->sig, hdr->raw + pi->efek_off,
					    pi->efek_len, payload, &len);
	if (rc < 0)
		goto out;
	rc = -EKEYREJECTED;
	if (len < 4 || len > MAX_EFEK_BYTES || len - 3 > ECRYPTFS_MAX_KEY_BYTES)
		goto out;
	n = len - 3;
	for (size_t j = 0; j < n; j++)
		sum += payload[1 + j];
	if ((sum & 0xffff) != ((unsigned)payload[1 + n] << 8 | payload[2 + n]))
		goto out;
	rc = ecryptfs_fek_gcry_algo(payload[0], n);
	if (rc < 0)
		goto out;
	fek->cipher_code = payload[0];
	fek->key_bytes = n;
	memcpy(fek->key, payload + 1, n);
	rc = 0;
out:
	ecryptfs_secure_free(payload);
	return rc;
}

int ecryptfs_packet_unwrap(const struct ecryptfs_header *hdr, size_t i,
			   struct ecryptfs_keyset *ks, struct ecryptfs_fek *fek)
{
	const struct ecryptfs_packet_info *pi = &hdr->packets[i];

	return pi->tag == 3 ? unwrap_tag3(hdr, pi, ks, fek) : unwrap_tag1(hdr, pi, ks, fek);
}

/* Body length of a tag 3 for this FEK: the EFEK is padded for AES-192. */
static size_t efek_len_for(const struct ecryptfs_fek *fek)
{
	return fek->cipher_code == ECRYPTFS_CIPHER_AES_192 ? 32 : fek->key_bytes;
}

static int put(uint8_t *out, size_t cap, size_t *pos, const void *p, size_t n)
{
	if (n > cap - *pos)
		return -E2BIG;
	memcpy(out + *pos, p, n);
	*pos += n;
	return 0;
}

static int put_len(uint8_t *out, size_t cap, size_t *pos, size_t len)
{
	uint8_t l[2];
	int n = ecryptfs_packet_length_write(len, l);

	if (n < 0)
		return -E2BIG;
	return put(out, cap, pos, l, (size_t)n);
}

static int write_tag3_tag11(const struct ecryptfs_pass_key *key,
			    const struct ecryptfs_fek *fek, uint8_t *out, size_t cap,
			    size_t *pos)
{
	const uint8_t fixed[4] = { TAG3_VERSION, fek->cipher_code, S2K_ITERATED_SALTED,
				   HASH_MD5 };
	const uint8_t t11[4] = { TAG11, TAG11_FIXED + ECRYPTFS_SIG_SIZE,
				 TAG11_FORMAT_BINARY, 8 };
	const uint8_t zero_date[4] = { 0 };
	uint8_t count = S2K_COUNT_65536, tag = TAG3;
	size_t n = efek_len_for(fek);
	uint8_t *buf = ecryptfs_secure_alloc(64);
	uint8_t efek[64];
	int rc;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, fek->key, fek->key_bytes);	/* zero padding for AES-192 */
	rc = ecb(fek->cipher_code, key->kek, fek->key_bytes, true, buf, efek, n);
	if (rc < 0)
		goto out;
	if ((rc = put(out, cap, pos, &tag, 1)) < 0 ||
	    (rc = put_len(out, cap, pos, TAG3_FIXED + n)) < 0 ||
	    (rc = put(out, cap, pos, fixed, sizeof(fixed))) < 0 ||
	    (rc = put(out, cap, pos, key->salt, ECRYPTFS_SALT_SIZE)) < 0 ||
	    (rc = put(out, cap, pos, &count, 1)) < 0 ||
	    (rc = put(out, cap, pos, efek, n)) < 0 ||
	    (rc = put(out, cap, pos, t11, sizeof(t11))) < 0 ||
	    (rc = put(out, cap, pos, TAG11_FILENAME, 8)) < 0 ||
	    (rc = put(out, cap, pos, zero_date, sizeof(zero_date))) < 0 ||
	    (rc = put(out, cap, pos, key->sig, ECRYPTFS_SIG_SIZE)) < 0)
		goto out;
out:
	ecryptfs_secure_free(buf);
	return rc;
}

static int write_tag1(struct ecryptfs_keyset *ks, const uint8_t sig[8],
		      const struct ecryptfs_fek *fek, uint8_t *out, size_t cap, size_t *pos)
{
	uint8_t *payload = ecryptfs_secure_alloc(ECRYPTFS_MAX_KEY_BYTES + 3);
	uint8_t blob[MAX_EFEK_BYTES];
	const uint8_t ver = TAG1_VERSION, algo = RFC2440_RSA, tag = TAG1;
	size_t blob_len = sizeof(blob);
	unsigned sum = 0;
	int rc;

	if (!payload)
		return -ENOMEM;
	payload[0] = fek->cipher_code;
	memcpy(payload + 1, fek->key, fek->key_bytes);
	for (size_t j = 0; j < fek->key_bytes; j++)
		sum += fek->key[j];
	payload[1 + fek->key_bytes] = (uint8_t)(sum >> 8);
	payload[2 + fek->key_bytes] = (uint8_t)sum;
	rc = ecryptfs_keyset_pubkey_encrypt(ks, sig, payload, fek->key_bytes + 3, blob,
					    &blob_len);
	if (rc < 0)
		goto out;
	if (blob_len == 0 || blob_len > sizeof(blob)) {
		rc = -EINVAL;
		goto out;
	}
	if ((rc = put(out, cap, pos, &tag, 1)) < 0 ||
	    (rc = put_len(out, cap, pos, TAG1_FIXED + blob_len)) < 0 ||
	    (rc = put(out, cap, pos, &ver, 1)) < 0 ||
	    (rc = put(out, cap, pos, sig, ECRYPTFS_SIG_SIZE)) < 0 ||
	    (rc = put(out, cap, pos, &algo, 1)) < 0 ||
	    (rc = put(out, cap, pos, blob, blob_len)) < 0)
		goto out;
out:
	ecryptfs_secure_free(payload);
	return rc;
}

int ecryptfs_packet_write_for_sig(struct ecryptfs_keyset *ks, const uint8_t sig[8],
				  const struct ecryptfs_fek *fek, uint8_t *out, size_t cap,
				  size_t *pos)
{
	struct ecryptfs_pass_key *key = ecryptfs_secure_alloc(sizeof(*key));
	int rc;

	if (!key)
		return -ENOMEM;
	rc = ecryptfs_keyset_get_pass_key(ks, sig, key);
	if (rc == 0)
		rc = write_tag3_tag11(key, fek, out, cap, pos);
	else if (rc == -ENOKEY)
		rc = write_tag1(ks, sig, fek, out, cap, pos);
	ecryptfs_secure_free(key);
	return rc;
}
