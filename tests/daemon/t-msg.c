/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfsd's frame and payload code (src/daemon/msg.c) against frames
 * built as the kernel builds them (kframe.h): requests parse into the
 * right fields; truncated, padded, oversized and inconsistent frames and
 * payloads are refused; the replies are byte for byte what the kernel's
 * checks accept (and the failure form one it turns into EIO).
 */
#include <errno.h>
#include <stdio.h>

#include "tap.h"
#include "kframe.h"

static const char SIG[] = "0123456789abcdef";

static void test_len(void)
{
	static const size_t sizes[] = { 0, 1, 191, 192, 193, 255, 256, 531, 8383 };
	uint8_t b[2] = { 0, 0 };
	size_t got, used, u, bad = 0;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (efsd_len_write(b, sizes[i], &u) < 0 || u != (sizes[i] < 192 ? 1u : 2u) ||
		    efsd_len_parse(b, u, &got, &used) < 0 || got != sizes[i] || used != u)
			bad++;
	}
	is_int(bad, 0, "packet lengths 0..8383 round-trip in 1 or 2 octets");
	is_int(efsd_len_write(b, 8384, &u), -EMSGSIZE, "8384 has no packet length");
	b[0] = 0xe0;
	b[1] = 0;
	is_int(efsd_len_parse(b, 2, &got, &used), -EINVAL, "first octet 0xe0 refused");
	b[0] = 0xff;
	is_int(efsd_len_parse(b, 2, &got, &used), -EINVAL, "first octet 0xff refused");
	b[0] = 0xc0;
	is_int(efsd_len_parse(b, 1, &got, &used), -EINVAL, "a two-octet length cut short");
	is_int(efsd_len_parse(b, 0, &got, &used), -EINVAL, "no octet at all");
}

static void test_requests(void)
{
	uint8_t frame[2048], blob[512], fek[64], pl[80];
	struct efsd_frame f;
	struct efsd_req r;
	size_t n, pn, bad = 0;

	for (size_t i = 0; i < sizeof(blob); i++)
		blob[i] = (uint8_t)(i * 7 + 3);
	for (size_t i = 0; i < sizeof(fek); i++)
		fek[i] = (uint8_t)(0xf0 + i);

	/* Tag 64, an RSA-2048 blob: two-octet lengths in frame and payload. */
	n = kf_request(frame, 0x01020304, 7, EFSD_TAG_DECRYPT, SIG, blob, 256);
	is_int(efsd_frame_parse(frame, n, &f), 0, "tag 64 frame (%zu bytes) parses", n);
	ok(f.type == EFSD_MSG_REQUEST && f.counter == 0x01020304 && f.index == 7 && f.has_msg &&
	   f.data_len == 1 + 1 + 16 + 2 + 256, "type, counter, index and data length");
	is_int(efsd_req_parse(f.data, f.data_len, &r), 0, "its tag 64 payload parses");
	ok(r.tag == EFSD_TAG_DECRYPT && !strcmp(r.sig, SIG) && r.payload_len == 256 &&
	   !memcmp(r.payload, blob, 256), "tag, signature and the blob");

	/* The largest the kernel sends: a 512-byte blob. */
	n = kf_request(frame, 1, 31, EFSD_TAG_DECRYPT, SIG, blob, 512);
	ok(efsd_frame_parse(frame, n, &f) == 0 && efsd_req_parse(f.data, f.data_len, &r) == 0 &&
	   r.payload_len == 512, "a 512-byte blob (frame of %zu bytes)", n);

	/* Tag 66: cipher code, FEK, checksum. */
	pn = kf_fek_payload(pl, 0x07, fek, 16);
	n = kf_request(frame, 9, 0, EFSD_TAG_ENCRYPT, SIG, pl, pn);
	ok(efsd_frame_parse(frame, n, &f) == 0 && efsd_req_parse(f.data, f.data_len, &r) == 0 &&
	   r.tag == EFSD_TAG_ENCRYPT && r.payload_len == 19 && !memcmp(r.payload, pl, 19),
	   "tag 66 with a 16-byte FEK");
	pn = kf_fek_payload(pl, 0x09, fek, 64);
	n = kf_request(frame, 9, 0, EFSD_TAG_ENCRYPT, SIG, pl, pn);
	ok(efsd_frame_parse(frame, n, &f) == 0 && efsd_req_parse(f.data, f.data_len, &r) == 0 &&
	   r.payload_len == 67, "tag 66 with a 64-byte FEK");

	/* Upper-case hex is the same key, spelt as the keyring spells it. */
	n = kf_request(frame, 2, 0, EFSD_TAG_DECRYPT, "0123456789ABCDEF", blob, 100);
	ok(efsd_frame_parse(frame, n, &f) == 0 && efsd_req_parse(f.data, f.data_len, &r) == 0 &&
	   !strcmp(r.sig, SIG), "upper-case signature lowered");

	/* Bare frames. */
	efsd_bare_build(EFSD_MSG_HELO, frame);
	ok(efsd_frame_parse(frame, 5, &f) == 0 && f.type == EFSD_MSG_HELO && !f.has_msg,
	   "a bare 5-byte HELO frame");

	/* Every truncation of a valid frame, and one byte more, refused. */
	n = kf_request(frame, 3, 4, EFSD_TAG_DECRYPT, SIG, blob, 256);
	for (size_t k = 0; k < n; k++)
		if (k != 5 && efsd_frame_parse(frame, k, &f) != -EINVAL)
			bad++;
	is_int(bad, 0, "all %zu truncations of a tag 64 frame refused (but the 5-byte one)", n);
	frame[n] = 0;
	is_int(efsd_frame_parse(frame, n + 1, &f), -EINVAL, "a byte after the message refused");
	is_int(efsd_frame_parse(frame, EFSD_READ_MAX + 1, &f), -EMSGSIZE, "oversized refused");

	/* data_len that disagrees with the packet length. */
	n = kf_request(frame, 3, 4, EFSD_TAG_DECRYPT, SIG, blob, 100);
	frame[6 + 4] ^= 1;	/* data_len's low byte (one-octet packet length) */
	is_int(efsd_frame_parse(frame, n, &f), -EINVAL, "data_len off by one refused");
	/* A packet length below the 8-byte message header. */
	{
		uint8_t s[] = { EFSD_MSG_REQUEST, 0, 0, 0, 1, 7, 0, 0, 0, 0, 0, 0, 0 };

		is_int(efsd_frame_parse(s, sizeof(s), &f), -EINVAL, "packet of 7 bytes refused");
	}

	/* Payloads: each parses only whole. */
	n = kf_request(frame, 3, 4, EFSD_TAG_DECRYPT, SIG, blob, 100);
	efsd_frame_parse(frame, n, &f);
	bad = 0;
	for (size_t k = 0; k < f.data_len; k++)
		if (efsd_req_parse(f.data, k, &r) != -EINVAL)
			bad++;
	is_int(bad, 0, "all %zu truncations of a tag 64 payload refused", f.data_len);
	{
		uint8_t d[600];
		size_t dn;

		/* Payload fields by hand: tag, len, sig, len, blob. */
		memcpy(d, f.data, f.data_len);
		d[0] = EFSD_TAG_DECRYPTED;
		is_int(efsd_req_parse(d, f.data_len, &r), -EINVAL, "tag 65 is no request");
		d[0] = EFSD_TAG_DECRYPT;
		d[1] = 15;
		is_int(efsd_req_parse(d, f.data_len, &r), -EINVAL, "a 15-char signature refused");
		d[1] = 16;
		d[2 + 5] = 'g';
		is_int(efsd_req_parse(d, f.data_len, &r), -EINVAL, "a non-hex signature refused");
		d[2 + 5] = '5';
		d[f.data_len] = 0;
		is_int(efsd_req_parse(d, f.data_len + 1, &r), -EINVAL, "a byte after the blob");
		dn = 0;
		d[dn++] = EFSD_TAG_DECRYPT;
		d[dn++] = 16;
		memcpy(d + dn, SIG, 16);
		dn += 16;
		d[dn++] = 0;
		is_int(efsd_req_parse(d, dn, &r), -EINVAL, "an empty blob refused");
		dn -= 1;
		efsd_len_write(d + dn, 513, &pn);
		dn += pn;
		memset(d + dn, 1, 513);
		is_int(efsd_req_parse(d, dn + 513, &r), -EINVAL, "a 513-byte blob refused");
	}
	/* Tag 66 with a bad checksum, and with a 65-byte FEK. */
	pn = kf_fek_payload(pl, 0x07, fek, 16);
	pl[pn - 1] ^= 0x01;
	n = kf_request(frame, 9, 0, EFSD_TAG_ENCRYPT, SIG, pl, pn);
	ok(efsd_frame_parse(frame, n, &f) == 0 && efsd_req_parse(f.data, f.data_len, &r) == -EINVAL,
	   "tag 66 with a wrong checksum refused");
	{
		uint8_t big[65];

		memset(big, 3, sizeof(big));
		pn = kf_fek_payload(pl, 0x07, big, 65);
		n = kf_request(frame, 9, 0, EFSD_TAG_ENCRYPT, SIG, pl, pn);
		ok(efsd_frame_parse(frame, n, &f) == 0 &&
		   efsd_req_parse(f.data, f.data_len, &r) == -EINVAL,
		   "tag 66 with a 65-byte FEK refused");
	}
}

static void test_replies(void)
{
	uint8_t out[EFSD_WRITE_MAX + 16], fek[32], pl[80], blob[513];
	const uint8_t *got;
	size_t n, pn, gn;

	for (size_t i = 0; i < sizeof(fek); i++)
		fek[i] = (uint8_t)(0x80 + i * 3);
	memset(blob, 0x5a, sizeof(blob));

	pn = kf_fek_payload(pl, 0x07, fek, 32);
	is_int(efsd_reply_build(EFSD_TAG_DECRYPT, 0xa1b2c3d4, 17, pl, pn, out, sizeof(out), &n), 0,
	       "tag 65 reply built");
	{
		/* 103 | counter | 8+38=46 | index 17 | data_len 38 | 41 00 23 payload */
		uint8_t want[5 + 1 + 8 + 4] = { 103, 0xa1, 0xb2, 0xc3, 0xd4, 46 };
		uint32_t idx = 17, dl = 38;

		memcpy(want + 6, &idx, 4);
		memcpy(want + 10, &dl, 4);
		want[14] = 0x41;
		want[15] = 0x00;
		want[16] = 35;
		want[17] = 0x07;
		ok(n == 5 + 1 + 8 + 38 && !memcmp(out, want, sizeof(want)) &&
		   !memcmp(out + 17, pl, pn), "its bytes: frame, message header, 41 00 len payload");
	}
	ok(kf_kernel_takes(out, n, EFSD_TAG_DECRYPT, 0xa1b2c3d4, 17, &got, &gn) == 0 && gn == pn &&
	   !memcmp(got, pl, pn), "the kernel's checks take it and find the FEK payload");
	ok(kf_kernel_takes(out, n, EFSD_TAG_DECRYPT, 0xa1b2c3d5, 17, &got, &gn) == -1,
	   "(and would refuse it for another counter)");

	is_int(efsd_reply_build(EFSD_TAG_ENCRYPT, 5, 31, blob, 512, out, sizeof(out), &n), 0,
	       "tag 67 reply with a 512-byte blob built");
	is_int(n, EFSD_WRITE_MAX, "exactly the kernel's 531-byte limit");
	ok(kf_kernel_takes(out, n, EFSD_TAG_ENCRYPT, 5, 31, &got, &gn) == 0 && gn == 512 &&
	   !memcmp(got, blob, 512), "the kernel's checks take it");
	is_int(efsd_reply_build(EFSD_TAG_ENCRYPT, 5, 31, blob, 256, out, sizeof(out), &n), 0,
	       "tag 67 reply with a 256-byte blob built");
	ok(kf_kernel_takes(out, n, EFSD_TAG_ENCRYPT, 5, 31, &got, &gn) == 0 && gn == 256,
	   "the kernel's checks take it (%zu bytes)", n);
	is_int(efsd_reply_build(EFSD_TAG_ENCRYPT, 5, 31, blob, 513, out, sizeof(out), &n), -EINVAL,
	       "a 513-byte blob is no reply");
	pl[pn - 1] ^= 1;
	is_int(efsd_reply_build(EFSD_TAG_DECRYPT, 5, 31, pl, pn, out, sizeof(out), &n), -EINVAL,
	       "a FEK payload with a wrong checksum is no reply");
	is_int(efsd_reply_build(EFSD_TAG_ENCRYPT, 5, 31, blob, 256, out, 100, &n), -EMSGSIZE,
	       "a buffer too small is said");

	is_int(efsd_reply_build(EFSD_TAG_DECRYPT, 77, 3, NULL, 0, out, sizeof(out), &n), 0,
	       "failure reply to tag 64 built");
	ok(n == 16 && out[14] == 0x41 && out[15] == 0xff, "tag 65, status 0xff");
	is_int(kf_kernel_takes(out, n, EFSD_TAG_DECRYPT, 77, 3, &got, &gn), -2,
	       "the kernel takes the frame and fails the open at once");
	is_int(efsd_reply_build(EFSD_TAG_ENCRYPT, 77, 3, NULL, 0, out, sizeof(out), &n), 0,
	       "failure reply to tag 66 built");
	ok(n == 16 && out[14] == 0x43 && out[15] == 0xff &&
	   kf_kernel_takes(out, n, EFSD_TAG_ENCRYPT, 77, 3, &got, &gn) == -2, "tag 67, status 0xff");
	efsd_bare_build(EFSD_MSG_QUIT, out);
	ok(out[0] == EFSD_MSG_QUIT && !out[1] && !out[2] && !out[3] && !out[4] &&
	   kf_kernel_takes(out, 5, 0, 0, 0, &got, &gn) == 0, "QUIT: 5 bytes the kernel takes");
}

int main(void)
{
	test_len();
	test_requests();
	test_replies();
	return tap_done();
}
