/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs-decrypt: recover a lower eCryptfs file or tree without a mount.
 *
 * Every entry that cannot be recovered is reported and skipped; the walk
 * goes on.  Output is only ever created (O_EXCL, mkdirat, symlinkat) relative
 * to directory fds under OUT, so names from the lower tree cannot reach
 * anything outside it and nothing that exists is overwritten.
 *
 * Exit status: 0 everything recovered, 1 some entries failed, 2 usage, keys
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
#include <sys/xattr.h>
#include <unistd.h>

#include "cli.h"
#include "ecryptfs.h"
#include "offline-keys.h"
#include "offline-walk.h"

#define EXIT_PARTIAL 1
#define EXIT_USAGE 2
#define CHUNK (1024 * 1024)
#define PREFIX_LEN (sizeof(ECRYPTFS_FNEK_PREFIX) - 1)

struct dec {
	struct offline_walk w;
	struct offline_keys keys;
	const char *fn_cipher;		/* --fn-cipher, or NULL: the packet's */
	size_t fn_key_bytes;		/* --fn-key-bytes, or 0 */
	bool plain_names;		/* --plain-names: take every name as it is */
	int lower_root;			/* for the key-size scan of legacy names */
	int out_root;			/* hard links are made relative to it */
	/* Data key sizes seen in headers, by cipher code (fn_key_bytes default). */
	size_t seen_key_bytes[256];
	size_t any_key_bytes;
	bool scanned;
	uint8_t *buf;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [OPTIONS] LOWER OUT\n"
		"Decrypt an eCryptfs lower file or directory tree into OUT, without a mount.\n"
		"\n"
		"Keys (at least one source):\n"
		"  --passphrase-file FILE    mount passphrase from the first line of FILE\n"
		"  --passphrase-fd N         mount passphrase from file descriptor N\n"
		"  --wrapped-passphrase FILE mount passphrase unwrapped from FILE with the\n"
		"                            login passphrase (prompted unless given by:)\n"
		"  --login-passphrase-file FILE, --login-passphrase-fd N\n"
		"  --sig SIG, --fnek-sig SIG keys already in the user keyring\n"
		"  --keyring                 look up any other signature in the keyring\n"
		"Filenames:\n"
		"  --fn-cipher NAME          cipher of encrypted names (default: each name's)\n"
		"  --fn-key-bytes N          its key size (default: AES from the name,\n"
		"                            other ciphers the data key size of the files)\n"
		"  --plain-names             names and symlink targets are not encrypted,\n"
		"                            even those that look so (no ecryptfs_fnek_sig)\n"
		"  -v, --verbose             list every entry written\n"
		"  -h, --help                this help\n"
		"  -V, --version             version\n"
		"\n"
		"Exit status: 0 all recovered, 1 some entries failed (listed on stderr),\n"
		"2 usage, key or path error.\n",
		cli_prog());
}

/* ---- key sizes of legacy filename ciphers ----------------------------- */

static void learn_header(struct dec *d, const struct ecryptfs_header *h)
{
	if (h->cipher_code && h->key_bytes) {
		if (!d->seen_key_bytes[h->cipher_code])
			d->seen_key_bytes[h->cipher_code] = h->key_bytes;
		if (!d->any_key_bytes)
			d->any_key_bytes = h->key_bytes;
	}
}

/* Read the header of one lower file, if it has one, and remember its sizes. */
static void scan_file(struct dec *d, int dfd, const char *name)
{
	struct ecryptfs_header *h = malloc(sizeof(*h));
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	ssize_t n;

	if (fd >= 0 && h) {
		n = pread(fd, d->buf, ECRYPTFS_HEADER_READ_MAX, 0);
		if (n > 0 && ecryptfs_header_parse(d->buf, (size_t)n, false, h) == 0) {
			learn_header(d, h);
		} else {
			n = fgetxattr(fd, ECRYPTFS_XATTR_NAME, d->buf, ECRYPTFS_HEADER_READ_MAX);
			if (n > 0 && ecryptfs_header_parse(d->buf, (size_t)n, true, h) == 0)
				learn_header(d, h);
		}
	}
	if (fd >= 0)
		close(fd);
	free(h);
}

static void scan_dir(struct dec *d, int dfd, unsigned depth, unsigned *budget)
{
	char **names;
	size_t n;

	if (depth > OFFLINE_MAX_DEPTH || offline_list_dir(dfd, &names, &n) < 0)
		return;
	for (size_t i = 0; i < n && *budget; i++) {
		struct stat st;

		if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		(*budget)--;
		if (S_ISREG(st.st_mode)) {
			scan_file(d, dfd, names[i]);
		} else if (S_ISDIR(st.st_mode)) {
			int sub = openat(dfd, names[i],
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub >= 0) {
				scan_dir(d, sub, depth + 1, budget);
				close(sub);
			}
		}
	}
	offline_free_list(names, n);
}

/*
 * The kernel keys legacy name ciphers with ecryptfs_fn_key_bytes, which
 * defaults to the data key size: find it in the files' headers.
 */
static size_t legacy_key_bytes(struct dec *d, uint8_t code)
{
	unsigned budget = 100000;

	if (!d->seen_key_bytes[code] && !d->scanned && d->lower_root >= 0) {
		d->scanned = true;
		scan_dir(d, d->lower_root, 0, &budget);
	}
	return d->seen_key_bytes[code] ? d->seen_key_bytes[code] : d->any_key_bytes;
}

/* ---- names ------------------------------------------------------------- */

static bool is_aes(uint8_t code)
{
	return code == ECRYPTFS_CIPHER_AES_128 || code == ECRYPTFS_CIPHER_AES_192 ||
	       code == ECRYPTFS_CIPHER_AES_256;
}

static bool has_prefix(const char *s)
{
	return strncmp(s, ECRYPTFS_FNEK_PREFIX, PREFIX_LEN) == 0;
}

/*
 * Decrypt a lower name or symlink target into out.  Names without the
 * prefix are kept as they are (a tree without filename encryption, or files
 * put into the lower directory by hand).  0 or a negative errno with *why.
 */
static int dec_name(struct dec *d, const char *lower, bool target, char *out, size_t out_size,
		    const char **why, char *sig_hex)
{
	struct ecryptfs_pass_key *key = NULL;
	struct ecryptfs_cipher_info ci;
	uint8_t sig[ECRYPTFS_SIG_SIZE], code;
	size_t len = strlen(lower), kb;
	int rc;

	*why = NULL;
	sig_hex[0] = '\0';
	if (d->plain_names || !has_prefix(lower)) {
		if (len + 1 > out_size)
			return -ENAMETOOLONG;
		memcpy(out, lower, len + 1);
		return 0;
	}
	rc = ecryptfs_fname_sig(lower, len, sig, &code);
	if (rc < 0) {
		*why = target ? "undecodable symlink target" : "undecodable encrypted name";
		goto out;
	}
	ecryptfs_sig_to_hex(sig, sig_hex);
	if (ecryptfs_cipher_info(code, &ci) < 0) {
		*why = "undecodable encrypted name (unknown cipher code)";
		rc = -EINVAL;
		goto out;
	}
	if (!ci.supported) {
		*why = "unsupported filename cipher";
		rc = -ENOTSUP;
		goto out;
	}
	if (d->fn_cipher && strcmp(d->fn_cipher, ci.name) != 0) {
		*why = "name encrypted with another cipher than --fn-cipher";
		rc = -EINVAL;
		goto out;
	}
	key = ecryptfs_pass_key_new();
	if (!key) {
		rc = -ENOMEM;
		goto out;
	}
	rc = ecryptfs_keyset_get_pass_key(d->keys.ks, sig, key);
	if (rc < 0) {
		*why = rc == -ENOKEY ? "no filename key" : NULL;
		goto out;
	}
	kb = d->fn_key_bytes;
	if (!kb && !is_aes(code)) {
		/* One possible size needs no guess (des3_ede). */
		kb = ci.min_key_bytes == ci.max_key_bytes ? ci.min_key_bytes :
			legacy_key_bytes(d, code);
		if (!kb) {
			*why = "filename key size unknown (give --fn-key-bytes)";
			rc = -EINVAL;
			goto out;
		}
	}
	if (target)
		rc = ecryptfs_symlink_decrypt(key, kb, lower, len, out, out_size);
	else
		rc = ecryptfs_fname_decrypt(key, kb, lower, len, out, out_size);
	if (rc == -EINVAL)
		*why = target ? "undecodable symlink target" :
			"undecodable name (or one that would leave its directory)";
	rc = rc < 0 ? rc : 0;
out:
	ecryptfs_pass_key_free(key);
	return rc;
}

static void fail_name(struct dec *d, const char *path, int rc, const char *why,
		      const char *sig_hex)
{
	if (rc == -ENOKEY && sig_hex[0])
		offline_fail(&d->w, path, "%s for sig %s", why ? why : "no key", sig_hex);
	else
		offline_fail(&d->w, path, "%s", why ? why : offline_strerror(rc));
}

/* ---- files ------------------------------------------------------------- */

/* Details for an unreadable file: the cipher or the sigs it wants. */
static void fail_file(struct dec *d, int fd, const char *path, int rc)
{
	struct ecryptfs_header *h = malloc(sizeof(*h));
	struct ecryptfs_cipher_info ci;
	char list[ECRYPTFS_MAX_PACKETS * 18 + 1] = "", hex[ECRYPTFS_SIG_HEX_SIZE + 1];
	ssize_t n;
	int prc = -1;

	if (h && (rc == -ENOKEY || rc == -ENOTSUP)) {
		n = pread(fd, d->buf, ECRYPTFS_HEADER_READ_MAX, 0);
		if (n > 0)
			prc = ecryptfs_header_parse(d->buf, (size_t)n, false, h);
		if (prc < 0) {
			n = fgetxattr(fd, ECRYPTFS_XATTR_NAME, d->buf, ECRYPTFS_HEADER_READ_MAX);
			if (n > 0)
				prc = ecryptfs_header_parse(d->buf, (size_t)n, true, h);
		}
	}
	if (prc == 0 && rc == -ENOTSUP && ecryptfs_cipher_info(h->cipher_code, &ci) == 0) {
		offline_fail(&d->w, path, "unsupported cipher %s (code 0x%02x, %zu-byte key)",
			     ci.name, h->cipher_code, h->key_bytes);
	} else if (prc == 0 && rc == -ENOKEY) {
		for (size_t i = 0; i < h->n_packets; i++) {
			ecryptfs_sig_to_hex(h->packets[i].sig, hex);
			if (i)
				strcat(list, " ");
			strcat(list, hex);
		}
		offline_fail(&d->w, path, "no key for sig %s", list);
	} else {
		offline_fail(&d->w, path, "%s", offline_strerror(rc));
	}
	free(h);
}

/* Decrypt one regular file into a new file upper in out_dfd. */
static int dec_file(struct dec *d, int lower_dfd, const char *name, const char *path,
		    const struct stat *st, int out_dfd, const char *upper)
{
	struct ecryptfs_file *f = NULL;
	uint64_t size, off = 0;
	int fd, out = -1, rc;

	fd = openat(lower_dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		offline_fail(&d->w, path, "cannot open: %s", cli_strerror(rc));
		return rc;
	}
	rc = ecryptfs_file_open(fd, NULL, d->keys.ks, 0, &f);
	if (rc < 0) {
		fail_file(d, fd, path, rc);
		goto out;
	}
	learn_header(d, ecryptfs_file_header(f));
	out = openat(out_dfd, upper, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		rc = -errno;
		offline_fail(&d->w, path, "cannot create %s: %s", upper, cli_strerror(rc));
		goto out;
	}
	size = ecryptfs_file_size(f);
	while (off < size) {
		size_t want = size - off < CHUNK ? (size_t)(size - off) : CHUNK;
		ssize_t n = ecryptfs_file_pread(f, d->buf, want, off);

		if (n == 0)
			n = -EIO;	/* the size field claims more than there is */
		if (n < 0) {
			rc = (int)n;
			offline_fail(&d->w, path, "%s", offline_strerror(rc));
			goto out;
		}
		rc = offline_write_full(out, d->buf, (size_t)n);
		if (rc < 0) {
			offline_fail(&d->w, path, "cannot write %s: %s", upper, cli_strerror(rc));
			goto out;
		}
		off += (uint64_t)n;
	}
	rc = offline_copy_xattrs(fd, out);
	if (rc < 0) {
		offline_fail(&d->w, path, "cannot copy extended attributes: %s", cli_strerror(rc));
		goto out;
	}
	rc = offline_copy_attrs_fd(&d->w, out, st);
	if (rc < 0)
		offline_fail(&d->w, path, "cannot set attributes: %s", cli_strerror(rc));
out:
	if (out >= 0) {
		close(out);
		/* Leave no partial plaintext that looks like a recovered file. */
		if (rc < 0)
			unlinkat(out_dfd, upper, 0);
	}
	ecryptfs_file_close(f);
	close(fd);
	return rc;
}

/* ---- the walk ---------------------------------------------------------- */

static void dec_dir(struct dec *d, int lower_dfd, const char *lower_path, int out_dfd,
		    const char *out_rel, unsigned depth);

static void dec_entry(struct dec *d, int lower_dfd, const char *name, const char *path,
		      int out_dfd, const char *out_rel_dir, const char *forced_upper,
		      unsigned depth)
{
	char upper[PATH_MAX], target[PATH_MAX], lt[PATH_MAX], sig_hex[ECRYPTFS_SIG_HEX_SIZE + 1];
	char *out_rel = NULL;
	const char *why, *prev;
	struct stat st;
	int rc;

	if (fstatat(lower_dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		offline_fail(&d->w, path, "%s", cli_strerror(-errno));
		return;
	}
	if (forced_upper) {
		snprintf(upper, sizeof(upper), "%s", forced_upper);
	} else {
		rc = dec_name(d, name, false, upper, sizeof(upper), &why, sig_hex);
		if (rc < 0) {
			fail_name(d, path, rc, why, sig_hex);
			if (S_ISDIR(st.st_mode))
				fprintf(stderr, "%s: %s: directory skipped with everything in it\n",
					cli_prog(), path);
			return;
		}
	}
	out_rel = offline_join(out_rel_dir, upper);
	if (!out_rel) {
		offline_fail(&d->w, path, "%s", cli_strerror(-ENOMEM));
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		int lsub = -1, osub = -1;

		if (d->w.have_skip && st.st_dev == d->w.skip_dev && st.st_ino == d->w.skip_ino)
			goto out;	/* OUT itself, inside LOWER */
		if (depth >= OFFLINE_MAX_DEPTH) {
			offline_fail(&d->w, path, "directory tree too deep");
			goto out;
		}
		if (mkdirat(out_dfd, upper, 0700) < 0) {
			offline_fail(&d->w, path, "cannot create directory %s: %s", out_rel,
				     cli_strerror(-errno));
			goto out;
		}
		lsub = openat(lower_dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		osub = openat(out_dfd, upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (lsub < 0 || osub < 0) {
			offline_fail(&d->w, path, "cannot open directory: %s", cli_strerror(-errno));
		} else {
			dec_dir(d, lsub, path, osub, out_rel, depth + 1);
			/* Times last: creating the entries changed them. */
			rc = offline_copy_xattrs(lsub, osub);
			if (rc == 0)
				rc = offline_copy_attrs_fd(&d->w, osub, &st);
			if (rc < 0)
				offline_fail(&d->w, path, "cannot set attributes: %s",
					     cli_strerror(rc));
			else
				offline_note(&d->w, path, out_rel);
		}
		if (lsub >= 0)
			close(lsub);
		if (osub >= 0)
			close(osub);
	} else if (S_ISREG(st.st_mode)) {
		prev = st.st_nlink > 1 ? offline_link_find(&d->w, &st) : NULL;
		if (prev) {
			/* prev is relative to OUT and made of names we created */
			if (linkat(d->out_root, prev, out_dfd, upper, 0) < 0)
				offline_fail(&d->w, path, "cannot link %s to %s: %s", out_rel, prev,
					     cli_strerror(-errno));
			else
				offline_note(&d->w, path, out_rel);
			goto out;
		}
		if (dec_file(d, lower_dfd, name, path, &st, out_dfd, upper) == 0) {
			offline_note(&d->w, path, out_rel);
			if (st.st_nlink > 1 && offline_link_add(&d->w, &st, out_rel) < 0)
				offline_fail(&d->w, path, "%s", cli_strerror(-ENOMEM));
		}
	} else if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlinkat(lower_dfd, name, lt, sizeof(lt) - 1);

		if (n < 0) {
			offline_fail(&d->w, path, "cannot read link: %s", cli_strerror(-errno));
			goto out;
		}
		lt[n] = '\0';
		rc = dec_name(d, lt, true, target, sizeof(target), &why, sig_hex);
		if (rc < 0) {
			fail_name(d, path, rc, why, sig_hex);
			goto out;
		}
		if (symlinkat(target, out_dfd, upper) < 0) {
			offline_fail(&d->w, path, "cannot create symlink %s: %s", out_rel,
				     cli_strerror(-errno));
			goto out;
		}
		rc = offline_copy_attrs_at(&d->w, out_dfd, upper, &st);
		if (rc < 0)
			offline_fail(&d->w, path, "cannot set attributes: %s", cli_strerror(rc));
		else
			offline_note(&d->w, path, out_rel);
	} else {
		/* fifos, sockets, devices: only their names were encrypted */
		if (mknodat(out_dfd, upper, st.st_mode, st.st_rdev) < 0) {
			offline_fail(&d->w, path, "cannot create %s: %s", out_rel,
				     cli_strerror(-errno));
			goto out;
		}
		rc = offline_copy_attrs_at(&d->w, out_dfd, upper, &st);
		if (rc < 0)
			offline_fail(&d->w, path, "cannot set attributes: %s", cli_strerror(rc));
		else
			offline_note(&d->w, path, out_rel);
	}
out:
	free(out_rel);
}

static void dec_dir(struct dec *d, int lower_dfd, const char *lower_path, int out_dfd,
		    const char *out_rel, unsigned depth)
{
	char **names;
	size_t n;
	int rc;

	rc = offline_list_dir(lower_dfd, &names, &n);
	if (rc < 0) {
		offline_fail(&d->w, lower_path, "cannot read directory: %s", cli_strerror(rc));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char *path = offline_join(lower_path, names[i]);

		if (!path) {
			offline_fail(&d->w, lower_path, "%s", cli_strerror(-ENOMEM));
			break;
		}
		dec_entry(d, lower_dfd, names[i], path, out_dfd, out_rel, NULL, depth);
		free(path);
	}
	offline_free_list(names, n);
}

/* LOWER is a directory: its contents go into OUT (created if missing). */
static int dec_tree(struct dec *d, const char *lower, const char *out)
{
	struct stat lst, ost;
	bool created = false;
	int rc = 0;

	d->lower_root = open(lower, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->lower_root < 0 || fstat(d->lower_root, &lst) < 0) {
		cli_error(-errno, "cannot open %s", lower);
		return -errno;
	}
	if (mkdir(out, 0700) == 0)
		created = true;
	else if (errno != EEXIST) {
		rc = -errno;
		cli_error(rc, "cannot create %s", out);
		return rc;
	}
	d->out_root = open(out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->out_root < 0 || fstat(d->out_root, &ost) < 0) {
		rc = -errno;
		cli_error(rc, "cannot open %s", out);
		return rc;
	}
	d->w.have_skip = true;
	d->w.skip_dev = ost.st_dev;
	d->w.skip_ino = ost.st_ino;
	if (lst.st_dev == ost.st_dev && lst.st_ino == ost.st_ino) {
		cli_error(0, "%s and %s are the same directory", lower, out);
		return -EINVAL;
	}
	dec_dir(d, d->lower_root, lower, d->out_root, "", 1);
	if (created) {
		rc = offline_copy_attrs_fd(&d->w, d->out_root, &lst);
		if (rc < 0)
			offline_fail(&d->w, out, "cannot set attributes: %s", cli_strerror(rc));
	}
	return 0;
}

/*
 * LOWER is one file (or symlink): into OUT/<decrypted name> when OUT is a
 * directory, otherwise into the new file OUT.
 */
static int dec_single(struct dec *d, const char *lower, const char *out)
{
	char *ldir = strdup(lower), *lbase = strdup(lower), *odir = strdup(out),
	     *obase = strdup(out);
	const char *forced = NULL;
	struct stat ost;
	int ldfd = -1, odfd = -1, rc = 0;

	if (!ldir || !lbase || !odir || !obase) {
		rc = -ENOMEM;
		cli_error(rc, "%s", lower);
		goto out;
	}
	ldfd = open(dirname(ldir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ldfd < 0) {
		rc = -errno;
		cli_error(rc, "cannot open the directory of %s", lower);
		goto out;
	}
	if (stat(out, &ost) == 0 && S_ISDIR(ost.st_mode)) {
		odfd = open(out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	} else {
		odfd = open(dirname(odir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		forced = basename(obase);
	}
	if (odfd < 0) {
		rc = -errno;
		cli_error(rc, "cannot open the directory of %s", out);
		goto out;
	}
	d->lower_root = dup(ldfd);
	d->out_root = odfd;
	dec_entry(d, ldfd, basename(lbase), lower, odfd, "", forced, 1);
out:
	if (ldfd >= 0)
		close(ldfd);
	free(ldir);
	free(lbase);
	free(odir);
	free(obase);
	return rc;
}

int main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		OFFLINE_KEY_LONGOPTS,
		{ "fn-cipher", required_argument, NULL, OPT_FN_CIPHER },
		{ "fn-key-bytes", required_argument, NULL, OPT_FN_KEY_BYTES },
		{ "plain-names", no_argument, NULL, 'P' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct offline_key_opts ko;
	struct dec d;
	struct stat st;
	int opt, rc, status = EXIT_USAGE;

	cli_init(argv[0]);
	memset(&d, 0, sizeof(d));
	d.lower_root = d.out_root = -1;
	offline_key_opts_init(&ko);
	while ((opt = getopt_long(argc, argv, "vhV", longopts, NULL)) != -1) {
		rc = offline_key_option(&ko, opt, optarg);
		if (rc < 0)
			return EXIT_USAGE;
		if (rc > 0)
			continue;
		switch (opt) {
		case OPT_FN_CIPHER:
			if (ecryptfs_cipher_code(optarg, 32) == -ENOENT) {
				cli_error(0, "unknown cipher '%s'", optarg);
				return EXIT_USAGE;
			}
			d.fn_cipher = optarg;
			break;
		case OPT_FN_KEY_BYTES:
			rc = offline_parse_uint(optarg, ECRYPTFS_MAX_KEY_BYTES);
			if (rc <= 0) {
				cli_error(0, "invalid --fn-key-bytes '%s'", optarg);
				return EXIT_USAGE;
			}
			d.fn_key_bytes = (size_t)rc;
			break;
		case 'P':
			d.plain_names = true;
			break;
		case 'v':
			d.w.verbose = true;
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
	if (!offline_key_opts_any(&ko)) {
		cli_error(0, "no key given (--passphrase-file, --passphrase-fd, "
			  "--wrapped-passphrase, --sig or --keyring)");
		return EXIT_USAGE;
	}
	cli_lock_memory();
	offline_raise_fd_limit();
	d.w.is_root = geteuid() == 0;
	d.buf = malloc(CHUNK);
	if (!d.buf) {
		cli_error(-ENOMEM, "buffer");
		return EXIT_USAGE;
	}
	if (offline_keys_load(&ko, &d.keys) < 0)
		goto out;
	if (lstat(argv[optind], &st) < 0) {
		cli_error(-errno, "cannot read %s", argv[optind]);
		goto out;
	}
	/* Plaintext is written as it is recovered: keep it private meanwhile. */
	umask(077);
	if (S_ISDIR(st.st_mode))
		rc = dec_tree(&d, argv[optind], argv[optind + 1]);
	else
		rc = dec_single(&d, argv[optind], argv[optind + 1]);
	if (rc == 0)
		status = d.w.failed ? EXIT_PARTIAL : 0;
	if (d.w.failed)
		fprintf(stderr, "%s: %u entr%s could not be recovered\n", cli_prog(), d.w.failed,
			d.w.failed == 1 ? "y" : "ies");
out:
	if (d.lower_root >= 0)
		close(d.lower_root);
	if (d.out_root >= 0)
		close(d.out_root);
	offline_walk_free(&d.w);
	offline_keys_free(&d.keys);
	free(d.buf);
	return status;
}
