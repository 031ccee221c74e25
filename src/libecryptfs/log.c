/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The library's one way to say why: a line for a callback the program sets.
 * The library never writes to a stream or to syslog itself; without a
 * callback (the default) a message is not even formatted.
 *
 * One recursive lock guards the callback and is held while it runs, so that
 * (a) calls of the callback never overlap, and it needs no locking of its
 * own; (b) once ecryptfs_set_log_callback returns, the old callback is not
 * running on any thread and its ctx may be freed; (c) a callback may call
 * the library, which may log again on the same thread, or even replace
 * itself.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "libecryptfs.h"
#include "internal.h"

_Static_assert(ECRYPTFS_LOG_ERR == LOG_ERR && ECRYPTFS_LOG_WARNING == LOG_WARNING &&
	       ECRYPTFS_LOG_INFO == LOG_INFO && ECRYPTFS_LOG_DEBUG == LOG_DEBUG,
	       "the log levels are syslog's");

/* Longer messages are cut; none of ours comes near. */
#define LOG_LINE_MAX 512

static pthread_once_t lock_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lock;
static ecryptfs_log_fn log_cb;
static void *log_ctx;

static void lock_init(void)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&lock, &a);
	pthread_mutexattr_destroy(&a);
}

ECRYPTFS_EXPORT void ecryptfs_set_log_callback(ecryptfs_log_fn cb, void *ctx)
{
	pthread_once(&lock_once, lock_init);
	pthread_mutex_lock(&lock);
	log_cb = cb;
	log_ctx = cb ? ctx : NULL;
	pthread_mutex_unlock(&lock);
}

void ecryptfs_log(int level, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	int saved = errno;	/* callers may still read errno after logging */
	va_list ap;

	pthread_once(&lock_once, lock_init);
	pthread_mutex_lock(&lock);
	if (log_cb) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		log_cb(level, msg, log_ctx);
	}
	pthread_mutex_unlock(&lock);
	errno = saved;
}
