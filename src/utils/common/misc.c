/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Process set-up shared by the programs: memory locking, passwd-home paths. */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"

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
