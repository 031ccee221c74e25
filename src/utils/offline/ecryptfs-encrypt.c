/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs-encrypt: write a plaintext tree as a lower eCryptfs tree that the
 * kernel mounts with the same options (doc/format.md §12), without a
 * mount.  Files go through the same lower-file code as the FUSE daemon.
 *
 * Exit status: 0 everything written, 1 some entries failed, 2 usage, keys
 * or the top-level paths.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "libecryptfs.h"
#include "tool.h"

enum fnek_mode { FNEK_NONE, FNEK_SETUP_PRIVATE, FNEK_SAME_KEY, FNEK_BY_SIG };

struct enc {
	struct offline_tool t;
	/*
	 * -o, --sig, --fnek-sig, --fn-cipher: what a mount with the same options
	 * would write (libecryptfs's option table); mo.policy once resolved.
	 */
	struct ecryptfs_mount_opts mo;
	enum fnek_mode fnek;
	struct ecryptfs_pass_key *fnek_key;	/* names and targets, when encrypted */
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [OPTIONS] PLAIN LOWER\n"
		"Write the file or tree PLAIN as an eCryptfs lower tree LOWER that the kernel\n"
		"mounts with the same options.\n"
		"\n"
		"Mount options (-o, comma-separated, as mount.ecryptfs takes them):\n"
		"  ecryptfs_cipher=NAME (aes), ecryptfs_key_bytes=N (16),\n"
		"  ecryptfs_xattr_metadata, ecryptfs_sig=SIG, ecryptfs_fnek_sig=SIG,\n"
		"  ecryptfs_fn_cipher=NAME, ecryptfs_fn_key_bytes=N\n"
		"Filename encryption:\n"
		"  --fnek                    FNEK derived from the passphrase with the\n"
		"                            ecryptfs-setup-private salt\n"
		"  --fnek-same-key           FNEK = the data key (mount.ecryptfs's default)\n"
		"  --fn-cipher NAME, --fn-key-bytes N  (default: the data cipher and size)\n"
		"Keys:\n"
		"  --passphrase-file FILE, --passphrase-fd N, --wrapped-passphrase FILE\n"
		"  [--login-passphrase-file FILE | --login-passphrase-fd N],\n"
		"  --sig SIG, --fnek-sig SIG (keys in the user keyring)\n"
		"  -v, --verbose, -h, --help, -V, --version\n"
		"\n"
		"Exit status: 0 all written, 1 some entries failed (listed on stderr),\n"
		"2 usage, key or path error.\n",
		cli_prog());
}

/* ---- options ------------------------------------------------------------- */

/* One option by name, from an option of ours: 0, or -1 after saying why. */
static int set_opt(struct enc *e, const char *name, const char *value)
{
	struct ecryptfs_opt_error err;

	if (ecryptfs_mount_opts_set(&e->mo, name, value, &err) < 0) {
		cli_error(0, "%s", err.text);
		return -1;
	}
	return 0;
}

/*
 * The table's options without a field, as mount.ecryptfs would take them:
 * generic and fstab words do not shape the tree, nor do most of
 * mount.ecryptfs's own; a passphrase in the options is refused, keys come
 * from our key options.
 */
static int other_opt(void *ctx, const struct ecryptfs_opt *opt, const char *name,
		     const char *value, struct ecryptfs_opt_error *err)
{
	(void)ctx;
	(void)value;
	if (!(opt->flags & ECRYPTFS_OPT_KEYMOD))
		return 0;
	snprintf(err->text, sizeof(err->text), "mount option '%s': give the key with "
		 "--passphrase-file, --passphrase-fd, --wrapped-passphrase or --sig", name);
	return -EINVAL;
}

/* One -o list. */
static int parse_mount_opts(struct enc *e, const char *list)
{
	struct ecryptfs_opt_error err;

	if (ecryptfs_mount_opts_parse(&e->mo, list, ECRYPTFS_OPT_KERNEL | ECRYPTFS_OPT_HELPER |
				      ECRYPTFS_OPT_VFS | ECRYPTFS_OPT_FSTAB, other_opt, e, &err) < 0) {
		cli_error(0, "%s", err.text[0] ? err.text : "out of memory");
		return -1;
	}
	if (e->mo.policy.encrypted_view) {
		cli_error(0, "ecryptfs_encrypted_view is a read-only mount option");
		return -1;
	}
	return 0;
}

/* Policy and filename key from the options and the keys that were loaded. */
static int setup_policy(struct offline_tool *t)
{
	struct enc *e = OFFLINE_TOOL_OF(t, struct enc);
	struct ecryptfs_policy *p = &e->mo.policy;
	struct ecryptfs_pass_key *probe = NULL;
	struct ecryptfs_opt_error err;
	int rc;

	if (p->encrypt_filenames && e->fnek == FNEK_NONE)
		e->fnek = FNEK_BY_SIG;
	/* Before resolving: the filename cipher is checked only with a FNEK. */
	if (e->fnek != FNEK_NONE)
		p->encrypt_filenames = true;
	rc = ecryptfs_mount_opts_resolve(&e->mo, &err);
	if (rc < 0) {
		cli_error(0, "%s", err.text);
		return rc;
	}
	if (p->n_sigs == 0) {
		if (!t->keys.data) {
			cli_error(0, "no data key: give a passphrase or ecryptfs_sig/--sig");
			return -EINVAL;
		}
		ecryptfs_policy_add_sig(p, t->keys.data->sig);
	}
	probe = ecryptfs_pass_key_new();
	if (!probe)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_sigs; i++) {
		char hex[ECRYPTFS_SIG_HEX_SIZE + 1];

		ecryptfs_sig_to_hex(p->sigs[i], hex);
		rc = ecryptfs_keyset_get_pass_key(t->keys.ks, p->sigs[i], probe);
		if (rc < 0) {
			cli_error(rc, "key %s", hex);
			goto out;
		}
	}
	if (e->fnek != FNEK_NONE) {
		const struct ecryptfs_pass_key *src = NULL;

		if (e->fnek == FNEK_SETUP_PRIVATE) {
			src = t->keys.fnek;
			if (!src) {
				cli_error(0, "--fnek needs a passphrase");
				rc = -EINVAL;
				goto out;
			}
		}
		if (e->fnek == FNEK_SAME_KEY)
			memcpy(p->fnek_sig, p->sigs[0], ECRYPTFS_SIG_SIZE);
		e->fnek_key = ecryptfs_pass_key_new();
		if (!e->fnek_key) {
			rc = -ENOMEM;
			goto out;
		}
		if (src) {
			*e->fnek_key = *src;
		} else {
			rc = ecryptfs_keyset_get_pass_key(t->keys.ks, p->fnek_sig, e->fnek_key);
			if (rc < 0) {
				cli_error(rc, "filename key");
				goto out;
			}
		}
		memcpy(p->fnek_sig, e->fnek_key->sig, ECRYPTFS_SIG_SIZE);
	}
	rc = ecryptfs_policy_check(p);
	if (rc < 0)
		cli_error(rc, "mount options");
out:
	ecryptfs_pass_key_free(probe);
	return rc;
}

/* ---- names, targets, contents ------------------------------------------ */

/* The lower form of a plaintext name or symlink target of path. */
static int enc_name(struct offline_tool *t, const char *path, const char *in, bool target,
		    char *out, size_t out_size)
{
	struct enc *e = OFFLINE_TOOL_OF(t, struct enc);
	const struct ecryptfs_policy *p = &e->mo.policy;
	int rc;

	if (!p->encrypt_filenames)
		rc = offline_copy_name(in, out, out_size);
	else if (target)
		rc = ecryptfs_symlink_encrypt(e->fnek_key, p->fn_cipher_code, p->fn_key_bytes, in,
					      strlen(in), out, out_size);
	else
		rc = ecryptfs_fname_encrypt(e->fnek_key, p->fn_cipher_code, p->fn_key_bytes, in,
					    strlen(in), out, out_size);
	if (rc < 0)
		offline_fail(&t->w, path, "cannot encrypt the %s: %s%s",
			     target ? "link target" : "name", offline_strerror(rc),
			     rc == -ENAMETOOLONG && !target ? " (at most 143 bytes)" : "");
	return rc < 0 ? rc : 0;
}

/* The plaintext file in_fd as the new lower file out_fd. */
static int enc_contents(struct offline_tool *t, const char *path, int in_fd, int out_fd,
			const char *out_name)
{
	struct enc *e = OFFLINE_TOOL_OF(t, struct enc);
	struct ecryptfs_file *f = NULL;
	uint64_t off = 0;
	int rc;

	rc = ecryptfs_file_create(out_fd, &e->mo.policy, t->keys.ks, &f);
	if (rc < 0) {
		offline_fail(&t->w, path, "cannot write the header: %s", offline_strerror(rc));
		return rc;
	}
	/* To the end of what there is now: a file that grows or shrinks
	 * meanwhile gets the size that was read, with its header in step. */
	for (;;) {
		ssize_t n = ecryptfs_read_full(in_fd, t->buf, OFFLINE_CHUNK), w;

		if (n < 0) {
			rc = (int)n;
			offline_fail(&t->w, path, "cannot read: %s", cli_strerror(rc));
			break;
		}
		if (n == 0)
			break;
		w = ecryptfs_file_pwrite(f, t->buf, (size_t)n, off);
		if (w != n) {
			rc = w < 0 ? (int)w : -EIO;
			offline_fail(&t->w, path, "cannot write %s: %s", out_name,
				     offline_strerror(rc));
			break;
		}
		off += (uint64_t)n;
	}
	ecryptfs_file_close(f);
	return rc;
}

static int enc_option(struct offline_tool *t, int opt, char *arg)
{
	struct enc *e = OFFLINE_TOOL_OF(t, struct enc);

	switch (opt) {
	case OPT_SIG:		/* keyring sigs name data keys here, as ecryptfs_sig= */
		return set_opt(e, "ecryptfs_sig", arg);
	case OPT_FNEK_SIG:
		return set_opt(e, "ecryptfs_fnek_sig", arg);
	case 'o':
		if (parse_mount_opts(e, arg) < 0)
			return -1;
		/* Sigs in -o name keyring keys unless a passphrase has them. */
		if (e->mo.policy.n_sigs || e->mo.policy.encrypt_filenames)
			t->ko.keyring = true;
		return 1;
	case 'F':
	case 'S':
		if (e->fnek != FNEK_NONE) {
			cli_error(0, "give only one of --fnek and --fnek-same-key");
			return -1;
		}
		e->fnek = opt == 'F' ? FNEK_SETUP_PRIVATE : FNEK_SAME_KEY;
		return 1;
	case OPT_FN_CIPHER:
		return set_opt(e, "ecryptfs_fn_cipher", arg) < 0 ? -1 : 1;
	case OPT_FN_KEY_BYTES:
		return offline_parse_key_bytes("--fn-key-bytes", arg, &e->mo.fn_key_bytes);
	default:
		return 0;
	}
}

static const struct option enc_longopts[] = {
	OFFLINE_KEY_LONGOPTS,
	OFFLINE_COMMON_LONGOPTS,
	{ "options", required_argument, NULL, 'o' },
	{ "fnek", no_argument, NULL, 'F' },
	{ "fnek-same-key", no_argument, NULL, 'S' },
	{ "fn-cipher", required_argument, NULL, OPT_FN_CIPHER },
	{ "fn-key-bytes", required_argument, NULL, OPT_FN_KEY_BYTES },
	{ NULL, 0, NULL, 0 },
};

static const struct offline_tool_ops enc_ops = {
	.shortopts = "o:vhV",
	.longopts = enc_longopts,
	.usage = usage,
	.done_verb = "written",
	.option = enc_option,
	.prepare = setup_policy,
	.name = enc_name,
	.contents = enc_contents,
};

int main(int argc, char *argv[])
{
	/* The data cipher when -o names none: AES-128, as ecryptfs-setup-private. */
	static struct enc e = { .t.ops = &enc_ops, .mo = { .cipher = "aes", .key_bytes = 16 } };
	int status = offline_main(&e.t, argc, argv);

	ecryptfs_pass_key_free(e.fnek_key);
	return status;
}
