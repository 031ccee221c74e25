/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Mount records: what ecryptfs-fuse tells umount.ecryptfs about its mount,
 * so that the keys of a mount made with ecryptfs_unlink_sigs can be
 * unlinked even when the daemon died without its own cleanup (SIGKILL, a
 * crash).  Why a file and why it cannot be abused: doc/compatibility.md §10.
 *
 * A record is text, one "name=value" a line, in this order:
 *
 *   ecryptfs-ng mount record 1
 *   mount_id=53
 *   dev=0:57
 *   uid=1000
 *   mountpoint=/home/u/Private       (as mountinfo escapes it)
 *   unlink_sigs=1
 *   sig=0123456789abcdef             (0 to ECRYPTFS_POLICY_MAX_KEYS + 1 lines)
 *   end
 *
 * The reader takes exactly this and nothing else: a record cut short by a
 * crash in the middle of its writing has no "end" and is not one.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mountrec.h"

#define MAGIC "ecryptfs-ng mount record 1"

void efs_record_free(struct efs_record *r)
{
	free(r->mountpoint);
	r->mountpoint = NULL;
}

int efs_record_dir(char *buf, size_t len)
{
	uid_t uid = getuid();
	const char *xdg;
	int n;

	/*
	 * Root's is fixed: a root shell may carry a user's XDG_RUNTIME_DIR
	 * (sudo -E), and the mount and the unmount must agree without it.
	 */
	xdg = uid == 0 ? NULL : getenv("XDG_RUNTIME_DIR");
	if (uid == 0)
		n = snprintf(buf, len, "%s", EFS_REC_ROOT_DIR);
	else if (xdg && xdg[0] == '/')
		n = snprintf(buf, len, "%s/ecryptfs-ng", xdg);
	else
		n = snprintf(buf, len, "/run/user/%u/ecryptfs-ng", (unsigned)uid);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* fd is a directory of uid that nobody else can write into: 0 or -EPERM. */
static int check_owned(int fd, bool dir)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if ((dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) || st.st_uid != getuid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)))
		return -EPERM;
	return 0;
}

int efs_record_dir_open(bool create)
{
	char path[4096];
	int fd = -1, r;

	r = efs_record_dir(path, sizeof(path));
	if (r < 0)
		goto out;
	if (create) {
		/* /run/ecryptfs-ng's parent is /run; a user's is their runtime dir. */
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			r = -errno;
			goto out;
		}
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	r = check_owned(fd, true);
out:
	if (r < 0 && fd >= 0)
		close(fd);
	return r < 0 ? r : fd;
}

static void record_name(unsigned maj, unsigned min, char name[32])
{
	snprintf(name, 32, "%u:%u", maj, min);
}

int efs_record_format(const struct efs_record *r, char *buf, size_t len)
{
	size_t n;
	int k;

	k = snprintf(buf, len, MAGIC "\nmount_id=%u\ndev=%u:%u\nuid=%u\nmountpoint=%s\n"
		     "unlink_sigs=%d\n", r->mount_id, r->dev_major, r->dev_minor,
		     (unsigned)r->uid, r->mountpoint ? r->mountpoint : "", r->unlink_sigs ? 1 : 0);
	if (k < 0 || (size_t)k >= len)
		return -ENAMETOOLONG;
	n = (size_t)k;
	for (size_t i = 0; i < r->n_sigs; i++) {
		k = snprintf(buf + n, len - n, "sig=%s\n", r->sigs[i]);
		if (k < 0 || (size_t)k >= len - n)
			return -ENAMETOOLONG;
		n += (size_t)k;
	}
	k = snprintf(buf + n, len - n, "end\n");
	if (k < 0 || (size_t)k >= len - n)
		return -ENAMETOOLONG;
	return (int)(n + (size_t)k);
}

int efs_record_write(int dirfd, const struct efs_record *r, struct stat *st)
{
	char name[32], buf[EFS_REC_MAX_SIZE + 1];
	int fd = -1, n, ret;

	n = efs_record_format(r, buf, sizeof(buf));
	if (n < 0) {
		ret = n;
		goto out;
	}
	record_name(r->dev_major, r->dev_minor, name);
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST) {
		/* Our mount has this device now: the mount it described is gone. */
		if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT) {
			ret = -errno;
			goto out;
		}
		fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0600);
	}
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	ret = ecryptfs_write_full(fd, buf, (size_t)n);
	if (ret == 0 && fstat(fd, st) < 0)
		ret = -errno;
	if (ret < 0)
		unlinkat(dirfd, name, 0);
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

/* The value of the line "name=VALUE" at *p, NUL-terminated in place; NULL if not. */
static char *take(char **p, const char *name)
{
	char *line = *p, *nl;
	size_t n = strlen(name);

	if (!line)
		return NULL;
	nl = strchr(line, '\n');
	if (!nl)
		return NULL;
	*nl = '\0';
	*p = nl + 1;
	if (strncmp(line, name, n) != 0 || line[n] != '=')
		return NULL;
	return line + n + 1;
}

/* An unsigned decimal number, all of s, without a sign or leading zeros. */
static int decimal(const char *s, unsigned *v)
{
	unsigned long x;
	char *end;

	if (!s || s[0] < '0' || s[0] > '9' || (s[0] == '0' && s[1]))
		return -EINVAL;
	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || *end || x > 0xffffffffUL)
		return -EINVAL;
	*v = (unsigned)x;
	return 0;
}

/*
 * 16 lowercase hex digits, as ecryptfs_sig_to_hex writes them: the only
 * form that names a key (its description) and that the writer writes.
 */
static bool is_sig(const char *s)
{
	size_t n;

	if (!s)
		return false;
	for (n = 0; (s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f'); n++)
		;
	return n == ECRYPTFS_SIG_HEX_SIZE && s[n] == '\0';
}

/* The text of a record, NUL-terminated and writable, into r: 0 or -EINVAL. */
static int parse(char *text, struct efs_record *r)
{
	char *p = text, *v, *dev, *colon;
	unsigned uid, flag;

	v = strchr(p, '\n');
	if (!v || (size_t)(v - p) != strlen(MAGIC) || memcmp(p, MAGIC, strlen(MAGIC)) != 0)
		return -EINVAL;
	p = v + 1;
	if (decimal(take(&p, "mount_id"), &r->mount_id) < 0)
		return -EINVAL;
	dev = take(&p, "dev");
	colon = dev ? strchr(dev, ':') : NULL;
	if (!colon)
		return -EINVAL;
	*colon = '\0';
	if (decimal(dev, &r->dev_major) < 0 || decimal(colon + 1, &r->dev_minor) < 0 ||
	    decimal(take(&p, "uid"), &uid) < 0)
		return -EINVAL;
	r->uid = (uid_t)uid;
	v = take(&p, "mountpoint");
	if (!v || v[0] != '/')
		return -EINVAL;
	r->mountpoint = strdup(v);
	if (!r->mountpoint)
		return -ENOMEM;
	if (decimal(take(&p, "unlink_sigs"), &flag) < 0 || flag > 1)
		return -EINVAL;
	r->unlink_sigs = flag;
	r->n_sigs = 0;
	while (p && strncmp(p, "sig=", 4) == 0) {
		v = take(&p, "sig");
		if (!is_sig(v) || r->n_sigs == sizeof(r->sigs) / sizeof(r->sigs[0]))
			return -EINVAL;
		memcpy(r->sigs[r->n_sigs++], v, ECRYPTFS_SIG_HEX_SIZE + 1);
	}
	if (!p || strcmp(p, "end\n") != 0)
		return -EINVAL;
	return 0;
}

int efs_record_parse(const char *buf, size_t len, struct efs_record *r)
{
	char text[EFS_REC_MAX_SIZE + 1];
	int ret;

	memset(r, 0, sizeof(*r));
	if (len > EFS_REC_MAX_SIZE || memchr(buf, '\0', len))
		return -EINVAL;
	memcpy(text, buf, len);
	text[len] = '\0';
	ret = parse(text, r);
	if (ret < 0)
		efs_record_free(r);
	return ret;
}

int efs_record_read(int dirfd, unsigned dev_major, unsigned dev_minor, struct efs_record *r,
		    struct stat *st)
{
	char name[32], buf[EFS_REC_MAX_SIZE + 1];
	ssize_t n;
	size_t got = 0;
	int fd, ret;

	memset(r, 0, sizeof(*r));
	record_name(dev_major, dev_minor, name);
	/* O_NONBLOCK: a FIFO planted under the name must not hang us. */
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP ? -EPERM : -errno;
	ret = check_owned(fd, false);
	if (ret < 0)
		goto out;
	if (fstat(fd, st) < 0) {
		ret = -errno;
		goto out;
	}
	/* One byte more than a record can have: a longer file is none. */
	while (got < sizeof(buf)) {
		n = read(fd, buf + got, sizeof(buf) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	ret = efs_record_parse(buf, got, r);
	if (ret == 0 && (r->dev_major != dev_major || r->dev_minor != dev_minor))
		ret = -EINVAL;
out:
	close(fd);
	if (ret < 0)
		efs_record_free(r);
	return ret;
}

bool efs_record_matches(const struct efs_record *r, const struct efs_mount *m,
			const char *mnt_esc, uid_t uid)
{
	return r->mount_id == m->id && r->dev_major == m->dev_major &&
	       r->dev_minor == m->dev_minor && r->uid == uid && m->has_user_id &&
	       m->user_id == uid && r->mountpoint && !strcmp(r->mountpoint, mnt_esc);
}

int efs_record_remove(int dirfd, unsigned dev_major, unsigned dev_minor, const struct stat *st)
{
	char name[32];
	struct stat now;

	record_name(dev_major, dev_minor, name);
	if (st) {
		if (fstatat(dirfd, name, &now, AT_SYMLINK_NOFOLLOW) < 0)
			return errno == ENOENT ? 0 : -errno;
		if (now.st_ino != st->st_ino || now.st_dev != st->st_dev)
			return 0;
	}
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int efs_record_sweep(int dirfd, FILE *f)
{
	int fd = dup(dirfd), removed = 0;
	struct dirent *de;
	DIR *d;

	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		unsigned maj, min;
		int end = 0;
		char name[32];

		if (sscanf(de->d_name, "%u:%u%n", &maj, &min, &end) != 2 || de->d_name[end])
			continue;
		/* only names we write, so nothing else in the directory goes */
		record_name(maj, min, name);
		if (strcmp(name, de->d_name) != 0)
			continue;
		rewind(f);
		if (!efs_mountinfo_has_dev(f, maj, min) && unlinkat(dirfd, name, 0) == 0)
			removed++;
	}
	closedir(d);
	return removed;
}
