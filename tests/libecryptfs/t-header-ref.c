/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs_header_ref_parse: the first header fields as ecryptfs-utils 111
 * reads them for ecryptfs-stat (its checks, its lenience about versions, the
 * fields read before it gives up), against hand-made heads.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "libecryptfs.h"
#include "tap.h"

/* size 4096, marker m1 0x11223344 and m2 = m1 ^ 0x3c81b7f5, flags word, extent fields */
static size_t head(uint8_t *b, uint8_t version, uint8_t flags, uint32_t ext, uint16_t count)
{
	static const uint8_t start[16] = { 0, 0, 0, 0, 0, 0, 0x10, 0, 0x11, 0x22, 0x33, 0x44,
					   0x2d, 0xa3, 0x84, 0xb1 };

	memset(b, 0, 64);
	memcpy(b, start, 16);
	b[16] = version;
	b[19] = flags;
	b[20] = (uint8_t)(ext >> 24);
	b[21] = (uint8_t)(ext >> 16);
	b[22] = (uint8_t)(ext >> 8);
	b[23] = (uint8_t)ext;
	b[24] = (uint8_t)(count >> 8);
	b[25] = (uint8_t)count;
	return 26;
}

int main(void)
{
	struct ecryptfs_header_ref r;
	uint8_t b[64];
	size_t n = head(b, 3, 0x0a, 4096, 2);

	is_int(ecryptfs_header_ref_parse(b, n, &r), 0, "a version 3 head of 26 bytes");
	ok(r.size == 4096 && r.version == 3 && r.flags == 0x0a && r.header_bytes == 8192,
	   "size, version, flags and header bytes read");
	head(b, 7, 0x01, 0x10000, 1);
	is_int(ecryptfs_header_ref_parse(b, n, &r), 0, "any version (7) is taken, as the reference");
	ok(r.version == 7 && r.header_bytes == 65536, "... and read as it is");
	/* A version 0 head: its tag 3 packet starts at offset 20. */
	head(b, 0, 0x02, 0x8c1d0407, 0x0301);
	is_int(ecryptfs_header_ref_parse(b, n, &r), 0, "version 0 is taken too");
	ok(r.version == 0 && r.header_bytes == 0x8c1d0407ull * 0x0301,
	   "... its packet bytes read as the header size, as the reference prints them");
	head(b, 3, 0, 4096, 1);
	is_int(ecryptfs_header_ref_parse(b, n, &r), -EBADMSG, "4096 header bytes: under 8192");
	is_int(r.header_bytes, 4096, "... the size it read is reported");
	head(b, 3, 0, 4096, 2);
	is_int(ecryptfs_header_ref_parse(b, 19, &r), -EIO, "19 bytes: too short");
	ok(r.need == 20 && r.size == 0 && r.version == 0, "... 20 needed, nothing read");
	is_int(ecryptfs_header_ref_parse(b, 22, &r), -EIO, "22 bytes: too short for the extent fields");
	ok(r.need == 26 && r.size == 4096 && r.version == 3,
	   "... 26 needed (the reference read past its data); the first fields read");
	b[15] ^= 1;
	is_int(ecryptfs_header_ref_parse(b, n, &r), -ENOMSG, "a broken marker");
	ok(r.size == 0 && r.header_bytes == 0, "... nothing read");
	is_int(ecryptfs_header_ref_parse(NULL, 0, &r), -EIO, "no bytes at all: too short");
	is_int(ecryptfs_header_ref_parse(b, n, NULL), -EINVAL, "no result: -EINVAL");
	return tap_done();
}
