/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The inode table: one node per lower (dev, ino), as passthrough_hp keeps it.
 * The FUSE node id is the node's address; the kernel's lookup count decides
 * when it goes.  Hard links therefore share one node and one open contents
 * object, which is what keeps their header and size in step.
 * Also the ways a request reaches a lower inode: its O_PATH fd reopened, a
 * path for the *xattr calls, and the caller's credentials for the calls that
 * create or allocate.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "efs.h"

/* The mount being served; main.c sets it before the first request. */
struct efs_fs *efs;

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

/*
 * No open contents here: the kernel keeps an inode until the RELEASE of its
 * last handle is answered, so it forgets none that a handle still uses, and
 * at teardown efs_content_close_all has closed what handles left open.
 */
static void node_free(struct efs_inode *in)
{
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

void efs_itable_walk(struct efs_fs *fs, void (*fn)(struct efs_inode *in))
{
	if (!fs->itable)
		return;
	pthread_mutex_lock(&fs->itable_lock);
	for (size_t i = 0; i < fs->itable_size; i++)
		for (struct efs_inode *in = fs->itable[i]; in; in = in->hnext)
			fn(in);
	pthread_mutex_unlock(&fs->itable_lock);
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

int efs_inode_path(struct efs_inode *in, char *buf, size_t size, bool *nofollow)
{
	int n;

	*nofollow = false;
	if (in->type != S_IFLNK) {
		n = snprintf(buf, size, "/proc/self/fd/%d", in->fd);
		return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
	}
	/* A symlink has no usable fd for *xattr(2): its last known name. */
	pthread_mutex_lock(&in->sl_lock);
	if (!in->sl_name)
		n = -1;
	else
		n = snprintf(buf, size, "/proc/self/fd/%d/%s", in->sl_dirfd, in->sl_name);
	pthread_mutex_unlock(&in->sl_lock);
	*nofollow = true;
	return n < 0 ? -ESTALE : (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* The daemon's own ids never change: read them once. */
static pthread_once_t ids_once = PTHREAD_ONCE_INIT;
static uid_t euid;
static gid_t egid;

static void ids_read(void)
{
	euid = geteuid();
	egid = getegid();
}

/*
 * The caller's umask for a creating call.  The kernel leaves it to us
 * (FUSE_CAP_DONT_MASK, main.c): the lower file system then applies it, or
 * a default ACL of the parent directory instead, exactly as on a creation
 * of the caller's own.  A umask belongs to a process, so each thread first
 * takes one of its own (unshare(CLONE_FS), once); where that is refused,
 * creations take turns with the shared one.  Outside these windows every
 * thread's umask is 0 (main.c).
 */
static __thread int own_umask;	/* 0: not tried, 1: own, -1: shared */
static pthread_mutex_t shared_umask_lock = PTHREAD_MUTEX_INITIALIZER;

static void umask_enter(mode_t mask, struct efs_creds *saved)
{
	saved->umask_set = saved->umask_locked = false;
	if (!own_umask) {
		/*
		 * A thread starts out sharing its creator's: maybe one in such a
		 * window right now, so the copy is set back to 0.
		 */
		own_umask = unshare(CLONE_FS) == 0 ? 1 : -1;
		if (own_umask > 0)
			umask(0);
	}
	if (own_umask > 0 && !mask)
		return;
	if (own_umask < 0) {
		pthread_mutex_lock(&shared_umask_lock);
		saved->umask_locked = true;
	}
	saved->umask = umask(mask & 0777);
	saved->umask_set = true;
}

static void enter_ids(uid_t uid, gid_t gid, struct efs_creds *saved)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct cap[2];

	pthread_once(&ids_once, ids_read);
	saved->changed = saved->caps_saved = false;
	if (euid != 0)
		return;
	/* root as root: nothing to switch (seven syscalls saved per write). */
	if (uid == euid && gid == egid)
		return;
	saved->caps_saved = syscall(SYS_capget, &hdr, saved->caps) == 0;
	/* Per thread on Linux (the raw calls): the new inode is owned by the caller. */
	saved->gid = setfsgid(gid);
	saved->uid = setfsuid(uid);
	saved->changed = true;
	if (!saved->caps_saved)
		return;
	/*
	 * The kernel has checked the caller's access already, supplementary
	 * groups and ACLs included (default_permissions); this thread does not
	 * carry those groups, so it keeps root's DAC override for the lower
	 * call.  What it must not keep for another user is CAP_SYS_RESOURCE:
	 * with it, ext4's reserved blocks and disk quota limits do not apply.
	 * Capability sets are per thread too.
	 */
	memcpy(cap, saved->caps, sizeof(cap));
	if (uid != 0) {
		cap[0].effective |= (1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH);
		cap[0].effective &= cap[0].permitted & ~(1u << CAP_SYS_RESOURCE);
		syscall(SYS_capset, &hdr, cap);
	}
}

void efs_creds_leave(struct efs_creds *saved)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };

	if (saved->changed) {
		setfsuid(saved->uid);
		setfsgid(saved->gid);
		/* setfsuid(0) gives back the file system capabilities only. */
		if (saved->caps_saved)
			syscall(SYS_capset, &hdr, saved->caps);
	}
	if (saved->umask_set)
		umask(saved->umask);
	if (saved->umask_locked)
		pthread_mutex_unlock(&shared_umask_lock);
}

void efs_creds_enter(fuse_req_t req, struct efs_creds *saved)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);

	umask_enter(ctx->umask, saved);
	enter_ids(ctx->uid, ctx->gid, saved);
}

void efs_creds_enter_caller(fuse_req_t req, struct efs_creds *saved)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);

	saved->umask_set = saved->umask_locked = false;
	enter_ids(ctx->uid, ctx->gid, saved);
}

void efs_creds_enter_handle(uint64_t fh, struct efs_creds *saved)
{
	saved->umask_set = saved->umask_locked = false;
	enter_ids((uid_t)(fh >> 32), (gid_t)(fh & 0xffffffffu), saved);
}

uint64_t efs_creds_handle(fuse_req_t req)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);

	return (uint64_t)ctx->uid << 32 | (uint32_t)ctx->gid;
}
