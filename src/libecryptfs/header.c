/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The metadata region (doc/format.md §2, §6): size field, marker, version
 * and flags, header-extent fields and the packet set, in the file head or in
 * the user.ecryptfs xattr.  Also the FEK itself, since the header is where it
 * is born and where it is found again.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <gcrypt.h>

#include "libecryptfs.h"
#include "bigendian.h"
#include "internal.h"

#define OFF_MARKER 8
#define OFF_FLAGS 16
#define OFF_EXTENT_SIZE 20
#define OFF_EXTENT_COUNT 24
#define OFF_PACKETS 26
#define OFF_PACKETS_V0 20

struct ecryptfs_fek *ecryptfs_fek_new(void)
{
	return ecryptfs_secure_alloc(sizeof(struct ecryptfs_fek));
}

void ecryptfs_fek_free(struct ecryptfs_fek *fek)
{
	ecryptfs_secure_free(fek);
}

int ecryptfs_fek_generate(uint8_t cipher_code, size_t key_bytes,
			  struct ecryptfs_fek *fek)
{
	int rc;

	if (!fek)
		return -EINVAL;
	rc = ecryptfs_init();
	if (rc < 0)
		return rc;
	rc = ecryptfs_fek_check_size(cipher_code, key_bytes);
	if (rc < 0)
		return rc;
	memset(fek, 0, sizeof(*fek));
	fek->cipher_code = cipher_code;
	fek->key_bytes = key_bytes;
	gcry_randomize(fek->key, key_bytes, GCRY_STRONG_RANDOM);
	return 0;
}

ECRYPTFS_EXPORT uint64_t ecryptfs_lower_size(uint64_t size, uint64_t data_offset)
{
	uint64_t extents = ecryptfs_extents_for(size);

	/* Saturate: a wrapped result would tell callers to cut the file short. */
	if (extents > (UINT64_MAX - data_offset) / ECRYPTFS_EXTENT_SIZE)
		return UINT64_MAX;
	return data_offset + extents * ECRYPTFS_EXTENT_SIZE;
}

/* A header that ends inside a fixed field: cut (file head) or malformed (xattr). */
static int cut_short(bool in_xattr, size_t end, const char *field)
{
	ecryptfs_log(ECRYPTFS_LOG_ERR, "header: %s after %zu bytes, inside %s",
		     in_xattr ? "the xattr ends" : "the file is cut", end, field);
	return in_xattr ? -EBADMSG : -EIO;
}

ECRYPTFS_EXPORT int ecryptfs_header_parse(const uint8_t *buf, size_t len, bool in_xattr,
					  struct ecryptfs_header *hdr)
{
	size_t end, start, set_end = 0;
	int truncated, rc;
	uint32_t flags;

	if (!buf || !hdr)
		return -EINVAL;
	memset(hdr, 0, offsetof(struct ecryptfs_header, raw));
	hdr->in_xattr = in_xattr;
	if (len == 0)
		return -ENODATA;
	if (len < OFF_FLAGS)
		return -ENOMSG;	/* too short to carry a marker: not ours */
	if ((ecryptfs_get_be32(buf + OFF_MARKER) ^ ECRYPTFS_MARKER_MAGIC) !=
	    ecryptfs_get_be32(buf + OFF_MARKER + 4))
		return -ENOMSG;
	/* The kernel reads at most 4096 bytes of either form. */
	if (in_xattr && len > ECRYPTFS_HEADER_READ_MAX) {
		ecryptfs_log(ECRYPTFS_LOG_ERR, "header: a %zu-byte xattr, over the kernel's "
			     "%d", len, ECRYPTFS_HEADER_READ_MAX);
		return -EBADMSG;
	}
	end = len < ECRYPTFS_HEADER_READ_MAX ? len : ECRYPTFS_HEADER_READ_MAX;
	/* A value ends where it ends; a file head shorter than 4096 was cut. */
	truncated = !in_xattr && end < ECRYPTFS_HEADER_READ_MAX;
	if (end < OFF_FLAGS + 4)
		return cut_short(in_xattr, end, "the flags");
	hdr->size = ecryptfs_get_be64(buf);
	hdr->marker = ecryptfs_get_be32(buf + OFF_MARKER);
	flags = ecryptfs_get_be32(buf + OFF_FLAGS);
	hdr->version = (uint8_t)(flags >> 24);
	hdr->flags = (uint8_t)flags;
	if (hdr->version > ECRYPTFS_FILE_VERSION) {
		ecryptfs_log(ECRYPTFS_LOG_ERR, "header: format version %u, above %d",
			     hdr->version, ECRYPTFS_FILE_VERSION);
		return -EPROTO;
	}
	if (hdr->version == 0) {
		hdr->extent_size = ECRYPTFS_EXTENT_SIZE;
		hdr->extent_count = 2;
		start = OFF_PACKETS_V0;
	} else {
		if (end < OFF_PACKETS)
			return cut_short(in_xattr, end, "the header-extent fields");
		hdr->extent_size = ecryptfs_get_be32(buf + OFF_EXTENT_SIZE);
		hdr->extent_count = ecryptfs_get_be16(buf + OFF_EXTENT_COUNT);
		start = OFF_PACKETS;
	}
	hdr->metadata_size = (uint64_t)hdr->extent_size * hdr->extent_count;
	/*
	 * Flag 0x04 in an in-file header would make the kernel read data from
	 * offset 0, which is wrong for every file that has it (encrypted-view
	 * copies strip it); the header's own place decides here.
	 */
	if (!in_xattr && hdr->metadata_size < ECRYPTFS_MIN_METADATA_SIZE) {
		ecryptfs_log(ECRYPTFS_LOG_ERR, "header: metadata of %u x %u bytes, below %d",
			     hdr->extent_count, hdr->extent_size, ECRYPTFS_MIN_METADATA_SIZE);
		return -EBADMSG;
	}
	rc = ecryptfs_packet_set_parse(buf, start, end, truncated, hdr, &set_end);
	if (rc < 0)
		return rc;
	hdr->raw_len = set_end;
	memcpy(hdr->raw, buf, set_end);
	for (size_t i = 0; i < hdr->n_packets; i++) {
		const struct ecryptfs_packet_info *pi = &hdr->packets[i];

		if (pi->tag == 3) {
			hdr->cipher_code = pi->cipher_code;
			hdr->key_bytes = ecryptfs_tag3_key_bytes(pi->cipher_code, pi->efek_len);
			break;
		}
	}
	return 0;
}

int ecryptfs_header_unwrap_fek(const struct ecryptfs_header *hdr,
			       struct ecryptfs_keyset *ks,
			       struct ecryptfs_fek *fek, size_t *which)
{
	char sig_hex[ECRYPTFS_SIG_HEX_SIZE + 1];
	int rc = -ENOKEY, first_err = 0;

	if (!hdr || !ks || !fek)
		return -EINVAL;
	rc = ecryptfs_init();
	if (rc < 0)
		return rc;
	rc = -ENOKEY;
	/* Like the kernel: a candidate that fails is dropped, the next one tried. */
	for (size_t i = 0; i < hdr->n_packets; i++) {
		int r = ecryptfs_packet_unwrap(hdr, i, ks, fek);

		if (r == 0) {
			if (which)
				*which = i;
			rc = 0;
			goto out;
		}
		if (r == -ENOKEY)
			continue;
		if (!first_err)
			first_err = r;
		ecryptfs_sig_to_hex(hdr->packets[i].sig, sig_hex);
		ecryptfs_log(ECRYPTFS_LOG_DEBUG, "header: key packet %zu (sig %s) failed (%d), "
			     "trying the next", i, sig_hex, r);
	}
	/* Say why the file cannot be read if a key was not the only problem. */
	if (first_err)
		rc = first_err;
out:
	if (rc < 0)
		ecryptfs_wipe(fek, sizeof(*fek));
	return rc;
}

int ecryptfs_header_build(const struct ecryptfs_policy *p,
			  struct ecryptfs_keyset *ks,
			  const struct ecryptfs_fek *fek, uint64_t size,
			  bool in_xattr, uint8_t *out, size_t out_cap,
			  size_t *out_len)
{
	uint8_t head[ECRYPTFS_HEADER_READ_MAX];
	uint32_t metadata_size, m1, flags;
	size_t pos = OFF_PACKETS, total;
	int rc;

	if (!p || !ks || !fek || !out || !out_len)
		return -EINVAL;
	rc = ecryptfs_init();
	if (rc < 0)
		return rc;
	if (p->n_sigs == 0 || p->n_sigs > ECRYPTFS_POLICY_MAX_KEYS)
		return -EINVAL;
	rc = ecryptfs_fek_check_size(fek->cipher_code, fek->key_bytes);
	if (rc < 0)
		return rc;
	metadata_size = p->metadata_size && !in_xattr ? p->metadata_size
						      : ECRYPTFS_MIN_METADATA_SIZE;
	if (metadata_size < ECRYPTFS_MIN_METADATA_SIZE || metadata_size % ECRYPTFS_EXTENT_SIZE ||
	    metadata_size / ECRYPTFS_EXTENT_SIZE > 0xffff)
		return -EINVAL;
	memset(head, 0, sizeof(head));
	ecryptfs_put_be64(head, size);
	gcry_randomize(&m1, sizeof(m1), GCRY_WEAK_RANDOM);
	ecryptfs_put_be32(head + OFF_MARKER, m1);
	ecryptfs_put_be32(head + OFF_MARKER + 4, m1 ^ ECRYPTFS_MARKER_MAGIC);
	flags = (uint32_t)ECRYPTFS_FILE_VERSION << 24 | ECRYPTFS_FLAG_ENCRYPTED;
	if (p->encrypt_filenames)
		flags |= ECRYPTFS_FLAG_ENCRYPT_FILENAMES;
	if (in_xattr)
		flags |= ECRYPTFS_FLAG_METADATA_IN_XATTR;
	ecryptfs_put_be32(head + OFF_FLAGS, flags);
	ecryptfs_put_be32(head + OFF_EXTENT_SIZE, ECRYPTFS_EXTENT_SIZE);
	ecryptfs_put_be16(head + OFF_EXTENT_COUNT,
			  (uint16_t)(metadata_size / ECRYPTFS_EXTENT_SIZE));
	for (size_t i = 0; i < p->n_sigs; i++) {
		/* One byte stays free for the terminator the kernel needs to find. */
		rc = ecryptfs_packet_write_for_sig(ks, p->sigs[i], fek, head,
						   sizeof(head) - 1, &pos);
		if (rc < 0)
			goto out;
	}
	total = in_xattr ? pos : metadata_size;
	if (out_cap < total) {
		rc = -ENOSPC;
		goto out;
	}
	memcpy(out, head, pos);
	if (!in_xattr)
		memset(out + pos, 0, total - pos);
	*out_len = total;
out:
	ecryptfs_wipe(head, sizeof(head));
	return rc;
}

int ecryptfs_header_view_copy(const struct ecryptfs_header *hdr,
			      uint8_t out[ECRYPTFS_MIN_METADATA_SIZE])
{
	if (!hdr || !out || !hdr->in_xattr || hdr->raw_len < OFF_PACKETS ||
	    hdr->raw_len >= ECRYPTFS_HEADER_READ_MAX)
		return -EINVAL;
	memset(out, 0, ECRYPTFS_MIN_METADATA_SIZE);
	memcpy(out, hdr->raw, hdr->raw_len);
	out[OFF_FLAGS + 3] &= (uint8_t)~ECRYPTFS_FLAG_METADATA_IN_XATTR;
	if (hdr->version > 0) {
		ecryptfs_put_be32(out + OFF_EXTENT_SIZE, ECRYPTFS_EXTENT_SIZE);
		ecryptfs_put_be16(out + OFF_EXTENT_COUNT,
				  ECRYPTFS_MIN_METADATA_SIZE / ECRYPTFS_EXTENT_SIZE);
	}
	return 0;
}
