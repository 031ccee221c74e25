/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * For tests/daemon/t-*.c and the fuzz target: frames built the way the
 * kernel builds them (fs/ecryptfs/keystore.c write_tag_64_packet and
 * write_tag_66_packet, miscdev.c ecryptfs_miscdev_read), and the checks
 * the kernel applies to what the daemon writes back (miscdev.c
 * ecryptfs_miscdev_write and ecryptfs_miscdev_response, keystore.c
 * parse_tag_65_packet and parse_tag_67_packet), written down here from
 * their documented behaviour so that a reply the kernel would refuse fails
 * a test instead of an open in the VM.
 */
#ifndef ECFS_TESTS_DAEMON_KFRAME_H
#define ECFS_TESTS_DAEMON_KFRAME_H

#include <stdint.h>
#include <string.h>

#include "efsd.h"

/* A request frame: tag, sig (16 chars), payload; returns the frame length. */
__attribute__((unused))
static size_t kf_request(uint8_t *out, uint32_t counter, uint32_t index, uint8_t tag,
			 const char *sig, const uint8_t *payload, size_t n)
{
	uint8_t data[1024];
	size_t i = 0, u, f = 0;
	uint32_t dl;

	data[i++] = tag;
	efsd_len_write(data + i, 16, &u);
	i += u;
	memcpy(data + i, sig, 16);
	i += 16;
	efsd_len_write(data + i, n, &u);
	i += u;
	memcpy(data + i, payload, n);
	i += n;
	out[f++] = EFSD_MSG_REQUEST;
	out[f++] = (uint8_t)(counter >> 24);
	out[f++] = (uint8_t)(counter >> 16);
	out[f++] = (uint8_t)(counter >> 8);
	out[f++] = (uint8_t)counter;
	efsd_len_write(out + f, 8 + i, &u);
	f += u;
	memcpy(out + f, &index, 4);
	f += 4;
	dl = (uint32_t)i;
	memcpy(out + f, &dl, 4);
	f += 4;
	memcpy(out + f, data, i);
	return f + i;
}

/* cipher code, FEK, checksum (the kernel's write_tag_66_packet) */
__attribute__((unused))
static size_t kf_fek_payload(uint8_t *out, uint8_t cipher, const uint8_t *fek, size_t n)
{
	uint16_t sum = 0;

	out[0] = cipher;
	memcpy(out + 1, fek, n);
	for (size_t i = 0; i < n; i++)
		sum = (uint16_t)(sum + fek[i]);
	out[n + 1] = (uint8_t)(sum >> 8);
	out[n + 2] = (uint8_t)sum;
	return n + 3;
}

/*
 * What the kernel does with a frame we write, for a request of tag
 * req_tag with this counter and index: 0 when it accepts it and delivers
 * the payload (into payload/n), -1 when it refuses the write itself,
 * -2 when it takes the frame but fails the open (EIO).
 */
__attribute__((unused))
static int kf_kernel_takes(const uint8_t *w, size_t count, uint8_t req_tag, uint32_t counter,
			   uint32_t index, const uint8_t **payload, size_t *n)
{
	size_t pl, ls, m, ml, i = 0;
	uint32_t idx, dl, seq;
	const uint8_t *data;

	if (count == 5)
		return w[0] == EFSD_MSG_HELO || w[0] == EFSD_MSG_QUIT ? 0 : -1;
	if (count < 6 || count > 531)
		return -1;
	if (efsd_len_parse(w + 5, count - 5, &pl, &ls) < 0 || 5 + ls + pl != count)
		return -1;
	if (w[0] != EFSD_MSG_RESPONSE || count < 6 + 8)
		return -1;
	seq = (uint32_t)w[1] << 24 | (uint32_t)w[2] << 16 | (uint32_t)w[3] << 8 | w[4];
	memcpy(&idx, w + 5 + ls, 4);
	memcpy(&dl, w + 5 + ls + 4, 4);
	if ((size_t)dl + 8 != pl || idx != index || seq != counter)
		return -1;
	data = w + 5 + ls + 8;
	ml = dl;
	if (ml < 4)
		return -2;
	if (data[i++] != (req_tag == EFSD_TAG_DECRYPT ? EFSD_TAG_DECRYPTED : EFSD_TAG_ENCRYPTED))
		return -2;
	if (data[i++] != 0)
		return -2;
	if (efsd_len_parse(data + i, ml - i, &m, &ls) < 0)
		return -2;
	i += ls;
	if (ml < i + m)
		return -2;
	if (req_tag == EFSD_TAG_DECRYPT) {
		uint16_t sum = 0;

		if (m < 3 || m - 3 > EFSD_FEK_MAX)
			return -2;
		for (size_t k = 0; k < m - 3; k++)
			sum = (uint16_t)(sum + data[i + 1 + k]);
		if (data[i + m - 2] != (uint8_t)(sum >> 8) || data[i + m - 1] != (uint8_t)sum)
			return -2;
	} else if (m > EFSD_BLOB_MAX) {
		return -2;
	}
	*payload = data + i;
	*n = m;
	return 0;
}

#endif /* ECFS_TESTS_DAEMON_KFRAME_H */
