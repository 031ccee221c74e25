/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The extent engine: root IVs and IV derivation (doc/format.md §5.2, §5.6,
 * and third-party kernel-written files), CBC per extent against libgcrypt
 * directly, batches equal single extents, in place equals out of place,
 * runs of zero extents (encrypted as parallel chains) equal CBC, and many
 * threads on one context agree with one.
 */
#include "config.h"

#include <pthread.h>

#include <gcrypt.h>

#include "format-util.h"

static struct ecryptfs_crypt *ctx_for(uint8_t code, const char *fek_hex)
{
	struct ecryptfs_fek *fek = ecryptfs_fek_new();
	struct ecryptfs_crypt *c = NULL;

	fek->cipher_code = code;
	fek->key_bytes = tap_unhex(fek_hex, fek->key, sizeof(fek->key));
	if (ecryptfs_crypt_new(fek, &c) < 0)
		c = NULL;
	ecryptfs_fek_free(fek);
	return c;
}

static void check_iv(struct ecryptfs_crypt *c, uint64_t idx, const char *hex, size_t n,
		     const char *what)
{
	uint8_t iv[16], want[16];

	tap_unhex(hex, want, 16);
	ok(ecryptfs_crypt_extent_iv(c, idx, iv) == 0 && memcmp(iv, want, n) == 0,
	   "%s: IV %llu = %s", what, (unsigned long long)idx, hex);
}

static void check_root(struct ecryptfs_crypt *c, const char *hex, const char *what)
{
	uint8_t iv[16], want[16];

	tap_unhex(hex, want, 16);
	ecryptfs_crypt_root_iv(c, iv);
	is_mem(iv, want, 16, "%s: root IV %s", what, hex);
}

static const struct fixture_b {
	uint8_t code;
	const char *fek, *root, *iv0;
	size_t iv_bytes;	/* 8-byte-block ciphers use half the IV */
	const char *what, *root_what;
} fixtures_b[] = {
	{ 8, "f48b19cf162778b32ccc6ff221a9832c2705e12c0f5ca358", "919e5efc71a63da4fd624500855df3c5",
	  "8ef5981c145534b470364b73bbebd96f", 16, "aes-24", "aes-24 (hash of 24 bytes)" },
	{ 4, "e22bc7b80a217f19a9c7f26e097a0816", "4c4738b854a70d147b1577428086b1e9",
	  "e06626eb000000000000000000000000", 4, "blowfish-16", NULL },
	{ 2, "f303f97f721794920834e550aec511995894fceb38fee063", "4635f88d50ee16d5bbde71701fd33fff",
	  "db394b08000000000000000000000000", 4, "des3_ede-24", NULL },
	{ 3, "306a45edfe2e41c0c9d40365050bf301", "bfb63a1685013f473be4d59cf4285b3d",
	  "39c0675a000000000000000000000000", 4, "cast5-16", NULL },
	{ 0x0a, "334b6910e61a6bf9671517cbdee0a4f4", "66ffbbe8031c387d52e998814cfb2b05",
	  "1b15e45825df336a352ede1bba5fda01", 16, "twofish-16", NULL },
};

static void test_vectors(void)
{
	struct ecryptfs_crypt *c;
	struct ecryptfs_fek *fek = ecryptfs_fek_new();

	/* aes128-plain-names random-1MiB+123 (doc/format.md §5.6). */
	c = ctx_for(7, "b3ce0fdf2f6667a161b1b3d49620a2ae");
	ok(c != NULL, "random-1MiB+123 context");
	check_root(c, "61eac3d67793d5ae536067de91df5ec6", "random-1MiB+123");
	check_iv(c, 0, "b43340197152822b5f39636489eb26e6", 16, "random-1MiB+123");
	check_iv(c, 1, "93b822772f15574f5d8322fe8d7c076b", 16, "random-1MiB+123");
	check_iv(c, 2, "a7894bc66b0c3c91436d20dad6a81493", 16, "random-1MiB+123");
	check_iv(c, 256, "6f632acbd39f352eaa75843aa84557bd", 16, "random-1MiB+123");
	ecryptfs_crypt_free(c);
	/* The decimal suffixes, from the aes-16 fixture's FEK (doc/format.md §5.6). */
	c = ctx_for(7, "d8c8dcec9c511399fb6acb32f28d89e2");
	check_root(c, "dc7ad27937b255fc59c959d3162ea07c", "aes-16");
	check_iv(c, 0, "8f4f3411dacaa96027fc8662abd77f1c", 16, "aes-16");
	check_iv(c, 1, "3f0395fee13a45dfa4648efd325e1950", 16, "aes-16");
	check_iv(c, 9, "5427aa891b13604c5336986994b6fd19", 16, "aes-16");
	check_iv(c, 10, "71777bcc41b994ea14b14ed3de8d0682", 16, "aes-16");
	check_iv(c, 123, "31e38aa69dcd721c1a4ac946647ee88b", 16, "aes-16");
	check_iv(c, 1000000, "cfb8c3dfc004baa957d725cfee7723f2", 16, "aes-16");
	ecryptfs_crypt_free(c);
	/* Third-party fixtures with a whole FEK: root IV and IV 0 (n bytes compared). */
	for (size_t i = 0; i < sizeof(fixtures_b) / sizeof(fixtures_b[0]); i++) {
		const struct fixture_b *x = &fixtures_b[i];

		c = ctx_for(x->code, x->fek);
		check_root(c, x->root, x->root_what ? x->root_what : x->what);
		check_iv(c, 0, x->iv0, x->iv_bytes, x->what);
		ecryptfs_crypt_free(c);
	}
	/* cast6: the engine refuses to pretend. */
	fek->cipher_code = 0x0b;
	fek->key_bytes = 16;
	c = NULL;
	is_int(ecryptfs_crypt_new(fek, &c), -ENOTSUP, "cast6 context: -ENOTSUP");
	fek->cipher_code = 0x33;
	is_int(ecryptfs_crypt_new(fek, &c), -ENOPKG, "unknown code: -ENOPKG");
	ecryptfs_fek_free(fek);
}

/* Our batches against libgcrypt CBC done extent by extent here. */
static void test_against_gcrypt(void)
{
	static const struct { uint8_t code; int algo; size_t bytes, block; } v[] = {
		{ 7, GCRY_CIPHER_AES128, 16, 16 }, { 8, GCRY_CIPHER_AES192, 24, 16 },
		{ 9, GCRY_CIPHER_AES256, 32, 16 }, { 4, GCRY_CIPHER_BLOWFISH, 56, 8 },
		{ 2, GCRY_CIPHER_3DES, 24, 8 }, { 3, GCRY_CIPHER_CAST5, 16, 8 },
		{ 0x0a, GCRY_CIPHER_TWOFISH, 32, 16 },
	};
	const size_t n = 70;	/* more than one 64-extent decrypt run */
	const uint64_t first = 99970;	/* crosses 99999 -> 100000: digit count changes */
	uint8_t *plain = malloc(n * 4096), *ours = malloc(n * 4096), *ref = malloc(n * 4096);
	uint8_t *back = malloc(n * 4096);
	const size_t zn = 150;
	uint8_t *zplain = malloc(zn * 4096), *zours = malloc(zn * 4096), *zref = malloc(zn * 4096);

	fu_fill(plain, n * 4096, 7);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct ecryptfs_fek *fek = ecryptfs_fek_new();
		struct ecryptfs_crypt *c = NULL;
		gcry_cipher_hd_t h;
		bool same = true;

		ecryptfs_fek_generate(v[i].code, v[i].bytes, fek);
		ecryptfs_crypt_new(fek, &c);
		gcry_cipher_open(&h, v[i].algo, GCRY_CIPHER_MODE_CBC, 0);
		gcry_cipher_setkey(h, fek->key, v[i].bytes);
		for (size_t e = 0; e < n; e++) {
			uint8_t iv[16];

			ecryptfs_crypt_extent_iv(c, first + e, iv);
			gcry_cipher_setiv(h, iv, v[i].block);
			gcry_cipher_encrypt(h, ref + e * 4096, 4096, plain + e * 4096, 4096);
		}
		gcry_cipher_close(h);
		ok(ecryptfs_crypt_encrypt(c, first, plain, ours, n) == 0 &&
		   memcmp(ours, ref, n * 4096) == 0, "code 0x%02x: batch encrypt = libgcrypt CBC",
		   v[i].code);
		for (size_t e = 0; e < n; e++)
			if (ecryptfs_crypt_decrypt(c, first + e, ref + e * 4096, back + e * 4096, 1) ||
			    memcmp(back + e * 4096, plain + e * 4096, 4096))
				same = false;
		ok(same, "code 0x%02x: single-extent decrypts give the plaintext", v[i].code);
		memcpy(back, ref, n * 4096);
		ok(ecryptfs_crypt_decrypt(c, first, back, back, n) == 0 &&
		   memcmp(back, plain, n * 4096) == 0, "code 0x%02x: in-place batch decrypt",
		   v[i].code);
		/*
		 * Mostly zeros: runs of 19, 59, 3 (too short for the chains), 64
		 * and 1 zero extents between extents with data, one of them zero
		 * but for its last byte.
		 */
		memset(zplain, 0, zn * 4096);
		fu_fill(zplain, 4096, 9);
		fu_fill(zplain + 80 * 4096, 4096, 10);
		fu_fill(zplain + 84 * 4096, 4096, 11);
		zplain[21 * 4096 - 1] = 1;
		gcry_cipher_open(&h, v[i].algo, GCRY_CIPHER_MODE_CBC, 0);
		gcry_cipher_setkey(h, fek->key, v[i].bytes);
		for (size_t e = 0; e < zn; e++) {
			uint8_t iv[16];

			ecryptfs_crypt_extent_iv(c, first + e, iv);
			gcry_cipher_setiv(h, iv, v[i].block);
			gcry_cipher_encrypt(h, zref + e * 4096, 4096, zplain + e * 4096, 4096);
		}
		gcry_cipher_close(h);
		ok(ecryptfs_crypt_encrypt(c, first, zplain, zours, zn) == 0 &&
		   memcmp(zours, zref, zn * 4096) == 0,
		   "code 0x%02x: runs of zero extents encrypt as libgcrypt CBC does", v[i].code);
		memcpy(zours, zplain, zn * 4096);
		ok(ecryptfs_crypt_encrypt(c, first, zours, zours, zn) == 0 &&
		   memcmp(zours, zref, zn * 4096) == 0,
		   "code 0x%02x: ... in place too", v[i].code);
		ecryptfs_crypt_free(c);
		ecryptfs_fek_free(fek);
	}
	free(plain);
	free(ours);
	free(ref);
	free(back);
	free(zplain);
	free(zours);
	free(zref);
}

struct job {
	struct ecryptfs_crypt *c;
	const uint8_t *cipher, *plain;
	uint64_t first;
	size_t n;
	int bad;
};

static void *worker(void *arg)
{
	struct job *j = arg;
	uint8_t *out = malloc(j->n * 4096);

	for (int round = 0; round < 20; round++) {
		/* Disjoint slices of one file, as the daemon's workers take them. */
		if (ecryptfs_crypt_decrypt(j->c, j->first, j->cipher, out, j->n) ||
		    memcmp(out, j->plain, j->n * 4096))
			j->bad++;
	}
	free(out);
	return NULL;
}

static void test_threads(size_t cache)
{
	const size_t n = 256, threads = 8, per = n / threads;
	uint8_t *plain = malloc(n * 4096), *cipher = malloc(n * 4096);
	struct ecryptfs_fek *fek = ecryptfs_fek_new();
	struct ecryptfs_crypt *c = NULL;
	pthread_t t[8];
	struct job j[8];
	int bad = 0;

	fu_fill(plain, n * 4096, 3);
	ecryptfs_fek_generate(7, 16, fek);
	ecryptfs_crypt_new(fek, &c);
	is_int(ecryptfs_crypt_iv_cache(c, cache), 0, "IV cache of %zu entries", cache);
	ecryptfs_crypt_encrypt(c, 0, plain, cipher, n);
	for (size_t i = 0; i < threads; i++) {
		j[i] = (struct job){ c, cipher + i * per * 4096, plain + i * per * 4096, i * per, per, 0 };
		pthread_create(&t[i], NULL, worker, &j[i]);
	}
	for (size_t i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		bad += j[i].bad;
	}
	is_int(bad, 0, "8 threads x 20 rounds on one context (IV cache %zu): every slice decrypts",
	       cache);
	if (cache)
		is_int(ecryptfs_crypt_iv_cache(c, cache), -EBUSY, "the cache is set only once");
	is_int(ecryptfs_crypt_iv_cache(c, 3), -EINVAL, "cache size must be a power of two");
	ecryptfs_crypt_free(c);
	ecryptfs_fek_free(fek);
	free(plain);
	free(cipher);
}

int main(void)
{
	test_vectors();
	test_against_gcrypt();
	test_threads(0);
	/* Fewer entries than extents: threads overwrite each other's entries. */
	test_threads(64);
	return tap_done();
}
