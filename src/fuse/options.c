/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Mount options: exactly the string mount.ecryptfs hands to mount(2) for
 * the kernel, so either data path can be chosen without rewriting it.
 * libecryptfs's option table reads the kernel's options into the policy;
 * generic mount flags go on to the FUSE mount; fstab-only words that
 * mount(8) would have consumed are accepted and dropped; anything else
 * (mount.ecryptfs's own options included) is an error that names the option.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "efs.h"

/*
 * Generic flags libfuse cannot pass on: a FUSE mount is relatime already;
 * the finer atime policies, lazytime, mandatory locks and the kernel's log
 * level have no effect on a FUSE mount.
 */
static const char *const generic_ignored[] = {
	"relatime", "norelatime", "strictatime", "nostrictatime", "diratime", "nodiratime",
	"lazytime", "nolazytime", "mand", "nomand", "silent", "loud", NULL,
};

static bool in_list(const char *const *l, const char *w)
{
	for (; *l; l++)
		if (strcmp(*l, w) == 0)
			return true;
	return false;
}

static int add_fuse_opt(struct efs_opts *o, const char *w)
{
	size_t old = o->fuse_opts ? strlen(o->fuse_opts) : 0;
	char *n = realloc(o->fuse_opts, old + strlen(w) + 2);

	if (!n)
		return -ENOMEM;
	if (old)
		n[old++] = ',';
	strcpy(n + old, w);
	o->fuse_opts = n;
	return 0;
}

/* The table's options without a policy field: FUSE's own and the generic ones. */
static int other(void *ctx, const struct ecryptfs_opt *opt, const char *name, const char *value,
		 struct ecryptfs_opt_error *err)
{
	struct efs_opts *o = ctx;

	(void)value;	/* the table allows values only where they are ignored */
	(void)err;
	if (opt->flags & ECRYPTFS_OPT_FUSE) {
		if (strcmp(name, "allow_other") == 0)
			o->allow_other = true;
		else
			o->default_permissions = true;
		return 0;
	}
	if (!(opt->flags & ECRYPTFS_OPT_VFS) || in_list(generic_ignored, name))
		return 0;	/* fstab words */
	if (strcmp(name, "ro") == 0)
		o->ro = true;
	else if (strcmp(name, "rw") == 0)
		o->ro = false;
	return add_fuse_opt(o, name);
}

int efs_opts_parse(struct efs_opts *o, const char *optstr, char *err, size_t errlen)
{
	struct ecryptfs_opt_error e;
	int r;

	r = ecryptfs_mount_opts_parse(&o->mount, optstr,
				      ECRYPTFS_OPT_KERNEL | ECRYPTFS_OPT_VFS | ECRYPTFS_OPT_FSTAB |
				      ECRYPTFS_OPT_FUSE, other, o, &e);
	if (r == 0)
		r = ecryptfs_mount_opts_resolve(&o->mount, &e);
	if (r < 0) {
		snprintf(err, errlen, "%s", e.text[0] ? e.text : strerror(-r));
		return r;
	}
	if (o->mount.policy.encrypted_view) {
		/* As the kernel: the view is read-only (the table made it xattr mode). */
		o->ro = true;
		r = add_fuse_opt(o, "ro");
	}
	return r;
}

void efs_opts_free(struct efs_opts *o)
{
	free(o->fuse_opts);
	o->fuse_opts = NULL;
}
