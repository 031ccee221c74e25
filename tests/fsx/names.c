/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The namespace tester (-n): a small tree of directories and files under
 * one directory, with a model of it (directories, names, inodes with their
 * contents and link counts), and random operations on both: create, write,
 * truncate, read, rename (also over an existing name and across
 * directories), link, unlink, mkdir, rmdir (also of a non-empty one, which
 * must fail), directory renames, fsync.  Each step checks what it touched
 * (contents, size, link count, errors); every few steps and at the end the
 * whole tree is compared: each directory's listing against the model and
 * every file's contents.  Names come from a pool that includes long ones,
 * spaces and UTF-8, so encrypted names of every length class are made.
 * -m DIR: at the end of a passing run, write the model there as a plain
 * tree (each link as a copy) for a later comparison. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsx.h"

#define MAXDIRS 12	/* the top directory and at most 11 below it */
#define MAXINODES 96
#define MAXENTS 160
#define NAMEPOOL 24
#define FILE_MAX (24 * FSX_EXTENT + 777)

struct ndir {
	bool alive;
	int parent;		/* -1 for the top directory */
	int name;		/* index of its name: "d<name>" */
};

struct ninode {
	int nlink;		/* 0: free */
	size_t size;
	unsigned char *data;	/* FILE_MAX bytes, zero past size */
};

struct nent {
	bool alive;
	int dir, name, ino;
};

struct ns {
	const struct fsx_opts *o;
	struct rng rng;
	struct ndir dir[MAXDIRS];
	struct ninode ino[MAXINODES];
	struct nent ent[MAXENTS];
	long opno, done[16], full_checks;
	unsigned char *buf;
	struct oplog log;
};

enum nop {
	N_CREATE, N_WRITE, N_TRUNCATE, N_READ, N_RENAME, N_LINK, N_UNLINK, N_MKDIR, N_RMDIR,
	N_RENAMEDIR, N_LIST, N_FSYNC, N_MAX
};
static const char *const nop_names[N_MAX] = {
	"create", "write", "truncate", "read", "rename", "link", "unlink", "mkdir", "rmdir",
	"renamedir", "list", "fsync",
};
static const unsigned nop_weight[N_MAX] = { 12, 14, 8, 12, 12, 6, 8, 4, 3, 2, 5, 2 };

/* File names: short, long (up to 120 bytes), with spaces and UTF-8. */
static void file_name(int k, char *out, size_t size)
{
	static const char *const stems[] = {
		"f", "a file with spaces ", "\xc3\xa9t\xc3\xa9 ", "x.", "",
	};
	size_t len;

	if (k % 6 == 5) {
		/* long: 60 to 120 bytes */
		len = (size_t)snprintf(out, size, "long-%d-", k);
		for (; len < 60 + (size_t)(k * 7 % 61) && len + 1 < size; len++)
			out[len] = (char)('a' + len % 26);
		out[len] = '\0';
		return;
	}
	snprintf(out, size, "%s%d", stems[k % 5], k);
}

static void dir_path(const struct ns *s, int d, char *out, size_t size)
{
	char tail[PATH_MAX] = "";

	snprintf(out, size, "%s", s->o->path);
	/* at most three levels: the top, its children, theirs */
	if (d > 0 && s->dir[d].parent > 0)
		snprintf(tail, sizeof(tail), "/d%d", s->dir[s->dir[d].parent].name);
	if (d > 0)
		snprintf(out + strlen(out), size - strlen(out), "%s/d%d", tail, s->dir[d].name);
}

static void ent_path(const struct ns *s, int dir, int name, char *out, size_t size)
{
	char n[160];

	dir_path(s, dir, out, size);
	file_name(name, n, sizeof(n));
	snprintf(out + strlen(out), size - strlen(out), "/%s", n);
}

#define LOG(s, ...) oplog_add(&(s)->log, (s)->o->verbose, __VA_ARGS__)

__attribute__((noreturn, format(printf, 2, 3)))
static void fail(struct ns *s, const char *fmt, ...)
{
	va_list ap;

	printf("# FAILED: seed %llu, op %ld: ", (unsigned long long)s->o->seed, s->opno);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n# replay with: ecfs-fsx -n -S %llu -N %ld ...\n", (unsigned long long)s->o->seed,
	       s->o->nops);
	oplog_dump(&s->log, "the tree", OPLOG_LEN);
	fflush(stdout);
	exit(1);
}

static int find_ent(const struct ns *s, int dir, int name)
{
	for (int i = 0; i < MAXENTS; i++)
		if (s->ent[i].alive && s->ent[i].dir == dir && s->ent[i].name == name)
			return i;
	return -1;
}

static int count_in(const struct ns *s, int dir)
{
	int n = 0;

	for (int i = 0; i < MAXENTS; i++)
		n += s->ent[i].alive && s->ent[i].dir == dir;
	for (int d = 1; d < MAXDIRS; d++)
		n += s->dir[d].alive && s->dir[d].parent == dir;
	return n;
}

/* A random live entry (-1 if none). */
static int pick_ent(struct ns *s)
{
	int live[MAXENTS], n = 0;

	for (int i = 0; i < MAXENTS; i++)
		if (s->ent[i].alive)
			live[n++] = i;
	return n ? live[rng_below(&s->rng, (uint64_t)n)] : -1;
}

static int pick_dir(struct ns *s)
{
	int live[MAXDIRS], n = 0;

	for (int d = 0; d < MAXDIRS; d++)
		if (s->dir[d].alive)
			live[n++] = d;
	return live[rng_below(&s->rng, (uint64_t)n)];
}

static int free_slot_ent(const struct ns *s)
{
	for (int i = 0; i < MAXENTS; i++)
		if (!s->ent[i].alive)
			return i;
	return -1;
}

static int free_slot_ino(const struct ns *s)
{
	for (int i = 0; i < MAXINODES; i++)
		if (s->ino[i].nlink == 0)
			return i;
	return -1;
}

static void drop_link(struct ns *s, int e)
{
	struct ninode *in = &s->ino[s->ent[e].ino];

	s->ent[e].alive = false;
	if (--in->nlink == 0) {
		memset(in->data, 0, FILE_MAX);
		in->size = 0;
	}
}

/* The file at path against inode i: type, size, link count, contents. */
static void check_file(struct ns *s, const char *path, int i)
{
	struct ninode *in = &s->ino[i];
	struct stat st;
	ssize_t n;
	long at;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		fail(s, "open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0)
		fail(s, "fstat %s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size != in->size || st.st_nlink != (nlink_t)in->nlink)
		fail(s, "%s: mode 0%o size %lld links %lu; model: a file, size %zu, links %d", path,
		     st.st_mode, (long long)st.st_size, (unsigned long)st.st_nlink, in->size,
		     in->nlink);
	n = full_pread(fd, s->buf, FILE_MAX + 1, 0);
	if (n < 0 || (size_t)n != in->size)
		fail(s, "read %s: %zd bytes (%s), model size %zu", path, n,
		     n < 0 ? strerror(errno) : "short or long", in->size);
	at = first_diff(in->data, s->buf, in->size);
	if (at >= 0) {
		printf("# %s (model inode %d)\n", path, i);
		report_diff(in->data, s->buf, 0, in->size, (size_t)at);
		fail(s, "%s differs from the model at offset %ld", path, at);
	}
	close(fd);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Directory d's listing against the model; with contents, every file too. */
static void check_dir(struct ns *s, int d, bool contents)
{
	char path[PATH_MAX], p[PATH_MAX], n[160];
	char *want[MAXENTS + MAXDIRS], *got[MAXENTS + MAXDIRS + 1];
	size_t nw = 0, ng = 0;
	struct dirent *de;
	DIR *dh;

	dir_path(s, d, path, sizeof(path));
	for (int i = 0; i < MAXENTS; i++) {
		if (!s->ent[i].alive || s->ent[i].dir != d)
			continue;
		file_name(s->ent[i].name, n, sizeof(n));
		want[nw++] = strdup(n);
		if (contents) {
			if (snprintf(p, sizeof(p), "%s/%s", path, n) >= (int)sizeof(p))
				fail(s, "%s: path too long", path);
			check_file(s, p, s->ent[i].ino);
		}
	}
	for (int c = 1; c < MAXDIRS; c++) {
		if (!s->dir[c].alive || s->dir[c].parent != d)
			continue;
		snprintf(n, sizeof(n), "d%d", s->dir[c].name);
		want[nw++] = strdup(n);
	}
	dh = opendir(path);
	if (!dh)
		fail(s, "opendir %s: %s", path, strerror(errno));
	while ((errno = 0, de = readdir(dh))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (ng == MAXENTS + MAXDIRS)
			fail(s, "%s: more entries than the model has", path);
		got[ng++] = strdup(de->d_name);
	}
	if (errno)
		fail(s, "readdir %s: %s", path, strerror(errno));
	closedir(dh);
	qsort(want, nw, sizeof(*want), cmp_str);
	qsort(got, ng, sizeof(*got), cmp_str);
	for (size_t i = 0; i < nw || i < ng; i++) {
		if (i >= nw || i >= ng || strcmp(want[i], got[i]) != 0)
			fail(s, "%s lists %zu entries, the model %zu; first difference: '%s' / model '%s'",
			     path, ng, nw, i < ng ? got[i] : "(none)", i < nw ? want[i] : "(none)");
	}
	for (size_t i = 0; i < nw; i++)
		free(want[i]);
	for (size_t i = 0; i < ng; i++)
		free(got[i]);
}

static void check_all(struct ns *s)
{
	for (int d = 0; d < MAXDIRS; d++)
		if (s->dir[d].alive)
			check_dir(s, d, true);
	s->full_checks++;
}

static void write_at(struct ns *s, const char *path, int i, size_t off, size_t len, int flags)
{
	struct ninode *in = &s->ino[i];
	int fd = open(path, O_WRONLY | flags, 0644);

	if (fd < 0)
		fail(s, "open %s for writing: %s", path, strerror(errno));
	fill_pattern(s->buf, len, s->opno, off);
	if (full_pwrite(fd, s->buf, len, (off_t)off) < 0)
		fail(s, "write %s %zu+%zu: %s", path, off, len, strerror(errno));
	if (close(fd) < 0)
		fail(s, "close %s: %s", path, strerror(errno));
	memcpy(in->data + off, s->buf, len);
	if (off + len > in->size)
		in->size = off + len;
}

static void op_create(struct ns *s)
{
	int d = pick_dir(s), name = (int)rng_below(&s->rng, NAMEPOOL), e, i;
	size_t len = gen_length(&s->rng, 3 * FSX_EXTENT, FILE_MAX / 2);
	char path[PATH_MAX];

	e = free_slot_ent(s);
	i = free_slot_ino(s);
	if (e < 0 || i < 0 || find_ent(s, d, name) >= 0)
		return;
	ent_path(s, d, name, path, sizeof(path));
	LOG(s, "%ld create %s len %zu", s->opno, path + strlen(s->o->path), len);
	s->ino[i].nlink = 1;
	s->ino[i].size = 0;
	s->ent[e] = (struct nent){ true, d, name, i };
	write_at(s, path, i, 0, len, O_CREAT | O_EXCL);
	check_file(s, path, i);
}

static void op_write(struct ns *s, bool trunc)
{
	int e = pick_ent(s);
	struct ninode *in;
	char path[PATH_MAX];
	size_t off, len;

	if (e < 0)
		return;
	in = &s->ino[s->ent[e].ino];
	ent_path(s, s->ent[e].dir, s->ent[e].name, path, sizeof(path));
	if (trunc) {
		off = gen_offset(&s->rng, 0, FILE_MAX, in->size);
		LOG(s, "%ld truncate %s %zu -> %zu", s->opno, path + strlen(s->o->path), in->size, off);
		if (truncate(path, (off_t)off) < 0)
			fail(s, "truncate %s to %zu: %s", path, off, strerror(errno));
		if (off < in->size)
			memset(in->data + off, 0, in->size - off);
		in->size = off;
	} else {
		off = gen_offset(&s->rng, 0, FILE_MAX - 1, in->size);
		len = gen_length(&s->rng, 2 * FSX_EXTENT, FILE_MAX / 2);
		if (off + len > FILE_MAX)
			len = FILE_MAX - off;
		LOG(s, "%ld write %s %zu+%zu size %zu", s->opno, path + strlen(s->o->path), off, len,
		    in->size);
		write_at(s, path, s->ent[e].ino, off, len, 0);
	}
	check_file(s, path, s->ent[e].ino);
}

static void op_read(struct ns *s)
{
	int e = pick_ent(s);
	char path[PATH_MAX];

	if (e < 0)
		return;
	ent_path(s, s->ent[e].dir, s->ent[e].name, path, sizeof(path));
	LOG(s, "%ld read %s", s->opno, path + strlen(s->o->path));
	check_file(s, path, s->ent[e].ino);
}

/* rename (link: link) an entry to a random name in a random directory. */
static void op_rename(struct ns *s, bool link_it)
{
	int e = pick_ent(s), d = pick_dir(s), name = (int)rng_below(&s->rng, NAMEPOOL), t, ne;
	char from[PATH_MAX], to[PATH_MAX];
	int r;

	if (e < 0)
		return;
	ent_path(s, s->ent[e].dir, s->ent[e].name, from, sizeof(from));
	ent_path(s, d, name, to, sizeof(to));
	t = find_ent(s, d, name);
	LOG(s, "%ld %s %s -> %s%s", s->opno, link_it ? "link" : "rename", from + strlen(s->o->path),
	    to + strlen(s->o->path), t >= 0 ? " (exists)" : "");
	if (link_it) {
		ne = free_slot_ent(s);
		if (ne < 0)
			return;
		r = link(from, to);
		if (t >= 0) {
			if (r == 0 || errno != EEXIST)
				fail(s, "link onto an existing name: %s, want EEXIST",
				     r == 0 ? "succeeded" : strerror(errno));
			return;
		}
		if (r < 0)
			fail(s, "link %s %s: %s", from, to, strerror(errno));
		s->ino[s->ent[e].ino].nlink++;
		s->ent[ne] = (struct nent){ true, d, name, s->ent[e].ino };
		check_file(s, to, s->ent[e].ino);
		check_file(s, from, s->ent[e].ino);
		return;
	}
	if (rename(from, to) < 0)
		fail(s, "rename %s %s: %s", from, to, strerror(errno));
	if (t == e)
		return;	/* onto itself: nothing happens */
	if (t >= 0 && s->ent[t].ino == s->ent[e].ino) {
		/* two names of one inode: POSIX says rename does nothing */
		check_file(s, from, s->ent[e].ino);
		check_file(s, to, s->ent[e].ino);
		return;
	}
	if (t >= 0)
		drop_link(s, t);
	s->ent[e].dir = d;
	s->ent[e].name = name;
	check_file(s, to, s->ent[e].ino);
	if (access(from, F_OK) == 0 || errno != ENOENT)
		fail(s, "%s still there after its rename", from);
}

static void op_unlink(struct ns *s)
{
	int e = pick_ent(s);
	char path[PATH_MAX];

	if (e < 0)
		return;
	ent_path(s, s->ent[e].dir, s->ent[e].name, path, sizeof(path));
	LOG(s, "%ld unlink %s (links %d)", s->opno, path + strlen(s->o->path),
	    s->ino[s->ent[e].ino].nlink);
	if (unlink(path) < 0)
		fail(s, "unlink %s: %s", path, strerror(errno));
	drop_link(s, e);
}

static void op_mkdir(struct ns *s)
{
	int d = -1, parent = (int)rng_below(&s->rng, 3) == 0 ? 0 : pick_dir(s), name;
	char path[PATH_MAX];

	if (parent > 0 && s->dir[parent].parent > 0)
		parent = s->dir[parent].parent;	/* three levels at most */
	for (int i = 1; i < MAXDIRS; i++)
		if (!s->dir[i].alive) {
			d = i;
			break;
		}
	if (d < 0)
		return;
	name = (int)rng_below(&s->rng, 40);
	for (int i = 1; i < MAXDIRS; i++)
		if (s->dir[i].alive && s->dir[i].name == name)
			return;	/* names of directories are unique over the tree */
	s->dir[d] = (struct ndir){ true, parent, name };
	dir_path(s, d, path, sizeof(path));
	LOG(s, "%ld mkdir %s", s->opno, path + strlen(s->o->path));
	if (mkdir(path, 0755) < 0)
		fail(s, "mkdir %s: %s", path, strerror(errno));
	check_dir(s, parent, false);
}

static void op_rmdir(struct ns *s)
{
	int d = pick_dir(s), n;
	char path[PATH_MAX];
	int r;

	if (d == 0)
		return;
	n = count_in(s, d);
	dir_path(s, d, path, sizeof(path));
	LOG(s, "%ld rmdir %s (%d entries)", s->opno, path + strlen(s->o->path), n);
	r = rmdir(path);
	if (n) {
		if (r == 0 || (errno != ENOTEMPTY && errno != EEXIST))
			fail(s, "rmdir of a directory with %d entries: %s", n,
			     r == 0 ? "succeeded" : strerror(errno));
		return;
	}
	if (r < 0)
		fail(s, "rmdir %s: %s", path, strerror(errno));
	s->dir[d].alive = false;
	check_dir(s, s->dir[d].parent, false);
}

/* A directory renamed within its parent (its whole subtree moves along). */
static void op_renamedir(struct ns *s)
{
	int d = pick_dir(s), name = (int)rng_below(&s->rng, 40);
	char from[PATH_MAX], to[PATH_MAX];

	if (d == 0)
		return;
	for (int i = 1; i < MAXDIRS; i++)
		if (s->dir[i].alive && s->dir[i].name == name)
			return;
	dir_path(s, d, from, sizeof(from));
	s->dir[d].name = name;
	dir_path(s, d, to, sizeof(to));
	LOG(s, "%ld renamedir %s -> %s", s->opno, from + strlen(s->o->path), to + strlen(s->o->path));
	if (rename(from, to) < 0)
		fail(s, "rename %s %s: %s", from, to, strerror(errno));
	check_dir(s, d, true);
	check_dir(s, s->dir[d].parent, false);
}

static void op_fsync(struct ns *s)
{
	int e = pick_ent(s), fd;
	char path[PATH_MAX];

	if (e < 0)
		return;
	ent_path(s, s->ent[e].dir, s->ent[e].name, path, sizeof(path));
	LOG(s, "%ld fsync %s", s->opno, path + strlen(s->o->path));
	fd = open(path, O_RDWR);
	if (fd < 0 || fsync(fd) < 0)
		fail(s, "fsync %s: %s", path, strerror(errno));
	close(fd);
}

/* The model as a plain tree under out (links as copies). */
static void save_model(const struct ns *s, const char *out)
{
	char path[PATH_MAX], n[160];
	const char *top = s->o->path;

	if (!out)
		return;
	if (mkdir(out, 0755) < 0 && errno != EEXIST) {
		printf("# could not save the model to %s: %s\n", out, strerror(errno));
		return;
	}
	for (int pass = 0; pass < 2; pass++)
		for (int d = 1; d < MAXDIRS; d++) {
			if (!s->dir[d].alive || (s->dir[d].parent > 0) != (pass == 1))
				continue;
			dir_path(s, d, path, sizeof(path));
			snprintf(n, sizeof(n), "%s", path + strlen(top));
			snprintf(path, sizeof(path), "%s%s", out, n);
			if (mkdir(path, 0755) < 0 && errno != EEXIST)
				printf("# could not save %s: %s\n", path, strerror(errno));
		}
	for (int i = 0; i < MAXENTS; i++) {
		char rel[PATH_MAX];

		if (!s->ent[i].alive)
			continue;
		ent_path(s, s->ent[i].dir, s->ent[i].name, rel, sizeof(rel));
		snprintf(path, sizeof(path), "%s%s", out, rel + strlen(top));
		dump_model(path, s->ino[s->ent[i].ino].data, s->ino[s->ent[i].ino].size);
	}
}

int fsx_names(const struct fsx_opts *o)
{
	static struct ns s;
	unsigned total = 0;
	uint64_t t0 = now_ms();
	DIR *dh;

	s.o = o;
	rng_seed(&s.rng, o->seed);
	s.buf = malloc(FILE_MAX + 1);
	for (int i = 0; i < MAXINODES; i++)
		s.ino[i].data = calloc(1, FILE_MAX);
	if (!s.buf) {
		perror("ecfs-fsx: malloc");
		return 2;
	}
	for (int i = 0; i < MAXINODES; i++)
		if (!s.ino[i].data) {
			perror("ecfs-fsx: calloc");
			return 2;
		}
	if (mkdir(o->path, 0755) < 0 && errno != EEXIST) {
		printf("# ecfs-fsx: mkdir %s: %s\n", o->path, strerror(errno));
		return 2;
	}
	dh = opendir(o->path);
	if (!dh) {
		printf("# ecfs-fsx: opendir %s: %s\n", o->path, strerror(errno));
		return 2;
	}
	for (struct dirent *de; (de = readdir(dh));)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			printf("# ecfs-fsx: %s is not empty\n", o->path);
			closedir(dh);
			return 2;
		}
	closedir(dh);
	s.dir[0] = (struct ndir){ true, -1, 0 };
	printf("# ecfs-fsx: seed %llu, %ld namespace ops, directory %s\n",
	       (unsigned long long)o->seed, o->nops, o->path);
	for (int i = 0; i < N_MAX; i++)
		total += nop_weight[i];
	for (s.opno = 1; s.opno <= o->nops; s.opno++) {
		uint64_t r = rng_below(&s.rng, total);
		int op = 0;

		while (r >= nop_weight[op])
			r -= nop_weight[op++];
		s.done[op]++;
		switch (op) {
		case N_CREATE: op_create(&s); break;
		case N_WRITE: op_write(&s, false); break;
		case N_TRUNCATE: op_write(&s, true); break;
		case N_READ: op_read(&s); break;
		case N_RENAME: op_rename(&s, false); break;
		case N_LINK: op_rename(&s, true); break;
		case N_UNLINK: op_unlink(&s); break;
		case N_MKDIR: op_mkdir(&s); break;
		case N_RMDIR: op_rmdir(&s); break;
		case N_RENAMEDIR: op_renamedir(&s); break;
		case N_LIST: check_dir(&s, pick_dir(&s), false); break;
		default: op_fsync(&s); break;
		}
		if (o->fullcmp_every && s.opno % o->fullcmp_every == 0)
			check_all(&s);
		if (o->inject_at == s.opno) {
			int e = pick_ent(&s);
			char path[PATH_MAX];

			if (e >= 0) {
				/* self-test: a byte changed behind the model's back */
				int fd;

				ent_path(&s, s.ent[e].dir, s.ent[e].name, path, sizeof(path));
				printf("# self-test: appending a byte to %s\n", path);
				fd = open(path, O_WRONLY | O_APPEND);
				if (fd < 0 || write(fd, "!", 1) != 1)
					printf("# self-test: %s: %s\n", path, strerror(errno));
				if (fd >= 0)
					close(fd);
			}
		}
	}
	s.opno = o->nops;
	check_all(&s);
	save_model(&s, o->model_out);
	printf("# ecfs-fsx: seed %llu: %ld namespace ops passed in %.1f s, %ld full tree checks;",
	       (unsigned long long)o->seed, o->nops, (double)(now_ms() - t0) / 1000,
	       s.full_checks);
	for (int i = 0; i < N_MAX; i++)
		printf(" %s %ld", nop_names[i], s.done[i]);
	printf("\n");
	return 0;
}
