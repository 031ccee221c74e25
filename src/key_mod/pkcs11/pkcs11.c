/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pkcs11 key module (doc/ecryptfs-key-mod-pkcs11.7): an RSA private key
 * on a PKCS#11 token, named by a PKCS#11 URI (RFC 7512, parsed by p11-kit,
 * which also finds the installed PKCS#11 modules).  File keys are wrapped
 * in software with the key's public half (libgcrypt) and unwrapped by the
 * token.  Padding:
 *  - alias pkcs11: RSA-OAEP with SHA-1 and MGF1-SHA-1, the openssl module's,
 *    so a key moved from a PEM file onto a token still opens its files;
 *  - alias pkcs11-helper (this file built with ECFS_PKCS11_HELPER): PKCS#1
 *    v1.5, as ecryptfs-utils' pkcs11-helper module wrote its files, the key
 *    found through a certificate with the same CKA_ID.
 * The signature is the openssl module's rule (SHA-1 over an OpenPGP v4
 * public-key packet of n and e, first 8 bytes), so a key has one signature
 * whichever module holds it.
 *
 * The blob: le16 length, the URI and a NUL, le16 length, the PIN and a NUL
 * (empty: no login, or the token's protected authentication path).  A wrong
 * PIN is reported at once and never tried again (tokens lock after a few).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gcrypt.h>
#include <p11-kit/p11-kit.h>
#include <p11-kit/uri.h>

#include "libecryptfs.h"
#include "ecryptfs_key_mod.h"

#define EXPORT __attribute__((visibility("default")))
#define MAX_PIN 256
#define MAX_MOD 512	/* 4096 bits: the most a tag 1 packet holds */

#ifdef ECFS_PKCS11_HELPER
#define ALIAS "pkcs11-helper"
#define WHAT "PKCS#1 v1.5"
#else
#define ALIAS "pkcs11"
#define WHAT "RSA-OAEP"
#endif

enum { P_URI, P_PIN_FILE, P_PIN, P_BITS, N_PARAMS };

#define M ECRYPTFS_KEY_MOD_MOUNT
#define S ECRYPTFS_KEY_MOD_SECRET
#ifdef ECFS_PKCS11_HELPER
#define G 0	/* its keys come with a certificate, which this module does not make */
#else
#define G ECRYPTFS_KEY_MOD_GEN
#endif
#define DEFAULT_BITS "2048"
static const struct ecryptfs_key_mod_param params[N_PARAMS] = {
	[P_URI] = { "pkcs11_uri", "uri", "PKCS#11 URI of the key", NULL, M | G },
	[P_PIN_FILE] = { "pkcs11_pin_file", "pin_file", "PIN file", NULL, M | G },
	[P_PIN] = { "pkcs11_pin", "pin", "Token PIN", NULL, M | G | S },
	[P_BITS] = { "pkcs11_bits", "bits", "RSA key size in bits", DEFAULT_BITS, G },
};

struct key {
	CK_FUNCTION_LIST **mods;	/* p11-kit's list, finalized on close */
	CK_FUNCTION_LIST *path_mod;	/* or the one module-path= named */
	CK_FUNCTION_LIST *f;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE priv;
	gcry_sexp_t pub;
	size_t nbytes;			/* of the modulus */
	pthread_mutex_t lock;		/* one operation at a time on the session */
	char sig[ECRYPTFS_KEY_MOD_SIG_HEX + 1];
};

static const char *value_of(const struct ecryptfs_key_mod_value *v, size_t n, int i)
{
	return ecryptfs_key_mod_value_of(v, n, &params[i]);
}

static char *secret_dup(const char *s)
{
	size_t n = strlen(s);
	char *d = n < MAX_PIN ? ecryptfs_secure_alloc(n + 1) : NULL;

	if (d)
		memcpy(d, s, n + 1);
	return d;
}

/* The PIN in path: its first line. */
static int read_pin_file(const char *path, char **pin, char *err, size_t errlen)
{
	char *buf = ecryptfs_secure_alloc(MAX_PIN + 1);
	ssize_t n = -1;
	int fd, rc = 0;

	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd >= 0) {
		n = read(fd, buf, MAX_PIN);
		if (n < 0)
			rc = -errno;
		close(fd);
	} else {
		rc = -errno;
	}
	if (rc < 0) {
		snprintf(err, errlen, "cannot read the PIN file %.256s: %s", path, strerror(-rc));
		ecryptfs_secure_free(buf);
		return rc;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	*pin = buf;
	return 0;
}

static int blob_put(const char *uri, const char *pin, uint8_t *blob, size_t *len)
{
	size_t ul = strlen(uri) + 1, pl = strlen(pin) + 1, n = 4 + ul + pl;

	if (ul > 0xffff || pl > 0xffff || n > *len)
		return -E2BIG;
	blob[0] = (uint8_t)ul;
	blob[1] = (uint8_t)(ul >> 8);
	memcpy(blob + 2, uri, ul);
	blob[2 + ul] = (uint8_t)pl;
	blob[3 + ul] = (uint8_t)(pl >> 8);
	memcpy(blob + 4 + ul, pin, pl);
	*len = n;
	return 0;
}

static int blob_get(const uint8_t *blob, size_t len, const char **uri, const char **pin)
{
	size_t ul, pl;

	if (len < 4)
		return -EINVAL;
	ul = blob[0] | (size_t)blob[1] << 8;
	if (ul < 2 || ul > len - 4 || blob[2 + ul - 1] != '\0' || memchr(blob + 2, 0, ul - 1))
		return -EINVAL;
	pl = blob[2 + ul] | (size_t)blob[3 + ul] << 8;
	if (pl < 1 || pl != len - 4 - ul || blob[4 + ul + pl - 1] != '\0' ||
	    memchr(blob + 4 + ul, 0, pl - 1))
		return -EINVAL;
	*uri = (const char *)blob + 2;
	*pin = (const char *)blob + 4 + ul;
	return 0;
}

/* A PKCS#11 return value in words, for the few a user can act on. */
static const char *rv_str(CK_RV rv)
{
	switch (rv) {
	case CKR_PIN_INCORRECT: return "wrong PIN";
	case CKR_PIN_LOCKED: return "the PIN is locked";
	case CKR_PIN_EXPIRED: return "the PIN has expired";
	case CKR_DEVICE_REMOVED:
	case CKR_TOKEN_NOT_PRESENT: return "the token was removed";
	case CKR_SESSION_HANDLE_INVALID:
	case CKR_SESSION_CLOSED: return "the token's session is gone (token removed?)";
	case CKR_OBJECT_HANDLE_INVALID:
	case CKR_KEY_HANDLE_INVALID: return "the key is gone from the token (token removed or reset?)";
	case CKR_DEVICE_ERROR: return "device error";
	case CKR_USER_NOT_LOGGED_IN: return "not logged in to the token";
	case CKR_SESSION_READ_ONLY:
	case CKR_TOKEN_WRITE_PROTECTED: return "the token is write-protected";
	case CKR_KEY_TYPE_INCONSISTENT:
	case CKR_KEY_FUNCTION_NOT_PERMITTED: return "the key may not decrypt";
	case CKR_MECHANISM_INVALID: return "the token cannot do " WHAT;
	case CKR_ENCRYPTED_DATA_INVALID:
	case CKR_ENCRYPTED_DATA_LEN_RANGE: return "not wrapped by this key, or damaged";
	default: return "PKCS#11 error";
	}
}

static int rv_errno(CK_RV rv)
{
	switch (rv) {
	case CKR_DEVICE_REMOVED: case CKR_TOKEN_NOT_PRESENT: case CKR_SESSION_HANDLE_INVALID:
	case CKR_SESSION_CLOSED: case CKR_DEVICE_ERROR: case CKR_OBJECT_HANDLE_INVALID:
	case CKR_KEY_HANDLE_INVALID:
		return -ENODEV;
	case CKR_PIN_INCORRECT: case CKR_PIN_LOCKED: case CKR_PIN_EXPIRED:
		return -EKEYREJECTED;
	case CKR_HOST_MEMORY:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

/* The one object of class cls with the attributes tmpl (n of them, class excluded). */
static int find_one(struct key *k, CK_OBJECT_CLASS cls, const CK_ATTRIBUTE *tmpl, CK_ULONG n,
		    CK_OBJECT_HANDLE *obj, CK_ULONG *count)
{
	CK_ATTRIBUTE t[16];
	CK_ULONG m = 0;
	CK_OBJECT_HANDLE h[2];
	CK_RV rv;

	for (CK_ULONG i = 0; i < n && m < 15; i++)
		if (tmpl[i].type != CKA_CLASS)
			t[m++] = tmpl[i];
	t[m].type = CKA_CLASS;
	t[m].pValue = &cls;
	t[m].ulValueLen = sizeof(cls);
	m++;
	*count = 0;
	rv = k->f->C_FindObjectsInit(k->s, t, m);
	if (rv != CKR_OK)
		return rv_errno(rv);
	rv = k->f->C_FindObjects(k->s, h, 2, count);
	k->f->C_FindObjectsFinal(k->s);
	if (rv != CKR_OK)
		return rv_errno(rv);
	if (*count)
		*obj = h[0];
	return 0;
}

/* Attribute type of obj into a fresh malloc'd buffer. */
static int get_attr(struct key *k, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type, uint8_t **val,
		    CK_ULONG *len)
{
	CK_ATTRIBUTE a = { type, NULL, 0 };

	*val = NULL;
	if (k->f->C_GetAttributeValue(k->s, obj, &a, 1) != CKR_OK ||
	    a.ulValueLen == (CK_ULONG)-1 || a.ulValueLen == 0 || a.ulValueLen > MAX_MOD)
		return -ENOENT;
	a.pValue = *val = malloc(a.ulValueLen);
	if (!a.pValue)
		return -ENOMEM;
	if (k->f->C_GetAttributeValue(k->s, obj, &a, 1) != CKR_OK) {
		free(*val);
		*val = NULL;
		return -ENOENT;
	}
	*len = a.ulValueLen;
	return 0;
}

/* ecryptfs-utils' key signature of n and e (the header comment). */
static void key_sig(const uint8_t *n, size_t nl, const uint8_t *e, size_t el,
		    char sig[ECRYPTFS_KEY_MOD_SIG_HEX + 1])
{
	uint8_t data[3 + 10 + MAX_MOD + MAX_MOD], md[20];
	size_t len = 10 + nl + el, i = 0;
	unsigned nbits = (unsigned)(nl * 8), ebits = (unsigned)(el * 8);

	for (uint8_t b = n[0]; !(b & 0x80) && nbits; b <<= 1)
		nbits--;
	for (uint8_t b = e[0]; !(b & 0x80) && ebits; b <<= 1)
		ebits--;
	data[i++] = 0x99;
	data[i++] = (uint8_t)(len >> 8);
	data[i++] = (uint8_t)len;
	data[i++] = 0x04;
	data[i++] = 0;
	data[i++] = 0;
	data[i++] = 0;
	data[i++] = 0;
	data[i++] = 0x02;
	data[i++] = (uint8_t)(nbits >> 8);
	data[i++] = (uint8_t)nbits;
	memcpy(data + i, n, nl);
	i += nl;
	data[i++] = (uint8_t)(ebits >> 8);
	data[i++] = (uint8_t)ebits;
	memcpy(data + i, e, el);
	i += el;
	gcry_md_hash_buffer(GCRY_MD_SHA1, md, data, i);
	for (int j = 0; j < 8; j++)
		snprintf(sig + 2 * j, 3, "%02x", md[j]);
}

/* Strip leading zero bytes (tokens may pad big integers). */
static void trim(uint8_t **v, CK_ULONG *len)
{
	while (*len > 1 && (*v)[0] == 0) {
		memmove(*v, *v + 1, --*len);
	}
}

/* n and e of the private key: from it, or from the public key with its CKA_ID. */
static int public_half(struct key *k, const uint8_t *id, CK_ULONG idlen, char *err,
		       size_t errlen)
{
	uint8_t *n = NULL, *e = NULL;
	CK_ULONG nl = 0, el = 0, count;
	CK_OBJECT_HANDLE pub = k->priv;
	int rc;

	if (get_attr(k, pub, CKA_MODULUS, &n, &nl) < 0 ||
	    get_attr(k, pub, CKA_PUBLIC_EXPONENT, &e, &el) < 0) {
		CK_ATTRIBUTE t = { CKA_ID, (void *)id, idlen };

		free(n);
		n = NULL;
		if (!id || find_one(k, CKO_PUBLIC_KEY, &t, 1, &pub, &count) < 0 || !count ||
		    get_attr(k, pub, CKA_MODULUS, &n, &nl) < 0 ||
		    get_attr(k, pub, CKA_PUBLIC_EXPONENT, &e, &el) < 0) {
			snprintf(err, errlen, "the token shows neither the key's modulus nor a "
				 "public key with its CKA_ID");
			rc = -ENOENT;
			goto out;
		}
	}
	trim(&n, &nl);
	trim(&e, &el);
	if (nl < 128 || nl > MAX_MOD || !n[0] || !e[0]) {
		snprintf(err, errlen, "RSA keys of 1024 to 4096 bits only (this one has %lu bytes)",
			 (unsigned long)nl);
		rc = -EINVAL;
		goto out;
	}
	k->nbytes = nl;
	key_sig(n, nl, e, el, k->sig);
	rc = gcry_sexp_build(&k->pub, NULL, "(public-key (rsa (n %b) (e %b)))", (int)nl, n,
			     (int)el, e) ? -ENOMEM : 0;
out:
	free(n);
	free(e);
	return rc;
}

static void p11_close(void *p)
{
	struct key *k = p;

	if (!k)
		return;
	if (k->f && k->s != CK_INVALID_HANDLE)
		k->f->C_CloseSession(k->s);
	if (k->mods)
		p11_kit_modules_finalize_and_release(k->mods);
	if (k->path_mod) {
		p11_kit_module_finalize(k->path_mod);
		p11_kit_module_release(k->path_mod);
	}
	gcry_sexp_release(k->pub);
	pthread_mutex_destroy(&k->lock);
	free(k);
}

/*
 * The one token the URI names, in k->f and a session k->s on it: read-only
 * unless rw (a key is being made).
 */
static int open_token(struct key *k, P11KitUri *uri, const char *text, bool rw,
		      CK_TOKEN_INFO *ti, char *err, size_t errlen)
{
	CK_FUNCTION_LIST *f = NULL;
	CK_SLOT_ID slot = 0;
	const char *mname = p11_kit_uri_get_module_name(uri);
	const char *mpath = p11_kit_uri_get_module_path(uri);
	CK_FUNCTION_LIST *one[2] = { NULL, NULL }, **list;
	int found = 0;
	CK_RV rv;

	if (mpath) {
		/* RFC 7512's module-path=: that library, registered or not. */
		k->path_mod = p11_kit_module_load(mpath, 0);
		if (!k->path_mod) {
			snprintf(err, errlen, "cannot load the PKCS#11 module %.200s: %s", mpath,
				 p11_kit_message());
			return -ENODEV;
		}
		rv = p11_kit_module_initialize(k->path_mod);
		if (rv != CKR_OK) {
			p11_kit_module_release(k->path_mod);
			k->path_mod = NULL;
			snprintf(err, errlen, "the PKCS#11 module %.200s does not start: %s", mpath,
				 p11_kit_message());
			return -ENODEV;
		}
		one[0] = k->path_mod;
		list = one;
	} else {
		k->mods = p11_kit_modules_load_and_initialize(0);
		if (!k->mods) {
			snprintf(err, errlen, "p11-kit loads no PKCS#11 modules: %s",
				 p11_kit_message());
			return -ENODEV;
		}
		list = k->mods;
	}
	for (CK_FUNCTION_LIST **m = list; *m; m++) {
		CK_SLOT_ID slots[64];
		CK_ULONG ns = 64;
		CK_INFO info;

		if (mname && !mpath) {
			char *name = p11_kit_module_get_name(*m);
			int same = name && !strcmp(name, mname);

			free(name);
			if (!same)
				continue;
		}
		if ((*m)->C_GetInfo(&info) != CKR_OK || !p11_kit_uri_match_module_info(uri, &info) ||
		    (*m)->C_GetSlotList(CK_TRUE, slots, &ns) != CKR_OK)
			continue;
		for (CK_ULONG i = 0; i < ns && i < 64; i++) {
			CK_SLOT_INFO si;
			CK_TOKEN_INFO t;

			if ((*m)->C_GetSlotInfo(slots[i], &si) != CKR_OK ||
			    !p11_kit_uri_match_slot_info(uri, &si) ||
			    (*m)->C_GetTokenInfo(slots[i], &t) != CKR_OK ||
			    !p11_kit_uri_match_token_info(uri, &t))
				continue;
			if (found++ == 0) {
				f = *m;
				slot = slots[i];
				*ti = t;
			}
		}
	}
	if (found != 1) {
		if (found)
			snprintf(err, errlen, "%d tokens match the URI %.200s: name one (token=, "
				 "serial=)", found, text);
		else
			snprintf(err, errlen, "no token present matches the URI %.200s (token "
				 "absent?)", text);
		return found ? -EINVAL : -ENODEV;
	}
	k->f = f;
	rv = f->C_OpenSession(slot, CKF_SERIAL_SESSION | (rw ? CKF_RW_SESSION : 0), NULL, NULL,
			      &k->s);
	if (rv != CKR_OK) {
		k->s = CK_INVALID_HANDLE;
		snprintf(err, errlen, "cannot open a session on the token: %s (0x%lx)", rv_str(rv),
			 (unsigned long)rv);
		return rv_errno(rv);
	}
	return 0;
}

/* text into uri; a PIN inside the URI is refused (it would sit in fstab). */
static int parse_uri(const char *text, P11KitUri *uri, char *err, size_t errlen)
{
	int rc = p11_kit_uri_parse(text, P11_KIT_URI_FOR_ANY, uri);

	if (rc != P11_KIT_URI_OK) {
		snprintf(err, errlen, "not a PKCS#11 URI (%s): %.200s", p11_kit_uri_message(rc),
			 text);
		return -EINVAL;
	}
	if (p11_kit_uri_get_pin_value(uri) || p11_kit_uri_get_pin_source(uri)) {
		snprintf(err, errlen, "the URI carries a PIN (pin-value=, pin-source=): give "
			 "pin_file= instead");
		return -EINVAL;
	}
	return 0;
}

/*
 * Log in to the token of k->s when it wants it or a PIN is given, once: a
 * wrong PIN is not tried again.  -ENODATA when a PIN is needed and none given.
 */
static int login(struct key *k, const CK_TOKEN_INFO *ti, const char *pin, char *err,
		 size_t errlen)
{
	CK_RV rv;

	if ((ti->flags & CKF_LOGIN_REQUIRED) && !pin &&
	    !(ti->flags & CKF_PROTECTED_AUTHENTICATION_PATH)) {
		snprintf(err, errlen, "the token needs a PIN (pin_file=, or asked)");
		return -ENODATA;
	}
	if (!(ti->flags & CKF_LOGIN_REQUIRED) && !pin)
		return 0;
	rv = k->f->C_Login(k->s, CKU_USER, (CK_UTF8CHAR *)pin, pin ? strlen(pin) : 0);
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
		snprintf(err, errlen, "logging in to the token: %s%s", rv_str(rv),
			 rv == CKR_PIN_INCORRECT ? " (not tried again)" : "");
		return rv_errno(rv);
	}
	return 0;
}

/* A fresh key record: no session yet. */
static struct key *key_new(void)
{
	struct key *k = calloc(1, sizeof(*k));

	if (k) {
		k->s = CK_INVALID_HANDLE;
		pthread_mutex_init(&k->lock, NULL);
	}
	return k;
}

/*
 * Open the key: token, login, the private key, its public half.  -ENODATA
 * when a PIN is needed and none given.
 */
static int do_open(const char *text, const char *pin, struct key **out, char *err,
		   size_t errlen)
{
	P11KitUri *uri = p11_kit_uri_new();
	CK_TOKEN_INFO ti;
	CK_ATTRIBUTE *attrs;
	CK_ULONG nattrs = 0, count = 0, idlen = 0;
	CK_KEY_TYPE kt = 0;
	CK_ATTRIBUTE a = { CKA_KEY_TYPE, &kt, sizeof(kt) };
	uint8_t *id = NULL;
	struct key *k = key_new();
	int rc;

	*out = NULL;
	if (!uri || !k) {
		rc = -ENOMEM;
		goto out;
	}
	rc = ecryptfs_init();
	if (rc == 0)
		rc = parse_uri(text, uri, err, errlen);
	if (rc == 0)
		rc = open_token(k, uri, text, false, &ti, err, errlen);
	if (rc == 0)
		rc = login(k, &ti, pin, err, errlen);
	if (rc < 0)
		goto out;
	attrs = p11_kit_uri_get_attributes(uri, &nattrs);
#ifdef ECFS_PKCS11_HELPER
	{
		/* pkcs11-helper's way: the certificate, then the key with its CKA_ID. */
		CK_OBJECT_HANDLE cert;

		rc = find_one(k, CKO_CERTIFICATE, attrs, nattrs, &cert, &count);
		if (rc == 0 && count == 1 && get_attr(k, cert, CKA_ID, &id, &idlen) == 0) {
			CK_ATTRIBUTE t = { CKA_ID, id, idlen };

			rc = find_one(k, CKO_PRIVATE_KEY, &t, 1, &k->priv, &count);
		} else if (rc == 0) {
			snprintf(err, errlen, count ? "the URI matches several certificates" :
				 "no certificate with a CKA_ID matches the URI on the token");
			rc = count ? -EINVAL : -ENOKEY;
			goto out;
		}
	}
#else
	rc = find_one(k, CKO_PRIVATE_KEY, attrs, nattrs, &k->priv, &count);
#endif
	if (rc < 0) {
		snprintf(err, errlen, "searching the token: %s", strerror(-rc));
		goto out;
	}
	if (count != 1) {
		snprintf(err, errlen, count ? "the URI matches several private keys: name one "
			 "(id=, object=)" : "no private key on the token matches the URI "
			 "(key not found)");
		rc = count ? -EINVAL : -ENOKEY;
		goto out;
	}
	if (k->f->C_GetAttributeValue(k->s, k->priv, &a, 1) != CKR_OK || kt != CKK_RSA) {
		snprintf(err, errlen, "the key is not an RSA key (PKCS#11 key type 0x%lx)",
			 (unsigned long)kt);
		rc = -EINVAL;
		goto out;
	}
	if (!id)
		get_attr(k, k->priv, CKA_ID, &id, &idlen);
	rc = public_half(k, id, idlen, err, errlen);
out:
	free(id);
	p11_kit_uri_free(uri);
	if (rc < 0)
		p11_close(k);
	else
		*out = k;
	return rc;
}

/*
 * The URI (-ENODATA naming it when missing) and the PIN the values give
 * (pin=, else pin_file=; NULL when neither) into *pin, secure memory.
 */
static int uri_and_pin(const struct ecryptfs_key_mod_value *v, size_t n, char **pin, char *need,
		       char *err, size_t errlen)
{
	const char *uri = value_of(v, n, P_URI), *pf = value_of(v, n, P_PIN_FILE);
	const char *pv = value_of(v, n, P_PIN);

	*pin = NULL;
	if (!uri || !*uri) {
		snprintf(need, 64, "%s", params[P_URI].name);
		snprintf(err, errlen, "no PKCS#11 URI given (uri=)");
		return -ENODATA;
	}
	if (pv)
		return (*pin = secret_dup(pv)) ? 0 : -ENOMEM;
	if (pf)
		return read_pin_file(pf, pin, err, errlen);
	return 0;
}

static int p11_make_blob(const struct ecryptfs_key_mod_value *v, size_t n, uint8_t *blob,
			 size_t *len, char *need, char *err, size_t errlen)
{
	const char *uri = value_of(v, n, P_URI);
	struct key *k = NULL;
	char *pin = NULL;
	int rc = uri_and_pin(v, n, &pin, need, err, errlen);

	if (rc < 0)
		goto out;
	/* The key is opened once now, so that a mount fails before it starts. */
	rc = do_open(uri, pin, &k, err, errlen);
	if (rc == -ENODATA)
		snprintf(need, 64, "%s", params[P_PIN].name);
	if (rc < 0)
		goto out;
	rc = blob_put(uri, pin ? pin : "", blob, len);
	if (rc < 0)
		snprintf(err, errlen, "the URI or PIN is too long");
out:
	p11_close(k);
	ecryptfs_secure_free(pin);
	return rc;
}

static int p11_open(const uint8_t *blob, size_t len, void **out, char *err, size_t errlen)
{
	const char *uri, *pin;
	struct key *k = NULL;
	int rc;

	*out = NULL;
	if (blob_get(blob, len, &uri, &pin) < 0) {
		snprintf(err, errlen, "the key's blob is not a " ALIAS " module blob");
		return -EINVAL;
	}
	rc = do_open(uri, *pin ? pin : NULL, &k, err, errlen);
	if (rc == 0)
		*out = k;
	return rc == -ENODATA ? -EKEYREJECTED : rc;
}

static int p11_sig(void *p, char sig[ECRYPTFS_KEY_MOD_SIG_HEX + 1])
{
	memcpy(sig, ((struct key *)p)->sig, ECRYPTFS_KEY_MOD_SIG_HEX + 1);
	return 0;
}

/* In software, with the public half: the token is needed only to unwrap. */
static int p11_encrypt(void *p, const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len,
		       char *err, size_t errlen)
{
	struct key *k = p;
	gcry_sexp_t data = NULL, res = NULL, a = NULL;
	const char *v;
	size_t l = 0;
	int rc = -EINVAL;

#ifdef ECFS_PKCS11_HELPER
	if (gcry_sexp_build(&data, NULL, "(data (flags pkcs1) (value %b))", (int)in_len, in))
#else
	if (gcry_sexp_build(&data, NULL, "(data (flags oaep) (hash-algo sha1) (value %b))",
			    (int)in_len, in))
#endif
		goto out;
	if (gcry_pk_encrypt(&res, data, k->pub) || !(a = gcry_sexp_find_token(res, "a", 0)) ||
	    !(v = gcry_sexp_nth_data(a, 1, &l)) || l > k->nbytes || k->nbytes > *out_len) {
		snprintf(err, errlen, WHAT " encryption failed");
		goto out;
	}
	/* Always the modulus' length, as the kernel's tag 1 reader expects. */
	memset(out, 0, k->nbytes - l);
	memcpy(out + k->nbytes - l, v, l);
	*out_len = k->nbytes;
	rc = 0;
out:
	gcry_sexp_release(a);
	gcry_sexp_release(res);
	gcry_sexp_release(data);
	return rc;
}

static int p11_decrypt(void *p, const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len,
		       char *err, size_t errlen)
{
	struct key *k = p;
#ifdef ECFS_PKCS11_HELPER
	CK_MECHANISM mech = { CKM_RSA_PKCS, NULL, 0 };
#else
	CK_RSA_PKCS_OAEP_PARAMS oaep = { CKM_SHA_1, CKG_MGF1_SHA1, CKZ_DATA_SPECIFIED, NULL, 0 };
	CK_MECHANISM mech = { CKM_RSA_PKCS_OAEP, &oaep, sizeof(oaep) };
#endif
	uint8_t buf[MAX_MOD];
	CK_ULONG n = sizeof(buf);
	CK_RV rv;
	int rc;

	pthread_mutex_lock(&k->lock);
	rv = k->f->C_DecryptInit(k->s, &mech, k->priv);
	if (rv == CKR_OK)
		rv = k->f->C_Decrypt(k->s, (CK_BYTE *)in, in_len, buf, &n);
	pthread_mutex_unlock(&k->lock);
	if (rv != CKR_OK) {
		rc = rv_errno(rv);
		snprintf(err, errlen, WHAT " decryption on the token failed: %s (0x%lx)",
			 rv_str(rv), (unsigned long)rv);
		return rc == -EIO ? -EKEYREJECTED : rc;
	}
	rc = n > *out_len ? -ENOSPC : 0;
	if (rc == 0) {
		memcpy(out, buf, n);
		*out_len = n;
	}
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

#ifndef ECFS_PKCS11_HELPER
/*
 * A new RSA key pair made on the token the URI names, labelled and
 * numbered as its object= and id= say (at least one: the mount's URI must
 * find it again).  The private half never leaves the token (sensitive, not
 * extractable); both halves may only decrypt and encrypt.
 */
static int p11_generate(const struct ecryptfs_key_mod_value *v, size_t n, char *need, char *err,
			size_t errlen)
{
	const char *text = value_of(v, n, P_URI), *bits_s = value_of(v, n, P_BITS);
	P11KitUri *uri = p11_kit_uri_new();
	struct key *k = key_new();
	CK_ATTRIBUTE *label = NULL, *id = NULL, *attrs;
	CK_ULONG nattrs = 0, count = 0, bits = 2048;
	CK_OBJECT_HANDLE pub, priv;
	CK_TOKEN_INFO ti;
	CK_RV rv;
	char *pin = NULL;
	int rc;

	if (!uri || !k) {
		rc = -ENOMEM;
		goto out;
	}
	rc = uri_and_pin(v, n, &pin, need, err, errlen);
	if (rc < 0)
		goto out;
	if (bits_s) {
		char *end;

		bits = strtoul(bits_s, &end, 10);
		/* Tag 1 packets hold at most 512 encrypted bytes: 4096 bits. */
		if (*end || end == bits_s || bits < 2048 || bits > 4096) {
			snprintf(err, errlen, "bits=%.20s: from 2048 to 4096", bits_s);
			rc = -EINVAL;
			goto out;
		}
	}
	rc = ecryptfs_init();
	if (rc == 0)
		rc = parse_uri(text, uri, err, errlen);
	if (rc < 0)
		goto out;
	label = p11_kit_uri_get_attribute(uri, CKA_LABEL);
	id = p11_kit_uri_get_attribute(uri, CKA_ID);
	if (!label && !id) {
		snprintf(err, errlen, "name the new key in the URI (object=, id=)");
		rc = -EINVAL;
		goto out;
	}
	rc = open_token(k, uri, text, true, &ti, err, errlen);
	if (rc == 0)
		rc = login(k, &ti, pin, err, errlen);
	if (rc == -ENODATA)
		snprintf(need, 64, "%s", params[P_PIN].name);
	if (rc < 0)
		goto out;
	/* A second key under the same name would make the URI ambiguous. */
	attrs = p11_kit_uri_get_attributes(uri, &nattrs);
	rc = find_one(k, CKO_PRIVATE_KEY, attrs, nattrs, &priv, &count);
	if (rc == 0 && count) {
		snprintf(err, errlen, "a private key matching the URI is on the token already");
		rc = -EEXIST;
	}
	if (rc < 0)
		goto out;
	{
		CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
		CK_BYTE e[] = { 0x01, 0x00, 0x01 };
		CK_MECHANISM mech = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
		CK_ATTRIBUTE pt[8] = {
			{ CKA_TOKEN, &yes, sizeof(yes) },
			{ CKA_ENCRYPT, &yes, sizeof(yes) },
			{ CKA_VERIFY, &no, sizeof(no) },
			{ CKA_WRAP, &no, sizeof(no) },
			{ CKA_MODULUS_BITS, &bits, sizeof(bits) },
			{ CKA_PUBLIC_EXPONENT, e, sizeof(e) },
		}, st[10] = {
			{ CKA_TOKEN, &yes, sizeof(yes) },
			{ CKA_PRIVATE, &yes, sizeof(yes) },
			{ CKA_SENSITIVE, &yes, sizeof(yes) },
			{ CKA_EXTRACTABLE, &no, sizeof(no) },
			{ CKA_DECRYPT, &yes, sizeof(yes) },
			{ CKA_SIGN, &no, sizeof(no) },
			{ CKA_UNWRAP, &no, sizeof(no) },
		};
		CK_ULONG np = 6, ns = 7;

		if (label) {
			pt[np++] = *label;
			st[ns++] = *label;
		}
		if (id) {
			pt[np++] = *id;
			st[ns++] = *id;
		}
		rv = k->f->C_GenerateKeyPair(k->s, &mech, pt, np, st, ns, &pub, &priv);
		if (rv != CKR_OK) {
			snprintf(err, errlen, "RSA key generation on the token failed: %s (0x%lx)",
				 rv == CKR_MECHANISM_INVALID ? "the token cannot make RSA keys" :
				 rv_str(rv), (unsigned long)rv);
			rc = rv_errno(rv);
		}
	}
out:
	p11_close(k);
	p11_kit_uri_free(uri);
	ecryptfs_secure_free(pin);
	return rc;
}
#endif

static const struct ecryptfs_key_mod_ops ops = {
	.abi_version = ECRYPTFS_KEY_MOD_ABI,
	.alias = ALIAS,
#ifdef ECFS_PKCS11_HELPER
	.description = "PKCS#11 token key, PKCS#1 v1.5 (ecryptfs-utils' pkcs11-helper files)",
#else
	.description = "PKCS#11 module: an RSA key on a token or smartcard",
#endif
	.params = params,
	.n_params = N_PARAMS,
	.make_blob = p11_make_blob,
	.open = p11_open,
	.close = p11_close,
	.sig = p11_sig,
	.encrypt = p11_encrypt,
	.decrypt = p11_decrypt,
#ifndef ECFS_PKCS11_HELPER
	.generate = p11_generate,
#endif
};

EXPORT const struct ecryptfs_key_mod_ops *ecryptfs_key_mod_ops_v1(void)
{
	return &ops;
}
