/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The namespace: lookup, create-like operations, links, removal, rename and
 * symlink targets.  Every name crosses names.c on its way down, so with
 * filename encryption the lower tree holds only the kernel's encrypted names.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "efs.h"

#define LNAME_MAX 512	/* lower names are at most 255 bytes; room for errors */

int efs_do_lookup(struct efs_inode *dir, const char *name, struct fuse_entry_param *e)
{
	char lname[LNAME_MAX];
	int r = efs_names_encrypt(name, lname, sizeof(lname)), dirfd;

	if (r < 0)
		return r;
	dirfd = efs_inode_fd(dir);
	if (dirfd < 0)
		return dirfd;
	r = efs_do_lookup_lower(dir, dirfd, lname, e);
	efs_inode_fd_put(dir);
	return r;
}

int efs_do_lookup_lower(struct efs_inode *dir, int dirfd, const char *lname,
			struct fuse_entry_param *e)
{
	struct efs_inode *in;
	struct stat st;
	int fd, r;

	fd = efs_openat(dirfd, lname, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	r = efs_inode_add(fd, &st, dir, lname, &in);
	if (r < 0)
		return r;
	memset(e, 0, sizeof(*e));
	e->attr = st;	/* taken just now: no second fstatat */
	r = efs_stat_upper(in, &e->attr);
	if (r < 0) {
		efs_inode_unref(in, 1);
		return r;
	}
	e->ino = (uintptr_t)in;
	e->attr_timeout = efs->timeout;
	e->entry_timeout = efs->timeout;
	return 0;
}

void efs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	int r = efs_do_lookup(efs_inode_get(parent), name, &e);

	if (r == -ENOENT) {
		/* A negative entry: the kernel may cache the absence. */
		memset(&e, 0, sizeof(e));
		e.entry_timeout = efs->timeout;
		fuse_reply_entry(req, &e);
	} else if (r < 0) {
		fuse_reply_err(req, -r);
	} else {
		fuse_reply_entry(req, &e);
	}
}

void efs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	efs_inode_unref(efs_inode_get(ino), nlookup);
	fuse_reply_none(req);
}

void efs_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	for (size_t i = 0; i < count; i++)
		efs_inode_unref(efs_inode_get(forgets[i].ino), forgets[i].nlookup);
	fuse_reply_none(req);
}

static void reply_entry(fuse_req_t req, struct efs_inode *dir, const char *name, int r)
{
	struct fuse_entry_param e;

	if (r == 0)
		r = efs_do_lookup(dir, name, &e);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_entry(req, &e);
}

void efs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct efs_inode *dir = efs_inode_get(parent);
	char lname[LNAME_MAX];
	struct efs_creds cr;
	int r = efs_names_encrypt(name, lname, sizeof(lname)), dirfd = -1;

	if (r == 0)
		r = dirfd = efs_inode_fd(dir);
	if (r >= 0) {
		efs_creds_enter(req, &cr);
		r = mkdirat(dirfd, lname, mode) < 0 ? -errno : 0;
		efs_creds_leave(&cr);
		efs_inode_fd_put(dir);
	}
	reply_entry(req, dir, name, r);
}

void efs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	struct efs_inode *dir = efs_inode_get(parent);
	char lname[LNAME_MAX];
	struct efs_creds cr;
	int r, dirfd = -1;

	if (S_ISREG(mode)) {
		/* mknod(2) of a regular file: a file with a header, as create. */
		struct efs_inode *in;
		struct fuse_entry_param e;

		r = efs_create_file(req, dir, name, mode, O_EXCL, &in);
		if (r < 0) {
			fuse_reply_err(req, -r);
			return;
		}
		efs_content_put(in);
		memset(&e, 0, sizeof(e));
		r = efs_stat(in, &e.attr);
		if (r < 0) {
			efs_inode_unref(in, 1);
			fuse_reply_err(req, -r);
			return;
		}
		e.ino = (uintptr_t)in;
		e.attr_timeout = e.entry_timeout = efs->timeout;
		fuse_reply_entry(req, &e);
		return;
	}
	r = efs_names_encrypt(name, lname, sizeof(lname));
	if (r == 0)
		r = dirfd = efs_inode_fd(dir);
	if (r >= 0) {
		efs_creds_enter(req, &cr);
		r = mknodat(dirfd, lname, mode, rdev) < 0 ? -errno : 0;
		efs_creds_leave(&cr);
		efs_inode_fd_put(dir);
	}
	reply_entry(req, dir, name, r);
}

void efs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	struct efs_inode *dir = efs_inode_get(parent);
	char lname[LNAME_MAX], ltarget[PATH_MAX + 1];
	struct efs_creds cr;
	int r = efs_names_encrypt(name, lname, sizeof(lname)), dirfd = -1;

	if (r == 0)
		r = efs_names_target_encrypt(link, ltarget, sizeof(ltarget));
	if (r == 0)
		r = dirfd = efs_inode_fd(dir);
	if (r >= 0) {
		efs_creds_enter(req, &cr);
		r = symlinkat(ltarget, dirfd, lname) < 0 ? -errno : 0;
		efs_creds_leave(&cr);
		efs_inode_fd_put(dir);
	}
	reply_entry(req, dir, name, r);
}

void efs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	struct efs_inode *in = efs_inode_get(ino), *dir = efs_inode_get(newparent);
	char lname[LNAME_MAX], path[64];
	int r = efs_names_encrypt(newname, lname, sizeof(lname)), fd = -1, dirfd = -1;

	if (r == 0)
		r = fd = efs_inode_fd(in);
	if (r >= 0)
		r = dirfd = efs_inode_fd(dir);
	if (r >= 0) {
		r = linkat(fd, "", dirfd, lname, AT_EMPTY_PATH) < 0 ? -errno : 0;
		if (r == -EPERM || r == -ENOENT) {
			/* Without CAP_DAC_READ_SEARCH: through /proc, as passthrough_ll. */
			snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
			r = linkat(AT_FDCWD, path, dirfd, lname, AT_SYMLINK_FOLLOW) < 0 ?
				-errno : 0;
		}
	}
	if (dirfd >= 0)
		efs_inode_fd_put(dir);
	if (fd >= 0)
		efs_inode_fd_put(in);
	reply_entry(req, dir, newname, r);
}

static void remove_entry(fuse_req_t req, fuse_ino_t parent, const char *name, int flags)
{
	struct efs_inode *dir = efs_inode_get(parent);
	char lname[LNAME_MAX];
	int r = efs_names_encrypt(name, lname, sizeof(lname)), dirfd;

	if (r == 0) {
		dirfd = r = efs_inode_fd(dir);
		if (dirfd >= 0) {
			efs_inode_name_going(dir, dirfd, lname);
			r = unlinkat(dirfd, lname, flags) < 0 ? -errno : 0;
			efs_inode_fd_put(dir);
		}
	}
	fuse_reply_err(req, -r);
}

void efs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_entry(req, parent, name, 0);
}

void efs_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_entry(req, parent, name, AT_REMOVEDIR);
}

void efs_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	struct efs_inode *dir = efs_inode_get(parent), *ndir = efs_inode_get(newparent);
	char lname[LNAME_MAX], nlname[LNAME_MAX];
	int r = efs_names_encrypt(name, lname, sizeof(lname)), dirfd = -1, ndirfd = -1;

	if (r == 0)
		r = efs_names_encrypt(newname, nlname, sizeof(nlname));
	if (r == 0)
		r = dirfd = efs_inode_fd(dir);
	if (r >= 0)
		r = ndirfd = efs_inode_fd(ndir);
	if (r >= 0) {
		struct efs_hold src, dst = { NULL, false };

		/* Moved inodes are reopened by their new names. */
		efs_inode_hold(dirfd, lname, &src);
		if (flags & RENAME_EXCHANGE)
			efs_inode_hold(ndirfd, nlname, &dst);
		else
			efs_inode_name_going(ndir, ndirfd, nlname);
		r = syscall(SYS_renameat2, dirfd, lname, ndirfd, nlname, flags) < 0 ? -errno : 0;
		efs_inode_hold_done(&src, r == 0 ? ndir : NULL, nlname);
		efs_inode_hold_done(&dst, r == 0 ? dir : NULL, lname);
	}
	if (ndirfd >= 0)
		efs_inode_fd_put(ndir);
	if (dirfd >= 0)
		efs_inode_fd_put(dir);
	fuse_reply_err(req, -r);
}

void efs_readlink(fuse_req_t req, fuse_ino_t ino)
{
	char buf[PATH_MAX + 1];
	ssize_t n = efs_read_symlink(efs_inode_get(ino), buf, sizeof(buf));

	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_readlink(req, buf);
}
