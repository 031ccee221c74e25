/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Mount options: the one table of every word an eCryptfs mount option string
 * may hold, and the mapping of the kernel's options onto struct
 * ecryptfs_policy in both directions.  mount.ecryptfs (what it strips before
 * the kernel), ecryptfs-fuse (what it mounts with) and ecryptfs-encrypt (what
 * tree it writes) all read this table, so a word means the same everywhere.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libecryptfs.h"
#include "internal.h"

#define K ECRYPTFS_OPT_KERNEL
#define H ECRYPTFS_OPT_HELPER
#define V ECRYPTFS_OPT_VFS
#define T ECRYPTFS_OPT_FSTAB
#define U ECRYPTFS_OPT_FUSE
#define WHO (K | H | V | T | U)
#define OPT(name, kind, field, strip, flags) \
	{ name, ECRYPTFS_OPT_##kind, ECRYPTFS_FIELD_##field, ECRYPTFS_STRIP_##strip, flags }

static const struct ecryptfs_opt table[] = {
	/* The kernel's options, in the order of its token table (fs/ecryptfs/main.c). */
	OPT("ecryptfs_sig", SIG, SIG, NONE, K),
	OPT("ecryptfs_cipher", STRING, CIPHER, NONE, K | H),
	OPT("ecryptfs_key_bytes", NUMBER, KEY_BYTES, NONE, K | H),
	OPT("ecryptfs_passthrough", FLAG, PASSTHROUGH, PREFIX, K | H | ECRYPTFS_OPT_HELPER_YES_NO),
	/* mount.ecryptfs passes it on: ecryptfs-utils 111 dropped it silently. */
	OPT("ecryptfs_xattr_metadata", FLAG, XATTR_METADATA, NONE, K),
	OPT("ecryptfs_encrypted_view", FLAG, ENCRYPTED_VIEW, PREFIX,
	    K | H | ECRYPTFS_OPT_HELPER_YES_NO),
	OPT("ecryptfs_fnek_sig", SIG, FNEK_SIG, NONE, K | H),
	OPT("ecryptfs_fn_cipher", STRING, FN_CIPHER, NONE, K),
	OPT("ecryptfs_fn_key_bytes", NUMBER, FN_KEY_BYTES, NONE, K),
	OPT("ecryptfs_unlink_sigs", FLAG, UNLINK_SIGS, NONE, K),
	OPT("ecryptfs_mount_auth_tok_only", FLAG, MOUNT_AUTH_TOK_ONLY, NONE, K),
	OPT("ecryptfs_check_dev_ruid", FLAG, CHECK_DEV_RUID, NONE, K),
	/*
	 * The kernel's older names.  mount.ecryptfs reads sig= as the key to
	 * mount with (no key module then) and strips both.
	 */
	OPT("sig", SIG, SIG, PREFIX, K | H | ECRYPTFS_OPT_ALIAS),
	OPT("cipher", STRING, CIPHER, PREFIX_EQ, K | H | ECRYPTFS_OPT_ALIAS),

	/* mount.ecryptfs: its decision graph. */
	OPT("key", STRING, NONE, PREFIX_EQ, H),		/* key=passphrase[:name=value...] */
	OPT("ecryptfs_xattr", YES_NO, XATTR_METADATA, PREFIX, H),
	OPT("ecryptfs_hmac", YES_NO, NONE, PREFIX, H),	/* no kernel implements it */
	OPT("ecryptfs_enable_filename_crypto", YES_NO, NONE, PREFIX, H),
	OPT("min_key_bytes", NUMBER, NONE, NONE, H),	/* filters of the key-size menu */
	OPT("max_key_bytes", NUMBER, NONE, NONE, H),
	/* ... how it runs. */
	OPT("verbosity", NUMBER, NONE, PREFIX, H),	/* 0: never ask */
	OPT("no_prompt", FLAG, NONE, NONE, H),		/* verbosity=0 */
	OPT("wild_ass_guess", FLAG, NONE, NONE, H),	/* verbosity=0 */
	OPT("no_sig_cache", FLAG, NONE, PREFIX, H),
	OPT("verbose", FLAG, NONE, PREFIX, H),
	OPT("remount", FLAG, NONE, NONE, H),		/* refused: use mount -i */
	OPT("datapath", STRING, NONE, NAME, H),		/* kernel, fuse or auto */
	/* Names ecryptfs-utils 111 strips that nothing reads (the graph's older names). */
	OPT("passthrough", YES_NO, NONE, PREFIX, H),
	OPT("hmac", YES_NO, NONE, PREFIX, H),
	OPT("xattr", YES_NO, NONE, PREFIX, H),
	OPT("encrypted_view", YES_NO, NONE, PREFIX, H),
	/*
	 * The passphrase key module.  The passphrase itself never reaches the
	 * kernel nor mount(8)'s argv (ecryptfs-utils 111 passed it on).
	 */
	OPT("passphrase_passwd", STRING, NONE, NAME, H | ECRYPTFS_OPT_KEYMOD | ECRYPTFS_OPT_SECRET),
	OPT("passwd", STRING, NONE, NAME,
	    H | ECRYPTFS_OPT_KEYMOD | ECRYPTFS_OPT_SECRET | ECRYPTFS_OPT_ALIAS),
	OPT("passphrase_passwd_file", STRING, NONE, NONE, H | ECRYPTFS_OPT_KEYMOD),
	OPT("passfile", STRING, NONE, NONE, H | ECRYPTFS_OPT_KEYMOD | ECRYPTFS_OPT_ALIAS),
	OPT("passphrase_passwd_fd", NUMBER, NONE, NONE, H | ECRYPTFS_OPT_KEYMOD),
	OPT("passfd", NUMBER, NONE, NONE, H | ECRYPTFS_OPT_KEYMOD | ECRYPTFS_OPT_ALIAS),
	OPT("passphrase_salt", SIG, NONE, NONE, H | ECRYPTFS_OPT_KEYMOD),
	OPT("salt", SIG, NONE, NONE, H | ECRYPTFS_OPT_KEYMOD | ECRYPTFS_OPT_ALIAS),
	OPT("passphrase_type", STRING, NONE, NONE, H | ECRYPTFS_OPT_KEYMOD),
	/*
	 * The openssl key module (src/key_mod/openssl), with ecryptfs-utils'
	 * names; none reaches the kernel.  (passwd= is listed above.)
	 */
	OPT("openssl_keysource", STRING, NONE, NAME, H | ECRYPTFS_OPT_KEYMOD),
	OPT("keysource", STRING, NONE, NAME, H | ECRYPTFS_OPT_KEYMOD | ECRYPTFS_OPT_ALIAS),
	OPT("openssl_keyfile", STRING, NONE, NAME, H | ECRYPTFS_OPT_KEYMOD),
	OPT("keyfile", STRING, NONE, NAME, H | ECRYPTFS_OPT_KEYMOD | ECRYPTFS_OPT_ALIAS),
	OPT("openssl_passwd_specification_method", STRING, NONE, NAME, H | ECRYPTFS_OPT_KEYMOD),
	OPT("passwd_specification_method", STRING, NONE, NAME,
	    H | ECRYPTFS_OPT_KEYMOD | ECRYPTFS_OPT_ALIAS),
	OPT("openssl_passwd", STRING, NONE, NAME, H | ECRYPTFS_OPT_KEYMOD | ECRYPTFS_OPT_SECRET),
	OPT("openssl_passwd_file", STRING, NONE, NAME, H | ECRYPTFS_OPT_KEYMOD),
	OPT("passwd_file", STRING, NONE, NAME, H | ECRYPTFS_OPT_KEYMOD | ECRYPTFS_OPT_ALIAS),
	OPT("openssl_passwd_fd", NUMBER, NONE, NAME, H | ECRYPTFS_OPT_KEYMOD),
	OPT("passwd_fd", NUMBER, NONE, NAME, H | ECRYPTFS_OPT_KEYMOD | ECRYPTFS_OPT_ALIAS),

	/* Generic mount flags. */
	OPT("rw", FLAG, NONE, NONE, V),
	OPT("ro", FLAG, NONE, NONE, V),
	OPT("suid", FLAG, NONE, NONE, V),
	OPT("nosuid", FLAG, NONE, NONE, V),
	OPT("dev", FLAG, NONE, NONE, V),
	OPT("nodev", FLAG, NONE, NONE, V),
	OPT("exec", FLAG, NONE, NONE, V),
	OPT("noexec", FLAG, NONE, NONE, V),
	OPT("sync", FLAG, NONE, NONE, V),
	OPT("async", FLAG, NONE, NONE, V),
	OPT("dirsync", FLAG, NONE, NONE, V),
	OPT("atime", FLAG, NONE, NONE, V),
	OPT("noatime", FLAG, NONE, NONE, V),
	OPT("relatime", FLAG, NONE, NONE, V),
	OPT("norelatime", FLAG, NONE, NONE, V),
	OPT("strictatime", FLAG, NONE, NONE, V),
	OPT("nostrictatime", FLAG, NONE, NONE, V),
	OPT("diratime", FLAG, NONE, NONE, V),
	OPT("nodiratime", FLAG, NONE, NONE, V),
	OPT("lazytime", FLAG, NONE, NONE, V),
	OPT("nolazytime", FLAG, NONE, NONE, V),
	OPT("mand", FLAG, NONE, NONE, V),
	OPT("nomand", FLAG, NONE, NONE, V),
	OPT("silent", FLAG, NONE, NONE, V),
	OPT("loud", FLAG, NONE, NONE, V),

	/* For mount(8) and fstab; they never reach a file system. */
	OPT("defaults", FLAG, NONE, NONE, T),
	OPT("auto", FLAG, NONE, NONE, T),
	OPT("noauto", FLAG, NONE, NONE, T),
	OPT("user", ANY, NONE, PREFIX, T),	/* mount(8) may add user=NAME */
	OPT("nouser", FLAG, NONE, NONE, T),
	OPT("users", FLAG, NONE, NONE, T),
	OPT("owner", FLAG, NONE, NONE, T),
	OPT("group", FLAG, NONE, NONE, T),
	OPT("nofail", FLAG, NONE, NONE, T),
	OPT("_netdev", FLAG, NONE, NONE, T),
	OPT("comment", STRING, NONE, NONE, T),
	OPT("x-", ANY, NONE, NONE, T | ECRYPTFS_OPT_PREFIX),

	/* FUSE mount options (fuse(8)) that ecryptfs-fuse takes. */
	OPT("allow_other", FLAG, NONE, NONE, U),
	OPT("default_permissions", FLAG, NONE, NONE, U),
};
#define N_OPTS (sizeof(table) / sizeof(table[0]))

ECRYPTFS_EXPORT const struct ecryptfs_opt *ecryptfs_opt_table(size_t *n)
{
	if (n)
		*n = N_OPTS;
	return table;
}

ECRYPTFS_EXPORT const struct ecryptfs_opt *ecryptfs_opt_lookup(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < N_OPTS; i++) {
		const struct ecryptfs_opt *e = &table[i];

		if (e->flags & ECRYPTFS_OPT_PREFIX) {
			if (strncmp(name, e->name, strlen(e->name)) == 0)
				return e;
		} else if (strcmp(name, e->name) == 0) {
			return e;
		}
	}
	return NULL;
}

ECRYPTFS_EXPORT int ecryptfs_opt_yes_no(const char *value)
{
	if (!value || strcmp(value, "y") == 0 || strcmp(value, "yes") == 0)
		return 1;
	if (strcmp(value, "n") == 0 || strcmp(value, "no") == 0)
		return 0;
	return -EINVAL;
}

/* ---- errors -------------------------------------------------------------- */

static const char *taker(unsigned flags)
{
	if (flags & K)
		return "the kernel";
	if (flags & H)
		return "mount.ecryptfs";
	if (flags & V)
		return "the generic mount flags";
	if (flags & T)
		return "mount(8) and fstab";
	return "FUSE mounts";
}

/* Record why name was refused; "fmt" says it after the name. */
__attribute__((format(printf, 4, 5)))
static int refuse(struct ecryptfs_opt_error *err, int fault, const char *name,
		  const char *fmt, ...)
{
	char why[160];
	va_list ap;

	if (!err)
		return -EINVAL;
	err->fault = fault;
	snprintf(err->option, sizeof(err->option), "%s", name);
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (fault == ECRYPTFS_OPTERR_UNKNOWN)
		snprintf(err->text, sizeof(err->text), "unknown mount option '%s'", err->option);
	else
		snprintf(err->text, sizeof(err->text), "mount option '%s': %s", err->option, why);
	return -EINVAL;
}

/* ---- values -------------------------------------------------------------- */

/* A decimal number from lo to hi: 0, or -EINVAL. */
static int parse_number(const char *v, unsigned long lo, unsigned long hi, unsigned long *out)
{
	unsigned long long n = 0;

	if (!*v)
		return -EINVAL;
	for (const char *p = v; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		n = n * 10 + (unsigned long long)(*p - '0');
		if (n > hi)
			return -EINVAL;
	}
	if (n < lo)
		return -EINVAL;
	*out = (unsigned long)n;
	return 0;
}

static bool is_key_bytes(const struct ecryptfs_opt *def)
{
	return def->field == ECRYPTFS_FIELD_KEY_BYTES || def->field == ECRYPTFS_FIELD_FN_KEY_BYTES;
}

static bool is_cipher(const struct ecryptfs_opt *def)
{
	return def->field == ECRYPTFS_FIELD_CIPHER || def->field == ECRYPTFS_FIELD_FN_CIPHER;
}

/*
 * Check value against def's kind and store it in o.  helper_forms: take
 * mount.ecryptfs's name=y|n for flags that allow it.
 */
static int apply(struct ecryptfs_mount_opts *o, const struct ecryptfs_opt *def, const char *name,
		 const char *value, bool helper_forms, struct ecryptfs_opt_error *err)
{
	struct ecryptfs_policy *p = &o->policy;
	uint8_t sig[ECRYPTFS_SIG_SIZE] = { 0 };
	unsigned long num = 0;
	int yes = 1;

	switch (def->kind) {
	case ECRYPTFS_OPT_FLAG:
		if (!value)
			break;
		if (!helper_forms || !(def->flags & ECRYPTFS_OPT_HELPER_YES_NO))
			return refuse(err, ECRYPTFS_OPTERR_HAS_VALUE, name, "takes no value");
		/* fall through */
	case ECRYPTFS_OPT_YES_NO:
		yes = ecryptfs_opt_yes_no(value);
		if (yes < 0)
			return refuse(err, ECRYPTFS_OPTERR_BAD_YES_NO, name,
				      "'%.32s' is not y, yes, n or no", value);
		break;
	case ECRYPTFS_OPT_STRING:
		if (!value || (is_cipher(def) && !*value))
			return refuse(err, ECRYPTFS_OPTERR_NO_VALUE, name, "needs a value (%s=...)",
				      name);
		if (is_cipher(def) && strlen(value) > ECRYPTFS_CIPHER_NAME_MAX)
			return refuse(err, ECRYPTFS_OPTERR_TOO_LONG, name,
				      "value too long (%zu bytes; at most %d)", strlen(value),
				      ECRYPTFS_CIPHER_NAME_MAX);
		break;
	case ECRYPTFS_OPT_SIG:
		if (!value)
			return refuse(err, ECRYPTFS_OPTERR_NO_VALUE, name, "needs a value (%s=...)",
				      name);
		if (strlen(value) > ECRYPTFS_SIG_HEX_SIZE)
			return refuse(err, ECRYPTFS_OPTERR_TOO_LONG, name,
				      "value too long (%zu bytes; a signature is %d hex digits)",
				      strlen(value), ECRYPTFS_SIG_HEX_SIZE);
		if (ecryptfs_sig_from_hex(value, sig) < 0)
			return refuse(err, ECRYPTFS_OPTERR_BAD_SIG, name,
				      "'%s' is not %d hex digits", value, ECRYPTFS_SIG_HEX_SIZE);
		break;
	case ECRYPTFS_OPT_NUMBER: {
		unsigned long lo = is_key_bytes(def) ? 1 : 0;
		unsigned long hi = is_key_bytes(def) ? ECRYPTFS_MAX_KEY_BYTES : 0x7fffffff;

		if (!value)
			return refuse(err, ECRYPTFS_OPTERR_NO_VALUE, name, "needs a value (%s=...)",
				      name);
		if (parse_number(value, lo, hi, &num) < 0)
			return refuse(err, ECRYPTFS_OPTERR_BAD_NUMBER, name,
				      "'%.32s' is not a number from %lu to %lu", value, lo, hi);
		break;
	}
	default:	/* ECRYPTFS_OPT_ANY */
		break;
	}

	switch (def->field) {
	case ECRYPTFS_FIELD_SIG:
		if (ecryptfs_policy_add_sig(p, sig) < 0)
			return refuse(err, ECRYPTFS_OPTERR_TOO_MANY_KEYS, name, "more than %d keys",
				      ECRYPTFS_POLICY_MAX_KEYS);
		break;
	case ECRYPTFS_FIELD_CIPHER:
		strcpy(o->cipher, value);	/* length checked above */
		break;
	case ECRYPTFS_FIELD_FN_CIPHER:
		strcpy(o->fn_cipher, value);
		break;
	case ECRYPTFS_FIELD_KEY_BYTES:
		o->key_bytes = num;
		break;
	case ECRYPTFS_FIELD_FN_KEY_BYTES:
		o->fn_key_bytes = num;
		break;
	case ECRYPTFS_FIELD_PASSTHROUGH:
		p->passthrough = yes;
		break;
	case ECRYPTFS_FIELD_XATTR_METADATA:
		p->xattr_metadata = yes;
		break;
	case ECRYPTFS_FIELD_ENCRYPTED_VIEW:
		/* As the kernel: the view shows the xattr-mode layout. */
		p->encrypted_view = yes;
		if (yes)
			p->xattr_metadata = true;
		break;
	case ECRYPTFS_FIELD_FNEK_SIG:
		memcpy(p->fnek_sig, sig, sizeof(sig));
		p->encrypt_filenames = true;
		break;
	case ECRYPTFS_FIELD_UNLINK_SIGS:
		o->unlink_sigs = yes;
		break;
	case ECRYPTFS_FIELD_MOUNT_AUTH_TOK_ONLY:
		o->mount_auth_tok_only = yes;
		break;
	case ECRYPTFS_FIELD_CHECK_DEV_RUID:
		o->check_dev_ruid = yes;
		break;
	default:
		break;
	}
	return 0;
}

ECRYPTFS_EXPORT int ecryptfs_mount_opts_set(struct ecryptfs_mount_opts *o, const char *name,
					    const char *value, struct ecryptfs_opt_error *err)
{
	const struct ecryptfs_opt *def;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!o || !name)
		return -EINVAL;
	def = ecryptfs_opt_lookup(name);
	if (!def)
		return refuse(err, ECRYPTFS_OPTERR_UNKNOWN, name, "unknown");
	return apply(o, def, name, value, true, err);
}

ECRYPTFS_EXPORT int ecryptfs_mount_opts_parse(struct ecryptfs_mount_opts *o, const char *optstr,
					      unsigned accept, ecryptfs_opt_cb cb, void *ctx,
					      struct ecryptfs_opt_error *err)
{
	size_t len;
	char *copy, *item, *next;
	int rc = 0;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!o)
		return -EINVAL;
	if (!optstr)
		optstr = "";
	/* A copy to cut up; mount.ecryptfs's strings may hold a passphrase. */
	len = strlen(optstr);
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, optstr, len + 1);
	for (item = copy; item && rc == 0; item = next) {
		const struct ecryptfs_opt *def;
		char *value;

		next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		if (!*item)
			continue;	/* as the kernel: ",," is nothing */
		value = strchr(item, '=');
		if (value)
			*value++ = '\0';
		def = ecryptfs_opt_lookup(item);
		if (!def) {
			rc = refuse(err, ECRYPTFS_OPTERR_UNKNOWN, item, "unknown");
			break;
		}
		if (!(def->flags & accept & WHO)) {
			rc = refuse(err, ECRYPTFS_OPTERR_NOT_HERE, item, "not taken here (it is for %s)",
				    taker(def->flags));
			break;
		}
		rc = apply(o, def, item, value, accept & H, err);
		if (rc < 0 || def->field != ECRYPTFS_FIELD_NONE || !cb)
			continue;
		rc = cb(ctx, def, item, value, err);
		if (rc < 0 && err && !err->text[0])
			refuse(err, ECRYPTFS_OPTERR_REFUSED, item, "%s",
			       rc == -EINVAL ? "refused" : strerror(-rc));
		else if (rc < 0 && err) {
			err->fault = ECRYPTFS_OPTERR_REFUSED;
			snprintf(err->option, sizeof(err->option), "%s", item);
		}
	}
	ecryptfs_wipe(copy, len);
	free(copy);
	return rc;
}

/* ---- policy ------------------------------------------------------------- */

/* The error of ecryptfs_cipher_code(c, kb) for the options named cname and kname. */
static int cipher_fault(struct ecryptfs_opt_error *err, int rc, const char *cname,
			const char *kname, const char *c, size_t kb)
{
	if (!err)
		return rc;
	if (rc == -ENOENT)
		refuse(err, ECRYPTFS_OPTERR_UNKNOWN_CIPHER, cname, "unknown cipher");
	else if (rc == -ENOTSUP)
		refuse(err, ECRYPTFS_OPTERR_UNSUPPORTED, cname, "not supported");
	else
		refuse(err, ECRYPTFS_OPTERR_BAD_KEY_BYTES, kname, "not usable");
	if (rc == -EINVAL) {
		/* The size is what is wrong: say which ones the cipher takes. */
		char sizes[96];

		if (ecryptfs_cipher_key_sizes(c, sizes, sizeof(sizes)) > 0) {
			snprintf(err->text, sizeof(err->text), "%s=%zu: %s takes %s", kname, kb, c,
				 sizes);
			return rc;
		}
	}
	/* Both values: the pair is what is wrong. */
	snprintf(err->text, sizeof(err->text), "%s=%s,%s=%zu: %s", cname, c, kname, kb,
		 rc == -ENOENT ? "unknown cipher" : rc == -ENOTSUP ? "cipher not supported" :
		 "key size not usable with this cipher");
	return rc;
}

ECRYPTFS_EXPORT int ecryptfs_mount_opts_resolve(struct ecryptfs_mount_opts *o,
						struct ecryptfs_opt_error *err)
{
	struct ecryptfs_policy *p;
	const char *c, *fc;
	size_t fkb;
	int code;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!o)
		return -EINVAL;
	p = &o->policy;
	c = o->cipher[0] ? o->cipher : "aes";
	if (!o->key_bytes) {
		refuse(err, ECRYPTFS_OPTERR_NO_KEY_BYTES, "ecryptfs_key_bytes", "required");
		if (err)
			snprintf(err->text, sizeof(err->text),
				 "ecryptfs_cipher=%s: ecryptfs_key_bytes is required", c);
		return -EINVAL;
	}
	code = ecryptfs_cipher_code(c, o->key_bytes);
	if (code < 0)
		return cipher_fault(err, code, "ecryptfs_cipher", "ecryptfs_key_bytes", c,
				    o->key_bytes);
	p->cipher_code = (uint8_t)code;
	p->key_bytes = o->key_bytes;
	if (!p->encrypt_filenames) {
		/* Unused without a FNEK, as in the kernel: the data cipher stands in. */
		p->fn_cipher_code = p->cipher_code;
		p->fn_key_bytes = p->key_bytes;
		return 0;
	}
	fc = o->fn_cipher[0] ? o->fn_cipher : c;
	fkb = o->fn_key_bytes ? o->fn_key_bytes : o->key_bytes;
	code = ecryptfs_cipher_code(fc, fkb);
	if (code < 0)
		return cipher_fault(err, code, "ecryptfs_fn_cipher", "ecryptfs_fn_key_bytes", fc,
				    fkb);
	p->fn_cipher_code = (uint8_t)code;
	p->fn_key_bytes = fkb;
	return 0;
}

/* Append ",item" (no comma first) to out: 0 or -ENOSPC. */
__attribute__((format(printf, 4, 5)))
static int put(char *out, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len) {
		if (*len + 1 >= size)
			return -ENOSPC;
		out[(*len)++] = ',';
		out[*len] = '\0';
	}
	va_start(ap, fmt);
	n = vsnprintf(out + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - *len)
		return -ENOSPC;
	*len += (size_t)n;
	return 0;
}

/* The kernel's name of a cipher code. */
static const char *cipher_name(uint8_t code)
{
	struct ecryptfs_cipher_info info;

	return ecryptfs_cipher_info(code, &info) == 0 ? info.name : NULL;
}

ECRYPTFS_EXPORT int ecryptfs_mount_opts_format(const struct ecryptfs_mount_opts *o, char *out,
					       size_t out_size)
{
	const struct ecryptfs_policy *p;
	const char *cn, *fcn;
	size_t len = 0;
	int rc = 0;

	if (!o || !out || o->policy.n_sigs > ECRYPTFS_POLICY_MAX_KEYS)
		return -EINVAL;
	if (out_size == 0)
		return -ENOSPC;
	p = &o->policy;
	cn = cipher_name(p->cipher_code);
	fcn = cipher_name(p->fn_cipher_code);
	if (!cn || (p->encrypt_filenames && !fcn))
		return -EINVAL;
	out[0] = '\0';
	for (size_t i = 0; i < N_OPTS && rc == 0; i++) {
		const struct ecryptfs_opt *e = &table[i];
		bool on = false;

		if (!(e->flags & K) || (e->flags & ECRYPTFS_OPT_ALIAS))
			continue;
		switch (e->field) {
		case ECRYPTFS_FIELD_SIG:
			for (size_t s = 0; s < p->n_sigs && rc == 0; s++) {
				char hex[ECRYPTFS_SIG_HEX_SIZE + 1];

				ecryptfs_sig_to_hex(p->sigs[s], hex);
				rc = put(out, out_size, &len, "%s=%s", e->name, hex);
			}
			break;
		case ECRYPTFS_FIELD_CIPHER:
			rc = put(out, out_size, &len, "%s=%s", e->name, cn);
			break;
		case ECRYPTFS_FIELD_KEY_BYTES:
			rc = put(out, out_size, &len, "%s=%zu", e->name, p->key_bytes);
			break;
		case ECRYPTFS_FIELD_FNEK_SIG:
			if (p->encrypt_filenames) {
				char hex[ECRYPTFS_SIG_HEX_SIZE + 1];

				ecryptfs_sig_to_hex(p->fnek_sig, hex);
				rc = put(out, out_size, &len, "%s=%s", e->name, hex);
			}
			break;
		case ECRYPTFS_FIELD_FN_CIPHER:
			if (p->encrypt_filenames)
				rc = put(out, out_size, &len, "%s=%s", e->name, fcn);
			break;
		case ECRYPTFS_FIELD_FN_KEY_BYTES:
			if (p->encrypt_filenames)
				rc = put(out, out_size, &len, "%s=%zu", e->name, p->fn_key_bytes);
			break;
		case ECRYPTFS_FIELD_PASSTHROUGH:
			on = p->passthrough;
			break;
		case ECRYPTFS_FIELD_XATTR_METADATA:
			on = p->xattr_metadata;
			break;
		case ECRYPTFS_FIELD_ENCRYPTED_VIEW:
			on = p->encrypted_view;
			break;
		case ECRYPTFS_FIELD_UNLINK_SIGS:
			on = o->unlink_sigs;
			break;
		case ECRYPTFS_FIELD_MOUNT_AUTH_TOK_ONLY:
			on = o->mount_auth_tok_only;
			break;
		case ECRYPTFS_FIELD_CHECK_DEV_RUID:
			on = o->check_dev_ruid;
			break;
		default:
			break;
		}
		if (on)
			rc = put(out, out_size, &len, "%s", e->name);
	}
	if (rc < 0) {
		out[0] = '\0';
		return rc;
	}
	return (int)len;
}
