/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libgcrypt's secure memory for a daemon.  Every open file keeps its FEK
 * there (about 100 bytes), and libecryptfs sets up a fixed 256 KiB pool
 * sized for the command-line tools: some 2,500 files open at once, and the
 * next open failed with ENOMEM.  The daemon sets libgcrypt up first, with
 * the same pool but allowed to grow (further locked pools of 1 MiB), which
 * libecryptfs then respects.
 */
#include "config.h"

#include <errno.h>

#include <gcrypt.h>

#include "efs.h"

#define POOL_BYTES (256 * 1024)
#define GROW_BYTES (1024 * 1024)

int efs_secmem_init(void)
{
	if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P))
		return 0;
	if (!gcry_check_version("1.10.0"))
		return -ENOTSUP;
	/* Unlocked pages (no CAP_IPC_LOCK) are still wiped; no warnings on stderr. */
	gcry_control(GCRYCTL_DISABLE_SECMEM_WARN);
	gcry_control(GCRYCTL_INIT_SECMEM, POOL_BYTES, 0);
	gcry_control(GCRYCTL_AUTO_EXPAND_SECMEM, GROW_BYTES, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	return 0;
}
