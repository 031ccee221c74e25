/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The passphrase key module of mount.ecryptfs (doc/compatibility.md §4.2):
 * get the passphrase (option, file, fd or prompt), derive the key with the
 * salt, add its auth token to @u and push ecryptfs_sig=.  The passphrase
 * only ever lives in secure memory and is never printed or logged.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "helper.h"

enum pass_type { PT_PASSWD, PT_FILE, PT_FD };

/* Copy v into s, in secure memory. */
static int secret_set(struct cli_secret *s, const char *v)
{
	size_t n = strlen(v);

	if (n > CLI_SECRET_MAX)
		return -E2BIG;
	if (!s->buf)
		s->buf = ecryptfs_secure_alloc(CLI_SECRET_BUF);
	if (!s->buf)
		return -ENOMEM;
	memcpy(s->buf, v, n + 1);
	s->len = n;
	return 0;
}

/* "passwd=" or "passphrase_passwd=" in a passphrase file (doc/compatibility.md §2.4). */
static int pass_from_list(const struct ecryptfs_nvlist *l, struct cli_secret *s)
{
	const char *v = NULL;

	/* Same precedence as the options: the long name, then the alias. */
	for (size_t i = l->n; i-- > 0 && !v;)
		if (l->v[i].name && l->v[i].value && !strcmp(l->v[i].name, "passphrase_passwd"))
			v = l->v[i].value;
	for (size_t i = l->n; i-- > 0 && !v;)
		if (l->v[i].name && l->v[i].value && !strcmp(l->v[i].name, "passwd"))
			v = l->v[i].value;
	if (!v)
		return -ENOENT;
	/* The last one counts, so an empty one is no passphrase at all. */
	if (!*v)
		return -ENODATA;
	return secret_set(s, v);
}

/*
 * The passphrase from a list parsed (r = the parse's result) out of `where`,
 * a file or an fd; the list is freed here.
 */
static int pass_from_parsed(int r, struct ecryptfs_nvlist *l, const char *where,
			    struct cli_secret *s)
{
	if (r == -EILSEQ || r == -EFBIG) {
		/* The reference would take what comes before a NUL, or read an
		 * endless input (a pipe from yes) until memory runs out. */
		if (r == -EILSEQ)
			cli_error(r, "%s", where);
		else
			cli_error(0, "%s: too long (more than %d bytes)", where,
				  ECRYPTFS_NVLIST_MAX_BYTES);
		return r == -EILSEQ ? -EINVAL : r;
	}
	if (r < 0) {
		cli_error(r, "cannot read %s", where);
		return r;
	}
	r = pass_from_list(l, s);
	ecryptfs_nvlist_free(l);
	if (r == -ENOENT) {
		cli_error(0, "Cannot find [passwd] directive in %s "
			  "(it must hold passwd=<passphrase>)", where);
		return -EINVAL;
	}
	if (r == -ENODATA) {
		cli_error(0, "the passphrase in %s is empty (passwd= needs a value)", where);
		return -EINVAL;
	}
	if (r < 0)
		cli_error(r, "the passphrase in %s", where);
	return r;
}

static int pass_from_file(const char *path, struct cli_secret *s)
{
	struct ecryptfs_nvlist l = {0};
	char where[4200];

	snprintf(where, sizeof(where), "the passphrase file %s", path);
	return pass_from_parsed(ecryptfs_nvlist_parse_secret_file(path, &l), &l, where, s);
}

static int pass_from_fd(const char *spec, struct cli_secret *s)
{
	struct ecryptfs_nvlist l = {0};
	char where[64], *end;
	long fd;

	errno = 0;
	fd = strtol(spec, &end, 0);	/* base 0, as the reference */
	if (errno || end == spec || *end || fd < 0 || fd > 1 << 20) {
		cli_error(0, "passphrase_passwd_fd: not a file descriptor: %s", spec);
		return -EINVAL;
	}
	snprintf(where, sizeof(where), "the input on fd %ld", fd);
	return pass_from_parsed(ecryptfs_nvlist_parse_secret_fd((int)fd, &l), &l, where, s);
}

/*
 * The reference's masked free-text node: up to 3 tries for a non-empty
 * value.  After the third empty answer the reference leaves the graph as if
 * it had finished, and the mount then fails on the missing
 * ecryptfs_key_bytes=; GAVE_UP reproduces that (same lines, same status).
 */
#define GAVE_UP 1
static int pass_prompt(struct cli_secret *s)
{
	for (int i = 0; i < 3; i++) {
		int r;

		fflush(stdout);
		cli_secret_free(s);
		*s = (struct cli_secret){0};
		r = cli_secret_read_prompt("Passphrase", s);
		if (r < 0) {
			cli_error(r, "reading the passphrase");
			/* The reference's status for a refused passphrase. */
			return r == -E2BIG || r == -EILSEQ ? -EINVAL : r;
		}
		if (s->len > 0)
			return 0;
		printf("Wrong input, non-empty value required!\n");
	}
	cli_error(0, "no passphrase after three tries");
	return GAVE_UP;
}

/* A path or fd number asked for with echo on ("Passphrase File", ...). */
static int ask_text(const char *prompt, char *buf, size_t len)
{
	for (int i = 0; i < 3; i++) {
		int r;

		printf("%s: ", prompt);
		r = mh_read_line(buf, len);
		if (r < 0)
			return r;
		if (buf[0])
			return 0;
		printf("Wrong input, non-empty value required!\n");
	}
	cli_error(0, "no %s after three tries", prompt);
	return GAVE_UP;
}

/* A passphrase file or fd: from the option name (or alias), else asked for. */
static int pass_from_source(struct mh_opts *o, const char *name, const char *alias,
			    const char *prompt, int (*from)(const char *, struct cli_secret *),
			    struct cli_secret *s)
{
	const char *v = NULL;
	char buf[4096];
	int r;

	if (mh_opt_find2(o, name, alias, &v) && v && *v)
		return from(v, s);
	if (!o->interactive)
		return -EINVAL;
	r = ask_text(prompt, buf, sizeof(buf));
	return r != 0 ? r : from(buf, s);
}

static int get_passphrase(struct mh_opts *o, struct cli_secret *s)
{
	const char *v = NULL, *t = NULL;
	enum pass_type type = PT_PASSWD;
	int r;

	if (mh_opt_find(o, "passphrase_type", &t) && t) {
		if (!strcmp(t, "passphrase_passwd"))
			type = PT_PASSWD;
		else if (!strcmp(t, "passphrase_passwd_file"))
			type = PT_FILE;
		else if (!strcmp(t, "passphrase_passwd_fd"))
			type = PT_FD;
		else {
			cli_error(0, "passphrase_type: unknown method %s", t);
			return -EINVAL;
		}
	} else if (mh_opt_find2(o, "passphrase_passwd", "passwd", NULL)) {
		type = PT_PASSWD;
	} else if (mh_opt_find2(o, "passphrase_passwd_file", "passfile", NULL)) {
		type = PT_FILE;
	} else if (mh_opt_find2(o, "passphrase_passwd_fd", "passfd", NULL)) {
		type = PT_FD;
	}

	switch (type) {
	case PT_PASSWD:
		if (mh_opt_find2(o, "passphrase_passwd", "passwd", &v) && v && *v) {
			r = secret_set(s, v);
			if (r < 0)
				cli_error(r, "passphrase_passwd");
			return r == -E2BIG ? -EINVAL : r;
		}
		if (!o->interactive) {
			cli_error(0, "no passphrase given (passphrase_passwd=, "
				  "passphrase_passwd_file= or passphrase_passwd_fd=) "
				  "and prompting is off");
			return -EINVAL;
		}
		return pass_prompt(s);
	case PT_FILE:
		return pass_from_source(o, "passphrase_passwd_file", "passfile", "Passphrase File",
					pass_from_file, s);
	case PT_FD:
		/* [keep] the reference's spelling: expect scripts match it */
		return pass_from_source(o, "passphrase_passwd_fd", "passfd",
					"Passphrase File Discriptor", pass_from_fd, s);
	}
	return -EINVAL;
}

int mh_passphrase_module(struct mh_opts *o, struct mh_stack *out, char sig_hex[17])
{
	struct cli_secret s = {0};
	struct ecryptfs_pass_key *key = NULL;
	uint8_t salt[ECRYPTFS_SALT_SIZE];
	const char *salt_hex = NULL;
	int r;

	/* salt= may come from ~/.ecryptfsrc through the merged list */
	if (mh_opt_find2(o, "passphrase_salt", "salt", &salt_hex) && salt_hex) {
		if (ecryptfs_salt_from_hex(salt_hex, salt) < 0) {
			cli_error(0, "passphrase_salt: not 16 hexadecimal digits: %s", salt_hex);
			return -EINVAL;
		}
	} else {
		memcpy(salt, ecryptfs_default_salt, sizeof(salt));
	}

	key = ecryptfs_pass_key_new();
	if (!key) {
		r = -ENOMEM;
		goto out;
	}
	r = get_passphrase(o, &s);
	if (r != 0)
		goto out;
	r = ecryptfs_derive_pass_key(s.buf, s.len, salt, key);
	if (r < 0) {
		cli_error(r, "deriving the key from the passphrase");
		goto out;
	}
	r = ecryptfs_keyring_add(key, NULL);
	if (r < 0) {
		cli_error(r, "adding the key [%s] to the user keyring", key->sig_hex);
		goto out;
	}
	memcpy(sig_hex, key->sig_hex, ECRYPTFS_SIG_HEX_SIZE + 1);
	r = mh_stack_push(out, "ecryptfs_sig=%s", key->sig_hex);
out:
	ecryptfs_pass_key_free(key);
	cli_secret_free(&s);
	return r;
}
