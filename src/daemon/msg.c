/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The frames of /dev/ecryptfs and the tag 64-67 payloads they carry
 * (doc/ecryptfsd.8, "PROTOCOL").  Pure functions on byte buffers: everything
 * here comes from the kernel, but is checked as if it came from anyone, so
 * that a malformed frame is dropped with a reason instead of being trusted
 * (tests/daemon/t-msg.c, tests/fuzz/fuzz-daemon-msg.c).
 *
 * A frame: type (1) | counter (4, big-endian) | then, unless the frame is
 * a bare 5-byte HELO/QUIT: packet length (1-2) | index (4, host order) |
 * data_len (4, host order) | data (data_len), the packet length counting
 * index, data_len and data.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "efsd.h"

/*
 * The packet length of the eCryptfs packets (the kernel's
 * ecryptfs_parse_packet_length): below 192 one octet; up to 8383 two,
 * the first 192-223.  Longer forms exist in OpenPGP but not here.
 */
int efsd_len_parse(const uint8_t *p, size_t avail, size_t *size, size_t *used)
{
	if (avail < 1)
		return -EINVAL;
	if (p[0] < 192) {
		*size = p[0];
		*used = 1;
		return 0;
	}
	if (p[0] < 224 && avail >= 2) {
		*size = ((size_t)(p[0] - 192) << 8) + p[1] + 192;
		*used = 2;
		return 0;
	}
	return -EINVAL;
}

int efsd_len_write(uint8_t *p, size_t size, size_t *used)
{
	if (size < 192) {
		p[0] = (uint8_t)size;
		*used = 1;
		return 0;
	}
	if (size < 8384) {
		p[0] = (uint8_t)((size - 192) / 256 + 192);
		p[1] = (uint8_t)((size - 192) % 256);
		*used = 2;
		return 0;
	}
	return -EMSGSIZE;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int efsd_frame_parse(const uint8_t *buf, size_t len, struct efsd_frame *f)
{
	size_t pkt, used;
	uint32_t dl;

	memset(f, 0, sizeof(*f));
	if (len < 5)
		return -EINVAL;
	if (len > EFSD_READ_MAX)
		return -EMSGSIZE;
	f->type = buf[0];
	f->counter = be32(buf + 1);
	if (len == 5)
		return 0;
	if (efsd_len_parse(buf + 5, len - 5, &pkt, &used) < 0)
		return -EINVAL;
	/* Exactly one message, nothing missing and nothing after it. */
	if (5 + used + pkt != len || pkt < 8)
		return -EINVAL;
	memcpy(&f->index, buf + 5 + used, 4);
	memcpy(&dl, buf + 5 + used + 4, 4);
	if (dl != pkt - 8)
		return -EINVAL;
	f->has_msg = true;
	f->data = buf + 5 + used + 8;
	f->data_len = dl;
	return 0;
}

int efsd_fek_payload_check(const uint8_t *p, size_t len)
{
	uint16_t sum = 0;

	/* Cipher code, at least one key byte, checksum; the kernel's key limit. */
	if (len < 4 || len > EFSD_FEK_PAYLOAD_MAX)
		return -EBADMSG;
	for (size_t i = 1; i < len - 2; i++)
		sum = (uint16_t)(sum + p[i]);
	if (p[len - 2] != (uint8_t)(sum >> 8) || p[len - 1] != (uint8_t)(sum & 0xff))
		return -EBADMSG;
	return 0;
}

/*
 * tag | packet length 16 | 16 hex digits | packet length N | N bytes,
 * and nothing after them.
 */
int efsd_req_parse(const uint8_t *data, size_t len, struct efsd_req *r)
{
	size_t i = 0, n, used;

	memset(r, 0, sizeof(*r));
	if (len < 1 || (data[0] != EFSD_TAG_DECRYPT && data[0] != EFSD_TAG_ENCRYPT))
		return -EINVAL;
	r->tag = data[i++];
	if (efsd_len_parse(data + i, len - i, &n, &used) < 0 || n != EFSD_SIG_HEX)
		return -EINVAL;
	i += used;
	if (len - i < EFSD_SIG_HEX)
		return -EINVAL;
	for (size_t k = 0; k < EFSD_SIG_HEX; k++) {
		char c = (char)data[i + k];

		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return -EINVAL;
		r->sig[k] = c;
	}
	r->sig[EFSD_SIG_HEX] = '\0';
	i += EFSD_SIG_HEX;
	if (efsd_len_parse(data + i, len - i, &n, &used) < 0)
		return -EINVAL;
	i += used;
	if (n != len - i)
		return -EINVAL;
	if (r->tag == EFSD_TAG_DECRYPT ? (n < 1 || n > EFSD_BLOB_MAX) :
	    efsd_fek_payload_check(data + i, n) < 0)
		return -EINVAL;
	r->payload = data + i;
	r->payload_len = n;
	return 0;
}

int efsd_reply_build(uint8_t req_tag, uint32_t counter, uint32_t index, const uint8_t *payload,
		     size_t n, uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t lenbuf[2], pktbuf[2];
	size_t lu = 0, pu, dl, total, i = 0;
	uint32_t dl32;
	uint8_t tag = req_tag == EFSD_TAG_ENCRYPT ? EFSD_TAG_ENCRYPTED : EFSD_TAG_DECRYPTED;

	*out_len = 0;
	if (payload) {
		/* What the kernel's parse_tag_65/67_packet accept. */
		if (tag == EFSD_TAG_DECRYPTED ? efsd_fek_payload_check(payload, n) < 0 :
		    (n < 1 || n > EFSD_BLOB_MAX))
			return -EINVAL;
		efsd_len_write(lenbuf, n, &lu);
		dl = 2 + lu + n;
	} else {
		dl = 2;
	}
	if (efsd_len_write(pktbuf, 8 + dl, &pu) < 0)
		return -EMSGSIZE;
	total = 5 + pu + 8 + dl;
	if (total > EFSD_WRITE_MAX || total > cap)
		return -EMSGSIZE;
	out[i++] = EFSD_MSG_RESPONSE;
	out[i++] = (uint8_t)(counter >> 24);
	out[i++] = (uint8_t)(counter >> 16);
	out[i++] = (uint8_t)(counter >> 8);
	out[i++] = (uint8_t)counter;
	memcpy(out + i, pktbuf, pu);
	i += pu;
	memcpy(out + i, &index, 4);
	i += 4;
	dl32 = (uint32_t)dl;
	memcpy(out + i, &dl32, 4);
	i += 4;
	out[i++] = tag;
	out[i++] = payload ? 0x00 : 0xff;
	if (payload) {
		memcpy(out + i, lenbuf, lu);
		i += lu;
		memcpy(out + i, payload, n);
		i += n;
	}
	*out_len = i;
	return 0;
}

void efsd_bare_build(uint8_t type, uint8_t out[5])
{
	out[0] = type;
	memset(out + 1, 0, 4);
}
