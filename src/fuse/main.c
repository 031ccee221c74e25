/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs-fuse [-f] [-d] [-o OPTIONS] LOWER MOUNTPOINT
 *
 * Checks everything that can fail (options, lower directory, keys) before
 * mounting, so that a zero exit status always means "mounted".  Without -f
 * the work is done in a child that tells the waiting parent how it went;
 * the child is the daemon, so its secure memory is locked in its own pages.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "efs.h"

static void efs_init(void *userdata, struct fuse_conn_info *conn)
{
	conn->max_write = EFS_MAX_WRITE;
	conn->max_readahead = EFS_READAHEAD;
	/* We are the only writer: cached plaintext stays valid across opens. */
	conn->want &= ~FUSE_CAP_AUTO_INVAL_DATA;
	/* Locks stay in the kernel, local to this mount, as with eCryptfs. */
	conn->want &= ~(FUSE_CAP_POSIX_LOCKS | FUSE_CAP_FLOCK_LOCKS);
	if (conn->capable & FUSE_CAP_PARALLEL_DIROPS)
		conn->want |= FUSE_CAP_PARALLEL_DIROPS;
	if (conn->capable & FUSE_CAP_READDIRPLUS)
		conn->want |= FUSE_CAP_READDIRPLUS | FUSE_CAP_READDIRPLUS_AUTO;
	conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
	/*
	 * The lower inode's POSIX ACLs are the file's
	 * (doc/compatibility.md §6.1): the kernel reads them through getxattr,
	 * caches them and checks them with the mode bits; setfacl reaches the
	 * lower file, whose file system keeps mode and ACL in step.  The umask
	 * is then ours to apply (inode.c), because a default ACL of the lower
	 * parent replaces it.
	 */
	if (conn->capable & FUSE_CAP_POSIX_ACL)
		conn->want |= FUSE_CAP_POSIX_ACL;
	if (conn->capable & FUSE_CAP_DONT_MASK)
		conn->want |= FUSE_CAP_DONT_MASK;
}

static const struct fuse_lowlevel_ops efs_ops = {
	.init = efs_init,
	.lookup = efs_lookup,
	.forget = efs_forget,
	.forget_multi = efs_forget_multi,
	.getattr = efs_getattr,
	.setattr = efs_setattr,
	.readlink = efs_readlink,
	.mknod = efs_mknod,
	.mkdir = efs_mkdir,
	.unlink = efs_unlink,
	.rmdir = efs_rmdir,
	.symlink = efs_symlink,
	.rename = efs_rename,
	.link = efs_link,
	.open = efs_open,
	.read = efs_read,
	.write_buf = efs_write_buf,
	.release = efs_release,
	.fsync = efs_fsync,
	.opendir = efs_opendir,
	.readdir = efs_readdir,
	.readdirplus = efs_readdirplus,
	.releasedir = efs_releasedir,
	.fsyncdir = efs_fsyncdir,
	.statfs = efs_statfs,
	.setxattr = efs_setxattr,
	.getxattr = efs_getxattr,
	.listxattr = efs_listxattr,
	.removexattr = efs_removexattr,
	.create = efs_create,
	.fallocate = efs_fallocate,
	/*
	 * No flush: writes reach the lower file before they are acknowledged,
	 * so a close has nothing to report.  libfuse answers the first FLUSH
	 * with ENOSYS and the kernel sends no more, which saves every close(2)
	 * a round trip; it still writes back dirty mmap pages first.
	 */
};

static void usage(FILE *f)
{
	fprintf(f, "usage: " EFS_PROG " [-f] [-d] [-o OPTIONS] LOWER MOUNTPOINT\n"
		"  -f  stay in the foreground\n"
		"  -d  debug output (implies -f)\n"
		"  -o  eCryptfs mount options as for the kernel, comma separated\n"
		"See ecryptfs-fuse(8).\n");
}

static int fail(const char *what, const char *why)
{
	fprintf(stderr, EFS_PROG ": %s: %s\n", what, why);
	return 1;
}

/* fuse_opt splits on commas; a lower path may hold them. */
static char *escape_commas(const char *s)
{
	char *out = malloc(strlen(s) * 2 + 1), *p = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		if (*s == ',' || *s == '\\')
			*p++ = '\\';
		*p++ = *s;
	}
	*p = 0;
	return out;
}

/*
 * The kernel caps a FUSE mount's readahead at 128 KiB whatever INIT asks
 * for; cold sequential reads want several whole 1 MiB requests in flight
 * (each one lower read, one parallel decrypt), so raise the mount's bdi as
 * root can.
 */
static void raise_readahead(const char *mnt)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char path[128];
	unsigned fmaj = 0, fmin = 0;
	bool found;

	if (!f)
		return;
	found = efs_mountinfo_dev(f, mnt, &fmaj, &fmin);
	fclose(f);
	if (!found)
		return;
	snprintf(path, sizeof(path), "/sys/class/bdi/%u:%u/read_ahead_kb", fmaj, fmin);
	f = fopen(path, "we");
	if (f) {
		fprintf(f, "%d\n", EFS_READAHEAD / 1024);
		fclose(f);
	}
}

/* This mount's record (mountrec.h), for serve() to remove at the end. */
static struct {
	int dirfd;
	bool written;
	unsigned dev_major, dev_minor;
	struct stat st;
} record = { .dirfd = -1 };

/*
 * Note the mount's keys where umount.ecryptfs finds them should we die
 * without serve()'s cleanup (doc/compatibility.md §10), and drop the records
 * of mounts that are gone.  The mount stands without one: only a warning,
 * and only when ecryptfs_unlink_sigs asked for what it serves.
 */
static void record_mount(struct efs_fs *fs)
{
	const struct ecryptfs_policy *p = &fs->opts.mount.policy;
	struct efs_record r = { .uid = getuid(), .unlink_sigs = fs->opts.mount.unlink_sigs };
	struct efs_mount m;
	char dir[4096] = "";
	FILE *f = NULL;
	int ret;

	efs_record_dir(dir, sizeof(dir));
	ret = efs_record_dir_open(true);
	if (ret < 0)
		goto out;
	record.dirfd = ret;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f) {
		ret = -errno;
		goto out;
	}
	efs_record_sweep(record.dirfd, f);
	rewind(f);
	if (!efs_mountinfo_find(f, fs->mountpoint, &m)) {
		ret = -ENOENT;
		goto out;
	}
	r.mount_id = m.id;
	r.dev_major = m.dev_major;
	r.dev_minor = m.dev_minor;
	r.mountpoint = efs_mountinfo_escape(fs->mountpoint);
	if (!r.mountpoint) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < p->n_sigs; i++)
		ecryptfs_sig_to_hex(p->sigs[i], r.sigs[r.n_sigs++]);
	if (p->encrypt_filenames)
		ecryptfs_sig_to_hex(p->fnek_sig, r.sigs[r.n_sigs++]);
	ret = efs_record_write(record.dirfd, &r, &record.st);
	if (ret == 0) {
		record.written = true;
		record.dev_major = m.dev_major;
		record.dev_minor = m.dev_minor;
	}
out:
	if (f)
		fclose(f);
	efs_record_free(&r);
	if (ret < 0 && fs->opts.mount.unlink_sigs)
		efs_log(LOG_WARNING, "mount record in %s: %s; if this daemon dies, "
			"umount.ecryptfs cannot unlink the keys", dir, strerror(-ret));
}

/* Everything up to a mounted session; errors go to stderr. */
static int setup(struct efs_fs *fs, const char *argv0)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	char err[512] = "", *fsname, *o;
	size_t olen;
	int r;

	/*
	 * Descriptors: the inode cache and open files share them; the soft
	 * limit (1024 by default) is only a default for programs that use
	 * select(2), which libfuse does not.
	 */
	efs_raise_fd_limit();
	/* Its secure pool grows: every open file keeps a FEK there. */
	r = ecryptfs_init();
	if (r < 0)
		return fail("libgcrypt secure memory", strerror(-r));
	r = efs_keys_load(fs, err, sizeof(err));
	if (r < 0)
		return fail("keys", err);
	r = efs_names_init(fs, err, sizeof(err));
	if (r < 0)
		return fail("filename key", err);
	fs->proc_fd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fs->proc_fd < 0)
		return fail("/proc/self/fd", strerror(errno));
	r = efs_itable_init(fs);
	if (r < 0)
		return fail(fs->lower, strerror(-r));
	/* 256 Ki files' sizes, 14 MiB at most, used only as they fill. */
	r = efs_sizes_init(256 * 1024);
	if (r < 0)
		return fail("size table", strerror(-r));

	fsname = escape_commas(fs->lower);
	olen = (fsname ? strlen(fsname) : 0) +
	       (fs->opts.fuse_opts ? strlen(fs->opts.fuse_opts) : 0) + 128;
	o = malloc(olen);
	if (!fsname || !o)
		return fail("options", strerror(ENOMEM));
	/*
	 * default_permissions always: the daemon runs as root and the lower
	 * inode's mode, owner and ACLs (efs_init) are what the kernel's
	 * eCryptfs checks too.
	 * As root, allow_other too, so other users see the mount as they see
	 * a kernel one.
	 */
	snprintf(o, olen, "fsname=%s,subtype=ecryptfs,default_permissions%s%s%s%s", fsname,
		 fs->opts.allow_other || geteuid() == 0 ? ",allow_other" : "",
		 /* a kernel mount by root allows devices and setuid unless told not to */
		 geteuid() == 0 ? ",dev,suid" : "",
		 fs->opts.fuse_opts ? "," : "", fs->opts.fuse_opts ? fs->opts.fuse_opts : "");
	free(fsname);
	if (fuse_opt_add_arg(&args, argv0) || fuse_opt_add_arg(&args, "-o") ||
	    fuse_opt_add_arg(&args, o) ||
	    (fs->opts.debug && fuse_opt_add_arg(&args, "-d"))) {
		free(o);
		return fail("options", strerror(ENOMEM));
	}
	free(o);
	fs->se = fuse_session_new(&args, &efs_ops, sizeof(efs_ops), fs);
	fuse_opt_free_args(&args);
	if (!fs->se)
		return fail("fuse session", "could not be created");
	if (fuse_set_signal_handlers(fs->se) != 0)
		return fail("signal handlers", strerror(errno));
	if (fuse_session_mount(fs->se, fs->mountpoint) != 0)
		return fail(fs->mountpoint, "mount failed");
	if (geteuid() == 0 && fs->mountpoint[0] == '/' && strncmp(fs->mountpoint, "/dev/fd/", 8))
		raise_readahead(fs->mountpoint);
	record_mount(fs);
	return 0;
}

static int serve(struct efs_fs *fs)
{
	struct fuse_loop_config *cfg = fuse_loop_cfg_create();
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int r;

	efs_pool_start(ncpu > 1 ? (unsigned)ncpu - 1 : 0);
	efs_prefetch_start();
	fuse_loop_cfg_set_clone_fd(cfg, 0);
	fuse_loop_cfg_set_idle_threads(cfg, 10);
	fuse_loop_cfg_set_max_threads(cfg, 64);
	r = fuse_session_loop_mt(fs->se, cfg);
	fuse_loop_cfg_destroy(cfg);
	fuse_session_unmount(fs->se);
	efs_prefetch_stop();
	efs_pool_stop();
	/* mount(8) cannot see our options in /proc/mounts: we unlink the keys. */
	if (fs->opts.mount.unlink_sigs) {
		const struct ecryptfs_policy *p = &fs->opts.mount.policy;
		char hex[ECRYPTFS_SIG_HEX_SIZE + 1];

		for (size_t i = 0; i < p->n_sigs; i++) {
			ecryptfs_sig_to_hex(p->sigs[i], hex);
			ecryptfs_keyring_unlink(hex);
		}
		if (p->encrypt_filenames) {
			ecryptfs_sig_to_hex(p->fnek_sig, hex);
			ecryptfs_keyring_unlink(hex);
		}
	}
	/* Only now: a death before this leaves umount.ecryptfs the record. */
	if (record.written)
		efs_record_remove(record.dirfd, record.dev_major, record.dev_minor, &record.st);
	return r < 0 ? 1 : 0;
}

static void teardown(struct efs_fs *fs)
{
	if (fs->se) {
		fuse_remove_signal_handlers(fs->se);
		fuse_session_destroy(fs->se);
	}
	efs_content_close_all(fs);
	efs_itable_destroy(fs);
	efs_sizes_destroy();
	efs_names_free(fs);
	efs_keys_free(fs);
	efs_opts_free(&fs->opts);
	if (fs->proc_fd >= 0)
		close(fs->proc_fd);
	if (record.dirfd >= 0)
		close(record.dirfd);
	free(fs->lower);
	free(fs->mountpoint);
}

static int check_lower(struct efs_fs *fs, const char *lower)
{
	struct stat st;

	fs->lower = realpath(lower, NULL);
	if (!fs->lower || stat(fs->lower, &st) < 0)
		return fail(lower, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return fail(lower, strerror(ENOTDIR));
	/* ecryptfs_check_dev_ruid: the lower directory must be the caller's. */
	if (fs->opts.mount.check_dev_ruid && st.st_uid != getuid()) {
		char why[128];

		snprintf(why, sizeof(why), "owned by uid %u, not by the mounting user (uid %u)",
			 (unsigned)st.st_uid, (unsigned)getuid());
		return fail(lower, why);
	}
	return 0;
}

/*
 * The library's warnings (a refused mlock: keys may be swapped out) go to our
 * log.  Its reasons for a failure (ERR) concern one file each, which
 * efs_log_corrupt reports once per inode already: a hostile tree must not
 * flood the log through them, so those are for -d only.
 */
static void lib_log(int level, const char *msg, void *ctx)
{
	(void)ctx;
	if (level == LOG_WARNING)
		efs_log(level, "%s", msg);
	else
		efs_dbg("%s", msg);
}

int main(int argc, char *argv[])
{
	static struct efs_fs fs = { .proc_fd = -1, .root = { .fd = -1 } };
	static const struct rlimit no_core = { 0, 0 };
	char err[512] = "", *optstr = NULL;
	int c, pipefd[2], r;

	/*
	 * Before anything holds a key: no core file (one held the KEK, as good
	 * as the passphrase, and plaintext), whatever ulimit -c says, and no
	 * ptrace by the mounting user; only CAP_SYS_PTRACE can still attach.
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || setrlimit(RLIMIT_CORE, &no_core) < 0)
		return fail("no core dumps", strerror(errno));
	umask(0);	/* the kernel applied the caller's umask already */
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	while ((c = getopt_long(argc, argv, "fdo:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			fs.opts.foreground = true;
			break;
		case 'd':
			fs.opts.debug = fs.opts.foreground = true;
			break;
		case 'o': {
			size_t old = optstr ? strlen(optstr) : 0;
			char *n = realloc(optstr, old + strlen(optarg) + 2);

			if (!n)
				return fail("options", strerror(ENOMEM));
			if (old)
				n[old++] = ',';
			strcpy(n + old, optarg);
			optstr = n;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf(EFS_PROG " (" PACKAGE_NAME ") " PACKAGE_VERSION
			       ", eCryptfs as in ecryptfs-utils " ECRYPTFS_REFERENCE_VERSION
			       ", FUSE %s\n", fuse_pkgversion());
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	r = efs_opts_parse(&fs.opts, optstr ? optstr : "", err, sizeof(err));
	free(optstr);
	if (r < 0) {
		efs_opts_free(&fs.opts);
		return fail("options", err);
	}
	if (check_lower(&fs, argv[optind]))
		return 1;
	/*
	 * /dev/fd/N: the connection of a mount made already, by
	 * mount.ecryptfs_private as root for us running as the user; libfuse
	 * serves that descriptor and mounts nothing.
	 */
	if (strncmp(argv[optind + 1], "/dev/fd/", 8) == 0)
		fs.mountpoint = strdup(argv[optind + 1]);
	else
		fs.mountpoint = realpath(argv[optind + 1], NULL);
	if (!fs.mountpoint)
		return fail(argv[optind + 1], strerror(errno));
	/*
	 * Entries and attributes stay valid long: every change to the lower
	 * tree comes through this mount, and the kernel invalidates what our
	 * own operations change (sizes, times, link counts, directories).
	 */
	fs.timeout = 60.0;
	efs = &fs;

	if (!fs.opts.foreground) {
		char status = 1;
		pid_t pid;

		if (pipe2(pipefd, O_CLOEXEC) < 0)
			return fail("pipe", strerror(errno));
		pid = fork();
		if (pid < 0)
			return fail("fork", strerror(errno));
		if (pid > 0) {
			/* The parent only reports: 0 once the child has mounted. */
			close(pipefd[1]);
			if (read(pipefd[0], &status, 1) != 1)
				status = 1;
			return status;
		}
		close(pipefd[0]);
		setsid();
	}
	efs_log_init(true, fs.opts.debug);
	ecryptfs_set_log_callback(lib_log, NULL);
	r = setup(&fs, argv[0]);
	if (!fs.opts.foreground) {
		char status = r ? 1 : 0;
		int null = open("/dev/null", O_RDWR);

		if (write(pipefd[1], &status, 1) < 0)
			r = 1;
		close(pipefd[1]);
		if (r == 0) {
			if (chdir("/") < 0)
				r = 1;
			if (null >= 0) {
				dup2(null, 0);
				dup2(null, 1);
				dup2(null, 2);
			}
			efs_log_init(false, fs.opts.debug);
		}
		if (null > 2)
			close(null);
	}
	if (r == 0)
		r = serve(&fs);
	teardown(&fs);
	return r;
}
