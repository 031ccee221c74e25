/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mount option parser (options.c) on arbitrary strings.  The first byte
 * picks which takers are accepted and whether a callback runs; the rest is
 * the option string.  No crash, leak or overread; every refusal says why in
 * a terminated line that names the option; every accepted string resolves
 * or fails with a cipher error; and every resolved policy formats into a
 * kernel string that parses and resolves back to the same policy.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libecryptfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WHO (ECRYPTFS_OPT_KERNEL | ECRYPTFS_OPT_HELPER | ECRYPTFS_OPT_VFS | ECRYPTFS_OPT_FSTAB | \
	     ECRYPTFS_OPT_FUSE)

/* Takes everything but refuses "noexec" and key-module options, as the programs do. */
static int other(void *ctx, const struct ecryptfs_opt *opt, const char *name, const char *value,
		 struct ecryptfs_opt_error *err)
{
	size_t *calls = ctx;

	(*calls)++;
	if (!opt || !name || strncmp(name, opt->name, strlen(opt->name)) != 0)
		abort();
	if (opt->field != ECRYPTFS_FIELD_NONE)
		abort();	/* field options never reach the callback */
	if (opt->kind == ECRYPTFS_OPT_FLAG && value)
		abort();	/* checked before: a flag without a field takes no value */
	if (opt->flags & ECRYPTFS_OPT_KEYMOD) {
		strcpy(err->text, "key-module option");
		return -EINVAL;
	}
	return strcmp(name, "noexec") == 0 ? -EPERM : 0;
}

static void check_error(const struct ecryptfs_opt_error *e)
{
	if (e->fault == ECRYPTFS_OPTERR_NONE || !e->text[0])
		abort();
	if (!memchr(e->text, 0, sizeof(e->text)) || !memchr(e->option, 0, sizeof(e->option)))
		abort();
}

static bool same(const struct ecryptfs_mount_opts *a, const struct ecryptfs_mount_opts *b)
{
	const struct ecryptfs_policy *p = &a->policy, *q = &b->policy;

	if (p->cipher_code != q->cipher_code || p->key_bytes != q->key_bytes ||
	    p->n_sigs != q->n_sigs || memcmp(p->sigs, q->sigs, p->n_sigs * ECRYPTFS_SIG_SIZE) ||
	    p->xattr_metadata != q->xattr_metadata || p->passthrough != q->passthrough ||
	    p->encrypted_view != q->encrypted_view || p->encrypt_filenames != q->encrypt_filenames)
		return false;
	if (p->encrypt_filenames &&
	    (memcmp(p->fnek_sig, q->fnek_sig, ECRYPTFS_SIG_SIZE) ||
	     p->fn_cipher_code != q->fn_cipher_code || p->fn_key_bytes != q->fn_key_bytes))
		return false;
	return a->unlink_sigs == b->unlink_sigs && a->mount_auth_tok_only == b->mount_auth_tok_only &&
	       a->check_dev_ruid == b->check_dev_ruid;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ecryptfs_mount_opts o, back;
	struct ecryptfs_opt_error err;
	unsigned accept;
	size_t calls = 0;
	char *s, out[4096];
	int rc, len;

	if (size < 1)
		return 0;
	accept = data[0] & WHO;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';

	memset(&o, 0, sizeof(o));
	rc = ecryptfs_mount_opts_parse(&o, s, accept, data[0] & 0x80 ? other : NULL, &calls, &err);
	if (rc == -EINVAL || rc == -EPERM) {
		check_error(&err);
		goto out;
	}
	if (rc == -ENOMEM)
		goto out;
	if (rc != 0 || err.fault != ECRYPTFS_OPTERR_NONE)
		abort();
	if (o.policy.n_sigs > ECRYPTFS_POLICY_MAX_KEYS || strlen(o.cipher) > ECRYPTFS_CIPHER_NAME_MAX ||
	    strlen(o.fn_cipher) > ECRYPTFS_CIPHER_NAME_MAX || o.key_bytes > ECRYPTFS_MAX_KEY_BYTES ||
	    o.fn_key_bytes > ECRYPTFS_MAX_KEY_BYTES)
		abort();
	if (o.policy.encrypted_view && !o.policy.xattr_metadata)
		abort();
	rc = ecryptfs_mount_opts_resolve(&o, &err);
	if (rc == -ENOENT || rc == -EINVAL || rc == -ENOTSUP) {
		check_error(&err);
		goto out;
	}
	if (rc != 0)
		abort();

	/* Round trip through the kernel's string. */
	len = ecryptfs_mount_opts_format(&o, out, sizeof(out));	/* 73 keys fit */
	if (len < 0 || (size_t)len != strlen(out))
		abort();
	memset(&back, 0, sizeof(back));
	if (ecryptfs_mount_opts_parse(&back, out, ECRYPTFS_OPT_KERNEL, NULL, NULL, &err) != 0 ||
	    ecryptfs_mount_opts_resolve(&back, &err) != 0 || !same(&o, &back))
		abort();
out:
	free(s);
	return 0;
}
