/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs-decrypt: recover a lower eCryptfs file or tree without a mount.
 *
 * Every entry that cannot be recovered is reported and skipped; the walk
 * (offline-tree.c) goes on and never writes outside OUT.  This file is how
 * one lower name, symlink target and file become plaintext.
 *
 * Exit status: 0 everything recovered, 1 some entries failed, 2 usage, keys
 * or the top-level paths.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cli.h"
#include "libecryptfs.h"
#include "progress.h"
#include "tool.h"

#define PREFIX_LEN (sizeof(ECRYPTFS_FNEK_PREFIX) - 1)

struct dec {
	struct offline_tool t;
	const char *fn_cipher;		/* --fn-cipher, or NULL: the packet's */
	size_t fn_key_bytes;		/* --fn-key-bytes, or 0 */
	bool plain_names;		/* --plain-names: take every name as it is */
	/* Data key sizes seen in headers, by cipher code (fn_key_bytes default). */
	size_t seen_key_bytes[256];
	size_t any_key_bytes;
	bool scanned;			/* the lower tree was searched for them */
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

/* The header of an open lower file, from its head or its xattr: 0 or < 0. */
static int read_header(struct dec *d, int fd, struct ecryptfs_header *h)
{
	uint8_t *buf = d->t.buf;
	ssize_t n = pread(fd, buf, ECRYPTFS_HEADER_READ_MAX, 0);

	if (n > 0 && ecryptfs_header_parse(buf, (size_t)n, false, h) == 0)
		return 0;
	n = fgetxattr(fd, ECRYPTFS_XATTR_NAME, buf, ECRYPTFS_HEADER_READ_MAX);
	if (n > 0 && ecryptfs_header_parse(buf, (size_t)n, true, h) == 0)
		return 0;
	return -EBADMSG;
}

/* Remember the sizes of one lower file's header, if it has one. */
static void scan_file(struct dec *d, int dfd, const char *name)
{
	struct ecryptfs_header *h = malloc(sizeof(*h));
	/* O_NONBLOCK: a FIFO swapped in after the stat must not block us. */
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd >= 0 && h && read_header(d, fd, h) == 0)
		learn_header(d, h);
	if (fd >= 0)
		close(fd);
	free(h);
}

/*
 * Recursive, but bounded by OFFLINE_MAX_DEPTH with small frames, and by a
 * budget of entries: it only looks for a key size, it need not see all.
 */
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

	if (!d->seen_key_bytes[code] && !d->scanned && d->t.in_root >= 0) {
		d->scanned = true;
		scan_dir(d, d->t.in_root, 0, &budget);
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
 * Decrypt the lower name or symlink target of path into out.  Names without
 * the prefix are kept as they are (a tree without filename encryption, or
 * files put into the lower directory by hand).  0, or a negative errno after
 * reporting why.
 */
static int dec_name(struct offline_tool *t, const char *path, const char *lower, bool target,
		    char *out, size_t out_size)
{
	struct dec *d = OFFLINE_TOOL_OF(t, struct dec);
	struct ecryptfs_pass_key *key = NULL;
	struct ecryptfs_cipher_info ci;
	uint8_t sig[ECRYPTFS_SIG_SIZE], code;
	char sig_hex[ECRYPTFS_SIG_HEX_SIZE + 1] = "";
	size_t len = strlen(lower), kb;
	const char *why = NULL;
	int rc;

	if (d->plain_names || !has_prefix(lower)) {
		rc = offline_copy_name(lower, out, out_size);
		goto out;
	}
	rc = ecryptfs_fname_sig(lower, len, sig, &code);
	if (rc < 0) {
		why = target ? "undecodable symlink target" : "undecodable encrypted name";
		goto out;
	}
	ecryptfs_sig_to_hex(sig, sig_hex);
	if (ecryptfs_cipher_info(code, &ci) < 0) {
		why = "undecodable encrypted name (unknown cipher code)";
		rc = -EINVAL;
		goto out;
	}
	if (!ci.supported) {
		why = "unsupported filename cipher";
		rc = -ENOTSUP;
		goto out;
	}
	if (d->fn_cipher && strcmp(d->fn_cipher, ci.name) != 0) {
		why = "name encrypted with another cipher than --fn-cipher";
		rc = -EINVAL;
		goto out;
	}
	key = ecryptfs_pass_key_new();
	if (!key) {
		rc = -ENOMEM;
		goto out;
	}
	rc = ecryptfs_keyset_get_pass_key(d->t.keys.ks, sig, key);
	if (rc < 0) {
		why = rc == -ENOKEY ? "no filename key" : NULL;
		goto out;
	}
	kb = d->fn_key_bytes;
	if (!kb && !is_aes(code)) {
		/* One possible size needs no guess (des3_ede). */
		kb = ci.min_key_bytes == ci.max_key_bytes ? ci.min_key_bytes :
			legacy_key_bytes(d, code);
		if (!kb) {
			why = "filename key size unknown (give --fn-key-bytes)";
			rc = -EINVAL;
			goto out;
		}
	}
	if (target)
		rc = ecryptfs_symlink_decrypt(key, kb, lower, len, out, out_size);
	else
		rc = ecryptfs_fname_decrypt(key, kb, lower, len, out, out_size);
	if (rc == -EINVAL)
		why = target ? "undecodable symlink target" :
			"undecodable name (or one that would leave its directory)";
	rc = rc < 0 ? rc : 0;
out:
	ecryptfs_pass_key_free(key);
	if (rc == -ENOKEY && sig_hex[0])
		offline_fail(&d->t.w, path, "%s for sig %s", why ? why : "no key", sig_hex);
	else if (rc < 0)
		offline_fail(&d->t.w, path, "%s", why ? why : offline_strerror(rc));
	return rc;
}

/* ---- files ------------------------------------------------------------- */

/* Details for an unreadable file: the cipher or the sigs it wants. */
static void fail_file(struct dec *d, int fd, const char *path, int rc)
{
	struct ecryptfs_header *h = malloc(sizeof(*h));
	struct ecryptfs_cipher_info ci;
	char list[ECRYPTFS_MAX_PACKETS * (ECRYPTFS_SIG_HEX_SIZE + 1) + 1] = "";
	int prc = -1;

	char sizes[96];

	if (h && (rc == -ENOKEY || rc == -ENOTSUP || rc == -EINVAL || rc == -EBADMSG))
		prc = read_header(d, fd, h);
	if (prc == 0 && (rc == -EINVAL || rc == -EBADMSG) &&
	    ecryptfs_cipher_info(h->cipher_code, &ci) == 0 &&
	    ecryptfs_cipher_code(ci.name, h->key_bytes) == -EINVAL &&
	    ecryptfs_cipher_key_sizes(ci.name, sizes, sizeof(sizes)) > 0) {
		/* A key size the cipher cannot take: the library says EINVAL. */
		offline_fail(&d->t.w, path, "a %zu-byte key in the header: %s takes %s",
			     h->key_bytes, ci.name, sizes);
	} else if (prc == 0 && rc == -ENOTSUP && ecryptfs_cipher_info(h->cipher_code, &ci) == 0) {
		offline_fail(&d->t.w, path, "unsupported cipher %s (code 0x%02x, %zu-byte key)",
			     ci.name, h->cipher_code, h->key_bytes);
	} else if (prc == 0 && rc == -ENOKEY) {
		for (size_t i = 0; i < h->n_packets && i < ECRYPTFS_MAX_PACKETS; i++) {
			if (i)
				strcat(list, " ");
			ecryptfs_sig_to_hex(h->packets[i].sig, list + strlen(list));
		}
		offline_fail(&d->t.w, path, "no key for sig %s", list);
	} else {
		offline_fail(&d->t.w, path, "%s", offline_strerror(rc));
	}
	free(h);
}

/* The plaintext of the lower file in_fd into the new file out_fd. */
static int dec_contents(struct offline_tool *t, const char *path, int in_fd, int out_fd,
			const char *out_name)
{
	struct dec *d = OFFLINE_TOOL_OF(t, struct dec);
	struct ecryptfs_file *f = NULL;
	uint64_t size, off = 0;
	int rc;

	rc = ecryptfs_file_open(in_fd, NULL, t->keys.ks, 0, &f);
	if (rc < 0) {
		fail_file(d, in_fd, path, rc);
		return rc;
	}
	learn_header(d, ecryptfs_file_header(f));
	size = ecryptfs_file_size(f);
	while (off < size) {
		size_t want = size - off < OFFLINE_CHUNK ? (size_t)(size - off) : OFFLINE_CHUNK;
		ssize_t n = ecryptfs_file_pread(f, t->buf, want, off);

		if (n == 0)
			n = -EIO;	/* the size field claims more than there is */
		if (n < 0) {
			rc = (int)n;
			offline_fail(&t->w, path, "%s", offline_strerror(rc));
			break;
		}
		rc = ecryptfs_write_full(out_fd, t->buf, (size_t)n);
		if (rc < 0) {
			offline_fail(&t->w, path, "cannot write %s: %s", out_name,
				     cli_strerror(rc));
			break;
		}
		off += (uint64_t)n;
		cli_progress_add(t->w.progress, 0, (uint64_t)n);
	}
	ecryptfs_file_close(f);
	return rc;
}

static int dec_option(struct offline_tool *t, int opt, char *arg)
{
	struct dec *d = OFFLINE_TOOL_OF(t, struct dec);

	switch (opt) {
	case OPT_FN_CIPHER:
		if (ecryptfs_cipher_code(arg, 32) == -ENOENT) {
			cli_error(0, "unknown cipher '%s'", arg);
			return -1;
		}
		d->fn_cipher = arg;
		return 1;
	case OPT_FN_KEY_BYTES:
		return offline_parse_key_bytes("--fn-key-bytes", arg, &d->fn_key_bytes);
	case 'P':
		d->plain_names = true;
		return 1;
	default:
		return 0;
	}
}

static const struct option dec_longopts[] = {
	OFFLINE_KEY_LONGOPTS,
	OFFLINE_COMMON_LONGOPTS,
	{ "fn-cipher", required_argument, NULL, OPT_FN_CIPHER },
	{ "fn-key-bytes", required_argument, NULL, OPT_FN_KEY_BYTES },
	{ "plain-names", no_argument, NULL, 'P' },
	{ NULL, 0, NULL, 0 },
};

static const struct offline_tool_ops dec_ops = {
	.shortopts = "vhV",
	.longopts = dec_longopts,
	.usage = usage,
	.done_verb = "recovered",
	.option = dec_option,
	.name = dec_name,
	.contents = dec_contents,
};

int main(int argc, char *argv[])
{
	static struct dec d = { .t.ops = &dec_ops };

	return offline_main(&d.t, argc, argv);
}
