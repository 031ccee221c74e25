/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Signature and salt hex forms, and the two salts everything else names. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "libecryptfs.h"
#include "internal.h"

ECRYPTFS_EXPORT const uint8_t ecryptfs_default_salt[ECRYPTFS_SALT_SIZE] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77
};

ECRYPTFS_EXPORT const uint8_t ecryptfs_fnek_salt[ECRYPTFS_SALT_SIZE] = {
	'9', '9', '8', '8', '7', '7', '6', '6'
};

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ecryptfs_hex_decode(const char *hex, size_t hex_len, uint8_t *out)
{
	if (hex_len % 2)
		return -EINVAL;
	for (size_t i = 0; i < hex_len / 2; i++) {
		int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void ecryptfs_hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

ECRYPTFS_EXPORT void ecryptfs_sig_to_hex(const uint8_t sig[ECRYPTFS_SIG_SIZE],
					 char hex[ECRYPTFS_SIG_HEX_SIZE + 1])
{
	ecryptfs_hex_encode(sig, ECRYPTFS_SIG_SIZE, hex);
}

ECRYPTFS_EXPORT int ecryptfs_sig_from_hex(const char *hex, uint8_t sig[ECRYPTFS_SIG_SIZE])
{
	if (!hex || strlen(hex) != ECRYPTFS_SIG_HEX_SIZE)
		return -EINVAL;
	return ecryptfs_hex_decode(hex, ECRYPTFS_SIG_HEX_SIZE, sig);
}

ECRYPTFS_EXPORT int ecryptfs_salt_from_hex(const char *hex, uint8_t salt[ECRYPTFS_SALT_SIZE])
{
	if (!hex || strlen(hex) != 2 * ECRYPTFS_SALT_SIZE)
		return -EINVAL;
	return ecryptfs_hex_decode(hex, 2 * ECRYPTFS_SALT_SIZE, salt);
}
