/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding our own mount in /proc/self/mountinfo (main.c raises its
 * readahead): a stat of the mount point would wait for our own loop.  Apart
 * from main.c so that tests/fuzz/fuzz-mounttab.c can feed it any table.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "efs.h"

bool efs_mountinfo_dev(FILE *f, const char *mnt, unsigned *dev_major, unsigned *dev_minor)
{
	char line[8192];
	unsigned maj, min;
	bool found = false;

	while (fgets(line, sizeof(line), f)) {
		char point[4096], type[64];

		/* id parent maj:min root mountpoint options ... - type source ... */
		if (sscanf(line, "%*u %*u %u:%u %*s %4095s", &maj, &min, point) != 3)
			continue;
		const char *dash = strstr(line, " - ");

		if (!dash || sscanf(dash, " - %63s", type) != 1 ||
		    strcmp(type, "fuse.ecryptfs") != 0)
			continue;
		/* mountinfo escapes blanks as \040; compare escaped forms loosely. */
		char esc[8192], *e = esc;

		for (const char *m = mnt; *m && e < esc + sizeof(esc) - 5; m++) {
			if (*m == ' ' || *m == '\t' || *m == '\n' || *m == '\\')
				e += sprintf(e, "\\%03o", (unsigned char)*m);
			else
				*e++ = *m;
		}
		*e = 0;
		if (strcmp(point, esc) == 0) {
			found = true;	/* the last match is the newest mount */
			*dev_major = maj;
			*dev_minor = min;
		}
	}
	return found;
}
