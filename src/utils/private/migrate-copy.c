/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs-migrate-copy: the tree copier of ecryptfs-migrate-home.
 *
 *   ecryptfs-migrate-copy --check NAME_MAX SRC
 *       walk SRC, print every path whose last component is longer than
 *       NAME_MAX bytes, and "FILES BYTES" (regular files and their sizes)
 *       on stdout; exit 1 if any name is too long.
 *   ecryptfs-migrate-copy [--progress] SRC DST
 *       copy the contents of SRC into the existing directory DST, then give
 *       DST the owner, mode, extended attributes and times of SRC.
 *
 * Everything is kept: owner and group, mode (set-id bits included), access
 * and modification times (nanoseconds), hard links (one copy, the other
 * names linked to it), symlinks, FIFOs, sockets and device nodes, and every
 * extended attribute, which carries the POSIX ACLs (system.posix_acl_*) and
 * file capabilities.  Nothing is skipped silently: the first error stops
 * the copy with "ecryptfs-migrate-copy: what: why" and exit 1, and the
 * caller (ecryptfs-migrate-home) rolls back.  A copy, not a sync: DST is
 * expected empty, and files are created with O_EXCL.
 *
 * Why not cp -a: cp gives no progress, and cp's --preserve=all ignores
 * xattrs it cannot set; the rate is the data path's either way (numbers in
 * bench/private/migrate.sh).  Progress (files, bytes, rate, time left) goes
 * to stderr, twice a second, when --progress is given.
 *
 * Order of the attribute calls on each object: data, owner (chown clears
 * set-id bits and capabilities), mode, extended attributes (an ACL sets the
 * group bits the mode already holds), times last (every call before it
 * changes ctime, and writes into a directory change its mtime, so a
 * directory gets its times after its contents).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define PROG "ecryptfs-migrate-copy"
#define BUF_SIZE (1024 * 1024)

/* Where we are, for messages: the path below SRC. */
static char cur[PATH_MAX * 2];

static void fail(int err, const char *what)
{
	fprintf(stderr, PROG ": %s%s%s: %s\n", what, cur[0] ? " " : "", cur, strerror(err));
}

/* ---- progress --------------------------------------------------------- */

static bool progress;
static uint64_t total_files, total_bytes, done_files, done_bytes;
static struct timespec t_start, t_last;
static bool progress_shown;

static double since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void show_progress(bool final)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!final && since(&t_last, &now) < 0.5)
		return;
	t_last = now;
	double el = since(&t_start, &now);
	double rate = el > 0 ? (double)done_bytes / el : 0;
	char left[32] = "--:--";
	if (rate > 0 && done_bytes <= total_bytes) {
		uint64_t s = (uint64_t)((double)(total_bytes - done_bytes) / rate);
		snprintf(left, sizeof(left), "%" PRIu64 ":%02" PRIu64, s / 60, s % 60);
	}
	fprintf(stderr, "\r%" PRIu64 "/%" PRIu64 " files, %.1f/%.1f MB, %.1f MB/s, %s left   ",
		done_files, total_files, done_bytes / 1e6, total_bytes / 1e6, rate / 1e6,
		final ? "0:00" : left);
	if (final)
		fputc('\n', stderr);
	progress_shown = true;
}

/* ---- injected failure, for tests/private/t-migrate.sh ------------------- */

/*
 * ECRYPTFS_MIGRATE_FAIL_AFTER=N: fail as a write error would, once N files
 * are copied; how the rollback is tested without filling a disk.
 */
static long fail_after = -1;

/* ---- hard links --------------------------------------------------------- */

struct link_ent {
	dev_t dev;
	ino_t ino;
	char *dst;	/* path below DST of the first copy */
	struct link_ent *next;
};
#define LINK_BUCKETS 4096
static struct link_ent *links[LINK_BUCKETS];

static struct link_ent *link_find(dev_t dev, ino_t ino)
{
	for (struct link_ent *e = links[ino % LINK_BUCKETS]; e; e = e->next)
		if (e->dev == dev && e->ino == ino)
			return e;
	return NULL;
}

static int link_add(dev_t dev, ino_t ino, const char *dst)
{
	struct link_ent *e = malloc(sizeof(*e));
	if (!e || !(e->dst = strdup(dst))) {
		free(e);
		return -ENOMEM;
	}
	e->dev = dev;
	e->ino = ino;
	e->next = links[ino % LINK_BUCKETS];
	links[ino % LINK_BUCKETS] = e;
	return 0;
}

/* ---- attributes --------------------------------------------------------- */

/*
 * Copy every extended attribute of the object named by src/dst, which are
 * /proc/self/fd paths (the l*xattr calls then never follow a symlink at
 * the end, and work for every file type).
 */
static int copy_xattrs(const char *src, const char *dst)
{
	static char names[65536], val[65536];
	ssize_t n = llistxattr(src, names, sizeof(names));
	if (n < 0)
		return errno == ENOTSUP ? 0 : -errno;
	for (char *p = names; p < names + n; p += strlen(p) + 1) {
		ssize_t v = lgetxattr(src, p, val, sizeof(val));
		if (v < 0 || lsetxattr(dst, p, val, (size_t)v, 0) < 0) {
			int e = errno;
			fprintf(stderr, PROG ": extended attribute %s of %s: %s\n", p,
				cur[0] ? cur : "the top directory", strerror(e));
			return -e;
		}
	}
	return 0;
}

/* The object NAME in the directory DIRFD, as a path the *xattr calls take. */
static void fdpath(char *buf, size_t size, int dirfd, const char *name)
{
	snprintf(buf, size, "/proc/self/fd/%d/%s", dirfd, name);
}

/* Owner, mode, xattrs, times of sdir/name onto ddir/name (not a directory's contents). */
static int copy_attrs(int sdir, int ddir, const char *name, const struct stat *st)
{
	char sp[PATH_MAX], dp[PATH_MAX];
	if (fchownat(ddir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0) {
		fail(errno, "owner of");
		return -1;
	}
	if (!S_ISLNK(st->st_mode) && fchmodat(ddir, name, st->st_mode & 07777, 0) < 0) {
		fail(errno, "mode of");
		return -1;
	}
	fdpath(sp, sizeof(sp), sdir, name);
	fdpath(dp, sizeof(dp), ddir, name);
	if (copy_xattrs(sp, dp) < 0)
		return -1;
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	if (utimensat(ddir, name, ts, AT_SYMLINK_NOFOLLOW) < 0) {
		fail(errno, "times of");
		return -1;
	}
	return 0;
}

/* ---- the walk ----------------------------------------------------------- */

static char *buf;
/* DST, from which the first copy of a hard-linked file is named. */
static int dst_root = -1;

static int copy_data(int sdir, int ddir, const char *name, const struct stat *st)
{
	int in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME);
	if (in < 0 && errno == EPERM)
		in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0) {
		fail(errno, "cannot open");
		return -1;
	}
	int out = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		fail(errno, "cannot create");
		close(in);
		return -1;
	}
	int r = -1;
	uint64_t copied = 0;
	for (;;) {
		ssize_t n = read(in, buf, BUF_SIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fail(errno, "cannot read");
			goto out;
		}
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				fail(errno, "cannot write");
				goto out;
			}
			off += w;
		}
		copied += (uint64_t)n;
		done_bytes += (uint64_t)n;
		if (progress)
			show_progress(false);
	}
	if (copied != (uint64_t)st->st_size)
		fprintf(stderr, PROG ": warning: %s changed size while copied\n", cur);
	if (close(out) < 0) {
		out = -1;
		fail(errno, "cannot write");
		goto out;
	}
	out = -1;
	r = 0;
out:
	if (out >= 0)
		close(out);
	close(in);
	return r;
}

/* Dirs whose last component is too long, in --check mode. */
static long name_max = -1;
static int too_long;

static int walk(int sdir, int ddir, size_t curlen, bool check);

static int entry(int sdir, int ddir, const char *name, size_t curlen, bool check)
{
	struct stat st;
	size_t l = strlen(name);
	if (curlen + l + 2 > sizeof(cur)) {
		fprintf(stderr, PROG ": path too long: %s/%s\n", cur, name);
		return -1;
	}
	cur[curlen] = '/';
	memcpy(cur + curlen + 1, name, l + 1);
	size_t mylen = curlen + 1 + l;

	if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		fail(errno, "cannot stat");
		return -1;
	}
	if (check) {
		if (name_max >= 0 && (long)l > name_max) {
			printf("%s\n", cur + 1);
			too_long++;
		}
		if (S_ISREG(st.st_mode)) {
			total_files++;
			total_bytes += (uint64_t)st.st_size;
		}
		if (S_ISDIR(st.st_mode)) {
			int sd = openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sd < 0) {
				fail(errno, "cannot open");
				return -1;
			}
			return walk(sd, -1, mylen, true);
		}
		return 0;
	}

	if (fail_after >= 0 && done_files >= (uint64_t)fail_after) {
		fail(EIO, "injected failure (ECRYPTFS_MIGRATE_FAIL_AFTER) at");
		return -1;
	}
	if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
		struct link_ent *e = link_find(st.st_dev, st.st_ino);
		if (e) {
			if (linkat(dst_root, e->dst, ddir, name, 0) < 0) {
				fail(errno, "cannot link");
				return -1;
			}
			done_files++;
			return 0;
		}
		if (link_add(st.st_dev, st.st_ino, cur + 1) < 0) {
			fail(ENOMEM, "hard link table");
			return -1;
		}
	}
	switch (st.st_mode & S_IFMT) {
	case S_IFDIR: {
		if (mkdirat(ddir, name, 0700) < 0) {
			fail(errno, "cannot create directory");
			return -1;
		}
		int sd = openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sd < 0) {
			fail(errno, "cannot open");
			return -1;
		}
		int dd = openat(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dd < 0) {
			fail(errno, "cannot open");
			close(sd);
			return -1;
		}
		int r = walk(sd, dd, mylen, false);
		close(dd);
		if (r < 0)
			return r;
		/* walk() closed sd; cur holds this directory again. */
		cur[mylen] = '\0';
		break;
	}
	case S_IFREG:
		if (copy_data(sdir, ddir, name, &st) < 0)
			return -1;
		done_files++;
		break;
	case S_IFLNK: {
		char target[PATH_MAX + 1];
		ssize_t n = readlinkat(sdir, name, target, sizeof(target) - 1);
		if (n < 0) {
			fail(errno, "cannot read link");
			return -1;
		}
		target[n] = '\0';
		if (symlinkat(target, ddir, name) < 0) {
			fail(errno, "cannot create symlink");
			return -1;
		}
		break;
	}
	default:	/* FIFO, socket, device node */
		if (mknodat(ddir, name, (st.st_mode & S_IFMT) | 0600, st.st_rdev) < 0) {
			fail(errno, "cannot create");
			return -1;
		}
		break;
	}
	return copy_attrs(sdir, ddir, name, &st);
}

/* Copy (or check) the entries of the directory SDIR (closed here) into DDIR. */
static int walk(int sdir, int ddir, size_t curlen, bool check)
{
	DIR *d = fdopendir(sdir);
	if (!d) {
		fail(errno, "cannot read directory");
		close(sdir);
		return -1;
	}
	int r = 0;
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de) {
			if (errno) {
				cur[curlen] = '\0';
				fail(errno, "cannot read directory");
				r = -1;
			}
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (entry(dirfd(d), ddir, de->d_name, curlen, check) < 0) {
			r = -1;
			break;
		}
		cur[curlen] = '\0';
	}
	closedir(d);
	return r;
}

static void usage(void)
{
	fprintf(stderr, "Usage: " PROG " --check NAME_MAX SRC\n"
		"       " PROG " [--progress] SRC DST\n");
	exit(2);
}

int main(int argc, char **argv)
{
	bool check = false;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--progress")) {
			progress = true;
		} else if (!strcmp(argv[i], "--check") && i + 1 < argc) {
			check = true;
			char *end;
			name_max = strtol(argv[++i], &end, 10);
			if (*end || name_max < 0)
				usage();
		} else {
			usage();
		}
	}
	if (argc - i != (check ? 1 : 2))
		usage();
	const char *src = argv[i];
	umask(0);

	int sd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sd < 0) {
		fprintf(stderr, PROG ": cannot open %s: %s\n", src, strerror(errno));
		return 1;
	}
	if (check) {
		if (walk(sd, -1, 0, true) < 0)
			return 1;
		printf("%" PRIu64 " %" PRIu64 "\n", total_files, total_bytes);
		return too_long ? 1 : 0;
	}

	const char *dst = argv[i + 1];
	const char *fa = getenv("ECRYPTFS_MIGRATE_FAIL_AFTER");
	if (fa && *fa)
		fail_after = strtol(fa, NULL, 10);
	buf = malloc(BUF_SIZE);
	if (!buf) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	struct stat rst;
	if (fstat(sd, &rst) < 0) {
		fprintf(stderr, PROG ": cannot stat %s: %s\n", src, strerror(errno));
		return 1;
	}
	if (progress) {
		/* Totals for the time left: a stat-only walk, cheap beside the copy. */
		int sd2 = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sd2 < 0 || walk(sd2, -1, 0, true) < 0)
			return 1;
		cur[0] = '\0';
	}
	dst_root = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dst_root < 0) {
		fprintf(stderr, PROG ": cannot open %s: %s\n", dst, strerror(errno));
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t_start);
	t_last = t_start;
	int sroot = dup(sd);
	if (sroot < 0 || walk(sroot, dst_root, 0, false) < 0) {
		if (progress_shown)
			fputc('\n', stderr);
		return 1;
	}
	/* The root last: its owner, mode, xattrs and times, as for a directory. */
	cur[0] = '\0';
	if (fchown(dst_root, rst.st_uid, rst.st_gid) < 0 || fchmod(dst_root, rst.st_mode & 07777) < 0) {
		fail(errno, "attributes of the top directory");
		return 1;
	}
	char sp[64], dp[64];
	snprintf(sp, sizeof(sp), "/proc/self/fd/%d", sd);
	snprintf(dp, sizeof(dp), "/proc/self/fd/%d", dst_root);
	if (copy_xattrs(sp, dp) < 0)
		return 1;
	struct timespec ts[2] = { rst.st_atim, rst.st_mtim };
	if (futimens(dst_root, ts) < 0) {
		fail(errno, "times of the top directory");
		return 1;
	}
	struct timespec end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	if (progress)
		show_progress(true);
	double el = since(&t_start, &end);
	printf("%" PRIu64 " %" PRIu64 " %.3f\n", done_files, done_bytes, el);
	return 0;
}
