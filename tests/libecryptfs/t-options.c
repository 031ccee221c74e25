/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mount option table (options.c): lookups, the table's own consistency
 * (mount.ecryptfs's strip list is ecryptfs-utils 111's), every value kind,
 * every error with its diagnostic, the callback, resolving cipher codes, and
 * the round trip policy -> kernel string -> policy.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libecryptfs.h"
#include "tap.h"

#define ALL (ECRYPTFS_OPT_KERNEL | ECRYPTFS_OPT_HELPER | ECRYPTFS_OPT_VFS | \
	     ECRYPTFS_OPT_FSTAB | ECRYPTFS_OPT_FUSE)

static const uint8_t SIG1[8] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 };
static const uint8_t SIG2[8] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00, 0x11 };

static struct ecryptfs_opt_error err;

/* Parse s into a fresh struct. */
static int parse(struct ecryptfs_mount_opts *o, const char *s, unsigned accept)
{
	memset(o, 0, sizeof(*o));
	return ecryptfs_mount_opts_parse(o, s, accept, NULL, NULL, &err);
}

/* Parse s with the given acceptance and expect the fault, named option and words. */
static void refused(const char *s, unsigned accept, int fault, const char *option,
		    const char *words)
{
	struct ecryptfs_mount_opts o;
	int rc = parse(&o, s, accept);

	ok(rc == -EINVAL && err.fault == fault && strcmp(err.option, option) == 0 &&
	   strstr(err.text, option) && strstr(err.text, words),
	   "'%s': fault %d, names '%s', says '%s'", s, fault, option, words);
	if (rc != -EINVAL || err.fault != fault)
		printf("#   rc %d, fault %d, text '%s'\n", rc, err.fault, err.text);
}

static void test_lookup(void)
{
	const struct ecryptfs_opt *e;

	e = ecryptfs_opt_lookup("ecryptfs_sig");
	ok(e && e->kind == ECRYPTFS_OPT_SIG && e->field == ECRYPTFS_FIELD_SIG &&
	   (e->flags & ECRYPTFS_OPT_KERNEL) && !(e->flags & ECRYPTFS_OPT_HELPER),
	   "ecryptfs_sig: a signature for the kernel, into the policy's sigs");
	e = ecryptfs_opt_lookup("ecryptfs_cipher");
	ok(e && e->kind == ECRYPTFS_OPT_STRING && e->field == ECRYPTFS_FIELD_CIPHER &&
	   (e->flags & ECRYPTFS_OPT_KERNEL) && (e->flags & ECRYPTFS_OPT_HELPER),
	   "ecryptfs_cipher: a string the kernel takes and mount.ecryptfs reads");
	e = ecryptfs_opt_lookup("ecryptfs_key_bytes");
	ok(e && e->kind == ECRYPTFS_OPT_NUMBER && e->field == ECRYPTFS_FIELD_KEY_BYTES,
	   "ecryptfs_key_bytes: a number");
	e = ecryptfs_opt_lookup("ecryptfs_unlink_sigs");
	ok(e && e->kind == ECRYPTFS_OPT_FLAG && e->field == ECRYPTFS_FIELD_UNLINK_SIGS,
	   "ecryptfs_unlink_sigs: a flag");
	e = ecryptfs_opt_lookup("ecryptfs_enable_filename_crypto");
	ok(e && e->kind == ECRYPTFS_OPT_YES_NO && e->flags == ECRYPTFS_OPT_HELPER &&
	   e->field == ECRYPTFS_FIELD_NONE, "ecryptfs_enable_filename_crypto: mount.ecryptfs's yes/no");
	e = ecryptfs_opt_lookup("sig");
	ok(e && e->field == ECRYPTFS_FIELD_SIG && (e->flags & ECRYPTFS_OPT_ALIAS) &&
	   (e->flags & ECRYPTFS_OPT_KERNEL), "sig: the kernel's older name of ecryptfs_sig");
	e = ecryptfs_opt_lookup("x-systemd.automount");
	ok(e && strcmp(e->name, "x-") == 0 && e->kind == ECRYPTFS_OPT_ANY &&
	   (e->flags & ECRYPTFS_OPT_FSTAB), "x-anything: the fstab prefix entry");
	e = ecryptfs_opt_lookup("nosuid");
	ok(e && e->flags == ECRYPTFS_OPT_VFS, "nosuid: a generic mount flag");
	e = ecryptfs_opt_lookup("allow_other");
	ok(e && e->flags == ECRYPTFS_OPT_FUSE, "allow_other: a FUSE option");
	ok(!ecryptfs_opt_lookup("ecryptfs_si") && !ecryptfs_opt_lookup("ecryptfs_sig=1") &&
	   !ecryptfs_opt_lookup("") && !ecryptfs_opt_lookup(NULL) &&
	   !ecryptfs_opt_lookup("ECRYPTFS_SIG"), "no entry for near misses, '', NULL or case");
	is_int(ecryptfs_opt_yes_no(NULL), 1, "yes/no: bare is yes");
	ok(ecryptfs_opt_yes_no("y") == 1 && ecryptfs_opt_yes_no("yes") == 1 &&
	   ecryptfs_opt_yes_no("n") == 0 && ecryptfs_opt_yes_no("no") == 0, "y, yes, n, no");
	ok(ecryptfs_opt_yes_no("Y") == -EINVAL && ecryptfs_opt_yes_no("") == -EINVAL &&
	   ecryptfs_opt_yes_no("yess") == -EINVAL, "Y, '', yess are not yes/no values");
}

static void test_table(void)
{
	/* ecryptfs-utils 111's strip_userland_opts list, in its order. */
	static const char *const ref_strip[] = {
		"key=", "cipher=", "passthrough", "ecryptfs_passthrough", "hmac",
		"ecryptfs_hmac", "xattr", "ecryptfs_xattr", "encrypted_view",
		"ecryptfs_encrypted_view", "user", "sig", "no_sig_cache", "verbose",
		"verbosity", "ecryptfs_enable_filename_crypto",
	};
	static const char *const kernel[] = {
		"ecryptfs_sig", "ecryptfs_cipher", "ecryptfs_key_bytes", "ecryptfs_passthrough",
		"ecryptfs_xattr_metadata", "ecryptfs_encrypted_view", "ecryptfs_fnek_sig",
		"ecryptfs_fn_cipher", "ecryptfs_fn_key_bytes", "ecryptfs_unlink_sigs",
		"ecryptfs_mount_auth_tok_only", "ecryptfs_check_dev_ruid", "sig", "cipher",
	};
	const size_t n_ref = sizeof(ref_strip) / sizeof(ref_strip[0]);
	const size_t n_kernel = sizeof(kernel) / sizeof(kernel[0]);
	size_t n, n_prefix = 0, found = 0, n_k = 0, k_found = 0, secrets = 0;
	const struct ecryptfs_opt *t = ecryptfs_opt_table(&n);
	bool unique = true, fields_once = true, clean = true;
	unsigned seen_fields = 0;

	ok(t && n > 60, "the table has %zu entries", n);
	for (size_t i = 0; i < n; i++) {
		char prefix[64];

		for (size_t j = i + 1; j < n; j++)
			unique &= strcmp(t[i].name, t[j].name) != 0;
		clean &= !strpbrk(t[i].name, "=,:") && t[i].name[0];
		if (t[i].flags & ECRYPTFS_OPT_SECRET)
			secrets += strcmp(t[i].name, "passwd") == 0 ||
				   strcmp(t[i].name, "passphrase_passwd") == 0 ||
				   strcmp(t[i].name, "openssl_passwd") == 0 ? 1 : 100;
		if (t[i].flags & ECRYPTFS_OPT_KERNEL) {
			n_k++;
			for (size_t j = 0; j < n_kernel; j++)
				k_found += strcmp(t[i].name, kernel[j]) == 0;
			if (!(t[i].flags & ECRYPTFS_OPT_ALIAS)) {
				fields_once &= t[i].field != ECRYPTFS_FIELD_NONE &&
					       !(seen_fields & 1u << t[i].field);
				seen_fields |= 1u << t[i].field;
			}
		}
		if (t[i].strip != ECRYPTFS_STRIP_PREFIX && t[i].strip != ECRYPTFS_STRIP_PREFIX_EQ)
			continue;
		n_prefix++;
		snprintf(prefix, sizeof(prefix), "%s%s", t[i].name,
			 t[i].strip == ECRYPTFS_STRIP_PREFIX_EQ ? "=" : "");
		for (size_t j = 0; j < n_ref; j++)
			found += strcmp(prefix, ref_strip[j]) == 0;
	}
	ok(unique, "every name is listed once");
	ok(clean, "no name is empty or holds '=', ',' or ':'");
	ok(n_prefix == n_ref && found == n_ref,
	   "the prefix strip rules are exactly ecryptfs-utils 111's %zu prefixes", n_ref);
	ok(n_k == n_kernel && k_found == n_kernel,
	   "the kernel takes exactly its 12 options and 2 older names");
	ok(fields_once, "each kernel option has a field of its own (aliases aside)");
	is_int(secrets, 3, "only passwd, passphrase_passwd and openssl_passwd are secret");
	ok(strcmp(t[0].name, "ecryptfs_sig") == 0, "the kernel's options come first");
}

static void test_kinds(void)
{
	struct ecryptfs_mount_opts o;
	const struct ecryptfs_policy *p = &o.policy;

	is_int(parse(&o, "ecryptfs_sig=0011223344556677,ecryptfs_sig=AABBCCDDEEFF0011,"
		     "ecryptfs_sig=0011223344556677", ECRYPTFS_OPT_KERNEL), 0, "signatures parse");
	ok(p->n_sigs == 2 && memcmp(p->sigs[0], SIG1, 8) == 0 && memcmp(p->sigs[1], SIG2, 8) == 0,
	   "in order, either case, a repeated one once");
	is_int(parse(&o, "sig=0011223344556677", ECRYPTFS_OPT_KERNEL), 0, "sig= (the kernel's alias)");
	ok(p->n_sigs == 1 && memcmp(p->sigs[0], SIG1, 8) == 0, "... adds the key too");
	is_int(parse(&o, "ecryptfs_cipher=blowfish,ecryptfs_key_bytes=56,ecryptfs_fn_cipher=aes,"
		     "ecryptfs_fn_key_bytes=32", ECRYPTFS_OPT_KERNEL), 0, "strings and numbers");
	ok(strcmp(o.cipher, "blowfish") == 0 && o.key_bytes == 56 &&
	   strcmp(o.fn_cipher, "aes") == 0 && o.fn_key_bytes == 32, "... land in their fields");
	is_int(parse(&o, "cipher=twofish,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,"
		     "ecryptfs_key_bytes=24", ECRYPTFS_OPT_KERNEL), 0, "repeated options");
	ok(strcmp(o.cipher, "aes") == 0 && o.key_bytes == 24, "... the later one wins");
	is_int(parse(&o, "ecryptfs_passthrough,ecryptfs_unlink_sigs,ecryptfs_mount_auth_tok_only,"
		     "ecryptfs_check_dev_ruid", ECRYPTFS_OPT_KERNEL), 0, "flags");
	ok(p->passthrough && !p->xattr_metadata && o.unlink_sigs && o.mount_auth_tok_only &&
	   o.check_dev_ruid, "... set their fields and no others");
	is_int(parse(&o, "ecryptfs_encrypted_view", ECRYPTFS_OPT_KERNEL), 0, "encrypted view");
	ok(p->encrypted_view && p->xattr_metadata, "... implies xattr metadata, as in the kernel");
	is_int(parse(&o, "ecryptfs_fnek_sig=aabbccddeeff0011", ECRYPTFS_OPT_KERNEL), 0, "a FNEK");
	ok(p->encrypt_filenames && memcmp(p->fnek_sig, SIG2, 8) == 0 && p->n_sigs == 0,
	   "... turns filename encryption on and adds no data key");
	is_int(parse(&o, "ecryptfs_xattr=y,ecryptfs_passthrough=yes,ecryptfs_encrypted_view=n",
		     ECRYPTFS_OPT_KERNEL | ECRYPTFS_OPT_HELPER), 0,
	       "mount.ecryptfs's yes/no forms when it is accepted");
	ok(p->xattr_metadata && p->passthrough && !p->encrypted_view, "... y and n as meant");
	is_int(parse(&o, "ecryptfs_xattr=y,ecryptfs_xattr=n,ecryptfs_enable_filename_crypto",
		     ECRYPTFS_OPT_HELPER), 0, "a later n undoes a y; a bare yes/no is yes");
	ok(!p->xattr_metadata && !p->encrypt_filenames,
	   "... and ecryptfs_enable_filename_crypto alone names no key");
	is_int(parse(&o, ",,rw,,x-systemd.automount,x-a=b,user=bob,comment=c=d,,",
		     ECRYPTFS_OPT_VFS | ECRYPTFS_OPT_FSTAB), 0,
	       "empty items, x-*, user=NAME and comment= are taken");
	is_int(parse(&o, "", ECRYPTFS_OPT_KERNEL), 0, "an empty string");
	ok(o.key_bytes == 0 && !o.cipher[0] && p->n_sigs == 0, "... changes nothing");
	memset(&o, 0, sizeof(o));
	o.key_bytes = 16;
	strcpy(o.cipher, "twofish");
	is_int(ecryptfs_mount_opts_parse(&o, NULL, ECRYPTFS_OPT_KERNEL, NULL, NULL, NULL), 0,
	       "NULL is an empty string; err may be NULL");
	ok(o.key_bytes == 16 && strcmp(o.cipher, "twofish") == 0, "defaults set before parsing stay");
}

static void test_errors(void)
{
	char many[80 * 32];
	struct ecryptfs_mount_opts o;
	size_t n = 0;
	const unsigned K = ECRYPTFS_OPT_KERNEL;

	refused("rw,ecryptfs_bogus=1", ALL, ECRYPTFS_OPTERR_UNKNOWN, "ecryptfs_bogus",
		"unknown mount option");
	ok(!strstr(err.text, "=1"), "an unknown option's value is not repeated");
	refused("verbose", K, ECRYPTFS_OPTERR_NOT_HERE, "verbose", "mount.ecryptfs");
	refused("nosuid", K, ECRYPTFS_OPTERR_NOT_HERE, "nosuid", "not taken here");
	refused("ecryptfs_sig=0011223344556677", ECRYPTFS_OPT_HELPER, ECRYPTFS_OPTERR_NOT_HERE,
		"ecryptfs_sig", "the kernel");
	refused("ecryptfs_cipher", K, ECRYPTFS_OPTERR_NO_VALUE, "ecryptfs_cipher", "needs a value");
	refused("ecryptfs_cipher=", K, ECRYPTFS_OPTERR_NO_VALUE, "ecryptfs_cipher", "needs a value");
	refused("ecryptfs_sig", K, ECRYPTFS_OPTERR_NO_VALUE, "ecryptfs_sig", "needs a value");
	refused("ecryptfs_key_bytes", K, ECRYPTFS_OPTERR_NO_VALUE, "ecryptfs_key_bytes",
		"needs a value");
	refused("ecryptfs_unlink_sigs=1", K, ECRYPTFS_OPTERR_HAS_VALUE, "ecryptfs_unlink_sigs",
		"takes no value");
	refused("ecryptfs_passthrough=y", K, ECRYPTFS_OPTERR_HAS_VALUE, "ecryptfs_passthrough",
		"takes no value");
	refused("ecryptfs_passthrough=maybe", K | ECRYPTFS_OPT_HELPER, ECRYPTFS_OPTERR_BAD_YES_NO,
		"ecryptfs_passthrough", "'maybe' is not y, yes, n or no");
	refused("ecryptfs_xattr=1", ECRYPTFS_OPT_HELPER, ECRYPTFS_OPTERR_BAD_YES_NO,
		"ecryptfs_xattr", "is not y");
	/* 32 characters: one more than the kernel's cipher names. */
	refused("ecryptfs_cipher=abcdefghijklmnopqrstuvwxyz012345", K, ECRYPTFS_OPTERR_TOO_LONG,
		"ecryptfs_cipher", "too long (32 bytes; at most 31)");
	is_int(parse(&o, "ecryptfs_cipher=abcdefghijklmnopqrstuvwxyz01234", K), 0,
	       "a 31-character cipher name is taken (resolving says whether it exists)");
	refused("ecryptfs_fn_cipher=abcdefghijklmnopqrstuvwxyz0123456789", K,
		ECRYPTFS_OPTERR_TOO_LONG, "ecryptfs_fn_cipher", "too long");
	refused("ecryptfs_sig=00112233445566778", K, ECRYPTFS_OPTERR_TOO_LONG, "ecryptfs_sig",
		"too long");
	refused("ecryptfs_fnek_sig=001122334455667g", K, ECRYPTFS_OPTERR_BAD_SIG,
		"ecryptfs_fnek_sig", "'001122334455667g' is not 16 hex digits");
	refused("ecryptfs_sig=0011", K, ECRYPTFS_OPTERR_BAD_SIG, "ecryptfs_sig", "not 16 hex");
	refused("ecryptfs_key_bytes=abc", K, ECRYPTFS_OPTERR_BAD_NUMBER, "ecryptfs_key_bytes",
		"'abc' is not a number from 1 to 64");
	refused("ecryptfs_key_bytes=0", K, ECRYPTFS_OPTERR_BAD_NUMBER, "ecryptfs_key_bytes",
		"from 1 to 64");
	refused("ecryptfs_fn_key_bytes=65", K, ECRYPTFS_OPTERR_BAD_NUMBER, "ecryptfs_fn_key_bytes",
		"from 1 to 64");
	refused("ecryptfs_key_bytes=-16", K, ECRYPTFS_OPTERR_BAD_NUMBER, "ecryptfs_key_bytes",
		"not a number");
	refused("ecryptfs_key_bytes=99999999999999999999999", K, ECRYPTFS_OPTERR_BAD_NUMBER,
		"ecryptfs_key_bytes", "not a number");
	refused("verbosity=x", ECRYPTFS_OPT_HELPER, ECRYPTFS_OPTERR_BAD_NUMBER, "verbosity",
		"from 0 to 2147483647");
	/* Secrets: never in the diagnostic, whatever the fault. */
	refused("passwd=hunter2", K, ECRYPTFS_OPTERR_NOT_HERE, "passwd", "mount.ecryptfs");
	ok(!strstr(err.text, "hunter2"), "a passphrase given where it is not taken is not repeated");
	refused("passphrase_passwd", ECRYPTFS_OPT_HELPER, ECRYPTFS_OPTERR_NO_VALUE,
		"passphrase_passwd", "needs a value");
	refused("pasword=hunter2", ALL, ECRYPTFS_OPTERR_UNKNOWN, "pasword", "unknown");
	ok(!strstr(err.text, "hunter2"), "nor a mistyped one");
	refused("ecryptfs_cipher=hunter2hunter2hunter2hunter2hunter2", K, ECRYPTFS_OPTERR_TOO_LONG,
		"ecryptfs_cipher", "too long");
	ok(!strstr(err.text, "hunter2"), "nor a string too long");

	/* 73 keys fit; the 74th is one too many. */
	for (int i = 0; i < ECRYPTFS_POLICY_MAX_KEYS + 1; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "%secryptfs_sig=%016x",
				      i ? "," : "", i + 1);
	*strrchr(many, ',') = '\0';
	is_int(parse(&o, many, K), 0, "%d keys", ECRYPTFS_POLICY_MAX_KEYS);
	is_int(o.policy.n_sigs, ECRYPTFS_POLICY_MAX_KEYS, "... all kept");
	many[strlen(many)] = ',';
	refused(many, K, ECRYPTFS_OPTERR_TOO_MANY_KEYS, "ecryptfs_sig", "more than 73 keys");

	/* The first error ends the parse. */
	is_int(parse(&o, "ecryptfs_key_bytes=16,bogus,ecryptfs_key_bytes=32", K), -EINVAL,
	       "an error in the middle");
	is_int(o.key_bytes, 16, "... stops there");
	is_int(ecryptfs_mount_opts_parse(NULL, "rw", ALL, NULL, NULL, &err), -EINVAL, "o NULL");
}

struct seen {
	char names[512];
	bool refuse;
	int rc;
};

static int record(void *ctx, const struct ecryptfs_opt *opt, const char *name, const char *value,
		  struct ecryptfs_opt_error *e)
{
	struct seen *s = ctx;
	size_t n = strlen(s->names);

	snprintf(s->names + n, sizeof(s->names) - n, "%s%s%s%s;", opt->name,
		 strcmp(opt->name, name) ? ":" : "", strcmp(opt->name, name) ? name : "",
		 value ? "=v" : "");
	if (s->refuse && strcmp(name, "noexec") == 0) {
		snprintf(e->text, sizeof(e->text), "noexec: not here, please");
		return -EINVAL;
	}
	return s->rc && strcmp(name, "noexec") == 0 ? s->rc : 0;
}

static void test_callback(void)
{
	struct ecryptfs_mount_opts o = { 0 };
	struct seen s = { "", false, 0 };

	is_int(ecryptfs_mount_opts_parse(&o, "rw,ecryptfs_sig=0011223344556677,x-foo=1,"
					 "allow_other,verbose,noexec", ALL, record, &s, &err), 0,
	       "parse with a callback");
	is_str(s.names, "rw;x-:x-foo=v;allow_other;verbose;noexec;",
	       "called for the options without a field, in order, with the name as given");
	ok(o.policy.n_sigs == 1, "the field options are applied without it");
	s = (struct seen){ "", true, 0 };
	is_int(ecryptfs_mount_opts_parse(&o, "rw,noexec,nodev", ALL, record, &s, &err), -EINVAL,
	       "the callback refuses an option");
	ok(err.fault == ECRYPTFS_OPTERR_REFUSED && strcmp(err.option, "noexec") == 0 &&
	   strcmp(err.text, "noexec: not here, please") == 0, "... in its own words");
	is_str(s.names, "rw;noexec;", "... and the parse stops there");
	s = (struct seen){ "", false, -EPERM };
	is_int(ecryptfs_mount_opts_parse(&o, "noexec", ALL, record, &s, &err), -EPERM,
	       "a callback's errno is returned");
	ok(err.fault == ECRYPTFS_OPTERR_REFUSED && strstr(err.text, "noexec"),
	   "... with the parser's words naming the option: %s", err.text);
}

static void test_set(void)
{
	struct ecryptfs_mount_opts o = { 0 };

	is_int(ecryptfs_mount_opts_set(&o, "ecryptfs_passthrough", "n", &err), 0,
	       "set takes mount.ecryptfs's forms");
	is_int(ecryptfs_mount_opts_set(&o, "ecryptfs_passthrough", NULL, &err), 0, "... and bare");
	ok(o.policy.passthrough, "... the bare flag wins last");
	is_int(ecryptfs_mount_opts_set(&o, "ecryptfs_fnek_sig", "0011223344556677", &err), 0,
	       "set a FNEK");
	ok(o.policy.encrypt_filenames && memcmp(o.policy.fnek_sig, SIG1, 8) == 0, "... set");
	is_int(ecryptfs_mount_opts_set(&o, "ecryptfs_fn_cipher",
				       "abcdefghijklmnopqrstuvwxyz0123456789", &err), -EINVAL,
	       "set: a too-long cipher");
	is_int(err.fault, ECRYPTFS_OPTERR_TOO_LONG, "... is too long");
	is_int(ecryptfs_mount_opts_set(&o, "nosuch", "1", &err), -EINVAL, "set: unknown name");
	is_int(err.fault, ECRYPTFS_OPTERR_UNKNOWN, "... unknown");
	is_int(ecryptfs_mount_opts_set(&o, "nosuid", NULL, &err), 0, "set: no field, no change");
}

static void test_resolve(void)
{
	struct ecryptfs_mount_opts o;
	const struct ecryptfs_policy *p = &o.policy;

	parse(&o, "ecryptfs_key_bytes=16", ECRYPTFS_OPT_KERNEL);
	is_int(ecryptfs_mount_opts_resolve(&o, &err), 0, "aes is the default cipher");
	ok(p->cipher_code == ECRYPTFS_CIPHER_AES_128 && p->key_bytes == 16 &&
	   p->fn_cipher_code == ECRYPTFS_CIPHER_AES_128 && p->fn_key_bytes == 16,
	   "... AES-128 for data, and for names as a stand-in");
	parse(&o, "ecryptfs_cipher=aes,ecryptfs_key_bytes=24", ECRYPTFS_OPT_KERNEL);
	ecryptfs_mount_opts_resolve(&o, &err);
	is_int(p->cipher_code, ECRYPTFS_CIPHER_AES_192, "aes with 24 bytes is AES-192");
	parse(&o, "ecryptfs_cipher=aes", ECRYPTFS_OPT_KERNEL);
	is_int(ecryptfs_mount_opts_resolve(&o, &err), -EINVAL, "no key size");
	ok(err.fault == ECRYPTFS_OPTERR_NO_KEY_BYTES &&
	   strcmp(err.text, "ecryptfs_cipher=aes: ecryptfs_key_bytes is required") == 0,
	   "... says ecryptfs_key_bytes is required: %s", err.text);
	parse(&o, "ecryptfs_cipher=rot13,ecryptfs_key_bytes=16", ECRYPTFS_OPT_KERNEL);
	is_int(ecryptfs_mount_opts_resolve(&o, &err), -ENOENT, "an unknown cipher: -ENOENT");
	ok(err.fault == ECRYPTFS_OPTERR_UNKNOWN_CIPHER && strcmp(err.option, "ecryptfs_cipher") == 0 &&
	   strstr(err.text, "rot13") && strstr(err.text, "unknown cipher"), "... named: %s", err.text);
	parse(&o, "ecryptfs_cipher=blowfish,ecryptfs_key_bytes=20", ECRYPTFS_OPT_KERNEL);
	is_int(ecryptfs_mount_opts_resolve(&o, &err), -EINVAL, "blowfish with 20 bytes: -EINVAL");
	ok(err.fault == ECRYPTFS_OPTERR_BAD_KEY_BYTES &&
	   strcmp(err.text, "ecryptfs_key_bytes=20: blowfish takes 16, 24, 32, 40, 48 or 56") == 0,
	   "... named, with the sizes blowfish takes: %s", err.text);
	parse(&o, "ecryptfs_cipher=aes,ecryptfs_key_bytes=17", ECRYPTFS_OPT_KERNEL);
	is_int(ecryptfs_mount_opts_resolve(&o, &err), -EINVAL, "aes with 17 bytes: -EINVAL");
	is_str(err.text, "ecryptfs_key_bytes=17: aes takes 16, 24 or 32",
	       "... named, with the sizes aes takes");
	parse(&o, "ecryptfs_key_bytes=16,ecryptfs_fnek_sig=0011223344556677,ecryptfs_fn_cipher=twofish,"
	      "ecryptfs_fn_key_bytes=24", ECRYPTFS_OPT_KERNEL);
	is_int(ecryptfs_mount_opts_resolve(&o, &err), -EINVAL, "twofish names with 24 bytes: -EINVAL");
	is_str(err.text, "ecryptfs_fn_key_bytes=24: twofish takes 16 or 32",
	       "... named, with the sizes twofish takes");
	{
		char sizes[96];

		is_int(ecryptfs_cipher_key_sizes("des3_ede", sizes, sizeof(sizes)), 1,
		       "key sizes: des3_ede takes one");
		is_str(sizes, "24", "... 24");
		is_int(ecryptfs_cipher_key_sizes("cast5", sizes, sizeof(sizes)), 2, "cast5 takes two");
		is_str(sizes, "8 or 16", "... 8 or 16");
		is_int(ecryptfs_cipher_key_sizes("cast6", sizes, sizeof(sizes)), 0,
		       "cast6 (which we cannot do) none");
		is_int(ecryptfs_cipher_key_sizes("rot13", sizes, sizeof(sizes)), -ENOENT,
		       "an unknown cipher: -ENOENT");
		is_int(ecryptfs_cipher_key_sizes("aes", sizes, 8), -ENOSPC, "a short buffer: -ENOSPC");
		is_str(sizes, "", "... and an empty string");
	}
	parse(&o, "ecryptfs_cipher=cast6,ecryptfs_key_bytes=16", ECRYPTFS_OPT_KERNEL);
	is_int(ecryptfs_mount_opts_resolve(&o, &err), -ENOTSUP, "cast6: -ENOTSUP");
	is_int(err.fault, ECRYPTFS_OPTERR_UNSUPPORTED, "... unsupported");
	parse(&o, "ecryptfs_key_bytes=16,ecryptfs_fn_cipher=rot13", ECRYPTFS_OPT_KERNEL);
	is_int(ecryptfs_mount_opts_resolve(&o, &err), 0,
	       "a filename cipher without a FNEK is not looked at, as by the kernel");
	parse(&o, "ecryptfs_key_bytes=16,ecryptfs_fn_cipher=rot13,"
	      "ecryptfs_fnek_sig=0011223344556677", ECRYPTFS_OPT_KERNEL);
	is_int(ecryptfs_mount_opts_resolve(&o, &err), -ENOENT, "with a FNEK it is");
	ok(strcmp(err.option, "ecryptfs_fn_cipher") == 0 &&
	   strstr(err.text, "ecryptfs_fn_cipher=rot13,ecryptfs_fn_key_bytes=16"), "... named: %s",
	   err.text);
	parse(&o, "ecryptfs_cipher=blowfish,ecryptfs_key_bytes=56,ecryptfs_fn_cipher=twofish,"
	      "ecryptfs_fnek_sig=0011223344556677", ECRYPTFS_OPT_KERNEL);
	is_int(ecryptfs_mount_opts_resolve(&o, &err), -EINVAL,
	       "the filename key size defaults to the data's (twofish cannot use 56)");
	parse(&o, "ecryptfs_cipher=blowfish,ecryptfs_key_bytes=56,ecryptfs_fn_cipher=twofish,"
	      "ecryptfs_fn_key_bytes=32,ecryptfs_fnek_sig=0011223344556677", ECRYPTFS_OPT_KERNEL);
	is_int(ecryptfs_mount_opts_resolve(&o, &err), 0, "twofish with 32 for names");
	ok(p->cipher_code == ECRYPTFS_CIPHER_BLOWFISH && p->key_bytes == 56 &&
	   p->fn_cipher_code == ECRYPTFS_CIPHER_TWOFISH && p->fn_key_bytes == 32,
	   "... blowfish-56 data, twofish-32 names");
}

static bool same_policy(const struct ecryptfs_policy *a, const struct ecryptfs_policy *b)
{
	return a->cipher_code == b->cipher_code && a->key_bytes == b->key_bytes &&
	       a->n_sigs == b->n_sigs && memcmp(a->sigs, b->sigs, a->n_sigs * 8) == 0 &&
	       a->xattr_metadata == b->xattr_metadata && a->passthrough == b->passthrough &&
	       a->encrypted_view == b->encrypted_view && a->metadata_size == b->metadata_size &&
	       a->encrypt_filenames == b->encrypt_filenames &&
	       (!a->encrypt_filenames || (memcmp(a->fnek_sig, b->fnek_sig, 8) == 0 &&
					  a->fn_cipher_code == b->fn_cipher_code &&
					  a->fn_key_bytes == b->fn_key_bytes));
}

/* policy -> string -> policy for a policy built with the policy API. */
static void round_trip(const char *what, const char *cipher, size_t kb, int n_sigs, bool fnek,
		       const char *fn_cipher, size_t fn_kb, unsigned flags, const char *want)
{
	struct ecryptfs_mount_opts o, back;
	struct ecryptfs_policy *p = &o.policy;
	char s[4096];
	int len, rc;

	memset(&o, 0, sizeof(o));
	if (ecryptfs_policy_init(p, cipher, kb) < 0)
		abort();
	for (int i = 0; i < n_sigs; i++) {
		uint8_t sig[8];

		memcpy(sig, i % 2 ? SIG2 : SIG1, 8);
		sig[7] = (uint8_t)(sig[7] + i);
		ecryptfs_policy_add_sig(p, sig);
	}
	if (fnek) {
		p->encrypt_filenames = true;
		memcpy(p->fnek_sig, SIG2, 8);
		p->fn_cipher_code = (uint8_t)ecryptfs_cipher_code(fn_cipher, fn_kb);
		p->fn_key_bytes = fn_kb;
	}
	p->passthrough = flags & 1;
	p->xattr_metadata = flags & 2;
	o.unlink_sigs = flags & 4;
	o.mount_auth_tok_only = flags & 8;
	o.check_dev_ruid = flags & 16;
	len = ecryptfs_mount_opts_format(&o, s, sizeof(s));
	ok(len > 0 && (size_t)len == strlen(s), "%s: formats (%d bytes)", what, len);
	if (want)
		is_str(s, want, "%s: the kernel's names in the kernel's order", what);
	memset(&back, 0, sizeof(back));
	rc = ecryptfs_mount_opts_parse(&back, s, ECRYPTFS_OPT_KERNEL, NULL, NULL, &err);
	if (rc == 0)
		rc = ecryptfs_mount_opts_resolve(&back, &err);
	is_int(rc, 0, "%s: the kernel's parser takes it back", what);
	ok(same_policy(p, &back.policy) && back.unlink_sigs == o.unlink_sigs &&
	   back.mount_auth_tok_only == o.mount_auth_tok_only &&
	   back.check_dev_ruid == o.check_dev_ruid, "%s: the same policy comes back", what);
}

static void test_format(void)
{
	struct ecryptfs_mount_opts o;
	char s[256];

	round_trip("aes-16, one key", "aes", 16, 1, false, NULL, 0, 0,
		   "ecryptfs_sig=0011223344556677,ecryptfs_cipher=aes,ecryptfs_key_bytes=16");
	round_trip("everything", "aes", 32, 3, true, "aes", 32, 31,
		   "ecryptfs_sig=0011223344556677,ecryptfs_sig=aabbccddeeff0012,"
		   "ecryptfs_sig=0011223344556679,ecryptfs_cipher=aes,ecryptfs_key_bytes=32,"
		   "ecryptfs_passthrough,ecryptfs_xattr_metadata,ecryptfs_fnek_sig=aabbccddeeff0011,"
		   "ecryptfs_fn_cipher=aes,ecryptfs_fn_key_bytes=32,ecryptfs_unlink_sigs,"
		   "ecryptfs_mount_auth_tok_only,ecryptfs_check_dev_ruid");
	round_trip("blowfish-56, twofish names", "blowfish", 56, 2, true, "twofish", 16, 4, NULL);
	round_trip("des3_ede, xattr", "des3_ede", 24, 1, false, NULL, 0, 2, NULL);
	round_trip("cast5-16", "cast5", 16, 1, false, NULL, 0, 0, NULL);
	round_trip("aes-24 names", "aes", 24, ECRYPTFS_POLICY_MAX_KEYS, true, "aes", 24, 0, NULL);

	memset(&o, 0, sizeof(o));
	ecryptfs_policy_init(&o.policy, "aes", 16);
	ecryptfs_policy_add_sig(&o.policy, SIG1);
	o.policy.encrypted_view = true;
	o.policy.xattr_metadata = true;
	ok(ecryptfs_mount_opts_format(&o, s, sizeof(s)) > 0 &&
	   strstr(s, "ecryptfs_xattr_metadata,ecryptfs_encrypted_view"), "the view and its xattr mode");
	is_int(ecryptfs_mount_opts_format(&o, s, 20), -ENOSPC, "a buffer too small: -ENOSPC");
	is_str(s, "", "... and an empty string");
	is_int(ecryptfs_mount_opts_format(&o, s, 0), -ENOSPC, "no buffer at all: -ENOSPC");
	memset(&o, 0, sizeof(o));
	is_int(ecryptfs_mount_opts_format(&o, s, sizeof(s)), -EINVAL,
	       "a policy without a cipher: -EINVAL");
}

int main(void)
{
	test_lookup();
	test_table();
	test_kinds();
	test_errors();
	test_callback();
	test_set();
	test_resolve();
	test_format();
	return tap_done();
}
