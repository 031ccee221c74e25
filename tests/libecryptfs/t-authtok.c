/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The 740-byte passphrase auth token, offset by offset (doc/format.md §9.3). */
#include "config.h"

#include <errno.h>

#include "libecryptfs.h"
#include "internal.h"
#include "tap.h"

static uint32_t u32_at(const uint8_t *t, size_t off)
{
	uint32_t v;

	memcpy(&v, t + off, 4);
	return v;
}

static int all_zero(const uint8_t *p, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (p[i])
			return 0;
	return 1;
}

int main(void)
{
	static const char foo_kek[] = "3f0cffa9389d2c396ad887c6ec657898e2e9e74cbb3cb1d25d410f58de2aa6b70dd81ccedaf8fad725346d8f751b8fc2c50ad69fba27d1d4fb735f207e76c6e9";
	struct ecryptfs_pass_key *k = ecryptfs_pass_key_new(), *back = ecryptfs_pass_key_new();
	uint8_t tok[ECRYPTFS_AUTH_TOK_SIZE], kek[64], bad[ECRYPTFS_AUTH_TOK_SIZE];

	if (!ok(k && back, "keys allocated"))
		return tap_done();
	is_int(ecryptfs_derive_pass_key("foo", 3, ecryptfs_default_salt, k), 0, "derive foo");
	memset(tok, 0xa5, sizeof(tok));
	is_int(ecryptfs_auth_tok_build(k, tok), 0, "build");
	is_int(ECRYPTFS_AUTH_TOK_SIZE, 740, "token is 740 bytes");
	ok(tok[0] == 0x04 && tok[1] == 0x00, "version bytes 04 00");
	ok(tok[2] == 0 && tok[3] == 0, "token_type 0 (password)");
	is_int(u32_at(tok, 4), 0, "outer flags 0");
	ok(all_zero(tok, 8, 628), "session key and reserved area all zero");
	is_int(u32_at(tok, 628), 0, "password_bytes 0");
	is_int(u32_at(tok, 632), 10, "hash_algo 10 (SHA-512)");
	is_int(u32_at(tok, 636), 0, "hash_iterations 0, as the reference leaves it");
	is_int(u32_at(tok, 640), 64, "session_key_encryption_key_bytes 64");
	is_int(u32_at(tok, 644), 2, "flags 2 (SKEK set)");
	ok(tok[644] == 0x02 && tok[645] == 0 && tok[646] == 0 && tok[647] == 0, "flags little-endian bytes");
	tap_unhex(foo_kek, kek, sizeof(kek));
	is_mem(tok + 648, kek, 64, "KEK at 648..711");
	is_mem(tok + 712, "253ca7e88811d184", 17, "sig ASCII + NUL at 712");
	is_mem(tok + 729, ecryptfs_default_salt, 8, "salt at 729");
	ok(all_zero(tok, 737, 740), "padding zero");

	is_int(ecryptfs_auth_tok_parse(tok, sizeof(tok), back), 0, "parse back");
	is_mem(back->kek, k->kek, 64, "parsed KEK");
	is_mem(back->salt, k->salt, 8, "parsed salt");
	is_mem(back->sig, k->sig, 8, "parsed sig");
	is_str(back->sig_hex, "253ca7e88811d184", "parsed sig hex");

	is_int(ecryptfs_auth_tok_parse(tok, 739, back), -EINVAL, "short token rejected");
	memcpy(bad, tok, sizeof(bad));
	bad[0] = 0x03;
	is_int(ecryptfs_auth_tok_parse(bad, sizeof(bad), back), -EINVAL, "other version rejected");
	memcpy(bad, tok, sizeof(bad));
	bad[2] = 1;
	is_int(ecryptfs_auth_tok_parse(bad, sizeof(bad), back), -EINVAL, "private-key token rejected");
	memcpy(bad, tok, sizeof(bad));
	bad[712] = 'x';
	is_int(ecryptfs_auth_tok_parse(bad, sizeof(bad), back), -EINVAL, "non-hex sig rejected");
	memcpy(bad, tok, sizeof(bad));
	bad[728] = 'a';
	is_int(ecryptfs_auth_tok_parse(bad, sizeof(bad), back), -EINVAL, "unterminated sig rejected");
	memcpy(bad, tok, sizeof(bad));
	bad[644] = 0;
	is_int(ecryptfs_auth_tok_parse(bad, sizeof(bad), back), -EINVAL, "token without a KEK rejected");
	is_int(ecryptfs_auth_tok_build(NULL, tok), -EINVAL, "build NULL key");

	/* The FNEK token carries the ASCII salt in its salt field. */
	is_int(ecryptfs_derive_pass_key("mysecretmountpassphrase0123", 27, ecryptfs_fnek_salt, k), 0,
	       "derive FNEK");
	ecryptfs_auth_tok_build(k, tok);
	is_mem(tok + 729, "99887766", 8, "FNEK token salt is ASCII 99887766");
	is_mem(tok + 712, "511c924ae091b1b9", 17, "FNEK token sig");

	ecryptfs_pass_key_free(k);
	ecryptfs_pass_key_free(back);
	return tap_done();
}
