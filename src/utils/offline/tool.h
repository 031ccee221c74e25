/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What ecryptfs-decrypt and ecryptfs-encrypt do the same way: the command
 * line and key loading (offline-main.c) and the walk of the input tree into
 * the output tree (offline-tree.c).  A tool supplies only how one name, one
 * symlink target and one file's contents are turned into the other form.
 */
#ifndef ECFS_SRC_UTILS_OFFLINE_TOOL_H
#define ECFS_SRC_UTILS_OFFLINE_TOOL_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "keys.h"
#include "walk.h"

#define OFFLINE_EXIT_PARTIAL 1	/* some entries failed (listed on stderr) */
#define OFFLINE_EXIT_USAGE 2	/* usage, keys or the top-level paths */
#define OFFLINE_CHUNK (1024 * 1024)	/* bytes per read and write of contents */

/* The options every offline tool has, besides OFFLINE_KEY_LONGOPTS. */
#define OFFLINE_COMMON_LONGOPTS \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }

struct offline_tool;

struct offline_tool_ops {
	/* getopt_long arguments, with OFFLINE_KEY_LONGOPTS,
	 * OFFLINE_COMMON_LONGOPTS and "vhV" included. */
	const char *shortopts;
	const struct option *longopts;
	void (*usage)(FILE *f);
	const char *done_verb;		/* "N entries could not be <done_verb>" */
	/*
	 * Sees every option, the shared key options after they were taken
	 * into t->ko: 1 when it took it, 0 when not, -1 after printing a
	 * usage error.
	 */
	int (*option)(struct offline_tool *t, int opt, char *arg);
	/* After the keys are loaded (NULL: nothing); prints its own errors. */
	int (*prepare)(struct offline_tool *t);
	/*
	 * One name (or, with target, one symlink target) into out, and one
	 * regular file's contents (in_fd to the new, empty out_fd).  Each
	 * returns 0 or a negative errno after reporting the failure with
	 * offline_fail(&t->w, path, ...).
	 */
	int (*name)(struct offline_tool *t, const char *path, const char *in, bool target,
		    char *out, size_t out_size);
	int (*contents)(struct offline_tool *t, const char *path, int in_fd, int out_fd,
			const char *out_name);
};

struct offline_tool {
	const struct offline_tool_ops *ops;
	struct offline_walk w;
	struct offline_key_opts ko;
	struct offline_keys keys;
	int in_root;		/* the input directory (of the file, for one file) */
	int out_root;		/* the output directory; hard links are made from it */
	uint8_t *buf;		/* OFFLINE_CHUNK bytes for the contents */
};

/* The tool's own struct from its embedded struct offline_tool t. */
#define OFFLINE_TOOL_OF(ptr, type) ((type *)(void *)((char *)(ptr) - offsetof(type, t)))

/*
 * The whole program after t->ops is set: options, keys, the walk, the
 * summary line.  Returns the exit status; the caller frees what its own
 * callbacks allocated.
 */
int offline_main(struct offline_tool *t, int argc, char *argv[]);

/* A --fn-key-bytes style size (1 .. ECRYPTFS_MAX_KEY_BYTES): 1 (an option
 * taken), or -1 after printing "invalid <what> '<arg>'". */
int offline_parse_key_bytes(const char *what, const char *arg, size_t *out);

/*
 * IN a directory: its entries go into OUT (created if missing).  Otherwise
 * IN is one entry: into OUT/<its name> when OUT is a directory, or into the
 * new entry OUT.  0, or a negative errno after printing why the top-level
 * paths cannot be used; failed entries are counted in t->w.
 */
int offline_tree(struct offline_tool *t, const char *in, const char *out);
int offline_single(struct offline_tool *t, const char *in, const char *out);

#endif /* ECFS_SRC_UTILS_OFFLINE_TOOL_H */
