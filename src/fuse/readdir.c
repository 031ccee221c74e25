/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Directory listing.  With filename encryption, entries whose lower names do
 * not decode are left out, as kernel 6.1 does (ext4's lost+found is the case
 * it has in mind): a plaintext name silently, an encrypted one we cannot read
 * (another filename key, a cipher we lack, a malformed or non-canonical
 * encoding) with a log line.  One such entry, which anyone who can write to
 * a shared lower directory can make, must not stop ls, find or a backup of
 * the rest.  Everything else is listed with its type.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "efs.h"

struct efs_dir {
	DIR *dp;
	struct dirent *entry;	/* read but not yet sent */
	off_t offset;
};

void efs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct efs_dir *d = calloc(1, sizeof(*d));
	int fd;

	if (!d) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	fd = efs_inode_fd(efs_inode_get(ino));
	if (fd >= 0) {
		int pfd = fd;

		/* Open directories hold a descriptor each: not the last free ones. */
		fd = efs_fd_admit(efs_reopen(pfd, O_RDONLY | O_DIRECTORY), true);
		efs_inode_fd_put(efs_inode_get(ino));
	}
	if (fd < 0) {
		free(d);
		fuse_reply_err(req, -fd);
		return;
	}
	d->dp = fdopendir(fd);
	if (!d->dp) {
		int e = errno;

		close(fd);
		free(d);
		fuse_reply_err(req, e);
		return;
	}
	fi->fh = (uintptr_t)d;
	if (fuse_reply_open(req, fi) == -ENOENT) {
		closedir(d->dp);
		free(d);
	}
}

static bool dot_or_dotdot(const char *n)
{
	return n[0] == '.' && (n[1] == 0 || (n[1] == '.' && n[2] == 0));
}

static bool has_fnek_prefix(const char *n)
{
	return strncmp(n, ECRYPTFS_FNEK_PREFIX, sizeof(ECRYPTFS_FNEK_PREFIX) - 1) == 0;
}

static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi, bool plus)
{
	struct efs_dir *d = (struct efs_dir *)(uintptr_t)fi->fh;
	struct efs_inode *dir = efs_inode_get(ino);
	char *buf = malloc(size), name[NAME_MAX + 1];
	size_t used = 0;
	int err = 0;

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	/* A listing from the start: the walkers go ahead of it. */
	if (off == 0)
		efs_prefetch_listing(dirfd(d->dp));
	if (off != d->offset) {
		seekdir(d->dp, off);
		d->entry = NULL;
		d->offset = off;
	}
	for (;;) {
		struct fuse_entry_param e;
		const char *lname;
		size_t n;
		int r;

		if (!d->entry) {
			errno = 0;
			d->entry = readdir(d->dp);
			if (!d->entry) {
				err = errno;
				break;
			}
		}
		lname = d->entry->d_name;
		if (dot_or_dotdot(lname)) {
			strcpy(name, lname);
		} else {
			r = efs_names_decrypt(lname, name, sizeof(name));
			if (r == -ENOMEM) {	/* ours, not the name's */
				err = ENOMEM;
				break;
			}
			if (r < 0) {
				if (has_fnek_prefix(lname))
					efs_log_hidden(dir, lname, r);
				d->offset = d->entry->d_off;
				d->entry = NULL;
				continue;
			}
		}
		if (plus) {
			memset(&e, 0, sizeof(e));
			if (dot_or_dotdot(lname)) {
				e.attr.st_ino = d->entry->d_ino;
				e.attr.st_mode = d->entry->d_type << 12;
			} else {
				r = efs_do_lookup_lower(dir, dirfd(d->dp), lname, &e);
				if (r == -ENOENT) {	/* gone meanwhile */
					d->offset = d->entry->d_off;
					d->entry = NULL;
					continue;
				}
				if (r < 0) {
					err = -r;
					break;
				}
			}
			n = fuse_add_direntry_plus(req, buf + used, size - used, name, &e,
						   d->entry->d_off);
			if (n > size - used) {
				if (e.ino)
					efs_inode_unref(efs_inode_get(e.ino), 1);
				break;
			}
		} else {
			struct stat st = {
				.st_ino = d->entry->d_ino,
				.st_mode = d->entry->d_type << 12,
			};

			n = fuse_add_direntry(req, buf + used, size - used, name, &st,
					      d->entry->d_off);
			if (n > size - used)
				break;
		}
		used += n;
		d->offset = d->entry->d_off;
		d->entry = NULL;
	}
	/* An error after some entries: send those, the error comes next time. */
	if (err && used == 0)
		fuse_reply_err(req, err);
	else
		fuse_reply_buf(req, buf, used);
	free(buf);
}

void efs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		 struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, false);
}

void efs_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, true);
}

void efs_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct efs_dir *d = (struct efs_dir *)(uintptr_t)fi->fh;

	closedir(d->dp);
	free(d);
	fuse_reply_err(req, 0);
}

void efs_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct efs_dir *d = (struct efs_dir *)(uintptr_t)fi->fh;
	int fd = dirfd(d->dp);
	int r = datasync ? fdatasync(fd) : fsync(fd);

	fuse_reply_err(req, r < 0 ? errno : 0);
}
