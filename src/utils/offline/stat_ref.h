/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The part of ecryptfs-stat that must print what ecryptfs-utils 111 prints:
 * its own lenient reading of the first header fields (libecryptfs
 * ecryptfs_parse_stat), with its diagnostics, byte for byte.
 */
#ifndef ECFS_SRC_UTILS_OFFLINE_STAT_REF_H
#define ECFS_SRC_UTILS_OFFLINE_STAT_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct stat_ref {
	unsigned version;
	uint64_t size;
	uint64_t header_bytes;
	uint8_t flags;
	char diag[2][128];	/* the reference's lines when it gives up */
	int n_diag;
};

/* True when the reference would print the six lines for buf. */
bool stat_ref_parse(const uint8_t *buf, size_t len, struct stat_ref *r);
/* The six lines, as the reference prints them. */
void stat_ref_print(FILE *f, const struct stat_ref *r);
/* The diagnostics and "Valid eCryptfs metadata information not found in [f]". */
void stat_ref_print_not_found(FILE *f, const struct stat_ref *r, const char *file);

#endif /* ECFS_SRC_UTILS_OFFLINE_STAT_REF_H */
