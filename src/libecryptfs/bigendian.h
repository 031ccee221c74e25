/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Big-endian integers at unaligned offsets, as every on-disk field of the
 * format (header, wrapped-passphrase v3) stores them.  Byte by byte, so no
 * alignment or host byte order is ever assumed.
 */
#ifndef ECFS_SRC_LIBECRYPTFS_BIGENDIAN_H
#define ECFS_SRC_LIBECRYPTFS_BIGENDIAN_H

#include <stdint.h>

static inline uint16_t ecryptfs_get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void ecryptfs_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint32_t ecryptfs_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void ecryptfs_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint64_t ecryptfs_get_be64(const uint8_t *p)
{
	return (uint64_t)ecryptfs_get_be32(p) << 32 | ecryptfs_get_be32(p + 4);
}

static inline void ecryptfs_put_be64(uint8_t *p, uint64_t v)
{
	ecryptfs_put_be32(p, (uint32_t)(v >> 32));
	ecryptfs_put_be32(p + 4, (uint32_t)v);
}

#endif /* ECFS_SRC_LIBECRYPTFS_BIGENDIAN_H */
