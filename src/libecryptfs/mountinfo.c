/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lines of /proc/PID/mountinfo (proc(5)), the one reader of them for
 * pam_ecryptfs, mount.ecryptfs_private and ecryptfs-fuse.  The kernel
 * separates fields with single blanks and writes a space, tab, newline or
 * backslash inside a path as \ooo; a mount point or a FUSE source is chosen
 * by whoever mounted it, so nothing else about a field is trusted: the
 * reader splits at single blanks only (an empty field stays a field) and
 * refuses what would change a path's meaning (an escape of NUL).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "libecryptfs.h"
#include "internal.h"

int ecryptfs_mountinfo_unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			int c = (s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0');

			/* The kernel writes no NUL: one would cut the path short. */
			if (c == 0)
				return -EBADMSG;
			*o++ = (char)c;
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return 0;
}

/* All of s an unsigned decimal number that fits: 0 or -EBADMSG. */
static int decimal(const char *s, unsigned int *v)
{
	unsigned long long n = 0;

	if (!*s)
		return -EBADMSG;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EBADMSG;
		n = n * 10 + (unsigned)(*s - '0');
		if (n > UINT_MAX)
			return -EBADMSG;
	}
	*v = (unsigned int)n;
	return 0;
}

ECRYPTFS_EXPORT int ecryptfs_mountinfo_parse(char *line, struct ecryptfs_mountinfo *m)
{
	char *f[6], *minor, *sep;

	if (!line || !m)
		return -EINVAL;
	line[strcspn(line, "\n")] = '\0';
	for (int i = 0; i < 6; i++) {
		f[i] = strsep(&line, " ");
		if (!f[i])
			return -EBADMSG;
	}
	/* The optional fields (tag[:value]), then "-". */
	do {
		sep = strsep(&line, " ");
		if (!sep)
			return -EBADMSG;
	} while (strcmp(sep, "-") != 0);
	m->fstype = strsep(&line, " ");
	m->source = strsep(&line, " ");
	m->super_options = strsep(&line, " ");
	/* Fields after these three are none proc(5) knows of: ignored. */
	minor = strchr(f[2], ':');
	if (!m->super_options || !minor)
		return -EBADMSG;
	*minor++ = '\0';
	if (decimal(f[0], &m->id) < 0 || decimal(f[1], &m->parent_id) < 0 ||
	    decimal(f[2], &m->dev_major) < 0 || decimal(minor, &m->dev_minor) < 0)
		return -EBADMSG;
	m->root = f[3];
	m->mountpoint = f[4];
	m->options = f[5];
	if (ecryptfs_mountinfo_unescape(m->root) < 0 ||
	    ecryptfs_mountinfo_unescape(m->mountpoint) < 0 ||
	    ecryptfs_mountinfo_unescape(m->fstype) < 0 ||
	    ecryptfs_mountinfo_unescape(m->source) < 0)
		return -EBADMSG;
	return 0;
}
