/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Part of fuzz-secret: mount.ecryptfs's passphrase file and fd readers
 * (src/utils/mount/passphrase.c, static there, so included here; its own
 * translation unit because ecryptfs-decrypt's keys.c, which fuzz-secret.c
 * includes, has functions of the same names).
 */
#include "config.h"

#include "../../src/utils/mount/passphrase.c"

int fuzz_mount_pass_from_fd(const char *spec, struct cli_secret *s);
int fuzz_mount_pass_from_file(const char *path, struct cli_secret *s);

int fuzz_mount_pass_from_fd(const char *spec, struct cli_secret *s)
{
	return pass_from_fd(spec, s);
}

int fuzz_mount_pass_from_file(const char *path, struct cli_secret *s)
{
	return pass_from_file(path, s);
}
