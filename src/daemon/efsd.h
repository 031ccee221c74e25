/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfsd (doc/ecryptfsd.8): the daemon the kernel eCryptfs asks, over
 * /dev/ecryptfs, to unwrap (tag 64 -> 65) and wrap (tag 66 -> 67) the file
 * keys of tag 1 packets with a key module's key.  Layers, each in its file:
 *   msg.c      the device's frames and the tag 64-67 payloads: parse and
 *              build, no I/O (tests/daemon/t-msg.c, tests/fuzz/fuzz-daemon-msg.c)
 *   request.c  one kernel frame in, one reply frame out: the module key
 *              named by the signature, from the user keyring, opened once
 *   main.c     options, the device, the loop
 */
#ifndef ECFS_SRC_DAEMON_EFSD_H
#define ECFS_SRC_DAEMON_EFSD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Frame types (the kernel's ECRYPTFS_MSG_*). */
#define EFSD_MSG_HELO 100
#define EFSD_MSG_QUIT 101
#define EFSD_MSG_REQUEST 102
#define EFSD_MSG_RESPONSE 103

/* Payload tags. */
#define EFSD_TAG_DECRYPT 0x40	/* 64: unwrap this blob */
#define EFSD_TAG_DECRYPTED 0x41	/* 65 */
#define EFSD_TAG_ENCRYPT 0x42	/* 66: wrap this FEK payload */
#define EFSD_TAG_ENCRYPTED 0x43	/* 67 */

#define EFSD_SIG_HEX 16
#define EFSD_BLOB_MAX 512	/* the kernel's ECRYPTFS_MAX_ENCRYPTED_KEY_BYTES */
#define EFSD_FEK_MAX 64		/* ECRYPTFS_MAX_KEY_BYTES */
#define EFSD_FEK_PAYLOAD_MAX (1 + EFSD_FEK_MAX + 2)	/* cipher code, FEK, checksum */
/*
 * The largest frame the kernel accepts from us (a tag 67 reply of 512
 * bytes: 5 + 2 + 8 + 4 + 512), and a read buffer comfortably above the
 * largest request it sends (a tag 64 of 512 bytes, 547).  A read with a
 * smaller buffer than the queued frame returns 0 and leaves it queued.
 */
#define EFSD_WRITE_MAX 531
#define EFSD_READ_MAX 4096

/* A frame read from the device. */
struct efsd_frame {
	uint8_t type;		/* EFSD_MSG_* */
	uint32_t counter;	/* echoed in the reply */
	bool has_msg;		/* false for a bare 5-byte frame */
	uint32_t index;		/* the kernel's message context, echoed */
	const uint8_t *data;	/* into the frame */
	size_t data_len;
};

/* A tag 64 or 66 request (pointers into the frame). */
struct efsd_req {
	uint8_t tag;
	char sig[EFSD_SIG_HEX + 1];	/* lowercase, as the keyring spells it */
	const uint8_t *payload;		/* 64: the wrapped blob; 66: cipher, FEK, checksum */
	size_t payload_len;
};

/* msg.c: 0 or -EINVAL (-EMSGSIZE for a length beyond the limits); never a partial result. */
int efsd_len_parse(const uint8_t *p, size_t avail, size_t *size, size_t *used);
int efsd_len_write(uint8_t *p, size_t size, size_t *used);
int efsd_frame_parse(const uint8_t *buf, size_t len, struct efsd_frame *f);
int efsd_req_parse(const uint8_t *data, size_t len, struct efsd_req *r);
/* The FEK payload's checksum is the 16-bit sum of the FEK bytes: 0 or -EBADMSG. */
int efsd_fek_payload_check(const uint8_t *p, size_t len);
/*
 * A reply frame to a request of tag req_tag: payload NULL builds the
 * failure form (tag, status 0xff), on which the kernel fails the open with
 * EIO at once instead of waiting out its timeout.
 */
int efsd_reply_build(uint8_t req_tag, uint32_t counter, uint32_t index, const uint8_t *payload,
		     size_t n, uint8_t *out, size_t cap, size_t *out_len);
/* A bare HELO or QUIT frame (5 bytes). */
void efsd_bare_build(uint8_t type, uint8_t out[5]);

/* request.c */
struct efsd;
struct efsd_stats {
	unsigned long answered, refused, dropped;
};
int efsd_new(struct efsd **out);
void efsd_free(struct efsd *d);	/* closes the cached keys; NULL is fine */
/*
 * One frame from the kernel: *out_len is 0 when nothing is to be written
 * back (a HELO, QUIT, unknown or malformed frame); otherwise out holds the
 * reply (out must hold EFSD_WRITE_MAX bytes).  The caller wipes in and out:
 * both may hold a FEK.
 */
void efsd_handle(struct efsd *d, const uint8_t *in, size_t in_len, uint8_t *out,
		 size_t *out_len);
const struct efsd_stats *efsd_stats(const struct efsd *d);

#endif /* ECFS_SRC_DAEMON_EFSD_H */
