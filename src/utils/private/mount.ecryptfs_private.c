/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mount.ecryptfs_private [-h] [ALIAS] / umount.ecryptfs_private [-h] [-f] [-d] [ALIAS]
 *
 * Setuid root.  Lets a user mount ~/.Private on ~/Private (or an ALIAS of
 * ~/.ecryptfs/ALIAS.conf) with the keys already in their keyring, as
 * ecryptfs-utils 111 does, on the kernel's eCryptfs when it is there and on
 * our FUSE daemon otherwise.  See doc/mount.ecryptfs_private.8.
 *
 * Privilege: the program runs with the effective uid of the user from its
 * first line to its last, except inside the functions of the bracket marked
 * "PRIVILEGED" below, each of which raises the effective uid to 0 for one
 * system call (open of /dev/fuse, mount, umount2) or to give up root for good (the daemon's
 * child), and restores it before returning.  Everything the user controls
 * (files in the home, the counter, signatures, paths) is read with the
 * user's rights only.  On the FUSE path root makes the mount and hands the
 * /dev/fuse descriptor to ecryptfs-fuse running as the user: no parser of
 * user data ever runs as root.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <keyutils.h>
#include <limits.h>
#include <mntent.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helper.h"
#include "private.h"

#define KEY_BYTES 16
#define KEY_CIPHER "aes"
#define COUNTER_DIR "/dev/shm"
#define DEFAULT_ALIAS "Private"
#define FUSE_TYPE "fuse.ecryptfs"
#define KERNEL_TYPE "ecryptfs"

#ifndef SBINDIR
#define SBINDIR "/usr/sbin"
#endif

static uid_t uid;
static gid_t gid;

static void die(void) __attribute__((noreturn));
static void die(void)
{
	exit(1);
}

/* ====================== PRIVILEGED: the only root code ====================== */

/* Raise the effective uid to 0 for one call; the saved set-user-ID is 0. */
static int priv_enter(void)
{
	return seteuid(0);
}

/* Back to the user; if that fails, nothing else may run. */
static void priv_leave(void)
{
	if (seteuid(uid) < 0 || geteuid() != uid) {
		fputs("Cannot drop privileges\n", stderr);
		_exit(1);
	}
}

/* mount(2) on the current directory, the mountpoint already checked. */
static int priv_mount(const char *src, const char *type, const char *opts)
{
	int r;

	if (priv_enter() < 0)
		return -errno;
	r = mount(src, ".", type, MS_NOSUID | MS_NODEV, opts);
	r = r < 0 ? -errno : 0;
	priv_leave();
	return r;
}

/*
 * A FUSE connection for a mount root makes next (/dev/fuse may be root's
 * alone; the descriptor goes to the user's daemon, which may use it).
 */
static int priv_open_fuse(void)
{
	int fd;

	if (priv_enter() < 0)
		return -errno;
	fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	fd = fd < 0 ? -errno : fd;
	priv_leave();
	return fd;
}

/*
 * Detach the mount whose root fd is (an O_PATH descriptor the caller
 * identified in /proc/self/mountinfo): by descriptor, so that no path the
 * user can change is walked as root.
 */
static int priv_umount_fd(int fd)
{
	char path[64];
	int r;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (priv_enter() < 0)
		return -errno;
	r = umount2(path, MNT_DETACH);
	r = r < 0 ? -errno : 0;
	priv_leave();
	return r;
}

/*
 * In the daemon's child, before exec: give up root for good (all three
 * uids and gids the user's, no capabilities left, no way back through
 * setuid programs).  The supplementary groups are the caller's own.
 */
static int priv_become_user(void)
{
	uid_t r, e, s;

	if (priv_enter() < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
		return -1;
	if (getresuid(&r, &e, &s) < 0 || r != uid || e != uid || s != uid)
		return -1;
	if (uid != 0 && setuid(0) == 0)
		return -1;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

/* ========================= end of the privileged code ======================== */

/* fds 0-2 open, so that no file we open becomes someone's stdout. */
static void sane_fds(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			_exit(1);
}

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		perror("asprintf");
		die();
	}
	return s;
}

/*
 * adduser's rule (letters, digits, _ . @, - not first, $ only last): the
 * name goes into the counter's path, so nothing else may.
 */
static int check_username(const char *u)
{
	size_t len = u ? strlen(u) : 0;

	if (len == 0) {
		fputs("Username is empty\n", stderr);
		return 1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)u[i];

		if (!(isascii(c) && isalnum(c)) && c != '_' && c != '.' && c != '@' &&
		    !(c == '-' && i != 0) && !(c == '$' && i == len - 1)) {
			fputs("Username has unsupported characters\n", stderr);
			return 1;
		}
	}
	return 0;
}

/* Open a file of the user's: regular, theirs, not through a symlink. */
static FILE *open_user_file(const char *path, bool quiet)
{
	struct stat st;
	FILE *f;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		if (!quiet)
			perror("fopen");
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != uid) {
		if (!quiet)
			fputs("Bad file\n", stderr);
		close(fd);
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f)
		close(fd);
	return f;
}

/* ALIAS.conf: one fstab line "SRC DST ecryptfs none". */
static int read_config(const char *home, const char *alias, char **src, char **dst)
{
	char *name = xasprintf("%s/.ecryptfs/%s.conf", home, alias);
	FILE *f = open_user_file(name, false);
	struct mntent *e;
	int r = -1;

	free(name);
	if (!f)
		return -1;
	e = getmntent(f);
	if (!e)
		fputs("Bad file\n", stderr);
	else if (strcmp(e->mnt_type, "ecryptfs") != 0)
		fputs("Bad fs type\n", stderr);
	else if (e->mnt_opts[0] && strcmp(e->mnt_opts, "none") != 0 &&
		 strcmp(e->mnt_opts, "defaults") != 0)
		fputs("Mount options are not supported here\n", stderr);
	else if (e->mnt_fsname[0] != '/' || e->mnt_dir[0] != '/')
		fputs("Bad file\n", stderr);
	else {
		*src = xasprintf("%s", e->mnt_fsname);
		*dst = xasprintf("%s", e->mnt_dir);
		r = 0;
	}
	fclose(f);
	return r;
}

/* Private.mnt's first line, or HOME/Private. */
static char *private_mnt(const char *home)
{
	char *name = xasprintf("%s/.ecryptfs/%s.mnt", home, DEFAULT_ALIAS);
	FILE *f = fopen(name, "re");
	char line[PATH_MAX + 2];

	free(name);
	if (f) {
		bool got = fgets(line, sizeof(line), f) != NULL;

		fclose(f);
		line[strcspn(line, "\n")] = '\0';
		if (got && line[0])
			return xasprintf("%s", line);
	}
	return xasprintf("%s/%s", home, DEFAULT_ALIAS);
}

/*
 * ALIAS.sig: the FEKEK signature, then optionally the FNEK's.  Mounting
 * needs both keys in @u; unmounting takes what it can (NULL sigs).
 */
static int fetch_sigs(const char *home, const char *alias, bool mounting, char sig[2][KEY_BYTES + 1])
{
	char *name = xasprintf("%s/.ecryptfs/%s.sig", home, alias);
	FILE *f = fopen(name, "re");
	char line[256];
	int n = 0;

	free(name);
	sig[0][0] = sig[1][0] = '\0';
	if (!f) {
		if (mounting)
			perror("fopen");
		return -1;
	}
	while (n < 2 && fgets(line, sizeof(line), f)) {
		size_t len;

		line[strcspn(line, " \t\r\n")] = '\0';
		len = strlen(line);
		if (len == 0 && n == 1)
			break;
		for (size_t i = 0; i < len; i++)
			if (!isxdigit((unsigned char)line[i])) {
				fputs("Invalid hex signature\n", stderr);
				fclose(f);
				return -1;
			}
		if (len != KEY_BYTES) {
			fputs("Invalid hex signature length\n", stderr);
			fclose(f);
			return -1;
		}
		memcpy(sig[n++], line, KEY_BYTES + 1);
	}
	fclose(f);
	if (n == 0) {
		fputs("Missing file encryption signature\n", stderr);
		return -1;
	}
	for (int i = 0; i < n; i++)
		if (keyctl_search(KEY_SPEC_USER_KEYRING, "user", sig[i], 0) < 0) {
			if (mounting)
				fputs("Signature not found in user keyring\n"
				      "Perhaps try the interactive 'ecryptfs-mount-private'\n", stderr);
			sig[0][0] = sig[1][0] = '\0';
			return -1;
		}
	return 0;
}

/* ---- the session counter ------------------------------------------------ */

/*
 * COUNTER_DIR/ecryptfs-USER-ALIAS, locked for the rest of the run.  Opened
 * as the user, never through a symlink; a name held by someone else (or by
 * anything but a regular file) is skipped for NAME-1 ... NAME-49.
 */
static int lock_counter(const char *user, const char *alias)
{
	for (int i = 0; i < 50; i++) {
		char *name = i ? xasprintf("%s/ecryptfs-%s-%s-%d", COUNTER_DIR, user, alias, i)
			       : xasprintf("%s/ecryptfs-%s-%s", COUNTER_DIR, user, alias);
		int fd = open(name, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
		struct stat st;

		free(name);
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == uid &&
		    st.st_nlink == 1) {
			if (flock(fd, LOCK_EX) < 0) {
				close(fd);
				return -1;
			}
			return fd;
		}
		if (fd >= 0)
			close(fd);
	}
	return -1;
}

/* Add delta (INT_MIN: zero it); the count never goes below 0. */
static int bump_counter(int fd, int delta)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long count = 0;

	if (n > 0) {
		buf[n] = '\0';
		count = strtol(buf, NULL, 10);
		if (count < 0 || count > 1000000)
			count = 0;
	}
	count = delta == INT_MIN ? 0 : count + delta;
	if (count < 0)
		count = 0;
	n = snprintf(buf, sizeof(buf), "%ld\n", count);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		return -1;
	return (int)count;
}

/* ---- the mount table ---------------------------------------------------- */

struct mnt {
	int id;
	char mountpoint[PATH_MAX], type[64], source[PATH_MAX], super[1024];
};

/* s into dst (size bytes): 0, or -1 if it does not fit (never a cut path). */
static int copy_field(char *dst, size_t size, const char *s)
{
	return (size_t)snprintf(dst, size, "%s", s) < size ? 0 : -1;
}

/* One mountinfo line into m: 0, or -1 if it is not one. */
static int parse_mountinfo(char *line, struct mnt *m)
{
	struct ecryptfs_mountinfo mi;

	if (ecryptfs_mountinfo_parse(line, &mi) < 0 || mi.id > INT_MAX)
		return -1;
	m->id = (int)mi.id;
	return copy_field(m->mountpoint, sizeof(m->mountpoint), mi.mountpoint) < 0 ||
	       copy_field(m->type, sizeof(m->type), mi.fstype) < 0 ||
	       copy_field(m->source, sizeof(m->source), mi.source) < 0 ||
	       copy_field(m->super, sizeof(m->super), mi.super_options) < 0 ? -1 : 0;
}

/* The mountinfo entry of mount id (or, id < 0, the first match of pred). */
static int find_mount(int id, bool (*pred)(const struct mnt *, const void *), const void *arg,
		      struct mnt *out)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;
	int r = -1;

	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		if (parse_mountinfo(line, out) < 0)
			continue;
		if (id >= 0 ? out->id == id : pred(out, arg)) {
			r = 0;
			break;
		}
	}
	free(line);
	fclose(f);
	return r;
}

static bool is_ours_type(const char *type)
{
	return strcmp(type, FUSE_TYPE) == 0 || strcmp(type, KERNEL_TYPE) == 0;
}

/* Has the FUSE mount's super block user_id=<uid>? */
static bool fuse_user_is(const struct mnt *m, uid_t u)
{
	char want[32];
	size_t wl = (size_t)snprintf(want, sizeof(want), "user_id=%u", (unsigned)u);

	for (const char *p = m->super; (p = strstr(p, want)); p += wl)
		if ((p == m->super || p[-1] == ',') && (p[wl] == ',' || p[wl] == '\0'))
			return true;
	return false;
}

struct pair { const char *src, *dst; };

static bool mounted_pred(const struct mnt *m, const void *arg)
{
	const struct pair *p = arg;

	return is_ours_type(m->type) &&
	       (strcmp(m->source, p->src) == 0 || strcmp(m->mountpoint, p->dst) == 0);
}

/* The reference's "already mounted": an eCryptfs mount of src or on dst. */
static bool is_mounted(const char *src, const char *dst)
{
	struct pair p = { src, dst };
	struct mnt m;

	return find_mount(-1, mounted_pred, &p, &m) == 0;
}

/*
 * Open dst's mount root and identify it: an O_PATH descriptor (no FUSE
 * request, so a dead daemon cannot make it fail), its mount id from
 * fdinfo, its entry from mountinfo.  Returns the fd with m filled only if
 * it is a private mount of this user at dst from src; -1 otherwise.
 */
static int open_our_mount(const char *src, const char *dst, const char *sig, struct mnt *m)
{
	char path[64], buf[256], where[PATH_MAX];
	FILE *f;
	int fd, id = -1;
	ssize_t n;

	fd = open(dst, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	while (f && fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "mnt_id: %d", &id) == 1)
			break;
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, where, sizeof(where) - 1);
	if (id < 0 || n <= 0 || find_mount(id, NULL, NULL, m) < 0)
		goto no;
	where[n] = '\0';
	/* the mount's root itself, at dst, of src */
	if (strcmp(m->mountpoint, where) != 0 || strcmp(m->source, src) != 0)
		goto no;
	if (strcmp(m->type, FUSE_TYPE) == 0) {
		if (!fuse_user_is(m, uid))
			goto no;
	} else if (strcmp(m->type, KERNEL_TYPE) == 0) {
		char want[64];

		snprintf(want, sizeof(want), "ecryptfs_sig=%s", sig ? sig : "");
		if (sig && sig[0] && !strstr(m->super, want))
			goto no;
	} else {
		goto no;
	}
	return fd;
no:
	close(fd);
	return -1;
}

/*
 * A FUSE private mount whose daemon has gone answers ENOTCONN: take it
 * down, so that the next mount (or this unmount) finds a plain directory.
 * Returns true if one was detached.
 */
static bool reap_dead(const char *src, const char *dst)
{
	struct mnt m;
	struct statfs sfs;
	int fd = open_our_mount(src, dst, NULL, &m);
	bool dead;

	if (fd < 0)
		return false;
	/* statfs always asks the daemon; attributes may come from a cache */
	dead = strcmp(m.type, FUSE_TYPE) == 0 && fstatfs(fd, &sfs) < 0 && errno == ENOTCONN;
	if (dead && priv_umount_fd(fd) < 0)
		dead = false;
	close(fd);
	return dead;
}

/* ---- checks of the directories ------------------------------------------ */

/*
 * Enter the mountpoint (from here on "." is the mountpoint, so it cannot be
 * swapped), check it is the user's directory on an allowed file system,
 * and return its canonical path.
 */
static char *enter_mountpoint(const char *dst)
{
	struct statfs sfs;
	struct stat st;
	char *cwd;

	if (chdir(dst) != 0) {
		fputs("Cannot chdir into mountpoint.\n", stderr);
		return NULL;
	}
	if (stat(".", &st) != 0) {
		fputs("Cannot examine mountpoint.\n", stderr);
		return NULL;
	}
	if (!S_ISDIR(st.st_mode)) {
		fputs("Mountpoint is not a directory.\n", stderr);
		return NULL;
	}
	if (st.st_uid != uid) {
		fputs("You do not own that mountpoint.\n", stderr);
		return NULL;
	}
	cwd = getcwd(NULL, 0);
	if (!cwd) {
		fputs("Failed to get current directory\n", stderr);
		return NULL;
	}
	if (statfs(".", &sfs) != 0) {
		fprintf(stderr, "Failed to check filesystem type: %s\n", strerror(errno));
		free(cwd);
		return NULL;
	}
	if (!ep_fstype_allowed((unsigned long)sfs.f_type)) {
		fprintf(stderr, "Refusing to mount over an unapproved filesystem type: %#lx\n",
			(unsigned long)sfs.f_type);
		free(cwd);
		return NULL;
	}
	return cwd;
}

/*
 * The kernel's ecryptfs_check_dev_ruid, which the FUSE path must do
 * itself: the encrypted directory is a directory of the user's.
 */
static int check_lower(const char *src)
{
	struct stat st;

	if (stat(src, &st) != 0) {
		fputs("Cannot examine encrypted directory\n", stderr);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fputs("Device or mountpoint is not a directory\n", stderr);
		return -1;
	}
	if (st.st_uid != uid) {
		fputs("You do not own that encrypted directory\n", stderr);
		return -1;
	}
	return 0;
}

/* ---- the FUSE daemon ------------------------------------------------------ */

/*
 * ecryptfs-fuse next to this program if it is there and only root can
 * change it (an installed tree, or a test's staging one), else SBINDIR's.
 * It runs as the user, so the choice grants nothing but what the user has.
 */
static char *daemon_path(void)
{
	char self[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	struct stat st, dst;

	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			char *p;

			*slash = '\0';
			p = xasprintf("%s/ecryptfs-fuse", self);
			if (stat(self, &dst) == 0 && dst.st_uid == 0 && !(dst.st_mode & 022) &&
			    stat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0 &&
			    !(st.st_mode & 022))
				return p;
			free(p);
		}
	}
	return xasprintf("%s/ecryptfs-fuse", SBINDIR);
}

/*
 * Run ecryptfs-fuse as the user on the connection fuse_fd; it returns once
 * it serves the mount (or has failed: non-zero).
 */
static int start_daemon(int fuse_fd, const char *src, const char *opts)
{
	char *prog = daemon_path(), fdpath[32];
	pid_t pid;
	int st;

	snprintf(fdpath, sizeof(fdpath), "/dev/fd/%d", fuse_fd);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		free(prog);
		return -1;
	}
	if (pid == 0) {
		if (priv_become_user() < 0) {
			fputs("Cannot drop privileges for the daemon\n", stderr);
			_exit(1);
		}
		/*
		 * Not in the mountpoint: anything that looked at "." by its
		 * path would wait on the very daemon that is starting.
		 */
		if (fcntl(fuse_fd, F_SETFD, 0) < 0 || chdir("/") < 0)
			_exit(1);
		execl(prog, "ecryptfs-fuse", "-o", opts, src, fdpath, (char *)NULL);
		fprintf(stderr, "Cannot run %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	free(prog);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* ---- mount and unmount ---------------------------------------------------- */

static int do_mount(const char *src, const char *dst, int counter, const char *opts)
{
	char *mnt_opts;
	int fuse_fd, r;

	if (is_mounted(src, dst)) {
		/* already up: one more session */
		if (bump_counter(counter, 1) < 0)
			fputs("Error incrementing mount counter\n", stderr);
		return 0;
	}
	if (mh_kernel_has_ecryptfs()) {
		/* the kernel checks the lower directory (ecryptfs_check_dev_ruid) */
		r = priv_mount(src, KERNEL_TYPE, opts);
		if (r < 0) {
			fprintf(stderr, "mount: %s\n", strerror(-r));
			return -1;
		}
	} else {
		char *lower;

		if (check_lower(src) < 0)
			return -1;
		/*
		 * The daemon gets the lower directory's real path, found now:
		 * in an encrypted home, ~/.Private is a link inside the
		 * mountpoint, and once the mount is up, following it would
		 * wait on the very daemon that is starting.  The daemon runs
		 * as the user and checks the directory is theirs.
		 */
		lower = realpath(src, NULL);
		if (!lower) {
			fputs("Cannot examine encrypted directory\n", stderr);
			return -1;
		}
		fuse_fd = priv_open_fuse();
		if (fuse_fd < 0) {
			fprintf(stderr, "Cannot open /dev/fuse: %s\n", strerror(-fuse_fd));
			free(lower);
			return -1;
		}
		mnt_opts = xasprintf("fd=%d,rootmode=40000,user_id=%u,group_id=%u,"
				     "allow_other,default_permissions",
				     fuse_fd, (unsigned)uid, (unsigned)gid);
		r = priv_mount(src, FUSE_TYPE, mnt_opts);
		free(mnt_opts);
		if (r < 0) {
			fprintf(stderr, "mount: %s\n", strerror(-r));
			close(fuse_fd);
			free(lower);
			return -1;
		}
		r = start_daemon(fuse_fd, lower, opts);
		close(fuse_fd);
		free(lower);
		if (r < 0) {
			/* nothing serves it: take it down again */
			reap_dead(src, dst);
			fputs("The eCryptfs FUSE daemon did not start\n", stderr);
			return -1;
		}
	}
	/* counted only once it is mounted */
	if (bump_counter(counter, 1) < 0)
		fputs("Error incrementing mount counter\n", stderr);
	return 0;
}

static void unlink_keys(char sig[2][KEY_BYTES + 1])
{
	for (int i = 0; i < 2; i++) {
		key_serial_t k;

		if (!sig[i][0])
			continue;
		k = keyctl_search(KEY_SPEC_USER_KEYRING, "user", sig[i], 0);
		if (k < 0 || keyctl_unlink(k, KEY_SPEC_USER_KEYRING) < 0)
			fputs("Could not remove key from keyring, try 'ecryptfs-umount-private'\n",
			      stderr);
	}
}

static int do_umount(const char *src, const char *dst, int counter, bool force,
		     bool nonzero_is_error, char sig[2][KEY_BYTES + 1])
{
	struct mnt m;
	int fd, n, r;

	n = bump_counter(counter, force ? INT_MIN : -1);
	if (n > 0) {
		if (!nonzero_is_error)
			return 0;
		fputs("Sessions still open, not unmounting\n", stderr);
		return -1;
	}
	unlink_keys(sig);
	fd = open_our_mount(src, dst, sig[0], &m);
	if (fd < 0)
		return -1;	/* not mounted: silently, as the reference */
	r = priv_umount_fd(fd);
	close(fd);
	if (r < 0) {
		fprintf(stderr, "umount: %s\n", strerror(-r));
		return -1;
	}
	return 0;
}

static void usage(const char *prog, bool mounting)
{
	if (mounting)
		fprintf(stderr, "Usage: %s [ALIAS]\n"
			"Mount the default private directory or ALIAS, if specified.\n"
			"\n"
			"  -h        display this help and exit\n", prog);
	else
		fprintf(stderr, "Usage: %s [-f] [-d] [ALIAS]\n"
			"Unmount the default private directory or ALIAS, if specified.\n"
			"\n"
			"  -h        display this help and exit\n"
			"  -f        forcibly unmount\n"
			"  -d        don't treat a non-zero session counter as an error\n", prog);
}

int main(int argc, char *argv[])
{
	const char *prog = argc > 0 && argv[0] ? argv[0] : "mount.ecryptfs_private";
	const char *base = strrchr(prog, '/') ? strrchr(prog, '/') + 1 : prog;
	bool mounting = strstr(base, "umount") == NULL, force = false, nonzero_is_error = true;
	char sig[2][KEY_BYTES + 1] = { "", "" };
	char *alias = NULL, *src, *dst, *where, *opts, *user, *home;
	struct passwd *pw;
	int c, counter, r;

	sane_fds();
	uid = getuid();
	gid = getgid();
	/* Nothing of the caller's environment is used, nor passed on. */
	if (clearenv() != 0)
		die();
	setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
	umask(022);
	/* The user's rights from here on; root only in the bracket above. */
	if (setegid(gid) < 0 || seteuid(uid) < 0 || geteuid() != uid) {
		perror("setuid");
		die();
	}
	pw = getpwuid(uid);
	if (!pw) {
		perror("getpwuid");
		die();
	}
	user = xasprintf("%s", pw->pw_name);
	home = xasprintf("%s", pw->pw_dir);

	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	while ((c = getopt_long(argc, argv, mounting ? "+h" : "+hfd", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(prog, mounting);
			return 0;
		case 'f':
			force = true;
			break;
		case 'd':
			nonzero_is_error = false;
			break;
		default:
			usage(prog, mounting);
			return 1;
		}
	}
	if (optind < argc - 1) {
		usage(prog, mounting);
		return 1;
	}
	if (optind == argc - 1)
		alias = argv[optind];

	/* An alias names files in ~/.ecryptfs and the counter: a plain name. */
	if (alias && (!alias[0] || strstr(alias, "..") || strchr(alias, '/'))) {
		fputs("Invalid alias\n", stderr);
		return 1;
	}
	if (check_username(user) != 0)
		return 1;
	if (!alias) {
		alias = DEFAULT_ALIAS;
		src = xasprintf("%s/.%s", home, alias);
		dst = private_mnt(home);
	} else if (read_config(home, alias, &src, &dst) < 0) {
		fputs("Error reading configuration file\n", stderr);
		return 1;
	}

	counter = lock_counter(user, alias);
	if (counter < 0) {
		fputs("Error locking counter\n", stderr);
		return 1;
	}
	if (fetch_sigs(home, alias, mounting, sig) < 0 && mounting)
		return 1;
	opts = xasprintf("ecryptfs_check_dev_ruid,ecryptfs_cipher=%s,ecryptfs_key_bytes=%d,"
			 "ecryptfs_unlink_sigs%s%s%s%s", KEY_CIPHER, KEY_BYTES,
			 sig[0][0] ? ",ecryptfs_sig=" : "", sig[0],
			 sig[1][0] ? ",ecryptfs_fnek_sig=" : "", sig[1]);

	/*
	 * A mount whose daemon died serves no session: detached here, and
	 * the sessions it counted end with it.
	 */
	if (reap_dead(src, dst)) {
		bump_counter(counter, INT_MIN);
		if (!mounting) {
			unlink_keys(sig);
			return 0;
		}
	}
	if (!mounting) {
		r = do_umount(src, dst, counter, force, nonzero_is_error, sig);
		return r < 0 ? 1 : 0;
	}
	where = enter_mountpoint(dst);
	if (!where)
		return 1;
	r = do_mount(src, where, counter, opts);
	return r < 0 ? 1 : 0;
}
