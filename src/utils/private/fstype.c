/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The file systems a private mount may be placed on.  Not a list of lower
 * file systems eCryptfs works with: the file systems users' home
 * directories live on.  Anything else (procfs, sysfs, devpts, ...) would
 * let a user cover a directory other programs trust.
 */
#include "config.h"

#include <stddef.h>

#include "private.h"

static const unsigned long allowed[] = {
	0x61756673UL,	/* aufs */
	0x9123683EUL,	/* btrfs */
	0x00C36400UL,	/* ceph */
	0xFF534D42UL,	/* cifs */
	0x0000F15FUL,	/* ecryptfs */
	0x0000EF53UL,	/* ext2, ext3, ext4 */
	0xF2F52010UL,	/* f2fs */
	0x65735546UL,	/* fuse */
	0x01161970UL,	/* gfs2 */
	0x3153464AUL,	/* jfs */
	0x000072B6UL,	/* jffs2 */
	0x0000564CUL,	/* ncp */
	0x00006969UL,	/* nfs */
	0x00003434UL,	/* nilfs */
	0x5346544EUL,	/* ntfs */
	0x794C7630UL,	/* overlayfs */
	0x52654973UL,	/* reiserfs */
	0x73717368UL,	/* squashfs */
	0x01021994UL,	/* tmpfs */
	0x24051905UL,	/* ubifs */
	0x58465342UL,	/* xfs */
	0x2FC12FC1UL,	/* zfs */
};

bool ep_fstype_allowed(unsigned long f_type)
{
	/* statfs's f_type is a signed long: compare the low 32 bits only */
	f_type &= 0xFFFFFFFFUL;
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (allowed[i] == f_type)
			return true;
	return false;
}
