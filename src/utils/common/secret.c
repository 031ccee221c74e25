/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading secrets the way ecryptfs-utils 111 does (prompt on stdout, line
 * from fd 0, at most 64 bytes), but into secure memory and byte by byte, so
 * no copy of a secret is left behind in a stdio buffer.  Unlike the
 * reference, a secret is never shortened silently: a NUL inside it refuses
 * it, and reading stops at the first byte past the limit, so no input, not
 * even an endless one, keeps a program reading.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "libecryptfs.h"

void cli_secret_free(struct cli_secret *s)
{
	if (!s)
		return;
	/* ecryptfs_secure_free wipes, but the length of a secret is a hint too. */
	ecryptfs_secure_free(s->buf);
	s->buf = NULL;
	s->len = 0;
}

static int secret_alloc(struct cli_secret *s)
{
	if (!s->buf) {
		s->buf = ecryptfs_secure_alloc(CLI_SECRET_BUF);
		if (!s->buf)
			return -ENOMEM;
	}
	memset(s->buf, 0, CLI_SECRET_BUF);
	s->len = 0;
	return 0;
}

int cli_secret_read_stdin(struct cli_secret *s)
{
	bool any = false, nul = false;
	size_t n = 0;
	ssize_t r;
	char c;
	int rc;

	rc = secret_alloc(s);
	if (rc < 0)
		return rc;
	for (;;) {
		r = read(STDIN_FILENO, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			goto fail;
		}
		if (r == 0 || c == '\n')
			break;
		any = true;
		/*
		 * The reference (fgets + strlen) silently keeps what comes before
		 * a NUL: "ab\0cd" would be the key of "ab".  A NUL is only taken
		 * where `printf "%s\0"` puts it, as the last byte of the line; a
		 * byte after it refuses the secret, so an endless stream of NULs
		 * (/dev/zero) ends at its second byte.
		 */
		if (nul) {
			rc = -EILSEQ;
			goto fail;
		}
		if (c == '\0') {
			nul = true;
			continue;
		}
		if (n == CLI_SECRET_MAX) {
			/* Stop here: the program refuses and exits, and an
			 * endless line must not keep us reading. */
			rc = -E2BIG;
			goto fail;
		}
		s->buf[n++] = c;
	}
	if (r == 0 && !any) {
		rc = -ENODATA;
		goto fail;
	}
	s->buf[n] = '\0';
	s->len = n;
	c = 0;
	return 0;
fail:
	c = 0;
	explicit_bzero(s->buf, CLI_SECRET_BUF);
	s->len = 0;
	return rc;
}

/* Echo state to put back if a signal ends us while the user types. */
static struct termios saved_tio;
static volatile sig_atomic_t echo_off;

static void restore_echo_and_reraise(int sig)
{
	if (echo_off)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	signal(sig, SIG_DFL);
	raise(sig);
}

static const int echo_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define N_ECHO_SIGNALS (sizeof(echo_signals) / sizeof(echo_signals[0]))

int cli_secret_read_prompt(const char *prompt, struct cli_secret *s)
{
	struct sigaction sa, old[N_ECHO_SIGNALS];
	struct termios tio;
	size_t i;
	int rc;

	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_tio) == 0) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = restore_echo_and_reraise;
		sigemptyset(&sa.sa_mask);
		for (i = 0; i < N_ECHO_SIGNALS; i++)
			sigaction(echo_signals[i], &sa, &old[i]);
		tio = saved_tio;
		tio.c_lflag &= ~(tcflag_t)ECHO;
		if (tcsetattr(STDIN_FILENO, TCSANOW, &tio) == 0)
			echo_off = 1;
		/* Echo goes off before the prompt shows, so fast typists and
		 * expect scripts answering the prompt are never echoed. */
		printf("%s: ", prompt);
		fflush(stdout);
		rc = cli_secret_read_stdin(s);
		if (echo_off) {
			tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
			echo_off = 0;
		}
		for (i = 0; i < N_ECHO_SIGNALS; i++)
			sigaction(echo_signals[i], &old[i], NULL);
	} else {
		/* A pipe on stdin works with the prompt too, as in the reference. */
		printf("%s: ", prompt);
		fflush(stdout);
		rc = cli_secret_read_stdin(s);
	}
	/* The typed newline was not echoed. */
	printf("\n");
	fflush(stdout);
	return rc;
}

int cli_secret_from_argv(const char *what, char *arg, struct cli_secret *s)
{
	size_t n = strlen(arg);
	int rc;

	cli_warn("the %s on the command line is visible to other users (ps); "
		 "use '-' and send it on stdin instead", what);
	rc = secret_alloc(s);
	if (rc < 0)
		return rc;
	if (n > CLI_SECRET_MAX) {
		rc = -E2BIG;
	} else {
		memcpy(s->buf, arg, n);
		s->buf[n] = '\0';
		s->len = n;
	}
	/* Shortens the window in which /proc/PID/cmdline shows it. */
	explicit_bzero(arg, n);
	return rc;
}

int cli_secret_get(enum cli_secret_source src, const char *what, const char *prompt,
		   char *arg, struct cli_secret *s)
{
	int rc;

	switch (src) {
	case CLI_SECRET_PROMPT:
		rc = cli_secret_read_prompt(prompt, s);
		break;
	case CLI_SECRET_STDIN:
		rc = cli_secret_read_stdin(s);
		break;
	default:
		rc = cli_secret_from_argv(what, arg, s);
		break;
	}
	if (rc == -E2BIG) {
		fprintf(stderr, "Passphrase is too long. Use at most 64 characters long passphrase.\n");
		cli_error(rc, "%s", what);
	} else if (rc == -EILSEQ) {
		cli_error(rc, "%s", what);
	} else if (rc == -ENODATA) {
		cli_error(0, "%s: no input (empty stdin?)", what);
	} else if (rc < 0) {
		cli_error(rc, "reading the %s", what);
	} else if (s->len == 0) {
		cli_error(0, "%s: empty", what);
		rc = -EINVAL;
	}
	if (rc < 0)
		cli_secret_free(s);
	return rc;
}
