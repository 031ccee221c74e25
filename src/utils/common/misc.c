/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Process set-up shared by the programs: memory locking, passwd-home paths. */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"
#include "ecryptfs.h"

#if defined(__SANITIZE_ADDRESS__)
#define CLI_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CLI_UNDER_ASAN 1
#endif
#endif

#ifndef MCL_ONFAULT
#define MCL_ONFAULT 0
#endif

int cli_lock_memory(void)
{
#ifdef CLI_UNDER_ASAN
	return -ENOTSUP;
#else
	struct rlimit rl;
	int flags = MCL_CURRENT | MCL_ONFAULT;

	/*
	 * MCL_FUTURE under a finite memlock limit makes every later malloc
	 * that crosses it fail, so only ask for it when the limit cannot bite.
	 */
	if (geteuid() == 0 ||
	    (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur == RLIM_INFINITY))
		flags |= MCL_FUTURE;
	if (mlockall(flags) < 0)
		return -errno;
	return 0;
#endif
}

int cli_home_path(const char *rel, char **path)
{
	struct passwd *pw;

	/* The reference resolves ~ through passwd, so sudo -E and $HOME games
	 * cannot point a tool at another user's files. */
	errno = 0;
	pw = getpwuid(getuid());
	if (!pw || !pw->pw_dir)
		return errno ? -errno : -ENOENT;
	if (asprintf(path, "%s/%s", pw->pw_dir, rel) < 0) {
		*path = NULL;
		return -ENOMEM;
	}
	return 0;
}

int cli_file_secret_args(int argc, char *argv[], char **path,
			 enum cli_secret_source *src, char **arg)
{
	*path = NULL;
	*arg = NULL;
	*src = CLI_SECRET_PROMPT;
	if (argc > 2)
		return -EINVAL;
	if (argc == 0)
		return cli_home_path(CLI_WRAPPED_PASSPHRASE_REL, path);
	/* "-x" as a file name is almost surely a mistyped option. */
	if (argv[0][0] == '-')
		return -EINVAL;
	if (argc == 2) {
		if (strcmp(argv[1], "-") == 0) {
			*src = CLI_SECRET_STDIN;
		} else {
			*src = CLI_SECRET_ARGV;
			*arg = argv[1];
		}
	}
	*path = strdup(argv[0]);
	return *path ? 0 : -ENOMEM;
}

int cli_wrapped_load(const char *path, const char *ref_what, unsigned char *buf, size_t *len)
{
	int rc;

	*len = 0;
	rc = ecryptfs_wrapped_read_file(path, buf, len);
	if (rc >= 0 && *len == 0) {
		cli_ref_error(ref_what, -EINVAL);
		cli_error(0, "%s: empty file", path);
		return -EBADMSG;
	}
	if (rc >= 0)
		rc = ecryptfs_wrapped_version(buf, *len);
	if (rc < 0) {
		cli_ref_error(ref_what, rc);
		cli_error(rc, "%s", path);
	}
	return rc;
}
