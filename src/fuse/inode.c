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
#include <sys/prctl.h>
#include <sys/resource.h>
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
	pthread_mutex_init(&in->open_lock, NULL);
	pthread_rwlock_init(&in->io_lock, NULL);
}

/* The fd cache.  All of it under fs->fdc_lock. */
static void lru_unlink(struct efs_fs *fs, struct efs_inode *in)
{
	if (in->lru_prev)
		in->lru_prev->lru_next = in->lru_next;
	else
		fs->lru_head = in->lru_next;
	if (in->lru_next)
		in->lru_next->lru_prev = in->lru_prev;
	else
		fs->lru_tail = in->lru_prev;
	in->lru_prev = in->lru_next = NULL;
}

static void lru_push(struct efs_fs *fs, struct efs_inode *in)
{
	in->lru_prev = NULL;
	in->lru_next = fs->lru_head;
	if (fs->lru_head)
		fs->lru_head->lru_prev = in;
	else
		fs->lru_tail = in;
	fs->lru_head = in;
}

static void pin(struct efs_fs *fs, struct efs_inode *in)
{
	if (in->pins++ == 0)
		lru_unlink(fs, in);
}

static void unpin(struct efs_fs *fs, struct efs_inode *in)
{
	if (--in->pins == 0)
		lru_push(fs, in);
}

static void take_handle(struct efs_inode *in);

/* Close unpinned fds, oldest first, until at most keep are cached. */
static size_t evict(struct efs_fs *fs, size_t keep)
{
	size_t n = 0;

	while (fs->fdc_count > keep && fs->lru_tail) {
		struct efs_inode *in = fs->lru_tail;

		lru_unlink(fs, in);
		if (in->fh_later)
			take_handle(in);
		close(in->fd);
		in->fd = -1;
		fs->fdc_count--;
		n++;
	}
	return n;
}

/* A fresh fd for in (none cached), unpinned or pinned; another thread may have won. */
static int install(struct efs_fs *fs, struct efs_inode *in, int fd, bool pinned)
{
	int loser = -1;

	pthread_mutex_lock(&fs->fdc_lock);
	if (in->fd >= 0) {
		loser = fd;
	} else {
		in->fd = fd;
		fs->fdc_count++;
		lru_push(fs, in);
	}
	if (pinned)
		pin(fs, in);
	fd = in->fd;
	evict(fs, fs->fdc_max);
	pthread_mutex_unlock(&fs->fdc_lock);
	if (loser >= 0)
		close(loser);
	return fd;
}

/* After EMFILE/ENFILE: a quarter of the unpinned cached fds, at least 16. */
static bool shrink(void)
{
	struct efs_fs *fs = efs;
	size_t n, cut;

	pthread_mutex_lock(&fs->fdc_lock);
	cut = fs->fdc_count / 4 > 16 ? fs->fdc_count / 4 : 16;
	n = evict(fs, fs->fdc_count > cut ? fs->fdc_count - cut : 0);
	pthread_mutex_unlock(&fs->fdc_lock);
	return n > 0;
}

static bool out_of_fds(int e)
{
	return e == EMFILE || e == ENFILE;
}

int efs_openat(int dirfd, const char *name, int flags, mode_t mode)
{
	int fd = openat(dirfd, name, flags, mode);

	if (fd < 0 && out_of_fds(errno) && shrink())
		fd = openat(dirfd, name, flags, mode);
	return fd < 0 ? -errno : fd;
}

/*
 * Descriptors held across requests leave some free for the requests that
 * need one for a moment (a lookup, a stat by a reopened name); open files
 * leave more, so that directories can still be listed when files have
 * taken all they may.  The kernel hands out the lowest free number, so an
 * fd's number tells how many are in use below it.
 */
int efs_fd_admit(int fd, bool dir)
{
	int reserve = dir ? 64 : 128, low = -1;

	if (fd < 0 || efs->fd_limit <= 4 * reserve || fd < efs->fd_limit - reserve)
		return fd;
	/* Cached fds give way to it: moved down to a number they freed. */
	if (shrink())
		low = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	close(fd);
	if (low >= 0 && low < efs->fd_limit - reserve)
		return low;
	if (low >= 0)
		close(low);
	return -EMFILE;
}

/*
 * Node lifetime: a node goes when the kernel has forgotten it and no child
 * names it as parent and no reopen is walking through it.  Called with the
 * table lock held; drops the parent's ref, which may free it in turn.  The
 * node only moves to fs->dead here: closing its fd may be the last close of
 * an unlinked lower file, which frees its blocks, and no lock should be
 * held for that (reap).
 */
static void node_maybe_free(struct efs_fs *fs, struct efs_inode *in)
{
	while (in && in != &fs->root && !in->nlookup && !in->refs) {
		struct efs_inode **pp, *parent = in->parent;

		pp = in->stale ? &fs->stale : &fs->itable[slot(fs, in->dev, in->ino)];
		for (; *pp; pp = &(*pp)->hnext)
			if (*pp == in) {
				*pp = in->hnext;
				break;
			}
		if (!in->stale)
			fs->itable_count--;
		in->hnext = fs->dead;
		fs->dead = in;
		if (parent)
			parent->refs--;
		in = parent;
	}
}

/*
 * No open contents here: the kernel keeps an inode until the RELEASE of its
 * last handle is answered, so it forgets none that a handle still uses, and
 * at teardown efs_content_close_all has closed what handles left open.
 */
static void node_free(struct efs_fs *fs, struct efs_inode *in)
{
	int fd = -1;

	pthread_mutex_lock(&fs->fdc_lock);
	if (in->fd >= 0) {
		if (in->pins == 0)
			lru_unlink(fs, in);
		fd = in->fd;
		fs->fdc_count--;
	}
	pthread_mutex_unlock(&fs->fdc_lock);
	if (fd >= 0)
		close(fd);
	free(in->lname);
	pthread_mutex_destroy(&in->open_lock);
	pthread_rwlock_destroy(&in->io_lock);
	free(in);
}

/* Free the nodes node_maybe_free set aside; called with no lock held. */
static void reap(struct efs_fs *fs)
{
	struct efs_inode *in, *next;

	if (!__atomic_load_n(&fs->dead, __ATOMIC_RELAXED))
		return;
	pthread_mutex_lock(&fs->itable_lock);
	in = fs->dead;
	fs->dead = NULL;
	pthread_mutex_unlock(&fs->itable_lock);
	for (; in; in = next) {
		next = in->hnext;
		node_free(fs, in);
	}
}

/* Record where in was seen; table lock held. */
static void set_name(struct efs_fs *fs, struct efs_inode *in, struct efs_inode *parent,
		     const char *lname)
{
	struct efs_inode *old = in->parent;
	char *n;

	if (in == &fs->root || !parent)
		return;
	if (in->name_pin) {
		pthread_mutex_lock(&fs->fdc_lock);
		in->name_pin = false;
		unpin(fs, in);
		pthread_mutex_unlock(&fs->fdc_lock);
	}
	if (old == parent && in->lname && strcmp(in->lname, lname) == 0)
		return;
	n = strdup(lname);
	if (!n)
		return;		/* the old name stays; a reopen by it checks the inode */
	free(in->lname);
	in->lname = n;
	in->name_gen++;
	parent->refs++;
	in->parent = parent;
	if (old) {
		old->refs--;
		node_maybe_free(fs, old);
	}
}

int efs_raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur > INT_MAX ? INT_MAX : (int)rl.rlim_cur;
}

int efs_itable_init(struct efs_fs *fs)
{
	struct rlimit rl;
	struct stat st;
	int fd;

	pthread_mutex_init(&fs->itable_lock, NULL);
	pthread_mutex_init(&fs->fdc_lock, NULL);
	/*
	 * Three quarters of the descriptors for the cache: a working set a
	 * little larger than the cache misses on every access (least recently
	 * used goes first), so the bound is as high as is safe.  Open files and
	 * directories take the rest, and the cache gives way to them when they
	 * run short (efs_fd_admit, shrink).  Beyond 65,536 the fds would pin
	 * too much of the lower filesystem's inode cache.
	 */
	fs->fd_limit = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < INT_MAX ?
		       (int)rl.rlim_cur : INT_MAX;
	fs->fdc_max = (size_t)fs->fd_limit / 4 * 3;
	if (fs->fdc_max > 65536)
		fs->fdc_max = 65536;
	if (fs->fdc_max < 16)
		fs->fdc_max = 16;
	fs->itable_size = 1024;
	fs->itable = calloc(fs->itable_size, sizeof(*fs->itable));
	if (!fs->itable)
		return -ENOMEM;
	fd = open(fs->lower, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -errno;
	}
	node_init(&fs->root, fd, &st);
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
			node_free(fs, in);
		}
	}
	for (struct efs_inode *in = fs->stale, *next; in; in = next) {
		next = in->hnext;
		node_free(fs, in);
	}
	fs->stale = NULL;
	reap(fs);
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
	for (struct efs_inode *in = fs->stale; in; in = in->hnext)
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

/* Table lock held. */
static struct efs_inode *find(struct efs_fs *fs, dev_t dev, ino_t ino)
{
	struct efs_inode *in;

	if (dev == fs->root.dev && ino == fs->root.ino)
		return &fs->root;
	for (in = fs->itable[slot(fs, dev, ino)]; in; in = in->hnext)
		if (in->ino == ino && in->dev == dev)
			return in;
	return NULL;
}

/* Whether in's fd is cached just now (a cached fd pins its inode). */
static bool fd_cached(struct efs_fs *fs, struct efs_inode *in)
{
	bool cached;

	pthread_mutex_lock(&fs->fdc_lock);
	cached = in->fd >= 0;
	pthread_mutex_unlock(&fs->fdc_lock);
	return cached;
}

bool efs_inode_cached(dev_t dev, ino_t ino)
{
	struct efs_fs *fs = efs;
	struct efs_inode *in;
	bool cached;

	pthread_mutex_lock(&fs->itable_lock);
	in = find(fs, dev, ino);
	cached = in && fd_cached(fs, in);
	pthread_mutex_unlock(&fs->itable_lock);
	return cached;
}

/* Which lower inode an fd reaches: number, type and file handle. */
struct ident {
	dev_t dev;
	ino_t ino;
	mode_t type;
	unsigned char fh_len;
	int fh_type;
	unsigned char fh[EFS_FH_MAX];
};

/* fd's file handle; *len 0 when the lower file system gives none. */
static void handle_of(int fd, unsigned char *len, int *type, unsigned char fh[EFS_FH_MAX])
{
	union {
		struct file_handle h;
		char buf[sizeof(struct file_handle) + EFS_FH_MAX];
	} u;
	int mnt;

	*len = 0;
	u.h.handle_bytes = EFS_FH_MAX;
	if (name_to_handle_at(fd, "", &u.h, &mnt, AT_EMPTY_PATH) == 0 &&
	    u.h.handle_bytes <= EFS_FH_MAX) {
		*len = (unsigned char)u.h.handle_bytes;
		*type = u.h.handle_type;
		memcpy(fh, u.h.f_handle, *len);
	}
}

static void ident_of(int fd, const struct stat *st, struct ident *id)
{
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->type = st->st_mode & S_IFMT;
	handle_of(fd, &id->fh_len, &id->fh_type, id->fh);
}

/*
 * A new node's handle, from its fd before the cache closes it (fdc_lock
 * held): written once, before fd = -1, and read only by those who saw
 * fd == -1 under that lock, so no reader meets it half written.
 */
static void take_handle(struct efs_inode *in)
{
	handle_of(in->fd, &in->fh_len, &in->fh_type, in->fh);
	in->fh_later = false;
}

/* The very inode in stands for (a handle missing on either side: by number). */
static bool ident_is(const struct efs_inode *in, const struct ident *id)
{
	if (in->dev != id->dev || in->ino != id->ino || in->type != id->type)
		return false;
	if (!in->fh_len || !id->fh_len)
		return true;
	return in->fh_type == id->fh_type && in->fh_len == id->fh_len &&
	       memcmp(in->fh, id->fh, id->fh_len) == 0;
}

/*
 * in stands for a lower inode that is gone, its number reused: out of the
 * table, so that lookups make a fresh node; the kernel's references to it
 * get ESTALE until it forgets them.  Table lock held.
 */
static void make_stale(struct efs_fs *fs, struct efs_inode *in)
{
	struct efs_inode **pp;

	for (pp = &fs->itable[slot(fs, in->dev, in->ino)]; *pp; pp = &(*pp)->hnext)
		if (*pp == in) {
			*pp = in->hnext;
			break;
		}
	fs->itable_count--;
	in->stale = true;
	in->hnext = fs->stale;
	fs->stale = in;
}

/*
 * The node for a lower inode just opened as fd, found or made.  Most
 * lookups find a node whose fd is cached: no file handle is asked for nor
 * memory allocated then.  A new node is made without one too (its fd pins
 * the inode; the handle is taken when the cache lets the fd go, evict).
 * Only a node found without a cached fd needs fd's handle, to tell its
 * inode from a new one under a reused number.  The lock is let go for the
 * syscall and the malloc, and the search done again.
 */
int efs_inode_add(int fd, const struct stat *st, struct efs_inode *parent, const char *lname,
		  struct efs_inode **out)
{
	struct efs_fs *fs = efs;
	struct efs_inode *in, *fresh = NULL;
	struct ident id;
	bool have_id = false, cached;
	size_t s;

	for (;;) {
		pthread_mutex_lock(&fs->itable_lock);
		in = find(fs, st->st_dev, st->st_ino);
		/* A cached fd pins its inode: then the number alone is proof. */
		cached = !in || in == &fs->root || fd_cached(fs, in);
		/* A new node needs no handle yet: fd pins its inode (fh_later). */
		if ((in && cached) || (!in && fresh) || (have_id && fresh))
			break;
		pthread_mutex_unlock(&fs->itable_lock);
		if (in && !have_id) {
			ident_of(fd, st, &id);
			have_id = true;
		}
		if (!fresh)
			fresh = malloc(sizeof(*fresh));
		if (!fresh) {
			close(fd);
			return -ENOMEM;
		}
	}
	if (in && !cached && !ident_is(in, &id)) {
		make_stale(fs, in);
		in = NULL;
	}
	if (in) {
		in->nlookup++;
		set_name(fs, in, parent, lname);
		pthread_mutex_unlock(&fs->itable_lock);
		reap(fs);
		free(fresh);
		/* Keep the fresh fd if the cache had let the old one go. */
		if (fd_cached(fs, in))
			close(fd);
		else
			install(fs, in, fd, false);
		*out = in;
		return 0;
	}
	node_init(fresh, -1, st);
	fresh->fh_later = true;
	fresh->nlookup = 1;
	set_name(fs, fresh, parent, lname);
	s = slot(fs, st->st_dev, st->st_ino);
	fresh->hnext = fs->itable[s];
	fs->itable[s] = fresh;
	if (++fs->itable_count > fs->itable_size)
		grow(fs);
	pthread_mutex_unlock(&fs->itable_lock);
	reap(fs);
	install(fs, fresh, fd, false);
	*out = fresh;
	return 0;
}

void efs_inode_unref(struct efs_inode *in, uint64_t n)
{
	struct efs_fs *fs = efs;

	if (!in)
		return;
	pthread_mutex_lock(&fs->itable_lock);
	if (in->nlookup < n)	/* the kernel never does this; stay safe */
		n = in->nlookup;
	in->nlookup -= n;
	node_maybe_free(fs, in);
	pthread_mutex_unlock(&fs->itable_lock);
	reap(fs);
}

static void node_release(struct efs_fs *fs, struct efs_inode *in);
static int fd_get(struct efs_inode *in, unsigned depth);

/*
 * Deep enough for any real tree; a cycle of stale parent links (directories
 * moved around behind our back) ends here instead of recursing forever.
 */
#define MAX_DEPTH 4096

/*
 * Reopen in by the name it was last seen under, and check that the name
 * still holds that very inode (number, type, file handle): a rename or
 * unlink behind our back gives ENOENT or ESTALE, never another file.  A
 * rename through us moves the name while a request may be reopening by the
 * old one: that request tries again when it finds the name changed or the
 * fd cached meanwhile (the rename pins it while it runs, efs_inode_hold).
 */
static int reopen(struct efs_inode *in, unsigned depth, uint32_t *gen)
{
	struct efs_fs *fs = efs;
	struct efs_inode *parent = NULL;
	struct ident id;
	struct stat st;
	char *lname = NULL;
	int fd, pfd;

	pthread_mutex_lock(&fs->itable_lock);
	if (!in->stale && in->parent) {
		parent = in->parent;
		parent->refs++;
		lname = strdup(in->lname);
	}
	*gen = in->name_gen;
	pthread_mutex_unlock(&fs->itable_lock);
	if (!parent)
		return -ESTALE;
	fd = -ENOMEM;
	if (lname) {
		pfd = fd_get(parent, depth + 1);
		fd = pfd;
		if (pfd >= 0) {
			fd = efs_openat(pfd, lname, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
			efs_inode_fd_put(parent);
		}
	}
	free(lname);
	node_release(fs, parent);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -ESTALE;
	}
	ident_of(fd, &st, &id);
	if (!ident_is(in, &id)) {
		close(fd);
		return -ESTALE;
	}
	return fd;
}

static int fd_get(struct efs_inode *in, unsigned depth)
{
	struct efs_fs *fs = efs;
	uint32_t gen;
	bool again;
	int fd;

	if (in == &fs->root)
		return fs->root.fd;
	if (depth >= MAX_DEPTH)
		return -ELOOP;
	for (int tries = 0;; tries++) {
		pthread_mutex_lock(&fs->fdc_lock);
		if (in->fd >= 0) {
			pin(fs, in);
			fd = in->fd;
			pthread_mutex_unlock(&fs->fdc_lock);
			return fd;
		}
		pthread_mutex_unlock(&fs->fdc_lock);
		fd = reopen(in, depth, &gen);
		if (fd >= 0)
			return install(fs, in, fd, true);
		if ((fd != -ENOENT && fd != -ESTALE) || tries >= 3)
			return fd;
		pthread_mutex_lock(&fs->itable_lock);
		again = in->name_gen != gen && !in->stale;
		pthread_mutex_unlock(&fs->itable_lock);
		again = again || fd_cached(fs, in);
		if (!again)
			return fd;
	}
}

int efs_inode_fd(struct efs_inode *in)
{
	return fd_get(in, 0);
}

void efs_inode_fd_put(struct efs_inode *in)
{
	struct efs_fs *fs = efs;

	if (in == &fs->root)
		return;
	pthread_mutex_lock(&fs->fdc_lock);
	unpin(fs, in);
	if (fs->fdc_count > fs->fdc_max)
		evict(fs, fs->fdc_max);
	pthread_mutex_unlock(&fs->fdc_lock);
}

struct efs_inode *efs_inode_parent(struct efs_inode *in, char *lname, size_t size)
{
	struct efs_fs *fs = efs;
	struct efs_inode *parent = NULL;

	pthread_mutex_lock(&fs->itable_lock);
	if (!in->stale && in->parent && in->lname && strlen(in->lname) < size) {
		parent = in->parent;
		parent->refs++;
		strcpy(lname, in->lname);
	}
	pthread_mutex_unlock(&fs->itable_lock);
	return parent;
}

void efs_inode_release(struct efs_inode *in)
{
	node_release(efs, in);
}

/* The node now at lname in dir, with one ref held, or NULL. */
static struct efs_inode *node_at(struct efs_fs *fs, int dirfd, const char *lname,
				 struct stat *st)
{
	struct efs_inode *in;

	if (fstatat(dirfd, lname, st, AT_SYMLINK_NOFOLLOW) < 0)
		return NULL;
	pthread_mutex_lock(&fs->itable_lock);
	in = find(fs, st->st_dev, st->st_ino);
	if (in == &fs->root)
		in = NULL;
	if (in)
		in->refs++;
	pthread_mutex_unlock(&fs->itable_lock);
	return in;
}

static void node_release(struct efs_fs *fs, struct efs_inode *in)
{
	pthread_mutex_lock(&fs->itable_lock);
	in->refs--;
	node_maybe_free(fs, in);
	pthread_mutex_unlock(&fs->itable_lock);
	reap(fs);
}

/*
 * A hard-linked inode recorded under a name that goes away would have no
 * name left to be reopened by, though the kernel may reach it by another:
 * its fd stays pinned until a lookup shows it a name again.  (An unlinked
 * file that is open is pinned by its open contents anyway; one that is not
 * open is gone for good, as is a removed directory.)
 */
void efs_inode_name_going(struct efs_inode *dir, int dirfd, const char *lname)
{
	struct efs_fs *fs = efs;
	struct efs_inode *in;
	struct stat st;
	bool mine;
	int fd;

	in = node_at(fs, dirfd, lname, &st);
	if (!in)
		return;
	pthread_mutex_lock(&fs->itable_lock);
	mine = !S_ISDIR(st.st_mode) && st.st_nlink > 1 && in->parent == dir &&
	       strcmp(in->lname, lname) == 0;
	pthread_mutex_unlock(&fs->itable_lock);
	if (mine && (fd = efs_inode_fd(in)) >= 0) {
		pthread_mutex_lock(&fs->fdc_lock);
		if (in->name_pin)
			unpin(fs, in);	/* pinned already: keep one */
		in->name_pin = true;
		pthread_mutex_unlock(&fs->fdc_lock);
	}
	node_release(fs, in);
}

void efs_inode_hold(int dirfd, const char *lname, struct efs_hold *h)
{
	struct stat st;

	h->pinned = false;
	h->in = node_at(efs, dirfd, lname, &st);
	if (h->in)
		h->pinned = efs_inode_fd(h->in) >= 0;
}

void efs_inode_hold_done(struct efs_hold *h, struct efs_inode *newdir, const char *newlname)
{
	struct efs_fs *fs = efs;

	if (!h->in)
		return;
	if (newdir) {
		pthread_mutex_lock(&fs->itable_lock);
		set_name(fs, h->in, newdir, newlname);
		pthread_mutex_unlock(&fs->itable_lock);
		reap(fs);
	}
	if (h->pinned)
		efs_inode_fd_put(h->in);
	node_release(fs, h->in);
	h->in = NULL;
}

void efs_fdname(int fd, char buf[16])
{
	snprintf(buf, 16, "%d", fd);
}

int efs_reopen(int fd, int flags)
{
	char name[16];

	efs_fdname(fd, name);
	return efs_openat(efs->proc_fd, name, (flags & ~(O_CREAT | O_NOFOLLOW)) | O_CLOEXEC, 0);
}

int efs_inode_path(struct efs_inode *in, struct efs_ipath *p)
{
	struct efs_fs *fs = efs;
	struct efs_inode *parent;
	struct stat st;
	int fd, n;

	p->nofollow = false;
	p->pinned = NULL;
	if (in->type != S_IFLNK) {
		fd = efs_inode_fd(in);
		if (fd < 0)
			return fd;
		p->pinned = in;
		n = snprintf(p->path, sizeof(p->path), "/proc/self/fd/%d", fd);
		return n < 0 || (size_t)n >= sizeof(p->path) ? -ENAMETOOLONG : 0;
	}
	/*
	 * A symlink's O_PATH fd is no use to the *xattr calls and utimensat:
	 * its name in its parent, checked to be still its.
	 */
	p->nofollow = true;
	pthread_mutex_lock(&fs->itable_lock);
	parent = in->stale ? NULL : in->parent;
	if (parent)
		parent->refs++;
	pthread_mutex_unlock(&fs->itable_lock);
	if (!parent)
		return -ESTALE;
	fd = efs_inode_fd(parent);
	n = -1;
	if (fd >= 0) {
		pthread_mutex_lock(&fs->itable_lock);
		if (in->parent == parent)
			n = snprintf(p->path, sizeof(p->path), "/proc/self/fd/%d/%s", fd, in->lname);
		pthread_mutex_unlock(&fs->itable_lock);
		if (n < 0 || (size_t)n >= sizeof(p->path) ||
		    lstat(p->path, &st) < 0 || st.st_ino != in->ino || st.st_dev != in->dev ||
		    !S_ISLNK(st.st_mode)) {
			efs_inode_fd_put(parent);
			fd = n < 0 ? -ESTALE : (size_t)n >= sizeof(p->path) ? -ENAMETOOLONG :
			     -ESTALE;
		}
	}
	if (fd < 0) {
		node_release(fs, parent);
		return fd;
	}
	p->pinned = parent;	/* its ref and its pin, until done */
	return 0;
}

void efs_inode_path_done(struct efs_ipath *p)
{
	if (!p->pinned)
		return;
	efs_inode_fd_put(p->pinned);
	if (p->nofollow)
		node_release(efs, p->pinned);
	p->pinned = NULL;
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

/*
 * A change of fsuid, fsgid or capabilities makes the process dumpable again
 * as fs.suid_dumpable says (2 on many systems: a core through a
 * core_pattern pipe, RLIMIT_CORE or not); main.c made it not dumpable, and
 * so it stays.
 */
static void stay_undumpable(void)
{
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
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
	if (!saved->caps_saved) {
		stay_undumpable();
		return;
	}
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
	stay_undumpable();
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
		stay_undumpable();
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
