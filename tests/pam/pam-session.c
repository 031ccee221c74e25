/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pam-session [-c CONFDIR] [-u] [-n] [-t] [-r FILE] SERVICE USER: a login program that
 * lives as long as the tests want.  Authenticates USER (the password from
 * $PAM_TEST_PASSWORD answers every prompt), opens a session, says
 * "opened", waits for end of input on stdin (a FIFO), closes the session
 * and says "closed".  -c reads the services from CONFDIR instead of
 * /etc/pam.d (so a test may call one "systemd-user"); -u becomes USER
 * between open and close, as systemd's (sd-pam) does; -n skips
 * authentication (a key login).  Messages of the modules go to stdout
 * as "info: ..." lines.  For bench/pam/login.sh: -t prints "t-start",
 * "t-opened", "t-close" and "t-closed" lines with CLOCK_MONOTONIC
 * nanoseconds (before authentication, after open_session, before and
 * after close_session); -r FILE, after open_session, reads FILE as USER
 * in a child and prints "t-readable NS" once it could (or "unreadable").
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	const char *pw = data;

	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
		case PAM_PROMPT_ECHO_ON:
			r[i].resp = strdup(pw ? pw : "");
			break;
		default:
			printf("info: %s\n", msg[i]->msg);
			fflush(stdout);
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

static int become(const char *user)
{
	struct passwd *pw = getpwnam(user);

	if (!pw || initgroups(user, pw->pw_gid) < 0 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0)
		return -1;
	return 0;
}

static int stamps;

static void stamp(const char *what)
{
	struct timespec ts;

	if (!stamps)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	printf("%s %lld\n", what, (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	fflush(stdout);
}

/* Read FILE as USER in a child: 0 when it could. */
static int readable(const char *user, const char *file)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		char buf[4096];
		FILE *f;

		if (become(user) < 0)
			_exit(1);
		f = fopen(file, "r");
		if (!f || fread(buf, 1, sizeof(buf), f) == 0 || ferror(f))
			_exit(1);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int main(int argc, char *argv[])
{
	const char *probe = NULL;
	const char *confdir = NULL;
	char *env_pw = getenv("PAM_TEST_PASSWORD");
	/* The one copy: the tests look for the password in the memory of
	 * what the modules leave behind. */
	struct pam_conv c = { conv, env_pw ? strdup(env_pw) : NULL };
	pam_handle_t *pamh = NULL;
	int opt, r, as_user = 0, noauth = 0;
	char buf[256];

	if (env_pw)
		explicit_bzero(env_pw, strlen(env_pw));
	while ((opt = getopt(argc, argv, "c:unr:t")) != -1) {
		switch (opt) {
		case 'c':
			confdir = optarg;
			break;
		case 'u':
			as_user = 1;
			break;
		case 'n':
			noauth = 1;
			break;
		case 'r':
			probe = optarg;
			break;
		case 't':
			stamps = 1;
			break;
		default:
			return 2;
		}
	}
	if (optind + 2 != argc) {
		fprintf(stderr, "usage: pam-session [-c CONFDIR] [-u] [-n] [-t] [-r FILE] SERVICE USER\n");
		return 2;
	}
	stamp("t-start");
	r = pam_start_confdir(argv[optind], argv[optind + 1], &c, confdir, &pamh);
	if (r != PAM_SUCCESS) {
		fprintf(stderr, "pam_start: %d\n", r);
		return 1;
	}
	if (!noauth) {
		r = pam_authenticate(pamh, 0);
		printf("authenticate: %s\n", pam_strerror(pamh, r));
		if (r != PAM_SUCCESS)
			return 1;
	}
	r = pam_open_session(pamh, 0);
	stamp("t-opened");
	if (r == PAM_SUCCESS && probe) {
		if (readable(argv[optind + 1], probe) == 0)
			stamp("t-readable");
		else
			printf("unreadable\n");
	}
	printf("open_session: %s\nopened\n", pam_strerror(pamh, r));
	fflush(stdout);
	if (r != PAM_SUCCESS)
		return 1;
	while (fgets(buf, sizeof(buf), stdin))
		;
	if (as_user && become(argv[optind + 1]) < 0) {
		perror("become the user");
		return 1;
	}
	stamp("t-close");
	r = pam_close_session(pamh, 0);
	stamp("t-closed");
	printf("close_session: %s\n", pam_strerror(pamh, r));
	pam_end(pamh, r);
	printf("closed\n");
	return r == PAM_SUCCESS ? 0 : 1;
}
