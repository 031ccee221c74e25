/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs-utils 111's header reading for ecryptfs-stat, reproduced from its
 * observed output (Debian 111-6): it checks only the length, the marker and
 * the header size, accepts any version, and prints everything on stdout.
 *
 * One departure: for a header of 20 to 25 bytes the reference
 * reads the header-extent fields past the data it has (it prints garbage
 * sizes); we report such a file as too short, with the same line the
 * reference uses for files under 20 bytes but the true minimum of 26.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "libecryptfs.h"
#include "stat_ref.h"

#define REF_MIN_BYTES 20	/* size field + marker + flags word */
#define REF_MIN_BYTES_V1 26	/* + header extent size and count */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool too_short(struct stat_ref *r, size_t need, size_t len)
{
	snprintf(r->diag[r->n_diag++], sizeof(r->diag[0]),
		 "ecryptfs_parse_stat: Invalid metadata size; must have at least [%zu] bytes; "
		 "there are only [%zu] bytes", need, len);
	return false;
}

bool stat_ref_parse(const uint8_t *buf, size_t len, struct stat_ref *r)
{
	memset(r, 0, sizeof(*r));
	if (len < REF_MIN_BYTES)
		return too_short(r, REF_MIN_BYTES, len);
	if ((be32(buf + 8) ^ ECRYPTFS_MARKER_MAGIC) != be32(buf + 12)) {
		snprintf(r->diag[r->n_diag++], sizeof(r->diag[0]),
			 "ecryptfs_parse_stat: Magic eCryptfs marker not found in header.");
		return false;
	}
	r->size = (uint64_t)be32(buf) << 32 | be32(buf + 4);
	r->version = buf[16];
	r->flags = buf[19];
	/*
	 * The reference reads the header-extent fields whatever the version,
	 * so a version 0 header (packets from offset 20) shows packet bytes
	 * as its size; our own lines give the real one.
	 */
	if (len < REF_MIN_BYTES_V1)
		return too_short(r, REF_MIN_BYTES_V1, len);
	r->header_bytes = (uint64_t)be32(buf + 20) * (uint16_t)(buf[24] << 8 | buf[25]);
	if (r->header_bytes < ECRYPTFS_MIN_METADATA_SIZE) {
		snprintf(r->diag[r->n_diag++], sizeof(r->diag[0]),
			 "ecryptfs_parse_header_metadata Invalid header size: [%" PRIu64 "]",
			 r->header_bytes);
		snprintf(r->diag[r->n_diag++], sizeof(r->diag[0]),
			 "ecryptfs_parse_stat: Invalid header content.");
		return false;
	}
	return true;
}

void stat_ref_print(FILE *f, const struct stat_ref *r)
{
	fprintf(f, "File version: [%u]\n", r->version);
	fprintf(f, "Decrypted file size: [%" PRIu64 "]\n", r->size);
	fprintf(f, "Number of header bytes at front of file: [%" PRIu64 "]\n", r->header_bytes);
	fprintf(f, "%s\n", r->flags & ECRYPTFS_FLAG_METADATA_IN_XATTR ?
		"Metadata in the extended attribute region" : "Metadata in the header region");
	fprintf(f, "%s\n", r->flags & ECRYPTFS_FLAG_ENCRYPTED ? "Encrypted" : "Plaintext");
	fprintf(f, "%s\n", r->flags & ECRYPTFS_FLAG_HMAC ? "HMAC enabled" : "HMAC disabled");
}

void stat_ref_print_not_found(FILE *f, const struct stat_ref *r, const char *file)
{
	for (int i = 0; i < r->n_diag; i++)
		fprintf(f, "%s\n", r->diag[i]);
	fprintf(f, "Valid eCryptfs metadata information not found in [%s]\n", file);
}
