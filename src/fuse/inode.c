/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The inode table: one node per lower (dev, ino), as passthrough_hp keeps it.
 * The FUSE node id is the node's address; the kernel's lookup count decides
 * when it goes.  Hard links therefore share one node and one open contents
 * object, which is what keeps their header and size in step.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "efs.h"

_Static_assert(sizeof(fuse_ino_t) >= sizeof(uintptr_t), "node ids hold pointers");

static size_t slot(const struct efs_fs *fs, dev_t dev, ino_t ino)
{
	uint64_t h = (uint64_t)ino * 0x9e3779b97f4a7c15ull ^ (uint64_t)dev * 0xc2b2ae3d27d4eb4full;

	return (size_t)(h >> 17) & (fs->itable_size - 1);
}

static void node_init(struct efs_inode *in, int fd, const struct stat *st)
{
	memset(in, 0, sizeof(*in));
	in->fd = fd;
	in->dev = st->st_dev;
	in->ino = st->st_ino;
	in->type = st->st_mode & S_IFMT;
	in->sl_dirfd = -1;
	pthread_mutex_init(&in->sl_lock, NULL);
	pthread_mutex_init(&in->open_lock, NULL);
	pthread_rwlock_init(&in->io_lock, NULL);
}

static void node_free(struct efs_inode *in)
{
	/* Only at teardown after a lazy unmount can contents still be open. */
	if (in->content)
		content_close(in->content);
	close(in->fd);
	if (in->sl_dirfd >= 0)
		close(in->sl_dirfd);
	free(in->sl_name);
	pthread_mutex_destroy(&in->sl_lock);
	pthread_mutex_destroy(&in->open_lock);
	pthread_rwlock_destroy(&in->io_lock);
	free(in);
}

int efs_itable_init(struct efs_fs *fs)
{
	struct stat st;

	pthread_mutex_init(&fs->itable_lock, NULL);
	fs->itable_size = 1024;
	fs->itable = calloc(fs->itable_size, sizeof(*fs->itable));
	if (!fs->itable)
		return -ENOMEM;
	fs->root.fd = open(fs->lower, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fs->root.fd < 0)
		return -errno;
	if (fstat(fs->root.fd, &st) < 0)
		return -errno;
	node_init(&fs->root, fs->root.fd, &st);
	fs->root.nlookup = 2;	/* never forgotten */
	return 0;
}

void efs_itable_destroy(struct efs_fs *fs)
{
	if (!fs->itable)
		return;
	for (size_t i = 0; i < fs->itable_size; i++) {
		struct efs_inode *in = fs->itable[i], *next;

		for (; in; in = next) {
			next = in->hnext;
			node_free(in);
		}
	}
	free(fs->itable);
	fs->itable = NULL;
	if (fs->root.fd >= 0)
		close(fs->root.fd);
	fs->root.fd = -1;
}

struct efs_inode *efs_inode_get(fuse_ino_t ino)
{
	if (ino == FUSE_ROOT_ID)
		return &efs->root;
	return (struct efs_inode *)(uintptr_t)ino;
}

/* Called with the table lock held. */
static void grow(struct efs_fs *fs)
{
	size_t oldsize = fs->itable_size, newsize = oldsize * 2;
	struct efs_inode **old = fs->itable, **nt = calloc(newsize, sizeof(*nt));

	if (!nt)
		return;		/* longer chains, still correct */
	fs->itable = nt;
	fs->itable_size = newsize;
	for (size_t i = 0; i < oldsize; i++) {
		struct efs_inode *in = old[i], *next;

		for (; in; in = next) {
			size_t s = slot(fs, in->dev, in->ino);

			next = in->hnext;
			in->hnext = nt[s];
			nt[s] = in;
		}
	}
	free(old);
}

int efs_inode_add(int fd, const struct stat *st, struct efs_inode **out)
{
	struct efs_fs *fs = efs;
	struct efs_inode *in, *fresh;
	size_t s;

	if (st->st_dev == fs->root.dev && st->st_ino == fs->root.ino) {
		pthread_mutex_lock(&fs->itable_lock);
		fs->root.nlookup++;
		pthread_mutex_unlock(&fs->itable_lock);
		close(fd);
		*out = &fs->root;
		return 0;
	}
	/* Allocate outside the lock; most lookups find the node anyway. */
	fresh = malloc(sizeof(*fresh));
	pthread_mutex_lock(&fs->itable_lock);
	s = slot(fs, st->st_dev, st->st_ino);
	for (in = fs->itable[s]; in; in = in->hnext)
		if (in->ino == st->st_ino && in->dev == st->st_dev)
			break;
	if (in) {
		in->nlookup++;
		pthread_mutex_unlock(&fs->itable_lock);
		free(fresh);
		close(fd);
		*out = in;
		return 0;
	}
	if (!fresh) {
		pthread_mutex_unlock(&fs->itable_lock);
		close(fd);
		return -ENOMEM;
	}
	node_init(fresh, fd, st);
	fresh->nlookup = 1;
	fresh->hnext = fs->itable[s];
	fs->itable[s] = fresh;
	if (++fs->itable_count > fs->itable_size)
		grow(fs);
	pthread_mutex_unlock(&fs->itable_lock);
	*out = fresh;
	return 0;
}

void efs_inode_unref(struct efs_inode *in, uint64_t n)
{
	struct efs_fs *fs = efs;
	struct efs_inode **pp;

	if (!in)
		return;
	pthread_mutex_lock(&fs->itable_lock);
	if (in->nlookup < n)	/* the kernel never does this; stay safe */
		n = in->nlookup;
	in->nlookup -= n;
	if (in->nlookup || in == &fs->root) {
		pthread_mutex_unlock(&fs->itable_lock);
		return;
	}
	for (pp = &fs->itable[slot(fs, in->dev, in->ino)]; *pp; pp = &(*pp)->hnext)
		if (*pp == in) {
			*pp = in->hnext;
			break;
		}
	fs->itable_count--;
	pthread_mutex_unlock(&fs->itable_lock);
	node_free(in);
}

void efs_inode_set_symlink_name(struct efs_inode *in, int dirfd, const char *lname)
{
	int nfd;
	char *nname;

	if (in->type != S_IFLNK)
		return;
	nfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	nname = strdup(lname);
	if (nfd < 0 || !nname) {
		if (nfd >= 0)
			close(nfd);
		free(nname);
		return;
	}
	pthread_mutex_lock(&in->sl_lock);
	if (in->sl_dirfd >= 0)
		close(in->sl_dirfd);
	free(in->sl_name);
	in->sl_dirfd = nfd;
	in->sl_name = nname;
	pthread_mutex_unlock(&in->sl_lock);
}

void efs_fdname(int fd, char buf[16])
{
	snprintf(buf, 16, "%d", fd);
}

int efs_reopen(int fd, int flags)
{
	char name[16];
	int r;

	efs_fdname(fd, name);
	r = openat(efs->proc_fd, name, (flags & ~(O_CREAT | O_NOFOLLOW)) | O_CLOEXEC);
	return r < 0 ? -errno : r;
}
