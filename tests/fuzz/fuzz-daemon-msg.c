/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfsd's frame and payload parsers (src/daemon/msg.c) on arbitrary
 * bytes, as read from /dev/ecryptfs: never a crash or an overread; a frame
 * accepted is exactly one message (its parts add up to the input); a
 * request accepted has a 16-hex-digit lowercase signature and a payload
 * within the kernel's limits inside the frame; the reply built for it (a
 * result or the failure form) is one the kernel's checks take
 * (tests/daemon/kframe.h), with the counter and index echoed.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "efsd.h"
#include "../daemon/kframe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[EFSD_WRITE_MAX], fek[EFSD_FEK_PAYLOAD_MAX];
	const uint8_t *got;
	struct efsd_frame f;
	struct efsd_req r;
	size_t n, gn;

	if (efsd_frame_parse(data, size, &f) < 0)
		return 0;
	if (!f.has_msg) {
		if (size != 5)
			abort();
		return 0;
	}
	if (f.data < data || f.data + f.data_len != data + size)
		abort();
	if (efsd_req_parse(f.data, f.data_len, &r) < 0) {
		if (f.data_len && efsd_reply_build(EFSD_TAG_DECRYPT, f.counter, f.index, NULL, 0,
						   out, sizeof(out), &n) < 0)
			abort();
		return 0;
	}
	if (strlen(r.sig) != 16 || strspn(r.sig, "0123456789abcdef") != 16 ||
	    r.payload < f.data || r.payload + r.payload_len != f.data + f.data_len ||
	    r.payload_len < 1 || r.payload_len > EFSD_BLOB_MAX)
		abort();
	if (r.tag == EFSD_TAG_ENCRYPT) {
		/* Wrap "as" the identity: the FEK payload comes back as a blob. */
		if (efsd_fek_payload_check(r.payload, r.payload_len) < 0 ||
		    efsd_reply_build(r.tag, f.counter, f.index, r.payload, r.payload_len, out,
				     sizeof(out), &n) < 0 ||
		    kf_kernel_takes(out, n, r.tag, f.counter, f.index, &got, &gn) != 0 ||
		    gn != r.payload_len || memcmp(got, r.payload, gn))
			abort();
	} else {
		/* Unwrap "to" a FEK payload made of the blob's first bytes. */
		size_t k = r.payload_len > EFSD_FEK_MAX ? EFSD_FEK_MAX : r.payload_len;
		size_t pn = kf_fek_payload(fek, r.payload[0], r.payload, k);

		if (efsd_reply_build(r.tag, f.counter, f.index, fek, pn, out, sizeof(out), &n) < 0 ||
		    kf_kernel_takes(out, n, r.tag, f.counter, f.index, &got, &gn) != 0 ||
		    gn != pn || memcmp(got, fek, pn))
			abort();
	}
	if (efsd_reply_build(r.tag, f.counter, f.index, NULL, 0, out, sizeof(out), &n) < 0 ||
	    kf_kernel_takes(out, n, r.tag, f.counter, f.index, &got, &gn) != -2)
		abort();
	return 0;
}
