/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs-stat FILE...: what the header of an eCryptfs lower file says,
 * without any key.  First the six lines of ecryptfs-utils 111 (or its "not
 * found" line), then ours: where the header was read, cipher, every key
 * packet's signature, the extents, and whether the header is sound.
 *
 * Departures from the reference (doc/ecryptfs-stat.1): a file whose head is
 * not a header but whose user.ecryptfs xattr is (xattr metadata mode) is
 * reported from the xattr; open and read errors go to stderr with exit 1;
 * options (--help, --version, --reference-only, --strict) and several files.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cli.h"
#include "libecryptfs.h"

#define XATTR_MAX 65536		/* the VFS limit of one xattr value */

struct source {
	uint8_t *buf;
	size_t len;
	bool in_xattr;
};

static bool opt_ref_only, opt_strict;

static void help(void)
{
	printf("Usage: ecryptfs-stat [OPTIONS] FILE...\n"
	       "Show the eCryptfs header of lower (encrypted) files; no key needed.\n"
	       "The header comes from the file's first 4096 bytes or, failing that,\n"
	       "from its user.ecryptfs extended attribute.\n"
	       "\n"
	       "  -r, --reference-only  only the lines ecryptfs-utils prints\n"
	       "  -s, --strict          exit 3 when a header is missing or unsound\n"
	       "  -h, --help            this help\n"
	       "  -V, --version         version\n"
	       "\n"
	       "Exit status: 0 done (also for files that are not eCryptfs, as\n"
	       "ecryptfs-utils does), 1 a file could not be read, 2 usage,\n"
	       "3 with --strict: a header is missing or unsound.\n");
}

/* Read up to cap bytes from the start; the count, or a negative errno. */
static ssize_t read_head(int fd, uint8_t *buf, size_t cap)
{
	size_t got = 0;

	while (got < cap) {
		/* read, not pread: FIFOs and character devices cannot seek. */
		ssize_t n = read(fd, buf + got, cap - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;	/* an empty FIFO (opened O_NONBLOCK) */
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* The user.ecryptfs value into src (malloc'd), or 0 with src->len 0 if none. */
static int read_xattr(int fd, struct source *src)
{
	ssize_t n;

	src->buf = malloc(XATTR_MAX);
	if (!src->buf)
		return -ENOMEM;
	n = fgetxattr(fd, ECRYPTFS_XATTR_NAME, src->buf, XATTR_MAX);
	if (n < 0) {
		/* Absent, or a file system or file type without user xattrs. */
		if (errno == ENODATA || errno == ENOTSUP || errno == EPERM)
			n = 0;
		else
			return -errno;
	}
	src->len = (size_t)n;
	src->in_xattr = true;
	return 0;
}

static const char *why_not(int rc)
{
	switch (rc) {
	case -ENODATA:
		return "empty file without a user.ecryptfs attribute";
	case -ENOMSG:
		return "no eCryptfs marker: not an eCryptfs file";
	case -EPROTO:
		return "file format version above 3";
	case -EBADMSG:
		return "malformed header or key packets";
	case -EIO:
		return "truncated header";
	case -ENOPKG:
		return "unknown cipher code in a key packet";
	default:
		return strerror(-rc);
	}
}

static void sig_hex(const uint8_t sig[ECRYPTFS_SIG_SIZE], char out[ECRYPTFS_SIG_HEX_SIZE + 1])
{
	ecryptfs_sig_to_hex(sig, out);
}

/* Why the header cannot be right for this lower file ("" when sound). */
static void judge(const struct ecryptfs_header *h, uint64_t lower, char *why, size_t cap)
{
	struct ecryptfs_cipher_info ci;
	uint64_t data_off = h->in_xattr ? 0 : h->metadata_size;
	/* A lower file is at most INT64_MAX bytes (off_t); beyond, the sum overflows. */
	bool huge = h->size > (uint64_t)INT64_MAX - data_off - ECRYPTFS_EXTENT_SIZE;
	uint64_t want = huge ? 0 : ecryptfs_lower_size(h->size, data_off);
	size_t n = 0;

#define ADD(...) (n += (size_t)snprintf(why + n, n < cap ? cap - n : 0, __VA_ARGS__))
	why[0] = '\0';
	if (!(h->flags & ECRYPTFS_FLAG_ENCRYPTED))
		ADD("%sthe encrypted flag is clear", n ? "; " : "");
	if (!h->in_xattr && (h->flags & ECRYPTFS_FLAG_METADATA_IN_XATTR))
		ADD("%sflag 0x04 (metadata in xattr) in an in-file header", n ? "; " : "");
	if (h->in_xattr && !(h->flags & ECRYPTFS_FLAG_METADATA_IN_XATTR))
		ADD("%sflag 0x04 missing in the xattr header", n ? "; " : "");
	if (h->cipher_code && ecryptfs_cipher_info(h->cipher_code, &ci) < 0)
		ADD("%sa %zu-byte key does not fit the cipher", n ? "; " : "", h->key_bytes);
	else if (h->cipher_code && ecryptfs_cipher_code(ci.name, h->key_bytes) == -EINVAL) {
		char sizes[96];

		if (ecryptfs_cipher_key_sizes(ci.name, sizes, sizeof(sizes)) <= 0)
			strcpy(sizes, "none");
		ADD("%sa %zu-byte key (%s takes %s)", n ? "; " : "", h->key_bytes, ci.name, sizes);
	}
	if (huge)
		ADD("%sthe size field (%" PRIu64 ") is larger than any file can be", n ? "; " : "",
		    h->size);
	else if (lower < want)
		ADD("%slower file is %" PRIu64 " bytes, the size field needs %" PRIu64
		    " (data missing)", n ? "; " : "", lower, want);
	else if (lower > want)
		ADD("%slower file is %" PRIu64 " bytes, the size field accounts for %" PRIu64,
		    n ? "; " : "", lower, want);
#undef ADD
}

/* Our lines after the reference's.  Returns true when the header is sound. */
static bool print_ours(const struct source *src, uint64_t lower)
{
	struct ecryptfs_header *h = malloc(sizeof(*h));
	struct ecryptfs_cipher_info ci;
	char hex[ECRYPTFS_SIG_HEX_SIZE + 1], why[512];
	uint64_t data_off, extents;
	bool sound = false;
	int rc;

	if (!h) {
		cli_error(-ENOMEM, "parsing the header");
		return false;
	}
	rc = ecryptfs_header_parse(src->buf, src->len, src->in_xattr, h);
	if (rc < 0) {
		/* A plaintext file has no header rather than a bad one. */
		printf("Header: [%s: %s]\n", rc == -ENOMSG || rc == -ENODATA ? "none" : "unsound",
		       why_not(rc));
		goto out;
	}
	printf("Header location: [%s]\n", src->in_xattr ? "user.ecryptfs extended attribute" :
	       "front of the file");
	if (!h->cipher_code)
		printf("Cipher: [not stated: public-key packets only]\n");
	else if (ecryptfs_cipher_info(h->cipher_code, &ci) == 0)
		printf("Cipher: [%s], key size [%zu] bytes (code 0x%02x)%s\n", ci.name, h->key_bytes,
		       h->cipher_code, ci.supported ? "" : ", not supported by ecryptfs-ng");
	printf("Key packets: [%zu]\n", h->n_packets);
	for (size_t i = 0; i < h->n_packets; i++) {
		sig_hex(h->packets[i].sig, hex);
		printf("Key signature: [%s] (%s)\n", hex, h->packets[i].tag == 3 ?
		       "tag 3, passphrase" : "tag 1, public key");
	}
	data_off = h->in_xattr ? 0 : h->metadata_size;
	extents = h->size / ECRYPTFS_EXTENT_SIZE + (h->size % ECRYPTFS_EXTENT_SIZE != 0);
	printf("Extents: [%" PRIu64 "] of [%d] bytes, data at lower offset [%" PRIu64 "]\n",
	       extents, ECRYPTFS_EXTENT_SIZE, data_off);
	printf("Lower file size: [%" PRIu64 "]\n", lower);
	judge(h, lower, why, sizeof(why));
	sound = why[0] == '\0';
	if (sound)
		printf("Header: [sound]\n");
	else
		printf("Header: [unsound: %s]\n", why);
out:
	free(h);
	return sound;
}

/* The reference's six lines for a header it reads (ecryptfs_header_ref_parse). */
static void print_ref(const struct ecryptfs_header_ref *r)
{
	printf("File version: [%u]\n", r->version);
	printf("Decrypted file size: [%" PRIu64 "]\n", r->size);
	printf("Number of header bytes at front of file: [%" PRIu64 "]\n", r->header_bytes);
	printf("%s\n", r->flags & ECRYPTFS_FLAG_METADATA_IN_XATTR ?
	       "Metadata in the extended attribute region" : "Metadata in the header region");
	printf("%s\n", r->flags & ECRYPTFS_FLAG_ENCRYPTED ? "Encrypted" : "Plaintext");
	printf("%s\n", r->flags & ECRYPTFS_FLAG_HMAC ? "HMAC enabled" : "HMAC disabled");
}

/* The reference's lines when it gives up on a header: why (rc), then that it did. */
static void print_ref_not_found(int rc, const struct ecryptfs_header_ref *r, size_t len,
				const char *file)
{
	if (rc == -EIO)
		printf("ecryptfs_parse_stat: Invalid metadata size; must have at least [%zu] bytes; "
		       "there are only [%zu] bytes\n", r->need, len);
	else if (rc == -ENOMSG)
		printf("ecryptfs_parse_stat: Magic eCryptfs marker not found in header.\n");
	else if (rc == -EBADMSG)
		printf("ecryptfs_parse_header_metadata Invalid header size: [%" PRIu64 "]\n"
		       "ecryptfs_parse_stat: Invalid header content.\n", r->header_bytes);
	printf("Valid eCryptfs metadata information not found in [%s]\n", file);
}

/* 0 done, 1 unreadable, 3 no sound header (for --strict). */
static int stat_one(const char *file)
{
	static uint8_t head[ECRYPTFS_HEADER_READ_MAX];
	struct source fsrc = { head, 0, false }, xsrc = { NULL, 0, true };
	const struct source *use = NULL;
	struct ecryptfs_header_ref rf, rx;
	struct stat st;
	ssize_t n;
	bool found;
	int fd, rc, ref_rc, ret = 3;

	/* O_NONBLOCK: a FIFO must not hang us; it reads as empty. */
	fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		cli_error(-errno, "opening [%s]", file);
		return 1;
	}
	if (fstat(fd, &st) < 0) {
		cli_error(-errno, "reading [%s]", file);
		close(fd);
		return 1;
	}
	n = S_ISDIR(st.st_mode) ? -EISDIR : read_head(fd, head, sizeof(head));
	if (n < 0) {
		cli_error((int)n, "reading [%s]", file);
		close(fd);
		return 1;
	}
	fsrc.len = (size_t)n;
	/* The kernel's order: the file's head first, then the xattr. */
	ref_rc = ecryptfs_header_ref_parse(fsrc.buf, fsrc.len, &rf);
	if (ref_rc == 0) {
		use = &fsrc;
	} else {
		rc = read_xattr(fd, &xsrc);
		if (rc < 0) {
			cli_error(rc, "reading the %s attribute of [%s]", ECRYPTFS_XATTR_NAME, file);
			ret = 1;
			goto out;
		}
		if (xsrc.len && ecryptfs_header_ref_parse(xsrc.buf, xsrc.len, &rx) == 0) {
			use = &xsrc;
			rf = rx;
		}
	}
	found = use != NULL;
	if (found) {
		print_ref(&rf);
	} else {
		/* The reference gives up on the file's head; it never reads the xattr. */
		print_ref_not_found(ref_rc, &rf, fsrc.len, file);
		/* Our parser may name the problem more precisely. */
		use = xsrc.len ? &xsrc : &fsrc;
	}
	if (!opt_ref_only)
		ret = print_ours(use, (uint64_t)st.st_size) ? 0 : 3;
	else
		ret = found ? 0 : 3;
out:
	free(xsrc.buf);
	close(fd);
	fflush(stdout);
	return ret;
}

int main(int argc, char *argv[])
{
	int i, worst = 0, rc;

	cli_init(argv[0]);
	if (argc == 1) {
		/* The reference's usage, with its exit status 0. */
		printf("Usage:\n\n%s <filename>\n", argv[0]);
		return 0;
	}
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		} else if (cli_is_help(a)) {
			help();
			return 0;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("ecryptfs-stat (%s) %s; compatible with ecryptfs-utils %s\n",
			       PACKAGE_NAME, PACKAGE_VERSION, ECRYPTFS_REFERENCE_VERSION);
			return 0;
		} else if (!strcmp(a, "-r") || !strcmp(a, "--reference-only")) {
			opt_ref_only = true;
		} else if (!strcmp(a, "-s") || !strcmp(a, "--strict")) {
			opt_strict = true;
		} else {
			cli_error(0, "unknown option [%s] (try --help)", a);
			return 2;
		}
	}
	if (i == argc) {
		cli_error(0, "no file given (try --help)");
		return 2;
	}
	for (int first = i; i < argc; i++) {
		/*
		 * Several files: one block each, headed by the file's name as
		 * ls(1) heads directories, so that every report can be told
		 * apart; one file prints exactly the reference's lines.
		 */
		if (i > first)
			putchar('\n');
		if (argc - first > 1)
			printf("%s:\n", argv[i]);
		rc = stat_one(argv[i]);
		if (rc == 3 && !opt_strict)
			rc = 0;
		if (rc == 1 || (rc == 3 && worst == 0))
			worst = rc;
	}
	return worst;
}
