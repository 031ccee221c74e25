/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Key modules (doc/ecryptfs-key-mod.7): finding and loading them, their keys
 * in the kernel keyring (private-key auth tokens), and plugging their open
 * keys into a key set so that tag 1 packets are written and read with them.
 *
 * A module is <dir>/<alias>.so, loaded with dlopen; it exports one symbol
 * (src/key_mod/ecryptfs_key_mod.h).  Aliases are short words of [a-z0-9_-],
 * so an alias can never name a file outside the directory.  Modules stay
 * mapped once loaded (RTLD_NODELETE): the crypto libraries they link
 * register exit handlers that must outlive a dlclose.
 */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gcrypt.h>

#include "libecryptfs.h"
#include "internal.h"
#include "../key_mod/ecryptfs_key_mod.h"

#ifndef KEYMODDIR
#define KEYMODDIR "/usr/lib/ecryptfs-ng"
#endif

struct ecryptfs_keymod {
	void *dl;
	const struct ecryptfs_key_mod_ops *ops;
	char alias[ECRYPTFS_KEY_MOD_ALIAS_MAX + 1];
};

/* Print into err (may be NULL) and log it: the reason behind an errno. */
static int fail(int rc, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(int rc, char *err, size_t errlen, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (err && errlen)
		snprintf(err, errlen, "%s", buf);
	ecryptfs_log(ECRYPTFS_LOG_ERR, "%s", buf);
	return rc;
}

ECRYPTFS_EXPORT const char *ecryptfs_keymod_dir(void)
{
	/* Tests and uninstalled trees; never trusted in a setuid process. */
	const char *d = secure_getenv("ECRYPTFS_KEYMOD_DIR");

	return d && *d ? d : KEYMODDIR;
}

ECRYPTFS_EXPORT int ecryptfs_keymod_alias_ok(const char *alias)
{
	size_t n = alias ? strlen(alias) : 0;

	if (n == 0 || n > ECRYPTFS_KEY_MOD_ALIAS_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = alias[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return -EINVAL;
	}
	return 0;
}

ECRYPTFS_EXPORT int ecryptfs_keymod_load(const char *alias, struct ecryptfs_keymod **out,
					 char *err, size_t errlen)
{
	struct ecryptfs_keymod *m = NULL;
	ecryptfs_key_mod_entry_fn entry;
	const struct ecryptfs_key_mod_ops *ops;
	char path[4096];
	int rc;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (ecryptfs_keymod_alias_ok(alias) < 0) {
		rc = fail(-EINVAL, err, errlen, "key module name \"%.40s\" is not a module name "
			  "(1 to 16 of a-z, 0-9, _ and -)", alias ? alias : "");
		goto out;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		rc = -ENOMEM;
		goto out;
	}
	snprintf(m->alias, sizeof(m->alias), "%s", alias);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.so", ecryptfs_keymod_dir(), alias) >=
	    sizeof(path)) {
		rc = fail(-ENAMETOOLONG, err, errlen, "key module %s: directory name too long",
			  alias);
		goto out;
	}
	if (access(path, F_OK) < 0) {
		rc = fail(-ENOENT, err, errlen, "key module %s: not installed (no %s)", alias,
			  path);
		goto out;
	}
	dlerror();
	m->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (!m->dl) {
		const char *e = dlerror();

		rc = fail(-ELIBBAD, err, errlen, "key module %s: cannot be loaded: %s", alias,
			  e ? e : "unknown error");
		goto out;
	}
	entry = (ecryptfs_key_mod_entry_fn)dlsym(m->dl, ECRYPTFS_KEY_MOD_ENTRY);
	if (!entry) {
		rc = fail(-ELIBBAD, err, errlen, "key module %s: %s exports no %s: not an "
			  "ecryptfs-ng key module", alias, path, ECRYPTFS_KEY_MOD_ENTRY);
		goto out;
	}
	ops = entry();
	if (!ops) {
		rc = fail(-ELIBBAD, err, errlen, "key module %s: returned no operations", alias);
		goto out;
	}
	if (ops->abi_version != ECRYPTFS_KEY_MOD_ABI) {
		rc = fail(-EPROTO, err, errlen, "key module %s: interface version %u, this "
			  "program knows %u", alias, (unsigned)ops->abi_version,
			  ECRYPTFS_KEY_MOD_ABI);
		goto out;
	}
	if (!ops->alias || strcmp(ops->alias, alias) != 0 || (ops->n_params && !ops->params) ||
	    (!ops->derive && (!ops->make_blob || !ops->open || !ops->sig || !ops->encrypt ||
			      !ops->decrypt))) {
		rc = fail(-ELIBBAD, err, errlen, "key module %s: incomplete operations table "
			  "(or it calls itself \"%.20s\")", alias, ops->alias ? ops->alias : "");
		goto out;
	}
	m->ops = ops;
	*out = m;
	m = NULL;
	rc = 0;
out:
	ecryptfs_keymod_unload(m);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

ECRYPTFS_EXPORT int ecryptfs_keymod_list(char ***aliases, size_t *n)
{
	DIR *d;
	struct dirent *e;
	char **v = NULL;
	size_t cnt = 0;
	int rc = 0;

	if (!aliases || !n)
		return -EINVAL;
	*aliases = NULL;
	*n = 0;
	d = opendir(ecryptfs_keymod_dir());
	if (!d)
		return errno == ENOENT ? 0 : -errno;	/* no directory: no modules */
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		char name[ECRYPTFS_KEY_MOD_ALIAS_MAX + 1], **nv;

		if (l < 4 || l - 3 > ECRYPTFS_KEY_MOD_ALIAS_MAX || strcmp(e->d_name + l - 3, ".so"))
			continue;
		memcpy(name, e->d_name, l - 3);
		name[l - 3] = '\0';
		if (ecryptfs_keymod_alias_ok(name) < 0)
			continue;
		nv = realloc(v, (cnt + 1) * sizeof(*v));
		if (!nv || !(nv[cnt] = strdup(name))) {
			v = nv ? nv : v;
			rc = -ENOMEM;
			break;
		}
		v = nv;
		cnt++;
	}
	closedir(d);
	if (rc < 0) {
		ecryptfs_keymod_list_free(v, cnt);
		return rc;
	}
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_str);
	*aliases = v;
	*n = cnt;
	return 0;
}

ECRYPTFS_EXPORT void ecryptfs_keymod_list_free(char **aliases, size_t n)
{
	for (size_t i = 0; aliases && i < n; i++)
		free(aliases[i]);
	free(aliases);
}

ECRYPTFS_EXPORT void ecryptfs_keymod_unload(struct ecryptfs_keymod *m)
{
	if (!m)
		return;
	if (m->dl)
		dlclose(m->dl);
	free(m);
}

ECRYPTFS_EXPORT const struct ecryptfs_key_mod_ops *
ecryptfs_keymod_ops(const struct ecryptfs_keymod *m)
{
	return m ? m->ops : NULL;
}

ECRYPTFS_EXPORT int ecryptfs_keymod_derive(struct ecryptfs_keymod *m,
					   const struct ecryptfs_key_mod_value *v, size_t n,
					   struct ecryptfs_pass_key *out, char *need,
					   char *err, size_t errlen)
{
	uint8_t *h = NULL;
	char e[256] = "";
	int rc;

	if (!m || !out || !need)
		return -EINVAL;
	need[0] = '\0';
	if (!m->ops->derive)
		return fail(-EINVAL, err, errlen, "key module %s: its keys are public keys, not "
			    "passphrase keys", m->alias);
	rc = ecryptfs_init();
	if (rc < 0)
		return rc;
	rc = m->ops->derive(v, n, out->kek, out->salt, need, e, sizeof(e));
	if (rc == -ENODATA && need[0]) {
		/* Not a failure yet: the caller asks for need and calls again. */
		if (err && errlen)
			snprintf(err, errlen, "key module %s: %s", m->alias, e[0] ? e : need);
		goto out;
	}
	need[0] = '\0';
	if (rc < 0) {
		rc = fail(rc == -ENODATA ? -EINVAL : rc, err, errlen, "key module %s: %s", m->alias,
			  e[0] ? e : strerror(-rc));
		goto out;
	}
	/* The signature of a passphrase key: SHA-512 of its KEK, first 8 bytes. */
	h = ecryptfs_secure_alloc(64);
	if (!h) {
		rc = -ENOMEM;
		goto out;
	}
	gcry_md_hash_buffer(GCRY_MD_SHA512, h, out->kek, ECRYPTFS_MAX_KEY_BYTES);
	memcpy(out->sig, h, ECRYPTFS_SIG_SIZE);
	ecryptfs_sig_to_hex(out->sig, out->sig_hex);
out:
	if (rc < 0 && rc != -ENODATA)
		ecryptfs_wipe(out, sizeof(*out));
	ecryptfs_secure_free(h);
	return rc;
}

/* ---- private-key auth tokens --------------------------------------------- */

/*
 * The kernel's struct ecryptfs_auth_tok with its private_key arm, as
 * ecryptfs-utils lays it out: the 740-byte token followed by room for the
 * blob, which starts inside the union (doc/ecryptfs-key-mod.7).
 */
enum {
	TOK_VERSION = 0,
	TOK_TYPE = 2,
	TOK_PK = 628,
	TOK_PK_KEY_SIZE = TOK_PK + 0,
	TOK_PK_DATA_LEN = TOK_PK + 4,
	TOK_PK_SIG = TOK_PK + 8,	/* 16 hex + NUL */
	TOK_PK_ALIAS = TOK_PK + 25,	/* 16 + NUL */
	TOK_PK_DATA = TOK_PK + 42,
};
#define TOK_TYPE_PRIVATE_KEY 1

struct pk_tok {
	const char *alias;
	const uint8_t *sig;
	const uint8_t *blob;
	size_t len;
};

static int build_pk_tok(void *arg, uint8_t *tok)
{
	const struct pk_tok *t = arg;
	uint16_t v16 = 0x0004;
	uint32_t v32;

	memcpy(tok + TOK_VERSION, &v16, 2);
	v16 = TOK_TYPE_PRIVATE_KEY;
	memcpy(tok + TOK_TYPE, &v16, 2);
	v32 = ECRYPTFS_KEY_MOD_ALIAS_MAX;	/* what ecryptfs-utils puts there */
	memcpy(tok + TOK_PK_KEY_SIZE, &v32, 4);
	v32 = (uint32_t)t->len;
	memcpy(tok + TOK_PK_DATA_LEN, &v32, 4);
	ecryptfs_sig_to_hex(t->sig, (char *)tok + TOK_PK_SIG);
	memcpy(tok + TOK_PK_ALIAS, t->alias, strlen(t->alias));
	/* The blob may hold a PIN or a key file's passphrase. */
	memcpy(tok + TOK_PK_DATA, t->blob, t->len);
	return 0;
}

ECRYPTFS_EXPORT int ecryptfs_keyring_add_module_key(const char *alias, const char *sig_hex,
						    const uint8_t *blob, size_t len,
						    bool *already)
{
	uint8_t sig[ECRYPTFS_SIG_SIZE];
	struct pk_tok t = { alias, sig, blob, len };

	if (already)
		*already = false;
	if (ecryptfs_keymod_alias_ok(alias) < 0 || ecryptfs_sig_from_hex(sig_hex, sig) < 0 ||
	    !blob || len == 0 || len > ECRYPTFS_KEY_MOD_BLOB_MAX)
		return -EINVAL;
	return ecryptfs_keyring_add_token(sig_hex, ECRYPTFS_AUTH_TOK_SIZE + len, build_pk_tok, &t,
					  already);
}

ECRYPTFS_EXPORT int ecryptfs_keyring_get_module_key(const char *sig_hex,
						    char alias[ECRYPTFS_KEY_MOD_ALIAS_MAX + 1],
						    uint8_t *blob, size_t *len)
{
	void *payload = NULL;
	const uint8_t *p;
	uint16_t v16, t16;
	uint32_t data_len;
	size_t n = 0;
	int rc;

	if (!alias || !blob || !len)
		return -EINVAL;
	rc = ecryptfs_keyring_read_token(sig_hex, &payload, &n);
	if (rc < 0)
		goto out;
	p = payload;
	rc = -EINVAL;
	if (n < TOK_PK_DATA)
		goto bad;
	memcpy(&v16, p + TOK_VERSION, 2);
	memcpy(&t16, p + TOK_TYPE, 2);
	memcpy(&data_len, p + TOK_PK_DATA_LEN, 4);
	if (v16 != 0x0004 || t16 != TOK_TYPE_PRIVATE_KEY || data_len == 0 ||
	    data_len > (size_t)n - TOK_PK_DATA || data_len > ECRYPTFS_KEY_MOD_BLOB_MAX ||
	    p[TOK_PK_ALIAS + ECRYPTFS_KEY_MOD_ALIAS_MAX] != '\0' ||
	    p[TOK_PK_SIG + ECRYPTFS_SIG_HEX_SIZE] != '\0' ||
	    strcmp((const char *)p + TOK_PK_SIG, sig_hex) != 0 ||
	    ecryptfs_keymod_alias_ok((const char *)p + TOK_PK_ALIAS) < 0)
		goto bad;
	if (*len < data_len) {
		rc = -ENOSPC;
		goto out;
	}
	memcpy(alias, p + TOK_PK_ALIAS, ECRYPTFS_KEY_MOD_ALIAS_MAX + 1);
	memcpy(blob, p + TOK_PK_DATA, data_len);
	*len = data_len;
	rc = 0;
	goto out;
bad:
	ecryptfs_log(ECRYPTFS_LOG_ERR, "user keyring: key %s (%zu bytes) is not a key "
		     "module's token", sig_hex, n);
out:
	ecryptfs_keyring_token_free(payload, n);
	return rc;
}

/* ---- module keys in a key set -------------------------------------------- */

struct modkey {
	uint8_t sig[ECRYPTFS_SIG_SIZE];
	struct ecryptfs_keymod *mod;
	void *key;
};

struct modkeys {
	struct modkey *v;
	size_t n;
};

static struct modkey *find_key(struct modkeys *mk, const uint8_t sig[ECRYPTFS_SIG_SIZE])
{
	for (size_t i = 0; mk && i < mk->n; i++)
		if (memcmp(mk->v[i].sig, sig, ECRYPTFS_SIG_SIZE) == 0)
			return &mk->v[i];
	return NULL;
}

/* Wrap (enc) or unwrap a file key's payload with the module key of sig. */
static int mk_crypt(void *ctx, bool enc, const uint8_t sig[ECRYPTFS_SIG_SIZE], const uint8_t *in,
		    size_t len, uint8_t *out, size_t *out_len)
{
	struct modkey *k = find_key(ctx, sig);
	char err[256] = "";
	int rc;

	if (!k)
		return -ENOKEY;
	rc = (enc ? k->mod->ops->encrypt : k->mod->ops->decrypt)(k->key, in, len, out, out_len,
								 err, sizeof(err));
	/*
	 * A key that does not fit a file is that file's story (callers keep
	 * per-file reasons out of their logs); anything else (a token pulled
	 * out, a TPM gone) is the system's, and a warning.
	 */
	if (rc < 0)
		ecryptfs_log(rc == -EKEYREJECTED ? ECRYPTFS_LOG_ERR : ECRYPTFS_LOG_WARNING,
			     "key module %s: %s a file key: %s", k->mod->alias,
			     enc ? "wrapping" : "unwrapping", err[0] ? err : strerror(-rc));
	/* Whatever the module says, the packet did not open with this key. */
	if (rc < 0 && !enc && rc != -ENOMEM)
		rc = -EKEYREJECTED;
	return rc;
}

static int mk_encrypt(void *ctx, const uint8_t sig[ECRYPTFS_SIG_SIZE], const uint8_t *payload,
		      size_t len, uint8_t *out, size_t *out_len)
{
	return mk_crypt(ctx, true, sig, payload, len, out, out_len);
}

static int mk_decrypt(void *ctx, const uint8_t sig[ECRYPTFS_SIG_SIZE], const uint8_t *blob,
		      size_t len, uint8_t *out, size_t *out_len)
{
	return mk_crypt(ctx, false, sig, blob, len, out, out_len);
}

static void mk_release(void *ctx)
{
	struct modkeys *mk = ctx;

	if (!mk)
		return;
	for (size_t i = 0; i < mk->n; i++) {
		if (mk->v[i].mod->ops->close)
			mk->v[i].mod->ops->close(mk->v[i].key);
		ecryptfs_keymod_unload(mk->v[i].mod);
	}
	free(mk->v);
	free(mk);
}

static const struct ecryptfs_pubkey_ops modkey_ops = {
	.encrypt = mk_encrypt,
	.decrypt = mk_decrypt,
	.release = mk_release,
};

ECRYPTFS_EXPORT int ecryptfs_keymod_key_sig(struct ecryptfs_keymod *m, const uint8_t *blob,
					    size_t len, char sig_hex[ECRYPTFS_SIG_HEX_SIZE + 1],
					    char *err, size_t errlen)
{
	void *key = NULL;
	uint8_t sig[ECRYPTFS_SIG_SIZE];
	char e[256] = "";
	int rc;

	if (!m || !blob || !sig_hex)
		return -EINVAL;
	if (!m->ops->open)
		return fail(-EINVAL, err, errlen, "key module %s: its keys are passphrase keys, "
			    "not public keys", m->alias);
	rc = m->ops->open(blob, len, &key, e, sizeof(e));
	if (rc < 0) {
		rc = fail(rc, err, errlen, "key module %s: %s", m->alias, e[0] ? e : strerror(-rc));
		goto out;
	}
	rc = m->ops->sig(key, sig_hex);
	if (rc < 0 || ecryptfs_sig_from_hex(sig_hex, sig) < 0) {
		rc = fail(rc < 0 ? rc : -EPROTO, err, errlen,
			  "key module %s: no valid key signature", m->alias);
		goto out;
	}
	ecryptfs_sig_to_hex(sig, sig_hex);
out:
	if (key && m->ops->close)
		m->ops->close(key);
	return rc;
}

/* Open and add; with expect, only a key of that signature (-EKEYREJECTED else). */
static int add_module_key(struct ecryptfs_keyset *ks, const char *alias, const uint8_t *blob,
			  size_t len, const char *expect, uint8_t sig[ECRYPTFS_SIG_SIZE],
			  char *err, size_t errlen)
{
	const struct ecryptfs_pubkey_ops *hook;
	struct modkeys *mk;
	struct ecryptfs_keymod *m = NULL;
	void *key = NULL, *ctx = NULL;
	char hex[ECRYPTFS_SIG_HEX_SIZE + 1], e[256] = "";
	uint8_t s[ECRYPTFS_SIG_SIZE];
	int rc;

	if (!ks || !blob)
		return -EINVAL;
	rc = ecryptfs_keymod_load(alias, &m, err, errlen);
	if (rc < 0)
		goto out;
	if (!m->ops->open) {
		rc = fail(-EINVAL, err, errlen, "key module %s: its keys are passphrase keys, "
			  "not public keys", alias);
		goto out;
	}
	rc = m->ops->open(blob, len, &key, e, sizeof(e));
	if (rc < 0) {
		key = NULL;
		rc = fail(rc, err, errlen, "key module %s: %s", alias, e[0] ? e : strerror(-rc));
		goto out;
	}
	rc = m->ops->sig(key, hex);
	if (rc < 0 || ecryptfs_sig_from_hex(hex, s) < 0) {
		rc = fail(rc < 0 ? rc : -EPROTO, err, errlen,
			  "key module %s: no valid key signature", alias);
		goto out;
	}
	if (expect && strcmp(hex, expect) != 0) {
		rc = fail(-EKEYREJECTED, err, errlen, "key module %s: the key of token %s has "
			  "the signature %s (key file replaced?)", alias, expect, hex);
		goto out;
	}
	hook = ecryptfs_keyset_pubkey_hook(ks, &ctx);
	if (hook && hook != &modkey_ops) {
		rc = fail(-EBUSY, err, errlen, "key module %s: the key set has another "
			  "public-key hook", alias);
		goto out;
	}
	mk = ctx;
	if (!hook) {
		mk = calloc(1, sizeof(*mk));
		if (!mk) {
			rc = -ENOMEM;
			goto out;
		}
		ecryptfs_keyset_set_pubkey_ops(ks, &modkey_ops, mk);
	}
	if (find_key(mk, s)) {
		/* The same key twice: the first one serves. */
		rc = 0;
		goto out;
	}
	{
		struct modkey *v = realloc(mk->v, (mk->n + 1) * sizeof(*v));

		if (!v) {
			rc = -ENOMEM;
			goto out;
		}
		mk->v = v;
	}
	memcpy(mk->v[mk->n].sig, s, sizeof(s));
	mk->v[mk->n].mod = m;
	mk->v[mk->n].key = key;
	mk->n++;
	m = NULL;
	key = NULL;
	rc = 0;
out:
	if (rc == 0 && sig)
		memcpy(sig, s, sizeof(s));
	if (key && m && m->ops->close)
		m->ops->close(key);
	ecryptfs_keymod_unload(m);
	return rc;
}

ECRYPTFS_EXPORT int ecryptfs_keyset_add_module_key(struct ecryptfs_keyset *ks, const char *alias,
						   const uint8_t *blob, size_t len,
						   uint8_t sig[ECRYPTFS_SIG_SIZE],
						   char *err, size_t errlen)
{
	return add_module_key(ks, alias, blob, len, NULL, sig, err, errlen);
}

ECRYPTFS_EXPORT int ecryptfs_keyset_add_keyring_module_key(struct ecryptfs_keyset *ks,
							   const char *sig_hex, char *err,
							   size_t errlen)
{
	char alias[ECRYPTFS_KEY_MOD_ALIAS_MAX + 1], hex[ECRYPTFS_SIG_HEX_SIZE + 1];
	uint8_t sig[ECRYPTFS_SIG_SIZE];
	uint8_t *blob = ecryptfs_secure_alloc(ECRYPTFS_KEY_MOD_BLOB_MAX);
	size_t len = ECRYPTFS_KEY_MOD_BLOB_MAX;
	int rc;

	if (!blob)
		return -ENOMEM;
	rc = ecryptfs_sig_from_hex(sig_hex, sig);
	if (rc < 0)
		goto out;
	ecryptfs_sig_to_hex(sig, hex);	/* the keyring's spelling */
	rc = ecryptfs_keyring_get_module_key(hex, alias, blob, &len);
	if (rc < 0) {
		if (rc == -EINVAL)
			fail(rc, err, errlen, "key %s in the user keyring is neither a passphrase "
			     "token nor a key module's", sig_hex);
		else
			fail(rc, err, errlen, "key %s: %s", sig_hex, rc == -ENOKEY ?
			     "not found in the user keyring" : strerror(-rc));
		goto out;
	}
	rc = add_module_key(ks, alias, blob, len, hex, NULL, err, errlen);
out:
	ecryptfs_secure_free(blob);
	return rc;
}
