/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lower files: round trips for every cipher and key size libgcrypt does at
 * sizes 0 .. 3 extents +- 1, xattr mode, several keys, growth and truncation
 * laid out like the kernel's extend/ vectors, a randomised model check,
 * passthrough, the encrypted view, clean errors for bad files, and long
 * fills of zeros that can be cancelled and encrypted by the caller's hook.
 */
#include "config.h"

#include <sys/xattr.h>

#include "format-util.h"

static const char *const PASS = "lowerfile test key";

static struct ecryptfs_policy policy(const char *cipher, size_t bytes, bool xattr)
{
	struct ecryptfs_policy p;
	struct ecryptfs_pass_key *k = fu_key(PASS);

	if (ecryptfs_policy_init(&p, cipher, bytes) < 0)
		abort();
	ecryptfs_policy_add_sig(&p, k->sig);
	p.xattr_metadata = xattr;
	ecryptfs_pass_key_free(k);
	return p;
}

static int new_file(const char *path)
{
	return open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
}

/* Write n bytes through a fresh file, reopen, read back; checks the layout. */
static bool roundtrip(const struct ecryptfs_policy *p, struct ecryptfs_keyset *ks, size_t n,
		      char *why, size_t cap)
{
	const char *path = fu_path("rt");
	struct ecryptfs_file *f = NULL;
	uint8_t *in = malloc(n + 1), *out = malloc(n + 4097);
	uint64_t data_off = p->xattr_metadata ? 0 : p->metadata_size ? p->metadata_size : 8192;
	bool good = false;
	int fd = new_file(path), rc;

	fu_fill(in, n, n);
	rc = ecryptfs_file_create(fd, p, ks, &f);
	if (rc < 0) {
		snprintf(why, cap, "create %d", rc);
		goto out;
	}
	if (ecryptfs_file_pwrite(f, in, n, 0) != (ssize_t)n) {
		snprintf(why, cap, "pwrite");
		goto out;
	}
	ecryptfs_file_close(f);
	f = NULL;
	if (fu_file_size(path) != ecryptfs_lower_size(n, data_off)) {
		snprintf(why, cap, "lower size %llu", (unsigned long long)fu_file_size(path));
		goto out;
	}
	rc = ecryptfs_file_open(fd, NULL, ks, 0, &f);
	if (rc < 0) {
		snprintf(why, cap, "open %d", rc);
		goto out;
	}
	if (ecryptfs_file_size(f) != n || ecryptfs_file_pread(f, out, n + 4096, 0) != (ssize_t)n ||
	    memcmp(in, out, n) != 0) {
		snprintf(why, cap, "read back");
		goto out;
	}
	good = ecryptfs_file_header(f)->in_xattr == p->xattr_metadata;
	if (!good)
		snprintf(why, cap, "header place");
out:
	ecryptfs_file_close(f);
	close(fd);
	free(in);
	free(out);
	return good;
}

static void test_roundtrips(void)
{
	static const struct { const char *name; size_t bytes; } ciphers[] = {
		{ "aes", 16 }, { "aes", 24 }, { "aes", 32 }, { "blowfish", 16 }, { "blowfish", 24 },
		{ "blowfish", 32 }, { "blowfish", 40 }, { "blowfish", 48 }, { "blowfish", 56 },
		{ "des3_ede", 24 }, { "cast5", 16 }, { "twofish", 16 }, { "twofish", 32 },
	};
	static const size_t sizes[] = { 0, 1, 4095, 4096, 4097, 8191, 8192, 8193,
					12287, 12288, 12289 };
	struct ecryptfs_keyset *ks = fu_keyset(PASS, NULL);

	for (size_t c = 0; c < sizeof(ciphers) / sizeof(ciphers[0]); c++) {
		for (int x = 0; x < 2; x++) {
			struct ecryptfs_policy p = policy(ciphers[c].name, ciphers[c].bytes, x);
			char why[128] = "";
			size_t bad = SIZE_MAX;

			for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
				if (!roundtrip(&p, ks, sizes[s], why, sizeof(why))) {
					bad = sizes[s];
					break;
				}
			ok(bad == SIZE_MAX, "%s-%zu%s: sizes 0..12289 round-trip%s%s", ciphers[c].name,
			   ciphers[c].bytes, x ? " (xattr)" : "", why[0] ? ": " : "", why);
		}
	}
	/* 64 KiB-page hosts write a 65536-byte header; readers take it from the file. */
	{
		struct ecryptfs_policy p = policy("aes", 16, false);
		char why[128] = "";

		p.metadata_size = 65536;
		ok(roundtrip(&p, ks, 5000, why, sizeof(why)) &&
		   fu_file_size(fu_path("rt")) == 65536 + 8192, "65536-byte header round-trips %s",
		   why);
		p.metadata_size = 12000;
		is_int(ecryptfs_policy_check(&p), -EINVAL, "header size not whole extents: -EINVAL");
	}
	ecryptfs_keyset_free(ks);
}

/* A lower file read back extent by extent: plaintext of the whole last extent. */
static bool extents_are(struct ecryptfs_file *f, int fd, const uint8_t *want, uint64_t n_ext)
{
	uint8_t ext[4096];

	for (uint64_t e = 0; e < n_ext; e++) {
		if (pread(fd, ext, 4096, (off_t)(ecryptfs_file_data_offset(f) + e * 4096)) != 4096 ||
		    ecryptfs_crypt_decrypt(ecryptfs_file_crypt(f), e, ext, ext, 1) ||
		    memcmp(ext, want + e * 4096, 4096))
			return false;
	}
	return true;
}

static void test_extend_layouts(void)
{
	struct ecryptfs_keyset *ks = fu_keyset(PASS, NULL);
	struct ecryptfs_policy p = policy("aes", 16, false);
	uint8_t *want = calloc(1, 8 * 4096);
	struct ecryptfs_file *f;
	const char *path = fu_path("extend");
	uint8_t be[8];
	int fd;

	/* seek-20000: one byte at 20000 of a new file. */
	fd = new_file(path);
	ecryptfs_file_create(fd, &p, ks, &f);
	is_int(ecryptfs_file_pwrite(f, "A", 1, 20000), 1, "seek-20000: write");
	memset(want, 0, 8 * 4096);
	want[20000] = 'A';
	pread(fd, be, 8, 0);
	ok(fu_file_size(path) == 28672 && be[6] == 0x4e && be[7] == 0x21,
	   "seek-20000: lower 28672, size field 20001");
	ok(extents_are(f, fd, want, 5), "seek-20000: every extent is encrypted zeros + 'A'");
	ecryptfs_file_close(f);
	close(fd);

	/* grow-5-to-9005 */
	fd = new_file(path);
	ecryptfs_file_create(fd, &p, ks, &f);
	ecryptfs_file_pwrite(f, "hello", 5, 0);
	ecryptfs_file_pwrite(f, "B", 1, 9004);
	memset(want, 0, 8 * 4096);
	memcpy(want, "hello", 5);
	want[9004] = 'B';
	ok(fu_file_size(path) == 20480 && ecryptfs_file_size(f) == 9005,
	   "grow-5-to-9005: lower 20480, size 9005");
	ok(extents_are(f, fd, want, 3), "grow-5-to-9005: zeros between, zero tail");
	ecryptfs_file_close(f);
	close(fd);

	/* truncate-up-0-to-10000 */
	fd = new_file(path);
	ecryptfs_file_create(fd, &p, ks, &f);
	is_int(ecryptfs_file_truncate(f, 10000), 0, "truncate up 0 -> 10000");
	memset(want, 0, 8 * 4096);
	ok(fu_file_size(path) == 20480 && ecryptfs_file_size(f) == 10000,
	   "truncate-up-0-to-10000: lower 20480");
	ok(extents_are(f, fd, want, 3), "truncate-up-0-to-10000: three extents of encrypted zeros");
	ecryptfs_file_close(f);
	close(fd);

	/* truncate-down-6000-to-100 */
	fd = new_file(path);
	ecryptfs_file_create(fd, &p, ks, &f);
	memset(want, 'x', 6000);
	ecryptfs_file_pwrite(f, want, 6000, 0);
	is_int(ecryptfs_file_truncate(f, 100), 0, "truncate down 6000 -> 100");
	memset(want, 0, 8 * 4096);
	memset(want, 'x', 100);
	pread(fd, be, 8, 0);
	ok(fu_file_size(path) == 12288 && be[7] == 100 && be[6] == 0,
	   "truncate-down-6000-to-100: lower 12288, size field 100");
	ok(extents_are(f, fd, want, 1), "truncate-down: bytes 100-4095 decrypt to zeros");
	/* Growing again must not bring the old 'x' bytes back. */
	ecryptfs_file_truncate(f, 5000);
	{
		uint8_t buf[5000];

		ok(ecryptfs_file_pread(f, buf, 5000, 0) == 5000 && buf[99] == 'x' && buf[100] == 0 &&
		   buf[4999] == 0, "truncate up after down: zeros, old bytes gone");
	}
	ecryptfs_file_close(f);
	close(fd);

	/* A write covering whole extents never reads them: cut them away first. */
	fd = new_file(path);
	ecryptfs_file_create(fd, &p, ks, &f);
	fu_fill(want, 3 * 4096, 5);
	ecryptfs_file_pwrite(f, want, 3 * 4096, 0);
	ftruncate(fd, 8192 + 4096);	/* extents 1 and 2 gone from the lower file */
	{
		uint8_t buf[4096];

		is_int(ecryptfs_file_pread(f, buf, 4096, 4096), -EIO, "missing extent: -EIO");
		is_int(ecryptfs_file_pwrite(f, want + 4096, 8192, 4096), 8192,
		       "whole-extent write over missing extents succeeds (no read)");
		ok(ecryptfs_file_pread(f, buf, 4096, 8192) == 4096 &&
		   memcmp(buf, want + 8192, 4096) == 0, "and reads back");
		is_int(ecryptfs_file_pwrite(f, "z", 1, 8192 + 5000 - 4096), 1,
		       "partial write into a rewritten extent");
	}
	ecryptfs_file_close(f);
	close(fd);
	free(want);
	ecryptfs_keyset_free(ks);
}

/* Random writes, truncates and reads against a plain buffer. */
static void test_model(bool xattr)
{
	enum { MAX = 6 * 4096 + 100, OPS = 1500 };
	struct ecryptfs_keyset *ks = fu_keyset(PASS, NULL);
	struct ecryptfs_policy p = policy("aes", 16, xattr);
	uint8_t *model = calloc(1, MAX * 2), *buf = malloc(MAX * 2), *data = malloc(MAX);
	const char *path = fu_path("model");
	struct ecryptfs_file *f;
	uint64_t size = 0, seed = 12345;
	int fd = new_file(path), bad_op = -1;

	ecryptfs_file_create(fd, &p, ks, &f);
	for (int op = 0; op < OPS && bad_op < 0; op++) {
		uint64_t off, len;
		int kind;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		kind = (int)(seed >> 60) % 4;
		/* Offsets cluster around extent boundaries. */
		off = ((seed >> 20) % 7) * 4096 + ((seed >> 8) % 9) - 4;
		if (off > MAX)
			off = (seed >> 30) % MAX;
		len = (seed >> 40) % 9000;
		if (off + len > MAX)
			len = MAX - off;
		if (kind <= 1) {
			fu_fill(data, len, seed);
			if (ecryptfs_file_pwrite(f, data, len, off) != (ssize_t)len)
				bad_op = op;
			if (len && off > size)
				memset(model + size, 0, off - size);
			memcpy(model + off, data, len);
			if (len && off + len > size)
				size = off + len;
		} else if (kind == 2) {
			if (ecryptfs_file_truncate(f, off) < 0)
				bad_op = op;
			if (off > size)
				memset(model + size, 0, off - size);
			size = off;
		}
		/* Check everything after every step, through a fresh handle now and then. */
		if (op % 100 == 99) {
			ecryptfs_file_close(f);
			if (ecryptfs_file_open(fd, NULL, ks, 0, &f) < 0) {
				bad_op = op;
				break;
			}
		}
		if (ecryptfs_file_size(f) != size ||
		    ecryptfs_file_pread(f, buf, MAX * 2, 0) != (ssize_t)size ||
		    memcmp(buf, model, size) ||
		    fu_file_size(path) != ecryptfs_lower_size(size, xattr ? 0 : 8192))
			bad_op = op;
		if (kind == 3 && len && off < size) {
			uint64_t want = size - off < len ? size - off : len;

			if (ecryptfs_file_pread(f, buf, len, off) != (ssize_t)want ||
			    memcmp(buf, model + off, want))
				bad_op = op;
		}
	}
	is_int(bad_op, -1, "%s: %d random writes/truncates/reads match a plain model",
	       xattr ? "xattr mode" : "in-file header", OPS);
	ecryptfs_file_close(f);
	close(fd);
	free(model);
	free(buf);
	free(data);
	ecryptfs_keyset_free(ks);
}

static void test_keys_and_errors(void)
{
	struct ecryptfs_keyset *all = fu_keyset("k1", "k2", "k3", NULL);
	struct ecryptfs_keyset *k3 = fu_keyset("k3", NULL), *wrong = fu_keyset("k4", NULL);
	struct ecryptfs_pass_key *a = fu_key("k1"), *b = fu_key("k2"), *c = fu_key("k3");
	struct ecryptfs_policy p;
	struct ecryptfs_file *f = NULL;
	const char *path = fu_path("keys");
	uint8_t buf[64], head[8192];
	int fd;

	ecryptfs_policy_init(&p, "aes", 32);
	ecryptfs_policy_add_sig(&p, a->sig);
	ecryptfs_policy_add_sig(&p, b->sig);
	ecryptfs_policy_add_sig(&p, c->sig);
	fd = new_file(path);
	is_int(ecryptfs_file_create(fd, &p, all, &f), 0, "create with three keys");
	ecryptfs_file_pwrite(f, "three keys", 10, 0);
	is_int(ecryptfs_file_create(fd, &p, all, &f) , -EEXIST, "create over data: -EEXIST");
	ecryptfs_file_close(f);
	f = NULL;
	ok(ecryptfs_file_open(fd, NULL, k3, 0, &f) == 0 && ecryptfs_file_pread(f, buf, 64, 0) == 10 &&
	   memcmp(buf, "three keys", 10) == 0, "the third key alone opens it");
	ok(f && ecryptfs_file_header(f)->n_packets == 3, "three packets in the header");
	ecryptfs_file_close(f);
	f = NULL;
	is_int(ecryptfs_file_open(fd, NULL, wrong, 0, &f), -ENOKEY, "wrong key: -ENOKEY");
	close(fd);

	/* Bad files, each with its own error, none of them changed. */
	pread(open(path, O_RDONLY), head, 8192, 0);
	fu_write_file(path, "", 0);
	fd = open(path, O_RDWR);
	is_int(ecryptfs_file_open(fd, NULL, all, 0, &f), -ENODATA, "zero-length: -ENODATA");
	ok(fu_file_size(path) == 0, "zero-length file left alone");
	p.passthrough = false;
	ok(ecryptfs_file_open(fd, &p, all, ECRYPTFS_OPEN_INIT_EMPTY, &f) == 0 &&
	   fu_file_size(path) == 8192, "zero-length with INIT_EMPTY gets a header");
	ecryptfs_file_close(f);
	f = NULL;
	close(fd);
	fu_write_file(path, "just some text, not encrypted at all\n", 37);
	fd = open(path, O_RDWR);
	is_int(ecryptfs_file_open(fd, NULL, all, 0, &f), -ENOMSG, "foreign file: -ENOMSG");
	p.passthrough = true;
	ok(ecryptfs_file_open(fd, &p, all, 0, &f) == 0 &&
	   ecryptfs_file_kind(f) == ECRYPTFS_FILE_PASSTHROUGH && ecryptfs_file_size(f) == 37 &&
	   ecryptfs_file_pread(f, buf, 64, 0) == 37 && memcmp(buf, "just", 4) == 0,
	   "passthrough: foreign file read as it is");
	ok(f && ecryptfs_file_pwrite(f, "JUST", 4, 0) == 4 && ecryptfs_file_truncate(f, 20) == 0 &&
	   fu_file_size(path) == 20, "passthrough: writes and truncate go straight through");
	ecryptfs_file_close(f);
	f = NULL;
	p.passthrough = false;
	close(fd);
	fu_write_file(path, head, 100);
	fd = open(path, O_RDWR);
	is_int(ecryptfs_file_open(fd, NULL, all, 0, &f), -EIO, "header cut at 100 bytes: -EIO");
	close(fd);
	head[16] = 9;
	fu_write_file(path, head, 8192);
	fd = open(path, O_RDWR);
	is_int(ecryptfs_file_open(fd, NULL, all, 0, &f), -EPROTO, "version 9: -EPROTO");
	close(fd);
	head[16] = 3;
	head[29] = 0x0b;	/* first tag 3 cipher code -> cast6 */
	fu_write_file(path, head, 8192);
	fd = open(path, O_RDWR);
	{
		struct ecryptfs_keyset *k1 = fu_keyset("k1", NULL);

		is_int(ecryptfs_file_open(fd, NULL, k1, 0, &f), -ENOTSUP,
		       "cast6 packet with its key: -ENOTSUP");
		ecryptfs_keyset_free(k1);
	}
	ok(ecryptfs_file_open(fd, NULL, all, 0, &f) == 0, "a cast6 packet is skipped for the next one");
	ecryptfs_file_close(f);
	f = NULL;
	close(fd);
	head[29] = 0x09;
	head[30] = 7;	/* tag 3 S2K */
	fu_write_file(path, head, 8192);
	fd = open(path, O_RDWR);
	is_int(ecryptfs_file_open(fd, NULL, all, 0, &f), -EBADMSG, "bad S2K: -EBADMSG");
	close(fd);
	ecryptfs_pass_key_free(a);
	ecryptfs_pass_key_free(b);
	ecryptfs_pass_key_free(c);
	ecryptfs_keyset_free(all);
	ecryptfs_keyset_free(k3);
	ecryptfs_keyset_free(wrong);
}

static void test_xattr_and_view(void)
{
	struct ecryptfs_keyset *ks = fu_keyset(PASS, NULL);
	struct ecryptfs_policy p = policy("aes", 16, true);
	struct ecryptfs_file *f = NULL, *g = NULL;
	const char *path = fu_path("xattr"), *copy = fu_path("viewcopy");
	uint8_t data[9000], *view = malloc(8192 + 12288), x[4096], back[9000];
	ssize_t xn;
	int fd = new_file(path), fd2;

	fu_fill(data, sizeof(data), 99);
	ecryptfs_file_create(fd, &p, ks, &f);
	ecryptfs_file_pwrite(f, data, sizeof(data), 0);
	ecryptfs_file_close(f);
	f = NULL;
	xn = fgetxattr(fd, "user.ecryptfs", x, sizeof(x));
	ok(xn == 26 + 31 + 24 && x[19] == 0x06 && x[6] == 0x23 && x[7] == 0x28,
	   "xattr mode: 81-byte value, flags 0x06, size field 9000");
	is_int(fu_file_size(path), 12288, "xattr mode: data from offset 0, 3 extents");
	p.encrypted_view = true;
	ok(ecryptfs_file_open(fd, &p, NULL, 0, &f) == 0 && ecryptfs_file_kind(f) == ECRYPTFS_FILE_VIEW &&
	   ecryptfs_file_size(f) == 8192 + 12288, "encrypted view: lower size + 8192");
	ok(f && ecryptfs_file_pread(f, view, 8192 + 12288, 0) == 8192 + 12288 &&
	   view[19] == 0x02 && memcmp(view + 8, x + 8, 8) == 0,
	   "view: synthetic header, flag 0x04 cleared");
	is_int(f ? ecryptfs_file_pwrite(f, "x", 1, 0) : 0, -EROFS, "view is read only");
	ecryptfs_file_close(f);
	f = NULL;
	/* The view is a portable in-file-header file. */
	fu_write_file(copy, view, 8192 + 12288);
	fd2 = open(copy, O_RDONLY);
	ok(ecryptfs_file_open(fd2, NULL, ks, 0, &g) == 0 &&
	   ecryptfs_file_pread(g, back, sizeof(back), 0) == (ssize_t)sizeof(back) &&
	   memcmp(back, data, sizeof(data)) == 0, "view copy opens as an in-file file, same data");
	ecryptfs_file_close(g);
	close(fd2);
	ok(ecryptfs_file_open(fd, NULL, ks, 0, &f) == 0 && ecryptfs_file_truncate(f, 10) == 0 &&
	   fgetxattr(fd, "user.ecryptfs", x, sizeof(x)) == 81 && x[7] == 10 && x[6] == 0 &&
	   fu_file_size(path) == 4096, "xattr mode truncate: size in the xattr, lower cut");
	ecryptfs_file_close(f);
	close(fd);
	free(view);
	ecryptfs_keyset_free(ks);
}

/* Keys found in the user keyring by sig, as the kernel and the daemon find them. */
static void test_keyring(void)
{
	struct ecryptfs_pass_key *k = fu_key("format keyring test key");
	struct ecryptfs_keyset *with = fu_keyset("format keyring test key", NULL);
	struct ecryptfs_keyset *empty = fu_keyset(NULL);
	struct ecryptfs_policy p;
	struct ecryptfs_file *f = NULL;
	const char *path = fu_path("keyring");
	uint8_t buf[16];
	int fd = new_file(path);

	ecryptfs_policy_init(&p, "aes", 16);
	ecryptfs_policy_add_sig(&p, k->sig);
	ecryptfs_file_create(fd, &p, with, &f);
	ecryptfs_file_pwrite(f, "keyring", 7, 0);
	ecryptfs_file_close(f);
	f = NULL;
	ecryptfs_keyring_unlink(k->sig_hex);
	is_int(ecryptfs_file_open(fd, NULL, empty, 0, &f), -ENOKEY, "empty key set: -ENOKEY");
	ecryptfs_keyset_use_keyring(empty, true);
	is_int(ecryptfs_file_open(fd, NULL, empty, 0, &f), -ENOKEY,
	       "keyring fallback, key not there: -ENOKEY");
	if (ok(ecryptfs_keyring_add(k, NULL) == 0, "key added to the user keyring")) {
		ok(ecryptfs_file_open(fd, NULL, empty, 0, &f) == 0 &&
		   ecryptfs_file_pread(f, buf, 16, 0) == 7 && memcmp(buf, "keyring", 7) == 0,
		   "keyring fallback finds the key by sig");
		ecryptfs_file_close(f);
		ecryptfs_keyring_unlink(k->sig_hex);
	}
	close(fd);
	ecryptfs_pass_key_free(k);
	ecryptfs_keyset_free(with);
	ecryptfs_keyset_free(empty);
}

/* A full lower file system: ENOSPC, and the file keeps what it had. */
static void test_enospc(void)
{
	struct ecryptfs_keyset *ks = fu_keyset(PASS, NULL);
	struct ecryptfs_policy p = policy("aes", 16, false);
	char dir[4096], path[4200], cmd[8400];
	struct ecryptfs_file *f = NULL;
	uint8_t *data = malloc(400000), *back = malloc(400000);
	int fd;

	snprintf(dir, sizeof(dir), "%s", fu_path("small"));
	snprintf(path, sizeof(path), "%s/file", dir);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s' && mount -t tmpfs -o size=256k none '%s'", dir, dir);
	if (!ok(system(cmd) == 0, "a 256 KiB tmpfs for the ENOSPC test"))
		goto out;
	fd = new_file(path);
	fu_fill(data, 400000, 42);
	ecryptfs_file_create(fd, &p, ks, &f);
	is_int(ecryptfs_file_pwrite(f, data, 100000, 0), 100000, "100000 bytes fit");
	is_int(ecryptfs_file_pwrite(f, data + 100000, 300000, 100000), -ENOSPC,
	       "300000 more: -ENOSPC");
	is_int(ecryptfs_file_truncate(f, 390000), -ENOSPC, "truncate up past the space: -ENOSPC");
	ecryptfs_file_close(f);
	f = NULL;
	ok(fu_file_size(path) == ecryptfs_lower_size(100000, 8192) &&
	   ecryptfs_file_open(fd, NULL, ks, 0, &f) == 0 && ecryptfs_file_size(f) == 100000 &&
	   ecryptfs_file_pread(f, back, 400000, 0) == 100000 && memcmp(back, data, 100000) == 0,
	   "after ENOSPC the file is as before: size, lower size, contents");
	ecryptfs_file_close(f);
	close(fd);
	/* A new file on a full disk: no half header left behind. */
	snprintf(cmd, sizeof(cmd), "dd if=/dev/zero of='%s/fill' bs=4k 2>/dev/null", dir);
	if (system(cmd)) {
		/* dd ends with ENOSPC, which is the point */
	}
	snprintf(path, sizeof(path), "%s/new", dir);
	fd = new_file(path);
	f = NULL;
	is_int(ecryptfs_file_create(fd, &p, ks, &f), -ENOSPC, "create on a full disk: -ENOSPC");
	ok(f == NULL && fu_file_size(path) == 0, "and the lower file stays empty");
	close(fd);
	snprintf(cmd, sizeof(cmd), "umount '%s'", dir);
	ok(system(cmd) == 0, "tmpfs unmounted");
out:
	free(data);
	free(back);
	ecryptfs_keyset_free(ks);
}

/*
 * Size fields near 2^64 (a corrupt or hostile header): the lower offset must
 * not wrap onto the header and hand out its bytes decrypted as data.
 */
static void test_huge_offsets(void)
{
	struct ecryptfs_keyset *ks = fu_keyset(PASS, NULL);
	struct ecryptfs_policy p = policy("aes", 16, false);
	const char *path = fu_path("huge");
	struct ecryptfs_file *f = NULL;
	uint8_t buf[16];
	int fd = new_file(path);

	ecryptfs_file_create(fd, &p, ks, &f);
	is_int(ecryptfs_file_set_size(f, UINT64_MAX), 0, "size field set to 2^64 - 1");
	is_int(ecryptfs_file_pread(f, buf, sizeof(buf), UINT64_MAX - 4096 - 100), -EFBIG,
	       "read where data_off + offset would wrap: -EFBIG");
	is_int(ecryptfs_file_pread(f, buf, sizeof(buf), (uint64_t)INT64_MAX), -EFBIG,
	       "read past INT64_MAX: -EFBIG");
	is_int(ecryptfs_file_pread(f, buf, sizeof(buf), 0), -EIO,
	       "read of a missing extent: -EIO");
	ecryptfs_file_close(f);
	close(fd);
	fd = new_file(path);
	ecryptfs_file_create(fd, &p, ks, &f);
	is_int(ecryptfs_file_pwrite(f, "x", 1, (uint64_t)INT64_MAX - 100), -EFBIG,
	       "write ending past the lower limit: -EFBIG");
	ok(ecryptfs_file_size(f) == 0 && fu_file_size(path) == 8192, "the file is unchanged");
	ecryptfs_file_close(f);
	close(fd);
	ok(ecryptfs_lower_size(UINT64_MAX - 10, 8192) == UINT64_MAX,
	   "lower size of a size near 2^64 saturates");
	/* A failed write must not cut the file to a wrapped "old" lower size. */
	fd = new_file(path);
	ecryptfs_file_create(fd, &p, ks, &f);
	memset(buf, 'd', sizeof(buf));
	for (uint64_t off = 0; off < 10000; off += sizeof(buf))
		ecryptfs_file_pwrite(f, buf, sizeof(buf), off);
	is_int(ecryptfs_file_set_size(f, UINT64_MAX - 10), 0, "size field near 2^64");
	is_int(ecryptfs_file_pwrite(f, "x", 1, 20000), -EIO, "rewrite of a missing extent: -EIO");
	ok(fu_file_size(path) == 8192 + 3 * 4096, "the lower file keeps its extents");
	ecryptfs_file_close(f);
	close(fd);
	ecryptfs_keyset_free(ks);
}

/* A cancel hook that gives up on its `after`-th call; counts its calls. */
struct cancel_state {
	int calls, after;
};

static int cancel_after(void *arg)
{
	struct cancel_state *st = arg;

	return ++st->calls >= st->after;
}

/* An encrypt hook that counts its calls and does what the engine does. */
static int counting_encrypt(void *arg, struct ecryptfs_crypt *c, uint64_t first, const void *in,
			    void *out, size_t n)
{
	++*(int *)arg;
	return ecryptfs_crypt_encrypt(c, first, in, out, n);
}

/* Long fills: cancelled half way, the file is as it was; hooks are used. */
static void test_fill_hooks(void)
{
	struct ecryptfs_keyset *ks = fu_keyset(PASS, NULL);
	struct ecryptfs_policy p = policy("aes", 16, false);
	const char *path = fu_path("fill");
	struct cancel_state st = { 0, 3 };
	struct ecryptfs_file *f = NULL;
	uint8_t *data = malloc(5000), *back = malloc(1 << 20);
	uint64_t lower_before;
	int fd = new_file(path), encs = 0;
	bool zeros = true;

	fu_fill(data, 5000, 7);
	ecryptfs_file_create(fd, &p, ks, &f);
	is_int(ecryptfs_file_pwrite(f, data, 5000, 0), 5000, "fill: 5000 bytes written");
	lower_before = fu_file_size(path);
	ecryptfs_file_set_cancel(f, cancel_after, &st);
	is_int(ecryptfs_file_truncate(f, 64 << 20), -EINTR,
	       "fill: truncate up by 64 MiB, cancelled at its third chunk: -EINTR");
	is_int(st.calls, 3, "fill: the hook was asked before each chunk, up to the one that stopped it");
	ok(ecryptfs_file_size(f) == 5000 && fu_file_size(path) == lower_before,
	   "fill: after the cancel, the old size and the old lower length");
	is_int(ecryptfs_file_pwrite(f, "x", 1, 32 << 20), -EINTR,
	       "fill: a write past the end is cancelled too");
	ok(ecryptfs_file_size(f) == 5000 && fu_file_size(path) == lower_before &&
	   ecryptfs_file_pread(f, back, 1 << 20, 0) == 5000 && memcmp(back, data, 5000) == 0,
	   "fill: ... and leaves the file as it was");
	ecryptfs_file_set_cancel(f, NULL, NULL);
	ecryptfs_file_set_encrypt(f, counting_encrypt, &encs);
	is_int(ecryptfs_file_truncate(f, (10 << 20) + 3), 0, "fill: no cancel hook: grows");
	ok(encs >= 3, "fill: the chunks went through the caller's encrypt hook");
	for (uint64_t off = 5000; off < (10 << 20) + 3; off += 1 << 20) {
		ssize_t n = ecryptfs_file_pread(f, back, 1 << 20, off);

		for (ssize_t i = 0; i < n; i++)
			zeros = zeros && back[i] == 0;
		zeros = zeros && n > 0;
	}
	ok(zeros && fu_file_size(path) == ecryptfs_lower_size((10 << 20) + 3, 8192),
	   "fill: the growth reads as zeros, lower length of whole extents");
	ecryptfs_file_close(f);
	close(fd);
	free(data);
	free(back);
	ecryptfs_keyset_free(ks);
}

int main(void)
{
	test_roundtrips();
	test_extend_layouts();
	test_model(false);
	test_model(true);
	test_keys_and_errors();
	test_xattr_and_view();
	test_enospc();
	test_huge_offsets();
	test_fill_hooks();
	test_keyring();
	return tap_done();
}
