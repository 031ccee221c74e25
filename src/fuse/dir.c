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
	int r = efs_names_encrypt(name, lname, sizeof(lname));

	return r < 0 ? r : efs_do_lookup_lower(dir, lname, e);
}

int efs_do_lookup_lower(struct efs_inode *dir, const char *lname, struct fuse_entry_param *e)
{
	struct efs_inode *in;
	struct stat st;
	int fd, r;

	fd = openat(dir->fd, lname, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	r = efs_inode_add(fd, &st, &in);
	if (r < 0)
		return r;
	if (in->type == S_IFLNK)
		efs_inode_set_symlink_name(in, dir->fd, lname);
	memset(e, 0, sizeof(*e));
	e->attr = st;	/* taken just now: no second fstatat */
	efs_stat_upper(in, &e->attr);
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
	int r = efs_names_encrypt(name, lname, sizeof(lname));

	if (r == 0) {
		efs_creds_enter(req, &cr);
		r = mkdirat(dir->fd, lname, mode) < 0 ? -errno : 0;
		efs_creds_leave(&cr);
	}
	reply_entry(req, dir, name, r);
}

void efs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	struct efs_inode *dir = efs_inode_get(parent);
	char lname[LNAME_MAX];
	struct efs_creds cr;
	int r;

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
	if (r == 0) {
		efs_creds_enter(req, &cr);
		r = mknodat(dir->fd, lname, mode, rdev) < 0 ? -errno : 0;
		efs_creds_leave(&cr);
	}
	reply_entry(req, dir, name, r);
}

void efs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	struct efs_inode *dir = efs_inode_get(parent);
	char lname[LNAME_MAX], ltarget[PATH_MAX + 1];
	struct efs_creds cr;
	int r = efs_names_encrypt(name, lname, sizeof(lname));

	if (r == 0)
		r = efs_names_target_encrypt(link, ltarget, sizeof(ltarget));
	if (r == 0) {
		efs_creds_enter(req, &cr);
		r = symlinkat(ltarget, dir->fd, lname) < 0 ? -errno : 0;
		efs_creds_leave(&cr);
	}
	reply_entry(req, dir, name, r);
}

void efs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	struct efs_inode *in = efs_inode_get(ino), *dir = efs_inode_get(newparent);
	char lname[LNAME_MAX], path[64];
	int r = efs_names_encrypt(newname, lname, sizeof(lname));

	if (r == 0) {
		r = linkat(in->fd, "", dir->fd, lname, AT_EMPTY_PATH) < 0 ? -errno : 0;
		if (r == -EPERM || r == -ENOENT) {
			/* Without CAP_DAC_READ_SEARCH: through /proc, as passthrough_ll. */
			snprintf(path, sizeof(path), "/proc/self/fd/%d", in->fd);
			r = linkat(AT_FDCWD, path, dir->fd, lname, AT_SYMLINK_FOLLOW) < 0 ?
				-errno : 0;
		}
	}
	reply_entry(req, dir, newname, r);
}

static void remove_entry(fuse_req_t req, fuse_ino_t parent, const char *name, int flags)
{
	char lname[LNAME_MAX];
	int r = efs_names_encrypt(name, lname, sizeof(lname));

	if (r == 0 && unlinkat(efs_inode_get(parent)->fd, lname, flags) < 0)
		r = -errno;
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

/* A renamed symlink keeps a usable name for utimens and xattrs. */
static void renamed(int dirfd, const char *lname)
{
	struct stat st;
	struct efs_fs *fs = efs;

	if (fstatat(dirfd, lname, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISLNK(st.st_mode))
		return;
	pthread_mutex_lock(&fs->itable_lock);
	for (size_t i = 0; i < fs->itable_size; i++) {
		struct efs_inode *in;

		for (in = fs->itable[i]; in; in = in->hnext)
			if (in->ino == st.st_ino && in->dev == st.st_dev) {
				efs_inode_set_symlink_name(in, dirfd, lname);
				goto out;
			}
	}
out:
	pthread_mutex_unlock(&fs->itable_lock);
}

void efs_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	struct efs_inode *dir = efs_inode_get(parent), *ndir = efs_inode_get(newparent);
	char lname[LNAME_MAX], nlname[LNAME_MAX];
	int r = efs_names_encrypt(name, lname, sizeof(lname));

	if (r == 0)
		r = efs_names_encrypt(newname, nlname, sizeof(nlname));
	if (r == 0 && syscall(SYS_renameat2, dir->fd, lname, ndir->fd, nlname, flags) < 0)
		r = -errno;
	if (r == 0) {
		renamed(ndir->fd, nlname);
		if (flags & RENAME_EXCHANGE)
			renamed(dir->fd, lname);
	}
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
