/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Extent engine throughput against raw libgcrypt CBC over the same buffers,
 * in the same run.  The raw baseline does the part of the work any eCryptfs
 * implementation must do (CBC over 4096-byte units with a fresh IV each);
 * the engine adds the kernel's IV derivation (MD5 per extent) and its
 * framing (handle pool, batch loop).  "IVs cached" is the same engine with
 * its IV cache warm (extents seen before: re-reads, read-modify-write).  Reported: MB/s for each and the
 * engine's overhead in percent.  Times are the thread's CPU time, best of
 * several interleaved rounds, so that a busy machine (other builds, other
 * benchmarks) disturbs both sides alike.  This prints; it never fails.
 *
 *   extent-bench [MiB per round (8)] [rounds (15)]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gcrypt.h>

#include "libecryptfs.h"
#include "internal.h"

#define EXT 4096

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double raw_cbc(gcry_cipher_hd_t h, unsigned block, bool enc, const uint8_t *in,
		      uint8_t *out, size_t n)
{
	static const uint8_t iv[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	double t0 = now();

	for (size_t i = 0; i < n; i++) {
		gcry_cipher_setiv(h, iv, block);
		if (enc)
			gcry_cipher_encrypt(h, out + i * EXT, EXT, in + i * EXT, EXT);
		else
			gcry_cipher_decrypt(h, out + i * EXT, EXT, in + i * EXT, EXT);
	}
	return now() - t0;
}

static double engine(struct ecryptfs_crypt *c, bool enc, const uint8_t *in, uint8_t *out,
		     size_t n)
{
	/* 256 extents per call: what a 1 MiB FUSE request gives the daemon. */
	const size_t batch = 256;
	double t0 = now();

	for (size_t i = 0; i < n; i += batch) {
		size_t k = n - i < batch ? n - i : batch;

		if (enc)
			ecryptfs_crypt_encrypt(c, i, in + i * EXT, out + i * EXT, k);
		else
			ecryptfs_crypt_decrypt(c, i, in + i * EXT, out + i * EXT, k);
	}
	return now() - t0;
}

static void bench(const char *name, size_t key_bytes, size_t mib, int rounds)
{
	size_t n = mib * 1024 * 1024 / EXT;
	uint8_t *a = malloc(n * EXT), *b = malloc(n * EXT);
	struct ecryptfs_cipher_info ci;
	struct ecryptfs_fek *fek = ecryptfs_fek_new();
	struct ecryptfs_crypt *c = NULL, *warm = NULL;
	gcry_cipher_hd_t h;
	double best[6] = { 1e9, 1e9, 1e9, 1e9, 1e9, 1e9 };
	size_t entries = 1;
	int code = ecryptfs_cipher_code(name, key_bytes);
	int algo;

	if (code < 0 || !a || !b || !fek || ecryptfs_fek_generate((uint8_t)code, key_bytes, fek) ||
	    ecryptfs_crypt_new(fek, &c) || ecryptfs_crypt_new(fek, &warm)) {
		printf("%-12s cannot set up\n", name);
		goto out;
	}
	ecryptfs_cipher_info((uint8_t)code, &ci);
	/* The same libgcrypt algorithm the engine keys. */
	algo = ecryptfs_fek_gcry_algo((uint8_t)code, key_bytes);
	if (algo < 0 || gcry_cipher_open(&h, algo, GCRY_CIPHER_MODE_CBC, 0)) {
		printf("%-12s cannot set up\n", name);
		goto out;
	}
	gcry_cipher_setkey(h, fek->key, key_bytes);
	gcry_randomize(a, n * EXT, GCRY_WEAK_RANDOM);
	while (entries < n)
		entries <<= 1;
	ecryptfs_crypt_iv_cache(warm, entries);
	engine(warm, true, a, b, n);	/* fills the IV cache */
	for (int r = 0; r < rounds; r++) {
		double t;

		if ((t = raw_cbc(h, ci.block_size, true, a, b, n)) < best[0])
			best[0] = t;
		if ((t = engine(c, true, a, b, n)) < best[1])
			best[1] = t;
		if ((t = raw_cbc(h, ci.block_size, false, b, a, n)) < best[2])
			best[2] = t;
		if ((t = engine(c, false, b, a, n)) < best[3])
			best[3] = t;
		if ((t = engine(warm, true, a, b, n)) < best[4])
			best[4] = t;
		if ((t = engine(warm, false, b, a, n)) < best[5])
			best[5] = t;
	}
	gcry_cipher_close(h);
	printf("%-8s %2zu  encrypt: raw %8.1f MB/s  engine %8.1f MB/s  overhead %5.1f%%"
	       "  | IVs cached: %8.1f MB/s  overhead %5.1f%%\n",
	       name, key_bytes, mib * 1.048576 / best[0], mib * 1.048576 / best[1],
	       100.0 * (best[1] / best[0] - 1.0), mib * 1.048576 / best[4],
	       100.0 * (best[4] / best[0] - 1.0));
	printf("%-8s %2zu  decrypt: raw %8.1f MB/s  engine %8.1f MB/s  overhead %5.1f%%"
	       "  | IVs cached: %8.1f MB/s  overhead %5.1f%%\n",
	       name, key_bytes, mib * 1.048576 / best[2], mib * 1.048576 / best[3],
	       100.0 * (best[3] / best[2] - 1.0), mib * 1.048576 / best[5],
	       100.0 * (best[5] / best[2] - 1.0));
out:
	ecryptfs_crypt_free(c);
	ecryptfs_crypt_free(warm);
	ecryptfs_fek_free(fek);
	free(a);
	free(b);
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 8;
	int rounds = argc > 2 ? atoi(argv[2]) : 15;

	if (ecryptfs_init() < 0 || mib == 0 || rounds <= 0) {
		fprintf(stderr, "usage: extent-bench [MiB per round] [rounds]\n");
		return 2;
	}
	printf("extent engine vs raw libgcrypt CBC, %zu MiB x %d rounds (best), 4096-byte extents\n",
	       mib, rounds);
	bench("aes", 16, mib, rounds);
	bench("aes", 32, mib, rounds);
	bench("blowfish", 16, mib, rounds);
	return 0;
}
