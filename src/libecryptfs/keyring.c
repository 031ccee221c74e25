/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Passphrase tokens in the kernel keyring.  Keys live in the user keyring
 * (@u) as "user" keys described by their sig, where ecryptfs-utils puts them
 * and where the kernel and umount.ecryptfs look for them.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <keyutils.h>

#include "libecryptfs.h"
#include "internal.h"

static int check_sig_hex(const char *sig_hex)
{
	uint8_t sig[ECRYPTFS_SIG_SIZE];

	return ecryptfs_sig_from_hex(sig_hex, sig);
}

int ecryptfs_keyring_find(const char *sig_hex, int32_t *serial)
{
	key_serial_t id;
	int rc;

	rc = check_sig_hex(sig_hex);
	if (rc < 0)
		goto out;
	id = keyctl_search(KEY_SPEC_USER_KEYRING, "user", sig_hex, 0);
	if (id < 0) {
		rc = -errno;
		goto out;
	}
	if (serial)
		*serial = id;
	rc = 0;
out:
	return rc;
}

int ecryptfs_keyring_add_token(const char *sig_hex, size_t len,
			       int (*build)(void *arg, uint8_t *tok), void *arg, bool *already)
{
	uint8_t *tok = NULL;
	key_serial_t id;
	int rc;

	if (already)
		*already = false;
	rc = ecryptfs_keyring_find(sig_hex, NULL);
	if (rc == 0) {
		/* The reference does not replace a present key either. */
		if (already)
			*already = true;
		goto out;
	}
	if (rc != -ENOKEY)
		goto out;
	/* The token carries the key (or the module's blob): secure memory. */
	tok = ecryptfs_secure_alloc(len);
	if (!tok) {
		rc = -ENOMEM;
		goto out;
	}
	memset(tok, 0, len);
	rc = build(arg, tok);
	if (rc < 0)
		goto out;
	id = add_key("user", sig_hex, tok, len, KEY_SPEC_USER_KEYRING);
	rc = id < 0 ? -errno : 0;
out:
	ecryptfs_secure_free(tok);
	return rc;
}

static int build_pass_tok(void *key, uint8_t *tok)
{
	return ecryptfs_auth_tok_build(key, tok);
}

ECRYPTFS_EXPORT int ecryptfs_keyring_add(const struct ecryptfs_pass_key *key, bool *already)
{
	if (already)
		*already = false;
	if (!key)
		return -EINVAL;
	return ecryptfs_keyring_add_token(key->sig_hex, ECRYPTFS_AUTH_TOK_SIZE, build_pass_tok,
					  (void *)key, already);
}

int ecryptfs_keyring_read_token(const char *sig_hex, void **payload, size_t *n)
{
	int32_t serial;
	long got;
	int rc;

	*payload = NULL;
	*n = 0;
	rc = ecryptfs_keyring_find(sig_hex, &serial);
	if (rc < 0)
		return rc;
	got = keyctl_read_alloc(serial, payload);
	if (got < 0)
		return -errno;
	*n = (size_t)got;
	return 0;
}

void ecryptfs_keyring_token_free(void *payload, size_t n)
{
	if (!payload)
		return;
	/* keyutils hands the key over in ordinary heap memory. */
	ecryptfs_wipe(payload, n);
	free(payload);
}

ECRYPTFS_EXPORT int ecryptfs_keyring_get(const char *sig_hex, struct ecryptfs_pass_key *out)
{
	void *payload = NULL;
	size_t n = 0;
	int rc;

	if (!out)
		return -EINVAL;
	rc = ecryptfs_keyring_read_token(sig_hex, &payload, &n);
	if (rc < 0)
		goto out;
	rc = ecryptfs_auth_tok_parse(payload, n, out);
	/* A "user" key described by a sig but holding something else. */
	if (rc == 0 && strcmp(out->sig_hex, sig_hex) != 0) {
		ecryptfs_log(ECRYPTFS_LOG_ERR, "user keyring: key %s holds the token of "
			     "another signature, %s", sig_hex, out->sig_hex);
		rc = -EINVAL;
	} else if (rc < 0) {
		ecryptfs_log(ECRYPTFS_LOG_ERR, "user keyring: key %s (%zu bytes) is not an "
			     "eCryptfs passphrase token", sig_hex, n);
	}
out:
	ecryptfs_keyring_token_free(payload, n);
	return rc;
}

ECRYPTFS_EXPORT int ecryptfs_keyring_unlink(const char *sig_hex)
{
	int32_t serial;
	int rc;

	rc = ecryptfs_keyring_find(sig_hex, &serial);
	if (rc < 0)
		goto out;
	if (keyctl_unlink(serial, KEY_SPEC_USER_KEYRING) < 0) {
		/* Found through a keyring that @u links, but not in @u itself. */
		rc = errno == ENOENT ? -ENOKEY : -errno;
		goto out;
	}
	rc = 0;
out:
	return rc;
}

ECRYPTFS_EXPORT int ecryptfs_keyring_link_user_session(void)
{
	if (keyctl_link(KEY_SPEC_USER_KEYRING, KEY_SPEC_SESSION_KEYRING) < 0)
		return -errno;
	return 0;
}
