/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * umount.ecryptfs MOUNTPOINT [umount args]: the reference's umount helper.
 * For a kernel mount with ecryptfs_unlink_sigs it unlinks the mount's keys
 * from @u (ENOKEY is fine), then execs "/bin/umount -i ARGS".  A FUSE mount
 * does not show the eCryptfs options in the mount table; our daemon unlinks
 * its keys itself at unmount, so here it is only unmounted.
 */
#include "config.h"

#include <errno.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "libecryptfs.h"

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
		       "then runs umount -i.  See umount.ecryptfs(8).  (ecryptfs-ng %s)\n",
		       PACKAGE_VERSION);
		return 0;
	}
	if (argc < 2) {
		usage();
		return -EINVAL;
	}
	r = find_entry(argv[1], &e);
	if (r == 0 && !strncmp(e.type, "fuse", 4)) {
		/* The daemon unlinks its own keys when it goes. */
	} else if (r == 0 && !has_opt(e.opts, "ecryptfs_unlink_sigs")) {
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

	if (r == 0 && e.type && !strncmp(e.type, "fuse", 4) && getuid() != 0) {
		/* A user's FUSE mount: only fusermount3 may take it down. */
		free(e.type);
		free(e.opts);
		execl("/bin/fusermount3", "fusermount3", "-u", argv[1], (char *)NULL);
		r = -errno;
		cli_error(r, "cannot run /bin/fusermount3");
		return r;
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
