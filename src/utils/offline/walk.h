/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tree-walk helpers of ecryptfs-decrypt and ecryptfs-encrypt: directory
 * listings, the hard-link table, copying modes/owners/times, and the
 * per-entry error count.  Everything works relative to directory fds, so a
 * hostile tree (names, symlinks) can never make us write outside the output.
 */
#ifndef ECFS_SRC_UTILS_OFFLINE_WALK_H
#define ECFS_SRC_UTILS_OFFLINE_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Deeper trees are refused entry by entry (two fds per level stay open). */
#define OFFLINE_MAX_DEPTH 400

struct cli_progress;

struct offline_walk {
	unsigned failed;	/* entries reported with offline_fail() */
	unsigned done;		/* entries written */
	bool verbose;
	bool is_root;		/* copy owners too */
	void *links;		/* tsearch tree: (dev, ino) -> output path */
	dev_t skip_dev;		/* the output directory, if it is inside the input */
	ino_t skip_ino;
	bool have_skip;
	struct cli_progress *progress;	/* the terminal's progress line, or NULL */
};

/*
 * "prog: path: reason" on stderr, counted as one failed entry; control
 * characters in path and reason are shown as \xNN.
 */
void offline_fail(struct offline_walk *w, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same line, not counted (what follows from a failure already counted). */
void offline_report(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* With -v: "path -> out" on stdout for every entry written (shown alike). */
void offline_note(struct offline_walk *w, const char *from, const char *to);

/*
 * The names in directory fd (dup'ed; fd stays open), sorted bytewise so that
 * runs and hard-link choices are reproducible, "." and ".." left out.
 */
int offline_list_dir(int fd, char ***names, size_t *n);
void offline_free_list(char **names, size_t n);

/* A name kept as it is, into out: 0 or -ENAMETOOLONG. */
int offline_copy_name(const char *name, char *out, size_t out_size);

/* "dir/name" (or just name when dir is empty), malloc'ed; NULL on ENOMEM. */
char *offline_join(const char *dir, const char *name);

/*
 * Hard links: the output path (relative to the output root) of an input
 * inode already written, or NULL; *out_ino is the output inode it was
 * written as, to check that the path still leads to it.
 */
const char *offline_link_find(struct offline_walk *w, const struct stat *st, ino_t *out_ino);
int offline_link_add(struct offline_walk *w, const struct stat *st, const char *out_rel,
		     ino_t out_ino);
void offline_walk_free(struct offline_walk *w);

/* Mode, owner (root only) and times of st onto an open file or directory. */
int offline_copy_attrs_fd(struct offline_walk *w, int fd, const struct stat *st);
/* Owner and times onto a symlink or special file, without following it. */
int offline_copy_attrs_at(struct offline_walk *w, int dirfd, const char *name,
			  const struct stat *st);

/*
 * Extended attributes of one open file or directory onto another, as the
 * kernel passes them through: all but user.ecryptfs (the header, which is
 * not the upper file's) and security.* (labels belong to the host policy).
 */
int offline_copy_xattrs(int src_fd, int dst_fd);

/* Let deep trees keep their directory fds open. */
void offline_raise_fd_limit(void);

/* Text for an errno of the format layer, naming the problem for a user. */
const char *offline_strerror(int err);

#endif /* ECFS_SRC_UTILS_OFFLINE_WALK_H */
