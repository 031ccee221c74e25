/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The wrapped-passphrase parser on arbitrary bytes: no crash, no read outside
 * the input, only the documented errors, and fields that lie inside the
 * input.  No KDF runs here (one would cost 50 ms); unit tests cover those.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ecryptfs.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const uint8_t *data, size_t size, const void *p, size_t n)
{
	const uint8_t *q = p;

	if (!q || q < data || n > size || q + n > data + size)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ecryptfs_wrapped_fields f;
	int rc = ecryptfs_wrapped_parse(data, size, &f);
	int version = ecryptfs_wrapped_version(data, size);

	if (rc < 0) {
		if ((rc != -EBADMSG && rc != -ENOTSUP) || version != rc)
			abort();
		return 0;
	}
	if (version != f.version || version < 1 || version > 3)
		abort();
	inside(data, size, f.ct, f.ct_len);
	if (f.ct_len == 0 || f.ct_len % 16 || f.ct_len > 64)
		abort();
	if (version == 3) {
		inside(data, size, f.salt, ECRYPTFS_V3_SALT_BYTES);
		inside(data, size, f.nonce, ECRYPTFS_V3_NONCE_BYTES);
		inside(data, size, f.kcv, ECRYPTFS_V3_KCV_BYTES);
		inside(data, size, f.tag, ECRYPTFS_V3_TAG_BYTES);
		inside(data, size, data, f.header_len);
		if (!f.argon2_time || !f.argon2_lanes || f.argon2_memory_kib < 8 * f.argon2_lanes)
			abort();
	} else {
		uint8_t sig[ECRYPTFS_SIG_SIZE];
		char hex[ECRYPTFS_SIG_HEX_SIZE + 1];

		inside(data, size, f.sig_hex, ECRYPTFS_SIG_HEX_SIZE);
		memcpy(hex, f.sig_hex, ECRYPTFS_SIG_HEX_SIZE);
		hex[ECRYPTFS_SIG_HEX_SIZE] = '\0';
		if (ecryptfs_sig_from_hex(hex, sig) < 0)
			abort();
		if (version == 2)
			inside(data, size, f.salt, ECRYPTFS_SALT_SIZE);
		else if (f.salt)
			abort();
	}
	return 0;
}
