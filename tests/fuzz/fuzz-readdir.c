/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * readdir and readdirplus of ecryptfs-fuse over a hostile lower directory:
 * every entry's name goes through the daemon's own efs_names_decrypt
 * (names.c, included here with its static FNEK set to a fixed key, as
 * efs_names_init would leave it) and through the decision do_readdir
 * (readdir.c) takes on its result: "." and ".." as they are, a name that
 * does not decode hidden (only -ENOMEM, the daemon's own shortage, ends the
 * listing), a decoded name is listed.
 *
 * Always checked: no crash, leak or overread; a listed name is a valid
 * entry name (1..NAME_MAX bytes, no '/', not "." or ".." unless the lower
 * one is); and the name the daemon lists is one it can look up: encrypting
 * it gives a lower name that decodes back to it.
 *
 * Counted, and fatal with ECFS_FUZZ_STRICT=1 (the smoke run sets it): an
 * entry that ends the listing, and a decoded name whose canonical encoding
 * is not the lower name it came from (two lower entries would then list as
 * the same upper name; the decoder re-encrypts what it decodes to refuse
 * them).
 * The counts are printed at exit.
 *
 * Input: a mode byte, then the lower name (bit 2 clear) or, with bit 2, a
 * plaintext name encrypted first and then changed in one place (op, pos,
 * byte, name), so that mutations start from valid packets.  Bit 0 picks the
 * FNEK of tests/data/vectors/aes256-fnek or aes192-fnek-same-key, bit 1
 * prepends the FNEK prefix.  The seeds are those sets' lower names.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "../../src/fuse/names.c"

/*
 * names.c reads symlinks through an inode's descriptor (inode.c); listings
 * never do, so the fuzzer links no inode table: reaching these is a bug.
 */
int efs_inode_fd(struct efs_inode *in)
{
	(void)in;
	abort();
}

void efs_inode_fd_put(struct efs_inode *in)
{
	(void)in;
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
	const char *pass;
	const uint8_t *salt;
	const char *cipher;
	size_t key_bytes;
} configs[2] = {
	{ "vector-set-b aes256 fnek", ecryptfs_fnek_salt, "aes", 32 },
	{ "vector-set-c aes192 fnek same key", ecryptfs_default_salt, "aes", 24 },
};

static struct ecryptfs_pass_key *keys[2];
static unsigned long listed, hidden, ended, non_canonical;
static unsigned long ended_by[256];

static void report(void)
{
	fprintf(stderr, "fuzz-readdir: %lu listed, %lu hidden, %lu non-canonical, %lu ended the listing",
		listed, hidden, non_canonical, ended);
	for (int e = 0; e < 256; e++)
		if (ended_by[e])
			fprintf(stderr, " (%s: %lu)", strerror(e), ended_by[e]);
	fprintf(stderr, "\n");
}

static void setup(void)
{
	for (int i = 0; i < 2; i++) {
		keys[i] = ecryptfs_pass_key_new();
		if (!keys[i] || ecryptfs_derive_pass_key(configs[i].pass, strlen(configs[i].pass),
							 configs[i].salt, keys[i]) < 0)
			abort();
	}
	atexit(report);
}

static bool strict(void)
{
	const char *s = getenv("ECFS_FUZZ_STRICT");

	return s && *s == '1';
}

/* readdir.c's test. */
static bool dot_or_dotdot(const char *n)
{
	return n[0] == '.' && (n[1] == 0 || (n[1] == '.' && n[2] == 0));
}

/* One directory entry as do_readdir treats it. */
static void entry(const char *lname)
{
	char name[NAME_MAX + 1], lower[NAME_MAX + 1], back[NAME_MAX + 1];
	size_t len;
	int r;

	if (dot_or_dotdot(lname))
		return;		/* listed as they are, never decoded */
	r = efs_names_decrypt(lname, name, sizeof(name));
	/* Only a shortage of the daemon's own ends a listing; any name is hidden. */
	if (r < 0 && r != -ENOMEM) {
		hidden++;
		return;
	}
	if (r < 0) {
		ended++;
		ended_by[-r & 255]++;
		if (strict())
			abort();
		return;
	}
	listed++;
	len = strlen(name);
	if (len == 0 || len > NAME_MAX || strchr(name, '/') || dot_or_dotdot(name))
		abort();
	/* The listed name is looked up by encrypting it (dir.c, inode.c). */
	r = efs_names_encrypt(name, lower, sizeof(lower));
	if (r == 0 && (efs_names_decrypt(lower, back, sizeof(back)) != 0 || strcmp(back, name) != 0))
		abort();
	if (r != 0 || strcmp(lower, lname) != 0) {
		non_canonical++;
		if (strict())
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const size_t plen = strlen(ECRYPTFS_FNEK_PREFIX);
	char lname[NAME_MAX + 1], plain[NAME_MAX + 1];
	uint8_t mode;
	size_t n = 0;
	int c;

	if (!keys[0])
		setup();
	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	c = mode & 1;
	fnek = keys[c];
	fn_key_bytes = configs[c].key_bytes;
	fn_code = (uint8_t)ecryptfs_cipher_code(configs[c].cipher, fn_key_bytes);
	if (mode & 4) {
		uint8_t op, pos, byte;
		size_t len;

		if (size < 4 || size - 3 > NAME_MAX)
			return 0;
		op = data[0];
		pos = data[1];
		byte = data[2];
		memcpy(plain, data + 3, size - 3);
		plain[size - 3] = '\0';
		if (efs_names_encrypt(plain, lname, sizeof(lname)) != 0)
			return 0;
		len = strlen(lname);
		switch (op & 3) {
		case 1:		/* one character replaced */
			lname[pos % len] = (char)byte;
			break;
		case 2:		/* one appended */
			if (len < NAME_MAX) {
				lname[len] = (char)byte;
				lname[len + 1] = '\0';
			}
			break;
		case 3:		/* one removed */
			memmove(lname + pos % len, lname + pos % len + 1, len - pos % len);
			break;
		default:
			break;
		}
		n = strlen(lname);
	} else {
		if (mode & 2) {
			memcpy(lname, ECRYPTFS_FNEK_PREFIX, plen);
			n = plen;
		}
		if (size > NAME_MAX - n)
			return 0;
		memcpy(lname + n, data, size);
		n += size;
		lname[n] = '\0';
	}
	/* What a directory can hold: 1..NAME_MAX bytes, no '/', no NUL. */
	if (n == 0 || strlen(lname) != n || strchr(lname, '/'))
		return 0;
	entry(lname);
	return 0;
}
