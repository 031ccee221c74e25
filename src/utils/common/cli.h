/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libecfs-cli: what every ecryptfs-ng program does the same way, so that
 * prompts, stdin handling, limits and error lines match across programs and
 * match ecryptfs-utils 111 where it prints something.
 *
 * Link with src/utils/common/libecfs-cli.la (noinst) and libecryptfs.
 *
 * Conventions: functions return 0 or a negative errno and never exit.
 * Messages go to stderr as "prog: what failed: why" (cli_error); programs
 * that must also print the reference's exact lines print those themselves.
 */
#ifndef ECFS_SRC_UTILS_COMMON_CLI_H
#define ECFS_SRC_UTILS_COMMON_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "libecryptfs.h"

/*
 * The reference's limit on every passphrase and wrapping passphrase, part of
 * the file formats (doc/compatibility.md §2.1, doc/wrapped-passphrase.5).
 * It is also where reading stops: the byte after it refuses the line, so an
 * endless input (/dev/zero, yes) ends at once.
 */
#define CLI_SECRET_MAX 64
/* The reference reads secrets with fgets() into a buffer of 64 + 2 bytes. */
#define CLI_SECRET_BUF (CLI_SECRET_MAX + 2)

/* ------------------------------------------------------------------------ */
/* Program name and messages (msg.c)                                         */
/* ------------------------------------------------------------------------ */

/*
 * Remember the program name (basename of argv0) for messages; call first.
 * Also sets a zero core-dump limit so secrets never land in a core file.
 */
void cli_init(const char *argv0);
const char *cli_prog(void);

/*
 * "prog: <fmt>: <why>\n" on stderr.  err is a negative errno (or 0 for no
 * ": why" part); the reason text is cli_strerror(err).
 */
void cli_error(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "prog: warning: <fmt>\n" on stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * For the programs whose reference lines tell the user to check the system
 * log (CLI_REF_INFO_LINE, mount.ecryptfs's "Check your system logs"): from
 * now on every cli_error/cli_warn line and cli_ref_error's reason also go to
 * syslog (LOG_USER, tagged with the program name and pid), and so do the
 * library's diagnostics (ecryptfs_set_log_callback), so that the reason the
 * line promises is there.  Never a secret: none of these carry one.
 */
void cli_log_to_syslog(void);
/* "<fmt>: <why>" to syslog only (LOG_ERR), after cli_log_to_syslog(). */
void cli_syslog(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Text for a negative errno as our libraries use it, e.g. -EKEYREJECTED is
 * "wrong wrapping passphrase", -EBADMSG "truncated or corrupt file",
 * -E2BIG "longer than 64 bytes", -ENODATA "no input", -EILSEQ "the
 * passphrase contains a NUL byte"; anything else is
 * strerror(-err).
 */
const char *cli_strerror(int err);

/* True for "-h" and "--help". */
bool cli_is_help(const char *arg);

/* ------------------------------------------------------------------------ */
/* Secrets (secret.c)                                                        */
/* ------------------------------------------------------------------------ */

/*
 * A passphrase in ecryptfs_secure_alloc() memory: CLI_SECRET_BUF bytes,
 * always NUL-terminated, len without the NUL.  Zero-initialise, then fill
 * with one of the cli_secret_read_* functions; cli_secret_free() wipes.
 */
struct cli_secret {
	char *buf;
	size_t len;
};

void cli_secret_free(struct cli_secret *s);

/*
 * "stdin mode" as the reference's `-` argument: one line from fd 0, no
 * prompt, the trailing '\n' stripped.  A NUL may end the secret as the last
 * byte of the line (scripts send printf "%s\0"); anywhere else it refuses
 * the secret, which the reference would silently cut there.  Reads byte by
 * byte so nothing after the line stays in a stdio buffer (the next secret
 * may follow on stdin), and never more than CLI_SECRET_MAX + 2 bytes of a
 * line, so an endless input (/dev/zero, yes) ends promptly.
 *   -ENODATA  end of input before any byte (empty stdin)
 *   -E2BIG    more than CLI_SECRET_MAX bytes (reading stops there)
 *   -EILSEQ   a NUL followed by anything but the end of the line
 *   -ENOMEM, or the read(2) errno
 * An empty line is success with len 0; callers that need a secret check it.
 */
int cli_secret_read_stdin(struct cli_secret *s);

/*
 * The reference's prompt style: echo off on fd 0 if it is a terminal (before
 * the prompt shows, so an answer typed early is not echoed), "<prompt>: " on
 * stdout, one line read from fd 0 as cli_secret_read_stdin(), then echo
 * restored (also on SIGINT/SIGTERM/SIGHUP/SIGQUIT) and "\n" on stdout.
 * Works with a pipe on stdin too, as the reference does.  Errors as above.
 */
int cli_secret_read_prompt(const char *prompt, struct cli_secret *s);

/*
 * A secret given on the command line (the reference's hidden argv modes):
 * warns on stderr that `what` is visible to other users (ps), copies it into
 * secure memory and overwrites the argv string so it leaves
 * /proc/PID/cmdline as early as possible.  -E2BIG over 64 bytes.
 */
int cli_secret_from_argv(const char *what, char *arg, struct cli_secret *s);

/* Where a secret comes from: the three argument forms of the reference. */
enum cli_secret_source {
	CLI_SECRET_PROMPT,	/* cli_secret_read_prompt(prompt) */
	CLI_SECRET_STDIN,	/* the `-` argument: cli_secret_read_stdin() */
	CLI_SECRET_ARGV,	/* hidden argv mode: cli_secret_from_argv(arg) */
};

/*
 * Get one non-empty secret and, unlike the functions above, report failures
 * itself: over 64 bytes prints the reference's line "Passphrase is too long.
 * Use at most 64 characters long passphrase." and "prog: <what>: longer than
 * 64 bytes"; a NUL inside "prog: <what>: the passphrase contains a NUL
 * byte"; no input "prog: <what>: no input (empty stdin?)"; an empty line
 * "prog: <what>: empty".  Returns 0 or the negative errno (-EINVAL: empty).
 */
int cli_secret_get(enum cli_secret_source src, const char *what, const char *prompt,
		   char *arg, struct cli_secret *s);

/* ------------------------------------------------------------------------ */
/* The reference's error lines (msg.c)                                       */
/* ------------------------------------------------------------------------ */

#define CLI_REF_INFO_LINE "Info: Check the system log for more information from libecryptfs"

/*
 * The number the reference prints in "Error: ... [rc]" for one of our
 * errnos: it says -5 (EIO) for a wrong wrapping passphrase and -22 (EINVAL)
 * for a malformed file, where we have EKEYREJECTED and EBADMSG.
 */
int cli_ref_code(int err);

/* "Error: <what> [<cli_ref_code(err)>]" and the Info line, on stderr. */
void cli_ref_error(const char *what, int err);

/* ------------------------------------------------------------------------ */
/* Process set-up and paths (misc.c)                                         */
/* ------------------------------------------------------------------------ */

/*
 * Best-effort mlockall so secrets in ordinary memory never reach swap.
 * As root (or with an unlimited RLIMIT_MEMLOCK): current and future pages;
 * otherwise current pages only, so later allocations cannot fail on the
 * memlock limit.  Skipped under AddressSanitizer (its shadow map is huge).
 * Returns 0 or a negative errno; programs normally ignore it.
 */
int cli_lock_memory(void);

/*
 * path = "<passwd home of the real uid>/<rel>", malloc'ed (free() it).
 * Uses getpwuid(getuid()), never $HOME, as the reference does.
 * -ENOENT when the uid has no passwd entry.
 */
int cli_home_path(const char *rel, char **path);
#define CLI_WRAPPED_PASSPHRASE_REL ".ecryptfs/wrapped-passphrase"

/* ------------------------------------------------------------------------ */
/* Arguments (args.c)                                                        */
/* ------------------------------------------------------------------------ */

/*
 * The start-up helpers below handle --help and bad arguments themselves:
 * they return CLI_CONTINUE when main() should go on, otherwise the exit
 * status main() returns (0 after usage was asked for, 1 after an error).
 */
#define CLI_CONTINUE (-1)

/*
 * The argument forms of ecryptfs-unwrap-passphrase and
 * ecryptfs-insert-wrapped-passphrase-into-keyring, argv after the program
 * name: [] (default file, prompt), [FILE] (prompt), [FILE -] (stdin) or
 * [FILE SECRET] (argv).  *path is malloc'ed (the default file is
 * CLI_WRAPPED_PASSPHRASE_REL under the passwd home); *arg is the argv
 * secret or NULL.  -EINVAL for any other form or an unknown "-x" option.
 */
int cli_file_secret_args(int argc, char *argv[], char **path,
			 enum cli_secret_source *src, char **arg);

/*
 * The arguments of ecryptfs-wrap-passphrase and ecryptfs-rewrap-passphrase:
 * [--vN] FILE [- | SECRET1 SECRET2], N one of the digits in `versions`.
 * None at all or --help prints usage(stdout); other forms print "wrong
 * arguments" or "unknown option" and usage(stderr).  A FILE starting with
 * '-' is refused, except "-" itself when dash_is_file (wrap's quirk).
 */
struct cli_two_secrets {
	int version;			/* N of --vN, or 0 */
	const char *path;		/* FILE, in argv */
	enum cli_secret_source src;
	char *secret[2];		/* the argv secrets (CLI_SECRET_ARGV), or NULL */
};
int cli_two_secret_args(int argc, char *argv[], const char *versions, bool dash_is_file,
			void (*usage)(FILE *), struct cli_two_secrets *a);

/* ------------------------------------------------------------------------ */
/* Wrapped-passphrase files (wrapped.c)                                      */
/* ------------------------------------------------------------------------ */

/*
 * Read a wrapped-passphrase file (buf: ECRYPTFS_WRAPPED_MAX_BYTES) and check
 * its version before any prompt, so a missing, empty or malformed file is
 * reported without asking for a passphrase it could not open.  Anything but
 * a regular file (a FIFO would block) is refused before it is opened.  On
 * failure prints "Error: <ref_what> [rc]", the Info line and
 * "prog: FILE: why".  Returns the version (1, 2, 3) or a negative errno.
 */
int cli_wrapped_load(const char *path, const char *ref_what, unsigned char *buf, size_t *len);

/*
 * The first steps of ecryptfs-unwrap-passphrase and
 * ecryptfs-insert-wrapped-passphrase-into-keyring: --help, the arguments of
 * cli_file_secret_args, the file loaded by cli_wrapped_load, then the
 * wrapping passphrase ("Passphrase: " at the prompt).  Returns CLI_CONTINUE
 * with *job filled (release it with cli_wrapped_job_end), or the exit
 * status after it reported the failure and released *job itself.
 */
struct cli_wrapped_job {
	char *path;				/* malloc'ed */
	uint8_t buf[ECRYPTFS_WRAPPED_MAX_BYTES];	/* the file's bytes */
	size_t len;
	struct cli_secret wrapping;
};
int cli_wrapped_job_start(int argc, char *argv[], void (*usage)(FILE *), const char *ref_what,
			  struct cli_wrapped_job *job);
void cli_wrapped_job_end(struct cli_wrapped_job *job);

/*
 * Unwrap the loaded file buf/len of path into *pass, secure memory of
 * ECRYPTFS_MAX_PASSPHRASE_BYTES + 2 bytes (room for a '\n' and the NUL;
 * free it with ecryptfs_secure_free).  On failure prints "Error:
 * Unwrapping passphrase failed [rc]", the Info line and "prog: FILE: why",
 * and *pass is NULL.  Returns 0 or a negative errno.
 */
int cli_unwrap_report(const char *path, const uint8_t *buf, size_t len,
		      const struct cli_secret *wrapping, char **pass, size_t *pass_len);

#endif /* ECFS_SRC_UTILS_COMMON_CLI_H */
