/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding a fuse.ecryptfs mount in /proc/self/mountinfo: main.c its own
 * (to raise its readahead and to record its keys; a stat of the mount point
 * would wait for our own loop), umount.ecryptfs the one it takes down (a
 * stat of a dead FUSE mount fails with ENOTCONN).  Declared in mountrec.h,
 * without FUSE, for umount.ecryptfs; tests/fuzz/fuzz-mounttab.c feeds it
 * any table.
 *
 * Lines are read whole, however long, and split by libecryptfs's
 * ecryptfs_mountinfo_parse (single blanks only: any other byte, a carriage
 * return or a vertical tab say, is part of a field that another user may
 * have chosen, a FUSE subtype or a mount point), which also unescapes the
 * mount point.  efs_mountinfo_escape writes a path back in the kernel's
 * form, for the mount records.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mountrec.h"

char *efs_mountinfo_escape(const char *mnt)
{
	char *esc = malloc(4 * strlen(mnt) + 1), *e = esc;

	if (!esc)
		return NULL;
	for (const char *m = mnt; *m; m++) {
		if (*m == ' ' || *m == '\t' || *m == '\n' || *m == '\\')
			e += sprintf(e, "\\%03o", (unsigned char)*m);
		else
			*e++ = *m;
	}
	*e = '\0';
	return esc;
}

/* An unsigned decimal number, all of s: 0, or -1. */
static int number(const char *s, unsigned *v)
{
	int end = 0;

	return s[0] >= '0' && s[0] <= '9' && sscanf(s, "%u%n", v, &end) == 1 && s[end] == '\0' ?
	       0 : -1;
}

/*
 * line as a fuse.ecryptfs mount into m, its mount point (unescaped) into
 * *mnt; false if it is another file system's or not a line mountinfo writes.
 */
static bool parse(char *line, struct efs_mount *m, const char **mnt)
{
	struct ecryptfs_mountinfo mi;
	unsigned uid;

	if (ecryptfs_mountinfo_parse(line, &mi) < 0 || strcmp(mi.fstype, "fuse.ecryptfs") != 0)
		return false;
	m->id = mi.id;
	m->dev_major = mi.dev_major;
	m->dev_minor = mi.dev_minor;
	*mnt = mi.mountpoint;
	m->has_user_id = false;
	for (char *o = mi.super_options; o;) {
		char *opt = strsep(&o, ",");

		if (!strncmp(opt, "user_id=", 8) && number(opt + 8, &uid) == 0) {
			m->has_user_id = true;
			m->user_id = (uid_t)uid;
		}
	}
	return true;
}

/*
 * The newest fuse.ecryptfs mount of f on mnt (NULL: any) with the device
 * maj:min (dev false: any).
 */
static bool search(FILE *f, const char *want, bool dev, unsigned maj, unsigned min,
		   struct efs_mount *out)
{
	char *line = NULL;
	size_t cap = 0;
	bool found = false;

	while (getline(&line, &cap, f) > 0) {
		struct efs_mount m;
		const char *mnt;

		if (!parse(line, &m, &mnt) || (want && strcmp(mnt, want) != 0) ||
		    (dev && (m.dev_major != maj || m.dev_minor != min)))
			continue;
		found = true;	/* the last match is the newest mount */
		*out = m;
	}
	free(line);
	return found;
}

bool efs_mountinfo_find(FILE *f, const char *mnt, struct efs_mount *m)
{
	return search(f, mnt, false, 0, 0, m);
}

bool efs_mountinfo_dev(FILE *f, const char *mnt, unsigned *dev_major, unsigned *dev_minor)
{
	struct efs_mount m;

	if (!efs_mountinfo_find(f, mnt, &m))
		return false;
	*dev_major = m.dev_major;
	*dev_minor = m.dev_minor;
	return true;
}

bool efs_mountinfo_has_dev(FILE *f, unsigned dev_major, unsigned dev_minor)
{
	struct efs_mount m;

	return search(f, NULL, true, dev_major, dev_minor, &m);
}
