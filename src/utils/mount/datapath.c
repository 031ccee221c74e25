/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which data path mounts, and the exec that does it.  The kernel path is the
 * reference's: /bin/mount -i (so mount(8) does not call us again) with the
 * finished option string.  The FUSE path runs our daemon with the very same
 * string; it finds the keys in the keyring by signature, so no secret is on
 * its argv, and it daemonises once mounted.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "helper.h"

#ifndef SBINDIR
#define SBINDIR "/usr/sbin"
#endif

int mh_datapath_parse(const char *s, enum mh_datapath *dp)
{
	if (!strcmp(s, "auto"))
		*dp = MH_DP_AUTO;
	else if (!strcmp(s, "kernel"))
		*dp = MH_DP_KERNEL;
	else if (!strcmp(s, "fuse"))
		*dp = MH_DP_FUSE;
	else
		return -EINVAL;
	return 0;
}

/*
 * Where sysfs is mounted according to the mount table f, default /sys.  Read
 * with getmntent, as the reference reads /etc/mtab: a field holding a blank
 * the kernel does not escape (a vertical tab in a mount source, say) stays
 * one field, escapes are undone, and the rest of an over-long line is not
 * read as a line of its own.  Apart from sysfs_dir for
 * tests/fuzz/fuzz-mounttab.c.
 */
static void sysfs_dir_in(FILE *f, char *buf, size_t len)
{
	struct mntent *m;

	snprintf(buf, len, "/sys");
	while ((m = getmntent(f))) {
		if (!strcmp(m->mnt_type, "sysfs")) {
			snprintf(buf, len, "%s", m->mnt_dir);
			break;
		}
	}
}

static void sysfs_dir(char *buf, size_t len)
{
	FILE *f = setmntent("/proc/self/mounts", "re");

	snprintf(buf, len, "/sys");
	if (f) {
		sysfs_dir_in(f, buf, len);
		endmntent(f);
	}
}

static int read_version(uint32_t *version)
{
	char dir[2048], path[2100], buf[32];
	ssize_t n;
	char *end;
	unsigned long v;
	int fd;

	sysfs_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/fs/ecryptfs/version", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EINVAL;
	buf[n] = '\0';
	v = strtoul(buf, &end, 10);
	if (end == buf)
		return -EINVAL;
	*version = (uint32_t)v;
	return 0;
}

static int run_modprobe(void)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execl("/sbin/modprobe", "modprobe", "ecryptfs", (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -ENODEV;
}

int mh_kernel_version(uint32_t *version, bool try_modprobe)
{
	int r = read_version(version);

	/* The reference tries to load the module once, then asks again. */
	if (r < 0 && try_modprobe) {
		run_modprobe();
		r = read_version(version);
	}
	return r;
}

/* ecryptfs among the file systems of f, in /proc/filesystems's form. */
static bool has_ecryptfs_in(FILE *f)
{
	char line[256];
	bool found = false;

	while (!found && fgets(line, sizeof(line), f)) {
		/* "nodev\tname\n" or "\tname\n": the last field is the name */
		char *name = strrchr(line, '\t');

		name = name ? name + 1 : line;
		name[strcspn(name, " \n")] = '\0';
		found = !strcmp(name, "ecryptfs");
	}
	return found;
}

bool mh_kernel_has_ecryptfs(void)
{
	FILE *f = fopen("/proc/filesystems", "re");
	bool found;

	if (!f)
		return false;
	found = has_ecryptfs_in(f);
	fclose(f);
	return found;
}

/* The daemon; ECRYPTFS_FUSE_PROG overrides it (tests, uninstalled trees). */
static const char *fuse_prog(void)
{
	/* Not in a setuid or setgid process: the caller would pick what runs. */
	const char *p = secure_getenv("ECRYPTFS_FUSE_PROG");

	return p && *p ? p : SBINDIR "/ecryptfs-fuse";
}

int mh_exec_mount(enum mh_datapath dp, const char *src, const char *dst, const char *opts)
{
	const char *prog = dp == MH_DP_FUSE ? fuse_prog() : "/bin/mount";
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (dp == MH_DP_FUSE)
			execl(prog, "ecryptfs-fuse", "-o", opts, src, dst, (char *)NULL);
		else
			execl(prog, "mount", "-i", "--no-canonicalize", "-t", "ecryptfs", src, dst,
			      "-o", opts, (char *)NULL);
		st = errno;
		cli_error(-st, "cannot run %s", prog);
		_exit(st & 0xff);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(st))
		return -EPERM;
	st = WEXITSTATUS(st);
	/* mount(8)'s "mount failure" is 32; the reference reports it as EPERM. */
	if (st == 32)
		return -EPERM;
	return -st;
}
