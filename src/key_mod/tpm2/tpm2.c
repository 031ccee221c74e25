/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tpm2 key module (doc/ecryptfs-key-mod-tpm2.7): a 32-byte random
 * secret sealed by a TPM 2.0 (tpm.c), kept in a key file (blob.c), and,
 * once unsealed, turned into the mount's passphrase key exactly as the
 * passphrase module turns a passphrase: the secret in lowercase hex (64
 * characters) is the passphrase, with the default salt.  So this is a
 * derive module: files get ordinary tag 3 packets that the kernel opens
 * without ecryptfsd, a mount costs one unseal, and the secret that
 * tpm2_unseal recovers by hand is a passphrase ecryptfs-add-passphrase
 * takes.  (A tag 1 module would cost one TPM decryption per file open.)
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gcrypt.h>

#include "libecryptfs.h"
#include "ecryptfs_key_mod.h"
#include "blob.h"
#include "tpm.h"

#define EXPORT __attribute__((visibility("default")))
#define PIN_LINE 256

enum { P_KEYFILE, P_PIN, P_PIN_FILE, P_TCTI, P_PCRS, P_SRK, N_PARAMS };

#define M ECRYPTFS_KEY_MOD_MOUNT
#define G ECRYPTFS_KEY_MOD_GEN
static const struct ecryptfs_key_mod_param params[N_PARAMS] = {
	[P_KEYFILE] = { "tpm2_keyfile", "keyfile", "TPM-sealed key file", NULL, M | G },
	[P_PIN] = { "tpm2_pin", "pin", "TPM key PIN", NULL, M | G | ECRYPTFS_KEY_MOD_SECRET },
	[P_PIN_FILE] = { "tpm2_pin_file", "pin_file", "PIN file", NULL, M | G },
	[P_TCTI] = { "tpm2_tcti", "tcti", "TPM TCTI (empty: TPM2TOOLS_TCTI or the default)",
		     NULL, M | G },
	[P_PCRS] = { "tpm2_pcrs", "pcrs", "PCRs of the sha256 bank to seal to (e.g. 0,7)",
		     NULL, G },
	[P_SRK] = { "tpm2_srk", "srk", "Storage key type (ecc or rsa)", "ecc", G },
};

static const char *value_of(const struct ecryptfs_key_mod_value *v, size_t n, int i)
{
	return ecryptfs_key_mod_value_of(v, n, &params[i]);
}

/*
 * tpm2-tss logs its errors on stderr unless TSS2_LOG says otherwise; a
 * module never prints (its caller owns the terminal), and every error
 * reaches err.  A TSS2_LOG the user set is kept, for debugging.
 */
static void quiet_tss(void)
{
	setenv("TSS2_LOG", "all+NONE", 0);
}

/* The PIN: pin=, else the first line of pin_file=; NULL if neither (secure memory). */
static int get_pin(const struct ecryptfs_key_mod_value *v, size_t n, char **pin, char *err,
		   size_t errlen)
{
	const char *pv = value_of(v, n, P_PIN), *pf = value_of(v, n, P_PIN_FILE);
	char *buf;
	ssize_t got = 0;
	int fd, rc = 0;

	*pin = NULL;
	if (!pv && !pf)
		return 0;
	buf = ecryptfs_secure_alloc(PIN_LINE + 1);
	if (!buf)
		return -ENOMEM;
	if (pv) {
		snprintf(buf, PIN_LINE + 1, "%s", pv);
	} else {
		fd = open(pf, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0 || (got = read(fd, buf, PIN_LINE)) < 0)
			rc = -errno;
		if (fd >= 0)
			close(fd);
		if (rc < 0) {
			snprintf(err, errlen, "cannot read the PIN file %.256s: %s", pf,
				 strerror(-rc));
			ecryptfs_secure_free(buf);
			return rc;
		}
		buf[got] = '\0';
		buf[strcspn(buf, "\r\n")] = '\0';
	}
	*pin = buf;
	return 0;
}

static int read_keyfile(const char *path, uint8_t *buf, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY), rc = 0;

	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > TPM2_BLOB_MAX) {
		rc = S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
		goto out;
	}
	got = read(fd, buf, TPM2_BLOB_MAX);
	if (got < 0)
		rc = -errno;
	else
		*len = (size_t)got;
out:
	if (rc < 0)
		snprintf(err, errlen, "the key file %.256s: %s", path,
			 rc == -EINVAL ? "not a regular file" : strerror(-rc));
	if (fd >= 0)
		close(fd);
	return rc;
}

/*
 * The key file keyfile= names, in *path; -ENODATA, with need and err set,
 * when none is given.
 */
static int keyfile_of(const struct ecryptfs_key_mod_value *v, size_t n, const char **path,
		      char *need, char *err, size_t errlen)
{
	*path = value_of(v, n, P_KEYFILE);
	if (*path && **path)
		return 0;
	snprintf(need, 64, "%s", params[P_KEYFILE].name);
	snprintf(err, errlen, "no key file given (keyfile=)");
	return -ENODATA;
}

static int tpm2_derive(const struct ecryptfs_key_mod_value *v, size_t n, uint8_t kek[64],
		       uint8_t salt[8], char *need, char *err, size_t errlen)
{
	const char *path, *why = NULL;
	struct tpm2_blob *b = calloc(1, sizeof(*b));
	uint8_t *file = malloc(TPM2_BLOB_MAX);
	uint8_t *secret = ecryptfs_secure_alloc(TPM2_SECRET_BYTES);
	char *hex = ecryptfs_secure_alloc(2 * TPM2_SECRET_BYTES + 1), *pin = NULL;
	struct ecryptfs_pass_key *key = ecryptfs_pass_key_new();
	struct tpm2_conn c = { .tcti = NULL };
	size_t len = 0;
	int rc;

	rc = -ENOMEM;
	if (!b || !file || !secret || !hex || !key)
		goto out;
	rc = keyfile_of(v, n, &path, need, err, errlen);
	if (rc < 0)
		goto out;
	rc = read_keyfile(path, file, &len, err, errlen);
	if (rc < 0)
		goto out;
	rc = tpm2_blob_parse(file, len, b, &why);
	if (rc < 0) {
		snprintf(err, errlen, "the key file %.256s: %s", path, why);
		goto out;
	}
	rc = get_pin(v, n, &pin, err, errlen);
	if (rc < 0)
		goto out;
	if ((b->flags & TPM2_BLOB_PIN) && !pin) {
		snprintf(need, 64, "%s", params[P_PIN].name);
		snprintf(err, errlen, "the key is sealed with a PIN: give pin_file= or pin=");
		rc = -ENODATA;
		goto out;
	}
	if ((b->flags & TPM2_BLOB_PIN) && !*pin) {
		/* Never sent: a wrong PIN counts towards the TPM's lockout. */
		snprintf(err, errlen, "an empty PIN for a key sealed with a PIN (not tried)");
		rc = -EACCES;
		goto out;
	}
	quiet_tss();
	rc = tpm2_connect(&c, value_of(v, n, P_TCTI), b->srk, err, errlen);
	if (rc == 0)
		rc = tpm2_unseal(&c, b, pin, secret, err, errlen);
	tpm2_disconnect(&c);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < TPM2_SECRET_BYTES; i++)
		snprintf(hex + 2 * i, 3, "%02x", secret[i]);
	rc = ecryptfs_derive_pass_key(hex, 2 * TPM2_SECRET_BYTES, ecryptfs_default_salt, key);
	if (rc < 0) {
		snprintf(err, errlen, "deriving the key: %s", strerror(-rc));
		goto out;
	}
	memcpy(kek, key->kek, ECRYPTFS_MAX_KEY_BYTES);
	memcpy(salt, key->salt, ECRYPTFS_SALT_SIZE);
out:
	free(b);
	free(file);
	ecryptfs_secure_free(secret);
	ecryptfs_secure_free(hex);
	ecryptfs_secure_free(pin);
	ecryptfs_pass_key_free(key);
	return rc;
}

/* The whole of buf into a new file path (0600, never over an existing one). */
static int write_new(const char *path, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600), rc = 0;
	size_t done = 0;

	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot create the key file %.256s: %s%s", path,
			 strerror(-rc), rc == -EEXIST ? " (not overwritten)" : "");
		return rc;
	}
	while (done < len) {
		ssize_t w = write(fd, buf + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = w < 0 ? -errno : -EIO;
			break;
		}
		done += (size_t)w;
	}
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc < 0) {
		snprintf(err, errlen, "writing the key file %.256s: %s", path, strerror(-rc));
		unlink(path);
	}
	return rc;
}

static int tpm2_generate(const struct ecryptfs_key_mod_value *v, size_t n, char *need,
			 char *err, size_t errlen)
{
	const char *path, *pcrs = value_of(v, n, P_PCRS), *srk = value_of(v, n, P_SRK);
	struct tpm2_blob *b = calloc(1, sizeof(*b));
	uint8_t *file = malloc(TPM2_BLOB_MAX);
	uint8_t *secret = ecryptfs_secure_alloc(TPM2_SECRET_BYTES);
	struct tpm2_conn c = { .tcti = NULL };
	struct stat st;
	char *pin = NULL;
	size_t len = 0;
	int rc;

	rc = -ENOMEM;
	if (!b || !file || !secret)
		goto out;
	rc = keyfile_of(v, n, &path, need, err, errlen);
	if (rc < 0)
		goto out;
	if (lstat(path, &st) == 0) {
		snprintf(err, errlen, "the key file %.256s exists (not overwritten)", path);
		rc = -EEXIST;
		goto out;
	}
	if (pcrs && tpm2_pcrs_parse(pcrs, &b->pcr_mask) < 0) {
		snprintf(err, errlen, "pcrs=%.40s: PCR numbers 0 to 23 (as 0,7 or 0-3,7)", pcrs);
		rc = -EINVAL;
		goto out;
	}
	if (!srk || !strcmp(srk, "ecc")) {
		b->srk = TPM2_SRK_ECC;
	} else if (!strcmp(srk, "rsa")) {
		b->srk = TPM2_SRK_RSA;
	} else {
		snprintf(err, errlen, "srk=%.40s: ecc or rsa", srk);
		rc = -EINVAL;
		goto out;
	}
	rc = get_pin(v, n, &pin, err, errlen);
	if (rc < 0)
		goto out;
	if (!pin) {
		snprintf(need, 64, "%s", params[P_PIN].name);
		snprintf(err, errlen, "no PIN given (pin_file=, or asked; empty for none)");
		rc = -ENODATA;
		goto out;
	}
	if (strlen(pin) > TPM2_PIN_MAX) {
		snprintf(err, errlen, "the PIN: at most %d bytes", TPM2_PIN_MAX);
		rc = -EINVAL;
		goto out;
	}
	rc = ecryptfs_init();
	if (rc < 0)
		goto out;
	gcry_randomize(secret, TPM2_SECRET_BYTES, GCRY_STRONG_RANDOM);
	quiet_tss();
	rc = tpm2_connect(&c, value_of(v, n, P_TCTI), b->srk, err, errlen);
	if (rc == 0)
		rc = tpm2_seal(&c, secret, *pin ? pin : NULL, b, err, errlen);
	tpm2_disconnect(&c);
	if (rc < 0)
		goto out;
	rc = tpm2_blob_build(b, file, TPM2_BLOB_MAX, &len);
	if (rc < 0) {
		snprintf(err, errlen, "the sealed object does not fit a key file");
		goto out;
	}
	rc = write_new(path, file, len, err, errlen);
out:
	free(b);
	free(file);
	ecryptfs_secure_free(secret);
	ecryptfs_secure_free(pin);
	return rc;
}

static const struct ecryptfs_key_mod_ops ops = {
	.abi_version = ECRYPTFS_KEY_MOD_ABI,
	.alias = "tpm2",
	.description = "a secret sealed by a TPM 2.0 (tag 3 packets, one unseal per mount)",
	.params = params,
	.n_params = N_PARAMS,
	.generate = tpm2_generate,
	.derive = tpm2_derive,
};

EXPORT const struct ecryptfs_key_mod_ops *ecryptfs_key_mod_ops_v1(void)
{
	return &ops;
}
