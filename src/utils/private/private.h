/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mount.ecryptfs_private's pieces that tests can call without the setuid
 * program: the mountpoint file system check (fstype.c).
 */
#ifndef ECFS_SRC_UTILS_PRIVATE_PRIVATE_H
#define ECFS_SRC_UTILS_PRIVATE_PRIVATE_H

#include <stdbool.h>

/*
 * May a private mount cover a directory on a file system of this statfs
 * f_type?  The reference's list (CVE-2016-1572: no mounting over /proc and
 * the like to fool other programs).  The same list for both data paths.
 */
bool ep_fstype_allowed(unsigned long f_type);

#endif /* ECFS_SRC_UTILS_PRIVATE_PRIVATE_H */
