/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Filename encryption (fname.c) against doc/format.md §8.8, the third-party
 * kernel outputs, and every lower name and symlink target of the kernel 6.1
 * vector sets aes256-fnek, aes192-fnek-same-key and setup-private-style;
 * hostile lower names; and that only the encoder's own spelling of a name
 * decodes (doc/format.md §8.5).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gcrypt.h>

#include "libecryptfs.h"
#include "internal.h"
#include "tap.h"

#define PFX ECRYPTFS_FNEK_PREFIX

static struct ecryptfs_pass_key *derive(const char *pass, const uint8_t *salt)
{
	struct ecryptfs_pass_key *k = ecryptfs_pass_key_new();

	if (!k || ecryptfs_derive_pass_key(pass, strlen(pass), salt, k) != 0) {
		printf("Bail out! cannot derive key for '%s'\n", pass);
		exit(1);
	}
	return k;
}

/* Encrypt name, compare with want, decrypt want back to name. */
static void roundtrip(const struct ecryptfs_pass_key *k, uint8_t code, size_t kb,
		      const char *name, const char *want, const char *what)
{
	char out[4096];
	int rc;

	rc = ecryptfs_fname_encrypt(k, code, kb, name, strlen(name), out, sizeof(out));
	if (!ok(rc == (int)strlen(want) && strcmp(out, want) == 0, "%s: encrypt", what))
		printf("#   rc %d\n#   got  %s\n#   want %s\n", rc, rc > 0 ? out : "", want);
	rc = ecryptfs_fname_decrypt(k, kb, want, strlen(want), out, sizeof(out));
	if (!ok(rc == (int)strlen(name) && strcmp(out, name) == 0, "%s: decrypt", what))
		printf("#   rc %d\n", rc);
}

static void spec_vectors(void)
{
	static const uint8_t default_salt[8] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 };
	struct ecryptfs_pass_key *b = derive("vector-set-b aes256 fnek", ecryptfs_fnek_salt);
	struct ecryptfs_pass_key *t = derive("Test", default_salt);
	static const struct {
		const char *cipher;
		size_t kb;
		const char *tail;
	} third[] = {
		{ "aes", 16, "FWYp3QmdieuVx-ReNM93cFJhZmQKb9S.7xyoDzbVOSbBh3ttRUURq5F-zE--" },
		{ "aes", 24, "FWYp3QmdieuVx-UP0Bp5ZhSV8z0l0qmRIVPgjmpEsGWRgxIcl0sTzLZcs---" },
		{ "aes", 32, "FWYp3QmdieuVx-aK6fArd1FkXCt3ijqL6Arsiu3IFxKKhksWZXxt2HR.i---" },
		{ "blowfish", 16, "FWYp3QmdieuVx-Fi4vCFunEkpmguVPgTV8O7OCI7gcIM0RzNtZOMT.ad8k--" },
		{ "blowfish", 32, "FWYp3QmdieuVx-Gcj-1XYP8.88HiL.Iqo1dD0FdJ43mOKINZrz4jr23Alk--" },
		{ "blowfish", 56, "FWYp3QmdieuVx-ENJPazcrf3HQ7pWVxijnxeY.TJuf5cmIawdVooB35qhU--" },
		{ "des3_ede", 24, "FWYp3QmdieuVx-7SUzZ0hbmbz5nk3WMwv4ZjYta1MzcS0Zfdls0zMhkKmk--" },
		{ "cast5", 16, "FWYp3QmdieuVx-CmuNOpVG2GsCd8MdmEh7ndp5ixhBAtzsKYxq46G0BYH---" },
	};
	char want[512], what[64];

	is_str(b->sig_hex, "fdda5d3feb341894", "set B FNEK sig (ASCII salt)");
	roundtrip(b, ECRYPTFS_CIPHER_AES_256, 0, "a",
		  PFX "FWbxqZozunEMZ-YfdKzwuOxDzAATzyTmsvE0Wf1IpDbRUUSXTa5e93ypjE--", "aes256-fnek a");
	roundtrip(b, ECRYPTFS_CIPHER_AES_256, 32, "TestFile",
		  PFX "FWbxqZozunEMZ-YfdKzwuOxDzAATzyTmsvE07BZZzqxGhvcN2n2honnqJk--",
		  "aes256-fnek TestFile");
	is_str(t->sig_hex, "3515cca9baaea1f4", "Test key sig");
	for (size_t i = 0; i < sizeof(third) / sizeof(third[0]); i++) {
		int code = ecryptfs_cipher_code(third[i].cipher, third[i].kb);

		snprintf(want, sizeof(want), "%s%s", PFX, third[i].tail);
		snprintf(what, sizeof(what), "third-party %s/%zu", third[i].cipher, third[i].kb);
		ok(code > 0, "%s: cipher code", what);
		roundtrip(t, (uint8_t)code, third[i].kb, "TestFile", want, what);
	}
	roundtrip(t, ECRYPTFS_CIPHER_AES_128, 16, "a",
		  PFX "FWYp3QmdieuVx-ReNM93cFJhZmQKb9S.7xyocb44sneKsdeN1ldC72EbuE--", "aes/16 a");
	ecryptfs_pass_key_free(b);
	ecryptfs_pass_key_free(t);
}

/* ---- kernel 6.1 vector sets ------------------------------------------- */

struct vset {
	const char *dir, *tarball, *top, *pass;
	const uint8_t *salt;		/* FNEK salt */
	uint8_t code;
};

/* Next backticked field of a table row; NULL at the end. */
static char *next_field(char **p)
{
	char *a = strchr(*p, '`'), *b;

	if (!a)
		return NULL;
	b = strchr(a + 1, '`');
	if (!b)
		return NULL;
	*b = '\0';
	*p = b + 1;
	return a + 1;
}

/* Walk lower and upper path components in step. */
static void check_path(const struct ecryptfs_pass_key *k, uint8_t code,
		       char *lower, char *upper, const char *set, int *n_ok, int *n_bad)
{
	char *ls = NULL, *us = NULL, *l, *u;
	char out[4096];

	for (l = strtok_r(lower, "/", &ls), u = strtok_r(upper, "/", &us); l && u;
	     l = strtok_r(NULL, "/", &ls), u = strtok_r(NULL, "/", &us)) {
		int d = ecryptfs_fname_decrypt(k, 0, l, strlen(l), out, sizeof(out));
		bool dec = d >= 0 && strcmp(out, u) == 0;
		int e = ecryptfs_fname_encrypt(k, code, 0, u, strlen(u), out, sizeof(out));
		bool enc = e >= 0 && strcmp(out, l) == 0;

		if (dec && enc) {
			(*n_ok)++;
		} else {
			(*n_bad)++;
			printf("# %s: %s <-> %s: decrypt %d, encrypt %d\n", set, l, u, d, e);
		}
	}
	if (l || u) {
		(*n_bad)++;
		printf("# %s: component counts differ\n", set);
	}
}

static void check_symlink(const struct ecryptfs_pass_key *k, uint8_t code, const char *root,
			  const char *lower, const char *target, const char *set)
{
	char path[PATH_MAX * 4], lt[PATH_MAX], out[PATH_MAX];
	ssize_t n;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", root, lower);
	n = readlink(path, lt, sizeof(lt) - 1);
	if (!ok(n > 0, "%s: readlink %s", set, lower))
		return;
	lt[n] = '\0';
	rc = ecryptfs_symlink_decrypt(k, 0, lt, (size_t)n, out, sizeof(out));
	ok(rc == (int)strlen(target) && strcmp(out, target) == 0,
	   "%s: symlink target of %.40s decrypts (%zd lower bytes)", set, lower, n);
	rc = ecryptfs_symlink_encrypt(k, code, 0, target, strlen(target), out, sizeof(out));
	ok(rc == n && strcmp(out, lt) == 0, "%s: symlink target of %.40s re-encrypts", set,
	   lower);
}

static void vector_set(const char *vdir, const struct vset *v)
{
	char path[PATH_MAX * 2], line[16384], cmd[PATH_MAX * 8], root[PATH_MAX * 2];
	struct ecryptfs_pass_key *k = derive(v->pass, v->salt);
	const char *tmp = getenv("TESTTMP") ? getenv("TESTTMP") : "/tmp";
	int n_ok = 0, n_bad = 0, n_links = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/MANIFEST.md", vdir, v->dir);
	f = fopen(path, "r");
	if (!ok(f != NULL, "%s: open MANIFEST.md", v->dir)) {
		ecryptfs_pass_key_free(k);
		return;
	}
	snprintf(root, sizeof(root), "%s/%s-lower", tmp, v->dir);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s' && tar -C '%s' -xf '%s/%s/%s'",
		 root, root, root, vdir, v->dir, v->tarball);
	ok(system(cmd) == 0, "%s: extract %s", v->dir, v->tarball);
	/* Each archive holds one top directory (lower/ or dot-Private/). */
	strcat(root, "/");
	strcat(root, v->top);
	/* Rows of the two lower tables start with a backticked lower path. */
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *lower, *upper, *rest;

		if (strncmp(line, "| `ECRYPTFS_FNEK_ENCRYPTED.", 27) != 0)
			continue;
		lower = next_field(&p);
		upper = next_field(&p);
		if (!lower || !upper)
			continue;
		rest = p;
		if (strstr(rest, "| symlink |")) {
			char *target = next_field(&p);
			char *lcopy = strdup(lower);

			if (target) {
				check_symlink(k, v->code, root, lcopy, target, v->dir);
				n_links++;
			}
			free(lcopy);
		}
		check_path(k, v->code, lower, upper, v->dir, &n_ok, &n_bad);
	}
	fclose(f);
	ok(n_ok > 10 && n_bad == 0, "%s: %d lower name components decrypt and re-encrypt (%d bad)",
	   v->dir, n_ok, n_bad);
	ok(n_links > 0, "%s: %d symlinks checked", v->dir, n_links);
	ecryptfs_pass_key_free(k);
}

static void vector_sets(void)
{
	const char *env = getenv("VECTORS"), *src = getenv("SRCDIR");
	char vdir[1024];
	const struct vset sets[] = {
		{ "aes256-fnek", "lower.tar", "lower", "vector-set-b aes256 fnek", ecryptfs_fnek_salt,
		  ECRYPTFS_CIPHER_AES_256 },
		{ "aes192-fnek-same-key", "lower.tar", "lower", "vector-set-c aes192 fnek same key",
		  ecryptfs_default_salt, ECRYPTFS_CIPHER_AES_192 },
		{ "setup-private-style", "dot-Private.tar", "dot-Private", "4ae9cb5bd40905376711af7df93193a5",
		  ecryptfs_fnek_salt, ECRYPTFS_CIPHER_AES_128 },
	};

	if (env)
		snprintf(vdir, sizeof(vdir), "%s", env);
	else
		snprintf(vdir, sizeof(vdir), "%s/tests/data/vectors", src ? src : "..");
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		vector_set(vdir, &sets[i]);
}

/* ---- lengths, limits and hostile input -------------------------------- */

static const char b64[] = "-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/*
 * Lower name for an arbitrary packet body: tag 70, sig, code, ECB(plain)
 * under AES-128 and the first 16 bytes of the KEK, whatever code says.
 */
static void craft_code(const struct ecryptfs_pass_key *k, uint8_t code, const uint8_t *plain,
		       size_t n, char *out)
{
	uint8_t pkt[512] = { 0 };
	size_t i = 0, body = 9 + n;
	gcry_cipher_hd_t hd;

	pkt[i++] = 0x46;
	pkt[i++] = (uint8_t)body;
	memcpy(pkt + i, k->sig, 8);
	i += 8;
	pkt[i++] = code;
	gcry_cipher_open(&hd, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_ECB, 0);
	gcry_cipher_setkey(hd, k->kek, 16);
	gcry_cipher_encrypt(hd, pkt + i, n, plain, n);
	gcry_cipher_close(hd);
	i += n;
	strcpy(out, PFX);
	out += strlen(PFX);
	for (size_t j = 0; j < i; j += 3) {
		uint8_t b[3] = { 0, 0, 0 };

		memcpy(b, pkt + j, i - j < 3 ? i - j : 3);
		*out++ = b64[b[0] >> 2];
		*out++ = b64[((b[0] << 4) & 0x30) | (b[1] >> 4)];
		*out++ = b64[((b[1] << 2) & 0x3c) | (b[2] >> 6)];
		*out++ = b64[b[2] & 0x3f];
	}
	*out = '\0';
}

static void craft(const struct ecryptfs_pass_key *k, const uint8_t *plain, size_t n,
		  char *out)
{
	craft_code(k, ECRYPTFS_CIPHER_AES_128, plain, n, out);
}

/*
 * The first n bytes of the kernel's prefix (doc/format.md §8.3): the MD5
 * chain over the whole KEK, 0x00 written as 0x42.
 */
static void md5_prefix(const struct ecryptfs_pass_key *k, uint8_t *out, size_t n)
{
	uint8_t h[16];

	gcry_md_hash_buffer(GCRY_MD_MD5, h, k->kek, sizeof(k->kek));
	for (size_t j = 0; j < n; j++) {
		out[j] = h[j % 16] ? h[j % 16] : 0x42;
		if (j % 16 == 15)
			gcry_md_hash_buffer(GCRY_MD_MD5, h, h, 16);
	}
}

static void limits_and_errors(void)
{
	struct ecryptfs_pass_key *k = derive("limits", ecryptfs_fnek_salt);
	struct ecryptfs_pass_key *other = derive("another key", ecryptfs_fnek_salt);
	const uint8_t c16 = ECRYPTFS_CIPHER_AES_128;
	char name[4096], out[8192], lower[8192], good[512];
	uint8_t sig[8], code = 0, plain[64];
	int rc;

	/* doc/format.md §8.6 lengths */
	is_int(ecryptfs_fname_lower_len(c16, 1), 84, "lower length of 1 byte (b=16)");
	is_int(ecryptfs_fname_lower_len(c16, 8), 84, "lower length of 8 bytes");
	is_int(ecryptfs_fname_lower_len(c16, 143), 252, "lower length of 143 bytes");
	is_int(ecryptfs_fname_lower_len(c16, 144), 276, "lower length of 144 bytes");
	is_int(ecryptfs_fname_lower_len(c16, 378), 576, "lower length of 378 bytes");
	is_int(ecryptfs_fname_lower_len(ECRYPTFS_CIPHER_BLOWFISH, 1), 72,
	       "lower length of 1 byte (b=8)");
	is_int(ecryptfs_fname_lower_len(c16, 3007), 4072, "lower length of 3007 bytes");
	is_int(ecryptfs_fname_max_len(c16, 255), 143, "f_namelen 143 for NAME_MAX 255");
	is_int(ecryptfs_fname_max_len(ECRYPTFS_CIPHER_DES3_EDE, 255), 143, "also for b=8");
	is_int(ecryptfs_fname_max_len(c16, 84), 15, "exact fit for a lower limit of 84");
	is_int(ecryptfs_fname_max_len(c16, 83), 0, "nothing fits 83");
	is_int(ecryptfs_fname_max_len(0x55, 255), -ENOENT, "max_len: unknown code");

	/* 1..143 bytes round trip, including a full UTF-8 143-byte name; 144 fails */
	for (size_t len = 1; len <= 144; len++) {
		for (size_t i = 0; i < len; i++)
			name[i] = (char)('!' + (i * 7 + len) % 90);
		name[len] = '\0';
		if (name[0] == '.')
			name[0] = 'x';
		for (size_t i = 0; i < len; i++)
			if (name[i] == '/')
				name[i] = '_';
		rc = ecryptfs_fname_encrypt(k, c16, 16, name, len, lower, sizeof(lower));
		if (len == 144) {
			is_int(rc, -ENAMETOOLONG, "144-byte name: ENAMETOOLONG");
			break;
		}
		if (rc != ecryptfs_fname_lower_len(c16, len) ||
		    ecryptfs_fname_decrypt(k, 16, lower, (size_t)rc, out, sizeof(out)) != (int)len ||
		    memcmp(out, name, len) != 0) {
			ok(0, "round trip of a %zu-byte name", len);
			break;
		}
	}
	ok(rc == -ENAMETOOLONG, "names of 1..143 bytes round trip");
	strcpy(name, "");
	for (int i = 0; i < 71; i++)
		strcat(name, "\xc3\xbc");
	strcat(name, "x");
	rc = ecryptfs_fname_encrypt(k, c16, 16, name, strlen(name), lower, sizeof(lower));
	is_int(rc, 252, "143-byte UTF-8 name encrypts to 252 bytes");
	rc = ecryptfs_fname_decrypt(k, 16, lower, 252, out, sizeof(out));
	ok(rc == 143 && strcmp(out, name) == 0, "and decrypts back");

	/* "." and ".." pass through; bad plaintext names */
	rc = ecryptfs_fname_encrypt(k, c16, 16, "..", 2, out, sizeof(out));
	ok(rc == 2 && strcmp(out, "..") == 0, "encrypt: .. passes through");
	rc = ecryptfs_fname_decrypt(k, 16, ".", 1, out, sizeof(out));
	ok(rc == 1 && strcmp(out, ".") == 0, "decrypt: . passes through");
	is_int(ecryptfs_fname_encrypt(k, c16, 16, "", 0, out, sizeof(out)), -EINVAL,
	       "empty name");
	is_int(ecryptfs_fname_encrypt(k, c16, 16, "a/b", 3, out, sizeof(out)), -EINVAL,
	       "name with /");
	is_int(ecryptfs_fname_encrypt(k, c16, 16, "a\0b", 3, out, sizeof(out)), -EINVAL,
	       "name with NUL");
	is_int(ecryptfs_fname_encrypt(k, c16, 16, "abc", 3, out, 84), -ENAMETOOLONG,
	       "output buffer one byte short");
	is_int(ecryptfs_fname_encrypt(k, c16, 16, "abc", 3, out, 85), 84, "exact output buffer");
	is_int(ecryptfs_fname_encrypt(k, c16, 32, "abc", 3, out, sizeof(out)), -EINVAL,
	       "AES-128 code with a 32-byte key");
	is_int(ecryptfs_fname_encrypt(k, ECRYPTFS_CIPHER_CAST6, 16, "abc", 3, out, sizeof(out)),
	       -ENOTSUP, "cast6: ENOTSUP");
	is_int(ecryptfs_fname_encrypt(k, ECRYPTFS_CIPHER_BLOWFISH, 0, "abc", 3, out,
				      sizeof(out)), -EINVAL, "blowfish needs a key size");

	/* Symlink targets: bounded by the caller's buffer (ext4: 4095 + NUL) */
	memset(name, 'x', 3008);
	name[1] = '/';
	rc = ecryptfs_symlink_encrypt(k, c16, 16, name, 3007, lower, 4096);
	is_int(rc, 4072, "3007-byte target fits 4095 bytes");
	rc = ecryptfs_symlink_decrypt(k, 16, lower, 4072, out, sizeof(out));
	ok(rc == 3007 && memcmp(out, name, 3007) == 0, "and decrypts back with its '/'");
	is_int(ecryptfs_symlink_encrypt(k, c16, 16, name, 3008, lower, 4096), -ENAMETOOLONG,
	       "3008-byte target does not");
	rc = ecryptfs_symlink_encrypt(k, c16, 16, "..", 2, lower, sizeof(lower));
	ok(rc > 24, "symlink target .. is encrypted");
	is_int(ecryptfs_fname_decrypt(k, 16, lower, (size_t)rc, out, sizeof(out)), -EINVAL,
	       "a name that decrypts to .. is refused");
	rc = ecryptfs_symlink_encrypt(k, c16, 16, "../x", 4, lower, sizeof(lower));
	is_int(ecryptfs_fname_decrypt(k, 16, lower, (size_t)rc, out, sizeof(out)), -EINVAL,
	       "a name that decrypts to ../x is refused");
	rc = ecryptfs_symlink_decrypt(k, 16, lower, (size_t)rc, out, sizeof(out));
	ok(rc == 4 && strcmp(out, "../x") == 0, "but the symlink target is fine");

	/* A key size the cipher refuses (3DES wants 24) fails cleanly. */
	rc = ecryptfs_fname_encrypt(k, ECRYPTFS_CIPHER_DES3_EDE, 24, "abc", 3, lower,
				    sizeof(lower));
	ok(rc == 72, "3DES name encrypts");
	is_int(ecryptfs_fname_decrypt(k, 16, lower, (size_t)rc, out, sizeof(out)), -EINVAL,
	       "3DES name with a 16-byte key: EINVAL");

	/* Decode errors */
	ecryptfs_fname_encrypt(k, c16, 16, "hello", 5, good, sizeof(good));
	is_int(ecryptfs_fname_sig(good, strlen(good), sig, &code), 0, "sig of a lower name");
	ok(memcmp(sig, k->sig, 8) == 0 && code == c16, "sig and code match the key");
	is_int(ecryptfs_fname_decrypt(other, 16, good, strlen(good), out, sizeof(out)), -ENOKEY,
	       "another key: ENOKEY");
	is_int(ecryptfs_fname_decrypt(k, 16, "hello", 5, out, sizeof(out)), -EINVAL,
	       "no prefix: EINVAL");
	is_int(ecryptfs_fname_sig("hello", 5, sig, &code), -EINVAL, "no prefix: no sig");
	is_int(ecryptfs_fname_decrypt(k, 16, PFX, strlen(PFX), out, sizeof(out)), -EINVAL,
	       "prefix alone");
	is_int(ecryptfs_fname_decrypt(k, 16, good, 24 + 15, out, sizeof(out)), -EINVAL,
	       "cut to 11 decoded bytes");
	is_int(ecryptfs_fname_decrypt(k, 16, good, strlen(good) - 4, out, sizeof(out)),
	       -EINVAL, "cut short of its length");
	is_int(ecryptfs_fname_decrypt(k, 16, good, strlen(good), out, 5), -ERANGE,
	       "output buffer too small");
	is_int(ecryptfs_fname_decrypt(k, 16, good, strlen(good), out, 6), 5, "exact buffer");
	strcpy(lower, good);
	lower[24] = 'Z';
	is_int(ecryptfs_fname_decrypt(k, 16, lower, strlen(lower), out, sizeof(out)), -EINVAL,
	       "wrong tag");
	strcpy(lower, good);
	lower[25] = 'f';	/* length octet 0xb? -> far past the end */
	is_int(ecryptfs_fname_decrypt(k, 16, lower, strlen(lower), out, sizeof(out)), -EINVAL,
	       "length past the end");
	strcpy(lower, good);
	lower[25] = 'U';	/* 0x46 0x5? -> length 0x5? within nothing */
	lower[26] = '-';
	rc = ecryptfs_fname_decrypt(k, 16, lower, strlen(lower), out, sizeof(out));
	ok(rc == -EINVAL || rc == -ENOKEY, "garbled length (%d)", rc);
	/* The kernel would read a character outside the alphabet as '-' (0). */
	strcpy(lower, good);
	for (char *p = lower + 24; *p; p++)
		if (*p == '-') {
			*p = '*';
			break;
		}
	rc = ecryptfs_fname_decrypt(k, 16, lower, strlen(lower), out, sizeof(out));
	ok(strcmp(lower, good) != 0 && rc == -EINVAL, "'*' for '-': EINVAL (%d)", rc);
	/*
	 * Crafted packets: no separator, NUL or '/' in the name, wrong
	 * alignment.  The 11-byte names have the kernel's prefix, so only the
	 * check named refuses them.
	 */
	memset(plain, 'A', sizeof(plain));
	craft(k, plain, 32, lower);
	is_int(ecryptfs_fname_decrypt(k, 16, lower, strlen(lower), out, sizeof(out)), -EINVAL,
	       "no separator");
	md5_prefix(k, plain, 20);
	plain[20] = 0;
	plain[25] = 0;
	craft(k, plain, 32, lower);
	is_int(ecryptfs_fname_decrypt(k, 16, lower, strlen(lower), out, sizeof(out)), -EINVAL,
	       "NUL inside the name");
	plain[25] = '/';
	craft(k, plain, 32, lower);
	is_int(ecryptfs_fname_decrypt(k, 16, lower, strlen(lower), out, sizeof(out)), -EINVAL,
	       "'/' inside the name");
	rc = ecryptfs_symlink_decrypt(k, 16, lower, strlen(lower), out, sizeof(out));
	is_int(rc, 11, "but fine in a symlink target");
	ok(rc == 11 && memcmp(out, "AAAA/AAAAAA", 11) == 0, "... which reads AAAA/AAAAAA");
	memset(plain, 'A', sizeof(plain));
	plain[31] = 0;
	craft(k, plain, 32, lower);
	is_int(ecryptfs_symlink_decrypt(k, 16, lower, strlen(lower), out, sizeof(out)), -EINVAL,
	       "separator last: empty name");
	craft(k, plain, 24, lower);
	is_int(ecryptfs_fname_decrypt(k, 16, lower, strlen(lower), out, sizeof(out)), -EINVAL,
	       "ciphertext not a whole number of blocks");
	ecryptfs_pass_key_free(k);
	ecryptfs_pass_key_free(other);
}

/* ---- only the encoder's own spelling of a name decodes ------------------ */

static int b64_index(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;

	return p ? (int)(p - b64) : -1;
}

static int decode_as(const struct ecryptfs_pass_key *k, size_t kb, bool target, const char *s,
		     size_t len, char *out, size_t out_size)
{
	return target ? ecryptfs_symlink_decrypt(k, kb, s, len, out, out_size) :
			ecryptfs_fname_decrypt(k, kb, s, len, out, out_size);
}

/* The fill bits of character i of the last group, for a packet of plen bytes. */
static unsigned fill_mask(size_t plen, int i)
{
	static const unsigned masks[3][4] = {
		{ 0, 0, 0, 0 },
		{ 0, 0x0f, 0x3f, 0x3f },	/* one byte: 8 bits in 24 */
		{ 0, 0, 0x03, 0x3f },		/* two bytes: 16 bits in 24 */
	};

	return masks[plen % 3][i];
}

/*
 * Other spellings of the lower string good: each character of the alphabet
 * appended, two to four appended ("zz", "--", a whole group), one to three
 * removed, fill bits of the last group set (every combination in the
 * character after the data, single bits and all in the pure fill ones), a
 * character replaced by one outside the alphabet.  Adds the variants tried
 * to *tried; returns how many decode (as a name, or as a target), printing
 * the first.
 */
static int spellings(const struct ecryptfs_pass_key *k, size_t kb, bool target, const char *good,
		     bool say, int *tried)
{
	static const char *const tails[] = { "zz", "--", "---", "----", "-.-.", "zzzz" };
	static const char foreign[] = "*_+=~/ \x80";
	size_t len = strlen(good), last = len - 4, plen, pos[3] = { 24, 0, 0 };
	char v[8192], out[8192];
	unsigned b1;
	int bad = 0;

#define TRY(s, n) do { \
		(*tried)++; \
		if (decode_as(k, kb, target, (s), (n), out, sizeof(out)) >= 0 && bad++ == 0 && say) \
			printf("#   %.*s decodes\n", (int)(n), (s)); \
	} while (0)
	/* Packet length from the length octets (doc/format.md §3.1). */
	b1 = ((unsigned)(b64_index(good[25]) & 0x0f) << 4) | (unsigned)b64_index(good[26]) >> 2;
	if (b1 < 192) {
		plen = 2 + b1;
	} else {
		unsigned b2 = ((unsigned)(b64_index(good[26]) & 3) << 6) |
			      (unsigned)b64_index(good[27]);

		plen = 3 + (b1 - 192) * 256 + b2 + 192;
	}
	memcpy(v, good, len);
	for (size_t i = 0; i < 64; i++) {
		v[len] = b64[i];
		TRY(v, len + 1);
	}
	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		memcpy(v + len, tails[i], strlen(tails[i]));
		TRY(v, len + strlen(tails[i]));
	}
	for (size_t cut = 1; cut <= 3; cut++)
		TRY(good, len - cut);
	for (int i = 0; i < 4; i++) {
		unsigned m = fill_mask(plen, i), c = (unsigned)b64_index(good[last + i]);

		for (unsigned x = 1; x < 64; x++) {
			if ((x & ~m) || (m == 0x3f && x != 0x3f && (x & (x - 1))))
				continue;
			memcpy(v, good, len);
			v[last + i] = b64[c ^ x];
			TRY(v, len);
		}
	}
	pos[1] = len / 2;
	pos[2] = len - 1;
	for (size_t p = 0; p < 3; p++)
		for (const char *f = foreign; *f; f++) {
			memcpy(v, good, len);
			v[pos[p]] = *f;
			TRY(v, len);
		}
#undef TRY
	return bad;
}

/*
 * Encrypt len bytes, check the result decodes back exactly, and that no other
 * spelling of it decodes.  Counts into *n_ok / *n_bad and *tried.
 */
static void canonical_case(const struct ecryptfs_pass_key *k, uint8_t code, size_t kb,
			   bool target, size_t len, int *n_ok, int *n_bad, int *tried)
{
	char name[4096], lower[8192], out[8192];
	int rc, bad;

	for (size_t i = 0; i < len; i++)
		name[i] = (char)('a' + (i * 5 + len) % 26);
	rc = target ? ecryptfs_symlink_encrypt(k, code, kb, name, len, lower, 4096) :
		      ecryptfs_fname_encrypt(k, code, kb, name, len, lower, sizeof(lower));
	if (rc < 0 || decode_as(k, kb, target, lower, (size_t)rc, out, sizeof(out)) != (int)len ||
	    memcmp(out, name, len) != 0) {
		if (*n_bad < 5)
			printf("# code 0x%02x, %zu key bytes, %zu bytes: no exact round trip (%d)\n",
			       code, kb, len, rc);
		(*n_bad)++;
		return;
	}
	bad = spellings(k, kb, target, lower, *n_bad < 5, tried);
	if (bad) {
		if (*n_bad < 5)
			printf("# code 0x%02x, %zu key bytes, %zu bytes: %d other spellings decode\n",
			       code, kb, len, bad);
		(*n_bad)++;
	} else {
		(*n_ok)++;
	}
}

static void canonical_only(void)
{
	struct ecryptfs_pass_key *k = derive("canonical", ecryptfs_fnek_salt);
	static const struct {
		uint8_t code;
		size_t kb;
	} ciphers[] = {
		{ ECRYPTFS_CIPHER_AES_128, 16 },
		{ ECRYPTFS_CIPHER_AES_256, 32 },
		{ ECRYPTFS_CIPHER_AES_256, 0 },
		{ ECRYPTFS_CIPHER_BLOWFISH, 16 },
		{ ECRYPTFS_CIPHER_DES3_EDE, 24 },
	};
	static const size_t targets[] = { 160, 174, 175, 176, 190, 200, 378, 1000, 3007 };
	uint8_t plain[64], sig[8], code;
	char good[512], lower[512], out[512];
	int n_ok = 0, n_bad = 0, tried = 0, cases = 0, rc;

	/* Names of every packet size (every plen mod 3) for 16- and 8-byte blocks. */
	for (size_t c = 0; c < sizeof(ciphers) / sizeof(ciphers[0]); c++)
		for (size_t len = 1; len <= 143; len++)
			if (len % 8 == 0 || len % 8 == 1 || len % 8 == 7 || len == 143) {
				canonical_case(k, ciphers[c].code, ciphers[c].kb, false, len,
					       &n_ok, &n_bad, &tried);
				cases++;
			}
	ok(n_ok == cases && n_bad == 0,
	   "names: %d round trip exactly and no other spelling decodes (%d variants, %d bad)",
	   n_ok, tried, n_bad);
	n_ok = n_bad = tried = 0;
	/* Targets with one- and two-octet lengths (9 + B >= 192). */
	for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++)
		canonical_case(k, ECRYPTFS_CIPHER_AES_128, 16, true, targets[t], &n_ok, &n_bad,
			       &tried);
	ok(n_ok == (int)(sizeof(targets) / sizeof(targets[0])) && n_bad == 0,
	   "targets: %d round trip exactly and no other spelling decodes (%d variants, %d bad)",
	   n_ok, tried, n_bad);

	/* Without a key: the sig of the kernel's spelling only. */
	ecryptfs_fname_encrypt(k, ECRYPTFS_CIPHER_AES_128, 16, "hello", 5, good, sizeof(good));
	is_int(ecryptfs_fname_sig(good, strlen(good), sig, &code), 0, "sig of hello's lower name");
	snprintf(lower, sizeof(lower), "%szz", good);
	is_int(ecryptfs_fname_sig(lower, strlen(lower), sig, &code), -EINVAL,
	       "sig of it with zz appended: EINVAL");
	strcpy(lower, good);
	lower[strlen(lower) - 1] = '.';
	is_int(ecryptfs_fname_sig(lower, strlen(lower), sig, &code), -EINVAL,
	       "sig of it with a fill bit set: EINVAL");

	/*
	 * Other packets that decrypt to hello, made without knowing the key
	 * from hello's own ciphertext blocks or by relabelling the code.  The
	 * crafted canonical one decodes, so craft_code is not what refuses
	 * the rest.
	 */
	md5_prefix(k, plain, 26);
	plain[26] = 0;
	memcpy(plain + 27, "hello", 5);
	craft_code(k, ECRYPTFS_CIPHER_AES_128, plain, 32, lower);
	is_str(lower, good, "crafted: the kernel's packet for hello");
	rc = ecryptfs_fname_decrypt(k, 16, lower, strlen(lower), out, sizeof(out));
	ok(rc == 5 && strcmp(out, "hello") == 0, "... decodes to hello");
	craft_code(k, ECRYPTFS_CIPHER_AES_256, plain, 32, lower);
	is_int(ecryptfs_fname_decrypt(k, 16, lower, strlen(lower), out, sizeof(out)), -EINVAL,
	       "the same block under the AES-256 code, read with 16 key bytes: EINVAL");
	memmove(plain + 32, plain + 16, 16);
	memmove(plain + 16, plain, 16);
	craft_code(k, ECRYPTFS_CIPHER_AES_128, plain, 48, lower);
	is_int(ecryptfs_fname_decrypt(k, 16, lower, strlen(lower), out, sizeof(out)), -EINVAL,
	       "its first block repeated: EINVAL");
	md5_prefix(k, plain, 42);
	plain[42] = 0;
	memcpy(plain + 43, "hello", 5);
	craft_code(k, ECRYPTFS_CIPHER_AES_128, plain, 48, lower);
	is_int(ecryptfs_fname_decrypt(k, 16, lower, strlen(lower), out, sizeof(out)), -EINVAL,
	       "a prefix one block longer than needed: EINVAL");
	is_int(ecryptfs_symlink_decrypt(k, 16, lower, strlen(lower), out, sizeof(out)), -EINVAL,
	       "... also as a symlink target");
	ecryptfs_pass_key_free(k);
}

int main(void)
{
	spec_vectors();
	vector_sets();
	limits_and_errors();
	canonical_only();
	return tap_done();
}
