/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Key options of the offline tools.  A mount passphrase yields every key the
 * reference would have made from it (default-salt data key, the rc-file
 * salt's data key, the setup-private FNEK), because an offline tool cannot
 * know which one a tree used: each header and name then finds its key by sig.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "keys.h"

void offline_key_opts_init(struct offline_key_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->pass_fd = -1;
	o->login_fd = -1;
}

int offline_parse_uint(const char *s, unsigned max)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	return (int)v;
}

static int parse_sig(const char *arg, uint8_t sig[ECRYPTFS_SIG_SIZE])
{
	if (ecryptfs_sig_from_hex(arg, sig) < 0) {
		cli_error(0, "invalid signature '%s' (want 16 hex digits)", arg);
		return -1;
	}
	return 1;
}

/* 1 with *fd set, or -1 after a usage error. */
static int parse_fd(const char *opt, const char *arg, int *fd)
{
	*fd = offline_parse_uint(arg, 65535);
	if (*fd < 0) {
		cli_error(0, "invalid %s '%s'", opt, arg);
		return -1;
	}
	return 1;
}

int offline_key_option(struct offline_key_opts *o, int opt, const char *arg)
{
	if ((opt == OPT_PASSPHRASE_FILE || opt == OPT_PASSPHRASE_FD || opt == OPT_WRAPPED) &&
	    (o->pass_file || o->pass_fd >= 0 || o->wrapped)) {
		cli_error(0, "give one of --passphrase-file, --passphrase-fd and "
			  "--wrapped-passphrase");
		return -1;
	}
	switch (opt) {
	case OPT_PASSPHRASE_FILE:
		o->pass_file = arg;
		return 1;
	case OPT_PASSPHRASE_FD:
		return parse_fd("--passphrase-fd", arg, &o->pass_fd);
	case OPT_WRAPPED:
		o->wrapped = arg;
		return 1;
	case OPT_LOGIN_FILE:
		o->login_file = arg;
		return 1;
	case OPT_LOGIN_FD:
		return parse_fd("--login-passphrase-fd", arg, &o->login_fd);
	case OPT_SIG:
		if (o->n_sigs == OFFLINE_MAX_SIGS) {
			cli_error(0, "at most %d --sig options", OFFLINE_MAX_SIGS);
			return -1;
		}
		o->keyring = true;
		return parse_sig(arg, o->sigs[o->n_sigs++]);
	case OPT_FNEK_SIG:
		o->keyring = true;
		o->have_fnek_sig = true;
		return parse_sig(arg, o->fnek_sig);
	case OPT_KEYRING:
		o->keyring = true;
		return 1;
	default:
		return 0;
	}
}

bool offline_key_opts_any(const struct offline_key_opts *o)
{
	return o->pass_file || o->pass_fd >= 0 || o->wrapped || o->keyring;
}

/*
 * One line from fd into s, through the shared reader (which reads fd 0):
 * the descriptor is swapped in for the call so no second reader exists.
 */
static int secret_from_fd(int fd, const char *what, struct cli_secret *s)
{
	int saved, rc;

	if (fd == STDIN_FILENO)
		return cli_secret_get(CLI_SECRET_STDIN, what, NULL, NULL, s);
	saved = dup(STDIN_FILENO);
	if (dup2(fd, STDIN_FILENO) < 0) {
		rc = -errno;
		cli_error(rc, "%s: fd %d", what, fd);
		if (saved >= 0)
			close(saved);
		return rc;
	}
	rc = cli_secret_get(CLI_SECRET_STDIN, what, NULL, NULL, s);
	if (saved >= 0) {
		dup2(saved, STDIN_FILENO);
		close(saved);
	} else {
		close(STDIN_FILENO);
	}
	return rc;
}

static int secret_from_file(const char *path, const char *what, struct cli_secret *s)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY), rc;

	if (fd < 0) {
		rc = -errno;
		cli_error(rc, "%s: cannot open %s", what, path);
		return rc;
	}
	rc = secret_from_fd(fd, what, s);
	close(fd);
	return rc;
}

/* mount.ecryptfs passphrase files say "passphrase_passwd=SECRET". */
static void strip_passwd_prefix(struct cli_secret *s)
{
	static const char pfx[] = "passphrase_passwd=";
	size_t n = sizeof(pfx) - 1;

	if (s->len > n && strncmp(s->buf, pfx, n) == 0) {
		memmove(s->buf, s->buf + n, s->len - n + 1);
		s->len -= n;
		memset(s->buf + s->len, 0, n);
	}
}

static int add_derived(struct offline_keys *k, const struct cli_secret *pass,
		       const uint8_t *salt, struct ecryptfs_pass_key **keep)
{
	struct ecryptfs_pass_key *key = ecryptfs_pass_key_new();
	int rc;

	if (!key)
		return -ENOMEM;
	rc = ecryptfs_derive_pass_key(pass->buf, pass->len, salt, key);
	if (rc == 0)
		rc = ecryptfs_keyset_add_pass_key(k->ks, key);
	if (rc == 0 && keep) {
		*keep = key;
		key = NULL;
	}
	ecryptfs_pass_key_free(key);
	return rc;
}

/* The mount passphrase, read or unwrapped, into pass. */
static int get_passphrase(const struct offline_key_opts *o, struct cli_secret *pass)
{
	struct cli_secret login = { 0 };
	size_t len = 0;
	int rc;

	if (o->pass_file)
		return secret_from_file(o->pass_file, "passphrase", pass);
	if (o->pass_fd >= 0)
		return secret_from_fd(o->pass_fd, "passphrase", pass);
	if (o->login_file)
		rc = secret_from_file(o->login_file, "login passphrase", &login);
	else if (o->login_fd >= 0)
		rc = secret_from_fd(o->login_fd, "login passphrase", &login);
	else
		rc = cli_secret_get(CLI_SECRET_PROMPT, "login passphrase",
				    "Login passphrase", NULL, &login);
	if (rc < 0)
		goto out;
	pass->buf = ecryptfs_secure_alloc(CLI_SECRET_BUF);
	if (!pass->buf) {
		rc = -ENOMEM;
		goto out;
	}
	rc = ecryptfs_unwrap_file(o->wrapped, login.buf, login.len, NULL, pass->buf, &len);
	if (rc < 0) {
		cli_error(rc, "cannot unwrap %s", o->wrapped);
		goto out;
	}
	pass->len = len;
out:
	cli_secret_free(&login);
	return rc;
}

static int add_from_keyring(struct offline_keys *k, const uint8_t sig[ECRYPTFS_SIG_SIZE])
{
	struct ecryptfs_pass_key *key = ecryptfs_pass_key_new();
	char hex[ECRYPTFS_SIG_HEX_SIZE + 1];
	int rc;

	if (!key)
		return -ENOMEM;
	ecryptfs_sig_to_hex(sig, hex);
	rc = ecryptfs_keyring_get(hex, key);
	if (rc < 0)
		cli_error(rc, "key %s from the keyring", hex);
	else
		rc = ecryptfs_keyset_add_pass_key(k->ks, key);
	ecryptfs_pass_key_free(key);
	return rc;
}

int offline_keys_load(const struct offline_key_opts *o, struct offline_keys *k)
{
	struct cli_secret pass = { 0 };
	uint8_t salt[ECRYPTFS_SALT_SIZE];
	bool from_rc = false;
	int rc;

	memset(k, 0, sizeof(*k));
	rc = ecryptfs_keyset_new(&k->ks);
	if (rc < 0) {
		cli_error(rc, "key set");
		return rc;
	}
	if (o->pass_file || o->pass_fd >= 0 || o->wrapped) {
		rc = get_passphrase(o, &pass);
		if (rc < 0)
			goto out;
		strip_passwd_prefix(&pass);
		rc = ecryptfs_user_salt(salt, &from_rc);
		if (rc < 0)
			memcpy(salt, ecryptfs_default_salt, sizeof(salt));
		rc = add_derived(k, &pass, salt, &k->data);
		if (rc == 0 && from_rc && memcmp(salt, ecryptfs_default_salt, sizeof(salt)))
			rc = add_derived(k, &pass, ecryptfs_default_salt, NULL);
		if (rc == 0)
			rc = add_derived(k, &pass, ecryptfs_fnek_salt, &k->fnek);
		if (rc < 0) {
			cli_error(rc, "cannot derive keys from the passphrase");
			goto out;
		}
	}
	/* User keys grant read access to their possessor only: reach @u from
	 * our session keyring, as a login session does.  Best effort. */
	if (o->keyring)
		ecryptfs_keyring_link_user_session();
	for (size_t i = 0; i < o->n_sigs && rc == 0; i++)
		rc = add_from_keyring(k, o->sigs[i]);
	if (rc == 0 && o->have_fnek_sig)
		rc = add_from_keyring(k, o->fnek_sig);
	if (rc == 0 && o->keyring)
		ecryptfs_keyset_use_keyring(k->ks, true);
out:
	cli_secret_free(&pass);
	if (rc < 0)
		offline_keys_free(k);
	return rc;
}

void offline_keys_free(struct offline_keys *k)
{
	ecryptfs_keyset_free(k->ks);
	ecryptfs_pass_key_free(k->data);
	ecryptfs_pass_key_free(k->fnek);
	memset(k, 0, sizeof(*k));
}
