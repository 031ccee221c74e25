/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The FUSE mount record reader (src/fuse/mountrec.c) on arbitrary records:
 * a user's record directory is theirs, so a record umount.ecryptfs reads may
 * be anything they wrote (doc/compatibility.md §10).
 *
 * Mode 0 (the first byte, modulo 2), efs_record_parse on the rest: no
 * crash, leak or overread; a record it takes has a mount point that starts
 * with '/', 16 lowercase hex digits in every signature and at most
 * ECRYPTFS_POLICY_MAX_KEYS + 1 of them; it is exactly what efs_record_format
 * (efs_record_write's text) writes for it, and that text parses to the same
 * record; efs_record_matches holds for the mount it names and fails when
 * any one field differs.
 *
 * Mode 1, efs_record_sweep: "/"-separated file names up to a NUL, then a
 * mountinfo table; the names are made as files in a scratch directory and
 * swept.  It must remove exactly the names "MAJOR:MINOR" (decimal, no sign
 * or leading zeros, each below 2^32) whose device no fuse.ecryptfs line of
 * the table has (as efs_mountinfo_has_dev reads it), and nothing else.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/fuse/mountrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same(const struct efs_record *a, const struct efs_record *b)
{
	if (a->mount_id != b->mount_id || a->dev_major != b->dev_major ||
	    a->dev_minor != b->dev_minor || a->uid != b->uid || a->unlink_sigs != b->unlink_sigs ||
	    a->n_sigs != b->n_sigs || !a->mountpoint || !b->mountpoint ||
	    strcmp(a->mountpoint, b->mountpoint) != 0)
		return false;
	for (size_t i = 0; i < a->n_sigs; i++)
		if (strcmp(a->sigs[i], b->sigs[i]) != 0)
			return false;
	return true;
}

static bool lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[n] == '\0';
}

static void check_matches(const struct efs_record *r)
{
	struct efs_mount m = { .id = r->mount_id, .dev_major = r->dev_major,
			       .dev_minor = r->dev_minor, .has_user_id = true, .user_id = r->uid };
	struct efs_mount o;
	char *other = malloc(strlen(r->mountpoint) + 2);

	if (!other)
		abort();
	sprintf(other, "%s/", r->mountpoint);
	if (!efs_record_matches(r, &m, r->mountpoint, r->uid) ||
	    efs_record_matches(r, &m, other, r->uid) ||
	    efs_record_matches(r, &m, r->mountpoint, r->uid + 1))
		abort();
	o = m;
	o.id++;
	if (efs_record_matches(r, &o, r->mountpoint, r->uid))
		abort();
	o = m;
	o.dev_major++;
	if (efs_record_matches(r, &o, r->mountpoint, r->uid))
		abort();
	o = m;
	o.dev_minor++;
	if (efs_record_matches(r, &o, r->mountpoint, r->uid))
		abort();
	o = m;
	o.has_user_id = false;
	if (efs_record_matches(r, &o, r->mountpoint, r->uid))
		abort();
	o = m;
	o.user_id++;
	if (efs_record_matches(r, &o, r->mountpoint, r->uid))
		abort();
	free(other);
}

static void parse_one(const uint8_t *data, size_t size)
{
	/* Owned copy: an overread past the input is ASan's to see. */
	char *in = malloc(size ? size : 1), text[EFS_REC_MAX_SIZE + 1];
	struct efs_record r, again;
	int n, rc;

	if (!in)
		abort();
	memcpy(in, data, size);
	rc = efs_record_parse(in, size, &r);
	if (rc < 0) {
		if ((rc != -EINVAL && rc != -ENOMEM) || r.mountpoint)
			abort();
		free(in);
		return;
	}
	if (!r.mountpoint || r.mountpoint[0] != '/' || strchr(r.mountpoint, '\n') ||
	    r.n_sigs > ECRYPTFS_POLICY_MAX_KEYS + 1)
		abort();
	for (size_t i = 0; i < r.n_sigs; i++)
		if (!lower_hex(r.sigs[i], ECRYPTFS_SIG_HEX_SIZE))
			abort();
	/* What the writer writes for it: byte for byte the input, and the same record. */
	n = efs_record_format(&r, text, sizeof(text));
	if (n < 0 || (size_t)n != size || memcmp(text, in, size) != 0)
		abort();
	if (efs_record_parse(text, (size_t)n, &again) != 0 || !same(&r, &again))
		abort();
	check_matches(&r);
	efs_record_free(&again);
	efs_record_free(&r);
	free(in);
}

static char dir[4000];

static void cleanup(void)
{
	rmdir(dir);
}

/* The smoke scripts point TMPDIR into the test's scratch directory. */
static int scratch(void)
{
	const char *tmp = getenv("TMPDIR");
	int fd;

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "%s/fuzz-mountrec.XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir))
			abort();
		atexit(cleanup);
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		abort();
	return fd;
}

/* A decimal unsigned as record_name writes it: no sign, no leading zero, < 2^32. */
static const char *number(const char *s, unsigned *v, char stop)
{
	unsigned long long x = 0;
	const char *p = s;

	if (*p < '0' || *p > '9' || (*p == '0' && p[1] >= '0' && p[1] <= '9'))
		return NULL;
	for (; *p >= '0' && *p <= '9'; p++) {
		x = x * 10 + (unsigned)(*p - '0');
		if (x > 0xffffffffULL)
			return NULL;
	}
	if (*p != stop)
		return NULL;
	*v = (unsigned)x;
	return p;
}

/* Whether the sweep may remove name: a record name of a device the table lacks. */
static bool removable(const char *name, FILE *table)
{
	unsigned maj, min;
	const char *p = number(name, &maj, ':');

	if (!p || !number(p + 1, &min, '\0'))
		return false;
	rewind(table);
	return !efs_mountinfo_has_dev(table, maj, min);
}

static void sweep_one(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	char *names, *save = NULL, **made;
	size_t n_made = 0, n_removable = 0;
	FILE *table;
	int dfd, removed;

	if (!nul)
		return;
	names = strdup((const char *)data);
	made = calloc(strlen(names) / 2 + 1, sizeof(*made));
	if (!names || !made)
		abort();
	size -= (size_t)(nul + 1 - data);
	/* fmemopen refuses an empty buffer in older glibc versions. */
	table = size ? fmemopen((void *)(nul + 1), size, "r") : fopen("/dev/null", "re");
	if (!table)
		abort();
	dfd = scratch();
	for (char *t = strtok_r(names, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		int fd;

		if (!strcmp(t, ".") || !strcmp(t, ".."))
			continue;
		fd = openat(dfd, t, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			continue;	/* a duplicate, or too long a name */
		close(fd);
		made[n_made++] = t;
		if (removable(t, table))
			n_removable++;
	}
	removed = efs_record_sweep(dfd, table);
	if (removed < 0 || (size_t)removed != n_removable)
		abort();
	/* Left: exactly the names the sweep had to keep; then clear them. */
	for (size_t i = 0; i < n_made; i++) {
		struct stat st;
		int kept = fstatat(dfd, made[i], &st, AT_SYMLINK_NOFOLLOW) == 0;

		if (!kept && errno != ENOENT)
			abort();
		if (kept == removable(made[i], table))
			abort();
		unlinkat(dfd, made[i], 0);
	}
	close(dfd);
	fclose(table);
	free(made);
	free(names);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] % 2 == 0)
		parse_one(data + 1, size - 1);
	else
		sweep_one(data + 1, size - 1);
	return 0;
}
