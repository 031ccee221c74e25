/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Wrapped passphrase v3 (Argon2id + AES-256-GCM, doc/wrapped-passphrase.5):
 * layout, round trips, and that corruption, a wrong password and tampering
 * are told apart.  Cheap Argon2 costs except for one run at the defaults.
 *   t-wrap-v3 --make-fixture FILE   rewrites tests/data/keys/v3-fixture
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <gcrypt.h>

#include "libecryptfs.h"
#include "bigendian.h"
#include "internal.h"
#include "tap.h"

#define FIXTURE_WPW "v3 fixture wrapping pw"
#define FIXTURE_PASS "v3 fixture mount passphrase"

static const struct ecryptfs_wrap_params cheap = {
	.version = ECRYPTFS_WRAP_V3, .argon2_time = 1, .argon2_memory_kib = 64, .argon2_lanes = 1,
};
static char *pass;
static size_t pass_len;

/* Recompute the unkeyed checksum after a deliberate change (a forgery). */
static void reseal(uint8_t *buf)
{
	gcry_md_hash_buffer(GCRY_MD_SHA256, buf + 138, buf, 138);
}

static int unwrap(const uint8_t *buf, size_t n, const char *wpw)
{
	return ecryptfs_unwrap(buf, n, wpw, strlen(wpw), NULL, pass, &pass_len);
}

static void test_layout(void)
{
	uint8_t out[ECRYPTFS_WRAPPED_MAX_BYTES], sum[32];
	struct ecryptfs_wrapped_fields f;
	size_t n = 0;

	is_int(ecryptfs_wrap("hello v3", 8, "pw", 2, &cheap, out, &n), 0, "wrap v3");
	is_int(n, 170, "170 bytes");
	ok(out[0] == ':' && out[1] == 3, "':' 0x03");
	ok(ecryptfs_get_be32(out + 2) == 1 && ecryptfs_get_be32(out + 6) == 64 &&
	   ecryptfs_get_be32(out + 10) == 1,
	   "costs stored big-endian at 2, 6, 10");
	gcry_md_hash_buffer(GCRY_MD_SHA256, sum, out, 138);
	is_mem(out + 138, sum, 32, "SHA-256 of bytes 0..137 at 138");
	is_int(ecryptfs_wrapped_version(out, n), 3, "version 3");
	is_int(ecryptfs_wrapped_parse(out, n, &f), 0, "parse");
	ok(f.salt == out + 14 && f.nonce == out + 30 && f.kcv == out + 42 && f.ct == out + 58 &&
	   f.ct_len == 64 && f.tag == out + 122 && f.header_len == 58, "field offsets");
	is_int(unwrap(out, n, "pw"), 0, "unwrap");
	is_str(pass, "hello v3", "passphrase back");
	is_int(pass_len, 8, "its length");
}

static void test_round_trips(void)
{
	uint8_t out[ECRYPTFS_WRAPPED_MAX_BYTES], out2[ECRYPTFS_WRAPPED_MAX_BYTES];
	char p[80];
	size_t n = 0, n2 = 0;
	int bad = 0, sizes = 0;

	for (size_t len = 1; len <= 64; len++) {
		for (size_t i = 0; i < len; i++)
			p[i] = (char)(0x21 + (i * 13 + len) % 200);
		if (ecryptfs_wrap(p, len, "w\xc3\xa9", 3, &cheap, out, &n) < 0 ||
		    ecryptfs_unwrap(out, n, "w\xc3\xa9", 3, NULL, pass, &pass_len) < 0 ||
		    pass_len != len || memcmp(pass, p, len) != 0)
			bad++;
		if (n != 170)
			sizes++;
	}
	is_int(bad, 0, "v3 round trips for lengths 1..64");
	is_int(sizes, 0, "every file is 170 bytes whatever the length");
	memset(p, 'p', 65);
	is_int(ecryptfs_wrap(p, 65, "w", 1, &cheap, out, &n), -EINVAL, "65 bytes rejected");
	is_int(ecryptfs_wrap(p, 0, "w", 1, &cheap, out, &n), -EINVAL, "empty rejected");
	n = n2 = 0;
	ok(ecryptfs_wrap("same", 4, "w", 1, &cheap, out, &n) == 0 &&
	   ecryptfs_wrap("same", 4, "w", 1, &cheap, out2, &n2) == 0 && n == 170 && n2 == 170 &&
	   memcmp(out + 14, out2 + 14, 28) != 0, "salt and nonce are fresh each time");
}

static void test_errors(void)
{
	uint8_t good[ECRYPTFS_WRAPPED_MAX_BYTES], bad[ECRYPTFS_WRAPPED_MAX_BYTES + 1];
	struct ecryptfs_wrap_params p = cheap;
	size_t n = 0;
	int wrong = 0;

	is_int(ecryptfs_wrap("tell them apart", 15, "right", 5, &cheap, good, &n), 0, "wrap");
	is_int(n, 170, "170 bytes to corrupt, byte by byte");
	is_int(unwrap(good, n, "wrong"), -EKEYREJECTED, "wrong password: -EKEYREJECTED");
	is_int(unwrap(good, n, "Right"), -EKEYREJECTED, "case matters: -EKEYREJECTED");

	for (size_t i = 0; i < n; i++) {
		memcpy(bad, good, n);
		bad[i] ^= 0x40;
		if (ecryptfs_wrapped_version(bad, n) != (i == 1 ? -ENOTSUP : -EBADMSG) ||
		    unwrap(bad, n, "right") != (i == 1 ? -ENOTSUP : -EBADMSG))
			wrong++;
	}
	is_int(wrong, 0, "every flipped byte: -EBADMSG (-ENOTSUP for the version byte)");
	is_int(unwrap(good, n - 1, "right"), -EBADMSG, "truncated: -EBADMSG");
	memcpy(bad, good, n);
	bad[n] = 0;
	is_int(unwrap(bad, n + 1, "right"), -EBADMSG, "one byte more: -EBADMSG");
	is_int(unwrap(good, 2, "right"), -EBADMSG, "header only: -EBADMSG");

	/* Forgeries that keep the checksum right. */
	memcpy(bad, good, n);
	bad[60] ^= 1;
	reseal(bad);
	is_int(unwrap(bad, n, "right"), -EBADMSG, "altered ciphertext: tag fails, -EBADMSG");
	is_int(unwrap(bad, n, "wrong"), -EKEYREJECTED, "and with a wrong password: -EKEYREJECTED");
	memcpy(bad, good, n);
	bad[31] ^= 1;
	reseal(bad);
	is_int(unwrap(bad, n, "right"), -EBADMSG, "altered nonce: -EBADMSG");
	memcpy(bad, good, n);
	bad[125] ^= 1;
	reseal(bad);
	is_int(unwrap(bad, n, "right"), -EBADMSG, "altered tag: -EBADMSG");
	memcpy(bad, good, n);
	ecryptfs_put_be32(bad + 2, 2);
	reseal(bad);
	is_int(unwrap(bad, n, "right"), -EKEYREJECTED, "altered cost: a different key, -EKEYREJECTED");
	memcpy(bad, good, n);
	ecryptfs_put_be32(bad + 6, 4);
	reseal(bad);
	is_int(ecryptfs_wrapped_version(bad, n), -EBADMSG, "memory below 8 KiB per lane: -EBADMSG");
	ecryptfs_put_be32(bad + 6, 8u << 20);
	reseal(bad);
	is_int(ecryptfs_wrapped_version(bad, n), -EBADMSG, "memory over 4 GiB: -EBADMSG");
	memcpy(bad, good, n);
	ecryptfs_put_be32(bad + 2, 0);
	reseal(bad);
	is_int(ecryptfs_wrapped_version(bad, n), -EBADMSG, "time 0: -EBADMSG");
	memcpy(bad, good, n);
	ecryptfs_put_be32(bad + 10, 0);
	reseal(bad);
	is_int(ecryptfs_wrapped_version(bad, n), -EBADMSG, "0 lanes: -EBADMSG");

	p.argon2_memory_kib = 4;
	is_int(ecryptfs_wrap("x", 1, "w", 1, &p, good, &n), -EINVAL, "wrap with 4 KiB: -EINVAL");
	p = cheap;
	p.argon2_time = 1000;
	is_int(ecryptfs_wrap("x", 1, "w", 1, &p, good, &n), -EINVAL, "wrap with t=1000: -EINVAL");
	p = cheap;
	p.argon2_lanes = 65;
	is_int(ecryptfs_wrap("x", 1, "w", 1, &p, good, &n), -EINVAL, "wrap with 65 lanes: -EINVAL");
}

static void test_defaults_and_files(const char *dir)
{
	struct ecryptfs_wrap_params def = { .version = ECRYPTFS_WRAP_V3 };
	struct ecryptfs_wrap_params two = { .version = ECRYPTFS_WRAP_V3, .argon2_time = 2,
					    .argon2_memory_kib = 128, .argon2_lanes = 2 };
	uint8_t out[ECRYPTFS_WRAPPED_MAX_BYTES];
	char path[4200];
	size_t n = 0;

	is_int(ecryptfs_wrap("defaults", 8, "pw", 2, &def, out, &n), 0, "wrap at the default costs");
	ok(ecryptfs_get_be32(out + 2) == 3 && ecryptfs_get_be32(out + 6) == 65536 &&
	   ecryptfs_get_be32(out + 10) == 1,
	   "defaults t=3, m=64 MiB, p=1");
	is_int(unwrap(out, n, "pw"), 0, "unwrap at the default costs");
	is_int(ecryptfs_wrap("lanes", 5, "pw", 2, &two, out, &n), 0, "wrap with 2 lanes");
	is_int(unwrap(out, n, "pw"), 0, "unwrap with 2 lanes");
	is_str(pass, "lanes", "passphrase back");

	snprintf(path, sizeof(path), "%s/wp3", dir);
	is_int(ecryptfs_wrap_file(path, "file v3", 7, "old", 3, &two), 0, "wrap_file v3");
	is_int(ecryptfs_rewrap_file(path, "old", 3, "new", 3, NULL, NULL), 0, "rewrap v3");
	n = 0;
	ok(ecryptfs_wrapped_read_file(path, out, &n) == 0 && ecryptfs_wrapped_version(out, n) == 3 && ecryptfs_get_be32(out + 2) == 2 &&
	   ecryptfs_get_be32(out + 6) == 128 && ecryptfs_get_be32(out + 10) == 2,
	   "stays v3 with its costs");
	is_int(ecryptfs_unwrap_file(path, "new", 3, NULL, pass, &pass_len), 0, "new password works");
	is_str(pass, "file v3", "passphrase kept");
	is_int(ecryptfs_rewrap_file(path, "new", 3, "v2 now", 6, NULL,
				    &(struct ecryptfs_wrap_params){ .version = ECRYPTFS_WRAP_V2 }),
	       0, "rewrap v3 to v2 on request");
	n = 0;
	is_int(ecryptfs_wrapped_read_file(path, out, &n), 0, "read it back");
	is_int(ecryptfs_wrapped_version(out, n), 2, "now v2");
	is_int(ecryptfs_rewrap_file(path, "v2 now", 6, "v3 again", 8, NULL, &cheap), 0, "and v2 to v3");
	memset(pass, 'P', ECRYPTFS_MAX_PASSPHRASE_BYTES);	/* not the result of the unwrap before */
	is_int(ecryptfs_unwrap_file(path, "v3 again", 8, NULL, pass, &pass_len), 0, "unwraps");
	is_str(pass, "file v3", "same passphrase all along");
}

static void test_fixture(void)
{
	const char *src = getenv("SRCDIR");
	char path[4096];
	uint8_t buf[ECRYPTFS_WRAPPED_MAX_BYTES];
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/tests/data/keys/v3-fixture", src ? src : "..");
	is_int(ecryptfs_wrapped_read_file(path, buf, &n), 0, "committed v3 fixture read");
	is_int(ecryptfs_unwrap(buf, n, FIXTURE_WPW, strlen(FIXTURE_WPW), NULL, pass, &pass_len), 0,
	       "committed v3 fixture still unwraps (the format did not drift)");
	is_str(pass, FIXTURE_PASS, "to its passphrase");
}

int main(int argc, char **argv)
{
	const char *t = getenv("TESTTMP");
	char dir[1024], cmd[1100];

	if (argc == 3 && strcmp(argv[1], "--make-fixture") == 0)
		return ecryptfs_wrap_file(argv[2], FIXTURE_PASS, strlen(FIXTURE_PASS), FIXTURE_WPW,
					  strlen(FIXTURE_WPW), &cheap) < 0;
	snprintf(dir, sizeof(dir), "%s/t-wrap-v3.XXXXXX", t ? t : "/tmp");
	if (!mkdtemp(dir))
		return 1;
	pass = ecryptfs_secure_alloc(ECRYPTFS_MAX_PASSPHRASE_BYTES + 1);
	test_layout();
	test_round_trips();
	test_errors();
	test_defaults_and_files(dir);
	test_fixture();
	ecryptfs_secure_free(pass);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)!system(cmd);
	return tap_done();
}
