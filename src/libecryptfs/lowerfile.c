/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A lower file seen through the format: plaintext reads, writes and
 * truncation with the kernel's semantics (doc/format.md §5, §6.2, §7).
 *
 * Invariants kept at every step, as the kernel keeps them: every extent below
 * ceil(size / 4096) holds real ciphertext (no holes), the plaintext after the
 * size inside the last extent is zero, and the size field is written after
 * the data it covers, so a crash leaves a file that still parses.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "libecryptfs.h"
#include "bigendian.h"
#include "internal.h"

#define EXT ECRYPTFS_EXTENT_SIZE
#define CHUNK_EXTENTS 64	/* 256 KiB bounce buffer for writes */
#define IV_CACHE_ENTRIES 512	/* 16 KiB per open file, covers 2 MiB */
#define FILL_EXTENTS 1024	/* 4 MiB: a zero fill's unit of I/O and of cancellation */
#define FILL_IN_FLIGHT 16	/* chunks of a long fill written back at once: 64 MiB */

struct ecryptfs_file {
	int fd;
	enum ecryptfs_file_kind kind;
	bool in_xattr;
	uint64_t size;			/* plaintext size; atomics, readers run concurrently */
	uint64_t data_off;
	struct ecryptfs_crypt *crypt;
	uint8_t *xattr_val;		/* cached user.ecryptfs value (xattr mode) */
	size_t xattr_len;
	uint8_t *wbuf;			/* writes are serialised: one bounce buffer */
	struct ecryptfs_header hdr;
	ecryptfs_cancel_fn cancelled;	/* polled between chunks of a zero fill */
	void *cancel_arg;
	ecryptfs_encrypt_fn encrypt;	/* a zero fill's encryption (NULL: the engine's) */
	void *encrypt_arg;
};

static uint64_t get_size(const struct ecryptfs_file *f)
{
	return __atomic_load_n(&f->size, __ATOMIC_ACQUIRE);
}

/* The size field: 8 bytes BE at offset 0 of the file, or of the xattr value. */
static int write_size_field(struct ecryptfs_file *f, uint64_t size)
{
	uint8_t be[8];
	int rc = 0;

	ecryptfs_put_be64(be, size);
	if (f->in_xattr) {
		uint8_t old[8];

		memcpy(old, f->xattr_val, 8);
		memcpy(f->xattr_val, be, 8);
		if (fsetxattr(f->fd, ECRYPTFS_XATTR_NAME, f->xattr_val, f->xattr_len, 0) < 0) {
			rc = -errno;
			/* The cache keeps mirroring what the xattr holds. */
			memcpy(f->xattr_val, old, 8);
		}
	} else {
		rc = ecryptfs_pwrite_full(f->fd, be, 8, 0);
	}
	if (rc == 0) {
		memcpy(f->hdr.raw, be, 8);
		f->hdr.size = size;
		__atomic_store_n(&f->size, size, __ATOMIC_RELEASE);
	}
	return rc;
}

static int file_alloc(int fd, enum ecryptfs_file_kind kind, struct ecryptfs_file **out)
{
	struct ecryptfs_file *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	f->fd = fd;
	f->kind = kind;
	*out = f;
	return 0;
}

ECRYPTFS_EXPORT void ecryptfs_file_close(struct ecryptfs_file *f)
{
	if (!f)
		return;
	ecryptfs_crypt_free(f->crypt);
	free(f->xattr_val);
	free(f->wbuf);
	free(f);
}

/* Attach a parsed header and its FEK to a handle. */
static int file_setup(struct ecryptfs_file *f, const struct ecryptfs_header *hdr,
		      const struct ecryptfs_fek *fek, const uint8_t *xattr, size_t xattr_len)
{
	int rc;

	f->hdr = *hdr;
	f->in_xattr = hdr->in_xattr;
	f->data_off = hdr->in_xattr ? 0 : hdr->metadata_size;
	f->size = hdr->size;
	if (hdr->in_xattr) {
		f->xattr_val = malloc(xattr_len);
		if (!f->xattr_val)
			return -ENOMEM;
		memcpy(f->xattr_val, xattr, xattr_len);
		f->xattr_len = xattr_len;
	}
	rc = fek ? ecryptfs_crypt_new(fek, &f->crypt) : 0;
	/* Partial writes decrypt and re-encrypt one extent: its IV is needed twice. */
	if (rc == 0 && f->crypt)
		rc = ecryptfs_crypt_iv_cache(f->crypt, IV_CACHE_ENTRIES);
	return rc;
}

ECRYPTFS_EXPORT int ecryptfs_file_create(int fd, const struct ecryptfs_policy *p,
					 struct ecryptfs_keyset *ks,
					 struct ecryptfs_file **out)
{
	struct ecryptfs_file *f = NULL;
	struct ecryptfs_fek *fek = NULL;
	struct ecryptfs_header *hdr = NULL;
	uint8_t *buf = NULL;
	size_t len = 0, cap;
	struct stat st;
	int rc;

	if (fd < 0 || !p || !ks || !out)
		return -EINVAL;
	rc = ecryptfs_policy_check(p);
	if (rc < 0)
		return rc;
	if (p->encrypted_view)
		return -EROFS;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_size != 0)
		return -EEXIST;		/* never overwrite data that is there */
	cap = p->metadata_size ? p->metadata_size : ECRYPTFS_MIN_METADATA_SIZE;
	fek = ecryptfs_fek_new();
	hdr = malloc(sizeof(*hdr));
	buf = calloc(1, cap);
	if (!fek || !hdr || !buf) {
		rc = -ENOMEM;
		goto out;
	}
	rc = ecryptfs_fek_generate(p->cipher_code, p->key_bytes, fek);
	if (rc < 0)
		goto out;
	rc = ecryptfs_header_build(p, ks, fek, 0, p->xattr_metadata, buf, cap, &len);
	if (rc < 0)
		goto out;
	rc = ecryptfs_header_parse(buf, len, p->xattr_metadata, hdr);
	if (rc < 0)
		goto out;
	rc = file_alloc(fd, ECRYPTFS_FILE_ENCRYPTED, &f);
	if (rc < 0)
		goto out;
	rc = file_setup(f, hdr, fek, buf, len);
	if (rc < 0)
		goto out;
	if (p->xattr_metadata) {
		rc = fsetxattr(fd, ECRYPTFS_XATTR_NAME, buf, len, 0) < 0 ? -errno : 0;
	} else {
		rc = ecryptfs_pwrite_full(fd, buf, len, 0);
		if (rc < 0) {
			/* A half-written header would make the file unreadable: leave
			 * it empty, best effort; the write's error is the one to report. */
			int cut = ftruncate(fd, 0);

			(void)cut;
		}
	}
	if (rc < 0)
		goto out;
	*out = f;
	f = NULL;
out:
	ecryptfs_file_close(f);
	ecryptfs_fek_free(fek);
	free(hdr);
	free(buf);
	return rc;
}

/* user.ecryptfs of fd into buf (4096 bytes): length, -ENODATA if absent. */
static ssize_t read_xattr(int fd, uint8_t *buf)
{
	ssize_t n = fgetxattr(fd, ECRYPTFS_XATTR_NAME, buf, ECRYPTFS_HEADER_READ_MAX);

	if (n >= 0)
		return n;
	if (errno == ENODATA || errno == ENOTSUP)
		return -ENODATA;
	if (errno == ERANGE)
		return -EBADMSG;	/* larger than the kernel would read */
	return -errno;
}

/* Not ours at all (as opposed to ours but unreadable). */
static bool foreign(int rc)
{
	return rc == -ENOMSG || rc == -ENODATA;
}

ECRYPTFS_EXPORT int ecryptfs_file_open(int fd, const struct ecryptfs_policy *p,
				       struct ecryptfs_keyset *ks, unsigned flags,
				       struct ecryptfs_file **out)
{
	struct ecryptfs_file *f = NULL;
	struct ecryptfs_header *hdr = NULL;
	struct ecryptfs_fek *fek = NULL;
	uint8_t *head = NULL, *xval = NULL;
	bool view = p && p->encrypted_view, passthrough = p && p->passthrough;
	ssize_t n, xn = 0;
	int rc, rc_file, rc_x = -ENODATA;
	struct stat st;

	if (fd < 0 || !out || (!ks && !view))
		return -EINVAL;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	hdr = malloc(sizeof(*hdr));
	head = malloc(ECRYPTFS_HEADER_READ_MAX);
	xval = malloc(ECRYPTFS_HEADER_READ_MAX);
	fek = ecryptfs_fek_new();
	if (!hdr || !head || !xval || !fek) {
		rc = -ENOMEM;
		goto out;
	}
	/* 1. The header at the front of the file. */
	n = ecryptfs_pread_full(fd, head, ECRYPTFS_HEADER_READ_MAX, 0);
	if (n < 0) {
		rc = (int)n;
		goto out;
	}
	rc_file = ecryptfs_header_parse(head, (size_t)n, false, hdr);
	if (rc_file == 0 && !view)
		rc_file = ecryptfs_header_unwrap_fek(hdr, ks, fek, NULL);
	if (rc_file == 0) {
		rc = file_alloc(fd, view ? ECRYPTFS_FILE_VIEW : ECRYPTFS_FILE_ENCRYPTED, &f);
		if (rc == 0)
			rc = file_setup(f, hdr, view ? NULL : fek, NULL, 0);
		goto done;
	}
	/* 2. The user.ecryptfs xattr, whatever made the first step fail. */
	xn = read_xattr(fd, xval);
	if (xn < 0) {
		rc_x = (int)xn;
	} else {
		rc_x = ecryptfs_header_parse(xval, (size_t)xn, true, hdr);
		if (rc_x == 0 && !view)
			rc_x = ecryptfs_header_unwrap_fek(hdr, ks, fek, NULL);
		if (rc_x == 0) {
			rc = file_alloc(fd, view ? ECRYPTFS_FILE_VIEW : ECRYPTFS_FILE_ENCRYPTED, &f);
			if (rc == 0)
				rc = file_setup(f, hdr, view ? NULL : fek, xval, (size_t)xn);
			goto done;
		}
	}
	/* 3. Plaintext, when the mount allows it. */
	if (passthrough) {
		rc = file_alloc(fd, ECRYPTFS_FILE_PASSTHROUGH, &f);
		goto done;
	}
	/* 4. An empty file without a header gets one, as the kernel's open does. */
	if (st.st_size == 0 && rc_x == -ENODATA && (flags & ECRYPTFS_OPEN_INIT_EMPTY) && p &&
	    !view) {
		rc = ecryptfs_file_create(fd, p, ks, &f);
		goto done;
	}
	/* Report the header that is ours; the file's own if both are. */
	rc = (foreign(rc_file) && !foreign(rc_x)) ? rc_x : rc_file;
	if (rc_file == -ENODATA && rc_x == -ENODATA)
		rc = -ENODATA;
done:
	if (rc == 0) {
		*out = f;
		f = NULL;
	}
out:
	ecryptfs_file_close(f);
	ecryptfs_fek_free(fek);
	free(hdr);
	free(head);
	free(xval);
	return rc;
}

ECRYPTFS_EXPORT enum ecryptfs_file_kind ecryptfs_file_kind(const struct ecryptfs_file *f)
{
	return f->kind;
}

static uint64_t lower_size(const struct ecryptfs_file *f)
{
	struct stat st;

	if (fstat(f->fd, &st) < 0)
		return 0;
	return (uint64_t)st.st_size;
}

ECRYPTFS_EXPORT uint64_t ecryptfs_file_size(const struct ecryptfs_file *f)
{
	switch (f->kind) {
	case ECRYPTFS_FILE_PASSTHROUGH:
		return lower_size(f);
	case ECRYPTFS_FILE_VIEW:
		return lower_size(f) + (f->in_xattr ? ECRYPTFS_MIN_METADATA_SIZE : 0);
	default:
		return get_size(f);
	}
}

ECRYPTFS_EXPORT const struct ecryptfs_header *ecryptfs_file_header(const struct ecryptfs_file *f)
{
	return f->kind == ECRYPTFS_FILE_PASSTHROUGH ? NULL : &f->hdr;
}

ECRYPTFS_EXPORT struct ecryptfs_crypt *ecryptfs_file_crypt(struct ecryptfs_file *f)
{
	return f->kind == ECRYPTFS_FILE_ENCRYPTED ? f->crypt : NULL;
}

ECRYPTFS_EXPORT uint64_t ecryptfs_file_data_offset(const struct ecryptfs_file *f)
{
	return f->data_off;
}

/* Read and decrypt extents [first, first+n) into out; missing data is -EIO. */
static int read_extents(struct ecryptfs_file *f, uint64_t first, uint8_t *out, size_t n)
{
	ssize_t r;

	/* A size field near 2^64 must not wrap the lower offset onto the header. */
	if (first > ((uint64_t)INT64_MAX - f->data_off) / EXT)
		return -EFBIG;
	r = ecryptfs_pread_full(f->fd, out, n * EXT, f->data_off + first * EXT);
	if (r < 0)
		return (int)r;
	if ((size_t)r != n * EXT)
		return -EIO;	/* truncated lower file: never hand out garbage */
	return ecryptfs_crypt_decrypt(f->crypt, first, out, out, n);
}

static ssize_t view_pread(struct ecryptfs_file *f, uint8_t *buf, size_t n, uint64_t off)
{
	uint8_t *head = NULL;
	size_t done = 0;
	ssize_t r;
	int rc;

	if (!f->in_xattr)
		return ecryptfs_pread_full(f->fd, buf, n, off);
	if (off < ECRYPTFS_MIN_METADATA_SIZE) {
		size_t k = ECRYPTFS_MIN_METADATA_SIZE - off;

		head = malloc(ECRYPTFS_MIN_METADATA_SIZE);
		if (!head)
			return -ENOMEM;
		rc = ecryptfs_header_view_copy(&f->hdr, head);
		if (rc < 0) {
			free(head);
			return rc;
		}
		if (k > n)
			k = n;
		memcpy(buf, head + off, k);
		free(head);
		done = k;
	}
	if (done == n)
		return (ssize_t)done;
	r = ecryptfs_pread_full(f->fd, buf + done, n - done,
		       off + done - ECRYPTFS_MIN_METADATA_SIZE);
	if (r < 0)
		return r;
	return (ssize_t)(done + (size_t)r);
}

ECRYPTFS_EXPORT ssize_t ecryptfs_file_pread(struct ecryptfs_file *f, void *buf, size_t n,
					    uint64_t off)
{
	uint8_t bounce[EXT];
	uint8_t *dst = buf;
	uint64_t size, end, e;
	ssize_t rc;

	if (!f || (!buf && n))
		return -EINVAL;
	if (f->kind == ECRYPTFS_FILE_PASSTHROUGH)
		return ecryptfs_pread_full(f->fd, buf, n, off);
	if (f->kind == ECRYPTFS_FILE_VIEW)
		return view_pread(f, buf, n, off);
	size = get_size(f);
	if (off >= size || n == 0)
		return 0;
	if (n > size - off)
		n = (size_t)(size - off);
	if (n > SSIZE_MAX)
		n = SSIZE_MAX;
	end = off + n;
	e = off / EXT;
	while (e * EXT < end) {
		uint64_t ext_start = e * EXT;

		if (ext_start >= off && ext_start + EXT <= end) {
			/* A run of whole extents goes straight into the caller's buffer. */
			size_t k = (size_t)((end - ext_start) / EXT);

			rc = read_extents(f, e, dst + (ext_start - off), k);
			if (rc < 0)
				goto out;
			e += k;
			continue;
		}
		rc = read_extents(f, e, bounce, 1);
		if (rc < 0)
			goto out;
		{
			uint64_t from = off > ext_start ? off : ext_start;
			uint64_t to = end < ext_start + EXT ? end : ext_start + EXT;

			memcpy(dst + (from - off), bounce + (from - ext_start), (size_t)(to - from));
		}
		e++;
	}
	rc = (ssize_t)n;
out:
	ecryptfs_wipe(bounce, sizeof(bounce));
	return rc;
}

static int ensure_wbuf(struct ecryptfs_file *f)
{
	if (!f->wbuf)
		f->wbuf = malloc((size_t)CHUNK_EXTENTS * EXT);
	return f->wbuf ? 0 : -ENOMEM;
}

ECRYPTFS_EXPORT void ecryptfs_file_set_cancel(struct ecryptfs_file *f, ecryptfs_cancel_fn fn,
					     void *arg)
{
	f->cancelled = fn;
	f->cancel_arg = arg;
}

ECRYPTFS_EXPORT void ecryptfs_file_set_encrypt(struct ecryptfs_file *f, ecryptfs_encrypt_fn fn,
					      void *arg)
{
	f->encrypt = fn;
	f->encrypt_arg = arg;
}

/*
 * Encrypted zeros for extents [first, first+n), a chunk at a time: encrypt
 * (through the caller's hook, which may spread it over threads), write,
 * then ask whether to go on.  Zeros encrypt differently in every extent
 * (the IV is per extent), so nothing is shared between chunks but the
 * plaintext.  A long fill starts writeback of each chunk at once, so the
 * disk works while the next ones are encrypted, keeps FILL_IN_FLIGHT
 * chunks in flight, and drops each from the page cache once it is on the
 * disk: gigabytes of ciphertext of zeros that nobody is about to read
 * would otherwise push everything else out of memory.
 */
static int write_zero_extents(struct ecryptfs_file *f, uint64_t first, uint64_t n)
{
	size_t cap = n < FILL_EXTENTS ? (size_t)n : FILL_EXTENTS;
	uint8_t *zeros = calloc(cap, EXT), *out = malloc(cap * EXT);
	const off_t span = (off_t)(cap * EXT);
	bool stream = n > FILL_IN_FLIGHT * FILL_EXTENTS;
	off_t start = (off_t)(f->data_off + first * EXT);
	int rc = 0;

	if (!zeros || !out) {
		rc = -ENOMEM;
		goto out;
	}
	while (n) {
		size_t k = n < cap ? (size_t)n : cap;
		off_t loff = (off_t)(f->data_off + first * EXT);

		if (f->cancelled && f->cancelled(f->cancel_arg)) {
			rc = -EINTR;
			break;
		}
		rc = f->encrypt ? f->encrypt(f->encrypt_arg, f->crypt, first, zeros, out, k) :
				  ecryptfs_crypt_encrypt(f->crypt, first, zeros, out, k);
		if (rc == 0)
			rc = ecryptfs_pwrite_full(f->fd, out, k * EXT, (uint64_t)loff);
		if (rc < 0)
			break;
		if (stream) {
			off_t done = loff - FILL_IN_FLIGHT * span;

			sync_file_range(f->fd, loff, (off_t)(k * EXT), SYNC_FILE_RANGE_WRITE);
			if (done >= start) {
				sync_file_range(f->fd, done, span, SYNC_FILE_RANGE_WAIT_BEFORE |
						SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
				posix_fadvise(f->fd, done, span, POSIX_FADV_DONTNEED);
			}
		}
		first += k;
		n -= k;
	}
out:
	free(zeros);
	free(out);
	return rc;
}

/*
 * Before a fill of zeros up to plaintext size `size`: refuse at once what
 * the lower file system would refuse only after hours of work.  First
 * EFBIG: the lower file system's own limit (ext4's s_maxbytes, 16 TiB less
 * a block with 4 KiB blocks; xfs, btrfs and tmpfs take up to 8 EiB), found
 * by extending the lower file to its final size with ftruncate, which
 * costs no data blocks, and cutting it back.  Then ENOSPC: the free space
 * statvfs shows to unprivileged callers cannot hold the data.
 * Neither check is exact (metadata, other writers, a root's reserve); the
 * fill still fails cleanly when the disk fills up under it.
 */
static int check_growth(struct ecryptfs_file *f, uint64_t size)
{
	uint64_t want = ecryptfs_lower_size(size, f->data_off);
	struct statvfs sv;
	struct stat st;

	if (fstat(f->fd, &st) < 0)
		return -errno;
	if (want <= (uint64_t)st.st_size)
		return 0;
	/* Too large is the answer a local file system gives before too full. */
	if (ftruncate(f->fd, (off_t)want) < 0)
		return -errno;
	if (ftruncate(f->fd, st.st_size) < 0)
		return -errno;
	/* ramfs and friends count no blocks at all: nothing to compare. */
	if (fstatvfs(f->fd, &sv) == 0 && sv.f_blocks && sv.f_frsize &&
	    (want - (uint64_t)st.st_size) / sv.f_frsize > sv.f_bavail)
		return -ENOSPC;
	return 0;
}

/*
 * Rewrite one extent that holds live data: keep [0, keep) of its plaintext,
 * zero the rest, then lay src over [at, at+len).  keep counts bytes of the
 * extent below the old size; an extent past the old end starts from zeros.
 */
static int rmw_extent(struct ecryptfs_file *f, uint64_t e, size_t keep, const uint8_t *src,
		      size_t at, size_t len)
{
	uint8_t ext[EXT];
	int rc = 0;

	if (keep) {
		rc = read_extents(f, e, ext, 1);
		if (rc < 0)
			goto out;
	}
	memset(ext + keep, 0, EXT - keep);
	if (len)
		memcpy(ext + at, src, len);
	rc = ecryptfs_crypt_encrypt(f->crypt, e, ext, ext, 1);
	if (rc == 0)
		rc = ecryptfs_pwrite_full(f->fd, ext, EXT, f->data_off + e * EXT);
out:
	ecryptfs_wipe(ext, sizeof(ext));
	return rc;
}

/* Plaintext bytes of extent e below size (0..4096). */
static size_t live_bytes(uint64_t e, uint64_t size)
{
	if (size <= e * EXT)
		return 0;
	return size - e * EXT >= EXT ? EXT : (size_t)(size - e * EXT);
}

/*
 * Fill [old, new) with zeros: the old last extent keeps its data and gets a
 * clean zero tail, every extent after it up to `upto` (exclusive) becomes
 * encrypted zeros.  The extent holding `new` is left to the caller when it
 * is about to be written anyway.
 */
static int zero_fill(struct ecryptfs_file *f, uint64_t old, uint64_t upto)
{
	uint64_t first_new = ecryptfs_extents_for(old);
	int rc = 0;

	if (old % EXT && old / EXT < upto)
		rc = rmw_extent(f, old / EXT, (size_t)(old % EXT), NULL, 0, 0);
	if (rc == 0 && upto > first_new)
		rc = write_zero_extents(f, first_new, upto - first_new);
	return rc;
}

/*
 * A write or extension that failed (ENOSPC, EIO) leaves no extents past the
 * old end behind: the file stays as it was, as far as the size field says.
 */
static void drop_growth(struct ecryptfs_file *f, uint64_t old)
{
	uint64_t keep = ecryptfs_lower_size(old, f->data_off);

	if (lower_size(f) > keep && ftruncate(f->fd, (off_t)keep) < 0)
		return;	/* nothing better to do; the size field still rules */
}

ECRYPTFS_EXPORT ssize_t ecryptfs_file_pwrite(struct ecryptfs_file *f, const void *buf,
					     size_t n, uint64_t off)
{
	const uint8_t *src = buf;
	uint64_t size, end, e;
	int rc;

	if (!f || (!buf && n))
		return -EINVAL;
	if (f->kind == ECRYPTFS_FILE_VIEW)
		return -EROFS;
	if (f->kind == ECRYPTFS_FILE_PASSTHROUGH) {
		rc = ecryptfs_pwrite_full(f->fd, buf, n, off);
		return rc < 0 ? rc : (ssize_t)n;
	}
	if (n == 0)
		return 0;
	if (n > SSIZE_MAX)
		n = SSIZE_MAX;
	/* The same bound as truncation: the last lower extent must fit an off_t. */
	if (off + n < off || off + n > (uint64_t)INT64_MAX - f->data_off - EXT)
		return -EFBIG;
	size = get_size(f);
	end = off + n;
	/* Growth past EOF: zeros up to the first extent this write touches. */
	if (off > size) {
		rc = check_growth(f, end);
		if (rc < 0)
			return rc;
		rc = zero_fill(f, size, off / EXT);
		if (rc < 0)
			goto fail;
	}
	rc = ensure_wbuf(f);
	if (rc < 0)
		goto fail;
	e = off / EXT;
	while (e * EXT < end) {
		uint64_t ext_start = e * EXT;

		if (ext_start >= off && ext_start + EXT <= end) {
			/* Whole extents: never read, encrypted a chunk at a time. */
			uint64_t whole = (end - ext_start) / EXT;
			size_t k = whole < CHUNK_EXTENTS ? (size_t)whole : CHUNK_EXTENTS;

			rc = ecryptfs_crypt_encrypt(f->crypt, e, src + (ext_start - off), f->wbuf, k);
			if (rc == 0)
				rc = ecryptfs_pwrite_full(f->fd, f->wbuf, k * EXT, f->data_off + ext_start);
			if (rc < 0)
				goto fail;
			e += k;
			continue;
		}
		{
			uint64_t from = off > ext_start ? off : ext_start;
			uint64_t to = end < ext_start + EXT ? end : ext_start + EXT;

			rc = rmw_extent(f, e, live_bytes(e, size), src + (from - off),
					(size_t)(from - ext_start), (size_t)(to - from));
			if (rc < 0)
				goto fail;
		}
		e++;
	}
	if (end > size) {
		rc = write_size_field(f, end);
		if (rc < 0)
			goto fail;
	}
	return (ssize_t)n;
fail:
	drop_growth(f, size);
	return rc;
}

ECRYPTFS_EXPORT int ecryptfs_file_truncate(struct ecryptfs_file *f, uint64_t size)
{
	uint64_t old;
	int rc = 0;

	if (!f)
		return -EINVAL;
	if (f->kind == ECRYPTFS_FILE_VIEW)
		return -EROFS;
	if (f->kind == ECRYPTFS_FILE_PASSTHROUGH)
		return ftruncate(f->fd, (off_t)size) < 0 ? -errno : 0;
	if (size > (uint64_t)INT64_MAX - f->data_off - EXT)
		return -EFBIG;
	old = get_size(f);
	if (size > old) {
		rc = check_growth(f, size);
		if (rc < 0)
			return rc;
		rc = zero_fill(f, old, ecryptfs_extents_for(size));
		if (rc == 0)
			rc = write_size_field(f, size);
		if (rc < 0)
			drop_growth(f, old);
		return rc;
	}
	/* Down (or same): zero the new tail, record the size, then cut the file. */
	if (size % EXT && size < old)
		rc = rmw_extent(f, size / EXT, (size_t)(size % EXT), NULL, 0, 0);
	if (rc == 0 && size != old)
		rc = write_size_field(f, size);
	if (rc == 0 && ftruncate(f->fd, (off_t)ecryptfs_lower_size(size, f->data_off)) < 0)
		rc = -errno;
	return rc;
}

ECRYPTFS_EXPORT int ecryptfs_file_set_size(struct ecryptfs_file *f, uint64_t size)
{
	if (!f)
		return -EINVAL;
	if (f->kind != ECRYPTFS_FILE_ENCRYPTED)
		return -EINVAL;
	return write_size_field(f, size);
}
