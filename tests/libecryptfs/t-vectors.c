/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every kernel-written vector set decrypts at library level to exactly its
 * plaintext; the header fields match each MANIFEST row; the zero tail of the
 * last extent is zero.  cast6 sets fail with -ENOTSUP.  Contents are paired
 * through the MANIFEST's lower -> upper table, so file names (fname.c) are
 * not needed here.
 */
#include "config.h"

#include <inttypes.h>
#include <sys/xattr.h>

#include "format-util.h"

/* Paths from the vector sets are short; a truncated one is a broken test. */
#define FMT(buf, ...) do { \
	if (snprintf(buf, sizeof(buf), __VA_ARGS__) >= (int)sizeof(buf)) \
		abort(); \
} while (0)

static const char *vectors_dir(void)
{
	static char buf[4096];
	const char *env = getenv("VECTORS");	/* set by tests/run.sh */
	const char *src = getenv("SRCDIR");

	if (env)
		return env;
	FMT(buf, "%s/tests/data/vectors", src ? src : ".");
	return buf;
}

__attribute__((format(printf, 1, 2)))
static int sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* The text between the n-th pair of backticks (n from 0; -1: the last). */
static bool backtick(const char *line, int n, char *out, size_t cap)
{
	const char *found = NULL, *p = line;
	int i = 0;

	while ((p = strchr(p, '`'))) {
		const char *q = strchr(p + 1, '`');

		if (!q)
			break;
		if (i == n || n < 0) {
			found = p;
			if (i == n)
				break;
		}
		i++;
		p = q + 1;
	}
	if (!found)
		return false;
	{
		const char *q = strchr(found + 1, '`');
		size_t len = (size_t)(q - found - 1);

		if (len >= cap)
			return false;
		memcpy(out, found + 1, len);
		out[len] = 0;
	}
	return true;
}

/* Restore user.ecryptfs from xattrs.tsv where tar did not. */
static void restore_xattrs(const char *set, const char *lower)
{
	char path[4096], line[8192];
	FILE *f;

	FMT(path, "%s/%s/xattrs.tsv", vectors_dir(), set);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t');
		uint8_t val[4096];
		char file[4096];
		size_t n;

		if (!tab)
			continue;
		*tab = 0;
		tab[strcspn(tab + 1, "\r\n") + 1] = 0;
		n = tap_unhex(tab + 1, val, sizeof(val));
		FMT(file, "%s/%s", lower, line);
		if (getxattr(file, "user.ecryptfs", NULL, 0) < 0)
			setxattr(file, "user.ecryptfs", val, n, 0);
	}
	fclose(f);
}

struct row {
	char lower[4096], upper[4096];
	uint64_t lower_size, size_field;
	unsigned flags, ext_size, ext_count, code, efek;
};

static bool parse_row(const char *line, struct row *r)
{
	char cols[12][256];
	int nc = 0;
	const char *p = line;

	if (!backtick(line, 0, r->lower, sizeof(r->lower)) ||
	    !backtick(line, 1, r->upper, sizeof(r->upper)))
		return false;
	/* The columns after the two names. */
	for (int bars = 0; *p && bars < 3; p++)
		if (*p == '|')
			bars++;
	while (*p && nc < 12) {
		const char *q = strchr(p, '|');
		size_t len;

		if (!q)
			break;
		len = (size_t)(q - p);
		if (len >= sizeof(cols[0]))
			len = sizeof(cols[0]) - 1;
		memcpy(cols[nc], p, len);
		cols[nc][len] = 0;
		nc++;
		p = q + 1;
	}
	if (nc < 6 || sscanf(cols[0], " %" SCNu64, &r->lower_size) != 1)
		return false;	/* directories and symlinks */
	sscanf(cols[1], " %" SCNu64, &r->size_field);
	sscanf(cols[2], " %x", &r->flags);
	sscanf(cols[3], " %u × %u", &r->ext_size, &r->ext_count);
	sscanf(cols[4], " %x", &r->code);
	sscanf(cols[5], " %u", &r->efek);
	return true;
}

static int check_file(const char *lower_root, const char *plain_root, const struct row *r,
		      struct ecryptfs_keyset *ks, bool cast6, char *why, size_t cap)
{
	char lp[8192], pp[8192];
	struct ecryptfs_file *f = NULL;
	const struct ecryptfs_header *h;
	uint8_t *want = NULL, *got = NULL, ext[4096];
	size_t want_len = 0;
	int fd, rc = -1;

	FMT(lp, "%s/%s", lower_root, r->lower);
	FMT(pp, "%s/%s", plain_root, r->upper);
	fd = open(lp, O_RDONLY);
	if (fd < 0) {
		snprintf(why, cap, "cannot open %.100s", lp);
		return -1;
	}
	rc = ecryptfs_file_open(fd, NULL, ks, 0, &f);
	if (cast6) {
		snprintf(why, cap, "open gave %d", rc);
		rc = rc == -ENOTSUP ? 0 : -1;
		goto out;
	}
	if (rc < 0) {
		snprintf(why, cap, "open: %s", strerror(-rc));
		goto out;
	}
	rc = -1;
	h = ecryptfs_file_header(f);
	if (h->size != r->size_field || ((unsigned)h->version << 24 | h->flags) != r->flags ||
	    h->extent_size != r->ext_size || h->extent_count != r->ext_count ||
	    h->cipher_code != r->code || h->packets[0].efek_len != r->efek) {
		snprintf(why, cap, "header fields differ from the MANIFEST");
		goto out;
	}
	if (fu_file_size(lp) != r->lower_size ||
	    ecryptfs_lower_size(h->size, ecryptfs_file_data_offset(f)) != r->lower_size) {
		snprintf(why, cap, "lower size");
		goto out;
	}
	want = fu_slurp(pp, &want_len);
	got = malloc(want_len + 4097);
	if (!want || !got || want_len != h->size) {
		snprintf(why, cap, "plain file %.100s", pp);
		goto out;
	}
	if (ecryptfs_file_pread(f, got, want_len + 4096, 0) != (ssize_t)want_len ||
	    memcmp(got, want, want_len) != 0) {
		snprintf(why, cap, "contents differ");
		goto out;
	}
	if (want_len % 4096) {
		uint64_t last = want_len / 4096;

		if (pread(fd, ext, 4096, (off_t)(ecryptfs_file_data_offset(f) + last * 4096)) != 4096 ||
		    ecryptfs_crypt_decrypt(ecryptfs_file_crypt(f), last, ext, ext, 1) != 0) {
			snprintf(why, cap, "last extent");
			goto out;
		}
		for (size_t i = want_len % 4096; i < 4096; i++)
			if (ext[i]) {
				snprintf(why, cap, "tail byte %zu not zero", i);
				goto out;
			}
	}
	rc = 0;
out:
	ecryptfs_file_close(f);
	close(fd);
	free(want);
	free(got);
	return rc;
}

static void run_set(const char *set)
{
	char manifest[4096], line[16384], pass[256] = "", lower_root[4096], plain_root[4096];
	const char *tmp = getenv("TESTTMP") ? getenv("TESTTMP") : "/tmp";
	bool cast6 = strstr(set, "cast6") != NULL, in_table = false;
	struct ecryptfs_keyset *ks;
	int files = 0, good = 0;
	FILE *m;

	FMT(manifest, "%s/%s/MANIFEST.md", vectors_dir(), set);
	m = fopen(manifest, "r");
	if (!ok(m != NULL, "%s: MANIFEST.md", set))
		return;
	while (fgets(line, sizeof(line), m)) {
		if (!strncmp(line, "- Passphrase: ", 14))
			backtick(line, 0, pass, sizeof(pass));
		else if (!strncmp(line, "- Mount passphrase", 18))
			backtick(line, -1, pass, sizeof(pass));
	}
	rewind(m);
	ok(pass[0] != 0, "%s: passphrase from the MANIFEST", set);
	sh("mkdir -p '%s/%s' && cd '%s/%s' && for t in '%s/%s'/*.tar; do "
	   "tar --xattrs --xattrs-include='*' -xpf \"$t\" || exit 1; done",
	   tmp, set, tmp, set, vectors_dir(), set);
	FMT(lower_root, "%s/%s/%s", tmp, set,
		 strcmp(set, "setup-private-style") ? "lower" : "dot-Private");
	FMT(plain_root, "%s/%s/plain", tmp, set);
	restore_xattrs(set, lower_root);
	ks = fu_keyset(pass, NULL);
	while (fgets(line, sizeof(line), m)) {
		struct row r;
		char why[256] = "";

		if (!strncmp(line, "## Lower files", 14))
			in_table = true;
		else if (!strncmp(line, "## ", 3))
			in_table = false;
		if (!in_table || line[0] != '|' || !parse_row(line, &r))
			continue;
		files++;
		if (check_file(lower_root, plain_root, &r, ks, cast6, why, sizeof(why)) == 0)
			good++;
		else
			ok(0, "%s: %s: %s", set, r.upper, why);
	}
	fclose(m);
	ok(files > 0 && good == files, "%s: %d of %d lower files %s", set, good, files,
	   cast6 ? "refused with -ENOTSUP" : "decrypt to their plaintext, header fields as listed");
	ecryptfs_keyset_free(ks);
}

int main(void)
{
	static const char *sets[] = {
		"aes128-plain-names", "aes256-fnek", "aes192-fnek-same-key", "aes128-xattr",
		"legacy-blowfish-16", "legacy-blowfish-56", "legacy-des3_ede-24",
		"legacy-cast5-16", "legacy-twofish-16", "legacy-twofish-32",
		"legacy-cast6-16", "legacy-cast6-32", "setup-private-style",
	};

	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		run_set(sets[i]);
	return tap_done();
}
