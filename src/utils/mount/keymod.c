/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * key=MODULE for the installed key modules other than passphrase
 * (doc/ecryptfs-key-mod.7): the module's parameters from the options
 * (key=MODULE:name=value or name=value, then ~/.ecryptfsrc), what is
 * missing asked for when interactive, the key's token added to @u and
 * ecryptfs_sig= pushed, as the reference's openssl module does.  The kernel
 * path then needs ecryptfsd; our FUSE daemon runs the module itself.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "helper.h"
#include "ecryptfs_key_mod.h"

#define MAX_VALUES 32
#define ANSWER_MAX 4096	/* a path; a secret answer is at most CLI_SECRET_MAX */

struct values {
	struct ecryptfs_key_mod_value v[MAX_VALUES];
	char *owned[MAX_VALUES];	/* answers typed in (secure memory) */
	size_t n, n_owned;
};

static void values_free(struct values *vs)
{
	for (size_t i = 0; i < vs->n_owned; i++)
		ecryptfs_secure_free(vs->owned[i]);
}

/* Ask for parameter p (masked if secret): 0, or a negative errno. */
static int ask(const struct ecryptfs_key_mod_param *p, struct values *vs)
{
	char *buf;
	int r;

	if (vs->n == MAX_VALUES || vs->n_owned == MAX_VALUES)
		return -E2BIG;
	buf = ecryptfs_secure_alloc(ANSWER_MAX);
	if (!buf)
		return -ENOMEM;
	if (p->flags & ECRYPTFS_KEY_MOD_SECRET) {
		struct cli_secret s = {0};

		fflush(stdout);
		r = cli_secret_read_prompt(p->prompt ? p->prompt : p->name, &s);
		if (r == 0)
			memcpy(buf, s.buf, s.len + 1);
		cli_secret_free(&s);
	} else {
		printf("%s: ", p->prompt ? p->prompt : p->name);
		r = mh_read_line(buf, ANSWER_MAX);
	}
	if (r < 0) {
		ecryptfs_secure_free(buf);
		return r;
	}
	vs->owned[vs->n_owned++] = buf;
	vs->v[vs->n].name = p->name;
	vs->v[vs->n].value = buf;
	vs->n++;
	return 0;
}

/* An error about module alias (the library's texts name it already). */
static void say(const char *alias, const char *why, const char *tail)
{
	if (!strncmp(why, "key module ", 11))
		cli_error(0, "%s%s", why, tail);
	else
		cli_error(0, "key module %s: %s%s", alias, why, tail);
}

int mh_keymod_module(struct mh_opts *o, const char *alias, struct mh_stack *out,
		     char sig_hex[17])
{
	struct ecryptfs_keymod *m = NULL;
	const struct ecryptfs_key_mod_ops *ops;
	struct values vs = { .n = 0 };
	uint8_t *blob = ecryptfs_secure_alloc(ECRYPTFS_KEY_MOD_BLOB_MAX);
	struct ecryptfs_pass_key *pk = NULL;
	size_t len = 0;
	char err[512] = "", need[64];
	int r;

	if (!blob)
		return -ENOMEM;
	r = ecryptfs_keymod_load(alias, &m, err, sizeof(err));
	if (r < 0) {
		cli_error(0, "key=%s: %s", alias, err);
		goto out;
	}
	ops = ecryptfs_keymod_ops(m);
	for (size_t i = 0; i < ops->n_params && vs.n < MAX_VALUES; i++) {
		const struct ecryptfs_key_mod_param *p = &ops->params[i];
		const char *v = NULL;

		if (!(p->flags & ECRYPTFS_KEY_MOD_MOUNT))
			continue;
		if (mh_opt_find2(o, p->name, p->alias, &v) && v) {
			vs.v[vs.n].name = p->name;
			vs.v[vs.n].value = v;
			vs.n++;
		}
	}
	pk = ops->derive ? ecryptfs_pass_key_new() : NULL;
	if (ops->derive && !pk) {
		r = -ENOMEM;
		goto out;
	}
	/* Each round either succeeds or adds one answer. */
	for (size_t round = 0; round <= ops->n_params; round++) {
		const struct ecryptfs_key_mod_param *p = NULL;

		len = ECRYPTFS_KEY_MOD_BLOB_MAX;
		need[0] = '\0';
		err[0] = '\0';
		if (ops->derive)
			r = ecryptfs_keymod_derive(m, vs.v, vs.n, pk, need, err, sizeof(err));
		else
			r = ops->make_blob(vs.v, vs.n, blob, &len, need, err, sizeof(err));
		if (r != -ENODATA)
			break;
		for (size_t i = 0; i < ops->n_params && need[0]; i++)
			if (!strcmp(ops->params[i].name, need))
				p = &ops->params[i];
		if (!p || !o->interactive) {
			say(alias, err, o->interactive ? "" : " (and prompting is off)");
			r = -EINVAL;
			goto out;
		}
		r = ask(p, &vs);
		if (r < 0) {
			cli_error(r, "key module %s: reading %s", alias, p->name);
			goto out;
		}
	}
	if (r < 0) {
		say(alias, err[0] ? err : cli_strerror(r), "");
		goto out;
	}
	if (ops->derive) {
		/* A passphrase key: a tag 3 packet, no module when files open. */
		r = ecryptfs_keyring_add(pk, NULL);
		if (r < 0) {
			cli_error(r, "adding the key [%s] of key module %s to the user keyring",
				  pk->sig_hex, alias);
			goto out;
		}
		memcpy(sig_hex, pk->sig_hex, ECRYPTFS_SIG_HEX_SIZE + 1);
		r = mh_stack_push(out, "ecryptfs_sig=%s", sig_hex);
		goto out;
	}
	r = ecryptfs_keymod_key_sig(m, blob, len, sig_hex, err, sizeof(err));
	if (r < 0) {
		cli_error(0, "%s", err);
		goto out;
	}
	r = ecryptfs_keyring_add_module_key(alias, sig_hex, blob, len, NULL);
	if (r < 0) {
		cli_error(r, "adding the key [%s] of key module %s to the user keyring", sig_hex,
			  alias);
		goto out;
	}
	r = mh_stack_push(out, "ecryptfs_sig=%s", sig_hex);
	o->module_key = r == 0;
out:
	values_free(&vs);
	ecryptfs_pass_key_free(pk);
	ecryptfs_secure_free(blob);
	ecryptfs_keymod_unload(m);
	return r;
}
