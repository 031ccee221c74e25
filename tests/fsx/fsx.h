/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ecfs-fsx: randomized file operation tester (the fsx idea), shared declarations. */
#ifndef ECFS_TESTS_FSX_FSX_H
#define ECFS_TESTS_FSX_FSX_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* eCryptfs encrypts in 4096-byte extents; most bugs live at their edges. */
#define FSX_EXTENT 4096

struct fsx_opts {
	const char *path;
	uint64_t seed;
	long nops;
	size_t maxlen;		/* the file never grows past this */
	size_t maxoplen;	/* usual upper bound of one op's length */
	size_t biglen;		/* length of the occasional big op */
	long fullcmp_every;
	int threads;
	bool names;		/* the namespace tester (names.c) */
	bool verbose;
	bool no_mmap;
	bool no_mapeof;		/* tmpfs lets stores past EOF reappear */
	bool no_falloc;
	bool need_falloc;	/* fail instead of disabling fallocate */
	const char *model_out;	/* where to save the model at the end, pass or fail */
	long inject_at;		/* self-test: corrupt the file behind the model's back */
};

/* rng.c: seeded generator and the offset/length distributions. */
struct rng { uint64_t s; };
void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
uint64_t rng_below(struct rng *r, uint64_t n);
size_t gen_offset(struct rng *r, size_t lo, size_t hi, size_t eof);
size_t gen_length(struct rng *r, size_t maxop, size_t big);

/* oplog.c: the last operations, printed when something goes wrong. */
#define OPLOG_LEN 40
#define OPLOG_TEXT 112
struct oplog {
	long n;
	char ent[OPLOG_LEN][OPLOG_TEXT];
};
__attribute__((format(printf, 3, 4)))
void oplog_add(struct oplog *l, bool echo, const char *fmt, ...);
void oplog_dump(const struct oplog *l, const char *who, int max);

/* io.c: whole-buffer I/O, data patterns and mismatch reports. */
ssize_t full_pread(int fd, void *buf, size_t len, off_t off);
ssize_t full_pwrite(int fd, const void *buf, size_t len, off_t off);
void fill_pattern(unsigned char *buf, size_t len, long opno, size_t pos);
long first_diff(const unsigned char *a, const unsigned char *b, size_t n);
void report_diff(const unsigned char *good, const unsigned char *bad,
		 size_t base, size_t n, size_t at);
void dump_model(const char *path, const unsigned char *buf, size_t len);
uint64_t now_ms(void);

int fsx_single(const struct fsx_opts *o);
int fsx_multi(const struct fsx_opts *o);
int fsx_names(const struct fsx_opts *o);

#endif /* ECFS_TESTS_FSX_FSX_H */
