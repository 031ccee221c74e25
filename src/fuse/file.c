/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * File I/O.  Every handle of an inode shares one contents object (one lower
 * fd, one header, one size), so hard links and concurrent openers never see
 * two versions of a file.  Reads run in parallel under the inode's shared
 * lock; writes and size changes take it exclusively, because a write may
 * move the size the next read is cut at.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "efs.h"

static int truncate_on_open(struct efs_inode *in, struct efs_content *c, int flags)
{
	int r = 0;

	if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY) {
		pthread_rwlock_wrlock(&in->io_lock);
		if (efs_content_size(c) != 0)
			r = efs_content_truncate(c, 0, NULL);	/* never grows */
		pthread_rwlock_unlock(&in->io_lock);
	}
	return r;
}

void efs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct efs_inode *in = efs_inode_get(ino);
	struct efs_content *c;
	struct efs_creds cr;
	int r = efs_content_get(in, fi->flags, &c);

	if (r == 0) {
		efs_creds_enter_caller(req, &cr);
		r = truncate_on_open(in, c, fi->flags);
		efs_creds_leave(&cr);
		if (r < 0)
			efs_content_put(in);
	}
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	/* We are the lower tree's only writer: the cached plaintext stays true. */
	fi->keep_cache = 1;
	fi->noflush = 1;	/* writes are synchronous: nothing is left to flush */
	fi->fh = efs_creds_handle(req);
	/* Before the reply: once the file is open, a release may free in. */
	if ((fi->flags & O_ACCMODE) == O_RDONLY)
		efs_prefetch_opened(in);	/* a reader may go on to the next files */
	if (fuse_reply_open(req, fi) == -ENOENT)
		efs_content_put(in);
}

/*
 * Create a regular file with its header (or, without O_EXCL, open an
 * existing one).  On success the inode carries one more lookup and one open
 * reference.  A file we created is removed again if its header cannot be
 * written, as ecryptfs_create does: no headerless lower file stays behind.
 */
static int create_file(struct efs_inode *dir, const char *name, mode_t mode, int flags,
		       struct efs_inode **out)
{
	struct efs_inode *in = NULL;
	char lname[512], fdname[16];
	struct stat st;
	bool created = true;
	int dirfd, fd, pfd, r;

	r = efs_names_encrypt(name, lname, sizeof(lname));
	if (r < 0)
		return r;
	dirfd = efs_inode_fd(dir);
	if (dirfd < 0)
		return dirfd;
	fd = efs_openat(dirfd, lname, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd == -EEXIST && !(flags & O_EXCL)) {
		created = false;
		fd = efs_openat(dirfd, lname, O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0);
	}
	if (fd < 0) {
		r = fd == -ELOOP ? -EEXIST : fd;
		goto out;
	}
	/* An open file holds its descriptor: not into the last free ones. */
	fd = efs_fd_admit(fd, false);
	if (fd < 0) {
		r = fd;
		goto fail_unlink;
	}
	efs_fdname(fd, fdname);
	pfd = efs_openat(efs->proc_fd, fdname, O_PATH | O_CLOEXEC, 0);
	if (pfd < 0 || fstat(fd, &st) < 0) {
		r = pfd < 0 ? pfd : -errno;
		if (pfd >= 0)
			close(pfd);
		close(fd);
		goto fail_unlink;
	}
	if (!S_ISREG(st.st_mode)) {
		close(pfd);
		close(fd);
		r = -EISDIR;
		goto out;
	}
	r = efs_inode_add(pfd, &st, dir, lname, &in);
	if (r < 0) {
		close(fd);
		goto fail_unlink;
	}
	r = efs_content_attach(in, fd, created, flags);
	if (r < 0)
		goto fail_unref;
	if (!created) {
		r = truncate_on_open(in, in->content, flags);
		if (r < 0) {
			efs_content_put(in);
			goto fail_unref;
		}
	}
	efs_inode_fd_put(dir);
	*out = in;
	return 0;

fail_unref:
	efs_inode_unref(in, 1);
fail_unlink:
	if (created)
		unlinkat(dirfd, lname, 0);
out:
	efs_inode_fd_put(dir);
	return r;
}

int efs_create_file(fuse_req_t req, struct efs_inode *dir, const char *name, mode_t mode,
		    int flags, struct efs_inode **out)
{
	struct efs_creds cr;
	int r;

	/* The header is written as the caller too: its blocks are the caller's. */
	efs_creds_enter(req, &cr);
	r = create_file(dir, name, mode, flags, out);
	efs_creds_leave(&cr);
	return r;
}

void efs_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		struct fuse_file_info *fi)
{
	struct fuse_entry_param e;
	struct efs_inode *in;
	int r = efs_create_file(req, efs_inode_get(parent), name, mode, fi->flags, &in);

	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	memset(&e, 0, sizeof(e));
	r = efs_stat(in, &e.attr);
	if (r < 0) {
		efs_content_put(in);
		efs_inode_unref(in, 1);
		fuse_reply_err(req, -r);
		return;
	}
	e.ino = (uintptr_t)in;
	e.attr_timeout = e.entry_timeout = efs->timeout;
	fi->keep_cache = 1;
	fi->noflush = 1;	/* writes are synchronous: nothing is left to flush */
	fi->fh = efs_creds_handle(req);
	if (fuse_reply_create(req, &e, fi) == -ENOENT) {
		efs_content_put(in);
		efs_inode_unref(in, 1);
	}
}

static struct efs_content *open_content(struct efs_inode *in)
{
	/* A handle pins the contents; the open lock is not needed to read it. */
	return __atomic_load_n(&in->content, __ATOMIC_ACQUIRE);
}

/* Requests carry a handle, so contents are open; never trust that blindly. */
#define NEED_CONTENT(req, in)                          \
	do {                                           \
		if (!open_content(in)) {               \
			fuse_reply_err(req, EBADF);    \
			return;                        \
		}                                      \
	} while (0)

void efs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct efs_inode *in = efs_inode_get(ino);
	const char *data;
	ssize_t n;

	NEED_CONTENT(req, in);
	pthread_rwlock_rdlock(&in->io_lock);
	n = efs_content_read(open_content(in), size, off, &data);
	pthread_rwlock_unlock(&in->io_lock);
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_buf(req, data, (size_t)n);
}

void efs_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *in_buf, off_t off,
		   struct fuse_file_info *fi)
{
	struct efs_inode *in = efs_inode_get(ino);
	size_t size = fuse_buf_size(in_buf);
	struct efs_creds cr;
	const char *data;
	ssize_t n;

	NEED_CONTENT(req, in);
	if (in_buf->count == 1 && !(in_buf->buf[0].flags & FUSE_BUF_IS_FD)) {
		data = (const char *)in_buf->buf[0].mem + in_buf->off;
	} else {
		char *buf = efs_thread_buffer(0, size);
		struct fuse_bufvec dst = FUSE_BUFVEC_INIT(size);

		if (!buf) {
			fuse_reply_err(req, ENOMEM);
			return;
		}
		dst.buf[0].mem = buf;
		n = fuse_buf_copy(&dst, in_buf, 0);
		if (n < 0) {
			fuse_reply_err(req, (int)-n);
			return;
		}
		size = (size_t)n;
		data = buf;
	}
	efs_creds_enter_handle(fi->fh, &cr);
	pthread_rwlock_wrlock(&in->io_lock);
	n = efs_content_write(open_content(in), data, size, off, req);
	pthread_rwlock_unlock(&in->io_lock);
	efs_creds_leave(&cr);
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_write(req, (size_t)n);
}

void efs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	efs_content_put(efs_inode_get(ino));
	fuse_reply_err(req, 0);
}

void efs_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct efs_inode *in = efs_inode_get(ino);
	int r;

	NEED_CONTENT(req, in);
	pthread_rwlock_rdlock(&in->io_lock);
	r = efs_content_fsync(open_content(in), datasync);
	pthread_rwlock_unlock(&in->io_lock);
	fuse_reply_err(req, -r);
}

void efs_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
		   struct fuse_file_info *fi)
{
	struct efs_inode *in = efs_inode_get(ino);
	struct efs_creds cr;
	int r;

	NEED_CONTENT(req, in);
	efs_creds_enter_handle(fi->fh, &cr);
	pthread_rwlock_wrlock(&in->io_lock);
	r = efs_content_fallocate(open_content(in), mode, offset, length, req);
	pthread_rwlock_unlock(&in->io_lock);
	efs_creds_leave(&cr);
	fuse_reply_err(req, -r);
}
