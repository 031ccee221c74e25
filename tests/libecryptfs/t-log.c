/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The log callback (log.c): nothing is printed and nothing reported without
 * one; with one, the reasons behind failures arrive with their levels and the
 * caller's ctx; calls never overlap, may nest, and setting a new callback
 * waits for a running one.  Then a sample of failures over secret inputs
 * (wrong and garbled wrapped passphrases, option lists, a header, a keyring
 * key) whose messages must not hold a byte run of any secret.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <gcrypt.h>
#include <keyutils.h>

#include "libecryptfs.h"
#include "internal.h"
#include "tap.h"

/* Secrets of the sample: no English, so a window of one cannot match a message. */
#define PASS "Qz7xKw3pVt9mHq2L"
#define WRAP_PW "Jv4nRy8cXb6dWs1T"
#define WRONG_PW "Fk5gMz2hPq9rLw7N"
#define RC_SECRET "Zp3vBt8kQy6xMc4W"
#define KEY_PAYLOAD "Hd9sVq2mXw5kRz7P"
#define WINDOW 6	/* the shortest run of a secret that counts as leaked */

#define BOOK_MAX 256
struct book {
	int n;
	int levels[BOOK_MAX];
	char msgs[BOOK_MAX][512];
	int bad_ctx;
};

static struct book book;

static void collect(int level, const char *msg, void *ctx)
{
	if (ctx != &book)
		book.bad_ctx++;
	if (book.n < BOOK_MAX) {
		book.levels[book.n] = level;
		snprintf(book.msgs[book.n], sizeof(book.msgs[0]), "%s", msg);
	}
	book.n++;
}

static void book_reset(void)
{
	memset(&book, 0, sizeof(book));
}

/* Index of the first message holding text at level, or -1. */
static int book_find(int level, const char *text)
{
	for (int i = 0; i < book.n && i < BOOK_MAX; i++)
		if (book.levels[i] == level && strstr(book.msgs[i], text))
			return i;
	return -1;
}

static void book_diag(void)
{
	for (int i = 0; i < book.n && i < BOOK_MAX; i++)
		printf("#   [%d] %s\n", book.levels[i], book.msgs[i]);
}

/* The first message holding a WINDOW-byte run of secret (of len bytes), or NULL. */
static const char *leak(const char *secret, size_t len)
{
	for (int i = 0; i < book.n && i < BOOK_MAX; i++)
		for (size_t o = 0; o + WINDOW <= len; o++)
			if (memmem(book.msgs[i], strlen(book.msgs[i]), secret + o, WINDOW))
				return book.msgs[i];
	return NULL;
}

static void test_levels_and_ctx(void)
{
	char big[1000];
	int saved;

	book_reset();
	ecryptfs_set_log_callback(collect, &book);
	errno = EXDEV;
	ecryptfs_log(ECRYPTFS_LOG_INFO, "plain %d", 42);
	saved = errno;
	is_int(book.n, 1, "a message reaches the callback");
	is_int(book.levels[0], ECRYPTFS_LOG_INFO, "with its level");
	is_str(book.msgs[0], "plain 42", "formatted, without a newline");
	is_int(book.bad_ctx, 0, "and the ctx given with the callback");
	is_int(saved, EXDEV, "errno survives a message");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ecryptfs_log(ECRYPTFS_LOG_DEBUG, "%s", big);
	is_int(strlen(book.msgs[1]), 511, "a long message is cut at 511 bytes");
	ok(ECRYPTFS_LOG_ERR == 3 && ECRYPTFS_LOG_WARNING == 4 && ECRYPTFS_LOG_INFO == 6 &&
	   ECRYPTFS_LOG_DEBUG == 7, "the levels are syslog's numbers");
	ecryptfs_set_log_callback(NULL, &book);
	ecryptfs_log(ECRYPTFS_LOG_ERR, "after unset");
	is_int(book.n, 2, "none after the callback is unset");
}

/* Overlapping calls would show as busy > 1. */
static atomic_int busy, overlaps;
static int plain_count;	/* not atomic: the lock is what keeps it exact */

static void counting(int level, const char *msg, void *ctx)
{
	(void)level, (void)msg, (void)ctx;
	if (atomic_fetch_add(&busy, 1) != 0)
		atomic_fetch_add(&overlaps, 1);
	plain_count++;
	atomic_fetch_sub(&busy, 1);
}

static void *log_many(void *arg)
{
	(void)arg;
	for (int i = 0; i < 20000; i++)
		ecryptfs_log(ECRYPTFS_LOG_DEBUG, "thread message %d", i);
	return NULL;
}

static atomic_int in_slow, slow_done;

static void slow(int level, const char *msg, void *ctx)
{
	(void)level, (void)msg, (void)ctx;
	atomic_store(&in_slow, 1);
	usleep(200 * 1000);
	atomic_store(&slow_done, 1);
}

static void *log_once(void *arg)
{
	(void)arg;
	ecryptfs_log(ECRYPTFS_LOG_INFO, "slow");
	return NULL;
}

static int nested_seen;

static void nesting(int level, const char *msg, void *ctx)
{
	(void)level, (void)ctx;
	if (strcmp(msg, "outer") == 0)
		ecryptfs_log(ECRYPTFS_LOG_DEBUG, "inner");
	else if (strcmp(msg, "inner") == 0)
		nested_seen++;
	else if (strcmp(msg, "replace") == 0)
		ecryptfs_set_log_callback(NULL, NULL);
}

static void test_threads(void)
{
	pthread_t t[4];

	ecryptfs_set_log_callback(counting, NULL);
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, log_many, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	is_int(plain_count, 4 * 20000, "four threads: every message arrives once");
	is_int(atomic_load(&overlaps), 0, "and no two calls of the callback overlap");

	ecryptfs_set_log_callback(slow, NULL);
	pthread_create(&t[0], NULL, log_once, NULL);
	while (!atomic_load(&in_slow))
		usleep(1000);
	ecryptfs_set_log_callback(NULL, NULL);
	ok(atomic_load(&slow_done), "setting a callback waits for the running one to return");
	pthread_join(t[0], NULL);

	ecryptfs_set_log_callback(nesting, NULL);
	ecryptfs_log(ECRYPTFS_LOG_INFO, "outer");
	is_int(nested_seen, 1, "the callback may log again (nested, same thread)");
	ecryptfs_log(ECRYPTFS_LOG_INFO, "replace");
	ecryptfs_log(ECRYPTFS_LOG_INFO, "outer");
	is_int(nested_seen, 1, "and may unset itself");
}

/* Twelve failures over secret inputs, each with one reason to report. */
struct sample {
	uint8_t v2[ECRYPTFS_WRAPPED_MAX_BYTES], v3[ECRYPTFS_WRAPPED_MAX_BYTES];
	size_t v2_len, v3_len;
	uint8_t *hdr_buf;
	size_t hdr_len;
	struct ecryptfs_fek *fek;
	struct ecryptfs_pass_key *key;
	char key_desc[ECRYPTFS_SIG_HEX_SIZE + 1];
};

static void sample_make(struct sample *s)
{
	static const struct ecryptfs_wrap_params cheap = {
		.version = ECRYPTFS_WRAP_V3, .argon2_time = 1, .argon2_memory_kib = 64,
		.argon2_lanes = 1,
	};
	struct ecryptfs_keyset *ks = NULL;
	struct ecryptfs_policy p;

	s->key = ecryptfs_pass_key_new();
	s->fek = ecryptfs_fek_new();
	s->hdr_buf = malloc(8192);
	if (!s->key || !s->fek || !s->hdr_buf ||
	    ecryptfs_wrap(PASS, strlen(PASS), WRAP_PW, strlen(WRAP_PW), NULL, s->v2,
			  &s->v2_len) < 0 ||
	    ecryptfs_wrap(PASS, strlen(PASS), WRAP_PW, strlen(WRAP_PW), &cheap, s->v3,
			  &s->v3_len) < 0 ||
	    ecryptfs_derive_pass_key(PASS, strlen(PASS), ecryptfs_default_salt, s->key) < 0 ||
	    ecryptfs_keyset_new(&ks) < 0 || ecryptfs_keyset_add_pass_key(ks, s->key) < 0 ||
	    ecryptfs_policy_init(&p, "aes", 16) < 0 || ecryptfs_policy_add_sig(&p, s->key->sig) < 0 ||
	    ecryptfs_fek_generate(p.cipher_code, p.key_bytes, s->fek) < 0 ||
	    ecryptfs_header_build(&p, ks, s->fek, 100, false, s->hdr_buf, 8192, &s->hdr_len) < 0) {
		printf("Bail out! cannot build the sample\n");
		exit(1);
	}
	ecryptfs_keyset_free(ks);
	/* A sig-like description of our own for the keyring case. */
	snprintf(s->key_desc, sizeof(s->key_desc), "%08x%08x", (unsigned)getpid(),
		 (unsigned)time(NULL));
}

static void sample_free(struct sample *s)
{
	ecryptfs_pass_key_free(s->key);
	ecryptfs_fek_free(s->fek);
	free(s->hdr_buf);
}

/* Runs the failures; returns how many did not fail as they should. */
static int sample_run(struct sample *s)
{
	char *pass = ecryptfs_secure_alloc(ECRYPTFS_MAX_PASSPHRASE_BYTES + 1);
	struct ecryptfs_header *hdr = malloc(sizeof(*hdr));
	struct ecryptfs_pass_key *got = ecryptfs_pass_key_new();
	struct ecryptfs_fek *fek = ecryptfs_fek_new();
	struct ecryptfs_keyset *ks = NULL;
	struct ecryptfs_nvlist l;
	uint8_t buf[ECRYPTFS_WRAPPED_MAX_BYTES], *h = malloc(8192);
	char opts[400];
	size_t n;
	int wrong = 0, id, rc;

	if (!pass || !hdr || !h || !got || !fek || ecryptfs_keyset_new(&ks) < 0 ||
	    ecryptfs_keyset_add_pass_key(ks, s->key) < 0) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	/* Wrong wrapping passphrases: v2, v3, and v1 (v2's bytes after its salt). */
	wrong += ecryptfs_unwrap(s->v2, s->v2_len, WRONG_PW, strlen(WRONG_PW), NULL, pass, &n) !=
		 -EKEYREJECTED;
	wrong += ecryptfs_unwrap(s->v3, s->v3_len, WRONG_PW, strlen(WRONG_PW), NULL, pass, &n) !=
		 -EKEYREJECTED;
	wrong += ecryptfs_unwrap(s->v2 + 10, s->v2_len - 10, WRONG_PW, strlen(WRONG_PW),
				 ecryptfs_default_salt, pass, &n) != -EKEYREJECTED;
	/* Garbled: cut, a ciphertext of 17 bytes, a flipped v3 byte, a forged v3 tag. */
	wrong += ecryptfs_unwrap(s->v2, 20, WRAP_PW, strlen(WRAP_PW), NULL, pass, &n) != -EBADMSG;
	memcpy(buf, s->v2, s->v2_len);
	buf[s->v2_len] = 'x';
	wrong += ecryptfs_unwrap(buf, s->v2_len + 1, WRAP_PW, strlen(WRAP_PW), NULL, pass, &n) !=
		 -EBADMSG;
	memcpy(buf, s->v3, s->v3_len);
	buf[70] ^= 1;
	wrong += ecryptfs_unwrap(buf, s->v3_len, WRAP_PW, strlen(WRAP_PW), NULL, pass, &n) !=
		 -EBADMSG;
	/* The tag at 122, then a checksum (at 138) that matches again. */
	memcpy(buf, s->v3, s->v3_len);
	buf[122] ^= 1;
	gcry_md_hash_buffer(GCRY_MD_SHA256, buf + 138, buf, 138);
	wrong += ecryptfs_unwrap(buf, s->v3_len, WRAP_PW, strlen(WRAP_PW), NULL, pass, &n) !=
		 -EBADMSG;
	/* Option lists with secrets in the refused and in the ignored token. */
	snprintf(opts, sizeof(opts), "passphrase_passwd=%s,=%s", RC_SECRET, RC_SECRET);
	wrong += ecryptfs_nvlist_parse(opts, strlen(opts), &l) != -EINVAL;
	snprintf(opts, sizeof(opts), "a=1,passphrase_passwd=%s%s%s%s%s%s%s%s", RC_SECRET,
		 RC_SECRET, RC_SECRET, RC_SECRET, RC_SECRET, RC_SECRET, RC_SECRET, RC_SECRET);
	if (ecryptfs_nvlist_parse(opts, strlen(opts), &l) == 0)
		ecryptfs_nvlist_free(&l);
	else
		wrong++;
	/* A header with a bad tag 3 version; then a packet whose key cannot unwrap. */
	memcpy(h, s->hdr_buf, s->hdr_len);
	h[26 + 2] ^= 0xff;
	wrong += ecryptfs_header_parse(h, s->hdr_len, false, hdr) != -EBADMSG;
	if (ecryptfs_header_parse(s->hdr_buf, s->hdr_len, false, hdr) == 0) {
		hdr->packets[0].efek_len = 15;	/* no AES key has 15 bytes */
		rc = ecryptfs_header_unwrap_fek(hdr, ks, fek, NULL);
		wrong += rc == 0 || rc == -ENOKEY;
	} else {
		wrong++;
	}
	/* A "user" key named like a sig whose payload is no auth token. */
	id = add_key("user", s->key_desc, KEY_PAYLOAD, strlen(KEY_PAYLOAD), KEY_SPEC_USER_KEYRING);
	if (id >= 0) {
		wrong += ecryptfs_keyring_get(s->key_desc, got) != -EINVAL;
		keyctl_unlink(id, KEY_SPEC_USER_KEYRING);
	} else {
		printf("# add_key: %s\n", strerror(errno));
		wrong++;
	}
	ecryptfs_keyset_free(ks);
	ecryptfs_pass_key_free(got);
	ecryptfs_fek_free(fek);
	ecryptfs_secure_free(pass);
	free(hdr);
	free(h);
	return wrong;
}

/* Runs the sample with stdout and stderr on a file; returns the bytes written there. */
static long silent(struct sample *s, int *wrong)
{
	char path[] = "/tmp/t-log.XXXXXX";
	int fd = mkstemp(path), o = dup(1), e = dup(2);
	long n;

	if (fd < 0 || o < 0 || e < 0)
		return -1;
	unlink(path);
	fflush(stdout);
	dup2(fd, 1);
	dup2(fd, 2);
	*wrong = sample_run(s);
	fflush(stdout);
	fflush(stderr);
	dup2(o, 1);
	dup2(e, 2);
	close(o);
	close(e);
	n = lseek(fd, 0, SEEK_END);
	close(fd);
	return n;
}

static void test_sample(void)
{
	struct sample s;
	const char *hit;
	char kek_hex[2 * ECRYPTFS_MAX_KEY_BYTES + 1], fek_hex[2 * ECRYPTFS_MAX_KEY_BYTES + 1];
	int wrong = -1;

	ok(keyctl_join_session_keyring(NULL) > 0 && ecryptfs_keyring_link_user_session() == 0,
	   "a fresh session keyring, @u linked (so its keys are ours to read)");
	sample_make(&s);
	ecryptfs_hex_encode(s.key->kek, sizeof(s.key->kek), kek_hex);
	ecryptfs_hex_encode(s.fek->key, s.fek->key_bytes, fek_hex);

	/* First, as a program that never sets a callback. */
	book_reset();
	is_int(silent(&s, &wrong), 0, "no callback: the sample's failures print nothing");
	is_int(wrong, 0, "every failure of the sample fails as it should");
	is_int(book.n, 0, "and report nothing");

	ecryptfs_set_log_callback(collect, &book);
	is_int(sample_run(&s), 0, "with a callback: the same failures");
	ecryptfs_set_log_callback(NULL, NULL);
	is_int(book.n, 12, "each of the 12 failures reports one reason");
	book_diag();
	is_int(book.bad_ctx, 0, "all with the caller's ctx");
	ok(book_find(ECRYPTFS_LOG_ERR, "wrapped passphrase v2: the wrapping passphrase does "
		     "not give") >= 0, "v2, wrong passphrase: ERR names the signature check");
	ok(book_find(ECRYPTFS_LOG_ERR, "v3: the key-check value does not match") >= 0,
	   "v3, wrong passphrase: ERR names the key-check value");
	ok(book_find(ECRYPTFS_LOG_ERR, "version 1 files keep no salt") >= 0,
	   "v1, wrong passphrase: ERR mentions the salt");
	ok(book_find(ECRYPTFS_LOG_ERR, "v2: cut short") >= 0, "a cut v2 file: ERR");
	ok(book_find(ECRYPTFS_LOG_ERR, "a ciphertext of 17 bytes") >= 0,
	   "a v2 ciphertext of 17 bytes: ERR with the size");
	ok(book_find(ECRYPTFS_LOG_ERR, "SHA-256 checksum does not match") >= 0,
	   "a damaged v3 file: ERR names the checksum");
	ok(book_find(ECRYPTFS_LOG_ERR, "GCM tag does not verify") >= 0,
	   "a forged v3 file: ERR names the tag");
	ok(book_find(ECRYPTFS_LOG_ERR, "options: token 2 starts with '='") >= 0,
	   "an option token starting with '=': ERR with its number");
	ok(book_find(ECRYPTFS_LOG_WARNING, "options: token 2 has 128 characters or more") >= 0,
	   "an overlong option token: WARNING, as the list is still parsed");
	ok(book_find(ECRYPTFS_LOG_ERR, "key packet at offset 26: tag 3 version") >= 0,
	   "a bad tag 3: ERR with its offset");
	ok(book_find(ECRYPTFS_LOG_DEBUG, "key packet 0 (sig ") >= 0,
	   "a packet whose key does not unwrap: DEBUG, the next one is tried");
	ok(book_find(ECRYPTFS_LOG_ERR, s.key_desc) >= 0 &&
	   book_find(ECRYPTFS_LOG_ERR, "is not an eCryptfs passphrase token") >= 0,
	   "a keyring key that is no token: ERR with its description");

	hit = leak(PASS, strlen(PASS));
	ok(!hit, "no message holds the passphrase");
	if (hit)
		printf("#   in: %s\n", hit);
	hit = leak(WRAP_PW, strlen(WRAP_PW));
	ok(!hit, "nor the wrapping passphrase");
	hit = leak(WRONG_PW, strlen(WRONG_PW));
	ok(!hit, "nor the wrong one tried");
	hit = leak(RC_SECRET, strlen(RC_SECRET));
	ok(!hit, "nor an option value");
	hit = leak(KEY_PAYLOAD, strlen(KEY_PAYLOAD));
	ok(!hit, "nor a keyring payload");
	hit = leak(kek_hex, strlen(kek_hex));
	ok(!hit, "nor the KEK in hex");
	hit = leak(fek_hex, strlen(fek_hex));
	ok(!hit, "nor the FEK in hex");

	/* The leak check itself finds a planted secret. */
	book.n = 1;
	snprintf(book.msgs[0], sizeof(book.msgs[0]), "oops: ...%.7s...", &PASS[5]);
	ok(leak(PASS, strlen(PASS)) != NULL, "planted: a 7-byte run of the passphrase is found");
	snprintf(book.msgs[0], sizeof(book.msgs[0]), "fine: %.5s", &PASS[5]);
	ok(leak(PASS, strlen(PASS)) == NULL, "planted: a 5-byte run is below the window");
	sample_free(&s);
}

int main(void)
{
	test_sample();
	test_levels_and_ctx();
	test_threads();
	return tap_done();
}
