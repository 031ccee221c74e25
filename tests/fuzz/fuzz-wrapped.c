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

#include <gcrypt.h>

#include "libecryptfs.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const uint8_t *data, size_t size, const void *p, size_t n)
{
	const uint8_t *q = p;

	if (!q || q < data || n > size || q + n > data + size)
		abort();
}

/*
 * Mutations never keep v3's SHA-256 right; seal a v3-shaped input so that
 * the checks behind the checksum (cost ranges, field offsets) get fuzzed too.
 */
static void sealed_v3(const uint8_t *data, size_t size)
{
	uint8_t buf[ECRYPTFS_V3_FILE_BYTES];
	const size_t body = ECRYPTFS_V3_FILE_BYTES - ECRYPTFS_V3_SUM_BYTES;
	struct ecryptfs_wrapped_fields f;
	int rc;

	if (size < 2 || data[0] != ':' || data[1] != ECRYPTFS_WRAP_V3)
		return;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, data, size < body ? size : body);
	gcry_md_hash_buffer(GCRY_MD_SHA256, buf + body, buf, body);
	rc = ecryptfs_wrapped_parse(buf, sizeof(buf), &f);
	if (rc == 0 && (f.argon2_time < 1 || f.argon2_time > 64 || f.argon2_lanes < 1 ||
			f.argon2_lanes > 64 || f.argon2_memory_kib < 8 * f.argon2_lanes ||
			f.argon2_memory_kib > 4u * 1024 * 1024 || f.ct != buf + 58))
		abort();
	if (rc != 0 && rc != -EBADMSG)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ecryptfs_wrapped_fields f;
	int rc = ecryptfs_wrapped_parse(data, size, &f);
	int version = ecryptfs_wrapped_version(data, size);

	sealed_v3(data, size);
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
