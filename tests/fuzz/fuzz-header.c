/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the header and packet parser: every input is tried
 * as the head of a lower file and as a user.ecryptfs value, unwrapped with a
 * key set holding the "Test" key (doc/format.md §9.4; so mutated kernel headers
 * reach the ECB unwrap and the extent engine), and opened as a lower file
 * from a memfd so that size fields and short data are exercised too.  Its
 * tag 1 hook (a key module's place) "decrypts" by copying, so a mutated tag
 * 1 blob is the payload itself and its cipher code, FEK length and checksum
 * checks are reached (seed tag1-identity-payload).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libecryptfs.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ecryptfs_keyset *keys;
static int memfd = -1;

/* The KEK and sig of passphrase "Test", salt 0011223344556677 (no KDF per run). */
static const char TEST_KEK[] =
	"0f38a537ffd1804fb13c6ce714b09c7ba1ef58961f63f01d1355a24b752effcd"
	"1d9842eab112238ad1f5790883feb891b5dd7fb48b8aff20a1ae9e01c711b7ea";

/* Any sig: the blob is the payload (cipher code, FEK, checksum). */
static int copy_blob(void *ctx, const uint8_t sig[ECRYPTFS_SIG_SIZE], const uint8_t *blob,
		     size_t len, uint8_t *out, size_t *out_len)
{
	(void)ctx;
	(void)sig;
	if (len > *out_len)
		return -EKEYREJECTED;
	memcpy(out, blob, len);
	*out_len = len;
	return 0;
}

static const struct ecryptfs_pubkey_ops copy_ops = { NULL, copy_blob, NULL };

static void setup(void)
{
	struct ecryptfs_pass_key *k = ecryptfs_pass_key_new();

	ecryptfs_hex_decode(TEST_KEK, 128, k->kek);
	ecryptfs_sig_from_hex("3515cca9baaea1f4", k->sig);
	memcpy(k->salt, ecryptfs_default_salt, 8);
	ecryptfs_sig_to_hex(k->sig, k->sig_hex);
	if (ecryptfs_keyset_new(&keys) < 0 || ecryptfs_keyset_add_pass_key(keys, k) < 0)
		abort();
	ecryptfs_pass_key_free(k);
	ecryptfs_keyset_set_pubkey_ops(keys, &copy_ops, NULL);
	memfd = memfd_create("fuzz-header", 0);
	if (memfd < 0)
		abort();
}

static void try_form(const uint8_t *buf, size_t len, bool in_xattr)
{
	struct ecryptfs_header *hdr = malloc(sizeof(*hdr));
	struct ecryptfs_fek *fek = ecryptfs_fek_new();
	struct ecryptfs_crypt *c = NULL;
	uint8_t ext[4096] = { 0 };
	uint8_t *view = NULL;

	if (!hdr || !fek)
		abort();
	if (ecryptfs_header_parse(buf, len, in_xattr, hdr) == 0) {
		if (in_xattr) {
			view = malloc(ECRYPTFS_MIN_METADATA_SIZE);
			if (ecryptfs_header_view_copy(hdr, view) == 0 &&
			    ecryptfs_header_parse(view, ECRYPTFS_MIN_METADATA_SIZE, false, hdr) != 0)
				abort();	/* a view copy must parse as an in-file header */
		}
		if (ecryptfs_header_unwrap_fek(hdr, keys, fek, NULL) == 0 &&
		    ecryptfs_crypt_new(fek, &c) == 0)
			ecryptfs_crypt_decrypt(c, hdr->size / 4096, ext, ext, 1);
	}
	ecryptfs_crypt_free(c);
	ecryptfs_fek_free(fek);
	free(view);
	free(hdr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so that ASan sees any read past the input. */
	uint8_t *buf = malloc(size ? size : 1);
	struct ecryptfs_file *f = NULL;

	if (!keys)
		setup();
	memcpy(buf, data, size);
	try_form(buf, size, false);
	try_form(buf, size, true);
	if (ftruncate(memfd, 0) == 0 && pwrite(memfd, buf, size, 0) == (ssize_t)size &&
	    ecryptfs_file_open(memfd, NULL, keys, 0, &f) == 0) {
		uint8_t *out = malloc(65536);
		uint64_t fsize = ecryptfs_file_size(f);

		ecryptfs_file_pread(f, out, 65536, 0);
		ecryptfs_file_pread(f, out, 100, fsize > 50 ? fsize - 50 : 0);
		free(out);
	}
	ecryptfs_file_close(f);
	free(buf);
	return 0;
}
