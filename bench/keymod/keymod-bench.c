/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cost of opening a file per key: files are made in DIR under a
 * passphrase key (tag 3) and under each module key given (tag 1), then
 * each is opened (header read, FEK unwrapped, extent engine keyed) and
 * closed, ROUNDS times; prints the median microseconds per open, the
 * passphrase key's beside the modules', measured in the same run.  A module
 * of passphrase keys (derive: tpm2) works only at mount, so its line is the
 * median microseconds per mount (one derive, ROUNDS times), then its opens,
 * which are tag 3 opens.
 *   keymod-bench DIR FILES ROUNDS [[LABEL@]MODULE:NAME=VALUE[:NAME=VALUE...]...]
 * e.g. keymod-bench /tmp/b 200 5 rsa-2048@openssl:keyfile=/tmp/key.pem
 * (a value pkcs11:... keeps its colon: pkcs11:uri=pkcs11:token=t;id=%01:pin_file=F)
 * (bench/keymod/bench.sh).  Modules come from ECRYPTFS_KEYMOD_DIR.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libecryptfs.h"
#include "ecryptfs_key_mod.h"

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Make n files under ks/sig in dir (names tag.i), then time opening them. */
static int run(const char *dir, const char *tag, struct ecryptfs_keyset *ks,
	       const uint8_t sig[ECRYPTFS_SIG_SIZE], int n, int rounds)
{
	struct ecryptfs_policy p;
	double *t = calloc((size_t)n * rounds, sizeof(*t));
	char path[4096];
	int r;

	if (!t)
		return -ENOMEM;
	ecryptfs_policy_init(&p, "aes", 16);
	ecryptfs_policy_add_sig(&p, sig);
	for (int i = 0; i < n; i++) {
		struct ecryptfs_file *f = NULL;
		int fd;

		snprintf(path, sizeof(path), "%s/%s.%d", dir, tag, i);
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			return -errno;
		r = ecryptfs_file_create(fd, &p, ks, &f);
		if (r == 0 && ecryptfs_file_pwrite(f, "benchmark", 9, 0) != 9)
			r = -EIO;
		ecryptfs_file_close(f);
		close(fd);
		if (r < 0) {
			fprintf(stderr, "keymod-bench: %s: creating %s: %s\n", tag, path,
				strerror(-r));
			return r;
		}
	}
	for (int k = 0; k < rounds; k++) {
		for (int i = 0; i < n; i++) {
			struct ecryptfs_file *f = NULL;
			double t0;
			int fd;

			snprintf(path, sizeof(path), "%s/%s.%d", dir, tag, i);
			fd = open(path, O_RDWR);
			t0 = now_us();
			r = ecryptfs_file_open(fd, NULL, ks, 0, &f);
			ecryptfs_file_close(f);
			t[k * n + i] = now_us() - t0;
			close(fd);
			if (r < 0) {
				fprintf(stderr, "keymod-bench: %s: opening %s: %s\n", tag, path,
					strerror(-r));
				return r;
			}
		}
	}
	qsort(t, (size_t)n * rounds, sizeof(*t), cmp_double);
	printf("%-12s %10.1f us/open (median of %d opens; p90 %.1f)\n", tag,
	       t[(size_t)n * rounds / 2], n * rounds, t[(size_t)n * rounds * 9 / 10]);
	free(t);
	return 0;
}

/* A derive module's key ROUNDS times (timed: a mount's cost), into a key set. */
static int derive_keyset(struct ecryptfs_keymod *m, const char *tag,
			 const struct ecryptfs_key_mod_value *v, size_t n, int rounds,
			 struct ecryptfs_keyset **ks, uint8_t sig[8], char *err, size_t errlen)
{
	struct ecryptfs_pass_key *key = ecryptfs_pass_key_new();
	double *t = calloc((size_t)rounds, sizeof(*t));
	char need[64];
	int r = key && t ? 0 : -ENOMEM;

	for (int k = 0; r == 0 && k < rounds; k++) {
		double t0 = now_us();

		r = ecryptfs_keymod_derive(m, v, n, key, need, err, errlen);
		t[k] = now_us() - t0;
	}
	if (r == 0) {
		qsort(t, (size_t)rounds, sizeof(*t), cmp_double);
		printf("%-12s %10.1f us/mount (median of %d derives; files are tag 3)\n", tag,
		       t[rounds / 2], rounds);
		memcpy(sig, key->sig, ECRYPTFS_SIG_SIZE);
		r = ecryptfs_keyset_new(ks);
	}
	if (r == 0)
		r = ecryptfs_keyset_add_pass_key(*ks, key);
	free(t);
	ecryptfs_pass_key_free(key);
	return r;
}

/* "MODULE:a=1:b=2" -> a key set holding that module key; its sig. */
static int module_keyset(char *spec, const char *tag, int rounds, struct ecryptfs_keyset **ks,
			 uint8_t sig[8])
{
	struct ecryptfs_key_mod_value v[16];
	struct ecryptfs_keymod *m = NULL;
	const struct ecryptfs_key_mod_ops *ops;
	char *alias = strtok(spec, ":"), *tok, need[64], err[512] = "";
	uint8_t blob[ECRYPTFS_KEY_MOD_BLOB_MAX];
	size_t n = 0, len = sizeof(blob);
	int r;

	while (n < 16 && (tok = strtok(NULL, ":"))) {
		char *eq = strchr(tok, '='), *next;
		size_t l = strlen(tok);

		/* NAME=pkcs11:... is a PKCS#11 URI: its own colon stays. */
		if (l > 7 && !strcmp(tok + l - 7, "=pkcs11") && (next = strtok(NULL, ":")))
			next[-1] = ':';
		if (!eq)
			return -EINVAL;
		*eq = '\0';
		v[n].name = tok;
		v[n].value = eq + 1;
		n++;
	}
	r = ecryptfs_keymod_load(alias, &m, err, sizeof(err));
	if (r == 0) {
		ops = ecryptfs_keymod_ops(m);
		if (ops->derive) {
			r = derive_keyset(m, tag, v, n, rounds, ks, sig, err, sizeof(err));
			goto out;
		}
		r = ops->make_blob(v, n, blob, &len, need, err, sizeof(err));
	}
	if (r == 0)
		r = ecryptfs_keyset_new(ks);
	if (r == 0)
		r = ecryptfs_keyset_add_module_key(*ks, alias, blob, len, sig, err, sizeof(err));
out:
	if (r < 0)
		fprintf(stderr, "keymod-bench: %s: %s\n", alias, err[0] ? err : strerror(-r));
	ecryptfs_keymod_unload(m);
	return r;
}

int main(int argc, char **argv)
{
	struct ecryptfs_keyset *ks = NULL;
	struct ecryptfs_pass_key *key = ecryptfs_pass_key_new();
	int n, rounds, r;

	if (argc < 4 || (n = atoi(argv[2])) <= 0 || (rounds = atoi(argv[3])) <= 0) {
		fprintf(stderr, "usage: keymod-bench DIR FILES ROUNDS "
			"[[LABEL@]MODULE:NAME=VALUE...]...\n");
		return 2;
	}
	if (!key || ecryptfs_derive_pass_key("benchmark", 9, ecryptfs_default_salt, key) < 0 ||
	    ecryptfs_keyset_new(&ks) < 0 || ecryptfs_keyset_add_pass_key(ks, key) < 0)
		return 1;
	r = run(argv[1], "passphrase", ks, key->sig, n, rounds);
	ecryptfs_keyset_free(ks);
	for (int i = 4; r == 0 && i < argc; i++) {
		char *spec = strchr(argv[i], '@') ? strchr(argv[i], '@') + 1 : argv[i];
		uint8_t sig[8];
		char tag[64];

		snprintf(tag, sizeof(tag), "%.*s", (int)strcspn(argv[i], ":@"), argv[i]);
		ks = NULL;
		r = module_keyset(spec, tag, rounds, &ks, sig);
		if (r == 0)
			r = run(argv[1], tag, ks, sig, n, rounds);
		ecryptfs_keyset_free(ks);
	}
	ecryptfs_pass_key_free(key);
	return r < 0;
}
