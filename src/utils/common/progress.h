/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A progress line for long copies (ecryptfs-decrypt, ecryptfs-encrypt, and
 * through them ecryptfs-recover-private --copy-to): entries done of the
 * total, bytes, rate and time left, redrawn in place on standard error at
 * most CLI_PROGRESS_HZ times a second.  Only on a terminal: when standard
 * error is not one, cli_progress_init leaves it off and every call does
 * nothing, so that logs and pipes get no carriage returns.
 */
#ifndef ECFS_SRC_UTILS_COMMON_PROGRESS_H
#define ECFS_SRC_UTILS_COMMON_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define CLI_PROGRESS_HZ 4

struct cli_progress {
	bool on;		/* standard error is a terminal (and asked for) */
	bool shown;		/* a line is on the screen, not ended */
	uint64_t total_entries, total_bytes;
	uint64_t entries, bytes;
	struct timespec start, last;
};

/*
 * Set p up; on when want and standard error is a terminal.  The totals may
 * be 0 (unknown): then no time left is shown.
 */
void cli_progress_init(struct cli_progress *p, bool want, uint64_t total_entries,
		       uint64_t total_bytes);
/* Count entries and bytes done; redraw when the last draw is old enough. */
void cli_progress_add(struct cli_progress *p, uint64_t entries, uint64_t bytes);
/* Bytes done set outright (a file finished: its whole size counted). */
void cli_progress_set_bytes(struct cli_progress *p, uint64_t bytes);
/* Erase the line before another message goes to the terminal; the next
 * draw puts it back. */
void cli_progress_clear(struct cli_progress *p);
/* The final line (100% when the totals were right), ended by a newline. */
void cli_progress_done(struct cli_progress *p);

#endif /* ECFS_SRC_UTILS_COMMON_PROGRESS_H */
