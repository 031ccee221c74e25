/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfsd's request handling (src/daemon/request.c) with a real keyring
 * token and a real module (the toy module of tests/keymod/toymod.c, whose
 * wrapping is a keyed XOR, so the plumbing is under test, not RSA): tag 66
 * wraps as the module does, tag 64 unwraps it back, each reply one the
 * kernel's checks take; a key not in the keyring, unlinked since it was
 * used, a passphrase key, a missing module, a blob of another key and a
 * malformed request all get the failure reply at once; bad frames and
 * HELO get none.  A key whose device went away (-ENODEV) is opened afresh
 * once it is back; a key whose credentials the module refused
 * (-EKEYREJECTED: a wrong PIN) is not tried again until it is added anew.
 */
#include <errno.h>
#include <keyutils.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "kframe.h"
#include "libecryptfs.h"
#include "ecryptfs_key_mod.h"

static char dir[4096];

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0)
		printf("# writing %s: %s\n", path, strerror(errno));
	if (f)
		fclose(f);
}

static void place(const char *alias, const char *built)
{
	char src[4096], dst[4200];

	snprintf(src, sizeof(src), "%s/%s", getenv("BUILDDIR"), built);
	snprintf(dst, sizeof(dst), "%s/%s.so", dir, alias);
	if (symlink(src, dst) < 0)
		printf("# symlink %s: %s\n", dst, strerror(errno));
}

/* The toy key called name: blob, signature; added to @u under alias. */
static void toy_key(const char *alias, const char *name, char sig[17], bool add)
{
	struct ecryptfs_keymod *m = NULL;
	char err[256] = "";

	if (ecryptfs_keymod_load("toy", &m, err, sizeof(err)) < 0 ||
	    ecryptfs_keymod_key_sig(m, (const uint8_t *)name, strlen(name) + 1, sig, err,
				    sizeof(err)) < 0)
		printf("# toy key %s: %s\n", name, err);
	ecryptfs_keymod_unload(m);
	ecryptfs_keyring_unlink(sig);
	if (add && ecryptfs_keyring_add_module_key(alias, sig, (const uint8_t *)name,
						   strlen(name) + 1, NULL) < 0)
		printf("# adding %s: %s\n", sig, strerror(errno));
}

/* One round trip: the reply's payload into got (NULL: no reply expected). */
static int roundtrip(struct efsd *d, uint8_t tag, const char *sig, const uint8_t *p, size_t n,
		     uint8_t *got, size_t *gn, uint32_t counter)
{
	uint8_t in[2048], out[EFSD_WRITE_MAX];
	const uint8_t *pl;
	size_t in_len, out_len = 99;
	int rc;

	in_len = kf_request(in, counter, counter % 32, tag, sig, p, n);
	efsd_handle(d, in, in_len, out, &out_len);
	if (out_len == 0)
		return -100;
	rc = kf_kernel_takes(out, out_len, tag, counter, counter % 32, &pl, gn);
	if (rc == 0)
		memcpy(got, pl, *gn);
	return rc;
}

int main(void)
{
	const char *b = getenv("BUILDDIR");
	struct efsd *d = NULL;
	char sig[17], sig2[17], sig3[17], psig[17], nsig[17], name[64], name2[64], name3[64];
	char dev[4200];
	uint8_t fek[32], pl[80], wrapped[512], back[512], in[64], out[EFSD_WRITE_MAX];
	size_t pn, wn = 0, bn = 0, out_len;
	struct ecryptfs_pass_key *pk;

	if (!b) {
		printf("Bail out! BUILDDIR not set (run through tests/run.sh)\n");
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/km", getenv("TESTTMP") ? getenv("TESTTMP") : "/tmp");
	mkdir(dir, 0700);
	place("toy", "tests/keymod/.libs/toy.so");
	setenv("ECRYPTFS_KEYMOD_DIR", dir, 1);
	/*
	 * A session keyring of our own holding @u, as ecryptfsd makes one (reading
	 * a key needs possession); @u is shared with other tests: unique names.
	 */
	if (keyctl_join_session_keyring(NULL) < 0 ||
	    keyctl_link(KEY_SPEC_USER_KEYRING, KEY_SPEC_SESSION_KEYRING) < 0)
		printf("# no session keyring: %s\n", strerror(errno));
	snprintf(name, sizeof(name), "efsd-test-%ld", (long)getpid());
	snprintf(name2, sizeof(name2), "efsd-other-%ld", (long)getpid());
	snprintf(name3, sizeof(name3), "efsd-pin-%ld", (long)getpid());
	toy_key("toy", name, sig, true);
	toy_key("toy", name2, sig2, true);
	ok(efsd_new(&d) == 0, "efsd_new");

	for (size_t i = 0; i < sizeof(fek); i++)
		fek[i] = (uint8_t)(i * 11 + 1);
	pn = kf_fek_payload(pl, 0x07, fek, sizeof(fek));

	is_int(roundtrip(d, EFSD_TAG_ENCRYPT, sig, pl, pn, wrapped, &wn, 1), 0,
	       "tag 66: a reply the kernel takes");
	ok(wn == 256 && !memcmp(wrapped, name, strlen(name)), "the toy module's 256-byte blob");
	is_int(roundtrip(d, EFSD_TAG_DECRYPT, sig, wrapped, wn, back, &bn, 2), 0,
	       "tag 64 of that blob: a reply the kernel takes");
	ok(bn == pn && !memcmp(back, pl, pn), "cipher code, FEK and checksum come back");
	is_int(roundtrip(d, EFSD_TAG_DECRYPT, sig, wrapped, wn, back, &bn, 3), 0,
	       "again, from the cached key");
	is_int(efsd_stats(d)->answered, 3, "3 requests answered");

	is_int(roundtrip(d, EFSD_TAG_DECRYPT, sig2, wrapped, wn, back, &bn, 4), -2,
	       "a blob of another key: the failure reply");
	toy_key("toy", "efsd-absent", nsig, false);
	is_int(roundtrip(d, EFSD_TAG_DECRYPT, nsig, wrapped, wn, back, &bn, 5), -2,
	       "a key not in the keyring: the failure reply");
	ecryptfs_keyring_unlink(sig);
	is_int(roundtrip(d, EFSD_TAG_DECRYPT, sig, wrapped, wn, back, &bn, 6), -2,
	       "the used key unlinked: refused at once, the cache notwithstanding");
	is_int(roundtrip(d, EFSD_TAG_ENCRYPT, sig, pl, pn, back, &bn, 7), -2,
	       "and no more wrapping with it");
	toy_key("toy", name, sig, true);
	is_int(roundtrip(d, EFSD_TAG_DECRYPT, sig, wrapped, wn, back, &bn, 8), 0,
	       "added again: served again");

	pk = ecryptfs_pass_key_new();
	if (pk && ecryptfs_derive_pass_key(name, strlen(name), (const uint8_t *)"saltsalt", pk) == 0 &&
	    ecryptfs_keyring_add(pk, NULL) == 0)
		snprintf(psig, sizeof(psig), "%s", pk->sig_hex);
	else
		snprintf(psig, sizeof(psig), "0000000000000000");
	is_int(roundtrip(d, EFSD_TAG_DECRYPT, psig, wrapped, wn, back, &bn, 9), -2,
	       "a passphrase key: the failure reply");
	ecryptfs_keyring_unlink(psig);
	ecryptfs_pass_key_free(pk);

	toy_key("nosuchmod", "efsd-nomod", nsig, true);
	is_int(roundtrip(d, EFSD_TAG_DECRYPT, nsig, wrapped, wn, back, &bn, 10), -2,
	       "a token of a module that is not installed: the failure reply");
	ecryptfs_keyring_unlink(nsig);

	/*
	 * The device reset under the cached key (TOY_DEVICE appears with new
	 * content): the key is dead, the failure reply; the next request opens
	 * it afresh and is served.  Then the device gone: refused until back.
	 */
	snprintf(dev, sizeof(dev), "%s/toy-device", dir);
	put(dev, "1");
	setenv("TOY_DEVICE", dev, 1);
	is_int(roundtrip(d, EFSD_TAG_DECRYPT, sig, wrapped, wn, back, &bn, 12), -2,
	       "the device reset under the cached key: the failure reply");
	is_int(roundtrip(d, EFSD_TAG_DECRYPT, sig, wrapped, wn, back, &bn, 13), 0,
	       "the next request: the key opened afresh, served");
	unlink(dev);
	is_int(roundtrip(d, EFSD_TAG_DECRYPT, sig, wrapped, wn, back, &bn, 14), -2,
	       "the device gone: the failure reply");
	is_int(roundtrip(d, EFSD_TAG_ENCRYPT, sig, pl, pn, back, &bn, 15), -2,
	       "still gone: the key does not open");
	put(dev, "2");
	is_int(roundtrip(d, EFSD_TAG_DECRYPT, sig, wrapped, wn, back, &bn, 16), 0,
	       "the device back: served");
	unsetenv("TOY_DEVICE");

	/* Credentials refused: not tried again (a token's PIN retry counter). */
	toy_key("toy", name3, sig3, true);
	setenv("TOY_REFUSE", name3, 1);
	is_int(roundtrip(d, EFSD_TAG_ENCRYPT, sig3, pl, pn, back, &bn, 17), -2,
	       "the module refuses the key's credentials: the failure reply");
	unsetenv("TOY_REFUSE");
	is_int(roundtrip(d, EFSD_TAG_ENCRYPT, sig3, pl, pn, back, &bn, 18), -2,
	       "the same token: refused again without asking the module");
	toy_key("toy", name3, sig3, true);
	is_int(roundtrip(d, EFSD_TAG_ENCRYPT, sig3, pl, pn, back, &bn, 19), 0,
	       "the key added anew: tried again, served");
	ecryptfs_keyring_unlink(sig3);

	/* A well-framed request whose payload is not one: answered, failed. */
	{
		uint8_t fr[64] = { EFSD_MSG_REQUEST, 0, 0, 0, 11, 8 + 3 };
		uint32_t idx = 11, dl = 3;
		const uint8_t *p;
		size_t n;

		memcpy(fr + 6, &idx, 4);
		memcpy(fr + 10, &dl, 4);
		fr[14] = EFSD_TAG_DECRYPT;
		fr[15] = 16;
		fr[16] = 'a';
		out_len = 0;
		efsd_handle(d, fr, 17, out, &out_len);
		ok(out_len && kf_kernel_takes(out, out_len, EFSD_TAG_DECRYPT, 11, 11, &p, &n) == -2,
		   "a malformed tag 64 payload: the failure reply");
	}
	efsd_bare_build(EFSD_MSG_HELO, in);
	out_len = 99;
	efsd_handle(d, in, 5, out, &out_len);
	is_int(out_len, 0, "HELO: no reply");
	memset(in, 0xee, sizeof(in));
	out_len = 99;
	efsd_handle(d, in, 40, out, &out_len);
	is_int(out_len, 0, "a malformed frame: no reply");
	ok(efsd_stats(d)->answered == 7 && efsd_stats(d)->refused == 12 &&
	   efsd_stats(d)->dropped == 1, "counted: 7 answered, 12 refused, 1 dropped (%lu %lu %lu)",
	   efsd_stats(d)->answered, efsd_stats(d)->refused, efsd_stats(d)->dropped);
	efsd_free(d);
	ecryptfs_keyring_unlink(sig);
	ecryptfs_keyring_unlink(sig2);
	return tap_done();
}
