/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding our own mount in /proc/self/mountinfo (main.c raises its
 * readahead): a stat of the mount point would wait for our own loop.  Apart
 * from main.c so that tests/fuzz/fuzz-mounttab.c can feed it any table.
 *
 * A line (proc(5)): "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3
 * /dev/root rw,errors=continue".  Fields are split at single blanks only,
 * since the kernel escapes just space, tab, newline and backslash in them:
 * any other byte, a carriage return or a vertical tab say, is part of a
 * field that another user may have chosen (a FUSE subtype, a mount point).
 * Lines are read whole, however long.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "efs.h"

/* mnt as mountinfo writes it. */
static char *escape(const char *mnt)
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

/* The device of line if it is a fuse.ecryptfs mount on esc. */
static bool match(char *line, const char *esc, unsigned *maj, unsigned *min)
{
	char *field[5], *f, *type = NULL;
	int end = 0;

	line[strcspn(line, "\n")] = '\0';
	for (int i = 0; i < 5; i++) {
		field[i] = strsep(&line, " ");
		if (!field[i])
			return false;
	}
	/* optional fields, then "-" and the file system type */
	while ((f = strsep(&line, " ")))
		if (!strcmp(f, "-")) {
			type = strsep(&line, " ");
			break;
		}
	return type && !strcmp(type, "fuse.ecryptfs") && !strcmp(field[4], esc) &&
	       sscanf(field[2], "%u:%u%n", maj, min, &end) == 2 && field[2][end] == '\0';
}

bool efs_mountinfo_dev(FILE *f, const char *mnt, unsigned *dev_major, unsigned *dev_minor)
{
	char *line = NULL, *esc = escape(mnt);
	size_t cap = 0;
	bool found = false;

	while (esc && getline(&line, &cap, f) > 0) {
		unsigned maj, min;

		if (match(line, esc, &maj, &min)) {
			found = true;	/* the last match is the newest mount */
			*dev_major = maj;
			*dev_minor = min;
		}
	}
	free(line);
	free(esc);
	return found;
}
