/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs-encrypt: write a plaintext tree as a lower eCryptfs tree that the
 * kernel mounts with the same options (FORMAT.md Appendix C), without a
 * mount.  Files go through the same lower-file code as the FUSE daemon.
 *
 * Exit status: 0 everything written, 1 some entries failed, 2 usage, keys
 * or the top-level paths.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "ecryptfs.h"
#include "offline-keys.h"
#include "offline-walk.h"

#define EXIT_PARTIAL 1
#define EXIT_USAGE 2
#define CHUNK (1024 * 1024)
/* Longest lower symlink target the kernel writes: readlink into PATH_MAX. */
#define MAX_LOWER_TARGET 4096

enum fnek_mode { FNEK_NONE, FNEK_SETUP_PRIVATE, FNEK_SAME_KEY, FNEK_BY_SIG };

struct enc {
	struct offline_walk w;
	struct offline_keys keys;
	struct ecryptfs_policy pol;
	struct ecryptfs_pass_key *fnek;	/* names and targets, when encrypted */
	int out_root;
	uint8_t *buf;
};

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

static int parse_size(const char *what, const char *v, size_t *out)
{
	int n = offline_parse_uint(v, ECRYPTFS_MAX_KEY_BYTES);

	if (n <= 0) {
		cli_error(0, "invalid %s '%s'", what, v ? v : "");
		return -1;
	}
	*out = (size_t)n;
	return 0;
}

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
			if (parse_size(tok, v, &o->key_bytes) < 0)
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
			if (parse_size(tok, v, &o->fn_key_bytes) < 0)
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
static int setup_policy(struct enc *e, struct enc_opts *o)
{
	struct ecryptfs_pass_key *probe = NULL;
	int rc, code;

	rc = ecryptfs_policy_init(&e->pol, o->cipher, o->key_bytes);
	if (rc < 0) {
		cli_error(rc, "cipher %s with %zu-byte keys", o->cipher, o->key_bytes);
		return rc;
	}
	e->pol.xattr_metadata = o->xattr;
	if (o->n_sigs == 0) {
		if (!e->keys.data) {
			cli_error(0, "no data key: give a passphrase or ecryptfs_sig/--sig");
			return -EINVAL;
		}
		memcpy(o->sigs[0], e->keys.data->sig, ECRYPTFS_SIG_SIZE);
		o->n_sigs = 1;
	}
	probe = ecryptfs_pass_key_new();
	if (!probe)
		return -ENOMEM;
	for (size_t i = 0; i < o->n_sigs; i++) {
		char hex[ECRYPTFS_SIG_HEX_SIZE + 1];

		ecryptfs_sig_to_hex(o->sigs[i], hex);
		rc = ecryptfs_keyset_get_pass_key(e->keys.ks, o->sigs[i], probe);
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
			src = e->keys.fnek;
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
			rc = ecryptfs_keyset_get_pass_key(e->keys.ks, o->fnek_sig, e->fnek);
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

/* ---- the walk ------------------------------------------------------------ */

/* The lower name for a plaintext name: 0 or a negative errno. */
static int enc_name(struct enc *e, const char *name, char *out, size_t out_size)
{
	size_t len = strlen(name);
	int rc;

	if (!e->pol.encrypt_filenames) {
		if (len + 1 > out_size)
			return -ENAMETOOLONG;
		memcpy(out, name, len + 1);
		return 0;
	}
	rc = ecryptfs_fname_encrypt(e->fnek, e->pol.fn_cipher_code, e->pol.fn_key_bytes, name,
				    len, out, out_size);
	return rc < 0 ? rc : 0;
}

static int enc_file(struct enc *e, int plain_dfd, const char *name, const char *path,
		    const struct stat *st, int out_dfd, const char *lname)
{
	struct ecryptfs_file *f = NULL;
	uint64_t off = 0;
	int in, out = -1, rc;

	in = openat(plain_dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0) {
		rc = -errno;
		offline_fail(&e->w, path, "cannot open: %s", cli_strerror(rc));
		return rc;
	}
	out = openat(out_dfd, lname, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		rc = -errno;
		offline_fail(&e->w, path, "cannot create %s: %s", lname, cli_strerror(rc));
		goto out;
	}
	rc = ecryptfs_file_create(out, &e->pol, e->keys.ks, &f);
	if (rc < 0) {
		offline_fail(&e->w, path, "cannot write the header: %s", offline_strerror(rc));
		goto out;
	}
	for (;;) {
		ssize_t n = offline_read_full(in, e->buf, CHUNK), w;

		if (n < 0) {
			rc = (int)n;
			offline_fail(&e->w, path, "cannot read: %s", cli_strerror(rc));
			goto out;
		}
		if (n == 0)
			break;
		w = ecryptfs_file_pwrite(f, e->buf, (size_t)n, off);
		if (w != n) {
			rc = w < 0 ? (int)w : -EIO;
			offline_fail(&e->w, path, "cannot write %s: %s", lname, offline_strerror(rc));
			goto out;
		}
		off += (uint64_t)n;
	}
	rc = offline_copy_xattrs(in, out);
	if (rc < 0) {
		offline_fail(&e->w, path, "cannot copy extended attributes: %s", cli_strerror(rc));
		goto out;
	}
	rc = offline_copy_attrs_fd(&e->w, out, st);
	if (rc < 0)
		offline_fail(&e->w, path, "cannot set attributes: %s", cli_strerror(rc));
out:
	ecryptfs_file_close(f);
	if (out >= 0) {
		close(out);
		if (rc < 0)
			unlinkat(out_dfd, lname, 0);
	}
	close(in);
	return rc;
}

static void enc_dir(struct enc *e, int plain_dfd, const char *plain_path, int out_dfd,
		    const char *out_rel, unsigned depth);

static void enc_entry(struct enc *e, int plain_dfd, const char *name, const char *path,
		      int out_dfd, const char *out_rel_dir, const char *forced, unsigned depth)
{
	char lname[PATH_MAX], target[PATH_MAX], lt[MAX_LOWER_TARGET];
	char *out_rel = NULL;
	const char *prev;
	struct stat st;
	int rc;

	if (fstatat(plain_dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		offline_fail(&e->w, path, "%s", cli_strerror(-errno));
		return;
	}
	if (forced)
		snprintf(lname, sizeof(lname), "%s", forced);
	else if ((rc = enc_name(e, name, lname, sizeof(lname))) < 0) {
		offline_fail(&e->w, path, "cannot encrypt the name: %s%s", offline_strerror(rc),
			     rc == -ENAMETOOLONG ? " (at most 143 bytes)" : "");
		if (S_ISDIR(st.st_mode))
			fprintf(stderr, "%s: %s: directory skipped with everything in it\n",
				cli_prog(), path);
		return;
	}
	out_rel = offline_join(out_rel_dir, lname);
	if (!out_rel) {
		offline_fail(&e->w, path, "%s", cli_strerror(-ENOMEM));
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		int psub = -1, osub = -1;

		if (e->w.have_skip && st.st_dev == e->w.skip_dev && st.st_ino == e->w.skip_ino)
			goto out;	/* LOWER itself, inside PLAIN */
		if (depth >= OFFLINE_MAX_DEPTH) {
			offline_fail(&e->w, path, "directory tree too deep");
			goto out;
		}
		if (mkdirat(out_dfd, lname, 0700) < 0) {
			offline_fail(&e->w, path, "cannot create directory %s: %s", out_rel,
				     cli_strerror(-errno));
			goto out;
		}
		psub = openat(plain_dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		osub = openat(out_dfd, lname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (psub < 0 || osub < 0) {
			offline_fail(&e->w, path, "cannot open directory: %s", cli_strerror(-errno));
		} else {
			enc_dir(e, psub, path, osub, out_rel, depth + 1);
			rc = offline_copy_xattrs(psub, osub);
			if (rc == 0)
				rc = offline_copy_attrs_fd(&e->w, osub, &st);
			if (rc < 0)
				offline_fail(&e->w, path, "cannot set attributes: %s",
					     cli_strerror(rc));
			else
				offline_note(&e->w, path, out_rel);
		}
		if (psub >= 0)
			close(psub);
		if (osub >= 0)
			close(osub);
	} else if (S_ISREG(st.st_mode)) {
		prev = st.st_nlink > 1 ? offline_link_find(&e->w, &st) : NULL;
		if (prev) {
			/* One lower inode, one header and FEK, as the kernel's link() */
			if (linkat(e->out_root, prev, out_dfd, lname, 0) < 0)
				offline_fail(&e->w, path, "cannot link %s to %s: %s", out_rel, prev,
					     cli_strerror(-errno));
			else
				offline_note(&e->w, path, out_rel);
			goto out;
		}
		if (enc_file(e, plain_dfd, name, path, &st, out_dfd, lname) == 0) {
			offline_note(&e->w, path, out_rel);
			if (st.st_nlink > 1 && offline_link_add(&e->w, &st, out_rel) < 0)
				offline_fail(&e->w, path, "%s", cli_strerror(-ENOMEM));
		}
	} else if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlinkat(plain_dfd, name, target, sizeof(target) - 1);

		if (n <= 0) {
			offline_fail(&e->w, path, "cannot read link: %s", cli_strerror(-errno));
			goto out;
		}
		target[n] = '\0';
		if (e->pol.encrypt_filenames) {
			rc = ecryptfs_symlink_encrypt(e->fnek, e->pol.fn_cipher_code,
						      e->pol.fn_key_bytes, target, (size_t)n, lt,
						      sizeof(lt));
			if (rc < 0) {
				offline_fail(&e->w, path, "cannot encrypt the link target: %s",
					     offline_strerror(rc));
				goto out;
			}
		} else {
			memcpy(lt, target, (size_t)n + 1);
		}
		if (symlinkat(lt, out_dfd, lname) < 0) {
			offline_fail(&e->w, path, "cannot create symlink %s: %s", out_rel,
				     cli_strerror(-errno));
			goto out;
		}
		rc = offline_copy_attrs_at(&e->w, out_dfd, lname, &st);
		if (rc < 0)
			offline_fail(&e->w, path, "cannot set attributes: %s", cli_strerror(rc));
		else
			offline_note(&e->w, path, out_rel);
	} else {
		if (mknodat(out_dfd, lname, st.st_mode, st.st_rdev) < 0) {
			offline_fail(&e->w, path, "cannot create %s: %s", out_rel,
				     cli_strerror(-errno));
			goto out;
		}
		rc = offline_copy_attrs_at(&e->w, out_dfd, lname, &st);
		if (rc < 0)
			offline_fail(&e->w, path, "cannot set attributes: %s", cli_strerror(rc));
		else
			offline_note(&e->w, path, out_rel);
	}
out:
	free(out_rel);
}

static void enc_dir(struct enc *e, int plain_dfd, const char *plain_path, int out_dfd,
		    const char *out_rel, unsigned depth)
{
	char **names;
	size_t n;
	int rc;

	rc = offline_list_dir(plain_dfd, &names, &n);
	if (rc < 0) {
		offline_fail(&e->w, plain_path, "cannot read directory: %s", cli_strerror(rc));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char *path = offline_join(plain_path, names[i]);

		if (!path) {
			offline_fail(&e->w, plain_path, "%s", cli_strerror(-ENOMEM));
			break;
		}
		enc_entry(e, plain_dfd, names[i], path, out_dfd, out_rel, NULL, depth);
		free(path);
	}
	offline_free_list(names, n);
}

static int enc_tree(struct enc *e, const char *plain, const char *lower)
{
	struct stat pst, ost;
	bool created = false;
	int pfd, rc;

	pfd = open(plain, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0 || fstat(pfd, &pst) < 0) {
		rc = -errno;
		cli_error(rc, "cannot open %s", plain);
		if (pfd >= 0)
			close(pfd);
		return rc;
	}
	if (mkdir(lower, 0700) == 0) {
		created = true;
	} else if (errno != EEXIST) {
		rc = -errno;
		cli_error(rc, "cannot create %s", lower);
		close(pfd);
		return rc;
	}
	e->out_root = open(lower, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (e->out_root < 0 || fstat(e->out_root, &ost) < 0) {
		rc = -errno;
		cli_error(rc, "cannot open %s", lower);
		close(pfd);
		return rc;
	}
	if (pst.st_dev == ost.st_dev && pst.st_ino == ost.st_ino) {
		cli_error(0, "%s and %s are the same directory", plain, lower);
		close(pfd);
		return -EINVAL;
	}
	e->w.have_skip = true;
	e->w.skip_dev = ost.st_dev;
	e->w.skip_ino = ost.st_ino;
	enc_dir(e, pfd, plain, e->out_root, "", 1);
	if (created) {
		rc = offline_copy_attrs_fd(&e->w, e->out_root, &pst);
		if (rc < 0)
			offline_fail(&e->w, lower, "cannot set attributes: %s", cli_strerror(rc));
	}
	close(pfd);
	return 0;
}

/* PLAIN is one file: into LOWER/<encrypted name> if LOWER is a directory,
 * otherwise into the new file LOWER. */
static int enc_single(struct enc *e, const char *plain, const char *lower)
{
	char *pdir = strdup(plain), *pbase = strdup(plain), *ldir = strdup(lower),
	     *lbase = strdup(lower);
	const char *forced = NULL;
	struct stat st;
	int pfd = -1, rc = 0;

	if (!pdir || !pbase || !ldir || !lbase) {
		rc = -ENOMEM;
		cli_error(rc, "%s", plain);
		goto out;
	}
	pfd = open(dirname(pdir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0) {
		rc = -errno;
		cli_error(rc, "cannot open the directory of %s", plain);
		goto out;
	}
	if (stat(lower, &st) == 0 && S_ISDIR(st.st_mode)) {
		e->out_root = open(lower, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	} else {
		e->out_root = open(dirname(ldir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		forced = basename(lbase);
	}
	if (e->out_root < 0) {
		rc = -errno;
		cli_error(rc, "cannot open the directory of %s", lower);
		goto out;
	}
	enc_entry(e, pfd, basename(pbase), plain, e->out_root, "", forced, 1);
out:
	if (pfd >= 0)
		close(pfd);
	free(pdir);
	free(pbase);
	free(ldir);
	free(lbase);
	return rc;
}

int main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		OFFLINE_KEY_LONGOPTS,
		{ "options", required_argument, NULL, 'o' },
		{ "fnek", no_argument, NULL, 'F' },
		{ "fnek-same-key", no_argument, NULL, 'S' },
		{ "fn-cipher", required_argument, NULL, OPT_FN_CIPHER },
		{ "fn-key-bytes", required_argument, NULL, OPT_FN_KEY_BYTES },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct offline_key_opts ko;
	struct enc_opts o = { .cipher = "aes", .key_bytes = 16 };
	struct enc e;
	struct stat st;
	int opt, rc, status = EXIT_USAGE;

	cli_init(argv[0]);
	memset(&e, 0, sizeof(e));
	e.out_root = -1;
	offline_key_opts_init(&ko);
	while ((opt = getopt_long(argc, argv, "o:vhV", longopts, NULL)) != -1) {
		/* Keyring sigs name data keys here, as ecryptfs_sig= does. */
		if (opt == OPT_SIG && add_sig(&o, optarg) < 0)
			return EXIT_USAGE;
		rc = offline_key_option(&ko, opt, optarg);
		if (rc < 0)
			return EXIT_USAGE;
		if (opt == OPT_FNEK_SIG) {
			memcpy(o.fnek_sig, ko.fnek_sig, ECRYPTFS_SIG_SIZE);
			o.have_fnek_sig = true;
		}
		if (rc > 0)
			continue;
		switch (opt) {
		case 'o':
			if (parse_mount_opts(&o, optarg) < 0)
				return EXIT_USAGE;
			break;
		case 'F':
		case 'S':
			if (o.fnek != FNEK_NONE) {
				cli_error(0, "give only one of --fnek and --fnek-same-key");
				return EXIT_USAGE;
			}
			o.fnek = opt == 'F' ? FNEK_SETUP_PRIVATE : FNEK_SAME_KEY;
			break;
		case OPT_FN_CIPHER:
			o.fn_cipher = optarg;
			break;
		case OPT_FN_KEY_BYTES:
			if (parse_size("--fn-key-bytes", optarg, &o.fn_key_bytes) < 0)
				return EXIT_USAGE;
			break;
		case 'v':
			e.w.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("%s (ecryptfs-ng) %s\n", cli_prog(), PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	/* -o ecryptfs_sig=... names keyring keys unless a passphrase is given. */
	if (o.n_sigs || o.have_fnek_sig)
		ko.keyring = true;
	if (!offline_key_opts_any(&ko)) {
		cli_error(0, "no key given (--passphrase-file, --passphrase-fd, "
			  "--wrapped-passphrase or --sig)");
		return EXIT_USAGE;
	}
	cli_lock_memory();
	offline_raise_fd_limit();
	e.w.is_root = geteuid() == 0;
	e.buf = malloc(CHUNK);
	if (!e.buf) {
		cli_error(-ENOMEM, "buffer");
		return EXIT_USAGE;
	}
	if (offline_keys_load(&ko, &e.keys) < 0 || setup_policy(&e, &o) < 0)
		goto out;
	if (lstat(argv[optind], &st) < 0) {
		cli_error(-errno, "cannot read %s", argv[optind]);
		goto out;
	}
	if (S_ISDIR(st.st_mode))
		rc = enc_tree(&e, argv[optind], argv[optind + 1]);
	else
		rc = enc_single(&e, argv[optind], argv[optind + 1]);
	if (rc == 0)
		status = e.w.failed ? EXIT_PARTIAL : 0;
	if (e.w.failed)
		fprintf(stderr, "%s: %u entr%s could not be written\n", cli_prog(), e.w.failed,
			e.w.failed == 1 ? "y" : "ies");
out:
	if (e.out_root >= 0)
		close(e.out_root);
	offline_walk_free(&e.w);
	offline_keys_free(&e.keys);
	ecryptfs_pass_key_free(e.fnek);
	free(e.buf);
	return status;
}
