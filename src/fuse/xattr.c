/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Extended attributes pass straight to the lower inode, except
 * user.ecryptfs: in xattr-metadata mode it is the file's header, so it is
 * neither shown nor writable from above (the kernel lets it through; a
 * stray setfattr would destroy the file's key).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "efs.h"

static bool reserved(const char *name)
{
	return strcmp(name, ECRYPTFS_XATTR_NAME) == 0;
}

static bool is_caps(const char *name)
{
	return strcmp(name, "security.capability") == 0;
}

/* After a change to security.capability: no longer known absent, new generation. */
static void caps_changed(struct efs_inode *in)
{
	uint32_t old = __atomic_load_n(&in->caps_state, __ATOMIC_ACQUIRE);

	while (!__atomic_compare_exchange_n(&in->caps_state, &old, (old | 1) + 1, false,
					    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		;
}

void efs_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
		  size_t size, int flags)
{
	struct efs_ipath p;
	int r;

	struct efs_inode *in = efs_inode_get(ino);

	if (reserved(name)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	r = efs_inode_path(in, &p);
	if (r == 0) {
		if ((p.nofollow ? lsetxattr : setxattr)(p.path, name, value, size, flags) < 0)
			r = -errno;
		efs_inode_path_done(&p);
	}
	if (is_caps(name))
		caps_changed(in);
	fuse_reply_err(req, -r);
}

void efs_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	struct efs_inode *in = efs_inode_get(ino);
	struct efs_ipath p;
	char *buf = NULL;
	ssize_t n;
	bool caps = is_caps(name);
	uint32_t gen = caps ? __atomic_load_n(&in->caps_state, __ATOMIC_ACQUIRE) : 0;
	int r;

	if (reserved(name) || (gen & 1)) {
		fuse_reply_err(req, ENODATA);
		return;
	}
	if (size && !(buf = malloc(size))) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	r = efs_inode_path(in, &p);
	if (r < 0) {
		fuse_reply_err(req, -r);
		free(buf);
		return;
	}
	n = (p.nofollow ? lgetxattr : getxattr)(p.path, name, buf, size);
	r = errno;
	efs_inode_path_done(&p);
	if (n < 0) {
		if (r == ENODATA && caps)	/* fails if a change came meanwhile */
			__atomic_compare_exchange_n(&in->caps_state, &gen, gen | 1, false,
						    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
		fuse_reply_err(req, r);
	} else if (size == 0) {
		fuse_reply_xattr(req, (size_t)n);
	} else {
		fuse_reply_buf(req, buf, (size_t)n);
	}
	free(buf);
}

void efs_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	char *buf = NULL, *out;
	struct efs_ipath p;
	ssize_t n;
	size_t len = 0;
	int r = efs_inode_path(efs_inode_get(ino), &p);

	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	/* The whole list every time: its filtered length is what we report. */
	for (int tries = 0; tries < 5; tries++) {
		n = (p.nofollow ? llistxattr : listxattr)(p.path, NULL, 0);
		if (n < 0)
			break;
		free(buf);
		buf = malloc((size_t)n + 1);
		if (!buf) {
			errno = ENOMEM;
			n = -1;
			break;
		}
		n = (p.nofollow ? llistxattr : listxattr)(p.path, buf, (size_t)n);
		if (n >= 0 || errno != ERANGE)
			break;
	}
	r = errno;
	efs_inode_path_done(&p);
	if (n < 0) {
		fuse_reply_err(req, r);
		free(buf);
		return;
	}
	out = buf;
	buf[n] = 0;
	for (char *a = buf, *next; a < buf + n; a = next) {
		size_t l = strlen(a) + 1;

		next = a + l;
		if (!reserved(a)) {
			memmove(out + len, a, l);
			len += l;
		}
	}
	if (size == 0)
		fuse_reply_xattr(req, len);
	else if (size < len)
		fuse_reply_err(req, ERANGE);
	else
		fuse_reply_buf(req, out, len);
	free(buf);
}

void efs_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	struct efs_ipath p;
	int r;

	struct efs_inode *in = efs_inode_get(ino);

	if (reserved(name)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	r = efs_inode_path(in, &p);
	if (r == 0) {
		if ((p.nofollow ? lremovexattr : removexattr)(p.path, name) < 0)
			r = -errno;
		efs_inode_path_done(&p);
	}
	if (is_caps(name))
		caps_changed(in);
	fuse_reply_err(req, -r);
}
