/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Program name and the one-line "prog: what failed: why" messages.  The
 * texts for our library's errnos say what the user can act on, which
 * strerror() cannot (EKEYREJECTED reads "Key was rejected by service").
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <syslog.h>

#include "cli.h"

static const char *prog_name = "ecryptfs";
static bool to_syslog;

void cli_init(const char *argv0)
{
	const struct rlimit none = { 0, 0 };
	const char *slash;

	if (argv0 && *argv0) {
		slash = strrchr(argv0, '/');
		prog_name = slash ? slash + 1 : argv0;
	}
	/* A core file would hold whatever secret was in memory at the crash. */
	setrlimit(RLIMIT_CORE, &none);
}

const char *cli_prog(void)
{
	return prog_name;
}

/* The library's reasons (never a secret, libecryptfs.h) at their own level. */
static void log_to_syslog(int level, const char *msg, void *ctx)
{
	(void)ctx;
	syslog(level, "libecryptfs: %s", msg);
}

void cli_log_to_syslog(void)
{
	openlog(prog_name, LOG_PID, LOG_USER);
	to_syslog = true;
	ecryptfs_set_log_callback(log_to_syslog, NULL);
}

const char *cli_strerror(int err)
{
	switch (-err) {
	case EKEYREJECTED:
		return "wrong wrapping passphrase";
	case EBADMSG:
		return "truncated or corrupt file";
	case ENOTSUP:
		return "unsupported file version";
	case E2BIG:
		return "longer than 64 bytes";
	case ENODATA:
		return "no input";
	case EILSEQ:
		return "the passphrase contains a NUL byte";
	case ENOKEY:
		return "key not found in the keyring";
	default:
		return strerror(-err);
	}
}

__attribute__((format(printf, 3, 0)))
static void vmsg(const char *tag, int err, const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "%s: %s%s", prog_name, tag, line);
	if (err)
		fprintf(stderr, ": %s", cli_strerror(err));
	fputc('\n', stderr);
	if (to_syslog)
		syslog(*tag ? LOG_WARNING : LOG_ERR, "%s%s%s", line, err ? ": " : "",
		       err ? cli_strerror(err) : "");
}

void cli_error(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", err, fmt, ap);
	va_end(ap);
}

void cli_syslog(int err, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!to_syslog)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	syslog(LOG_ERR, "%s%s%s", line, err ? ": " : "", err ? cli_strerror(err) : "");
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", 0, fmt, ap);
	va_end(ap);
}

bool cli_is_help(const char *arg)
{
	return arg && (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0);
}

int cli_ref_code(int err)
{
	switch (-err) {
	case EKEYREJECTED:
		return -EIO;
	case EBADMSG:
		return -EINVAL;
	default:
		return err;
	}
}

void cli_ref_error(const char *what, int err)
{
	/* The Info line sends the user to the system log: the reason is there. */
	if (to_syslog)
		syslog(LOG_ERR, "%s: %s", what, cli_strerror(err));
	fprintf(stderr, "Error: %s [%d]\n%s\n", what, cli_ref_code(err), CLI_REF_INFO_LINE);
}
