/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The write side of the lower-file API (lowerfile.c) on hostile files: a
 * fuzzed lower file (header and body, optionally a user.ecryptfs value) is
 * opened with keys derived from the passphrases of tests/data/vectors and of
 * the other fuzz seeds, so that real kernel files decrypt, then a
 * fuzz-chosen sequence of pwrite, truncate, pread and reopen runs on it.
 *
 * Checked against a model of the plaintext (the bytes a read returned, were
 * written, or are zeros by growth): no crash, leak or overread; a read
 * returns exactly what the model knows; a write is all or nothing; a failed
 * or cancelled growth leaves the size (and a well-formed lower file's
 * length) as it was; a well-formed file (lower length what its size field
 * says) never fails a write or truncate below the guard; a reopened file
 * shows the same size and bytes.  RLIMIT_FSIZE (16 MiB) turns the huge
 * offsets into quick -EFBIG, which also keeps a bogus size field from
 * writing gigabytes.
 *
 * Input: flags, op count, [xattr length], ops (6 bytes each), [xattr value],
 * then the lower file's bytes.  An op is kind (low 3 bits; 0x80: a huge
 * offset; 0x40, with a cancel, once a run: 4 to 7 MiB), extent and delta of
 * the offset, length (14 bits; bit 6 of its second byte: one chunk before
 * the cancel), fill byte.  Kinds: write, truncate, read, reopen, the
 * daemon's whole-extent write (ecryptfs_file_crypt, then
 * ecryptfs_file_set_size), write and truncate with a cancel hook that stops
 * a zero fill, read.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "libecryptfs.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define EXT ECRYPTFS_EXTENT_SIZE
#define MAX_OPS 32
#define OP_BYTES 6
#define CAP (512 * 1024)		/* the model's window of plaintext */
#define MAX_IO 16384
#define FSIZE_LIMIT (16u << 20)

/* Flag bits of the first byte. */
#define F_XATTR 0x01		/* a user.ecryptfs value follows the ops */
#define F_INIT 0x02		/* ECRYPTFS_OPEN_INIT_EMPTY */
#define F_PASSTHROUGH 0x04
#define F_VIEW 0x08
#define F_SPLIT 0x80		/* zero fills encrypt through a hook, in two halves */

static const char *const passphrases[] = {
	"Test",				/* tests/fuzz/corpus/header */
	"legacy cipher vectors",	/* tests/data/vectors/legacy-* */
	"vector-set-a aes128 plain names",
	"vector-set-b aes256 fnek",
	"vector-set-c aes192 fnek same key",
	"vector-set-d xattr metadata",
};
#define N_PASS (sizeof(passphrases) / sizeof(passphrases[0]))

/* Ciphers for a new header (F_INIT), by bits 4-6 of the flags. */
static const struct {
	const char *name;
	size_t bytes;
} new_ciphers[8] = {
	{ "aes", 16 }, { "aes", 24 }, { "aes", 32 }, { "blowfish", 16 },
	{ "des3_ede", 24 }, { "cast5", 16 }, { "blowfish", 56 }, { "twofish", 32 },
};

static struct ecryptfs_keyset *keys;
static uint8_t first_sig[ECRYPTFS_SIG_SIZE];
static int memfd = -1;
static uint8_t model[CAP], known[CAP];
static uint8_t io[MAX_IO + EXT], lower_io[MAX_IO + EXT];
static bool cancel_armed;
static unsigned polls, cancel_after;

/* Armed: stop a fill at its poll number cancel_after (before that chunk). */
static int cancel_fill(void *arg)
{
	return cancel_armed && polls++ >= cancel_after;
}

/* What a thread pool does with a fill's chunk: the same, in pieces. */
static int split_encrypt(void *arg, struct ecryptfs_crypt *c, uint64_t first, const void *in,
			 void *out, size_t n)
{
	size_t half = n / 2;
	int rc = half ? ecryptfs_crypt_encrypt(c, first, in, out, half) : 0;

	if (rc == 0)
		rc = ecryptfs_crypt_encrypt(c, first + half, (const uint8_t *)in + half * EXT,
					    (uint8_t *)out + half * EXT, n - half);
	return rc;
}

static void setup(void)
{
	struct rlimit rl = { FSIZE_LIMIT, FSIZE_LIMIT };

	if (ecryptfs_keyset_new(&keys) < 0)
		abort();
	for (size_t i = 0; i < N_PASS; i++) {
		struct ecryptfs_pass_key *k = ecryptfs_pass_key_new();

		if (!k || ecryptfs_derive_pass_key(passphrases[i], strlen(passphrases[i]),
						   ecryptfs_default_salt, k) < 0 ||
		    ecryptfs_keyset_add_pass_key(keys, k) < 0)
			abort();
		if (i == 0)
			memcpy(first_sig, k->sig, sizeof(first_sig));
		ecryptfs_pass_key_free(k);
	}
	memfd = memfd_create("fuzz-lowerfile", 0);
	if (memfd < 0)
		abort();
	signal(SIGXFSZ, SIG_IGN);
	if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
		abort();
}

struct run {
	struct ecryptfs_file *f;
	struct ecryptfs_policy pol, *p;
	enum ecryptfs_file_kind kind;
	bool in_xattr;
	uint64_t data_off;
	uint64_t size;			/* the model's size */
	bool split;			/* F_SPLIT */
};

static uint64_t lower_len(void)
{
	struct stat st;

	if (fstat(memfd, &st) < 0)
		abort();
	return (uint64_t)st.st_size;
}

/* The lower file holds exactly the extents its size field covers. */
static bool well_formed(const struct run *r)
{
	if (r->kind == ECRYPTFS_FILE_PASSTHROUGH)
		return true;
	return lower_len() == ecryptfs_lower_size(r->size, r->data_off);
}

/* Lower offsets up to that of plaintext offset end are far from the guard. */
static bool below_guard(const struct run *r, uint64_t end)
{
	return end < FSIZE_LIMIT / 2 && r->data_off + end < FSIZE_LIMIT / 2;
}

/* Every extent of plaintext [off, off+n) has its ciphertext in the lower file. */
static bool present(const struct run *r, uint64_t off, uint64_t n)
{
	uint64_t last;

	if (r->kind == ECRYPTFS_FILE_PASSTHROUGH || n == 0)
		return true;
	last = (off + n - 1) / EXT;
	return last < (1ull << 40) && lower_len() >= r->data_off + (last + 1) * EXT;
}

/*
 * The model's byte loops carry no coverage instrumentation: they are the
 * checker, not the code under test, and would otherwise take most of the time.
 */
#define CHECKER __attribute__((noinline, no_sanitize("coverage")))

static void forget(uint64_t from, uint64_t to)
{
	if (from < CAP)
		memset(known + from, 0, (size_t)((to < CAP ? to : CAP) - from));
}

CHECKER static void learn(uint64_t off, const uint8_t *buf, uint64_t n)
{
	for (uint64_t i = 0; i < n && off + i < CAP; i++) {
		model[off + i] = buf ? buf[i] : 0;
		known[off + i] = 1;
	}
}

/* Bytes read at off agree with what the model knows, which then knows them. */
CHECKER static void compare(uint64_t off, const uint8_t *buf, uint64_t n)
{
	for (uint64_t i = 0; i < n && off + i < CAP; i++) {
		if (known[off + i] && model[off + i] != buf[i])
			abort();
		model[off + i] = buf[i];
		known[off + i] = 1;
	}
}

/* A read: its length, and every byte the model knows. */
static void do_read(struct run *r, uint64_t off, size_t n)
{
	ssize_t got = ecryptfs_file_pread(r->f, io, n, off);
	uint64_t want = off >= r->size ? 0 : (r->size - off < n ? r->size - off : n);

	if (got < 0) {
		if (present(r, off, want) && below_guard(r, off + want))
			abort();	/* nothing is missing: the read must work */
		return;
	}
	if ((uint64_t)got != want)
		abort();
	compare(off, io, want);
}

CHECKER static void fill(uint8_t *buf, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(seed ^ (i * 151) ^ (i >> 8));
}

static void do_write(struct run *r, uint64_t off, size_t n, uint8_t seed)
{
	uint64_t old = r->size, len0 = lower_len();
	bool wf = well_formed(r);
	ssize_t got;

	fill(io, n, seed);
	got = ecryptfs_file_pwrite(r->f, io, n, off);
	if (got >= 0) {
		if ((size_t)got != n)
			abort();	/* all or nothing */
		if (n == 0)
			return;
		if (off > old)
			learn(old, NULL, off - old);
		learn(off, io, n);
		if (off + n > old)
			r->size = off + n;
		if (ecryptfs_file_size(r->f) != r->size)
			abort();
		return;
	}
	if (r->kind == ECRYPTFS_FILE_VIEW)
		return;
	/* Below the guard, a well-formed file has no reason to refuse a write. */
	if (wf && below_guard(r, off + n) && !(cancel_armed && got == -EINTR))
		abort();
	if (r->kind == ECRYPTFS_FILE_ENCRYPTED && ecryptfs_file_size(r->f) != old)
		abort();	/* the size field is written last */
	if (off + n > old && wf && lower_len() != len0)
		abort();	/* a failed growth is undone */
	forget(off, off + n);
}

static void do_truncate(struct run *r, uint64_t to)
{
	uint64_t old = r->size, len0 = lower_len(), now;
	bool wf = well_formed(r);
	int rc = ecryptfs_file_truncate(r->f, to);

	if (r->kind == ECRYPTFS_FILE_VIEW)
		return;
	now = ecryptfs_file_size(r->f);
	if (rc == 0) {
		if (now != to)
			abort();
		if (to > old)
			learn(old, NULL, to - old);
		else
			forget(to, old);
		r->size = to;
		/* No holes and no leftovers: the lower length follows the size. */
		if (r->kind == ECRYPTFS_FILE_ENCRYPTED && wf &&
		    lower_len() != ecryptfs_lower_size(to, r->data_off))
			abort();
		return;
	}
	if (wf && below_guard(r, to) && !(cancel_armed && rc == -EINTR))
		abort();
	if (to > old) {
		if (now != old || (wf && lower_len() != len0))
			abort();	/* a failed growth is undone */
		return;
	}
	/* Down: the size field may already say the new size. */
	if (now != old && now != to)
		abort();
	forget(to, old);
	r->size = now;
}

/*
 * The daemon's write of whole extents (src/fuse/content.c): zeros up to the
 * first extent by truncation, the extents encrypted with the file's engine
 * and written to the lower file directly, then the new size recorded.
 */
static void do_daemon_write(struct run *r, uint64_t off, size_t n, uint8_t seed)
{
	struct ecryptfs_crypt *c = ecryptfs_file_crypt(r->f);
	uint64_t first = off / EXT, cnt = n / EXT, end = (first + cnt) * EXT;

	if (r->kind != ECRYPTFS_FILE_ENCRYPTED || !c || cnt == 0 || !below_guard(r, end))
		return;
	if (ecryptfs_extents_for(r->size) < first) {
		do_truncate(r, first * EXT);
		if (r->size != first * EXT)
			return;
	}
	/* Extents that hold data below the size are overwritten whole here. */
	fill(io, cnt * EXT, seed);
	if (ecryptfs_crypt_encrypt(c, first, io, lower_io, cnt) != 0 ||
	    ecryptfs_pwrite_full(memfd, lower_io, cnt * EXT, r->data_off + first * EXT) != 0)
		abort();
	learn(first * EXT, io, cnt * EXT);
	if (end > r->size) {
		if (ecryptfs_file_set_size(r->f, end) != 0 || ecryptfs_file_size(r->f) != end)
			abort();
		r->size = end;
	}
}

/* Open memfd; false when the file is refused (nothing to check then). */
static bool open_file(struct run *r, unsigned flags)
{
	const struct ecryptfs_header *h;

	if (ecryptfs_file_open(memfd, r->p, keys, flags, &r->f) < 0)
		return false;
	r->kind = ecryptfs_file_kind(r->f);
	ecryptfs_file_set_cancel(r->f, cancel_fill, NULL);
	if (r->split)
		ecryptfs_file_set_encrypt(r->f, split_encrypt, NULL);
	h = ecryptfs_file_header(r->f);
	r->in_xattr = h && h->in_xattr;
	r->data_off = ecryptfs_file_data_offset(r->f);
	return true;
}

/* Close and open again: same kind, same size, same bytes. */
static bool reopen(struct run *r)
{
	struct run again = *r;

	ecryptfs_file_close(r->f);
	r->f = NULL;
	if (!open_file(&again, 0)) {
		if (r->kind == ECRYPTFS_FILE_ENCRYPTED)
			abort();	/* only the size field changed */
		return false;
	}
	r->f = again.f;
	/* Passthrough bytes may have become a header: a different file now. */
	if (again.kind != r->kind || again.in_xattr != r->in_xattr ||
	    again.data_off != r->data_off) {
		if (r->kind == ECRYPTFS_FILE_ENCRYPTED)
			abort();
		return false;
	}
	if (ecryptfs_file_size(r->f) != r->size)
		abort();
	return true;
}

/* The whole window, extent by extent (a missing extent fails alone). */
static void verify_all(struct run *r)
{
	for (uint64_t off = 0; off < r->size && off < CAP; off += EXT)
		do_read(r, off, EXT);
}

/* far: 4 to 7 MiB, fills of two chunks (4 MiB each), the second cancelled. */
static uint64_t pick_offset(const uint8_t *op, bool far)
{
	int8_t delta = (int8_t)op[2];

	if (op[0] & 0x80) {
		/* Near a power of two from 1 GiB to 2^63: the limits' paths. */
		uint64_t base = 1ull << (30 + op[1] % 34);

		return base + (uint64_t)(int64_t)delta;
	}
	if (far)
		return (uint64_t)(op[1] % 4 + 4) * 1024 * 1024 + (uint64_t)(int64_t)delta;
	if (delta < 0 && (uint64_t)-delta > (uint64_t)(op[1] % 64) * EXT)
		return 0;
	return (uint64_t)(op[1] % 64) * EXT + (uint64_t)(int64_t)delta;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r = { 0 };
	const uint8_t *ops, *xval = NULL, *body;
	size_t nops, xlen = 0, pos;
	uint8_t flags;
	unsigned oflags;
	bool far_done = false;

	if (!keys)
		setup();
	if (size < 2)
		return 0;
	flags = data[0];
	nops = data[1] % (MAX_OPS + 1);
	pos = 2;
	if (flags & F_XATTR) {
		if (size < 3)
			return 0;
		xlen = data[2];
		pos = 3;
	}
	if (size - pos < nops * OP_BYTES)
		nops = (size - pos) / OP_BYTES;
	ops = data + pos;
	pos += nops * OP_BYTES;
	if (flags & F_XATTR) {
		if (size - pos < xlen)
			xlen = size - pos;
		xval = data + pos;
		pos += xlen;
	}
	body = data + pos;

	if (ftruncate(memfd, 0) < 0 ||
	    (size > pos && ecryptfs_pwrite_full(memfd, body, size - pos, 0) < 0))
		abort();
	if (fremovexattr(memfd, ECRYPTFS_XATTR_NAME) < 0 && errno != ENODATA)
		return 0;	/* no user xattrs on memfds here: nothing to test */
	if (xval && xlen && fsetxattr(memfd, ECRYPTFS_XATTR_NAME, xval, xlen, 0) < 0)
		return 0;

	if (flags & (F_INIT | F_PASSTHROUGH | F_VIEW)) {
		const unsigned c = (flags >> 4) & 7;

		if (ecryptfs_policy_init(&r.pol, new_ciphers[c].name, new_ciphers[c].bytes) < 0 ||
		    ecryptfs_policy_add_sig(&r.pol, first_sig) < 0)
			abort();
		r.pol.passthrough = flags & F_PASSTHROUGH;
		r.pol.encrypted_view = flags & F_VIEW;
		r.pol.xattr_metadata = flags & F_XATTR;
		r.p = &r.pol;
	}
	oflags = (flags & F_INIT) ? ECRYPTFS_OPEN_INIT_EMPTY : 0;
	r.split = flags & F_SPLIT;
	cancel_armed = false;
	memset(known, 0, sizeof(known));
	if (!open_file(&r, oflags))
		return 0;
	r.size = ecryptfs_file_size(r.f);
	if (r.kind == ECRYPTFS_FILE_VIEW) {
		/* Read only, whatever the header says. */
		if (ecryptfs_file_pwrite(r.f, "x", 1, 0) != -EROFS ||
		    ecryptfs_file_truncate(r.f, 0) != -EROFS)
			abort();
		ecryptfs_file_pread(r.f, io, MAX_IO, 0);
		goto out;
	}
	verify_all(&r);

	for (size_t i = 0; i < nops; i++) {
		const uint8_t *op = ops + i * OP_BYTES;
		/* One far op a run: a 4 MiB fill costs as much as a hundred runs. */
		bool far = (op[0] & 0x40) && ((op[0] & 7) == 5 || (op[0] & 7) == 6) && !far_done;
		uint64_t off = pick_offset(op, far);
		size_t n = (size_t)(op[3] | (op[4] & 0x3f) << 8);

		far_done |= far;

		switch (op[0] & 7) {
		case 0:
			do_write(&r, off, n, op[5]);
			break;
		case 1:
			do_truncate(&r, off);
			break;
		case 3:
			if (!reopen(&r))
				goto out;
			break;
		case 4:
			do_daemon_write(&r, off, n, op[5]);
			break;
		case 5:
		case 6:
			cancel_armed = true;
			polls = 0;
			cancel_after = (op[4] >> 6) & 1;
			if ((op[0] & 7) == 5)
				do_write(&r, off, n, op[5]);
			else
				do_truncate(&r, off);
			cancel_armed = false;
			break;
		default:
			do_read(&r, off, n);
			break;
		}
	}
	verify_all(&r);
	if (reopen(&r))
		verify_all(&r);
out:
	ecryptfs_file_close(r.f);
	return 0;
}
