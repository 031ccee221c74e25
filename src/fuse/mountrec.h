/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What ecryptfs-fuse shares with umount.ecryptfs (both link mountinfo.c and
 * mountrec.c; neither file needs FUSE): finding a fuse.ecryptfs mount in
 * /proc/self/mountinfo, and the mount record, the small file in which the
 * daemon notes the signatures of its mount for umount.ecryptfs, since
 * /proc/mounts shows only FUSE's own options (doc/compatibility.md §10).
 * Functions return 0 or a negative errno unless they say otherwise; none
 * prints.
 */
#ifndef ECFS_SRC_FUSE_MOUNTREC_H
#define ECFS_SRC_FUSE_MOUNTREC_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "libecryptfs.h"

/* mountinfo.c: a fuse.ecryptfs mount as mountinfo (proc(5)) shows it. */
struct efs_mount {
	unsigned id;			/* mount ID, the line's first field */
	unsigned dev_major, dev_minor;	/* st_dev of its files */
	bool has_user_id;
	uid_t user_id;			/* user_id= of its options: who mounted it */
};

/* mnt as mountinfo writes it (space, tab, newline, backslash as \ooo); malloc'ed. */
char *efs_mountinfo_escape(const char *mnt);
/* The newest fuse.ecryptfs mount on mnt in the mountinfo table f; false if none. */
bool efs_mountinfo_find(FILE *f, const char *mnt, struct efs_mount *m);
/* The same, its device only. */
bool efs_mountinfo_dev(FILE *f, const char *mnt, unsigned *dev_major, unsigned *dev_minor);
/* Whether any fuse.ecryptfs mount of f has the device dev_major:dev_minor. */
bool efs_mountinfo_has_dev(FILE *f, unsigned dev_major, unsigned dev_minor);

/*
 * mountrec.c: the records.  One file per mount, named "MAJOR:MINOR" after
 * the mount's device, in the mounting user's directory: /run/ecryptfs-ng
 * for root, $XDG_RUNTIME_DIR/ecryptfs-ng (else /run/user/UID/ecryptfs-ng)
 * for any other user.  The directory and the records must belong to the
 * real uid of the process that reads or writes them and be writable by
 * nobody else; a record names its mount's ID, device, mount point and
 * user, and counts only while all of them still match the live mount.
 */
#define EFS_REC_ROOT_DIR "/run/ecryptfs-ng"
#define EFS_REC_MAX_SIZE 4096

struct efs_record {
	unsigned mount_id, dev_major, dev_minor;
	uid_t uid;
	char *mountpoint;		/* as mountinfo escapes it; malloc'ed */
	bool unlink_sigs;		/* ecryptfs_unlink_sigs was given */
	size_t n_sigs;			/* data keys, then the FNEK if any */
	char sigs[ECRYPTFS_POLICY_MAX_KEYS + 1][ECRYPTFS_SIG_HEX_SIZE + 1];
};

void efs_record_free(struct efs_record *r);
/*
 * r as the text of its record into buf (NUL-terminated): its length, or
 * -ENAMETOOLONG when it does not fit in len.  A record is at most
 * EFS_REC_MAX_SIZE bytes: a buffer of EFS_REC_MAX_SIZE + 1 holds any.
 */
int efs_record_format(const struct efs_record *r, char *buf, size_t len);
/*
 * The len bytes at buf (no NUL needed) as a record into r: 0, -EINVAL when
 * they are not exactly what efs_record_format writes, or -ENOMEM.  On
 * failure r holds nothing to free.  efs_record_read's parser, apart for
 * tests/fuzz/fuzz-mountrec.c.
 */
int efs_record_parse(const char *buf, size_t len, struct efs_record *r);
/* The record directory of the real uid into buf. */
int efs_record_dir(char *buf, size_t len);
/*
 * Open that directory (O_DIRECTORY | O_NOFOLLOW), creating it (0700, not
 * its parent) when create; checked: ours, not writable by group or others.
 * A descriptor or a negative errno.
 */
int efs_record_dir_open(bool create);
/*
 * Write r as the record of its device: O_EXCL | O_NOFOLLOW, mode 0600 (a
 * record already there is stale: this mount has its device now).  st gets
 * the file written, for efs_record_remove.
 */
int efs_record_write(int dirfd, const struct efs_record *r, struct stat *st);
/*
 * Read the record of a device: a regular file of ours that nobody else may
 * write, in the format efs_record_write writes, nothing else; st gets what
 * was read (for efs_record_remove).  -ENOENT when there is none.
 */
int efs_record_read(int dirfd, unsigned dev_major, unsigned dev_minor, struct efs_record *r,
		    struct stat *st);
/*
 * Whether r describes m, mounted on mnt (as mountinfo escapes it), for
 * uid: the same mount ID, device, mount point and user, and the mount's
 * user_id is uid too.
 */
bool efs_record_matches(const struct efs_record *r, const struct efs_mount *m,
			const char *mnt_esc, uid_t uid);
/*
 * Remove the record of a device; with st, only if it is still the file st
 * describes (not one a later mount on a reused device wrote).  ENOENT is 0.
 */
int efs_record_remove(int dirfd, unsigned dev_major, unsigned dev_minor, const struct stat *st);
/*
 * Remove every record whose device no fuse.ecryptfs mount in the mountinfo
 * table f has (their mount is gone); returns how many were removed.
 */
int efs_record_sweep(int dirfd, FILE *f);

#endif /* ECFS_SRC_FUSE_MOUNTREC_H */
