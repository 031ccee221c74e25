/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs-utils 111's reading of the first header fields
 * (ecryptfs_header_ref_parse, what ecryptfs-stat prints its reference lines
 * from) on arbitrary bytes: no crash or overread, only its documented
 * errors, and agreement with the library's own parser wherever both read a
 * header of version 1 or later from a file's head.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libecryptfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ecryptfs_header_ref ref;
	struct ecryptfs_header *hdr;
	uint8_t *buf;
	int rc;

	/* An exact-size copy, so that ASan sees any read past the end. */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	rc = ecryptfs_header_ref_parse(buf, size, &ref);
	switch (rc) {
	case 0:
		if (size < ECRYPTFS_HEADER_REF_MIN_V1 || ref.header_bytes < ECRYPTFS_MIN_METADATA_SIZE)
			abort();
		break;
	case -EIO:
		if ((ref.need != ECRYPTFS_HEADER_REF_MIN && ref.need != ECRYPTFS_HEADER_REF_MIN_V1) ||
		    size >= ref.need)
			abort();
		break;
	case -ENOMSG:
		if (size < ECRYPTFS_HEADER_REF_MIN || ref.size || ref.version || ref.flags)
			abort();
		break;
	case -EBADMSG:
		if (ref.header_bytes >= ECRYPTFS_MIN_METADATA_SIZE)
			abort();
		break;
	default:
		abort();
	}

	hdr = malloc(sizeof(*hdr));
	if (hdr && ecryptfs_header_parse(buf, size, false, hdr) == 0 && hdr->version >= 1 &&
	    (rc != 0 || ref.size != hdr->size || ref.version != hdr->version ||
	     ref.flags != hdr->flags || ref.header_bytes != hdr->metadata_size))
		abort();	/* a header the kernel reads, read differently */
	free(hdr);
	free(buf);
	return 0;
}
