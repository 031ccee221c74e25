/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How ecryptfs_init sets libgcrypt up (src/libecryptfs/secmem.c): when it
 * is the first to, RDRAND is off (libgcrypt's fast random poll in every
 * handle open would read it); when the application set libgcrypt up
 * first, its choices stand.  libgcrypt's set-up is per process: each case
 * runs in a child of its own and reports libgcrypt's feature list.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gcrypt.h>

#include "libecryptfs.h"
#include "tap.h"

/* The "hwflist:" line of libgcrypt's configuration, into buf. */
static void hwflist(char *buf, size_t size)
{
	char line[1024];
	FILE *f = tmpfile();

	buf[0] = 0;
	if (!f)
		return;
	gcry_control(GCRYCTL_PRINT_CONFIG, f);
	rewind(f);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "hwflist:", 8) == 0)
			snprintf(buf, size, "%s", line);
	fclose(f);
}

/* In a child: the app's set-up first (app_first) or none, then ecryptfs_init. */
static bool child_has_rdrand(bool app_first, int *init_rc, bool *finished)
{
	struct { char list[1024]; int rc; int finished; } r = { .rc = -1 };
	int fds[2];
	pid_t pid;

	if (pipe(fds) < 0)
		return false;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		if (app_first)
			gcry_check_version(NULL);
		r.rc = ecryptfs_init();
		r.finished = gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P) != 0;
		hwflist(r.list, sizeof(r.list));
		if (write(fds[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], &r, sizeof(r)) != (ssize_t)sizeof(r))
		r.list[0] = 0;
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	*init_rc = r.rc;
	*finished = r.finished;
	return strstr(r.list, ":intel-rdrand:") != NULL;
}

static bool cpu_has_rdrand(void)
{
	char line[4096];
	bool has = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && !has && fgets(line, sizeof(line), f))
		has = strncmp(line, "flags", 5) == 0 && strstr(line, " rdrand");
	if (f)
		fclose(f);
	return has;
}

int main(void)
{
	bool finished;
	int rc;

	ok(!child_has_rdrand(false, &rc, &finished),
	   "ecryptfs_init setting libgcrypt up turns RDRAND off");
	is_int(rc, 0, "  and succeeds");
	ok(finished, "  and finishes libgcrypt's initialization");
	if (cpu_has_rdrand()) {
		ok(child_has_rdrand(true, &rc, &finished),
		   "an application that set libgcrypt up first keeps RDRAND");
		is_int(rc, 0, "  and ecryptfs_init succeeds");
	} else {
		printf("# this CPU has no RDRAND: libgcrypt lists it nowhere\n");
	}
	return tap_done();
}
