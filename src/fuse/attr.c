/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Attributes: the lower inode's, except the size of a regular file (the
 * plaintext size from its header) and of a symlink (the plaintext target
 * length), as the kernel's ecryptfs_getattr reports them.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "efs.h"

int efs_stat(struct efs_inode *in, struct stat *st)
{
	int fd = efs_inode_fd(in), r = 0;

	if (fd < 0)
		return fd;
	if (fstatat(fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		r = -errno;
	efs_inode_fd_put(in);
	if (r == 0)
		r = efs_stat_upper(in, st);
	return r;
}

/* No descriptor or memory for this request just now: it fails, nothing is cached. */
static bool transient(int r)
{
	return r == -EMFILE || r == -ENFILE || r == -ENOMEM;
}

int efs_stat_upper(struct efs_inode *in, struct stat *st)
{
	if (S_ISREG(st->st_mode)) {
		off_t size = st->st_size;
		int r = 0;

		pthread_mutex_lock(&in->open_lock);
		if (in->content) {
			size = efs_content_size(in->content);
		} else if (!efs_sizes_get(st, &size)) {
			r = efs_content_peek_size(efs, in, st->st_size, &size);
			if (r == 0)
				efs_sizes_put(st, size);
		}
		pthread_mutex_unlock(&in->open_lock);
		if (r == 0)
			st->st_size = size;
		/*
		 * An unreadable header shows the lower size; open says EIO.  But
		 * a header we could not read for want of a descriptor would show
		 * a wrong size that the kernel keeps for a minute.
		 */
		if (transient(r))
			return r;
	} else if (S_ISLNK(st->st_mode) && efs->opts.mount.policy.encrypt_filenames) {
		char buf[PATH_MAX];
		ssize_t n = efs_read_symlink(in, buf, sizeof(buf));

		if (n >= 0)
			st->st_size = n;
		if (transient((int)n))
			return (int)n;
	}
	return 0;
}

void efs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;
	int r = efs_stat(efs_inode_get(ino), &st);

	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_attr(req, &st, efs->timeout);
}

static int set_times(struct efs_inode *in, const struct stat *attr, int valid)
{
	struct timespec tv[2];
	struct efs_ipath p;
	int r;

	tv[0].tv_sec = tv[1].tv_sec = 0;
	tv[0].tv_nsec = tv[1].tv_nsec = UTIME_OMIT;
	if (valid & FUSE_SET_ATTR_ATIME_NOW)
		tv[0].tv_nsec = UTIME_NOW;
	else if (valid & FUSE_SET_ATTR_ATIME)
		tv[0] = attr->st_atim;
	if (valid & FUSE_SET_ATTR_MTIME_NOW)
		tv[1].tv_nsec = UTIME_NOW;
	else if (valid & FUSE_SET_ATTR_MTIME)
		tv[1] = attr->st_mtim;

	/* A symlink through the name we last saw it under, if still its. */
	r = efs_inode_path(in, &p);
	if (r < 0)
		return r;
	r = utimensat(AT_FDCWD, p.path, tv, p.nofollow ? AT_SYMLINK_NOFOLLOW : 0) < 0 ? -errno : 0;
	efs_inode_path_done(&p);
	return r;
}

static int set_size(struct efs_inode *in, off_t size, fuse_req_t req)
{
	struct efs_content *c;
	int r;

	if (in->type == S_IFDIR)
		return -EISDIR;
	if (in->type != S_IFREG)
		return -EINVAL;
	r = efs_content_get(in, O_RDWR, &c);
	if (r < 0)
		return r;
	pthread_rwlock_wrlock(&in->io_lock);
	r = efs_content_truncate(c, size, req);
	pthread_rwlock_unlock(&in->io_lock);
	efs_content_put(in);
	return r;
}

void efs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int valid,
		 struct fuse_file_info *fi)
{
	struct efs_inode *in = efs_inode_get(ino);
	struct stat st;
	char name[16];
	int r = 0, fd = -1;

	if (valid & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) {
		fd = efs_inode_fd(in);
		if (fd < 0)
			r = fd;
	}
	if (!r && (valid & FUSE_SET_ATTR_MODE)) {
		efs_fdname(fd, name);
		if (fchmodat(efs->proc_fd, name, attr->st_mode & 07777, 0) < 0)
			r = -errno;
	}
	if (!r && (valid & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID))) {
		uid_t uid = (valid & FUSE_SET_ATTR_UID) ? attr->st_uid : (uid_t)-1;
		gid_t gid = (valid & FUSE_SET_ATTR_GID) ? attr->st_gid : (gid_t)-1;

		if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
			r = -errno;
	}
	if (fd >= 0)
		efs_inode_fd_put(in);
	if (!r && (valid & FUSE_SET_ATTR_SIZE)) {
		struct efs_creds cr;

		/* Growth is a fill of zeros: the caller's blocks, not root's. */
		efs_creds_enter_caller(req, &cr);
		r = set_size(in, attr->st_size, req);
		efs_creds_leave(&cr);
	}
	if (!r && (valid & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME |
			    FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW)))
		r = set_times(in, attr, valid);
	if (!r)
		r = efs_stat(in, &st);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_attr(req, &st, efs->timeout);
}

void efs_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct efs_inode *in = efs_inode_get(ino);
	struct statvfs sv;
	int fd = efs_inode_fd(in), r;

	if (fd < 0) {
		fuse_reply_err(req, -fd);
		return;
	}
	r = fstatvfs(fd, &sv) < 0 ? errno : 0;
	efs_inode_fd_put(in);
	if (r) {
		fuse_reply_err(req, r);
		return;
	}
	sv.f_namemax = efs_names_namelen(sv.f_namemax);
	fuse_reply_statfs(req, &sv);
}
