/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Key modules (src/libecryptfs/keymod.c) with the test modules of
 * tests/keymod: the loader's errors, each naming the module; module keys in
 * a key set writing and reading tag 1 packets, also beside a passphrase
 * key; the private-key token in the keyring.
 */
#include "config.h"

#include <errno.h>
#include <keyutils.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ecryptfs_key_mod.h"
#include "format-util.h"
#include "tap.h"

static char dir[256];

/* dir/NAME.so -> the built file TARGET (a path below BUILDDIR), or text. */
static void place(const char *name, const char *target, const char *text)
{
	char path[512], src[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.so", dir, name);
	if (target) {
		snprintf(src, sizeof(src), "%s/%s", getenv("BUILDDIR"), target);
		if (symlink(src, path) < 0)
			perror(path);
		return;
	}
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_loader(void)
{
	struct ecryptfs_keymod *m = NULL;
	char err[512];

	is_str(ecryptfs_keymod_dir(), dir, "ECRYPTFS_KEYMOD_DIR names the module directory");
	err[0] = 0;
	is_int(ecryptfs_keymod_load("nosuch", &m, err, sizeof(err)), -ENOENT, "missing: -ENOENT");
	ok(strstr(err, "key module nosuch: not installed") != NULL, "... and says so: %s", err);
	err[0] = 0;
	is_int(ecryptfs_keymod_load("garbage", &m, err, sizeof(err)), -ELIBBAD,
	       "not a shared object: -ELIBBAD");
	ok(strstr(err, "key module garbage: cannot be loaded") != NULL, "... %s", err);
	err[0] = 0;
	is_int(ecryptfs_keymod_load("noentry", &m, err, sizeof(err)), -ELIBBAD,
	       "no entry point: -ELIBBAD");
	ok(strstr(err, "key module noentry:") && strstr(err, "not an ecryptfs-ng key module"),
	   "... %s", err);
	err[0] = 0;
	is_int(ecryptfs_keymod_load("badabi", &m, err, sizeof(err)), -EPROTO,
	       "another interface version: -EPROTO");
	ok(strstr(err, "key module badabi: interface version 99") != NULL, "... %s", err);
	err[0] = 0;
	is_int(ecryptfs_keymod_load("other", &m, err, sizeof(err)), -ELIBBAD,
	       "a module that calls itself otherwise: -ELIBBAD");
	ok(strstr(err, "key module other:") && strstr(err, "\"toy\""), "... %s", err);
	err[0] = 0;
	is_int(ecryptfs_keymod_load("../toy", &m, err, sizeof(err)), -EINVAL,
	       "a path is no module name");
	is_int(ecryptfs_keymod_load("abcdefghijklmnopq", &m, NULL, 0), -EINVAL,
	       "17 characters is no module name");
	ok(m == NULL, "nothing handed out on failure");
	{
		char **names = NULL, joined[256] = "";
		size_t n = 0;

		is_int(ecryptfs_keymod_list(&names, &n), 0, "listing the modules");
		for (size_t i = 0; i < n; i++)
			snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s ",
				 names[i]);
		is_str(joined, "badabi garbage noentry other passphrase toy toypass ",
		       "the .so files, sorted");
		ecryptfs_keymod_list_free(names, n);
	}
	is_int(ecryptfs_keymod_load("toy", &m, err, sizeof(err)), 0, "toy loads");
	ok(m && ecryptfs_keymod_ops(m) && !strcmp(ecryptfs_keymod_ops(m)->alias, "toy"),
	   "its operations");
	ecryptfs_keymod_unload(m);
}

static int toy_blob(const char *name, uint8_t *blob, size_t *len)
{
	struct ecryptfs_keymod *m = NULL;
	struct ecryptfs_key_mod_value v[2] = { { "keyname", name }, { "secret", "open sesame" } };
	char need[64], err[256];
	int r = ecryptfs_keymod_load("toy", &m, err, sizeof(err));

	if (r == 0)
		r = ecryptfs_keymod_ops(m)->make_blob(v, 2, blob, len, need, err, sizeof(err));
	ecryptfs_keymod_unload(m);
	return r;
}

static void test_tag1(void)
{
	struct ecryptfs_keyset *ks_mod = NULL, *ks_pass = NULL, *ks_both = NULL, *ks_other = NULL;
	struct ecryptfs_pass_key *pk = fu_key("mixed passphrase");
	struct ecryptfs_header *hdr = malloc(sizeof(*hdr));
	struct ecryptfs_fek *fek = ecryptfs_fek_new(), *got = ecryptfs_fek_new();
	struct ecryptfs_policy p;
	uint8_t blob[64], blob2[64], sig[8], sig2[8], *buf = malloc(16384);
	size_t len = sizeof(blob), len2 = sizeof(blob2), hlen, which = 99;
	char err[512] = "", hex[17];

	ok(toy_blob("alpha", blob, &len) == 0 && toy_blob("beta", blob2, &len2) == 0,
	   "toy blobs");
	ecryptfs_keyset_new(&ks_mod);
	ecryptfs_keyset_new(&ks_both);
	ecryptfs_keyset_new(&ks_other);
	ks_pass = fu_keyset("mixed passphrase", NULL);
	is_int(ecryptfs_keyset_add_module_key(ks_mod, "toy", blob, len, sig, err, sizeof(err)), 0,
	       "module key added to a key set");
	ok(ecryptfs_keymod_key_sig(NULL, blob, len, hex, NULL, 0) == -EINVAL, "no module: -EINVAL");
	ecryptfs_keyset_add_module_key(ks_both, "toy", blob, len, NULL, NULL, 0);
	ecryptfs_keyset_add_pass_key(ks_both, pk);
	ecryptfs_keyset_add_module_key(ks_other, "toy", blob2, len2, sig2, NULL, 0);
	ok(memcmp(sig, sig2, 8) != 0, "two toy keys, two signatures");
	is_int(ecryptfs_keyset_add_module_key(ks_mod, "nosuch", blob, len, NULL, err,
					      sizeof(err)), -ENOENT,
	       "a missing module's key: -ENOENT");
	ok(strstr(err, "nosuch") != NULL, "... naming it: %s", err);
	is_int(ecryptfs_keyset_add_module_key(ks_mod, "toy", (const uint8_t *)"x", 1, NULL, err,
					      sizeof(err)), -EINVAL, "a bad blob: the module's error");
	ok(strstr(err, "key module toy: not a toy blob") != NULL, "... %s", err);

	/* A file for the module key and the passphrase key at once. */
	ecryptfs_policy_init(&p, "aes", 32);
	ecryptfs_policy_add_sig(&p, sig);
	ecryptfs_policy_add_sig(&p, pk->sig);
	ecryptfs_fek_generate(p.cipher_code, p.key_bytes, fek);
	is_int(ecryptfs_header_build(&p, ks_both, fek, 10, false, buf, 16384, &hlen), 0,
	       "header with a tag 1 and a tag 3");
	ok(buf[26] == 0x01 && buf[27] == 0xc0 && buf[28] == 0x4a && buf[29] == 0x03 &&
	   memcmp(buf + 30, sig, 8) == 0 && buf[38] == 0x01,
	   "tag 1 first: 01, length 266 (c0 4a), version 3, the key's sig, RSA");
	ok(ecryptfs_header_parse(buf, hlen, false, hdr) == 0 && hdr->n_packets == 2 &&
	   hdr->packets[0].tag == 1 && hdr->packets[1].tag == 3, "it parses: tag 1, tag 3");
	ok(ecryptfs_header_unwrap_fek(hdr, ks_mod, got, &which) == 0 && which == 0 &&
	   got->cipher_code == fek->cipher_code && got->key_bytes == 32 &&
	   memcmp(got->key, fek->key, 32) == 0, "the module key alone opens it");
	ok(ecryptfs_header_unwrap_fek(hdr, ks_pass, got, &which) == 0 && which == 1 &&
	   memcmp(got->key, fek->key, 32) == 0, "the passphrase key alone opens it");
	is_int(ecryptfs_header_unwrap_fek(hdr, ks_other, got, NULL), -ENOKEY,
	       "another module key: -ENOKEY");
	/* The same sig, but the blob was wrapped by another key. */
	memcpy(buf + 39, "beta", 4);
	ecryptfs_header_parse(buf, hlen, false, hdr);
	is_int(ecryptfs_header_unwrap_fek(hdr, ks_mod, got, NULL), -EKEYREJECTED,
	       "a blob the key did not wrap: -EKEYREJECTED");
	ecryptfs_keyset_free(ks_mod);
	ecryptfs_keyset_free(ks_pass);
	ecryptfs_keyset_free(ks_both);
	ecryptfs_keyset_free(ks_other);
	ecryptfs_pass_key_free(pk);
	ecryptfs_fek_free(fek);
	ecryptfs_fek_free(got);
	free(hdr);
	free(buf);
}

static void test_keyring(void)
{
	struct ecryptfs_keyset *ks = NULL;
	struct ecryptfs_pass_key *pk = fu_key("keyring passphrase");
	uint8_t blob[64], got[4096];
	size_t len = sizeof(blob), glen = sizeof(got);
	char hex[17], alias[17], err[512] = "";
	bool already = true;
	struct ecryptfs_keymod *m = NULL;

	if (keyctl_join_session_keyring(NULL) < 0 ||
	    keyctl_link(KEY_SPEC_USER_KEYRING, KEY_SPEC_SESSION_KEYRING) < 0)
		printf("# no session keyring\n");
	toy_blob("keyring-test-key", blob, &len);
	ecryptfs_keymod_load("toy", &m, NULL, 0);
	is_int(ecryptfs_keymod_key_sig(m, blob, len, hex, err, sizeof(err)), 0, "toy key sig");
	ecryptfs_keyring_unlink(hex);
	is_int(ecryptfs_keyring_add_module_key("toy", hex, blob, len, &already), 0,
	       "module key token added to @u");
	ok(!already, "it was new");
	is_int(ecryptfs_keyring_add_module_key("toy", hex, blob, len, &already), 0,
	       "added again");
	ok(already, "it was there already");
	{
		void *payload = NULL;
		key_serial_t id = keyctl_search(KEY_SPEC_USER_KEYRING, "user", hex, 0);
		long n = id < 0 ? -1 : keyctl_read_alloc(id, &payload);
		const uint8_t *t = payload;
		uint32_t dl = 0;

		if (n >= 670)
			memcpy(&dl, t + 632, 4);
		ok(n == (long)(740 + len) && t[0] == 4 && t[1] == 0 && t[2] == 1 && t[3] == 0 &&
		   dl == len && !strcmp((const char *)t + 636, hex) &&
		   !strcmp((const char *)t + 653, "toy") && !memcmp(t + 670, blob, len),
		   "the kernel's private-key token: version 4, type 1, sig, alias, data at 670");
		free(payload);
	}
	ok(ecryptfs_keyring_get_module_key(hex, alias, got, &glen) == 0 && glen == len &&
	   !memcmp(got, blob, len) && !strcmp(alias, "toy"), "read back: alias and blob");
	glen = 2;
	is_int(ecryptfs_keyring_get_module_key(hex, alias, got, &glen), -ENOSPC,
	       "short buffer: -ENOSPC");
	{
		struct ecryptfs_pass_key *k = ecryptfs_pass_key_new();

		is_int(ecryptfs_keyring_get(hex, k), -EINVAL, "not a passphrase token");
		ecryptfs_pass_key_free(k);
	}
	ecryptfs_keyring_add(pk, NULL);
	glen = sizeof(got);
	is_int(ecryptfs_keyring_get_module_key(pk->sig_hex, alias, got, &glen), -EINVAL,
	       "a passphrase token is not a module key");
	ecryptfs_keyset_new(&ks);
	is_int(ecryptfs_keyset_add_keyring_module_key(ks, hex, err, sizeof(err)), 0,
	       "key set from the keyring token");
	is_int(ecryptfs_keyset_add_keyring_module_key(ks, pk->sig_hex, err, sizeof(err)), -EINVAL,
	       "a passphrase token there: -EINVAL");
	ok(strstr(err, "neither a passphrase token nor a key module's") != NULL, "... %s", err);
	ecryptfs_keyring_unlink(hex);
	is_int(ecryptfs_keyset_add_keyring_module_key(ks, hex, err, sizeof(err)), -ENOKEY,
	       "an absent token: -ENOKEY");
	{
		/* A token whose blob now names another key (a replaced key file). */
		uint8_t other[64];
		size_t olen = sizeof(other);
		struct ecryptfs_keyset *ks2 = NULL;
		struct ecryptfs_fek *fek = ecryptfs_fek_new();
		struct ecryptfs_policy p;
		uint8_t sig[8], buf[8192];
		size_t hlen;

		toy_blob("replaced-key", other, &olen);
		ecryptfs_keyring_add_module_key("toy", hex, other, olen, NULL);
		ecryptfs_keyset_new(&ks2);
		is_int(ecryptfs_keyset_add_keyring_module_key(ks2, hex, err, sizeof(err)),
		       -EKEYREJECTED, "a token whose key has another signature: -EKEYREJECTED");
		ok(strstr(err, "key module toy: the key of token") != NULL, "... %s", err);
		ecryptfs_sig_from_hex(hex, sig);
		ecryptfs_policy_init(&p, "aes", 16);
		ecryptfs_policy_add_sig(&p, sig);
		ecryptfs_fek_generate(p.cipher_code, p.key_bytes, fek);
		is_int(ecryptfs_header_build(&p, ks2, fek, 0, false, buf, sizeof(buf), &hlen),
		       -ENOKEY, "... and the key set did not take it");
		ecryptfs_fek_free(fek);
		ecryptfs_keyring_unlink(hex);
		ecryptfs_keyset_free(ks2);
	}
	ecryptfs_keyring_unlink(pk->sig_hex);
	ecryptfs_keyset_free(ks);
	ecryptfs_keymod_unload(m);
	ecryptfs_pass_key_free(pk);
}

/* Modules of passphrase keys (derive): the passphrase module, a test one. */
static void test_derive(void)
{
	struct ecryptfs_keymod *m = NULL, *t = NULL;
	struct ecryptfs_pass_key *k = ecryptfs_pass_key_new(), *want = fu_key("Test");
	struct ecryptfs_key_mod_value v[3] = { { "passwd", "Test" } };
	char need[64], err[512] = "", hex[17];
	uint8_t blob[8] = { 0 };
	struct ecryptfs_keyset *ks = NULL;
	FILE *f;
	char path[512];

	is_int(ecryptfs_keymod_load("passphrase", &m, err, sizeof(err)), 0,
	       "the passphrase module loads (derive only)");
	is_int(ecryptfs_keymod_derive(m, v, 1, k, need, err, sizeof(err)), 0, "passwd=Test");
	is_str(k->sig_hex, "3515cca9baaea1f4", "... the key of \"Test\", default salt");
	ok(!memcmp(k->kek, want->kek, 64) && !memcmp(k->salt, ecryptfs_default_salt, 8),
	   "... the KDF's KEK and salt");
	v[1] = (struct ecryptfs_key_mod_value){ "salt", "0102030405060708" };
	ecryptfs_keymod_derive(m, v, 2, k, need, err, sizeof(err));
	ok(strcmp(k->sig_hex, "3515cca9baaea1f4") && k->salt[0] == 1 && k->salt[7] == 8,
	   "salt= changes the key");
	snprintf(path, sizeof(path), "%s/passfile", dir);
	f = fopen(path, "w");
	if (f) {
		fputs("passwd=Test\n", f);
		fclose(f);
	}
	v[0] = (struct ecryptfs_key_mod_value){ "passphrase_passwd_file", path };
	ok(ecryptfs_keymod_derive(m, v, 1, k, need, err, sizeof(err)) == 0 &&
	   !strcmp(k->sig_hex, "3515cca9baaea1f4"), "passphrase_passwd_file=");
	is_int(ecryptfs_keymod_derive(m, v, 0, k, need, err, sizeof(err)), -ENODATA,
	       "nothing given: -ENODATA");
	is_str(need, "passphrase_passwd", "... asking for passphrase_passwd");
	v[0] = (struct ecryptfs_key_mod_value){ "salt", "xyz" };
	is_int(ecryptfs_keymod_derive(m, v, 1, k, need, err, sizeof(err)), -EINVAL, "a bad salt");
	ok(strstr(err, "key module passphrase: passphrase_salt: not 16 hexadecimal digits") != NULL,
	   "... %s", err);
	is_int(ecryptfs_keymod_key_sig(m, blob, 1, hex, err, sizeof(err)), -EINVAL,
	       "no public-key calls on a derive module");
	ecryptfs_keyset_new(&ks);
	is_int(ecryptfs_keyset_add_module_key(ks, "passphrase", blob, 1, NULL, err, sizeof(err)),
	       -EINVAL, "nor a key set of its keys");
	ecryptfs_keymod_load("toypass", &t, NULL, 0);
	v[0] = (struct ecryptfs_key_mod_value){ "word", "abc" };
	ok(ecryptfs_keymod_derive(t, v, 1, k, need, err, sizeof(err)) == 0 &&
	   k->kek[0] == 'a' && k->kek[1] == ('b' ^ 1) && k->salt[0] == 0x11,
	   "a test module's derive");
	ok(ecryptfs_keymod_derive(NULL, v, 1, k, need, NULL, 0) == -EINVAL, "no module: -EINVAL");
	{
		struct ecryptfs_keymod *toy = NULL;

		ecryptfs_keymod_load("toy", &toy, NULL, 0);
		is_int(ecryptfs_keymod_derive(toy, v, 1, k, need, err, sizeof(err)), -EINVAL,
		       "derive on a public-key module: -EINVAL");
		ecryptfs_keymod_unload(toy);
	}
	ecryptfs_keyset_free(ks);
	ecryptfs_keymod_unload(m);
	ecryptfs_keymod_unload(t);
	ecryptfs_pass_key_free(k);
	ecryptfs_pass_key_free(want);
}

int main(void)
{
	const char *b = getenv("BUILDDIR");

	if (!b) {
		printf("Bail out! BUILDDIR not set (run through tests/run.sh)\n");
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/km", getenv("TESTTMP") ? getenv("TESTTMP") : "/tmp");
	mkdir(dir, 0700);
	place("toy", "tests/keymod/.libs/toy.so", NULL);
	place("other", "tests/keymod/.libs/toy.so", NULL);
	place("badabi", "tests/keymod/.libs/badabi.so", NULL);
	place("noentry", "tests/keymod/.libs/noentry.so", NULL);
	place("garbage", NULL, "not an ELF file\n");
	place("passphrase", "src/key_mod/passphrase/.libs/passphrase.so", NULL);
	place("toypass", "tests/keymod/.libs/toypass.so", NULL);
	setenv("ECRYPTFS_KEYMOD_DIR", dir, 1);
	test_loader();
	test_tag1();
	test_keyring();
	test_derive();
	return tap_done();
}
