/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Mount options: exactly the string mount.ecryptfs hands to mount(2) for
 * the kernel, so either data path can be chosen without rewriting it.
 * Generic mount flags go on to the FUSE mount; fstab-only words that mount(8)
 * would have consumed are accepted and dropped; anything else is an error
 * that names the option.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "efs.h"

/* Handed to the FUSE mount as they are. */
static const char *const generic[] = {
	"rw", "ro", "suid", "nosuid", "dev", "nodev", "exec", "noexec", "sync", "async",
	"dirsync", "atime", "noatime", NULL,
};

/*
 * Generic flags libfuse cannot pass on: a FUSE mount is relatime already;
 * the finer atime policies and lazytime have no effect on a FUSE mount.
 */
static const char *const generic_ignored[] = {
	"relatime", "norelatime", "strictatime", "nostrictatime", "diratime", "nodiratime",
	"lazytime", "nolazytime", NULL,
};

/* Meaningful to mount(8) and fstab only; never reach a file system. */
static const char *const fstab_only[] = {
	"defaults", "auto", "noauto", "user", "nouser", "users", "owner", "group",
	"nofail", "_netdev", "silent", "loud", "mand", "nomand", NULL,
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

static int parse_uint(const char *v, unsigned *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || end == v || *end || n > 1024)
		return -EINVAL;
	*out = (unsigned)n;
	return 0;
}

static int parse_sig(const char *v, char out[ECRYPTFS_SIG_HEX_SIZE + 1])
{
	uint8_t sig[ECRYPTFS_SIG_SIZE];

	if (ecryptfs_sig_from_hex(v, sig) < 0)
		return -EINVAL;
	ecryptfs_sig_to_hex(sig, out);	/* the keyring holds lowercase */
	return 0;
}

static int one(struct efs_opts *o, char *w)
{
	char *v = strchr(w, '=');

	if (v)
		*v++ = 0;
#define FLAG(name, field) \
	if (strcmp(w, name) == 0 && !v) { o->field = true; return 0; }
	FLAG("ecryptfs_passthrough", passthrough);
	FLAG("ecryptfs_xattr_metadata", xattr_metadata);
	FLAG("ecryptfs_encrypted_view", encrypted_view);
	FLAG("ecryptfs_unlink_sigs", unlink_sigs);
	FLAG("ecryptfs_mount_auth_tok_only", mount_auth_tok_only);
	FLAG("ecryptfs_check_dev_ruid", check_dev_ruid);
	FLAG("allow_other", allow_other);
	FLAG("default_permissions", default_permissions);
#undef FLAG
	if (v && strcmp(w, "ecryptfs_sig") == 0) {
		if (o->nsigs == EFS_MAX_SIGS)
			return -E2BIG;
		return parse_sig(v, o->sigs[o->nsigs++]);
	}
	if (v && strcmp(w, "ecryptfs_fnek_sig") == 0)
		return parse_sig(v, o->fnek_sig);
	if (v && strcmp(w, "ecryptfs_cipher") == 0 && *v && strlen(v) < sizeof(o->cipher)) {
		strcpy(o->cipher, v);
		return 0;
	}
	if (v && strcmp(w, "ecryptfs_fn_cipher") == 0 && *v && strlen(v) < sizeof(o->fn_cipher)) {
		strcpy(o->fn_cipher, v);
		return 0;
	}
	if (v && strcmp(w, "ecryptfs_key_bytes") == 0)
		return parse_uint(v, &o->key_bytes);
	if (v && strcmp(w, "ecryptfs_fn_key_bytes") == 0)
		return parse_uint(v, &o->fn_key_bytes);
	if (!v && in_list(generic, w)) {
		if (strcmp(w, "ro") == 0)
			o->ro = true;
		else if (strcmp(w, "rw") == 0)
			o->ro = false;
		return add_fuse_opt(o, w);
	}
	if ((!v && (in_list(fstab_only, w) || in_list(generic_ignored, w))) || strncmp(w, "x-", 2) == 0 ||
	    (v && strcmp(w, "comment") == 0))
		return 0;
	return -ENOENT;
}

int efs_opts_parse(struct efs_opts *o, const char *optstr, char *err, size_t errlen)
{
	char *copy = strdup(optstr), *save = NULL, *w;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		char word[256];

		snprintf(word, sizeof(word), "%s", w);
		r = one(o, w);
		if (r == -ENOENT) {
			snprintf(err, errlen, "unknown mount option '%s'", word);
			r = -EINVAL;
			break;
		}
		if (r < 0) {
			snprintf(err, errlen, "bad mount option '%s': %s", word,
				 r == -E2BIG ? "too many keys" : strerror(-r));
			break;
		}
	}
	free(copy);
	if (r == 0 && !o->cipher[0])
		strcpy(o->cipher, "aes");	/* the kernel's default cipher */
	if (r == 0 && o->encrypted_view) {
		/* As the kernel: the view implies xattr metadata and read-only. */
		o->xattr_metadata = true;
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
