/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * umount.ecryptfs MOUNTPOINT [umount args]: the reference's umount helper.
 * For a kernel mount with ecryptfs_unlink_sigs it unlinks the mount's keys
 * from @u (ENOKEY is fine), then execs "/bin/umount -i ARGS".  A FUSE mount
 * does not show the eCryptfs options in the mount table: our daemon notes
 * them in a mount record (src/fuse/mountrec.h, doc/compatibility.md §10),
 * which counts only when it is the caller's and matches the mount.  The
 * mount is unmounted first (fusermount3 -u, or umount -i as root), whether
 * its daemon is alive or not; then the record's keys are unlinked if it
 * says ecryptfs_unlink_sigs, and the record is removed.  A live daemon does
 * the same itself; whoever comes second finds nothing left to do.
 */
#include "config.h"

#include <errno.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "libecryptfs.h"
#include "../../fuse/mountrec.h"

struct entry {
	char *type;
	char *opts;
};

static void usage(void)
{
	fprintf(stderr, "\teCryptfs umount helper\n\tusage: umount [ecryptfs mount point]\n");
}

/* The mount table as the reference reads it (on Debian a link to /proc). */
static FILE *open_table(void)
{
	FILE *f = setmntent("/etc/mtab", "re");

	return f ? f : setmntent("/proc/self/mounts", "re");
}

/*
 * The topmost entry of the table f mounted on dir (compared as given, then
 * canonical).  Apart from find_entry for tests/fuzz/fuzz-mounttab.c.
 */
static int find_entry_in(FILE *f, const char *dir, struct entry *e)
{
	char *canon = realpath(dir, NULL);
	struct mntent *m;
	int r = -ENOENT;

	while ((m = getmntent(f))) {
		if (strcmp(m->mnt_dir, dir) != 0 && !(canon && !strcmp(m->mnt_dir, canon)))
			continue;
		free(e->type);
		free(e->opts);
		e->type = strdup(m->mnt_type);
		e->opts = strdup(m->mnt_opts);
		r = e->type && e->opts ? 0 : -ENOMEM;
	}
	free(canon);
	return r;
}

static int find_entry(const char *dir, struct entry *e)
{
	FILE *f = open_table();
	int r;

	if (!f)
		return -errno;
	r = find_entry_in(f, dir, e);
	endmntent(f);
	return r;
}

static bool has_opt(const char *opts, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = opts; p && *p;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == n && !memcmp(p, name, n))
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

/* Unlink every "name=SIG" key of the entry except skip; ENOKEY is fine. */
static int unlink_named(const char *opts, const char *name, const char *skip)
{
	size_t n = strlen(name);
	int ret = 0;

	for (const char *p = opts; p && *p;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == n + 1 + ECRYPTFS_SIG_HEX_SIZE && !memcmp(p, name, n) && p[n] == '=') {
			char sig[ECRYPTFS_SIG_HEX_SIZE + 1];
			int r;

			memcpy(sig, p + n + 1, ECRYPTFS_SIG_HEX_SIZE);
			sig[ECRYPTFS_SIG_HEX_SIZE] = '\0';
			if (!skip || strcmp(sig, skip) != 0) {
				r = ecryptfs_keyring_unlink(sig);
				if (r < 0 && r != -ENOKEY) {
					cli_error(r, "unlinking the key %s from the user keyring", sig);
					ret = r;
				}
			}
		}
		p = e ? e + 1 : NULL;
	}
	return ret;
}

/* The first value of name= in opts, into sig (17 bytes), or "". */
static void first_sig(const char *opts, const char *name, char *sig)
{
	const char *p = opts;
	size_t n = strlen(name);

	sig[0] = '\0';
	while (p && *p) {
		if (!strncmp(p, name, n) && p[n] == '=') {
			snprintf(sig, ECRYPTFS_SIG_HEX_SIZE + 1, "%s", p + n + 1);
			sig[strcspn(sig, ",")] = '\0';
			return;
		}
		p = strchr(p, ',');
		p = p ? p + 1 : NULL;
	}
}

/* A FUSE mount's record, when there is one that counts. */
struct fuse_rec {
	bool found;
	int dirfd;
	struct efs_record r;
	struct stat st;
};

/*
 * The record of the fuse.ecryptfs mount on dir, if the caller's record
 * directory holds one for it that matches it (mountrec.h): read before the
 * unmount, since only the live mount's ID and device identify it.
 */
static void fuse_rec_find(const char *dir, struct fuse_rec *fr)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	/* As given first: resolving a dead FUSE mount point fails (ENOTCONN). */
	char *canon = NULL, *esc = NULL;
	const char *mnt = dir;
	struct efs_mount m;
	bool found;
	int r;

	fr->found = false;
	fr->dirfd = -1;
	if (!f)
		return;
	found = efs_mountinfo_find(f, dir, &m);
	if (!found && (canon = realpath(dir, NULL))) {
		rewind(f);
		mnt = canon;
		found = efs_mountinfo_find(f, canon, &m);
	}
	fclose(f);
	esc = found ? efs_mountinfo_escape(mnt) : NULL;
	if (!esc)
		goto out;
	fr->dirfd = efs_record_dir_open(false);
	if (fr->dirfd < 0)
		goto out;
	r = efs_record_read(fr->dirfd, m.dev_major, m.dev_minor, &fr->r, &fr->st);
	if (r == -EPERM || r == -EINVAL) {
		char d[4096] = "";

		efs_record_dir(d, sizeof(d));
		cli_error(r, "ignoring the mount record %s/%u:%u", d, m.dev_major, m.dev_minor);
	}
	if (r < 0)
		goto out;
	/* Stale (its mount is gone and the device reused) or not ours. */
	fr->found = efs_record_matches(&fr->r, &m, esc, getuid());
	if (!fr->found)
		efs_record_free(&fr->r);
out:
	free(canon);
	free(esc);
}

/* Run path with args and wait: its exit status, 1 if it did not exit. */
static int run(const char *path, char *const *args)
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		cli_error(-errno, "cannot run %s", path);
		return 1;
	}
	if (pid == 0) {
		execv(path, args);
		cli_error(-errno, "cannot run %s", path);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

/* A FUSE mount: unmount, then the keys its record names and the record. */
static int umount_fuse(int argc, char **argv)
{
	const char *path = getuid() != 0 ? "/bin/fusermount3" : "/bin/umount";
	struct fuse_rec fr;
	char **args;
	int st;

	fuse_rec_find(argv[1], &fr);
	args = calloc((size_t)argc + 2, sizeof(*args));
	if (!args) {
		cli_error(-ENOMEM, "starting umount");
		st = 1;
		goto out;
	}
	if (getuid() != 0) {
		/* A user's FUSE mount: only fusermount3 may take it down. */
		args[0] = "fusermount3";
		args[1] = "-u";
		args[2] = argv[1];
	} else {
		args[0] = "umount";
		args[1] = "-i";
		for (int i = 1; i < argc; i++)
			args[i + 1] = argv[i];
	}
	st = run(path, args);
	free(args);
	/* Still mounted (busy, say): the keys stay with it, so does the record. */
	if (st != 0 || !fr.found)
		goto out;
	if (fr.r.unlink_sigs) {
		int bad = 0;

		for (size_t i = 0; i < fr.r.n_sigs; i++) {
			int r = ecryptfs_keyring_unlink(fr.r.sigs[i]);

			if (r < 0 && r != -ENOKEY) {
				cli_error(r, "unlinking the key %s from the user keyring",
					  fr.r.sigs[i]);
				bad = r;
			}
		}
		if (bad)
			fprintf(stderr, "Could not unlink the key(s) from your keying. Please use "
				"`keyctl unlink` if you wish to remove the key(s).\n");
	}
	efs_record_remove(fr.dirfd, fr.r.dev_major, fr.r.dev_minor, &fr.st);
out:
	if (fr.found)
		efs_record_free(&fr.r);
	if (fr.dirfd >= 0)
		close(fr.dirfd);
	return st;
}

int main(int argc, char **argv)
{
	struct entry e = {0};
	char **args;
	int r;

	cli_init(argv[0]);
	if (argc >= 2 && cli_is_help(argv[1])) {
		printf("\teCryptfs umount helper\n\tusage: umount [ecryptfs mount point]\n\n"
		       "umount.ecryptfs MOUNTPOINT [umount(8) options]: unlinks the mount's keys\n"
		       "from the user keyring when it was mounted with ecryptfs_unlink_sigs,\n"
		       "then runs umount -i.  A FUSE mount is unmounted first (fusermount3 -u\n"
		       "unless root), then the keys its mount record names are unlinked.\n"
		       "See umount.ecryptfs(8).  (ecryptfs-ng %s)\n",
		       PACKAGE_VERSION);
		return 0;
	}
	if (argc < 2) {
		usage();
		return -EINVAL;
	}
	r = find_entry(argv[1], &e);
	if (r == 0 && !strncmp(e.type, "fuse", 4)) {
		free(e.type);
		free(e.opts);
		return umount_fuse(argc, argv);
	}
	if (r == 0 && !has_opt(e.opts, "ecryptfs_unlink_sigs")) {
		/* keys stay: the mount was made without ecryptfs_unlink_sigs */
	} else {
		char sig[ECRYPTFS_SIG_HEX_SIZE + 1];

		if (r == 0) {
			first_sig(e.opts, "ecryptfs_sig", sig);
			r = unlink_named(e.opts, "ecryptfs_sig", NULL);
			/* a FNEK sig equal to the data sig is the same key */
			if (unlink_named(e.opts, "ecryptfs_fnek_sig", sig[0] ? sig : NULL) < 0)
				r = -EIO;
		} else {
			cli_error(r, "no mount table entry for %s", argv[1]);
		}
		if (r < 0)
			fprintf(stderr, "Could not unlink the key(s) from your keying. Please use "
				"`keyctl unlink` if you wish to remove the key(s). "
				"Proceeding with umount.\n");
	}

	free(e.type);
	free(e.opts);
	args = calloc((size_t)argc + 2, sizeof(*args));
	if (!args) {
		cli_error(-ENOMEM, "starting umount");
		return -ENOMEM;
	}
	args[0] = "umount";
	args[1] = "-i";
	for (int i = 1; i < argc; i++)
		args[i + 1] = argv[i];
	execv("/bin/umount", args);
	r = -errno;
	cli_error(r, "cannot run /bin/umount");
	free(args);
	return r;
}
