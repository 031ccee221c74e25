/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One request of the kernel answered: the key named by the request's
 * signature is looked up in the user keyring of the user the daemon runs as
 * (a private-key token: its module alias and blob, as mount.ecryptfs or
 * ecryptfs-manager put it there), its module loaded and the key opened
 * once, then kept per signature.  The token is looked up again on every
 * request, so a key unlinked from the keyring (umount.ecryptfs,
 * keyctl unlink) stops opening files at once, and a token replaced under
 * the same signature is reopened.  Nothing here prompts: the kernel waits
 * 3 s for the reply, and a module key's blob holds all it needs.
 *
 * A key whose module refuses the blob's credentials (a wrong PIN) is kept
 * too, as refused: asking the token again on every open would spend its
 * PIN retry counter, file by file, until it locks.  It is tried again once
 * its token in the keyring changes or is added anew (another key serial,
 * as an unmount and a mount make).
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <keyutils.h>

#include "cli.h"
#include "efsd.h"
#include "ecryptfs_key_mod.h"

/* Enough for one user's keys; the oldest goes when a new one does not fit. */
#define CACHE_MAX 32

struct key {
	char sig[EFSD_SIG_HEX + 1];
	char alias[ECRYPTFS_KEY_MOD_ALIAS_MAX + 1];
	uint8_t *blob;		/* secure memory: the token's blob, to notice a change */
	size_t blob_len;
	struct ecryptfs_keymod *mod;
	void *key;		/* the module's open key; NULL when refused */
	key_serial_t serial;	/* the keyring key's, for a refused one */
	bool refused;		/* the module refused the blob's credentials */
};

struct efsd {
	struct key keys[CACHE_MAX];
	size_t n;
	struct efsd_stats st;
};

int efsd_new(struct efsd **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

static void key_close(struct key *k)
{
	const struct ecryptfs_key_mod_ops *ops = ecryptfs_keymod_ops(k->mod);

	if (k->key && ops && ops->close)
		ops->close(k->key);
	ecryptfs_keymod_unload(k->mod);
	ecryptfs_secure_free(k->blob);
	memset(k, 0, sizeof(*k));
}

static void key_drop(struct efsd *d, size_t i)
{
	key_close(&d->keys[i]);
	memmove(&d->keys[i], &d->keys[i + 1], (d->n - i - 1) * sizeof(d->keys[0]));
	d->n--;
	memset(&d->keys[d->n], 0, sizeof(d->keys[0]));
}

void efsd_free(struct efsd *d)
{
	if (!d)
		return;
	while (d->n)
		key_drop(d, d->n - 1);
	free(d);
}

const struct efsd_stats *efsd_stats(const struct efsd *d)
{
	return &d->st;
}

static struct key *find(struct efsd *d, const char *sig, size_t *idx)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->keys[i].sig, sig)) {
			*idx = i;
			return &d->keys[i];
		}
	return NULL;
}

/*
 * A module said its device is gone (-ENODEV: a token pulled out or reset, a
 * TPM away).  Its open keys are dead although their tokens in the keyring
 * did not change, and a library such as softhsm2 or p11-kit sees a device
 * come back only when started afresh, which happens once the last key that
 * holds it is closed.  So every open key of that module goes: the next
 * request opens its key anew, and works again once the device is back,
 * without restarting the daemon.
 */
static void device_gone(struct efsd *d, const char *alias)
{
	char a[ECRYPTFS_KEY_MOD_ALIAS_MAX + 1];

	snprintf(a, sizeof(a), "%s", alias);	/* alias may be a cache entry's */
	for (size_t i = d->n; i-- > 0;)
		if (!strcmp(d->keys[i].alias, a))
			key_drop(d, i);
}

/* Open the key the token holds into a new cache entry. */
static int key_open(struct efsd *d, const char *sig, const char *alias, uint8_t *blob,
		    size_t len, key_serial_t serial, struct key **out)
{
	struct key k = { .blob = blob, .blob_len = len, .serial = serial };
	const struct ecryptfs_key_mod_ops *ops;
	char err[512] = "", hex[ECRYPTFS_KEY_MOD_SIG_HEX + 1] = "";
	int rc;

	snprintf(k.sig, sizeof(k.sig), "%s", sig);
	snprintf(k.alias, sizeof(k.alias), "%s", alias);
	rc = ecryptfs_keymod_load(alias, &k.mod, err, sizeof(err));
	if (rc < 0) {
		cli_error(0, "key %s: %s", sig, err);
		goto out;
	}
	ops = ecryptfs_keymod_ops(k.mod);
	if (!ops->open) {
		rc = -EINVAL;
		cli_error(0, "key %s: key module %s makes passphrase keys, which the kernel "
			  "opens without ecryptfsd", sig, alias);
		goto out;
	}
	rc = ops->open(blob, len, &k.key, err, sizeof(err));
	if (rc < 0) {
		k.key = NULL;
		cli_error(0, "key %s: key module %s: %s", sig, alias,
			  err[0] ? err : strerror(-rc));
		if (rc == -ENODEV)
			device_gone(d, alias);
		if (rc == -EKEYREJECTED) {
			/* Kept as refused (see the top); the module is not needed. */
			ecryptfs_keymod_unload(k.mod);
			k.mod = NULL;
			k.refused = true;
			goto keep;
		}
		goto out;
	}
	rc = ops->sig(k.key, hex);
	if (rc < 0 || strcmp(hex, sig) != 0) {
		rc = -EKEYREJECTED;
		cli_error(0, "key %s: key module %s opened a key of signature %.16s instead "
			  "(key file replaced?)", sig, alias, hex);
		goto out;
	}
	rc = 0;
keep:
	if (d->n == CACHE_MAX)
		key_drop(d, 0);
	d->keys[d->n] = k;
	if (rc == 0)
		*out = &d->keys[d->n];
	d->n++;
	k.blob = NULL;
	k.mod = NULL;
	k.key = NULL;
out:
	key_close(&k);
	return rc;
}

/* The open key for sig, looked up in the keyring now. */
static int key_get(struct efsd *d, const char *sig, struct key **out)
{
	char alias[ECRYPTFS_KEY_MOD_ALIAS_MAX + 1] = "";
	uint8_t *blob = ecryptfs_secure_alloc(ECRYPTFS_KEY_MOD_BLOB_MAX);
	size_t len = ECRYPTFS_KEY_MOD_BLOB_MAX, i = 0;
	key_serial_t serial;
	struct key *k;
	int rc;

	if (!blob)
		return -ENOMEM;
	rc = ecryptfs_keyring_get_module_key(sig, alias, blob, &len);
	k = find(d, sig, &i);
	if (rc < 0) {
		if (k)
			key_drop(d, i);
		if (rc == -ENOKEY)
			cli_error(0, "key %s: not in the user keyring of uid %u", sig,
				  (unsigned)geteuid());
		else if (rc == -EINVAL)
			cli_error(0, "key %s: not a key module's key (a passphrase key needs no "
				  "ecryptfsd)", sig);
		else
			cli_error(rc, "key %s: reading it from the user keyring", sig);
		goto out;
	}
	/* The same lookup again, for the key's serial (0 if it went meanwhile). */
	serial = keyctl_search(KEY_SPEC_USER_KEYRING, "user", sig, 0);
	if (serial < 0)
		serial = 0;
	if (k && !strcmp(k->alias, alias) && k->blob_len == len && !memcmp(k->blob, blob, len) &&
	    (!k->refused || k->serial == serial)) {
		if (k->refused) {
			cli_error(0, "key %s: key module %s refused its token before (wrong "
				  "PIN?): not tried again until the key is added anew", sig,
				  alias);
			rc = -EKEYREJECTED;
			goto out;
		}
		*out = k;
		goto out;
	}
	if (k)
		key_drop(d, i);
	rc = key_open(d, sig, alias, blob, len, serial, out);
	blob = NULL;	/* the cache entry's now, or freed */
out:
	ecryptfs_secure_free(blob);
	return rc;
}

/* The reply payload for r into buf (EFSD_BLOB_MAX): 0 or a negative errno. */
static int answer(struct efsd *d, const struct efsd_req *r, uint8_t *buf, size_t *len)
{
	const struct ecryptfs_key_mod_ops *ops;
	char err[512] = "";
	struct key *k = NULL;
	int rc;

	rc = key_get(d, r->sig, &k);
	if (rc < 0)
		return rc;
	ops = ecryptfs_keymod_ops(k->mod);
	*len = EFSD_BLOB_MAX;
	if (r->tag == EFSD_TAG_DECRYPT) {
		rc = ops->decrypt(k->key, r->payload, r->payload_len, buf, len, err, sizeof(err));
		if (rc == 0 && efsd_fek_payload_check(buf, *len) < 0)
			rc = -EBADMSG;
	} else {
		rc = ops->encrypt(k->key, r->payload, r->payload_len, buf, len, err, sizeof(err));
		if (rc == 0 && (*len < 1 || *len > EFSD_BLOB_MAX))
			rc = -EMSGSIZE;
	}
	if (rc < 0)
		cli_error(0, "key %s: key module %s: %s a file key: %s", r->sig, k->alias,
			  r->tag == EFSD_TAG_DECRYPT ? "unwrapping" : "wrapping",
			  err[0] ? err : rc == -EBADMSG ? "not a file key packet (cipher code, "
			  "key, checksum)" : rc == -EMSGSIZE ? "wrapped key over 512 bytes" :
			  strerror(-rc));
	if (rc == -ENODEV)
		device_gone(d, k->alias);
	return rc;
}

void efsd_handle(struct efsd *d, const uint8_t *in, size_t in_len, uint8_t *out,
		 size_t *out_len)
{
	struct efsd_frame f;
	struct efsd_req r;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	*out_len = 0;
	rc = efsd_frame_parse(in, in_len, &f);
	if (rc < 0) {
		d->st.dropped++;
		cli_error(0, "dropped a malformed frame from the kernel (%zu bytes)", in_len);
		return;
	}
	if (f.type == EFSD_MSG_HELO || f.type == EFSD_MSG_QUIT)
		return;
	if (f.type != EFSD_MSG_REQUEST || !f.has_msg) {
		d->st.dropped++;
		cli_error(0, "dropped a frame of unknown type %u from the kernel", f.type);
		return;
	}
	rc = efsd_req_parse(f.data, f.data_len, &r);
	if (rc < 0) {
		/* Answer anyway, so that the open fails now, not after 3 s. */
		d->st.refused++;
		cli_error(0, "refused a malformed request from the kernel (tag 0x%02x, %zu "
			  "bytes)", f.data_len ? f.data[0] : 0, f.data_len);
		efsd_reply_build(f.data_len ? f.data[0] : 0, f.counter, f.index, NULL, 0, out,
				 EFSD_WRITE_MAX, out_len);
		return;
	}
	buf = ecryptfs_secure_alloc(EFSD_BLOB_MAX);
	rc = buf ? answer(d, &r, buf, &len) : -ENOMEM;
	if (rc == 0)
		rc = efsd_reply_build(r.tag, f.counter, f.index, buf, len, out, EFSD_WRITE_MAX,
				      out_len);
	if (rc < 0) {
		d->st.refused++;
		efsd_reply_build(r.tag, f.counter, f.index, NULL, 0, out, EFSD_WRITE_MAX,
				 out_len);
	} else {
		d->st.answered++;
	}
	ecryptfs_secure_free(buf);
}
