/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Declarations shared between libecryptfs source files but not exported.
 * Each section belongs to the file named in its heading.
 */
#ifndef ECRYPTFS_INTERNAL_H
#define ECRYPTFS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* secmem.c */
void ecryptfs_wipe(void *p, size_t n);

/* hex.c: hex_len must be even; out gets hex_len / 2 bytes. */
int ecryptfs_hex_decode(const char *hex, size_t hex_len, uint8_t *out);
/* out gets 2 * n characters plus NUL. */
void ecryptfs_hex_encode(const uint8_t *in, size_t n, char *out);

/* cipher.c: the GCRY_CIPHER_* for a code and key size, -ENOENT or -ENOTSUP. */
int ecryptfs_cipher_gcry_algo(uint8_t code, size_t key_bytes);

#endif
