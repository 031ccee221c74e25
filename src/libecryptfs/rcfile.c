/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ~/.ecryptfsrc and option lists, tokenised as ecryptfs-utils does
 * (cmd_ln_parser.c), because users' rc files and passphrase_passwd_file
 * contents were written against that tokenizer:
 *  - tokens are separated by ',' and '\n' only (spaces are part of a token);
 *  - the first token of 128 characters or more ends the parse, silently;
 *  - a token starting with '=' or ':' is an error;
 *  - name and value are split at the LAST '=';
 *  - "key=<module>:a=1:b=2" stands for key=<module>, a=1, b=2.
 * The ':' expansion is limited to key= tokens, the one place the reference
 * documents it, so that a ':' inside a passphrase survives.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libecryptfs.h"
#include "internal.h"

#define RC_MAX_TOKEN 128
#define RC_NAME ".ecryptfsrc"

/*
 * All names and values point into one secure copy of the input (the arena);
 * the entry after the last one (v[n]) remembers it for ecryptfs_nvlist_free.
 */
static int add_entry(struct ecryptfs_nvlist *l, char *tok)
{
	char *eq;

	if (tok[0] == '=' || tok[0] == ':')
		return -EINVAL;
	/*
	 * A name ends at the last '=', as in the reference; but a value that is
	 * a PKCS#11 URI (the pkcs11 key module's uri=pkcs11:token=...;id=...)
	 * keeps its own '=' signs.
	 */
	eq = strchr(tok, '=');
	if (!eq || strncmp(eq + 1, "pkcs11:", 7) != 0)
		eq = strrchr(tok, '=');
	if (eq)
		*eq = '\0';
	l->v[l->n].name = tok;
	l->v[l->n].value = eq ? eq + 1 : NULL;
	l->n++;
	return 0;
}

static int add_token(struct ecryptfs_nvlist *l, char *tok)
{
	char *colon;
	int rc;

	if (tok[0] == '=' || tok[0] == ':')
		return -EINVAL;
	if (strncmp(tok, "key=", 4) != 0)
		return add_entry(l, tok);
	while ((colon = strchr(tok, ':'))) {
		/*
		 * NAME=pkcs11:... after key=MODULE is a PKCS#11 URI: its
		 * scheme's colon stays.
		 */
		if (strncmp(tok, "key=", 4) != 0 && colon - tok >= 7 &&
		    !strncmp(colon - 7, "=pkcs11", 7) &&
		    (colon = strchr(colon + 1, ':')) == NULL)
			break;
		*colon = '\0';
		if (*tok) {
			rc = add_entry(l, tok);
			if (rc < 0)
				return rc;
		}
		tok = colon + 1;
	}
	return *tok ? add_entry(l, tok) : 0;
}

ECRYPTFS_EXPORT int ecryptfs_nvlist_parse(const char *buf, size_t len,
					  struct ecryptfs_nvlist *out)
{
	struct ecryptfs_nvlist l = { NULL, 0 };
	char *arena = NULL, *p, *end;
	size_t cap = 2, tokens = 0;
	int rc;

	if (!out || (!buf && len)) {
		rc = -EINVAL;
		goto out;
	}
	/* The reference works on C strings: a NUL ends the input. */
	len = buf ? strnlen(buf, len) : 0;
	arena = ecryptfs_secure_alloc(len + 1);
	if (!arena) {
		rc = -ENOMEM;
		goto out;
	}
	if (len)
		memcpy(arena, buf, len);
	for (size_t i = 0; i < len; i++)
		if (arena[i] == ',' || arena[i] == '\n' || arena[i] == ':')
			cap++;
	/* Names and values are secrets; the pointers to them are not. */
	l.v = calloc(cap, sizeof(*l.v));
	if (!l.v) {
		rc = -ENOMEM;
		goto out;
	}
	rc = 0;
	/* The log names a token by its number, never by its text: values are secrets. */
	for (p = arena; p < arena + len; p = end + 1) {
		end = p + strcspn(p, ",\n");
		if (end == p)
			continue;
		tokens++;
		if (end - p >= RC_MAX_TOKEN) {
			ecryptfs_log(ECRYPTFS_LOG_WARNING, "options: token %zu has %d characters "
				     "or more; it and all after it are ignored, as ecryptfs-utils "
				     "does", tokens, RC_MAX_TOKEN);
			break;
		}
		*end = '\0';
		rc = add_token(&l, p);
		if (rc < 0) {
			ecryptfs_log(ECRYPTFS_LOG_ERR, "options: token %zu starts with '=' or ':' "
				     "(after any key=module: part)", tokens);
			goto out;
		}
	}
	l.v[l.n].name = arena;
	arena = NULL;
	*out = l;
	l.v = NULL;
out:
	free(l.v);
	ecryptfs_secure_free(arena);
	return rc;
}

/*
 * Where the input holds a passphrase (passphrase_passwd_file and _fd), a NUL
 * the reference would stop at must not shorten it silently: only a final
 * one, where `printf "passwd=%s\0"` puts it (a newline may follow), is
 * taken.
 */
static bool nul_inside(const char *buf, size_t len)
{
	const char *nul = memchr(buf, '\0', len);
	size_t rest;

	if (!nul)
		return false;
	rest = len - (size_t)(nul - buf) - 1;
	return !(rest == 0 || (rest == 1 && nul[1] == '\n'));
}

static int parse_fd(int fd, bool secret, struct ecryptfs_nvlist *out)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (!out || fd < 0) {
		rc = -EINVAL;
		goto out;
	}
	buf = ecryptfs_secure_alloc(ECRYPTFS_NVLIST_MAX_BYTES + 1);
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	/* Bounded: an endless input (a pipe from yes, /dev/zero) ends here. */
	rc = ecryptfs_read_bounded(fd, buf, ECRYPTFS_NVLIST_MAX_BYTES, &len);
	if (rc == 0 && secret && nul_inside(buf, len))
		rc = -EILSEQ;
	if (rc == 0)
		rc = ecryptfs_nvlist_parse(buf, len, out);
out:
	ecryptfs_secure_free(buf);
	return rc;
}

static int parse_file(const char *path, bool secret, struct ecryptfs_nvlist *out)
{
	int fd = -1, rc;

	if (!path || !out) {
		rc = -EINVAL;
		goto out;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	rc = parse_fd(fd, secret, out);
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

ECRYPTFS_EXPORT int ecryptfs_nvlist_parse_fd(int fd, struct ecryptfs_nvlist *out)
{
	return parse_fd(fd, false, out);
}

ECRYPTFS_EXPORT int ecryptfs_nvlist_parse_file(const char *path, struct ecryptfs_nvlist *out)
{
	return parse_file(path, false, out);
}

ECRYPTFS_EXPORT int ecryptfs_nvlist_parse_secret_fd(int fd, struct ecryptfs_nvlist *out)
{
	return parse_fd(fd, true, out);
}

ECRYPTFS_EXPORT int ecryptfs_nvlist_parse_secret_file(const char *path,
						      struct ecryptfs_nvlist *out)
{
	return parse_file(path, true, out);
}

const char *ecryptfs_nvlist_get(const struct ecryptfs_nvlist *l,
				const char *name)
{
	const char *value = NULL;
	bool found = false;

	if (!l || !name)
		return NULL;
	for (size_t i = l->n; i-- > 0 && !found;) {
		if (strcmp(l->v[i].name, name) == 0) {
			value = l->v[i].value;
			found = true;
		}
	}
	return value;
}

ECRYPTFS_EXPORT void ecryptfs_nvlist_free(struct ecryptfs_nvlist *l)
{
	if (!l)
		return;
	if (l->v) {
		/* The arena is secure memory: freeing it wipes every value. */
		ecryptfs_secure_free(l->v[l->n].name);
		free(l->v);
	}
	l->v = NULL;
	l->n = 0;
}

int ecryptfs_rc_salt(const char *rc_path, uint8_t salt[ECRYPTFS_SALT_SIZE],
		     bool *from_rc)
{
	struct ecryptfs_nvlist l = { NULL, 0 };
	const char *hex;
	int rc;

	if (from_rc)
		*from_rc = false;
	if (!rc_path || !salt)
		return -EINVAL;
	memcpy(salt, ecryptfs_default_salt, ECRYPTFS_SALT_SIZE);
	/*
	 * Like the reference's callers, anything short of a well-formed salt=
	 * (no file, unreadable, unparsable, not 16 hex) means the default.
	 */
	rc = ecryptfs_nvlist_parse_file(rc_path, &l);
	if (rc < 0) {
		if (rc != -ENOENT)
			ecryptfs_log(ECRYPTFS_LOG_WARNING, "%s: not read (%d); the default salt "
				     "is used", rc_path, rc);
		return 0;
	}
	hex = ecryptfs_nvlist_get(&l, "salt");
	if (hex && ecryptfs_salt_from_hex(hex, salt) == 0) {
		if (from_rc)
			*from_rc = true;
	} else {
		if (hex)
			ecryptfs_log(ECRYPTFS_LOG_WARNING, "%s: salt= is not 16 hex digits; the "
				     "default salt is used", rc_path);
		memcpy(salt, ecryptfs_default_salt, ECRYPTFS_SALT_SIZE);
	}
	ecryptfs_nvlist_free(&l);
	return 0;
}

int ecryptfs_user_rc_path(char **path)
{
	struct passwd pw, *res = NULL;
	char *buf = NULL;
	long size = sysconf(_SC_GETPW_R_SIZE_MAX);
	int rc;

	*path = NULL;
	if (size < 4096)
		size = 4096;
	buf = malloc((size_t)size);
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	/* The real uid's passwd home, never $HOME: setuid callers must not
	 * let the environment pick the file. */
	rc = getpwuid_r(getuid(), &pw, buf, (size_t)size, &res);
	if (rc || !res) {
		rc = rc ? -rc : -ENOENT;
		goto out;
	}
	if (asprintf(path, "%s/%s", pw.pw_dir, RC_NAME) < 0) {
		*path = NULL;
		rc = -ENOMEM;
		goto out;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

ECRYPTFS_EXPORT int ecryptfs_user_salt(uint8_t salt[ECRYPTFS_SALT_SIZE], bool *from_rc)
{
	char *path = NULL;
	int rc;

	if (from_rc)
		*from_rc = false;
	if (!salt)
		return -EINVAL;
	memcpy(salt, ecryptfs_default_salt, ECRYPTFS_SALT_SIZE);
	/* No passwd entry: no rc file either, the default it is. */
	if (ecryptfs_user_rc_path(&path) < 0) {
		rc = 0;
		goto out;
	}
	rc = ecryptfs_rc_salt(path, salt, from_rc);
out:
	free(path);
	return rc;
}
