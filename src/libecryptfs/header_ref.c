/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs-utils 111's lenient reading of the first header fields (its
 * libecryptfs ecryptfs_parse_stat), reproduced from the output of its
 * ecryptfs-stat (Debian 111-6): it checks only the length, the marker and
 * the header size, and takes any version.  ecryptfs-stat prints its
 * reference lines from this, byte for byte, and our own from
 * ecryptfs_header_parse().
 *
 * One departure: for a header of 20 to 25 bytes the reference reads the
 * header-extent fields past the data it has (it prints garbage sizes); we
 * report such a header as too short, needing 26 bytes.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "libecryptfs.h"
#include "bigendian.h"

#define OFF_MARKER 8
#define OFF_FLAGS 16
#define OFF_EXTENT_SIZE 20
#define OFF_EXTENT_COUNT 24

ECRYPTFS_EXPORT int ecryptfs_header_ref_parse(const uint8_t *buf, size_t len,
					      struct ecryptfs_header_ref *ref)
{
	int rc = 0;

	if (!ref)
		return -EINVAL;
	memset(ref, 0, sizeof(*ref));
	if (!buf && len)
		return -EINVAL;
	if (len < ECRYPTFS_HEADER_REF_MIN) {
		ref->need = ECRYPTFS_HEADER_REF_MIN;
		rc = -EIO;
		goto out;
	}
	if ((ecryptfs_get_be32(buf + OFF_MARKER) ^ ECRYPTFS_MARKER_MAGIC) !=
	    ecryptfs_get_be32(buf + OFF_MARKER + 4)) {
		rc = -ENOMSG;
		goto out;
	}
	ref->size = ecryptfs_get_be64(buf);
	ref->version = buf[OFF_FLAGS];
	ref->flags = buf[OFF_FLAGS + 3];
	if (len < ECRYPTFS_HEADER_REF_MIN_V1) {
		ref->need = ECRYPTFS_HEADER_REF_MIN_V1;
		rc = -EIO;
		goto out;
	}
	ref->header_bytes = (uint64_t)ecryptfs_get_be32(buf + OFF_EXTENT_SIZE) *
			    ecryptfs_get_be16(buf + OFF_EXTENT_COUNT);
	if (ref->header_bytes < ECRYPTFS_MIN_METADATA_SIZE)
		rc = -EBADMSG;
out:
	return rc;
}
