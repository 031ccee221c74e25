/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The progress line of long copies (progress.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"

static double since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* n bytes for people, in binary units: "512 B", "3.4 MiB". */
static void human(char *out, size_t size, double n)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned u = 0;

	while (n >= 1024 && u < sizeof(unit) / sizeof(unit[0]) - 1) {
		n /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, size, "%.0f %s", n, unit[u]);
	else
		snprintf(out, size, "%.1f %s", n, unit[u]);
}

void cli_progress_init(struct cli_progress *p, bool want, uint64_t total_entries,
		       uint64_t total_bytes)
{
	memset(p, 0, sizeof(*p));
	p->on = want && isatty(STDERR_FILENO);
	p->total_entries = total_entries;
	p->total_bytes = total_bytes;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->last = p->start;
}

static void draw(struct cli_progress *p, const struct timespec *now, bool final)
{
	double el = since(&p->start, now);
	double rate = el > 0 ? (double)p->bytes / el : 0;
	char done[24], total[24], speed[24], left[32] = "--:--";

	human(done, sizeof(done), (double)p->bytes);
	human(total, sizeof(total), (double)p->total_bytes);
	human(speed, sizeof(speed), rate);
	if (final) {
		snprintf(left, sizeof(left), "0:00");
	} else if (rate > 0 && p->total_bytes >= p->bytes) {
		uint64_t s = (uint64_t)((double)(p->total_bytes - p->bytes) / rate);

		snprintf(left, sizeof(left), "%" PRIu64 ":%02" PRIu64, s / 60, s % 60);
	}
	/* \033[K: the rest of the old, maybe longer, line goes. */
	fprintf(stderr, "\r%" PRIu64 "/%" PRIu64 " files, %s/%s, %s/s, %s left\033[K", p->entries,
		p->total_entries, done, total, speed, left);
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
	p->shown = !final;
	p->last = *now;
}

static void maybe_draw(struct cli_progress *p)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (since(&p->last, &now) >= 1.0 / CLI_PROGRESS_HZ)
		draw(p, &now, false);
}

void cli_progress_add(struct cli_progress *p, uint64_t entries, uint64_t bytes)
{
	if (!p || !p->on)
		return;
	p->entries += entries;
	p->bytes += bytes;
	maybe_draw(p);
}

void cli_progress_set_bytes(struct cli_progress *p, uint64_t bytes)
{
	if (!p || !p->on)
		return;
	p->bytes = bytes;
	maybe_draw(p);
}

void cli_progress_clear(struct cli_progress *p)
{
	if (!p || !p->on || !p->shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->shown = false;
}

void cli_progress_done(struct cli_progress *p)
{
	struct timespec now;

	if (!p || !p->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	draw(p, &now, true);
}
