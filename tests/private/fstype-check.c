/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fstype-check MAGIC...: "allowed" or "refused" per statfs f_type (hex), as
 * mount.ecryptfs_private decides; tests/private/t-fstype.sh drives it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "private.h"

int main(int argc, char *argv[])
{
	for (int i = 1; i < argc; i++) {
		char *end;
		unsigned long v = strtoul(argv[i], &end, 16);

		if (*end || end == argv[i]) {
			fprintf(stderr, "fstype-check: not a hex number: %s\n", argv[i]);
			return 2;
		}
		printf("%s %s\n", argv[i], ep_fstype_allowed(v) ? "allowed" : "refused");
	}
	return 0;
}
