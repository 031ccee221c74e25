/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mount.ecryptfs option lists: lookups over -o and ~/.ecryptfsrc, the stack
 * of graph values, and the scrubbing of userspace-only options out of the
 * string that goes to the kernel.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper.h"

static bool find_in(const struct ecryptfs_nvlist *l, const char *name, const char **value)
{
	/* From the end: a later duplicate overrides an earlier one. */
	for (size_t i = l->n; i-- > 0;) {
		if (l->v[i].name && strcmp(l->v[i].name, name) == 0) {
			*value = l->v[i].value;
			return true;
		}
	}
	return false;
}

bool mh_opt_find(const struct mh_opts *o, const char *name, const char **value)
{
	const char *dummy;

	if (!value)
		value = &dummy;
	*value = NULL;
	return find_in(&o->cmd, name, value) || find_in(&o->rc, name, value);
}

bool mh_opt_find2(const struct mh_opts *o, const char *name, const char *alias,
		  const char **value)
{
	return mh_opt_find(o, name, value) || (alias && mh_opt_find(o, alias, value));
}

int mh_stack_push(struct mh_stack *s, const char *fmt, ...)
{
	va_list ap;
	char *v;
	int r;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		char **nv = realloc(s->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		s->v = nv;
		s->cap = cap;
	}
	va_start(ap, fmt);
	r = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	s->v[s->n++] = v;
	return 0;
}

void mh_stack_free(struct mh_stack *s)
{
	for (size_t i = 0; i < s->n; i++) {
		/* fnek sigs and the like are not secret, but wiping costs nothing */
		explicit_bzero(s->v[i], strlen(s->v[i]));
		free(s->v[i]);
	}
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

/*
 * The reference's strip_userland_opts list; matched as prefixes
 * (doc/compatibility.md §4.2).
 */
static const char *const scrub_prefixes[] = {
	"key=", "cipher=", "passthrough", "ecryptfs_passthrough", "hmac",
	"ecryptfs_hmac", "xattr", "ecryptfs_xattr", "encrypted_view",
	"ecryptfs_encrypted_view", "user", "sig", "no_sig_cache", "verbose",
	"verbosity", "ecryptfs_enable_filename_crypto",
};

static bool has_name(const char *tok, size_t len, const char *name)
{
	size_t n = strlen(name);

	return len >= n && memcmp(tok, name, n) == 0 && (len == n || tok[n] == '=');
}

static bool is_exactly(const char *tok, size_t len, const char *s)
{
	return strlen(s) == len && memcmp(tok, s, len) == 0;
}

static bool scrubbed(const char *tok, size_t len)
{
	/* The reference's one exception. */
	if (len >= 10 && memcmp(tok, "xattr_user", 10) == 0)
		return false;
	/*
	 * Ours (doc/compatibility.md §4.5): the reference drops these two
	 * silently although the user asked for them; the kernel knows both.
	 */
	if (is_exactly(tok, len, "ecryptfs_xattr_metadata") || is_exactly(tok, len, "user_xattr"))
		return false;
	/*
	 * Ours: a passphrase given as its own -o token would reach mount(8)'s
	 * argv (visible in ps) and the kernel; the reference passes it on.
	 */
	if (has_name(tok, len, "passwd") || has_name(tok, len, "passphrase_passwd"))
		return true;
	/* Ours: the data-path choice is for this helper only. */
	if (has_name(tok, len, "datapath"))
		return true;
	for (size_t i = 0; i < sizeof(scrub_prefixes) / sizeof(scrub_prefixes[0]); i++) {
		size_t n = strlen(scrub_prefixes[i]);

		if (len >= n && memcmp(tok, scrub_prefixes[i], n) == 0)
			return true;
	}
	return false;
}

char *mh_scrub(const char *user_opts)
{
	const char *p = user_opts ? user_opts : "";
	size_t cap = strlen(p) + 1, n = 0;
	bool first = true;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	/* Empty tokens survive, as in the reference: ",rw,," stays ",rw,,". */
	for (;;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (!scrubbed(p, len)) {
			if (!first)
				out[n++] = ',';
			memcpy(out + n, p, len);
			n += len;
			first = false;
		}
		if (!e)
			break;
		p = e + 1;
	}
	out[n] = '\0';
	return out;
}

const char *mh_datapath_opt(const char *user_opts, char *buf, size_t len)
{
	const char *p = user_opts, *found = NULL;
	size_t flen = 0;

	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l > 9 && memcmp(p, "datapath=", 9) == 0) {
			found = p + 9;
			flen = l - 9;
		}
		p = e ? e + 1 : NULL;
	}
	if (!found || flen >= len)
		return found ? "" : NULL;
	memcpy(buf, found, flen);
	buf[flen] = '\0';
	return buf;
}
