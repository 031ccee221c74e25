/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Daemon logging: stderr in the foreground, syslog once daemonised (stderr
 * is /dev/null then).  Damaged files are reported once each and the total is
 * rate-limited, so a corrupt tree cannot flood the log.  Keys never get here.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "efs.h"

static bool log_stderr = true;
static bool log_debug;

void efs_log_init(bool to_stderr, bool debug)
{
	log_stderr = to_stderr;
	log_debug = debug;
	if (!to_stderr)
		openlog(EFS_PROG, LOG_PID, LOG_DAEMON);
}

static void vlog(int prio, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void vlog(int prio, const char *fmt, va_list ap)
{
	if (log_stderr) {
		fprintf(stderr, EFS_PROG ": ");
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else {
		vsyslog(prio, fmt, ap);
	}
}

void efs_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(prio, fmt, ap);
	va_end(ap);
}

void efs_dbg(const char *fmt, ...)
{
	va_list ap;

	if (!log_debug)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void efs_log_corrupt(struct efs_inode *in, const char *what, int err)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static time_t window;
	static unsigned in_window;
	bool say = false;
	time_t now = time(NULL);

	pthread_mutex_lock(&lock);
	if (!in->corrupt_logged) {
		in->corrupt_logged = true;
		if (now - window >= 60) {
			window = now;
			in_window = 0;
		}
		say = in_window++ < 10;
	}
	pthread_mutex_unlock(&lock);
	if (say)
		efs_log(LOG_ERR, "lower inode %llu: %s: %s",
			(unsigned long long)in->ino, what, strerror(-err));
}
