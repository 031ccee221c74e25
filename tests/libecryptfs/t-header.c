/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Header and key packets: the aes-16 fixture decodes to its FEK and IVs
 * (doc/format.md §5.6), length octets (doc/format.md §3.1), headers we write,
 * several keys, the tag 1 hook, and every malformed input's own error.
 */
#include "config.h"

#include "format-util.h"
#include "internal.h"

static const char AES16[] =
	"000000000000000c378881cc0b093639030000020000100000028c1d04070301"
	"0011223344556677604048 11d3601cad796515bd4f09f7cac0ed1662085f434f"
	"4e534f4c450000000035 15cca9baaea1f400";
static const char AES256_FNEK[] =
	"000000000000000f3a171a670696ad92030000 0a0000100000028c2d04090301"
	"00112233445566776085ccd35879959a41fa3190fb5ae32f7d752633baf34010"
	"8925b828667328e867ed1662085f434f4e534f4c45000000008f0b06a4b8b5e1"
	"a100";

/* Hex with spaces allowed, into a zero-filled 4096-byte head. */
static size_t unhex(const char *hex, uint8_t *out)
{
	char clean[1024];
	size_t n = 0;

	for (const char *p = hex; *p; p++)
		if (*p != ' ')
			clean[n++] = *p;
	clean[n] = 0;
	memset(out, 0, 4096);
	return tap_unhex(clean, out, 4096);
}

static void test_length_octets(void)
{
	static const struct { size_t len; const char *hex; } v[] = {
		{ 29, "1d" }, { 191, "bf" }, { 192, "c000" }, { 266, "c04a" }, { 8383, "dfff" },
	};
	uint8_t out[2], want[2];
	size_t len, used;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t wn = tap_unhex(v[i].hex, want, 2);
		int n = ecryptfs_packet_length_write(v[i].len, out);

		ok(n == (int)wn && memcmp(out, want, wn) == 0, "length %zu -> %s", v[i].len,
		   v[i].hex);
		ok(ecryptfs_packet_length_parse(want, wn, &len, &used) == 0 && len == v[i].len &&
		   used == wn, "%s parses back to %zu", v[i].hex, v[i].len);
	}
	is_int(ecryptfs_packet_length_write(8384, out), -EINVAL, "8384 cannot be written");
	out[0] = 0xe0;
	is_int(ecryptfs_packet_length_parse(out, 2, &len, &used), -EBADMSG, "partial length refused");
	out[0] = 0xff;
	is_int(ecryptfs_packet_length_parse(out, 2, &len, &used), -EBADMSG, "five-octet form refused");
	out[0] = 0xc0;
	is_int(ecryptfs_packet_length_parse(out, 1, &len, &used), -EBADMSG,
	       "two-octet length cut short refused");
}

static void test_aes16_fixture(void)
{
	static const char *fek_hex = "d8c8dcec9c511399fb6acb32f28d89e2";
	uint8_t head[4096], want[16], iv[16];
	struct ecryptfs_header *hdr = malloc(sizeof(*hdr));
	struct ecryptfs_keyset *ks = fu_keyset("Test", NULL);
	struct ecryptfs_fek *fek = ecryptfs_fek_new();
	struct ecryptfs_crypt *c = NULL;
	size_t which = 99, n = unhex(AES16, head);

	is_int(n, 82, "aes-16 header is 81 bytes plus terminator");
	is_int(ecryptfs_header_parse(head, 4096, false, hdr), 0, "aes-16 header parses");
	is_int(hdr->size, 12, "size field 12");
	is_int(hdr->marker, 0x378881cc, "marker m1");
	is_int(hdr->version, 3, "version 3");
	is_int(hdr->flags, 0x02, "flags 0x02");
	ok(hdr->extent_size == 4096 && hdr->extent_count == 2 && hdr->metadata_size == 8192,
	   "header extents 4096 x 2");
	is_int(hdr->n_packets, 1, "one key packet");
	is_int(hdr->packets[0].tag, 3, "tag 3");
	is_int(hdr->cipher_code, 7, "cipher code 7");
	is_int(hdr->key_bytes, 16, "16-byte key");
	is_int(hdr->packets[0].efek_len, 16, "16-byte EFEK");
	tap_unhex("3515cca9baaea1f4", want, 8);
	is_mem(hdr->packets[0].sig, want, 8, "tag 11 sig 3515cca9baaea1f4");
	tap_unhex("0011223344556677", want, 8);
	is_mem(hdr->packets[0].salt, want, 8, "tag 3 salt");
	is_int(hdr->raw_len, 81, "set ends at offset 81");
	is_int(ecryptfs_header_parse(head, n, false, hdr), 0, "parses from the exact 82 bytes too");
	is_int(ecryptfs_header_unwrap_fek(hdr, ks, fek, &which), 0, "FEK unwraps with \"Test\"");
	is_int(which, 0, "packet 0 used");
	tap_unhex(fek_hex, want, 16);
	ok(fek->key_bytes == 16 && memcmp(fek->key, want, 16) == 0, "aes-16: FEK %s", fek_hex);
	is_int(ecryptfs_crypt_new(fek, &c), 0, "crypt context");
	ecryptfs_crypt_root_iv(c, iv);
	tap_unhex("dc7ad27937b255fc59c959d3162ea07c", want, 16);
	is_mem(iv, want, 16, "aes-16: root IV dc7ad279...");
	ecryptfs_crypt_extent_iv(c, 0, iv);
	tap_unhex("8f4f3411dacaa96027fc8662abd77f1c", want, 16);
	is_mem(iv, want, 16, "aes-16: IV of extent 0 8f4f3411...");
	ecryptfs_crypt_free(c);

	/* Kernel-written xattr value of aes128-xattr: 81 bytes, no terminator. */
	{
		struct ecryptfs_keyset *ks2 = fu_keyset("vector-set-d xattr metadata", NULL);
		uint8_t x[128];
		size_t xn = tap_unhex("000000000000000c40282ca77ca99b52030000060000100000028c1d040703010011223344556677600d3fb85f513d1924024cc3b54bf985daed1662085f434f4e534f4c450000000019033cba1610c693", x, sizeof(x));

		is_int(xn, 81, "xattr value is 81 bytes");
		is_int(ecryptfs_header_parse(x, xn, true, hdr), 0, "xattr value parses");
		ok(hdr->in_xattr && hdr->flags == 0x06 && hdr->size == 12, "xattr: flags 0x06, size 12");
		is_int(ecryptfs_header_unwrap_fek(hdr, ks2, fek, NULL), 0, "xattr FEK unwraps");
		is_int(ecryptfs_header_unwrap_fek(hdr, ks, fek, NULL), -ENOKEY,
		       "wrong key set: -ENOKEY");
		ecryptfs_keyset_free(ks2);
	}
	ecryptfs_fek_free(fek);
	ecryptfs_keyset_free(ks);
	free(hdr);
}

/* Versions 0-2 (doc/format.md §2.4): 0 has no header-extent fields, 1 and 2 have. */
static void test_old_versions(void)
{
	uint8_t head[4096], v0[4096];
	struct ecryptfs_header *hdr = malloc(sizeof(*hdr));
	struct ecryptfs_keyset *ks = fu_keyset("Test", NULL);
	struct ecryptfs_fek *fek = ecryptfs_fek_new();

	unhex(AES16, head);
	memset(v0, 0, sizeof(v0));
	memcpy(v0, head, 16);
	v0[19] = 0x02;
	memcpy(v0 + 20, head + 26, 82 - 26);
	ok(ecryptfs_header_parse(v0, 4096, false, hdr) == 0 && hdr->version == 0 &&
	   hdr->metadata_size == 8192 && hdr->n_packets == 1, "version 0: packets at 20, 8192 assumed");
	ok(ecryptfs_header_unwrap_fek(hdr, ks, fek, NULL) == 0 && fek->key[0] == 0xd8,
	   "version 0: FEK unwraps");
	for (uint8_t v = 1; v <= 2; v++) {
		head[16] = v;
		ok(ecryptfs_header_parse(head, 4096, false, hdr) == 0 && hdr->version == v &&
		   hdr->metadata_size == 8192, "version %u parses like 3", v);
	}
	/* A 64 KiB-page header: 4096 x 16. */
	head[16] = 3;
	head[25] = 16;
	ok(ecryptfs_header_parse(head, 4096, false, hdr) == 0 && hdr->metadata_size == 65536,
	   "header extents 4096 x 16: metadata 65536");
	ecryptfs_fek_free(fek);
	ecryptfs_keyset_free(ks);
	free(hdr);
}

static void test_aes256_fnek_hexdump(void)
{
	uint8_t head[4096], want[8];
	struct ecryptfs_header *hdr = malloc(sizeof(*hdr));
	struct ecryptfs_keyset *ks = fu_keyset("vector-set-b aes256 fnek", NULL);
	struct ecryptfs_fek *fek = ecryptfs_fek_new();

	unhex(AES256_FNEK, head);
	is_int(ecryptfs_header_parse(head, 4096, false, hdr), 0, "aes256-fnek hexdump parses");
	ok(hdr->size == 15 && hdr->flags == 0x0a && hdr->cipher_code == 9 && hdr->key_bytes == 32,
	   "size 15, flags 0x0a, code 9, 32-byte key");
	tap_unhex("8f0b06a4b8b5e1a1", want, 8);
	is_mem(hdr->packets[0].sig, want, 8, "sig 8f0b06a4b8b5e1a1");
	ok(ecryptfs_header_unwrap_fek(hdr, ks, fek, NULL) == 0 && fek->key_bytes == 32,
	   "AES-256 FEK unwraps");
	ecryptfs_fek_free(fek);
	ecryptfs_keyset_free(ks);
	free(hdr);
}

/* Every malformed header gives its own error and nothing reads past the input. */
static void test_corrupt(void)
{
	uint8_t head[4096], bad[8192];
	struct ecryptfs_header *hdr = malloc(sizeof(*hdr));
	struct ecryptfs_keyset *ks = fu_keyset("Test", NULL);
	struct ecryptfs_fek *fek = ecryptfs_fek_new();

	unhex(AES16, head);
	is_int(ecryptfs_header_parse(head, 0, false, hdr), -ENODATA, "empty: -ENODATA");
	is_int(ecryptfs_header_parse(head, 10, false, hdr), -ENOMSG, "10 bytes: -ENOMSG");
	memset(bad, 'x', sizeof(bad));
	is_int(ecryptfs_header_parse(bad, 4096, false, hdr), -ENOMSG, "plain text: -ENOMSG");
	memcpy(bad, head, 4096);
	bad[12] ^= 1;
	is_int(ecryptfs_header_parse(bad, 4096, false, hdr), -ENOMSG, "bad marker: -ENOMSG");
	for (size_t cut = 16; cut < 82; cut += 5)
		is_int(ecryptfs_header_parse(head, cut, false, hdr), -EIO,
		       "head cut at %zu bytes: -EIO", cut);
	memcpy(bad, head, 4096);
	bad[16] = 4;
	is_int(ecryptfs_header_parse(bad, 4096, false, hdr), -EPROTO, "version 4: -EPROTO");
	memcpy(bad, head, 4096);
	bad[25] = 1;
	is_int(ecryptfs_header_parse(bad, 4096, false, hdr), -EBADMSG, "metadata 4096: -EBADMSG");
	memcpy(bad, head, 4096);
	bad[28] = 5;
	is_int(ecryptfs_header_parse(bad, 4096, false, hdr), -EBADMSG, "tag 3 version 5: -EBADMSG");
	memcpy(bad, head, 4096);
	bad[30] = 1;
	is_int(ecryptfs_header_parse(bad, 4096, false, hdr), -EBADMSG, "S2K 1: -EBADMSG");
	memcpy(bad, head, 4096);
	bad[31] = 2;
	is_int(ecryptfs_header_parse(bad, 4096, false, hdr), -EBADMSG, "hash 2: -EBADMSG");
	memcpy(bad, head, 4096);
	bad[29] = 0x55;
	is_int(ecryptfs_header_parse(bad, 4096, false, hdr), -ENOPKG, "cipher 0x55: -ENOPKG");
	memcpy(bad, head, 4096);
	bad[29] = 0x0b;
	is_int(ecryptfs_header_parse(bad, 4096, false, hdr), 0, "cast6 header parses");
	is_int(ecryptfs_header_unwrap_fek(hdr, ks, fek, NULL), -ENOTSUP, "cast6: -ENOTSUP");
	memcpy(bad, head, 4096);
	bad[0x39] = 0x00;
	is_int(ecryptfs_header_parse(bad, 4096, false, hdr), -EBADMSG, "no tag 11: -EBADMSG");
	memcpy(bad, head, 4096);
	bad[0x3a] = 0x15;
	is_int(ecryptfs_header_parse(bad, 4096, false, hdr), -EBADMSG, "tag 11 of 7 bytes: -EBADMSG");
	memcpy(bad, head, 4096);
	bad[26] = 0;
	is_int(ecryptfs_header_parse(bad, 4096, false, hdr), -EBADMSG, "no packets: -EBADMSG");
	memcpy(bad, head, 4096);
	bad[26] = 0xed;
	is_int(ecryptfs_header_parse(bad, 4096, false, hdr), -EBADMSG, "lone tag 11: -EBADMSG");
	memcpy(bad, head, 4096);
	bad[27] = 0xff;
	is_int(ecryptfs_header_parse(bad, 4096, false, hdr), -EBADMSG, "length 0xff: -EBADMSG");
	memcpy(bad, head, 4096);
	bad[27] = 0xdf;
	bad[28] = 0xff;
	is_int(ecryptfs_header_parse(bad, 4096, false, hdr), -EBADMSG,
	       "packet longer than 4096: -EBADMSG");
	/* The kernel does not look for flag 0x04 in an xattr value either. */
	is_int(ecryptfs_header_parse(head, 81, true, hdr), 0, "xattr value without 0x04 parses");
	memcpy(bad, head, 4096);
	is_int(ecryptfs_header_parse(bad, 4097, true, hdr), -EBADMSG, "xattr over 4096: -EBADMSG");
	ecryptfs_fek_free(fek);
	ecryptfs_keyset_free(ks);
	free(hdr);
}

/* A toy key module: "encrypts" by XOR with the sig, so the hook is exercised. */
static int toy_crypt(void *ctx, const uint8_t sig[8], const uint8_t *in, size_t len,
		     uint8_t *out, size_t *out_len)
{
	const uint8_t *mine = ctx;

	if (memcmp(sig, mine, 8) != 0)
		return -ENOKEY;
	if (*out_len < len + 100)
		return -ENOSPC;
	/* RSA-2048 sized blobs need two-octet lengths: pad to 256 bytes. */
	memset(out, 0xa5, 256);
	for (size_t i = 0; i < len; i++)
		out[i] = in[i] ^ sig[i % 8];
	out[255] = (uint8_t)len;
	*out_len = 256;
	return 0;
}

static int toy_decrypt(void *ctx, const uint8_t sig[8], const uint8_t *in, size_t len,
		       uint8_t *out, size_t *out_len)
{
	const uint8_t *mine = ctx;
	size_t n;

	if (memcmp(sig, mine, 8) != 0)
		return -ENOKEY;
	if (len != 256 || in[255] > *out_len)
		return -EINVAL;
	n = in[255];
	for (size_t i = 0; i < n; i++)
		out[i] = in[i] ^ sig[i % 8];
	*out_len = n;
	return 0;
}

static void test_build(void)
{
	static const struct { const char *name; size_t bytes; } ciphers[] = {
		{ "aes", 16 }, { "aes", 24 }, { "aes", 32 }, { "blowfish", 16 }, { "blowfish", 56 },
		{ "des3_ede", 24 }, { "cast5", 16 }, { "twofish", 16 }, { "twofish", 32 },
	};
	const struct ecryptfs_pubkey_ops ops = { toy_crypt, toy_decrypt, NULL };
	uint8_t pk_sig[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct ecryptfs_keyset *all = fu_keyset("one", "two", "three", NULL);
	struct ecryptfs_keyset *two = fu_keyset("two", NULL), *none = fu_keyset("nope", NULL);
	struct ecryptfs_pass_key *k1 = fu_key("one"), *k2 = fu_key("two"), *k3 = fu_key("three");
	struct ecryptfs_header *hdr = malloc(sizeof(*hdr));
	struct ecryptfs_fek *fek = ecryptfs_fek_new(), *got = ecryptfs_fek_new();
	struct ecryptfs_policy p;
	uint8_t *buf = malloc(65536);
	size_t len, which;

	for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++) {
		int good;

		ecryptfs_policy_init(&p, ciphers[i].name, ciphers[i].bytes);
		ecryptfs_policy_add_sig(&p, k1->sig);
		ecryptfs_policy_add_sig(&p, k2->sig);
		ecryptfs_policy_add_sig(&p, k3->sig);
		good = ecryptfs_policy_check(&p) == 0 &&
		       ecryptfs_fek_generate(p.cipher_code, p.key_bytes, fek) == 0 &&
		       ecryptfs_header_build(&p, all, fek, 1234, false, buf, 65536, &len) == 0 &&
		       len == 8192 && ecryptfs_header_parse(buf, len, false, hdr) == 0 &&
		       hdr->n_packets == 3 && hdr->size == 1234 && hdr->flags == 0x02 &&
		       hdr->version == 3 && hdr->cipher_code == p.cipher_code &&
		       hdr->key_bytes == p.key_bytes &&
		       memcmp(hdr->packets[2].sig, k3->sig, 8) == 0 &&
		       buf[hdr->raw_len] == 0;
		ok(good, "%s-%zu: header with three keys builds and parses", ciphers[i].name,
		   ciphers[i].bytes);
		good = ecryptfs_header_unwrap_fek(hdr, two, got, &which) == 0 && which == 1 &&
		       got->key_bytes == fek->key_bytes &&
		       memcmp(got->key, fek->key, fek->key_bytes) == 0;
		ok(good, "%s-%zu: the second key alone unwraps the same FEK", ciphers[i].name,
		   ciphers[i].bytes);
		is_int(ecryptfs_header_unwrap_fek(hdr, none, got, NULL), -ENOKEY,
		       "%s-%zu: another key: -ENOKEY", ciphers[i].name, ciphers[i].bytes);
	}
	/* AES-192: the EFEK is padded to 32 bytes (tag 3 length 0x2d). */
	ecryptfs_policy_init(&p, "aes", 24);
	ecryptfs_policy_add_sig(&p, k1->sig);
	ecryptfs_fek_generate(p.cipher_code, 24, fek);
	memset(buf, 0, 64);
	ok(ecryptfs_header_build(&p, all, fek, 0, false, buf, 65536, &len) == 0 &&
	   buf[26] == 0x8c && buf[27] == 0x2d && buf[29] == 0x08, "AES-192: 8c 2d 04 08");
	/* A code 7 packet with a 32-byte EFEK is AES-256 to the kernel's reader. */
	ecryptfs_policy_init(&p, "aes", 32);
	ecryptfs_policy_add_sig(&p, k1->sig);
	ecryptfs_fek_generate(p.cipher_code, 32, fek);
	is_int(ecryptfs_header_build(&p, all, fek, 0, false, buf, 65536, &len), 0, "AES-256 header");
	buf[29] = 0x07;
	ok(ecryptfs_header_parse(buf, len, false, hdr) == 0 && hdr->key_bytes == 32 &&
	   ecryptfs_header_unwrap_fek(hdr, all, got, NULL) == 0 && got->key_bytes == 32 &&
	   got->cipher_code == 7 && memcmp(got->key, fek->key, 32) == 0,
	   "code 7 with a 32-byte EFEK unwraps as AES-256");
	{
		struct ecryptfs_crypt *c7 = NULL, *c9 = NULL;
		uint8_t x[4096] = { 1 }, y[4096] = { 1 };

		ok(ecryptfs_crypt_new(got, &c7) == 0 && ecryptfs_crypt_new(fek, &c9) == 0 &&
		   ecryptfs_crypt_encrypt(c7, 3, x, x, 1) == 0 &&
		   ecryptfs_crypt_encrypt(c9, 3, y, y, 1) == 0 && memcmp(x, y, 4096) == 0,
		   "and its data is AES-256");
		ecryptfs_crypt_free(c7);
		ecryptfs_crypt_free(c9);
	}
	/* xattr form and filename flag. */
	ecryptfs_policy_init(&p, "aes", 24);
	ecryptfs_policy_add_sig(&p, k1->sig);
	ecryptfs_fek_generate(p.cipher_code, 24, fek);
	p.encrypt_filenames = true;
	ok(ecryptfs_header_build(&p, all, fek, 77, true, buf, 65536, &len) == 0 && len == 26 + 47 + 24 &&
	   buf[19] == 0x0e, "xattr form: no terminator, flags 0x0e");
	ok(ecryptfs_header_parse(buf, len, true, hdr) == 0 && hdr->in_xattr && hdr->size == 77,
	   "xattr form parses");
	{
		uint8_t view[8192];

		ok(ecryptfs_header_view_copy(hdr, view) == 0 && view[19] == 0x0a &&
		   ecryptfs_header_parse(view, 8192, false, hdr) == 0 && !hdr->in_xattr,
		   "encrypted-view copy: flag 0x04 cleared, parses as in-file header");
	}
	ok(ecryptfs_header_build(&p, all, fek, 0, false, buf, 4096, &len) == -ENOSPC,
	   "too small output: -ENOSPC");
	/* Tag 1 through the hook, mixed with a tag 3. */
	ecryptfs_policy_init(&p, "aes", 16);
	ecryptfs_policy_add_sig(&p, pk_sig);
	ecryptfs_policy_add_sig(&p, k2->sig);
	ecryptfs_fek_generate(p.cipher_code, 16, fek);
	is_int(ecryptfs_header_build(&p, all, fek, 5, false, buf, 65536, &len), -ENOKEY,
	       "tag 1 without a key module: -ENOKEY");
	ecryptfs_keyset_set_pubkey_ops(all, &ops, pk_sig);
	is_int(ecryptfs_header_build(&p, all, fek, 5, false, buf, 65536, &len), 0,
	       "tag 1 with a key module builds");
	ok(buf[26] == 0x01 && buf[27] == 0xc0 && buf[28] == 0x4a && buf[29] == 0x03 &&
	   memcmp(buf + 30, pk_sig, 8) == 0 && buf[38] == 0x01, "tag 1: 01 c0 4a 03 sig 01");
	ok(ecryptfs_header_parse(buf, len, false, hdr) == 0 && hdr->n_packets == 2 &&
	   hdr->packets[0].tag == 1 && hdr->packets[0].efek_len == 256 && hdr->packets[1].tag == 3,
	   "tag 1 + tag 3 parse");
	ok(ecryptfs_header_unwrap_fek(hdr, all, got, &which) == 0 && which == 0 &&
	   got->cipher_code == 7 && memcmp(got->key, fek->key, 16) == 0,
	   "tag 1 unwraps through the hook");
	ecryptfs_keyset_set_pubkey_ops(two, &ops, pk_sig);
	buf[40] ^= 0x01;	/* first FEK byte: checksum now wrong */
	ecryptfs_header_parse(buf, len, false, hdr);
	is_int(ecryptfs_header_unwrap_fek(hdr, none, got, NULL), -ENOKEY,
	       "tag 1 without module, tag 3 without key: -ENOKEY");
	ecryptfs_keyset_set_pubkey_ops(none, &ops, pk_sig);
	is_int(ecryptfs_header_unwrap_fek(hdr, none, got, NULL), -EKEYREJECTED,
	       "tag 1 checksum mismatch: -EKEYREJECTED");
	ok(ecryptfs_header_unwrap_fek(hdr, two, got, &which) == 0 && which == 1 &&
	   memcmp(got->key, fek->key, 16) == 0, "a bad tag 1 is skipped for a good tag 3");
	/* Too many keys for 4096 bytes. */
	ecryptfs_policy_init(&p, "aes", 16);
	for (int i = 0; i < 73; i++) {
		uint8_t s[8] = { 0 };

		s[0] = (uint8_t)i;
		ecryptfs_policy_add_sig(&p, s);
	}
	is_int(ecryptfs_policy_add_sig(&p, k1->sig), -E2BIG, "74th key: -E2BIG");
	is_int(ecryptfs_policy_check(&p), 0, "73 keys are a valid policy");
	is_int(ecryptfs_policy_init(&p, "cast6", 16), -ENOTSUP, "policy cast6: -ENOTSUP");
	is_int(ecryptfs_policy_init(&p, "blowfish", 20), -EINVAL, "policy blowfish-20: -EINVAL");
	is_int(ecryptfs_policy_init(&p, "rot13", 16), -ENOENT, "policy unknown cipher: -ENOENT");
	ecryptfs_policy_init(&p, "aes", 16);
	is_int(ecryptfs_policy_check(&p), -EINVAL, "policy without keys: -EINVAL");
	ecryptfs_pass_key_free(k1);
	ecryptfs_pass_key_free(k2);
	ecryptfs_pass_key_free(k3);
	ecryptfs_fek_free(fek);
	ecryptfs_fek_free(got);
	ecryptfs_keyset_free(all);
	ecryptfs_keyset_free(two);
	ecryptfs_keyset_free(none);
	free(hdr);
	free(buf);
}

int main(void)
{
	test_length_octets();
	test_aes16_fixture();
	test_aes256_fnek_hexdump();
	test_old_versions();
	test_corrupt();
	test_build();
	return tap_done();
}
