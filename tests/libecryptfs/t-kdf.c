/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Passphrase -> KEK and sig: the published vectors and the input limits. */
#include "config.h"

#include <errno.h>
#include <time.h>

#include <gcrypt.h>

#include "libecryptfs.h"
#include "internal.h"
#include "tap.h"

struct vector {
	const char *pass;
	const char *salt_hex;	/* NULL: the ASCII FNEK salt "99887766" */
	const char *sig;
	const char *kek_prefix;	/* hex, any length up to 128; NULL: unknown */
	const char *kek_suffix;
};

static const struct vector vectors[] = {
	/* doc/format.md §9.4 (ecryptfs-utils' verify-passphrase-sig.sh) */
	{ "foo", "0011223344556677", "253ca7e88811d184",
	  "3f0cffa9389d2c396ad887c6ec657898e2e9e74cbb3cb1d25d410f58de2aa6b70dd81ccedaf8fad725346d8f751b8fc2c50ad69fba27d1d4fb735f207e76c6e9", NULL },
	{ "a", "aaaaaaaaaaaaaaaa", "c42ec75301dc1674",
	  "27f2ff49bfc520109f2579b36377a29955585cee6e8e5210b474a7ef7e5c4e9cf499075ace62d03b78d718d0e311726bb35b6699061f12d0731dd6a3efe9b3f2", NULL },
	{ "ef2fa983a4ecc87b6f48821bd9b36940220345624949e6bf826efd692678d78b", "fa1507f9913d915b",
	  "09582907da54851e",
	  "bdc9089cb08554ac6039c64345a82f49e175c1427104bb1906fed9f3ad703c4f3745b2ef9a2f4210b24c973fe17370ae39def8af31d7b3f304d1209ed4313f4d", NULL },
	{ "Password", "0011223344556677", "326bd307c877876f", "6d163112bb5fa3a4", NULL },
	{ "Test", "0011223344556677", "3515cca9baaea1f4",
	  "0f38a537ffd1804fb13c6ce714b09c7ba1ef58961f63f01d1355a24b752effcd1d9842eab112238ad1f5790883feb891b5dd7fb48b8aff20a1ae9e01c711b7ea", NULL },
	{ "Test", NULL, "37b7af1b2b2ef27a", NULL, NULL },
	{ "vector-set-a aes128 plain names", "0011223344556677", "6627f3e624e6e2e6",
	  "4e9809d53f726aafdd0fb37ee4dc1a353a298b04c7100c709abc5501a84fc2823bae6023a8d60ec179f44f76ae740898303b5542234952ad5b6ea814ba89645d", NULL },
	{ "vector-set-b aes256 fnek", "0011223344556677", "8f0b06a4b8b5e1a1", "04e2ccbfacc43694", NULL },
	{ "vector-set-b aes256 fnek", NULL, "fdda5d3feb341894", "749f184eae3d8fe254748836fc555271", NULL },
	/* the other kernel-written vector sets (tests/data/vectors/ MANIFEST.md) */
	{ "vector-set-c aes192 fnek same key", "0011223344556677", "4825c1d2a5645ecc", NULL, NULL },
	{ "vector-set-d xattr metadata", "0011223344556677", "19033cba1610c693", NULL, NULL },
	{ "legacy cipher vectors", "0011223344556677", "d11c55d02e278f31", NULL, NULL },
	/* observed with the Debian 111-6 binaries (doc/format.md §9.4) */
	{ "test passphrase", "0011223344556677", "5eca2fbf74604115", "bb8b0dd11e3c7819", "3eb0239cc8242462" },
	{ "secret", "0011223344556677", "7a1719eb53966dd1", NULL, NULL },
	{ "test passphrase", "a1b2c3d4e5f60718", "16585f12815dd980", NULL, NULL },
	/* data key and ASCII-salt FNEK; the binary salt is unused (doc/format.md §9.2) */
	{ "mysecretmountpassphrase0123", "0011223344556677", "0320d876e390ce01", NULL, NULL },
	{ "mysecretmountpassphrase0123", NULL, "511c924ae091b1b9", NULL, NULL },
	{ "mysecretmountpassphrase0123", "9988776655443322", "922def7e2f207263", NULL, NULL },
	{ "correct horse battery staple", "0011223344556677", "3ab38bb4917daae6", NULL, NULL },
	{ "correct horse battery staple", NULL, "dfe2081a9780d1ee", NULL, NULL },
	/* setup-private-style vector: the unwrapped mount passphrase and Private.sig */
	{ "4ae9cb5bd40905376711af7df93193a5", "0011223344556677", "922556c260679dc7", NULL, NULL },
	{ "4ae9cb5bd40905376711af7df93193a5", NULL, "417c2dc550a14afc", NULL, NULL },
};

static void check_vector(const struct vector *v, struct ecryptfs_pass_key *k)
{
	uint8_t salt[ECRYPTFS_SALT_SIZE], kek[64];
	const char *salt_name = v->salt_hex ? v->salt_hex : "\"99887766\"";
	int rc;

	if (v->salt_hex)
		tap_unhex(v->salt_hex, salt, sizeof(salt));
	else
		memcpy(salt, ecryptfs_fnek_salt, sizeof(salt));
	rc = ecryptfs_derive_pass_key(v->pass, strlen(v->pass), salt, k);
	is_int(rc, 0, "derive '%s' salt %s", v->pass, salt_name);
	is_str(k->sig_hex, v->sig, "sig of '%s' salt %s", v->pass, salt_name);
	is_mem(k->salt, salt, sizeof(salt), "salt kept for '%s'", v->pass);
	if (v->kek_prefix) {
		size_t n = tap_unhex(v->kek_prefix, kek, sizeof(kek));

		is_mem(k->kek, kek, n, "KEK of '%s' (%zu bytes known)", v->pass, n);
	}
	if (v->kek_suffix) {
		size_t n = tap_unhex(v->kek_suffix, kek, sizeof(kek));

		is_mem(k->kek + 64 - n, kek, n, "KEK tail of '%s'", v->pass);
	}
}

/* Straightforward second implementation, to cross-check arbitrary input. */
static void naive_kdf(const char *pass, size_t len, const uint8_t *salt, uint8_t kek[64],
		      char sig_hex[17])
{
	uint8_t buf[8 + 64], h[64], s[64];

	memcpy(buf, salt, 8);
	memcpy(buf + 8, pass, len);
	gcry_md_hash_buffer(GCRY_MD_SHA512, h, buf, 8 + len);
	for (int i = 1; i < 65536; i++) {
		gcry_md_hash_buffer(GCRY_MD_SHA512, s, h, 64);
		memcpy(h, s, 64);
	}
	memcpy(kek, h, 64);
	gcry_md_hash_buffer(GCRY_MD_SHA512, s, h, 64);
	ecryptfs_hex_encode(s, 8, sig_hex);
}

int main(void)
{
	struct ecryptfs_pass_key *k = ecryptfs_pass_key_new();
	char pass[80], sig[17];
	uint8_t kek[64];
	struct timespec t0, t1;
	double ms;

	ok(k != NULL, "pass key in secure memory");
	if (!k)
		return tap_done();
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		check_vector(&vectors[i], k);

	/* doc/format.md §8.8: MD5 of the aes256-fnek FNEK KEK (tag 70's first digest). */
	{
		uint8_t md5[16], want[16];

		ecryptfs_derive_pass_key("vector-set-b aes256 fnek", 24, ecryptfs_fnek_salt, k);
		gcry_md_hash_buffer(GCRY_MD_MD5, md5, k->kek, 64);
		tap_unhex("f351d793f2f78fc5feff40b9fef6ec2e", want, sizeof(want));
		is_mem(md5, want, 16, "MD5 of the aes256-fnek FNEK KEK");
	}

	/* Lengths and bytes the vectors do not cover, against the naive loop. */
	for (size_t len = 1; len <= 64; len += 21) {
		for (size_t i = 0; i < len; i++)
			pass[i] = (char)(0x80 + (i * 37 + len) % 127 + 1);
		is_int(ecryptfs_derive_pass_key(pass, len, ecryptfs_default_salt, k), 0,
		       "derive %zu high-bit bytes", len);
		naive_kdf(pass, len, ecryptfs_default_salt, kek, sig);
		is_mem(k->kek, kek, 64, "KEK of %zu bytes equals the naive loop", len);
		is_str(k->sig_hex, sig, "sig of %zu bytes equals the naive loop", len);
	}

	memset(pass, 'x', sizeof(pass));
	is_int(ecryptfs_derive_pass_key(pass, 64, ecryptfs_default_salt, k), 0, "64 bytes accepted");
	is_int(ecryptfs_derive_pass_key(pass, 65, ecryptfs_default_salt, k), -EINVAL, "65 bytes rejected");
	is_int(ecryptfs_derive_pass_key(pass, 0, ecryptfs_default_salt, k), -EINVAL, "empty rejected");
	pass[3] = '\0';
	is_int(ecryptfs_derive_pass_key(pass, 8, ecryptfs_default_salt, k), -EINVAL, "embedded NUL rejected");
	is_int(ecryptfs_derive_pass_key(NULL, 3, ecryptfs_default_salt, k), -EINVAL, "NULL passphrase");
	is_int(ecryptfs_derive_pass_key("abc", 3, NULL, k), -EINVAL, "NULL salt");
	is_int(ecryptfs_derive_pass_key("abc", 3, ecryptfs_default_salt, NULL), -EINVAL, "NULL key");

	/*
	 * The time a derivation takes, for the log only: speed is measured by
	 * the benchmarks (bench/keymod, bench/pam), never asserted in a test,
	 * where valgrind and a loaded machine decide it.
	 */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 10; i++)
		ecryptfs_derive_pass_key("speed", 5, ecryptfs_default_salt, k);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = ((double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6) / 10;
	printf("# %.1f ms per derivation\n", ms);

	ecryptfs_pass_key_free(k);
	ecryptfs_pass_key_free(NULL);
	return tap_done();
}
