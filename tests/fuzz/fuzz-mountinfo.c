/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mountinfo line reader (src/libecryptfs/mountinfo.c) on any line: a
 * user who can mount (FUSE) chooses a line's mount point and source, and
 * pam_ecryptfs, the setuid mount.ecryptfs_private and ecryptfs-fuse all
 * read their mounts through it.
 *
 * Checked: no crash, leak or overread; the reader takes a line exactly when
 * a plain reading of proc(5)'s format does (fields at single blanks: six,
 * optional ones up to "-", three more; decimal numbers below 2^32; no \000
 * in a path), and its fields are that reading's, the paths with each
 * \ooo (first digit 0-3) as its byte.  A path read back through
 * efs_mountinfo_escape (the mount records' form, src/fuse/mountinfo.c) and
 * the reader's unescaping is the same path; a field of the kernel's
 * escapes only is the text efs_mountinfo_escape writes for it.
 *
 * Input: the line (a NUL ends it, as it ends a C string).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libecryptfs.h"
#include "internal.h"
#include "../../src/fuse/mountrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The value of the three octal digits at s, first one 0-3; -1 if they are not that. */
static int octal3(const char *s)
{
	char d[4] = { 0 };

	if (strnlen(s, 3) < 3)
		return -1;
	memcpy(d, s, 3);
	if (strspn(d, "01234567") != 3 || d[0] > '3')
		return -1;
	return (int)strtol(d, NULL, 8);
}

/* raw as a path of proc(5) into out (strlen(raw) + 1 bytes); false for a NUL in it. */
static bool model_path(const char *raw, char *out)
{
	size_t o = 0;

	for (size_t i = 0; raw[i];) {
		int v = raw[i] == '\\' ? octal3(raw + i + 1) : -1;

		if (v == 0)
			return false;
		out[o++] = v > 0 ? (char)v : raw[i];
		i += v > 0 ? 4 : 1;
	}
	out[o] = '\0';
	return true;
}

/* A decimal number below 2^32, all of s (no sign, no blank; strtoull saturates). */
static bool model_number(const char *s, unsigned *v)
{
	size_t n = strlen(s);

	if (n == 0 || strspn(s, "0123456789") != n || strtoull(s, NULL, 10) > 0xffffffffu)
		return false;
	*v = (unsigned)strtoull(s, NULL, 10);
	return true;
}

/* Every backslash of s starts the kernel's escape of a blank, tab, newline or backslash. */
static bool kernel_escapes_only(const char *s)
{
	if (strchr(s, '\t'))
		return false;
	for (const char *b = strchr(s, '\\'); b; b = strchr(b + 4, '\\'))
		if (strncmp(b, "\\040", 4) && strncmp(b, "\\011", 4) && strncmp(b, "\\012", 4) &&
		    strncmp(b, "\\134", 4))
			return false;
	return true;
}

/* path (as read) escaped for the records and read back: the same; raw it is, if kernel-made. */
static void round_trip(const char *path, const char *raw)
{
	char *esc = efs_mountinfo_escape(path);

	if (!esc)
		abort();
	if (kernel_escapes_only(raw) && strcmp(esc, raw) != 0)
		abort();
	if (ecryptfs_mountinfo_unescape(esc) != 0 || strcmp(esc, path) != 0)
		abort();
	free(esc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = strndup((const char *)data, size), *text = strndup((const char *)data, size);
	char **f = calloc(size + 2, sizeof(char *)), *path[4];
	size_t nf = 0, dash = 0;
	unsigned num[4];
	struct ecryptfs_mountinfo mi;
	bool want;
	int rc;

	if (!line || !text || !f)
		abort();
	rc = ecryptfs_mountinfo_parse(line, &mi);
	if (rc != 0 && rc != -EBADMSG)
		abort();
	/* The model: the text up to a newline, split at every blank. */
	text[strcspn(text, "\n")] = '\0';
	for (char *w = text; w; nf++) {
		f[nf] = w;
		w = strchr(w, ' ');
		if (w)
			*w++ = '\0';
	}
	for (size_t i = 6; i < nf && !dash; i++)
		if (!strcmp(f[i], "-"))
			dash = i;
	want = nf >= 10 && dash && dash + 3 < nf && strchr(f[2], ':');
	if (want) {
		*strchr(f[2], ':') = '\0';
		want = model_number(f[0], &num[0]) && model_number(f[1], &num[1]) &&
		       model_number(f[2], &num[2]) && model_number(f[2] + strlen(f[2]) + 1, &num[3]);
	}
	for (int i = 0; i < 4 && want; i++) {
		const char *raw = f[i < 2 ? 3 + i : dash - 1 + i];

		path[i] = malloc(strlen(raw) + 1);
		if (!path[i])
			abort();
		if (!model_path(raw, path[i])) {
			want = false;
			for (int j = 0; j <= i; j++)
				free(path[j]);
		}
	}
	if ((rc == 0) != want)
		abort();
	if (want) {
		if (mi.id != num[0] || mi.parent_id != num[1] || mi.dev_major != num[2] ||
		    mi.dev_minor != num[3] || strcmp(mi.root, path[0]) || strcmp(mi.mountpoint, path[1]) ||
		    strcmp(mi.fstype, path[2]) || strcmp(mi.source, path[3]) ||
		    strcmp(mi.options, f[5]) || strcmp(mi.super_options, f[dash + 3]))
			abort();
		round_trip(mi.mountpoint, f[4]);
		round_trip(mi.source, f[dash + 2]);
		for (int i = 0; i < 4; i++)
			free(path[i]);
	}
	free(f);
	free(text);
	free(line);
	return 0;
}
