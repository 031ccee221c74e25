/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The walk of an input tree into an output tree, shared by ecryptfs-decrypt
 * and ecryptfs-encrypt.
 *
 * The input may be hostile (a lower tree from anywhere), so:
 * - everything is opened relative to directory fds, never followed through
 *   a symlink (O_NOFOLLOW), and output is only ever created (O_EXCL,
 *   mkdirat, symlinkat, mknodat): nothing outside OUT is reached and
 *   nothing that exists is overwritten;
 * - what was stat'ed is checked to be what was opened, so an entry swapped
 *   meanwhile (a FIFO for a file: open would block) is an error, not a hang;
 * - the walk keeps its own stack of open directories instead of recursing,
 *   bounded by OFFLINE_MAX_DEPTH, so a deep tree costs heap, not C stack.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"
#include "tool.h"

/* One directory being walked. */
struct frame {
	int in_fd, out_fd;
	char **names;		/* its sorted listing; next is the one to do */
	size_t n, next;
	char *path;		/* input path, for messages */
	char *out_rel;		/* output path, relative to the output root */
	struct stat st;		/* the input directory's, applied when done */
	bool top;		/* the fds are t->in_root/t->out_root */
	bool single;		/* one entry, and path is its own */
	const char *forced;	/* its output name (or NULL: from its name) */
};

static bool same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static void attrs_done(struct offline_tool *t, const char *path, const char *out_rel, int rc)
{
	if (rc < 0)
		offline_fail(&t->w, path, "cannot set attributes: %s", cli_strerror(rc));
	else
		offline_note(&t->w, path, out_rel);
}

/* A directory: create it and fill in *sub to walk it; false if not walked. */
static bool open_dir(struct offline_tool *t, int in_dfd, const char *name, const char *path,
		     const struct stat *st, int out_dfd, const char *oname, const char *out_rel,
		     unsigned depth, struct frame *sub)
{
	struct stat fst;
	int rc;

	if (t->w.have_skip && st->st_dev == t->w.skip_dev && st->st_ino == t->w.skip_ino)
		return false;	/* the output directory itself, inside the input */
	if (depth >= OFFLINE_MAX_DEPTH) {
		offline_fail(&t->w, path, "directory tree too deep");
		return false;
	}
	if (mkdirat(out_dfd, oname, 0700) < 0) {
		offline_fail(&t->w, path, "cannot create directory %s: %s", out_rel,
			     cli_strerror(-errno));
		return false;
	}
	memset(sub, 0, sizeof(*sub));
	sub->st = *st;
	sub->in_fd = openat(in_dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	rc = sub->in_fd < 0 ? -errno : 0;
	sub->out_fd = openat(out_dfd, oname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rc == 0 && sub->out_fd < 0)
		rc = -errno;
	sub->path = strdup(path);
	sub->out_rel = strdup(out_rel);
	if (rc < 0) {
		offline_fail(&t->w, path, "cannot open directory: %s", cli_strerror(rc));
		goto fail;
	}
	if (!sub->path || !sub->out_rel) {
		offline_fail(&t->w, path, "%s", cli_strerror(-ENOMEM));
		goto fail;
	}
	if (fstat(sub->in_fd, &fst) < 0 || !same_inode(&fst, st)) {
		offline_fail(&t->w, path, "replaced while being read");
		goto fail;
	}
	rc = offline_list_dir(sub->in_fd, &sub->names, &sub->n);
	if (rc < 0)	/* still gets its attributes, empty */
		offline_fail(&t->w, path, "cannot read directory: %s", cli_strerror(rc));
	return true;
fail:
	if (sub->in_fd >= 0)
		close(sub->in_fd);
	if (sub->out_fd >= 0)
		close(sub->out_fd);
	free(sub->path);
	free(sub->out_rel);
	return false;
}

/* A walked directory is complete: its attributes last (creating entries
 * changed its times), then it is closed. */
static void close_dir(struct offline_tool *t, struct frame *f)
{
	int rc;

	if (!f->top) {
		rc = offline_copy_xattrs(f->in_fd, f->out_fd);
		if (rc == 0)
			rc = offline_copy_attrs_fd(&t->w, f->out_fd, &f->st);
		attrs_done(t, f->path, f->out_rel, rc);
		close(f->in_fd);
		close(f->out_fd);
	}
	offline_free_list(f->names, f->n);
	free(f->path);
	free(f->out_rel);
}

static void copy_file(struct offline_tool *t, int in_dfd, const char *name, const char *path,
		      const struct stat *st, int out_dfd, const char *oname, const char *out_rel)
{
	struct stat fst;
	uint64_t base;
	int in, out = -1, rc;

	/* O_NONBLOCK: should a FIFO have taken the file's place, open returns. */
	in = openat(in_dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (in < 0) {
		rc = -errno;
		offline_fail(&t->w, path, "cannot open: %s", cli_strerror(rc));
		return;
	}
	if (fstat(in, &fst) < 0 || !S_ISREG(fst.st_mode) || !same_inode(&fst, st)) {
		rc = -EAGAIN;
		offline_fail(&t->w, path, "replaced while being read");
		goto out;
	}
	/* Back to blocking reads: some network and FUSE file systems honour
	 * O_NONBLOCK on regular files too. */
	fcntl(in, F_SETFL, fcntl(in, F_GETFL) & ~O_NONBLOCK);
	out = openat(out_dfd, oname, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		rc = -errno;
		offline_fail(&t->w, path, "cannot create %s: %s", oname, cli_strerror(rc));
		goto out;
	}
	base = t->w.progress ? t->w.progress->bytes : 0;
	rc = t->ops->contents(t, path, in, out, oname);
	/* The progress counts input bytes: the whole file is behind us. */
	cli_progress_set_bytes(t->w.progress, base + (uint64_t)st->st_size);
	if (rc < 0)
		goto out;
	rc = offline_copy_xattrs(in, out);
	if (rc < 0) {
		offline_fail(&t->w, path, "cannot copy extended attributes: %s", cli_strerror(rc));
		goto out;
	}
	rc = offline_copy_attrs_fd(&t->w, out, st);
	attrs_done(t, path, out_rel, rc);
	if (rc == 0 && st->st_nlink > 1 &&
	    (fstat(out, &fst) < 0 || offline_link_add(&t->w, st, out_rel, fst.st_ino) < 0))
		offline_fail(&t->w, path, "%s", cli_strerror(-ENOMEM));
out:
	if (out >= 0) {
		close(out);
		/* Leave nothing half-written that looks like a finished file. */
		if (rc < 0)
			unlinkat(out_dfd, oname, 0);
	}
	close(in);
}

static void regular(struct offline_tool *t, int in_dfd, const char *name, const char *path,
		    const struct stat *st, int out_dfd, const char *oname, const char *out_rel)
{
	ino_t want = 0;
	const char *prev = st->st_nlink > 1 ? offline_link_find(&t->w, st, &want) : NULL;
	struct stat lst;

	if (!prev) {
		copy_file(t, in_dfd, name, path, st, out_dfd, oname, out_rel);
		return;
	}
	/* One output inode for one input inode, as the kernel's link(); prev
	 * is relative to the output root and made of names we created. */
	if (linkat(t->out_root, prev, out_dfd, oname, 0) < 0) {
		offline_fail(&t->w, path, "cannot link %s to %s: %s", out_rel, prev,
			     cli_strerror(-errno));
		return;
	}
	/* Directories done earlier have their own modes again: someone who
	 * may write there could have put another file under prev meanwhile. */
	if (fstatat(out_dfd, oname, &lst, AT_SYMLINK_NOFOLLOW) < 0 || lst.st_ino != want) {
		unlinkat(out_dfd, oname, 0);
		offline_fail(&t->w, path, "cannot link %s to %s: it was replaced", out_rel, prev);
		return;
	}
	offline_note(&t->w, path, out_rel);
}

static void symlink_entry(struct offline_tool *t, int in_dfd, const char *name,
			  const char *path, const struct stat *st, int out_dfd,
			  const char *oname, const char *out_rel)
{
	char in[PATH_MAX], out[PATH_MAX];
	/* Linux keeps targets below PATH_MAX: the buffer cannot truncate one. */
	ssize_t n = readlinkat(in_dfd, name, in, sizeof(in) - 1);

	if (n < 0) {
		offline_fail(&t->w, path, "cannot read link: %s", cli_strerror(-errno));
		return;
	}
	in[n] = '\0';
	if (t->ops->name(t, path, in, true, out, sizeof(out)) < 0)
		return;
	if (symlinkat(out, out_dfd, oname) < 0) {
		offline_fail(&t->w, path, "cannot create symlink %s: %s", out_rel,
			     cli_strerror(-errno));
		return;
	}
	attrs_done(t, path, out_rel, offline_copy_attrs_at(&t->w, out_dfd, oname, st));
}

/* FIFOs, sockets, devices: only their names are transformed. */
static void special(struct offline_tool *t, const char *path, const struct stat *st,
		    int out_dfd, const char *oname, const char *out_rel)
{
	if (mknodat(out_dfd, oname, st->st_mode, st->st_rdev) < 0) {
		offline_fail(&t->w, path, "cannot create %s: %s", out_rel, cli_strerror(-errno));
		return;
	}
	attrs_done(t, path, out_rel, offline_copy_attrs_at(&t->w, out_dfd, oname, st));
}

/* The next entry of f; true when it is a directory to walk (in *sub). */
static bool entry(struct offline_tool *t, struct frame *f, unsigned depth, struct frame *sub)
{
	const char *name = f->names[f->next++];
	char oname[PATH_MAX];
	char *path = f->single ? strdup(f->path) : offline_join(f->path, name);
	char *out_rel = NULL;
	bool descend = false;
	struct stat st;

	if (!path) {
		offline_fail(&t->w, f->path, "%s", cli_strerror(-ENOMEM));
		return false;
	}
	if (fstatat(f->in_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		offline_fail(&t->w, path, "%s", cli_strerror(-errno));
		goto out;
	}
	if (f->forced) {
		snprintf(oname, sizeof(oname), "%s", f->forced);
	} else if (t->ops->name(t, path, name, false, oname, sizeof(oname)) < 0) {
		if (S_ISDIR(st.st_mode))
			offline_report(path, "directory skipped with everything in it");
		goto out;
	}
	out_rel = offline_join(f->out_rel, oname);
	if (!out_rel) {
		offline_fail(&t->w, path, "%s", cli_strerror(-ENOMEM));
		goto out;
	}
	if (S_ISDIR(st.st_mode))
		descend = open_dir(t, f->in_fd, name, path, &st, f->out_fd, oname, out_rel, depth,
				   sub);
	else if (S_ISREG(st.st_mode))
		regular(t, f->in_fd, name, path, &st, f->out_fd, oname, out_rel);
	else if (S_ISLNK(st.st_mode))
		symlink_entry(t, f->in_fd, name, path, &st, f->out_fd, oname, out_rel);
	else
		special(t, path, &st, f->out_fd, oname, out_rel);
out:
	free(path);
	free(out_rel);
	return descend;
}

/* Walk from top (owned by the walk from now on) to the end. */
static void walk(struct offline_tool *t, struct frame *top)
{
	struct frame *stack = calloc(OFFLINE_MAX_DEPTH, sizeof(*stack));
	unsigned depth = 1;

	if (!stack) {
		offline_fail(&t->w, top->path, "%s", cli_strerror(-ENOMEM));
		close_dir(t, top);
		return;
	}
	stack[0] = *top;
	while (depth) {
		struct frame *f = &stack[depth - 1];

		if (f->next == f->n) {
			close_dir(t, f);
			depth--;
		} else if (entry(t, f, depth, &stack[depth])) {
			depth++;	/* entry() refuses to go past OFFLINE_MAX_DEPTH */
		}
	}
	free(stack);
}

int offline_tree(struct offline_tool *t, const char *in, const char *out)
{
	struct frame top = { .top = true };
	struct stat ost;
	bool created = false;
	int rc;

	t->in_root = open(in, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->in_root < 0 || fstat(t->in_root, &top.st) < 0) {
		rc = -errno;
		cli_error(rc, "cannot open %s", in);
		return rc;
	}
	if (mkdir(out, 0700) == 0) {
		created = true;
	} else if (errno != EEXIST) {
		rc = -errno;
		cli_error(rc, "cannot create %s", out);
		return rc;
	}
	t->out_root = open(out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->out_root < 0 || fstat(t->out_root, &ost) < 0) {
		rc = -errno;
		cli_error(rc, "cannot open %s", out);
		return rc;
	}
	if (same_inode(&top.st, &ost)) {
		cli_error(0, "%s and %s are the same directory", in, out);
		return -EINVAL;
	}
	t->w.have_skip = true;
	t->w.skip_dev = ost.st_dev;
	t->w.skip_ino = ost.st_ino;
	top.in_fd = t->in_root;
	top.out_fd = t->out_root;
	top.path = strdup(in);
	top.out_rel = strdup("");
	rc = top.path && top.out_rel ? offline_list_dir(t->in_root, &top.names, &top.n) : -ENOMEM;
	if (rc < 0) {
		cli_error(rc, "cannot read directory %s", in);
		close_dir(t, &top);
		return rc;
	}
	walk(t, &top);
	if (created) {
		rc = offline_copy_attrs_fd(&t->w, t->out_root, &top.st);
		if (rc < 0)
			offline_fail(&t->w, out, "cannot set attributes: %s", cli_strerror(rc));
	}
	return 0;
}

int offline_single(struct offline_tool *t, const char *in, const char *out)
{
	char *idir = strdup(in), *ibase = strdup(in), *odir = strdup(out), *obase = strdup(out);
	struct frame top = { .top = true, .single = true };
	struct stat ost;
	int rc = 0;

	top.names = calloc(1, sizeof(*top.names));
	if (!idir || !ibase || !odir || !obase || !top.names) {
		rc = -ENOMEM;
		cli_error(rc, "%s", in);
		goto out;
	}
	t->in_root = open(dirname(idir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->in_root < 0) {
		rc = -errno;
		cli_error(rc, "cannot open the directory of %s", in);
		goto out;
	}
	if (stat(out, &ost) == 0 && S_ISDIR(ost.st_mode)) {
		t->out_root = open(out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	} else {
		t->out_root = open(dirname(odir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		top.forced = basename(obase);
	}
	if (t->out_root < 0) {
		rc = -errno;
		cli_error(rc, "cannot open the directory of %s", out);
		goto out;
	}
	top.names[0] = strdup(basename(ibase));
	top.n = 1;
	top.in_fd = t->in_root;
	top.out_fd = t->out_root;
	top.path = strdup(in);
	top.out_rel = strdup("");
	if (!top.names[0] || !top.path || !top.out_rel) {
		rc = -ENOMEM;
		cli_error(rc, "%s", in);
		goto out;
	}
	walk(t, &top);
	top.names = NULL;	/* the walk freed them */
	top.n = 0;
	top.path = top.out_rel = NULL;
out:
	close_dir(t, &top);
	free(idir);
	free(ibase);
	free(odir);
	free(obase);
	return rc;
}
