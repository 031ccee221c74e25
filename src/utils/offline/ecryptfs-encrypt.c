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

struct enc_opts {
	const char *cipher;
	size_t key_bytes;
	const char *fn_cipher;
	size_t fn_key_bytes;
	bool xattr;
	enum fnek_mode fnek;
	bool have_fnek_sig;
	uint8_t fnek_sig[ECRYPTFS_SIG_SIZE];
	uint8_t sigs[OFFLINE_MAX_SIGS][ECRYPTFS_SIG_SIZE];
	size_t n_sigs;
};

struct enc {
	struct offline_tool t;
	struct enc_opts o;
	struct ecryptfs_policy pol;
	struct ecryptfs_pass_key *fnek;	/* names and targets, when encrypted */
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

static int add_sig(struct enc_opts *o, const char *v)
{
	if (o->n_sigs == OFFLINE_MAX_SIGS || !v || ecryptfs_sig_from_hex(v, o->sigs[o->n_sigs])) {
		cli_error(0, "invalid ecryptfs_sig '%s'", v ? v : "");
		return -1;
	}
	o->n_sigs++;
	return 0;
}

/* One -o list: the names mount.ecryptfs understands that shape the tree. */
static int parse_mount_opts(struct enc_opts *o, char *list)
{
	static const char *const ignored[] = {
		"ecryptfs_unlink_sigs", "no_sig_cache", "ecryptfs_passthrough",
		"ecryptfs_mount_auth_tok_only", "ecryptfs_check_dev_ruid", "key",
		"ecryptfs_enable_filename_crypto", "verbosity", "rw", "ro", NULL,
	};
	char *save = NULL;

	for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *v = strchr(tok, '=');
		bool known = false;

		if (v)
			*v++ = '\0';
		if (strcmp(tok, "ecryptfs_cipher") == 0 && v) {
			o->cipher = v;
		} else if (strcmp(tok, "ecryptfs_key_bytes") == 0) {
			if (offline_parse_key_bytes(tok, v, &o->key_bytes) < 0)
				return -1;
		} else if (strcmp(tok, "ecryptfs_xattr_metadata") == 0) {
			o->xattr = true;
		} else if (strcmp(tok, "ecryptfs_sig") == 0) {
			if (add_sig(o, v) < 0)
				return -1;
		} else if (strcmp(tok, "ecryptfs_fnek_sig") == 0) {
			if (!v || ecryptfs_sig_from_hex(v, o->fnek_sig) < 0) {
				cli_error(0, "invalid ecryptfs_fnek_sig '%s'", v ? v : "");
				return -1;
			}
			o->have_fnek_sig = true;
		} else if (strcmp(tok, "ecryptfs_fn_cipher") == 0 && v) {
			o->fn_cipher = v;
		} else if (strcmp(tok, "ecryptfs_fn_key_bytes") == 0) {
			if (offline_parse_key_bytes(tok, v, &o->fn_key_bytes) < 0)
				return -1;
		} else if (strcmp(tok, "ecryptfs_encrypted_view") == 0) {
			cli_error(0, "ecryptfs_encrypted_view is a read-only mount option");
			return -1;
		} else {
			for (size_t i = 0; ignored[i]; i++)
				known |= strcmp(tok, ignored[i]) == 0;
			if (!known) {
				cli_error(0, "unknown mount option '%s'", tok);
				return -1;
			}
		}
	}
	return 0;
}

/* Policy and filename key from the options and the keys that were loaded. */
static int setup_policy(struct offline_tool *t)
{
	struct enc *e = OFFLINE_TOOL_OF(t, struct enc);
	struct enc_opts *o = &e->o;
	struct ecryptfs_pass_key *probe = NULL;
	int rc, code;

	rc = ecryptfs_policy_init(&e->pol, o->cipher, o->key_bytes);
	if (rc < 0) {
		cli_error(rc, "cipher %s with %zu-byte keys", o->cipher, o->key_bytes);
		return rc;
	}
	e->pol.xattr_metadata = o->xattr;
	if (o->n_sigs == 0) {
		if (!t->keys.data) {
			cli_error(0, "no data key: give a passphrase or ecryptfs_sig/--sig");
			return -EINVAL;
		}
		memcpy(o->sigs[0], t->keys.data->sig, ECRYPTFS_SIG_SIZE);
		o->n_sigs = 1;
	}
	probe = ecryptfs_pass_key_new();
	if (!probe)
		return -ENOMEM;
	for (size_t i = 0; i < o->n_sigs; i++) {
		char hex[ECRYPTFS_SIG_HEX_SIZE + 1];

		ecryptfs_sig_to_hex(o->sigs[i], hex);
		rc = ecryptfs_keyset_get_pass_key(t->keys.ks, o->sigs[i], probe);
		if (rc == 0)
			rc = ecryptfs_policy_add_sig(&e->pol, o->sigs[i]);
		if (rc < 0) {
			cli_error(rc, "key %s", hex);
			goto out;
		}
	}
	if (o->have_fnek_sig && o->fnek == FNEK_NONE)
		o->fnek = FNEK_BY_SIG;
	if (o->fnek != FNEK_NONE) {
		const struct ecryptfs_pass_key *src = NULL;

		if (o->fnek == FNEK_SETUP_PRIVATE) {
			src = t->keys.fnek;
			if (!src) {
				cli_error(0, "--fnek needs a passphrase");
				rc = -EINVAL;
				goto out;
			}
		}
		if (o->fnek == FNEK_SAME_KEY)
			memcpy(o->fnek_sig, e->pol.sigs[0], ECRYPTFS_SIG_SIZE);
		e->fnek = ecryptfs_pass_key_new();
		if (!e->fnek) {
			rc = -ENOMEM;
			goto out;
		}
		if (src) {
			*e->fnek = *src;
		} else {
			rc = ecryptfs_keyset_get_pass_key(t->keys.ks, o->fnek_sig, e->fnek);
			if (rc < 0) {
				cli_error(rc, "filename key");
				goto out;
			}
		}
		e->pol.encrypt_filenames = true;
		memcpy(e->pol.fnek_sig, e->fnek->sig, ECRYPTFS_SIG_SIZE);
		if (o->fn_cipher || o->fn_key_bytes) {
			size_t kb = o->fn_key_bytes ? o->fn_key_bytes : e->pol.key_bytes;

			code = ecryptfs_cipher_code(o->fn_cipher ? o->fn_cipher : o->cipher, kb);
			if (code < 0) {
				rc = code;
				cli_error(rc, "filename cipher %s with %zu-byte keys",
					  o->fn_cipher ? o->fn_cipher : o->cipher, kb);
				goto out;
			}
			e->pol.fn_cipher_code = (uint8_t)code;
			e->pol.fn_key_bytes = kb;
		}
	}
	rc = ecryptfs_policy_check(&e->pol);
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
	const struct ecryptfs_policy *p = &e->pol;
	int rc;

	if (!p->encrypt_filenames)
		rc = offline_copy_name(in, out, out_size);
	else if (target)
		rc = ecryptfs_symlink_encrypt(e->fnek, p->fn_cipher_code, p->fn_key_bytes, in,
					      strlen(in), out, out_size);
	else
		rc = ecryptfs_fname_encrypt(e->fnek, p->fn_cipher_code, p->fn_key_bytes, in,
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

	rc = ecryptfs_file_create(out_fd, &e->pol, t->keys.ks, &f);
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
	struct enc_opts *o = &e->o;

	switch (opt) {
	case OPT_SIG:		/* keyring sigs name data keys here, as ecryptfs_sig= */
		return add_sig(o, arg) < 0 ? -1 : 0;
	case OPT_FNEK_SIG:
		memcpy(o->fnek_sig, t->ko.fnek_sig, ECRYPTFS_SIG_SIZE);
		o->have_fnek_sig = true;
		return 0;
	case 'o':
		if (parse_mount_opts(o, arg) < 0)
			return -1;
		/* Sigs in -o name keyring keys unless a passphrase has them. */
		if (o->n_sigs || o->have_fnek_sig)
			t->ko.keyring = true;
		return 1;
	case 'F':
	case 'S':
		if (o->fnek != FNEK_NONE) {
			cli_error(0, "give only one of --fnek and --fnek-same-key");
			return -1;
		}
		o->fnek = opt == 'F' ? FNEK_SETUP_PRIVATE : FNEK_SAME_KEY;
		return 1;
	case OPT_FN_CIPHER:
		o->fn_cipher = arg;
		return 1;
	case OPT_FN_KEY_BYTES:
		return offline_parse_key_bytes("--fn-key-bytes", arg, &o->fn_key_bytes);
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
	static struct enc e = { .t.ops = &enc_ops, .o = { .cipher = "aes", .key_bytes = 16 } };
	int status = offline_main(&e.t, argc, argv);

	ecryptfs_pass_key_free(e.fnek);
	return status;
}
