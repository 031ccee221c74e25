/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tree-walk helpers shared by ecryptfs-decrypt and ecryptfs-encrypt. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"
#include "walk.h"

/*
 * Names come from the input tree, possibly hostile: control characters are
 * shown as \xNN so that they cannot drive the terminal (escape sequences)
 * or fake further lines.
 */
static void put_shown(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

static void vreport(const char *path, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void vreport(const char *path, const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	fprintf(stderr, "%s: ", cli_prog());
	put_shown(stderr, path);
	fputs(": ", stderr);
	put_shown(stderr, msg ? msg : fmt);
	fputc('\n', stderr);
	free(msg);
}

void offline_fail(struct offline_walk *w, const char *path, const char *fmt, ...)
{
	va_list ap;

	w->failed++;
	/* The message on a line of its own; the entry counts as gone by. */
	cli_progress_clear(w->progress);
	va_start(ap, fmt);
	vreport(path, fmt, ap);
	va_end(ap);
	if (w->progress)
		w->progress->entries++;
}

void offline_report(const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(path, fmt, ap);
	va_end(ap);
}

void offline_note(struct offline_walk *w, const char *from, const char *to)
{
	w->done++;
	cli_progress_add(w->progress, 1, 0);
	if (!w->verbose)
		return;
	put_shown(stdout, from);
	fputs(" -> ", stdout);
	put_shown(stdout, to);
	fputc('\n', stdout);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int offline_list_dir(int fd, char ***names, size_t *n)
{
	struct dirent *de;
	char **v = NULL, **nv;
	size_t len = 0, cap = 0;
	int dfd, rc = 0;
	DIR *d;

	*names = NULL;
	*n = 0;
	dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dfd < 0)
		return -errno;
	d = fdopendir(dfd);
	if (!d) {
		rc = -errno;
		close(dfd);
		return rc;
	}
	rewinddir(d);
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			rc = -errno;
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (len == cap) {
			cap = cap ? 2 * cap : 32;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				rc = -ENOMEM;
				break;
			}
			v = nv;
		}
		v[len] = strdup(de->d_name);
		if (!v[len]) {
			rc = -ENOMEM;
			break;
		}
		len++;
	}
	closedir(d);
	if (rc < 0) {
		offline_free_list(v, len);
		return rc;
	}
	if (len)
		qsort(v, len, sizeof(*v), cmp_names);
	*names = v;
	*n = len;
	return 0;
}

void offline_free_list(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int offline_copy_name(const char *name, char *out, size_t out_size)
{
	size_t len = strlen(name);

	if (len + 1 > out_size)
		return -ENAMETOOLONG;
	memcpy(out, name, len + 1);
	return 0;
}

char *offline_join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *p = malloc(a + b + 2);

	if (!p)
		return NULL;
	if (a) {
		memcpy(p, dir, a);
		p[a++] = '/';
	}
	memcpy(p + a, name, b + 1);
	return p;
}

struct link_entry {
	dev_t dev;		/* the input inode */
	ino_t ino;
	char *path;		/* the output written for it */
	ino_t out_ino;
};

static int cmp_link(const void *a, const void *b)
{
	const struct link_entry *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

const char *offline_link_find(struct offline_walk *w, const struct stat *st, ino_t *out_ino)
{
	struct link_entry key = { st->st_dev, st->st_ino, NULL, 0 };
	struct link_entry **found = tfind(&key, &w->links, cmp_link);

	if (!found)
		return NULL;
	*out_ino = (*found)->out_ino;
	return (*found)->path;
}

int offline_link_add(struct offline_walk *w, const struct stat *st, const char *out_rel,
		     ino_t out_ino)
{
	struct link_entry *e = malloc(sizeof(*e)), **slot;

	if (!e)
		return -ENOMEM;
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->out_ino = out_ino;
	e->path = strdup(out_rel);
	if (!e->path) {
		free(e);
		return -ENOMEM;
	}
	slot = tsearch(e, &w->links, cmp_link);
	if (!slot || *slot != e) {
		free(e->path);
		free(e);
		return slot ? 0 : -ENOMEM;
	}
	return 0;
}

static void free_link(void *p)
{
	struct link_entry *e = p;

	free(e->path);
	free(e);
}

void offline_walk_free(struct offline_walk *w)
{
	tdestroy(w->links, free_link);
	w->links = NULL;
}

int offline_copy_attrs_fd(struct offline_walk *w, int fd, const struct stat *st)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	int rc = 0;

	/* Owner first: chown clears set-id bits that fchmod then restores. */
	if (w->is_root && fchown(fd, st->st_uid, st->st_gid) < 0)
		rc = -errno;
	if (fchmod(fd, st->st_mode & 07777) < 0 && rc == 0)
		rc = -errno;
	if (futimens(fd, ts) < 0 && rc == 0)
		rc = -errno;
	return rc;
}

int offline_copy_attrs_at(struct offline_walk *w, int dirfd, const char *name,
			  const struct stat *st)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	int rc = 0;

	if (w->is_root && fchownat(dirfd, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		rc = -errno;
	if (!S_ISLNK(st->st_mode) && fchmodat(dirfd, name, st->st_mode & 07777, 0) < 0 &&
	    rc == 0)
		rc = -errno;
	if (utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0 && rc == 0)
		rc = -errno;
	return rc;
}

#define XATTR_VALUE_MAX 65536

int offline_copy_xattrs(int src_fd, int dst_fd)
{
	char *names = NULL, *value = NULL;
	ssize_t len, vlen;
	int rc = 0;

	len = flistxattr(src_fd, NULL, 0);
	if (len <= 0)
		return (len < 0 && errno != ENOTSUP) ? -errno : 0;
	names = malloc((size_t)len);
	value = malloc(XATTR_VALUE_MAX);
	if (!names || !value) {
		rc = -ENOMEM;
		goto out;
	}
	len = flistxattr(src_fd, names, (size_t)len);
	if (len < 0) {
		rc = -errno;
		goto out;
	}
	for (char *n = names; n < names + len; n += strlen(n) + 1) {
		if (strcmp(n, "user.ecryptfs") == 0 || strncmp(n, "security.", 9) == 0)
			continue;
		vlen = fgetxattr(src_fd, n, value, XATTR_VALUE_MAX);
		if (vlen < 0 || fsetxattr(dst_fd, n, value, (size_t)vlen, 0) < 0) {
			if (rc == 0)
				rc = -errno;
		}
	}
out:
	free(names);
	free(value);
	return rc;
}

void offline_raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

const char *offline_strerror(int err)
{
	switch (err) {
	case -ENODATA:
		return "empty lower file without an eCryptfs header";
	case -ENOMSG:
		return "not an eCryptfs file (no marker)";
	case -EPROTO:
		return "unsupported file format version";
	case -EBADMSG:
		return "corrupt header";
	case -EIO:
		return "truncated lower file";
	case -ENOPKG:
		return "unknown cipher code";
	case -ENOTSUP:
		return "unsupported cipher";
	case -ENOKEY:
		return "no key";
	case -EKEYREJECTED:
		return "key rejected";
	case -ENAMETOOLONG:
		return "name too long";
	default:
		return cli_strerror(err);
	}
}
