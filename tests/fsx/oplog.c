/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A ring of the last operations: a failure report needs the history that
 * led to it, not just the final op. */
#include "config.h"

#include <stdio.h>

#include "fsx.h"

void oplog_add(struct oplog *l, bool echo, const char *fmt, ...)
{
	char *e = l->ent[l->n % OPLOG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e, OPLOG_TEXT, fmt, ap);
	va_end(ap);
	l->n++;
	if (echo) {
		puts(e);
		fflush(stdout);
	}
}

void oplog_dump(const struct oplog *l, const char *who, int max)
{
	long from = l->n - (max < OPLOG_LEN ? max : OPLOG_LEN);

	if (from < 0)
		from = 0;
	printf("# last %ld operations of %s (oldest first):\n", l->n - from, who);
	for (long i = from; i < l->n; i++)
		printf("#   %s\n", l->ent[i % OPLOG_LEN]);
}
