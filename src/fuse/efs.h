/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs-fuse: what the daemon's source files share.
 *
 * The daemon mirrors a lower directory the way the kernel's eCryptfs stacks
 * on it: one upper object per lower object, with only file contents, names
 * and symlink targets transformed.  Each file here has one job; this header
 * is the glue between them.
 *
 * Files call only downward: a file calls the files before it in the order
 * below, never one after it.  The sections of this header follow the same
 * order, one per file, each with what its file defines.
 * A call that must go up is marked "layer exception: SYMBOL" beside it, with
 * the reason; tests/project/t-layers.sh reads the line below and the object
 * files' symbols, and fails on any other upward call.
 * layer order: options pool sizes inode log names keys content attr prefetch file dir readdir xattr mountinfo mountrec main
 */
#ifndef ECFS_SRC_FUSE_EFS_H
#define ECFS_SRC_FUSE_EFS_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>
#include <linux/capability.h>

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "libecryptfs.h"
#include "mountrec.h"

#define EFS_PROG "ecryptfs-fuse"
#define EFS_MAX_WRITE (1024 * 1024)
/*
 * A mount's readahead: four requests of EFS_MAX_WRITE in flight, so that a
 * stream keeps several direct lower reads queued on the disk while earlier
 * ones are decrypted.
 */
#define EFS_READAHEAD (4 * EFS_MAX_WRITE)

/*
 * options.c: mount options, the kernel's eCryptfs options, read with
 * libecryptfs's option table into a resolved policy, plus FUSE's.
 */
struct efs_opts {
	struct ecryptfs_mount_opts mount;	/* mount.policy: ciphers, sigs, FNEK, flags */
	bool ro, allow_other, default_permissions;
	bool foreground, debug;
	char *fuse_opts;	/* generic options handed to the FUSE mount */
};

int efs_opts_parse(struct efs_opts *o, const char *optstr, char *err, size_t errlen);
void efs_opts_free(struct efs_opts *o);

/* pool.c: parallel extent crypto for large requests (n extents, in == out allowed). */
int efs_pool_start(unsigned nthreads);
void efs_pool_stop(void);
int efs_pool_crypt(struct ecryptfs_crypt *c, bool enc, uint64_t first, const char *in,
		   char *out, size_t n);
/* A per-thread scratch buffer (slot 0: file.c, slot 1: content.c). */
char *efs_thread_buffer(int slot, size_t size);

/*
 * sizes.c: plaintext sizes of regular files by lower inode, across forgets,
 * valid while the lower size, mtime and ctime are those they were learnt at.
 */
int efs_sizes_init(size_t entries);
void efs_sizes_destroy(void);
bool efs_sizes_get(const struct stat *lower, off_t *size);
void efs_sizes_put(const struct stat *lower, off_t size);

/* inode.c: the inode table, and the ways a request reaches a lower inode. */
#define EFS_FH_MAX 40	/* longer file handles are not kept (identity by number) */
/*
 * One upper inode per lower (dev, ino).  An inode does not hold a lower
 * descriptor of its own: its O_PATH fd lives in a bounded cache (least
 * recently used first out) and is reopened, when the cache has closed it,
 * by the lower name it was last seen under in its parent directory, then
 * checked to be the same inode (number, type, file handle; inode.c).  So
 * the daemon's descriptors follow the cache bound and the open files, never
 * the number of inodes the kernel knows.  A node stays while the kernel
 * knows it or a child names it as its parent; per-inode state that should
 * outlive a forget (a closed file's size) lives in a table keyed by (dev,
 * ino) instead (sizes.c).
 */
struct efs_inode {
	struct efs_inode *hnext;	/* hash chain, under fs->itable_lock */
	dev_t dev;
	ino_t ino;
	mode_t type;			/* S_IFMT bits; never change */
	uint64_t nlookup;		/* under fs->itable_lock */

	/* Where it was last seen, under fs->itable_lock. */
	struct efs_inode *parent;	/* holds one ref of the parent */
	char *lname;			/* lower name in parent */
	uint32_t name_gen;		/* bumped when parent or lname change */
	uint64_t refs;			/* children naming it, reopens under way */
	/*
	 * Without a pinned fd a lower inode can be freed and its number given
	 * to a new one: its file handle (ext4: number and generation) tells
	 * them apart.  fh_len 0: the lower file system gives none.  A node
	 * found to stand for a freed inode is stale: out of the hash table,
	 * every request on it ESTALE, freed when the kernel forgets it.
	 * fh_later: not taken yet, while the cached fd pins the inode; the
	 * cache takes it before it closes that fd (inode.c, take_handle).
	 */
	unsigned char fh_len;
	bool fh_later;			/* under fs->fdc_lock */
	bool stale;			/* under fs->itable_lock */
	int fh_type;
	unsigned char fh[EFS_FH_MAX];

	/* The fd cache, under fs->fdc_lock. */
	int fd;				/* O_PATH, -1 while the cache holds none */
	unsigned pins;			/* users of fd; a pinned fd is never closed */
	bool name_pin;			/* pinned for want of a name to reopen by */
	struct efs_inode *lru_prev, *lru_next;	/* unpinned cached fds */

	/* Regular files: the open contents, shared by every handle. */
	pthread_mutex_t open_lock;	/* guards content and nopen */
	struct efs_content *content;
	unsigned nopen;
	/* Readers share, writers and size changes are exclusive. */
	pthread_rwlock_t io_lock;
	bool corrupt_logged;
	/*
	 * The kernel asks for security.capability before every write (FUSE
	 * never marks an inode S_NOSEC); its absence, once seen, is remembered
	 * until a setxattr or removexattr of it through us, the only writer.
	 * Odd: known absent.  Changes bump it to the next even value after
	 * their syscall, so a lookup that raced with one cannot mark it absent.
	 */
	uint32_t caps_state;
};

struct efs_fs {
	char *lower;
	char *mountpoint;
	struct efs_opts opts;
	int proc_fd;			/* /proc/self/fd, for reopening O_PATH fds */
	struct efs_inode root;		/* its fd is never cached out */
	pthread_mutex_t itable_lock;
	struct efs_inode **itable;
	size_t itable_size, itable_count;
	struct efs_inode *stale;	/* stale nodes the kernel still knows (hnext) */
	struct efs_inode *dead;		/* unreachable, to be freed (hnext) */
	/* The O_PATH fd cache (inode.c). */
	pthread_mutex_t fdc_lock;
	struct efs_inode *lru_head, *lru_tail;
	size_t fdc_count, fdc_max;	/* cached fds, pinned or not; the bound */
	int fd_limit;			/* soft RLIMIT_NOFILE */
	double timeout;
	struct efs_keys *keys;		/* keys.c */
	struct efs_names *names;	/* names.c */
	struct fuse_session *se;
};

/* The mount being served (main.c sets it). */
extern struct efs_fs *efs;

/* Soft RLIMIT_NOFILE raised to the hard one; the new soft limit. */
int efs_raise_fd_limit(void);
int efs_itable_init(struct efs_fs *fs);
void efs_itable_destroy(struct efs_fs *fs);
/* Teardown: fn on every node but the root. */
void efs_itable_walk(struct efs_fs *fs, void (*fn)(struct efs_inode *in));
struct efs_inode *efs_inode_get(fuse_ino_t ino);
/*
 * Find or add the inode of fd (O_PATH, consumed: it goes to the cache or
 * is closed), seen as lname in parent; one more lookup.
 */
int efs_inode_add(int fd, const struct stat *st, struct efs_inode *parent, const char *lname,
		  struct efs_inode **out);
/* Whether the lower inode (dev, ino) has a node whose fd is cached: held in memory. */
bool efs_inode_cached(dev_t dev, ino_t ino);
void efs_inode_unref(struct efs_inode *in, uint64_t n);
/*
 * The inode's O_PATH fd, pinned until efs_inode_fd_put: from the cache, or
 * reopened by its last known name (-ENOENT: gone, -ESTALE: the name holds
 * another inode now).  Only this request fails then; the node stays.
 */
int efs_inode_fd(struct efs_inode *in);
void efs_inode_fd_put(struct efs_inode *in);
/*
 * The directory in was last seen in, with a reference held (given back
 * with efs_inode_release), and in's lower name there copied into lname:
 * NULL when it has none or the name does not fit.
 */
struct efs_inode *efs_inode_parent(struct efs_inode *in, char *lname, size_t size);
void efs_inode_release(struct efs_inode *in);
/*
 * The namespace changed through us: before lname in dir (pinned fd dirfd)
 * is removed or replaced, and after a rename put an inode there.
 */
void efs_inode_name_going(struct efs_inode *dir, int dirfd, const char *lname);
/*
 * A rename through us: the node at lname in dir (if known) held, its fd
 * pinned, before the rename, so that a request racing with it finds the fd
 * instead of reopening by a name that is going; done records its new name
 * (newdir NULL: the rename failed) and lets go.
 */
struct efs_hold {
	struct efs_inode *in;
	bool pinned;
};
void efs_inode_hold(int dirfd, const char *lname, struct efs_hold *h);
void efs_inode_hold_done(struct efs_hold *h, struct efs_inode *newdir, const char *newlname);
/*
 * Descriptor shortage: openat and reopen that, on EMFILE or ENFILE, close
 * unpinned cached fds and try once more.  fd or -errno.
 */
int efs_openat(int dirfd, const char *name, int flags, mode_t mode);
void efs_fdname(int fd, char buf[16]);
/* Reopen an O_PATH fd with real access flags. */
int efs_reopen(int fd, int flags);
/*
 * For descriptors held across requests (open files, open directories):
 * fd, or -EMFILE (fd closed) when it would leave fewer than a reserve of
 * descriptors for the requests that only need one for a moment.
 */
int efs_fd_admit(int fd, bool dir);
/* A path naming the inode itself for the *xattr(2) and utimensat calls. */
struct efs_ipath {
	char path[PATH_MAX];
	bool nofollow;			/* a symlink: by its name in its parent */
	struct efs_inode *pinned;	/* whose fd the path holds */
};
int efs_inode_path(struct efs_inode *in, struct efs_ipath *p);
void efs_inode_path_done(struct efs_ipath *p);
/*
 * Lower calls with another user's credentials (only when the daemon is
 * root): fsuid/fsgid, root's DAC override kept (the kernel checked access),
 * CAP_SYS_RESOURCE dropped, so that ext4's reserve and disk quota limits
 * hold for that user (doc/compatibility.md §6.1).  Each enter is paired
 * with efs_creds_leave on the same thread.
 */
struct efs_creds {
	uid_t uid;
	gid_t gid;
	mode_t umask;
	bool changed, caps_saved, umask_set, umask_locked;
	struct __user_cap_data_struct caps[2];
};
/* A creating call: the caller's ids and the umask the request carries. */
void efs_creds_enter(fuse_req_t req, struct efs_creds *saved);
/* A size change or allocation on the caller's behalf: its ids. */
void efs_creds_enter_caller(fuse_req_t req, struct efs_creds *saved);
/*
 * Writes of a file handle: the opener's ids, remembered in fi->fh by
 * efs_creds_handle at open, because writes the kernel sends on its own
 * (dirty mmap pages) carry no caller.
 */
uint64_t efs_creds_handle(fuse_req_t req);
void efs_creds_enter_handle(uint64_t fh, struct efs_creds *saved);
void efs_creds_leave(struct efs_creds *saved);

/* log.c */
void efs_log_init(bool to_stderr, bool debug);
void efs_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void efs_dbg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Log a damaged file once per inode and a few times per minute overall. */
void efs_log_corrupt(struct efs_inode *in, const char *what, int err);
/*
 * Log a lower entry of dir that listings leave out because its name does not
 * decode (err from efs_names_decrypt): once per name (the last 256 logged are
 * remembered), at most 20 times per minute overall.
 */
void efs_log_hidden(struct efs_inode *dir, const char *lname, int err);

/* names.c: entry names and symlink targets (filename encryption). */
int efs_names_init(struct efs_fs *fs, char *err, size_t errlen);
void efs_names_free(struct efs_fs *fs);
/* Upper name -> lower name; -ENAMETOOLONG as a local filesystem says it. */
int efs_names_encrypt(const char *name, char *out, size_t outsz);
/*
 * Lower name -> upper name.  Only the canonical encoding decodes (what
 * efs_names_encrypt gives), so no second lower name can pose as a file.
 * Every error but -ENOMEM is a name readdir hides.
 */
int efs_names_decrypt(const char *lname, char *out, size_t outsz);
int efs_names_target_encrypt(const char *target, char *out, size_t outsz);
unsigned efs_names_namelen(unsigned lower_namelen);
/* Decrypted target of a symlink inode into buf (NUL-terminated): length or -errno. */
ssize_t efs_read_symlink(struct efs_inode *in, char *buf, size_t size);

/*
 * keys.c: the mount's keys.  The data keys the option string names, from the
 * user keyring, and the policy new files get.
 */
struct efs_keys {
	struct ecryptfs_keyset *ks;
	struct ecryptfs_policy policy;
};
int efs_keys_load(struct efs_fs *fs, char *err, size_t errlen);
void efs_keys_free(struct efs_fs *fs);

/* content.c: the contents of regular files.  Everything that knows the
 * difference between upper (plaintext) and lower (ciphertext) bytes is here. */
/* Take a reference on the inode's open contents (opening them if needed). */
int efs_content_get(struct efs_inode *in, int flags, struct efs_content **out);
/*
 * The same for a file just created or opened by name: unless its contents
 * are open already, they are opened on lower_fd (O_RDWR); lower_fd is
 * consumed either way.
 */
int efs_content_attach(struct efs_inode *in, int lower_fd, bool created, int flags);
void efs_content_put(struct efs_inode *in);
/* Teardown, before efs_itable_destroy: close what handles left open. */
void efs_content_close_all(struct efs_fs *fs);
/* *data points into a per-thread buffer, valid until the thread's next call. */
ssize_t efs_content_read(struct efs_content *c, size_t n, off_t off, const char **data);
/*
 * Writes past the end, truncates and fallocates that grow a file write
 * encrypted zeros up to the new end; req (NULL: none) lets an interrupt
 * of a dying caller stop that work, which then fails with -EINTR and
 * changes nothing.
 */
ssize_t efs_content_write(struct efs_content *c, const char *buf, size_t n, off_t off,
			  fuse_req_t req);
int efs_content_truncate(struct efs_content *c, off_t size, fuse_req_t req);
int efs_content_fsync(struct efs_content *c, int datasync);
int efs_content_fallocate(struct efs_content *c, int mode, off_t off, off_t len,
			  fuse_req_t req);
off_t efs_content_size(struct efs_content *c);
/* Upper size of a regular file that is not open (lower O_PATH fd). */
int efs_content_peek_size(struct efs_fs *fs, struct efs_inode *in, off_t lower_size,
			  off_t *size);

/* attr.c */
int efs_stat(struct efs_inode *in, struct stat *st);
/* The upper view of st, a fresh lower stat of in (saves a second fstatat). */
int efs_stat_upper(struct efs_inode *in, struct stat *st);
void efs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void efs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int valid,
		 struct fuse_file_info *fi);
void efs_statfs(fuse_req_t req, fuse_ino_t ino);

/*
 * prefetch.c: walkers that read ahead of the requests: a listed directory's
 * lower inodes and unknown headers (and its subdirectories'), and the first
 * pages of the files a program opens one after the other in a directory.
 */
void efs_prefetch_start(void);
void efs_prefetch_stop(void);
/* A listing of the directory dirfd (any fd of it) begins. */
void efs_prefetch_listing(int dirfd);
/* The regular file in was opened. */
void efs_prefetch_opened(struct efs_inode *in);

/* file.c */
void efs_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		struct fuse_file_info *fi);
void efs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void efs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);
void efs_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *in_buf, off_t off,
		   struct fuse_file_info *fi);
void efs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void efs_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);
void efs_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
		   struct fuse_file_info *fi);
int efs_create_file(fuse_req_t req, struct efs_inode *dir, const char *name, mode_t mode,
		    int flags, struct efs_inode **out);

/* dir.c: the namespace */
int efs_do_lookup(struct efs_inode *dir, const char *name, struct fuse_entry_param *e);
/* lname in dir, whose fd dirfd the caller holds pinned (or another fd of dir). */
int efs_do_lookup_lower(struct efs_inode *dir, int dirfd, const char *lname,
			struct fuse_entry_param *e);
void efs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name);
void efs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void efs_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets);
void efs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode);
void efs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev);
void efs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name);
void efs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname);
void efs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name);
void efs_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name);
void efs_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		fuse_ino_t newparent, const char *newname, unsigned int flags);
void efs_readlink(fuse_req_t req, fuse_ino_t ino);

/* readdir.c */
void efs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void efs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		 struct fuse_file_info *fi);
void efs_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		     struct fuse_file_info *fi);
void efs_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void efs_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);

/* xattr.c */
void efs_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
		  size_t size, int flags);
void efs_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size);
void efs_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
void efs_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name);

/*
 * mountinfo.c and mountrec.c: finding our mount in mountinfo and its
 * record for umount.ecryptfs, declared in mountrec.h (shared with it).
 */

#endif /* ECFS_SRC_FUSE_EFS_H */
