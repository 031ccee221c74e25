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

static bool is_exactly(const char *tok, size_t len, const char *s)
{
	return strlen(s) == len && memcmp(tok, s, len) == 0;
}

/* An option's own strip rule (libecryptfs's table) covers the item tok. */
static bool strips(const struct ecryptfs_opt *e, const char *tok, size_t len)
{
	size_t n = strlen(e->name);

	switch (e->strip) {
	case ECRYPTFS_STRIP_NAME:
		return len >= n && memcmp(tok, e->name, n) == 0 && (len == n || tok[n] == '=');
	case ECRYPTFS_STRIP_PREFIX:
		return len >= n && memcmp(tok, e->name, n) == 0;
	case ECRYPTFS_STRIP_PREFIX_EQ:
		return len > n && memcmp(tok, e->name, n) == 0 && tok[n] == '=';
	default:
		return false;
	}
}

/*
 * The item exactly as the kernel writes one of its options: the bare name of
 * a flag, name=value otherwise.
 */
static bool kernel_form(const char *tok, size_t len)
{
	const char *eq = memchr(tok, '=', len);
	size_t n = eq ? (size_t)(eq - tok) : len;
	char name[64];
	const struct ecryptfs_opt *e;

	if (n >= sizeof(name))
		return false;
	memcpy(name, tok, n);
	name[n] = '\0';
	e = ecryptfs_opt_lookup(name);
	return e && (e->flags & ECRYPTFS_OPT_KERNEL) && e->strip == ECRYPTFS_STRIP_NONE &&
	       (e->kind == ECRYPTFS_OPT_FLAG) == !eq;
}

/*
 * The reference's strip_userland_opts: every item that an option's strip
 * rule covers (by prefix, as the reference: "user" also takes "users").
 */
static bool scrubbed(const char *tok, size_t len)
{
	size_t n;
	const struct ecryptfs_opt *t = ecryptfs_opt_table(&n);

	/* The reference's one exception. */
	if (len >= 10 && memcmp(tok, "xattr_user", 10) == 0)
		return false;
	/*
	 * Ours (doc/compatibility.md §4.5): a kernel option given as the
	 * kernel takes it is passed on, whatever prefix covers it.  The
	 * reference dropped the direct ecryptfs_xattr_metadata (prefix
	 * ecryptfs_xattr) and user_xattr (prefix user) silently although the
	 * user asked for them.
	 */
	if (kernel_form(tok, len) || is_exactly(tok, len, "user_xattr"))
		return false;
	for (size_t i = 0; i < n; i++)
		if (strips(&t[i], tok, len))
			return true;
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

int mh_opts_check_tokens(const char *opts, char *msg, size_t msg_len)
{
	const char *p = opts, *seg, *eq = NULL;
	size_t len = 0, n = 0;

	for (; p && *p; p += len + (p[len] != '\0')) {
		len = strcspn(p, ",\n");
		n++;
		if (len >= MH_MAX_TOKEN)
			break;
	}
	if (!p || !*p)
		return 0;
	/*
	 * The item that crosses the limit: in key=MODULE:a=1:b=2 the
	 * colon-separated one, else the token.  Its name ends at its last '='
	 * (the tokenizer's split) before the limit.
	 */
	seg = p;
	if (strncmp(p, "key=", 4) == 0)
		for (const char *c = p; c < p + MH_MAX_TOKEN - 1; c++)
			if (*c == ':')
				seg = c + 1;
	for (const char *c = seg; c < p + MH_MAX_TOKEN - 1 && *c != ':' && c < p + len; c++)
		if (*c == '=')
			eq = c;
	if (eq)
		snprintf(msg, msg_len, "%.*s: value too long (max %d)", (int)(eq - seg), seg,
			 (int)(MH_MAX_TOKEN - 1 - (eq + 1 - p)));
	else
		snprintf(msg, msg_len, "option %zu: too long (max %d characters)", n,
			 MH_MAX_TOKEN - 1);
	return -E2BIG;
}
