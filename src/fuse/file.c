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

/*
 * Under open_lock, after the content was opened (r): count the opener if its
 * access mode is allowed, else close a content opened for it alone.
 */
static int attach_opener(struct efs_inode *in, int r, int flags)
{
	if (r == 0)
		r = content_check_access(in->content, flags);
	if (r == 0) {
		in->nopen++;
	} else if (in->content && in->nopen == 0) {
		content_close(in->content);
		in->content = NULL;
	}
	return r;
}

int efs_content_get(struct efs_inode *in, int flags, struct efs_content **out)
{
	bool writable = true;
	int fd, r = 0;

	pthread_mutex_lock(&in->open_lock);
	if (!in->content) {
		/* The daemon needs to read to write (partial extents, header). */
		fd = efs_reopen(in->fd, O_RDWR);
		if ((fd == -EACCES || fd == -EROFS || fd == -EPERM || fd == -ETXTBSY) &&
		    (flags & O_ACCMODE) == O_RDONLY) {
			fd = efs_reopen(in->fd, O_RDONLY);
			writable = false;
		}
		if (fd < 0)
			r = fd;
		else if ((r = content_open(efs, in, fd, writable, false, &in->content)) < 0)
			close(fd);
	}
	r = attach_opener(in, r, flags);
	if (r == 0)
		*out = in->content;
	pthread_mutex_unlock(&in->open_lock);
	return r;
}

void efs_content_put(struct efs_inode *in)
{
	pthread_mutex_lock(&in->open_lock);
	if (--in->nopen == 0) {
		in->known_size = content_size(in->content);
		in->size_known = content_size_is_stable(in->content);
		content_close(in->content);
		in->content = NULL;
	}
	pthread_mutex_unlock(&in->open_lock);
}

static int truncate_on_open(struct efs_inode *in, struct efs_content *c, int flags)
{
	int r = 0;

	if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY) {
		pthread_rwlock_wrlock(&in->io_lock);
		if (content_size(c) != 0)
			r = content_truncate(c, 0, NULL);	/* never grows */
		pthread_rwlock_unlock(&in->io_lock);
	}
	return r;
}

void efs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct efs_inode *in = efs_inode_get(ino);
	struct efs_content *c;
	int r = efs_content_get(in, fi->flags, &c);

	if (r == 0) {
		r = truncate_on_open(in, c, fi->flags);
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
	fi->fh = 0;
	if (fuse_reply_open(req, fi) == -ENOENT)
		efs_content_put(in);
}

/*
 * Create a regular file with its header (or, without O_EXCL, open an
 * existing one).  On success the inode carries one more lookup and one open
 * reference.  A file we created is removed again if its header cannot be
 * written, as ecryptfs_create does: no headerless lower file stays behind.
 */
int efs_create_file(fuse_req_t req, struct efs_inode *dir, const char *name, mode_t mode,
		    int flags, struct efs_inode **out)
{
	struct efs_inode *in = NULL;
	char lname[512], fdname[16];
	struct efs_creds cr;
	struct stat st;
	bool created = true;
	int fd, pfd, r;

	r = names_encrypt(name, lname, sizeof(lname));
	if (r < 0)
		return r;
	efs_creds_enter(req, &cr);
	fd = openat(dir->fd, lname, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0 && errno == EEXIST && !(flags & O_EXCL)) {
		created = false;
		fd = openat(dir->fd, lname, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	}
	efs_creds_leave(&cr);
	if (fd < 0)
		return errno == ELOOP ? -EEXIST : -errno;
	efs_fdname(fd, fdname);
	pfd = openat(efs->proc_fd, fdname, O_PATH | O_CLOEXEC);
	if (pfd < 0 || fstat(fd, &st) < 0) {
		r = -errno;
		if (pfd >= 0)
			close(pfd);
		close(fd);
		goto fail_unlink;
	}
	if (!S_ISREG(st.st_mode)) {
		close(pfd);
		close(fd);
		return -EISDIR;
	}
	r = efs_inode_add(pfd, &st, &in);
	if (r < 0) {
		close(fd);
		goto fail_unlink;
	}
	pthread_mutex_lock(&in->open_lock);
	if (in->content) {
		close(fd);
	} else {
		r = content_open(efs, in, fd, true, created, &in->content);
		if (r < 0)
			close(fd);
	}
	r = attach_opener(in, r, flags);
	pthread_mutex_unlock(&in->open_lock);
	if (r < 0)
		goto fail_unref;
	if (!created) {
		r = truncate_on_open(in, in->content, flags);
		if (r < 0) {
			efs_content_put(in);
			goto fail_unref;
		}
	}
	*out = in;
	return 0;

fail_unref:
	efs_inode_unref(in, 1);
fail_unlink:
	if (created)
		unlinkat(dir->fd, lname, 0);
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
	fi->fh = 0;
	if (fuse_reply_create(req, &e, fi) == -ENOENT) {
		efs_content_put(in);
		efs_inode_unref(in, 1);
	}
}

/* Per-thread buffers: a 1 MiB request should not cost a 1 MiB malloc. */
static __thread char *tbuf[2];
static __thread size_t tbuf_size[2];
static pthread_key_t tbuf_key[2];
static pthread_once_t tbuf_once = PTHREAD_ONCE_INIT;

static void tbuf_keys_make(void)
{
	pthread_key_create(&tbuf_key[0], free);
	pthread_key_create(&tbuf_key[1], free);
}

char *efs_thread_buffer(int slot, size_t size)
{
	if (size > tbuf_size[slot]) {
		/* Small first (libfuse's workers come and go), 1 MiB when needed. */
		size_t want = size <= 64 * 1024 ? 64 * 1024 :
			      size <= EFS_MAX_WRITE + 2 * ECRYPTFS_EXTENT_SIZE ?
			      EFS_MAX_WRITE + 2 * ECRYPTFS_EXTENT_SIZE : size;

		pthread_once(&tbuf_once, tbuf_keys_make);
		free(tbuf[slot]);
		tbuf_size[slot] = 0;
		/* Extent aligned, so O_DIRECT lower I/O stays possible. */
		if (posix_memalign((void **)&tbuf[slot], 4096, want) != 0)
			tbuf[slot] = NULL;
		pthread_setspecific(tbuf_key[slot], tbuf[slot]);
		if (!tbuf[slot])
			return NULL;
		tbuf_size[slot] = want;
	}
	return tbuf[slot];
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
	n = content_read(open_content(in), size, off, &data);
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
	pthread_rwlock_wrlock(&in->io_lock);
	n = content_write(open_content(in), data, size, off, req);
	pthread_rwlock_unlock(&in->io_lock);
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
	r = content_fsync(open_content(in), datasync);
	pthread_rwlock_unlock(&in->io_lock);
	fuse_reply_err(req, -r);
}

void efs_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
		   struct fuse_file_info *fi)
{
	struct efs_inode *in = efs_inode_get(ino);
	int r;

	NEED_CONTENT(req, in);
	pthread_rwlock_wrlock(&in->io_lock);
	r = content_fallocate(open_content(in), mode, offset, length, req);
	pthread_rwlock_unlock(&in->io_lock);
	fuse_reply_err(req, -r);
}
