/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The reference's prompt styles for mount.ecryptfs: y/n questions, numbered
 * menus.  Prompt texts are kept byte for byte because expect scripts match
 * them.  Input is read from fd 0 one byte at a time, so that nothing beyond
 * the current line is swallowed by a stdio buffer: the secret prompts of
 * libecfs-cli read the same fd and the answers may all come down one pipe.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "helper.h"

/*
 * No answer is anywhere near this long (paths are under 4096 bytes); an
 * endless line (/dev/zero on stdin) must not keep us reading forever.  The
 * reference reads such a line until memory runs out and reports -ENOMEM,
 * which we report too, so scripts see the same status.
 */
#define MH_LINE_MAX (64 * 1024)

int mh_read_line(char *buf, size_t len)
{
	size_t n = 0, seen = 0;
	bool any = false;

	fflush(stdout);
	for (;;) {
		char c;
		ssize_t r = read(0, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (!any)
				return -EIO;
			break;
		}
		any = true;
		if (c == '\n')
			break;
		if (++seen > MH_LINE_MAX) {
			cli_error(0, "an answer longer than %d bytes: refused", MH_LINE_MAX);
			return -ENOMEM;
		}
		/* A long line is cut, not overflowed; the rest is consumed. */
		if (n + 1 < len)
			buf[n++] = c;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return 0;
}

int mh_ask_yes_no(const char *prompt, int dflt, int tries)
{
	bool words_only = dflt == MH_ASK_WORDS_ONLY;
	char line[128];

	for (int i = 0; i < tries; i++) {
		int r;

		fputs(prompt, stdout);
		r = mh_read_line(line, sizeof(line));
		if (r < 0)
			return r;
		if (!strcmp(line, "yes") || (!words_only && !strcmp(line, "y")))
			return 1;
		if (!strcmp(line, "no") || (!words_only && !strcmp(line, "n")))
			return 0;
		if (line[0] == '\0' && !words_only)
			return dflt;
	}
	return -EINVAL;
}

int mh_menu(const char *title, const char *const *lines, const char *const *names,
	    size_t n, size_t suggested)
{
	char line[128];

	for (int i = 0; i < MH_MAX_ASK; i++) {
		char *end;
		long k;
		int r;

		printf("%s: \n", title);
		for (size_t j = 0; j < n; j++)
			printf(" %zu) %s\n", j + 1, lines[j]);
		printf("Selection [%s]: ", names[suggested]);
		r = mh_read_line(line, sizeof(line));
		if (r < 0)
			return r;
		if (line[0] == '\0')
			return (int)suggested;
		errno = 0;
		k = strtol(line, &end, 10);
		if (!errno && *end == '\0' && end != line && k >= 1 && (size_t)k <= n)
			return (int)(k - 1);
		for (size_t j = 0; j < n; j++)
			if (!strcmp(line, names[j]))
				return (int)j;
	}
	return -EINVAL;
}
