/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs-watch SERVICE HELPER: pam_ecryptfs.so's session watcher
 * (doc/pam_ecryptfs.8, "Locking").  Started by open_session, already the
 * user, with descriptor 3 one end of a socket pair whose other end stays in
 * the login program.  close_session sends one byte: nothing to do.  End of
 * file without it: every process holding the login's PAM handle is gone
 * without a close (killed with SIGKILL, or pam_end without close_session),
 * so this does the close in its place: HELPER -d (umount.ecryptfs_private,
 * which counts the session out and locks at the last) when
 * ~/.ecryptfs/auto-umount asks for it, and one syslog line.
 *
 * A program of its own rather than a fork of the login program: a fork
 * would keep a copy of the application's memory, login password
 * included, for as long as the session lasts.  It has no privilege: run
 * by anyone, it can only do what they could do by hand.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#define WATCH_FD 3

/* ~/.ecryptfs/NAME of the user: a regular file (reg) or anything. */
static int dot_exists(const char *home, const char *name, int reg)
{
	char path[PATH_MAX];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/.ecryptfs/%s", home, name) >= (int)sizeof(path))
		return 0;
	return stat(path, &st) == 0 && (!reg || S_ISREG(st.st_mode));
}

/* HELPER -d; 0, or -1 with its first line of output (or why) in out. */
static int run_close(const char *helper, char *out, size_t size)
{
	static char *const env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	int p[2], st, null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ssize_t n;
	pid_t pid;

	out[0] = '\0';
	if (null < 0 || pipe(p) < 0) {
		snprintf(out, size, "%s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		if (dup2(null, 0) < 0 || dup2(p[1], 1) < 0 || dup2(p[1], 2) < 0)
			_exit(126);
		execle(helper, "umount.ecryptfs_private", "-d", (char *)NULL, env);
		dprintf(2, "cannot run %s: %s\n", helper, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	close(null);
	if (pid < 0) {
		snprintf(out, size, "fork: %s", strerror(errno));
		close(p[0]);
		return -1;
	}
	n = read(p[0], out, size - 1);
	out[n > 0 ? n : 0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			snprintf(out, size, "waitpid: %s", strerror(errno));
			return -1;
		}
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (!out[0])
		snprintf(out, size, "%s %d", WIFEXITED(st) ? "exit" : "signal",
			 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	return -1;
}

int main(int argc, char *argv[])
{
	struct passwd *pw;
	char c, out[256];
	ssize_t n;

	if (argc != 3 || fcntl(WATCH_FD, F_GETFD) < 0) {
		fprintf(stderr, "usage: ecryptfs-watch SERVICE HELPER (started by pam_ecryptfs.so, "
			"with descriptor %d its session's socket)\n", WATCH_FD);
		return 2;
	}
	fcntl(WATCH_FD, F_SETFD, FD_CLOEXEC);
	while ((n = read(WATCH_FD, &c, 1)) < 0 && errno == EINTR)
		;
	if (n != 0)
		return 0;	/* closed by close_session (or an error: nothing to tell) */
	close(WATCH_FD);
	pw = getpwuid(getuid());
	if (!pw || !pw->pw_dir)
		return 1;
	/* What close_session would do: nothing unless auto-umount is set. */
	if (!dot_exists(pw->pw_dir, "Private.sig", 1) || !dot_exists(pw->pw_dir, "auto-umount", 0))
		return 0;
	openlog("ecryptfs-watch", LOG_PID, LOG_AUTHPRIV);
	if (run_close(argv[2], out, sizeof(out)) == 0) {
		syslog(LOG_NOTICE, "pam_ecryptfs(%s:session): user %s: the login program ended "
		       "without closing the session; closed for it", argv[1], pw->pw_name);
		return 0;
	}
	syslog(LOG_ERR, "pam_ecryptfs(%s:session): user %s: the login program ended without "
	       "closing the session; closing it failed: %s", argv[1], pw->pw_name, out);
	return 1;
}
