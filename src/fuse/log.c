/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Daemon logging: stderr in the foreground, syslog once daemonised (stderr
 * is /dev/null then).  Damaged files and names that listings hide are
 * reported once each and the totals are rate-limited, so a corrupt or
 * hostile tree cannot flood the log.  Keys never get here.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
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

/* Why a lower name does not decode, for the log. */
static void hidden_reason(const char *lname, int err, char *buf, size_t size)
{
	struct ecryptfs_cipher_info ci;
	uint8_t sig[ECRYPTFS_SIG_SIZE], code;
	char hex[ECRYPTFS_SIG_HEX_SIZE + 1];
	bool framed = ecryptfs_fname_sig(lname, strlen(lname), sig, &code) == 0;

	if (err == -ENOKEY && framed) {
		ecryptfs_sig_to_hex(sig, hex);
		snprintf(buf, size, "encrypted with another filename key (sig %s)", hex);
	} else if (err == -ENOTSUP && framed && ecryptfs_cipher_info(code, &ci) == 0) {
		snprintf(buf, size, "filename cipher %s is not supported", ci.name);
	} else if (err == -EINVAL) {
		snprintf(buf, size, "not an encrypted name (malformed, or another spelling of one)");
	} else {
		snprintf(buf, size, "%s", strerror(-err));
	}
}

/* FNV-1a of the directory and the name: what "already said" remembers. */
static uint64_t hidden_hash(const struct efs_inode *dir, const char *lname)
{
	uint64_t h = 0xcbf29ce484222325ull;
	uint64_t id[2] = { (uint64_t)dir->dev, (uint64_t)dir->ino };
	const unsigned char *p = (const unsigned char *)id;

	for (size_t i = 0; i < sizeof(id); i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	for (p = (const unsigned char *)lname; *p; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	return h;
}

void efs_log_hidden(struct efs_inode *dir, const char *lname, int err)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static uint64_t said[256];	/* a ring of the names logged last */
	static size_t next;
	static time_t window;
	static unsigned in_window;
	uint64_t h = hidden_hash(dir, lname);
	char shown[NAME_MAX + 1], why[128];
	time_t now = time(NULL);
	bool say = true;
	size_t i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < sizeof(said) / sizeof(said[0]); i++)
		if (said[i] == h) {
			say = false;
			break;
		}
	if (say) {
		if (now - window >= 60) {
			window = now;
			in_window = 0;
		}
		say = in_window < 20;
	}
	if (say) {
		in_window++;
		said[next] = h;
		next = (next + 1) % (sizeof(said) / sizeof(said[0]));
	}
	pthread_mutex_unlock(&lock);
	if (!say)
		return;
	/* The name is anyone's bytes: nothing but printable ASCII into the log. */
	for (i = 0; lname[i] && i < sizeof(shown) - 1; i++)
		shown[i] = lname[i] > ' ' && lname[i] < 0x7f ? lname[i] : '?';
	shown[i] = 0;
	hidden_reason(lname, err, why, sizeof(why));
	efs_log(LOG_WARNING, "lower directory inode %llu: entry %s left out of listings: %s",
		(unsigned long long)dir->ino, shown, why);
}
