/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The passphrase key module behind the module interface: ecryptfs-utils'
 * parameters and aliases (passphrase_passwd/passwd,
 * passphrase_passwd_file/passfile holding passwd= or passphrase_passwd=,
 * passphrase_passwd_fd/passfd, passphrase_salt/salt, passphrase_type),
 * giving the passphrase key (libecryptfs's KDF) for a tag 3 packet.  It is
 * the example of a derive module (doc/ecryptfs-key-mod.7); mount.ecryptfs
 * keeps its built-in key=passphrase for the reference's exact dialogue.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libecryptfs.h"
#include "ecryptfs_key_mod.h"

#define EXPORT __attribute__((visibility("default")))

enum { P_TYPE, P_PASSWD, P_FILE, P_FD, P_SALT, N_PARAMS };

#define M ECRYPTFS_KEY_MOD_MOUNT
static const struct ecryptfs_key_mod_param params[N_PARAMS] = {
	[P_TYPE] = { "passphrase_type", NULL, "Method of providing the passphrase", NULL, M },
	[P_PASSWD] = { "passphrase_passwd", "passwd", "Passphrase", NULL,
		       M | ECRYPTFS_KEY_MOD_SECRET },
	[P_FILE] = { "passphrase_passwd_file", "passfile", "Passphrase File", NULL, M },
	/* [keep] the reference's spelling: expect scripts match it */
	[P_FD] = { "passphrase_passwd_fd", "passfd", "Passphrase File Discriptor", NULL, M },
	[P_SALT] = { "passphrase_salt", "salt", "Salt (hexadecimal representation)",
		     "0011223344556677", M },
};

static const char *value_of(const struct ecryptfs_key_mod_value *v, size_t n, int i)
{
	return ecryptfs_key_mod_value_of(v, n, &params[i]);
}

/* passphrase_passwd= (first) or passwd= in a parsed passphrase file. */
static const char *from_list(const struct ecryptfs_nvlist *l)
{
	const char *v = NULL;

	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].name && l->v[i].value && !strcmp(l->v[i].name, "passphrase_passwd"))
			v = l->v[i].value;
	for (size_t i = 0; i < l->n && !v; i++)
		if (l->v[i].name && l->v[i].value && !strcmp(l->v[i].name, "passwd"))
			v = l->v[i].value;
	return v;
}

static int pp_derive(const struct ecryptfs_key_mod_value *v, size_t n, uint8_t kek[64],
		     uint8_t salt_out[8], char *need, char *err, size_t errlen)
{
	const char *type = value_of(v, n, P_TYPE), *pw = value_of(v, n, P_PASSWD);
	const char *file = value_of(v, n, P_FILE), *fd = value_of(v, n, P_FD);
	const char *salt_hex = value_of(v, n, P_SALT);
	struct ecryptfs_pass_key *key = ecryptfs_pass_key_new();
	struct ecryptfs_nvlist l = {0};
	uint8_t salt[ECRYPTFS_SALT_SIZE];
	bool parsed = false;
	int rc;

	if (!key)
		return -ENOMEM;
	if (type) {
		if (!strcmp(type, "passphrase_passwd")) {
			file = fd = NULL;
		} else if (!strcmp(type, "passphrase_passwd_file")) {
			pw = fd = NULL;
			if (!file) {
				snprintf(need, 64, "%s", params[P_FILE].name);
				rc = -ENODATA;
				goto out;
			}
		} else if (!strcmp(type, "passphrase_passwd_fd")) {
			pw = file = NULL;
			if (!fd) {
				snprintf(need, 64, "%s", params[P_FD].name);
				rc = -ENODATA;
				goto out;
			}
		} else {
			snprintf(err, errlen, "passphrase_type: unknown method %.40s", type);
			rc = -EINVAL;
			goto out;
		}
	}
	if (salt_hex && ecryptfs_salt_from_hex(salt_hex, salt) < 0) {
		snprintf(err, errlen, "passphrase_salt: not 16 hexadecimal digits");
		rc = -EINVAL;
		goto out;
	}
	if (!salt_hex)
		memcpy(salt, ecryptfs_default_salt, sizeof(salt));
	if (!pw && file) {
		rc = ecryptfs_nvlist_parse_secret_file(file, &l);
		parsed = true;
		if (rc < 0) {
			snprintf(err, errlen, "the passphrase file %.256s: %s", file, strerror(-rc));
			goto out;
		}
		pw = from_list(&l);
		if (!pw) {
			snprintf(err, errlen, "no passwd= in the passphrase file %.256s", file);
			rc = -EINVAL;
			goto out;
		}
	} else if (!pw && fd) {
		char *end;
		long f = strtol(fd, &end, 0);

		if (end == fd || *end || f < 0 || f > 1 << 20) {
			snprintf(err, errlen, "passphrase_passwd_fd: not a file descriptor");
			rc = -EINVAL;
			goto out;
		}
		rc = ecryptfs_nvlist_parse_secret_fd((int)f, &l);
		parsed = true;
		if (rc < 0 || !(pw = from_list(&l))) {
			snprintf(err, errlen, "no passwd= on file descriptor %ld", f);
			rc = rc < 0 ? rc : -EINVAL;
			goto out;
		}
	}
	if (!pw || !*pw) {
		snprintf(need, 64, "%s", params[P_PASSWD].name);
		snprintf(err, errlen, "no passphrase given");
		rc = -ENODATA;
		goto out;
	}
	rc = ecryptfs_derive_pass_key(pw, strlen(pw), salt, key);
	if (rc < 0) {
		snprintf(err, errlen, "the passphrase: %s", rc == -EINVAL ?
			 "longer than 64 bytes or holding a NUL" : strerror(-rc));
		goto out;
	}
	memcpy(kek, key->kek, ECRYPTFS_MAX_KEY_BYTES);
	memcpy(salt_out, key->salt, ECRYPTFS_SALT_SIZE);
out:
	if (parsed)
		ecryptfs_nvlist_free(&l);
	ecryptfs_pass_key_free(key);
	return rc;
}

static const struct ecryptfs_key_mod_ops ops = {
	.abi_version = ECRYPTFS_KEY_MOD_ABI,
	.alias = "passphrase",
	.description = "a passphrase (tag 3 packets, no module at file open)",
	.params = params,
	.n_params = N_PARAMS,
	.derive = pp_derive,
};

EXPORT const struct ecryptfs_key_mod_ops *ecryptfs_key_mod_ops_v1(void)
{
	return &ops;
}
