/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The openssl key module (doc/ecryptfs-key-mod-openssl.7): an RSA private
 * key in a PEM file, optionally passphrase-protected, wrapping file keys
 * with RSA-OAEP (SHA-1, MGF1-SHA-1) as ecryptfs-utils' openssl module does,
 * so that files either wrote open with the other.  The key signature is
 * that module's: the first 8 bytes of SHA-1 over an OpenPGP version 4
 * public-key packet of the key (n and e, time 0).
 *
 * The blob is the reference's too: le16 length, the key file path and a
 * NUL, le16 length, the PEM passphrase and a NUL (empty when the file is
 * not encrypted).  It lives in the user's own keyring, which holds a
 * passphrase module's key in the clear as well.
 *
 * The only place in ecryptfs-ng that links OpenSSL.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "libecryptfs.h"
#include "ecryptfs_key_mod.h"

#define EXPORT __attribute__((visibility("default")))
#define MAX_PASS 4096
#define DEFAULT_BITS 3072

enum {
	P_KEYSOURCE, P_KEYFILE, P_METHOD, P_PASSWD, P_PASSWD_FILE, P_PASSWD_FD,
	P_GEN_KEYFILE, P_GEN_PASSPHRASE, P_GEN_BITS, N_PARAMS
};

#define M ECRYPTFS_KEY_MOD_MOUNT
#define G ECRYPTFS_KEY_MOD_GEN
#define S ECRYPTFS_KEY_MOD_SECRET
static const struct ecryptfs_key_mod_param params[N_PARAMS] = {
	[P_KEYSOURCE] = { "openssl_keysource", "keysource", "Key source", "keyfile", M },
	[P_KEYFILE] = { "openssl_keyfile", "keyfile", "PEM key file", NULL, M },
	[P_METHOD] = { "openssl_passwd_specification_method", "passwd_specification_method",
		       "Method of providing the passphrase", NULL, M },
	[P_PASSWD] = { "openssl_passwd", "passwd", "Passphrase", NULL, M | S },
	[P_PASSWD_FILE] = { "openssl_passwd_file", "passwd_file", "Passphrase File", NULL, M },
	[P_PASSWD_FD] = { "openssl_passwd_fd", "passwd_fd", "Passphrase File Descriptor", NULL,
			  M },
	[P_GEN_KEYFILE] = { "keyfile", NULL, "SSL key file path", NULL, G },
	[P_GEN_PASSPHRASE] = { "passphrase", NULL, "Passphrase", NULL, G | S },
	[P_GEN_BITS] = { "bits", NULL, "RSA key size in bits", "3072", G },
};

struct key {
	EVP_PKEY *pkey;
	char sig[ECRYPTFS_KEY_MOD_SIG_HEX + 1];
};

/* A copy of a secret in libecryptfs's secure memory (wiped when freed). */
static char *secret_dup(const char *s)
{
	size_t n = strlen(s);
	char *d = n < MAX_PASS ? ecryptfs_secure_alloc(n + 1) : NULL;

	if (d)
		memcpy(d, s, n + 1);
	return d;
}

/* The value of parameter i (by long name or alias), last one wins; NULL if absent. */
static const char *value_of(const struct ecryptfs_key_mod_value *v, size_t n, int i)
{
	return ecryptfs_key_mod_value_of(v, n, &params[i]);
}

/* The last openssl_passwd= in a parsed passphrase file. */
static int pass_from_list(int rc, struct ecryptfs_nvlist *l, const char *where, char **pass,
			  char *err, size_t errlen)
{
	const char *v = NULL;

	if (rc < 0) {
		snprintf(err, errlen, "cannot read the passphrase from %s: %s", where,
			 strerror(-rc));
		return rc;
	}
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].name && l->v[i].value && !strcmp(l->v[i].name, "openssl_passwd"))
			v = l->v[i].value;
	if (!v) {
		snprintf(err, errlen, "no openssl_passwd= in %s", where);
		rc = -EINVAL;
	} else {
		*pass = secret_dup(v);
		rc = *pass ? 0 : -ENOMEM;
	}
	ecryptfs_nvlist_free(l);
	return rc;
}

/* The PEM passphrase the values give, or NULL (*pass) when they give none. */
static int get_pass(const struct ecryptfs_key_mod_value *v, size_t n, char **pass, char *err,
		    size_t errlen)
{
	const char *method = value_of(v, n, P_METHOD);
	const char *pw = value_of(v, n, P_PASSWD), *file = value_of(v, n, P_PASSWD_FILE);
	const char *fd = value_of(v, n, P_PASSWD_FD);
	struct ecryptfs_nvlist l = {0};

	*pass = NULL;
	if (method) {
		if (!strcmp(method, "openssl_passwd"))
			file = fd = NULL;
		else if (!strcmp(method, "openssl_passwd_file"))
			pw = fd = NULL;
		else if (!strcmp(method, "openssl_passwd_fd"))
			pw = file = NULL;
		else {
			snprintf(err, errlen, "openssl_passwd_specification_method: unknown "
				 "method %.40s", method);
			return -EINVAL;
		}
	}
	if (pw) {
		*pass = secret_dup(pw);
		return *pass ? 0 : -ENOMEM;
	}
	if (file) {
		char where[300];

		snprintf(where, sizeof(where), "the passphrase file %.256s", file);
		return pass_from_list(ecryptfs_nvlist_parse_secret_file(file, &l), &l, where, pass,
				      err, errlen);
	}
	if (fd) {
		char *end;
		long f;

		errno = 0;
		f = strtol(fd, &end, 0);
		if (errno || end == fd || *end || f < 0 || f > 1 << 20) {
			snprintf(err, errlen, "openssl_passwd_fd: not a file descriptor: %.40s", fd);
			return -EINVAL;
		}
		return pass_from_list(ecryptfs_nvlist_parse_secret_fd((int)f, &l), &l,
				      "the passphrase file descriptor", pass, err, errlen);
	}
	return 0;
}

struct pw_cb {
	const char *pass;
	int asked;
};

static int pem_pass_cb(char *buf, int size, int rwflag, void *u)
{
	struct pw_cb *cb = u;
	size_t n;

	(void)rwflag;
	cb->asked = 1;
	if (!cb->pass)
		return -1;
	n = strlen(cb->pass);
	if (n > (size_t)size)
		return -1;
	memcpy(buf, cb->pass, n);
	return (int)n;
}

/*
 * Read the RSA key in path.  -ENODATA when it is encrypted and pass is
 * NULL; -EKEYREJECTED for a wrong passphrase.
 */
static int read_key(const char *path, const char *pass, EVP_PKEY **out, char *err, size_t errlen)
{
	struct pw_cb cb = { pass, 0 };
	EVP_PKEY *pkey = NULL;
	BIO *in = NULL;
	int rc;

	*out = NULL;
	in = BIO_new_file(path, "r");
	if (!in) {
		rc = errno ? -errno : -EIO;
		snprintf(err, errlen, "cannot open the key file %.256s: %s", path, strerror(-rc));
		goto out;
	}
	pkey = PEM_read_bio_PrivateKey(in, NULL, pem_pass_cb, &cb);
	if (!pkey) {
		if (cb.asked && !pass) {
			rc = -ENODATA;
			snprintf(err, errlen, "the key file %.256s is encrypted: a passphrase is "
				 "needed", path);
		} else if (cb.asked) {
			rc = -EKEYREJECTED;
			snprintf(err, errlen, "wrong passphrase for the key file %.256s", path);
		} else {
			rc = -EINVAL;
			snprintf(err, errlen, "%.256s holds no PEM private key", path);
		}
		goto out;
	}
	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
		rc = -EINVAL;
		snprintf(err, errlen, "the key in %.256s is not an RSA key (%s)", path,
			 EVP_PKEY_get0_type_name(pkey) ? EVP_PKEY_get0_type_name(pkey) : "?");
		goto out;
	}
	*out = pkey;
	pkey = NULL;
	rc = 0;
out:
	ERR_clear_error();
	EVP_PKEY_free(pkey);
	BIO_free(in);
	return rc;
}

/* ecryptfs-utils' key signature (the header comment). */
static int key_sig(EVP_PKEY *pkey, char sig[ECRYPTFS_KEY_MOD_SIG_HEX + 1])
{
	BIGNUM *n = NULL, *e = NULL;
	unsigned char *data = NULL, md[SHA_DIGEST_LENGTH];
	int nbits, ebits, nbytes, ebytes, len, i = 0, rc = -EINVAL;

	if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) ||
	    !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e))
		goto out;
	nbits = BN_num_bits(n);
	ebits = BN_num_bits(e);
	nbytes = (nbits + 7) / 8;
	ebytes = (ebits + 7) / 8;
	len = 10 + nbytes + ebytes;
	if (len > 0xffff)
		goto out;
	data = malloc((size_t)len + 3);
	if (!data) {
		rc = -ENOMEM;
		goto out;
	}
	data[i++] = 0x99;		/* old-format public-key packet, 2-byte length */
	data[i++] = (unsigned char)(len >> 8);
	data[i++] = (unsigned char)len;
	data[i++] = 0x04;		/* version 4 */
	data[i++] = 0;			/* creation time 0 */
	data[i++] = 0;
	data[i++] = 0;
	data[i++] = 0;
	data[i++] = 0x02;		/* RSA encrypt-only */
	data[i++] = (unsigned char)(nbits >> 8);
	data[i++] = (unsigned char)nbits;
	BN_bn2bin(n, data + i);
	i += nbytes;
	data[i++] = (unsigned char)(ebits >> 8);
	data[i++] = (unsigned char)ebits;
	BN_bn2bin(e, data + i);
	i += ebytes;
	SHA1(data, (size_t)i, md);
	for (int j = 0; j < 8; j++)
		snprintf(sig + 2 * j, 3, "%02x", md[j]);
	rc = 0;
out:
	free(data);
	BN_free(n);
	BN_free(e);
	return rc;
}

/* The reference's blob: le16 len, path NUL, le16 len, passphrase NUL. */
static int blob_put(const char *path, const char *pass, uint8_t *blob, size_t *len)
{
	size_t pl = strlen(path) + 1, sl = strlen(pass) + 1, n = 4 + pl + sl;

	if (pl > 0xffff || sl > 0xffff || n > *len)
		return -E2BIG;
	blob[0] = (uint8_t)pl;
	blob[1] = (uint8_t)(pl >> 8);
	memcpy(blob + 2, path, pl);
	blob[2 + pl] = (uint8_t)sl;
	blob[3 + pl] = (uint8_t)(sl >> 8);
	memcpy(blob + 4 + pl, pass, sl);
	*len = n;
	return 0;
}

/* Pointers into blob; -EINVAL unless both strings are whole and NUL-ended. */
static int blob_get(const uint8_t *blob, size_t len, const char **path, const char **pass)
{
	size_t pl, sl;

	if (len < 4)
		return -EINVAL;
	pl = blob[0] | (size_t)blob[1] << 8;
	if (pl < 2 || pl > len - 4 || blob[2 + pl - 1] != '\0' || memchr(blob + 2, 0, pl - 1))
		return -EINVAL;
	sl = blob[2 + pl] | (size_t)blob[3 + pl] << 8;
	if (sl < 1 || sl != len - 4 - pl || blob[4 + pl + sl - 1] != '\0' ||
	    memchr(blob + 4 + pl, 0, sl - 1))
		return -EINVAL;
	*path = (const char *)blob + 2;
	*pass = (const char *)blob + 4 + pl;
	return 0;
}

static int ossl_make_blob(const struct ecryptfs_key_mod_value *v, size_t n, uint8_t *blob,
			  size_t *len, char *need, char *err, size_t errlen)
{
	const char *src = value_of(v, n, P_KEYSOURCE);
	const char *path = value_of(v, n, P_KEYFILE);
	char *pass = NULL, *abs = NULL;
	EVP_PKEY *pkey = NULL;
	int rc;

	if (src && strcmp(src, "keyfile") != 0) {
		snprintf(err, errlen, "openssl_keysource: only keyfile is supported, not %.40s",
			 src);
		return -EINVAL;
	}
	if (!path || !*path) {
		snprintf(need, 64, "%s", params[P_KEYFILE].name);
		snprintf(err, errlen, "no key file given (keyfile=)");
		return -ENODATA;
	}
	/* The blob outlives the caller's working directory. */
	abs = realpath(path, NULL);
	if (!abs) {
		rc = -errno;
		snprintf(err, errlen, "the key file %.256s: %s", path, strerror(errno));
		goto out;
	}
	rc = get_pass(v, n, &pass, err, errlen);
	if (rc < 0)
		goto out;
	rc = read_key(abs, pass, &pkey, err, errlen);
	if (rc == -ENODATA)
		snprintf(need, 64, "%s", params[P_PASSWD].name);
	if (rc < 0)
		goto out;
	rc = blob_put(abs, pass ? pass : "", blob, len);
	if (rc < 0)
		snprintf(err, errlen, "the key file name or passphrase is too long");
out:
	EVP_PKEY_free(pkey);
	ecryptfs_secure_free(pass);
	free(abs);
	return rc;
}

static void ossl_close(void *k)
{
	struct key *key = k;

	if (!key)
		return;
	EVP_PKEY_free(key->pkey);
	OPENSSL_cleanse(key, sizeof(*key));
	free(key);
}

static int ossl_open(const uint8_t *blob, size_t len, void **out, char *err, size_t errlen)
{
	const char *path, *pass;
	struct key *key;
	int rc;

	*out = NULL;
	if (blob_get(blob, len, &path, &pass) < 0) {
		snprintf(err, errlen, "the key's blob is not an openssl module blob");
		return -EINVAL;
	}
	key = calloc(1, sizeof(*key));
	if (!key)
		return -ENOMEM;
	rc = read_key(path, *pass ? pass : NULL, &key->pkey, err, errlen);
	if (rc == 0) {
		rc = key_sig(key->pkey, key->sig);
		if (rc < 0)
			snprintf(err, errlen, "cannot compute the signature of %.256s", path);
	}
	if (rc < 0) {
		ossl_close(key);
		return rc;
	}
	*out = key;
	return 0;
}

static int ossl_sig(void *k, char sig[ECRYPTFS_KEY_MOD_SIG_HEX + 1])
{
	struct key *key = k;

	memcpy(sig, key->sig, sizeof(key->sig));
	return 0;
}

static int rsa_crypt(struct key *key, int enc, const uint8_t *in, size_t in_len, uint8_t *out,
		 size_t *out_len, char *err, size_t errlen)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key->pkey, NULL);
	size_t n = *out_len;
	int rc = enc ? -EINVAL : -EKEYREJECTED;

	if (!ctx) {
		rc = -ENOMEM;
		goto out;
	}
	/* OAEP with OpenSSL's defaults, SHA-1 and MGF1-SHA-1: the reference's. */
	if ((enc ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx)) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) <= 0) {
		snprintf(err, errlen, "RSA-OAEP is not available");
		rc = -ENOTSUP;
		goto out;
	}
	if (enc) {
		if (EVP_PKEY_encrypt(ctx, NULL, &n, in, in_len) <= 0 || n > *out_len) {
			snprintf(err, errlen, "the RSA key is too small for a %zu-byte file key",
				 in_len);
			goto out;
		}
		if (EVP_PKEY_encrypt(ctx, out, &n, in, in_len) <= 0) {
			snprintf(err, errlen, "RSA-OAEP encryption failed");
			goto out;
		}
	} else {
		if (EVP_PKEY_decrypt(ctx, out, &n, in, in_len) <= 0) {
			snprintf(err, errlen, "RSA-OAEP decryption failed: not wrapped by this key, "
				 "or damaged");
			goto out;
		}
	}
	*out_len = n;
	rc = 0;
out:
	ERR_clear_error();
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

static int ossl_encrypt(void *k, const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len,
			char *err, size_t errlen)
{
	return rsa_crypt(k, 1, in, in_len, out, out_len, err, errlen);
}

static int ossl_decrypt(void *k, const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len,
			char *err, size_t errlen)
{
	/* OpenSSL wants room for a whole modulus, whatever the plaintext. */
	uint8_t buf[1024];
	size_t n = sizeof(buf);
	int rc = rsa_crypt(k, 0, in, in_len, buf, &n, err, errlen);

	if (rc == 0 && n > *out_len)
		rc = -ENOSPC;
	if (rc == 0) {
		memcpy(out, buf, n);
		*out_len = n;
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

/* mkdir -p with mode 0700 for the directories above path. */
static void make_parents(const char *path)
{
	char *d = strdup(path);

	if (!d)
		return;
	for (char *p = d + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(d, 0700);
		*p = '/';
	}
	free(d);
}

static int ossl_generate(const struct ecryptfs_key_mod_value *v, size_t n, char *need,
			 char *err, size_t errlen)
{
	const char *path = value_of(v, n, P_GEN_KEYFILE);
	const char *pass = value_of(v, n, P_GEN_PASSPHRASE);
	const char *bits_s = value_of(v, n, P_GEN_BITS);
	EVP_PKEY *pkey = NULL;
	unsigned long bits = DEFAULT_BITS;
	BIO *out = NULL;
	int fd = -1, rc;

	if (!path || !*path) {
		snprintf(need, 64, "keyfile");
		snprintf(err, errlen, "no key file given (keyfile=)");
		return -ENODATA;
	}
	if (!pass) {
		snprintf(need, 64, "passphrase");
		snprintf(err, errlen, "no passphrase given (passphrase=; empty for none)");
		return -ENODATA;
	}
	if (bits_s) {
		char *end;

		bits = strtoul(bits_s, &end, 10);
		/* Tag 1 packets hold at most 512 encrypted bytes: 4096 bits. */
		if (*end || end == bits_s || bits < 2048 || bits > 4096) {
			snprintf(err, errlen, "bits=%.20s: from 2048 to 4096", bits_s);
			return -EINVAL;
		}
	}
	pkey = EVP_RSA_gen((unsigned)bits);
	if (!pkey) {
		snprintf(err, errlen, "RSA key generation failed");
		rc = -ENOMEM;
		goto out;
	}
	make_parents(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot create %.256s: %s", path, strerror(errno));
		goto out;
	}
	out = BIO_new_fd(fd, BIO_CLOSE);
	if (!out) {
		close(fd);
		rc = -ENOMEM;
		goto out;
	}
	/* AES-256-CBC, as the reference writes its keys. */
	if (!PEM_write_bio_PrivateKey(out, pkey, *pass ? EVP_aes_256_cbc() : NULL,
				      (unsigned char *)pass, (int)strlen(pass), NULL, NULL) ||
	    BIO_flush(out) <= 0) {
		snprintf(err, errlen, "cannot write the key to %.256s", path);
		unlink(path);
		rc = -EIO;
		goto out;
	}
	rc = 0;
out:
	ERR_clear_error();
	BIO_free(out);
	EVP_PKEY_free(pkey);
	return rc;
}

static const struct ecryptfs_key_mod_ops ops = {
	.abi_version = ECRYPTFS_KEY_MOD_ABI,
	.alias = "openssl",
	.description = "OpenSSL module: an RSA key in a PEM file",
	.params = params,
	.n_params = N_PARAMS,
	.make_blob = ossl_make_blob,
	.open = ossl_open,
	.close = ossl_close,
	.sig = ossl_sig,
	.encrypt = ossl_encrypt,
	.decrypt = ossl_decrypt,
	.generate = ossl_generate,
};

EXPORT const struct ecryptfs_key_mod_ops *ecryptfs_key_mod_ops_v1(void)
{
	return &ops;
}
