/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The contents of regular files: the only place that knows upper
 * (plaintext) bytes from lower (ciphertext) ones.  Headers, keys and the
 * size field are libecryptfs's lower-file API; the hot path (whole requests
 * of extents) is done here with the engine's batch calls, so that
 *  - a request is one lower pread or pwrite, not one per extent;
 *  - large requests are encrypted/decrypted on several threads (pool.c);
 *  - a write never reads extents it covers completely;
 *  - ciphertext leaves the lower page cache once used: the plaintext is in
 *    the kernel's FUSE page cache already, and caching both halves memory.
 * Crash order: extents first, the size field after, so a killed daemon
 * leaves files whose header describes only data that is really there.
 * An inode's open contents are counted here too (efs_content_get/put): every
 * handle of the inode shares them.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "efs.h"

#define EXT ECRYPTFS_EXTENT_SIZE

static void drop_lower_cache(struct efs_content *c, off_t off, size_t len);
static int size_field(struct efs_inode *in, int fd, off_t lower_size, uint64_t *size);

struct efs_content {
	struct efs_inode *in;
	int fd;
	bool writable;
	struct ecryptfs_file *f;
	enum ecryptfs_file_kind kind;
	struct ecryptfs_crypt *crypt;	/* ENCRYPTED only */
	uint64_t data_off;
	uint64_t size;			/* read with atomics: getattr runs beside writes */
	/*
	 * Passthrough of a file that has a valid eCryptfs size field but no
	 * key here (or unusable packets): the kernel shows the raw lower bytes
	 * cut at that size.  Writing them would destroy the header and the
	 * ciphertext that the key's owner still reads, so it is read only.
	 */
	bool sealed;
	/*
	 * The lower file opened O_DIRECT for streams (-1: not yet, -2: the
	 * lower file system refused it); set once, by whichever reader comes
	 * first.
	 */
	int direct_fd;
	off_t wb_off, wb_len;		/* last large write, to drop once it is on disk */
};

static uint64_t get_size(const struct efs_content *c)
{
	return __atomic_load_n(&c->size, __ATOMIC_ACQUIRE);
}

static void set_size(struct efs_content *c, uint64_t s)
{
	__atomic_store_n(&c->size, s, __ATOMIC_RELEASE);
}

/* Errors a lower file system gives on its own pass through; the rest is damage. */
static int open_error(struct efs_inode *in, int r)
{
	switch (r) {
	case -ENOMEM: case -EACCES: case -EPERM: case -EROFS: case -ENOSPC:
	case -EDQUOT: case -EFBIG: case -EINTR: case -EMFILE: case -ENFILE:
		return r;
	}
	efs_log_corrupt(in, r == -ENOKEY ? "no key for this file" :
			r == -ENOTSUP ? "unsupported cipher" :
			r == -ENOPKG ? "unknown cipher code" :
			r == -EKEYREJECTED ? "no key of this mount opens it" :
			"not a valid eCryptfs file", r);
	return -EIO;
}

/*
 * Growth writes encrypted zeros up to the new end (the format has no
 * holes): gigabytes of work for one truncate.  The library does it a chunk
 * at a time, encrypted here on the worker pool ...
 */
static int fill_encrypt(void *arg, struct ecryptfs_crypt *crypt, uint64_t first, const void *in,
			void *out, size_t n)
{
	(void)arg;
	return efs_pool_crypt(crypt, true, first, in, out, n);
}

/*
 * Whether thread tid is dying: a signal that kills (kill -9, or any whose
 * default action ends the process) is turned by the kernel into SIGKILL
 * pending for every thread of it.  A thread that is gone, or one we cannot
 * see (pid 0: another pid namespace), counts as dying.
 */
static bool caller_dying(pid_t tid)
{
	char path[64], line[256];
	unsigned long long mask;
	bool dying = false;
	FILE *f;

	if (tid <= 0)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT || errno == ESRCH;
	while (fgets(line, sizeof(line), f)) {
		if ((sscanf(line, "SigPnd: %llx", &mask) == 1 ||
		     sscanf(line, "ShdPnd: %llx", &mask) == 1) &&
		    (mask & (1ULL << (SIGKILL - 1))))
			dying = true;
	}
	fclose(f);
	return dying;
}

/*
 * ... and stops between chunks when its caller is dying (a killed writer
 * must not leave a terabyte of work behind it, holding the mount busy) or
 * the session is ending.  The library then puts the file back as it was.
 * FUSE interrupts a request for any signal; a signal the caller catches
 * does not stop the fill, as the kernel's eCryptfs stops its own only for
 * fatal ones: otherwise a program with a timer signal (a profiler, an
 * event loop) could never grow a file by more than one period's worth.
 * The caller's state is looked at only once the request was interrupted.
 */
static int fill_cancelled(void *arg)
{
	fuse_req_t req = arg;

	if (fuse_session_exited(efs->se))
		return 1;
	return req && fuse_req_interrupted(req) && caller_dying(fuse_req_ctx(req)->pid);
}

/* ecryptfs_file_truncate, stopped early if req is interrupted (the hook is the file's). */
static int truncate_for(struct efs_content *c, uint64_t size, fuse_req_t req)
{
	int r;

	ecryptfs_file_set_cancel(c->f, fill_cancelled, req);
	r = ecryptfs_file_truncate(c->f, size);
	ecryptfs_file_set_cancel(c->f, NULL, NULL);
	return r;
}

/* Open the contents of a regular file; lower_fd (writable: O_RDWR) is consumed on success. */
static int open_contents(struct efs_fs *fs, struct efs_inode *in, int lower_fd, bool writable,
		 bool created, struct efs_content **out)
{
	struct efs_keys *k = fs->keys;
	struct efs_content *c = calloc(1, sizeof(*c));
	unsigned flags = 0;
	int r;

	if (!c)
		return -ENOMEM;
	c->in = in;
	c->fd = lower_fd;
	c->direct_fd = -1;
	c->writable = writable;	/* the caller opened it: no fcntl to ask */
	if (created) {
		r = ecryptfs_file_create(lower_fd, &k->policy, k->ks, &c->f);
	} else {
		/* Like the kernel: an empty lower file opened gets a header. */
		if (c->writable && !fs->opts.mount.policy.passthrough && !fs->opts.ro)
			flags |= ECRYPTFS_OPEN_INIT_EMPTY;
		r = ecryptfs_file_open(lower_fd, &k->policy, k->ks, flags, &c->f);
	}
	if (r < 0) {
		free(c);
		return created ? r : open_error(in, r);
	}
	c->kind = ecryptfs_file_kind(c->f);
	if (c->kind == ECRYPTFS_FILE_ENCRYPTED) {
		c->crypt = ecryptfs_file_crypt(c->f);
		c->data_off = ecryptfs_file_data_offset(c->f);
		ecryptfs_file_set_encrypt(c->f, fill_encrypt, NULL);
	}
	set_size(c, ecryptfs_file_size(c->f));
	if (c->kind != ECRYPTFS_FILE_ENCRYPTED) {
		struct stat st;
		uint64_t field;

		if (fstat(lower_fd, &st) < 0) {
			r = -errno;
			ecryptfs_file_close(c->f);
			free(c);
			return r;
		}
		if (c->kind == ECRYPTFS_FILE_PASSTHROUGH &&
		    size_field(in, lower_fd, st.st_size, &field) >= 0) {
			c->sealed = true;
			set_size(c, field < (uint64_t)st.st_size ? field : (uint64_t)st.st_size);
		}
		/* The kernel's view of an empty xattr-mode file: 0 bytes, no header. */
		if (c->kind == ECRYPTFS_FILE_VIEW && st.st_size == 0)
			set_size(c, 0);
	}
	*out = c;
	return 0;
}

/* -EACCES for write access to a file passthrough shows raw for want of its key. */
static int check_access(const struct efs_content *c, int flags)
{
	if (c->sealed && (flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	return 0;
}

/* True when only this daemon's writes change the size (not the lower size). */
static bool size_is_stable(const struct efs_content *c)
{
	return c->kind == ECRYPTFS_FILE_ENCRYPTED || c->sealed;
}

static void close_contents(struct efs_content *c)
{
	struct stat st;

	if (!c)
		return;
	/* The tail of a stream of large writes; small files are left alone,
	 * since DONTNEED starts writeback of whatever is still dirty. */
	if (c->wb_len)
		drop_lower_cache(c, c->wb_off, (size_t)c->wb_len);
	ecryptfs_file_close(c->f);
	/*
	 * The size as the file is left, for stats after the kernel forgets
	 * it: taken after the last write to the lower file (the close above
	 * may write its header), so its lower times are those a stat sees.
	 */
	if (size_is_stable(c) && fstat(c->fd, &st) == 0)
		efs_sizes_put(&st, (off_t)get_size(c));
	if (c->direct_fd >= 0)
		close(c->direct_fd);
	close(c->fd);
	efs_inode_fd_put(c->in);	/* the pin open_lower or attach took */
	free(c);
}

off_t efs_content_size(struct efs_content *c)
{
	return (off_t)get_size(c);
}

/*
 * Under open_lock, after the content was opened (r): count the opener if its
 * access mode is allowed, else close a content opened for it alone.
 */
static int attach_opener(struct efs_inode *in, int r, int flags)
{
	if (r == 0)
		r = check_access(in->content, flags);
	if (r == 0) {
		in->nopen++;
	} else if (in->content && in->nopen == 0) {
		close_contents(in->content);
		in->content = NULL;
	}
	return r;
}

/*
 * Open contents keep the inode's O_PATH fd pinned: an open file may lose
 * its last name (unlinked, renamed behind our back) and must still answer
 * getattr and setattr.  And its own descriptor is admitted only while a
 * reserve stays free for everything else.
 */
static int open_lower(struct efs_inode *in, int flags, bool *writable)
{
	int pfd = efs_inode_fd(in), fd;

	if (pfd < 0)
		return pfd;
	*writable = true;
	/* The daemon needs to read to write (partial extents, header). */
	fd = efs_reopen(pfd, O_RDWR);
	if ((fd == -EACCES || fd == -EROFS || fd == -EPERM || fd == -ETXTBSY) &&
	    (flags & O_ACCMODE) == O_RDONLY) {
		fd = efs_reopen(pfd, O_RDONLY);
		*writable = false;
	}
	fd = efs_fd_admit(fd, false);
	if (fd < 0)
		efs_inode_fd_put(in);
	return fd;
}

int efs_content_get(struct efs_inode *in, int flags, struct efs_content **out)
{
	bool writable;
	int fd, r = 0;

	pthread_mutex_lock(&in->open_lock);
	if (!in->content) {
		fd = open_lower(in, flags, &writable);
		if (fd < 0) {
			r = fd;
		} else if ((r = open_contents(efs, in, fd, writable, false, &in->content)) < 0) {
			close(fd);
			efs_inode_fd_put(in);
		}
	}
	r = attach_opener(in, r, flags);
	if (r == 0)
		*out = in->content;
	pthread_mutex_unlock(&in->open_lock);
	return r;
}

int efs_content_attach(struct efs_inode *in, int lower_fd, bool created, int flags)
{
	int r = 0;

	pthread_mutex_lock(&in->open_lock);
	if (in->content) {
		close(lower_fd);
	} else if ((r = efs_inode_fd(in)) < 0) {
		close(lower_fd);
	} else {
		r = open_contents(efs, in, lower_fd, true, created, &in->content);
		if (r < 0) {
			close(lower_fd);
			efs_inode_fd_put(in);
		}
	}
	r = attach_opener(in, r, flags);
	pthread_mutex_unlock(&in->open_lock);
	return r;
}

void efs_content_put(struct efs_inode *in)
{
	pthread_mutex_lock(&in->open_lock);
	if (--in->nopen == 0) {
		close_contents(in->content);
		in->content = NULL;
	}
	pthread_mutex_unlock(&in->open_lock);
}

/* Teardown: a connection aborted with files open leaves their contents (and FEKs). */
static void close_left_open(struct efs_inode *in)
{
	close_contents(in->content);
	in->content = NULL;
}

void efs_content_close_all(struct efs_fs *fs)
{
	efs_itable_walk(fs, close_left_open);
}

static void drop_lower_cache(struct efs_content *c, off_t off, size_t len)
{
	posix_fadvise(c->fd, off, (off_t)len, POSIX_FADV_DONTNEED);
}

/*
 * The O_DIRECT twin of the lower fd, or -1 where there is none.  Streams
 * read their ciphertext with it: straight from the disk into the buffer
 * that is decrypted, with no lower page cache to fill, copy out of and
 * drop again.  The kernel writes back dirty lower pages of the range
 * before a direct read, so our own buffered writes are seen.
 */
static int direct_fd(struct efs_content *c)
{
	int fd = __atomic_load_n(&c->direct_fd, __ATOMIC_ACQUIRE), none = -1;
	char path[32];

	if (fd != -1)
		return fd < 0 ? -1 : fd;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", c->fd);
	/* Short of descriptors this stream reads buffered, as where O_DIRECT fails. */
	fd = efs_fd_admit(open(path, O_RDONLY | O_DIRECT | O_CLOEXEC), false);
	if (fd < 0)
		fd = -2;
	if (!__atomic_compare_exchange_n(&c->direct_fd, &none, fd, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		if (fd >= 0)
			close(fd);
		fd = none;
	}
	return fd < 0 ? -1 : fd;
}

/*
 * Direct reads pay off only for large requests: the mount's readahead keeps
 * several in flight, which keeps the disk busy without the lower page
 * cache.  A mount without the raised readahead (not root) sends 128 KiB
 * requests one or two at a time; those do better with the lower file
 * system's own readahead.
 */
#define DIRECT_MIN (EFS_MAX_WRITE / 2)

/*
 * A stream's ciphertext: direct where the request is large and the lower
 * file system allows, else buffered, read ahead and dropped once read.
 */
static ssize_t stream_pread(struct efs_content *c, char *buf, size_t len, off_t off)
{
	int fd = len >= DIRECT_MIN ? direct_fd(c) : -1;
	ssize_t got;

	if (fd >= 0 && off % EXT == 0) {
		got = ecryptfs_pread_full(fd, buf, len, (uint64_t)off);
		if (got != -EINVAL)
			return got;
		/* Alignment this file system will not take: buffered from now on. */
		__atomic_store_n(&c->direct_fd, -2, __ATOMIC_RELEASE);
	}
	got = ecryptfs_pread_full(c->fd, buf, len, (uint64_t)off);
	if (got > 0) {
		drop_lower_cache(c, off, len);
		/* Keep the disk busy with the next request's extents meanwhile. */
		posix_fadvise(c->fd, off + (off_t)len, (off_t)len, POSIX_FADV_WILLNEED);
	}
	return got;
}

/*
 * Read and decrypt extents [first, first+n) into buf; all must exist.
 * stream: a large read, whose ciphertext is not needed again.  Not the
 * edges a write merges: they are about to be rewritten, and dropping those
 * pages would only start writeback of a dirty extent on every small append.
 */
static int read_extents(struct efs_content *c, uint64_t first, size_t n, char *buf, bool stream)
{
	off_t loff = (off_t)(c->data_off + first * EXT);
	ssize_t got = stream ? stream_pread(c, buf, n * EXT, loff) :
			     ecryptfs_pread_full(c->fd, buf, n * EXT, (uint64_t)loff);
	int r;

	if (got < 0)
		return (int)got;
	if ((size_t)got < n * EXT) {
		/* The size field promises data the file does not have. */
		efs_log_corrupt(c->in, "lower file shorter than its size field", -EIO);
		return -EIO;
	}
	r = efs_pool_crypt(c->crypt, false, first, buf, buf, n);
	return r < 0 ? -EIO : 0;
}

ssize_t efs_content_read(struct efs_content *c, size_t n, off_t off, const char **data)
{
	uint64_t size = get_size(c), first, last;
	char *buf;
	ssize_t r;

	if (off < 0)
		return -EINVAL;
	if (c->kind != ECRYPTFS_FILE_ENCRYPTED) {
		/* Sealed files and the view end where their size says, not the lower file. */
		if (c->sealed || c->kind == ECRYPTFS_FILE_VIEW) {
			if ((uint64_t)off >= size)
				return 0;
			if (n > size - (uint64_t)off)
				n = (size_t)(size - (uint64_t)off);
		}
		buf = efs_thread_buffer(1, n);
		if (!buf)
			return -ENOMEM;
		r = ecryptfs_file_pread(c->f, buf, n, (uint64_t)off);
		*data = buf;
		return r == -EBADMSG ? -EIO : r;
	}
	if ((uint64_t)off >= size || n == 0)
		return 0;
	if (n > size - (uint64_t)off)
		n = (size_t)(size - (uint64_t)off);
	first = (uint64_t)off / EXT;
	last = ((uint64_t)off + n - 1) / EXT;
	buf = efs_thread_buffer(1, (last - first + 1) * EXT);
	if (!buf)
		return -ENOMEM;
	/*
	 * Streams (readahead sends them in large requests) leave no ciphertext
	 * behind; small random reads keep theirs, because a reader that
	 * bypasses the upper cache (O_DIRECT, fadvise) comes back to it and a
	 * few pages are no double cache worth a disk read.
	 */
	r = read_extents(c, first, last - first + 1, buf, last - first + 1 >= 32);
	if (r < 0)
		return r;
	*data = buf + ((uint64_t)off - first * EXT);
	return (ssize_t)n;
}

/* Plaintext of one extent that may lie partly or wholly past the old size. */
static int load_extent(struct efs_content *c, uint64_t idx, uint64_t old, char *dst)
{
	if (idx * EXT >= old) {
		memset(dst, 0, EXT);	/* past EOF: the kernel's zero tail */
		return 0;
	}
	return read_extents(c, idx, 1, dst, false);
}

/*
 * Ciphertext of extents [first, first+cnt) into buf, where buf already holds
 * the old plaintext of a partial first and last extent.  Whole extents are
 * encrypted straight from the request (no copy); edges are merged in place.
 */
static int encrypt_request(struct efs_content *c, char *buf, const char *data, size_t n,
			   uint64_t off, uint64_t first, uint64_t cnt)
{
	uint64_t head = off % EXT, end = off + n;
	uint64_t full_first = first, full_cnt = cnt;
	int r;

	if (head || (cnt == 1 && end % EXT)) {
		/* The first extent is partial: merge, encrypt in place. */
		size_t len = (size_t)(EXT - head < n ? EXT - head : n);

		memcpy(buf + head, data, len);
		r = efs_pool_crypt(c->crypt, true, first, buf, buf, 1);
		if (r < 0 || cnt == 1)
			return r;
		full_first++;
		full_cnt--;
	}
	if (end % EXT) {
		/* The last extent is partial (and not the first). */
		size_t len = (size_t)(end % EXT);
		char *last = buf + (cnt - 1) * EXT;

		memcpy(last, data + (n - len), len);
		r = efs_pool_crypt(c->crypt, true, first + cnt - 1, last, last, 1);
		if (r < 0)
			return r;
		full_cnt--;
	}
	if (!full_cnt)
		return 0;
	return efs_pool_crypt(c->crypt, true, full_first,
			      data + (full_first * EXT - off),
			      buf + (full_first - first) * EXT, full_cnt);
}

/* Whether this opener may change the file: 0, or the errno a local fs gives. */
static int may_modify(const struct efs_content *c)
{
	if (!c->writable)
		return -EBADF;
	if (c->kind == ECRYPTFS_FILE_VIEW)
		return -EROFS;
	if (c->sealed)
		return -EACCES;	/* no key: writing would destroy it for whoever has one */
	return 0;
}

ssize_t efs_content_write(struct efs_content *c, const char *data, size_t n, off_t off,
		      fuse_req_t req)
{
	uint64_t old, old0, end, first, last, cnt;
	char *buf;
	int r;

	if (off < 0)
		return -EINVAL;
	r = may_modify(c);
	if (r < 0)
		return r;
	if (c->kind == ECRYPTFS_FILE_PASSTHROUGH) {
		ssize_t w = ecryptfs_file_pwrite(c->f, data, n, (uint64_t)off);

		set_size(c, ecryptfs_file_size(c->f));
		return w;
	}
	if (n == 0)
		return 0;
	old = old0 = get_size(c);
	end = (uint64_t)off + n;
	first = (uint64_t)off / EXT;
	last = (end - 1) / EXT;
	cnt = last - first + 1;

	/* Whole extents between the old end and this write: encrypted zeros. */
	if ((old + EXT - 1) / EXT < first) {
		r = truncate_for(c, first * EXT, req);
		if (r < 0)
			return r;
		old = ecryptfs_file_size(c->f);
		set_size(c, old);
	}
	buf = efs_thread_buffer(1, cnt * EXT);
	if (!buf) {
		r = -ENOMEM;
		goto fail;
	}
	/* Only partial extents at the edges are read: covered ones never are. */
	if ((uint64_t)off % EXT) {
		r = load_extent(c, first, old, buf);
		if (r < 0)
			goto fail;
	}
	if (end % EXT && (last != first || !((uint64_t)off % EXT))) {
		r = load_extent(c, last, old, buf + (cnt - 1) * EXT);
		if (r < 0)
			goto fail;
	}
	r = encrypt_request(c, buf, data, n, (uint64_t)off, first, cnt);
	if (r < 0) {
		r = -EIO;
		goto fail;
	}
	r = ecryptfs_pwrite_full(c->fd, buf, cnt * EXT, c->data_off + first * EXT);
	if (r < 0) {
		/* ENOSPC and friends: no half extent past the old end stays behind. */
		if (end > old && ftruncate(c->fd, (off_t)ecryptfs_lower_size(old, c->data_off)) < 0)
			efs_dbg("ftruncate after failed write: %s", strerror(errno));
		goto fail;
	}
	if (cnt * EXT >= 256 * 1024) {
		/*
		 * A stream of large writes: the previous chunk's ciphertext has had
		 * a request's time to reach the disk; drop it, and start writeback
		 * of this one so that it can go next time.
		 */
		if (c->wb_len)
			drop_lower_cache(c, c->wb_off, (size_t)c->wb_len);
		c->wb_off = (off_t)(c->data_off + first * EXT);
		c->wb_len = (off_t)(cnt * EXT);
		sync_file_range(c->fd, c->wb_off, c->wb_len, SYNC_FILE_RANGE_WRITE);
	}
	if (end > old) {
		r = ecryptfs_file_set_size(c->f, end);
		if (r < 0)
			goto fail;
		set_size(c, end);
	}
	return (ssize_t)n;
fail:
	/* A failed write leaves no growth behind, the zeros before it included. */
	if (old != old0 && ecryptfs_file_truncate(c->f, old0) == 0)
		set_size(c, old0);
	return r;
}

int efs_content_truncate(struct efs_content *c, off_t size, fuse_req_t req)
{
	int r;

	if (size < 0)
		return -EINVAL;
	r = may_modify(c);
	if (r < 0)
		return r;
	r = truncate_for(c, (uint64_t)size, req);
	set_size(c, ecryptfs_file_size(c->f));
	return r;
}

int efs_content_fsync(struct efs_content *c, int datasync)
{
	int r;

	/* In xattr mode the size lives in an xattr: metadata, not data. */
	if (datasync && !efs->opts.mount.policy.xattr_metadata)
		r = fdatasync(c->fd);
	else
		r = fsync(c->fd);
	if (r < 0)
		return -errno;
	/* Everything is clean now: the plaintext is cached above, not this. */
	posix_fadvise(c->fd, 0, 0, POSIX_FADV_DONTNEED);
	return 0;
}

int efs_content_fallocate(struct efs_content *c, int mode, off_t off, off_t len, fuse_req_t req)
{
	uint64_t end;

	if (off < 0 || len <= 0)
		return -EINVAL;
	if (c->sealed)
		return -EACCES;
	end = (uint64_t)off + (uint64_t)len;
	if (mode == 0) {
		/* No holes in this format: allocating past EOF is growing with zeros. */
		if (end > get_size(c))
			return efs_content_truncate(c, (off_t)end, req);
		return 0;
	}
	if (mode == FALLOC_FL_KEEP_SIZE) {
		off_t loff = (off_t)c->data_off + off / EXT * EXT;
		off_t lend = (off_t)c->data_off + (off_t)((end + EXT - 1) / EXT * EXT);

		if (c->kind != ECRYPTFS_FILE_ENCRYPTED)
			loff = off, lend = (off_t)end;
		return fallocate(c->fd, FALLOC_FL_KEEP_SIZE, loff, lend - loff) < 0 ? -errno : 0;
	}
	return -EOPNOTSUPP;
}

/* The size field's 16 leading bytes, if they carry a valid marker. */
static int size_from_bytes(const uint8_t *b, size_t len, uint64_t *size)
{
	uint32_t m1, m2;

	if (len < 16)
		return -ENOMSG;
	m1 = (uint32_t)b[8] << 24 | (uint32_t)b[9] << 16 | (uint32_t)b[10] << 8 | b[11];
	m2 = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15];
	if ((m1 ^ ECRYPTFS_MARKER_MAGIC) != m2)
		return -ENOMSG;
	*size = 0;
	for (int i = 0; i < 8; i++)
		*size = *size << 8 | b[i];
	return 0;
}

/*
 * The size field of a lower file, as ecryptfs_i_size_init finds it: the
 * in-file header, then the xattr (read whatever the mount options say, as
 * the library opens such files).  fd: readable, or -1 to use in->fd.
 * 0: from the file, 1: from the xattr, or -errno.
 */
static int size_field(struct efs_inode *in, int fd, off_t lower_size, uint64_t *size)
{
	uint8_t b[ECRYPTFS_HEADER_READ_MAX];
	struct efs_ipath p;
	ssize_t n;

	if (lower_size >= 16) {
		int pfd = fd >= 0 ? -1 : efs_inode_fd(in), rfd = fd;

		if (fd < 0) {
			if (pfd < 0)
				return pfd;
			rfd = efs_reopen(pfd, O_RDONLY);
			efs_inode_fd_put(in);
			if (rfd < 0)
				return rfd;
		}
		n = ecryptfs_pread_full(rfd, b, 16, 0);
		if (rfd != fd)
			close(rfd);
		if (n == 16 && size_from_bytes(b, 16, size) == 0)
			return 0;
	}
	/* The whole value: a 16-byte buffer would only get ERANGE. */
	if (fd >= 0) {
		n = fgetxattr(fd, ECRYPTFS_XATTR_NAME, b, sizeof(b));
	} else {
		int r = efs_inode_path(in, &p);

		/* Short of descriptors: say so, not "no header". */
		if (r == -EMFILE || r == -ENFILE)
			return r;
		n = -1;
		if (r == 0) {
			n = getxattr(p.path, ECRYPTFS_XATTR_NAME, b, sizeof(b));
			if (n < 0 && (errno == EMFILE || errno == ENFILE))
				n = -errno;
			efs_inode_path_done(&p);
			if (n == -EMFILE || n == -ENFILE)
				return (int)n;
		}
	}
	if (n < 16 || size_from_bytes(b, (size_t)n, size) < 0)
		return -ENOMSG;
	return 1;
}

int efs_content_peek_size(struct efs_fs *fs, struct efs_inode *in, off_t lower_size, off_t *size)
{
	uint64_t s;
	int r = size_field(in, -1, lower_size, &s);

	if (r < 0)
		return r;
	if (fs->opts.mount.policy.encrypted_view) {
		/* An xattr header is shown in front of the data, except on an empty file. */
		*size = lower_size + (r == 1 && lower_size ? ECRYPTFS_MIN_METADATA_SIZE : 0);
		return 0;
	}
	/* Under passthrough a file without its key is raw bytes cut at the field. */
	if (fs->opts.mount.policy.passthrough && s > (uint64_t)lower_size)
		s = (uint64_t)lower_size;
	*size = (off_t)s;
	return 0;
}
