/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Wrapped passphrases v1/v2: the reference-written fixture, independently
 * made v1 fixtures, round trips, every rejection, the file write path, rewrap
 * and insertion into the keyring.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gcrypt.h>
#include <keyutils.h>

#include "libecryptfs.h"
#include "internal.h"
#include "tap.h"

#define LOGIN_PW "Alice login password 2026!"
#define MOUNT_PASS "4ae9cb5bd40905376711af7df93193a5"

static char dir[1024];
static char *pass;
static size_t pass_len;

/* Before an unwrap whose result is checked: no earlier result can pass for it. */
static void poison_pass(void)
{
	memset(pass, 'P', ECRYPTFS_MAX_PASSPHRASE_BYTES);
	pass[ECRYPTFS_MAX_PASSPHRASE_BYTES] = '\0';
	pass_len = 0;
}

static const char *data_path(const char *name)
{
	static char p[4096];
	const char *src = getenv("SRCDIR");

	snprintf(p, sizeof(p), "%s/tests/data/keys/%s", src ? src : "..", name);
	return p;
}

static const char *tmp_path(const char *name)
{
	static char p[4096];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static size_t slurp(const char *path, uint8_t *buf, size_t max)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, max, f);
		fclose(f);
	}
	return n;
}

static void spit(const char *path, const void *buf, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(buf, 1, n, f) != n) {
		perror(path);
		abort();
	}
	fclose(f);
}

static int count_entries(const char *path)
{
	char cmd[4200];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", path);
	p = popen(cmd, "r");
	if (p) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

static void test_reference_fixture(void)
{
	uint8_t buf[300];
	size_t n = slurp(data_path("setup-private-style.wrapped-passphrase"), buf, sizeof(buf));

	is_int(n, 58, "fixture is 58 bytes");
	is_int(ecryptfs_wrapped_version(buf, n), 2, "fixture is v2");
	poison_pass();
	is_int(ecryptfs_unwrap(buf, n, LOGIN_PW, strlen(LOGIN_PW), NULL, pass, &pass_len), 0,
	       "reference v2 file unwraps");
	is_str(pass, MOUNT_PASS, "to the mount passphrase");
	is_int(pass_len, 32, "of 32 bytes");
	is_int(ecryptfs_unwrap(buf, n, "alice login password 2026!", 26, NULL, pass, &pass_len),
	       -EKEYREJECTED, "wrong login password: -EKEYREJECTED");
	poison_pass();
	is_int(ecryptfs_unwrap_file(data_path("setup-private-style.wrapped-passphrase"), LOGIN_PW,
				    strlen(LOGIN_PW), NULL, pass, &pass_len), 0, "unwrap_file");
	is_str(pass, MOUNT_PASS, "unwrap_file result");
}

static void test_v1_fixtures(void)
{
	static const struct {
		const char *file, *pass, *wpw, *salt;
	} v1[] = {
		{ "wp01", "This is test #1", "Wrapping pass", "0011223344556677" },
		{ "wp02", "a64", "z64", "0011223344556677" },
		{ "wp03", "a64", "z64", "5a175a175a175a17" },
		{ "wp04", "!", "*", "0011223344556677" },
		{ "wp05", "!", "*", "0123456789abcdef" },
	};
	char a64[65], z64[65];

	memset(a64, 'a', 64);
	a64[64] = '\0';
	memset(z64, 'z', 64);
	z64[64] = '\0';
	for (size_t i = 0; i < sizeof(v1) / sizeof(v1[0]); i++) {
		const char *want = strcmp(v1[i].pass, "a64") ? v1[i].pass : a64;
		const char *wpw = strcmp(v1[i].wpw, "z64") ? v1[i].wpw : z64;
		uint8_t salt[8], other[8], buf[300];
		size_t n = slurp(data_path(v1[i].file), buf, sizeof(buf));

		tap_unhex(v1[i].salt, salt, sizeof(salt));
		poison_pass();
		is_int(ecryptfs_wrapped_version(buf, n), 1, "%s is v1", v1[i].file);
		is_int(ecryptfs_unwrap(buf, n, wpw, strlen(wpw), salt, pass, &pass_len), 0,
		       "%s unwraps with salt %s", v1[i].file, v1[i].salt);
		is_str(pass, want, "%s passphrase", v1[i].file);
		memcpy(other, salt, 8);
		other[7] ^= 1;
		is_int(ecryptfs_unwrap(buf, n, wpw, strlen(wpw), other, pass, &pass_len),
		       -EKEYREJECTED, "%s with another salt: -EKEYREJECTED", v1[i].file);
	}
}

/* Decrypt a v2 file with nothing but libgcrypt and the KDF. */
static int independent_v2_unwrap(const uint8_t *buf, size_t n, const char *wpw, char *out)
{
	struct ecryptfs_pass_key *k = ecryptfs_pass_key_new();
	gcry_cipher_hd_t h;
	int rc = -1;

	if (ecryptfs_derive_pass_key(wpw, strlen(wpw), buf + 2, k) == 0 &&
	    memcmp(k->sig_hex, buf + 10, 16) == 0 &&
	    !gcry_cipher_open(&h, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_ECB, 0)) {
		gcry_cipher_setkey(h, k->kek, 16);
		memset(out, 0, 65);
		gcry_cipher_decrypt(h, out, n - 26, buf + 26, n - 26);
		gcry_cipher_close(h);
		rc = 0;
	}
	ecryptfs_pass_key_free(k);
	return rc;
}

static void test_round_trips(void)
{
	char p[80], wpw[80], indep[65];
	uint8_t out[ECRYPTFS_WRAPPED_MAX_BYTES], out2[ECRYPTFS_WRAPPED_MAX_BYTES];
	size_t out_len = 0, out2_len = 0;
	int bad = 0, bad_len = 0, bad_indep = 0;

	for (size_t len = 1; len <= 64; len++) {
		for (size_t i = 0; i < len; i++)
			p[i] = (char)('!' + (i * 7 + len) % 90);
		snprintf(wpw, sizeof(wpw), "w\xc3\xa9 %zu", len);	/* UTF-8 */
		if (ecryptfs_wrap(p, len, wpw, strlen(wpw), NULL, out, &out_len) < 0 ||
		    ecryptfs_unwrap(out, out_len, wpw, strlen(wpw), NULL, pass, &pass_len) < 0 ||
		    pass_len != len || memcmp(pass, p, len) != 0) {
			bad++;
			printf("# round trip of %zu bytes failed\n", len);
		}
		if (out_len != 26 + (len + 15) / 16 * 16 || out[0] != ':' || out[1] != 2)
			bad_len++;
		if (independent_v2_unwrap(out, out_len, wpw, indep) < 0 || strlen(indep) != len ||
		    memcmp(indep, p, len) != 0)
			bad_indep++;
	}
	is_int(bad, 0, "v2 round trips for passphrase lengths 1..64");
	is_int(bad_len, 0, "v2 layout ':' 0x02, size 26 + 16*ceil(len/16)");
	is_int(bad_indep, 0, "independent AES-ECB decryption agrees");

	memset(p, 'q', 65);
	is_int(ecryptfs_wrap(p, 65, "w", 1, NULL, out, &out_len), -EINVAL, "65-byte passphrase rejected");
	is_int(ecryptfs_wrap(p, 0, "w", 1, NULL, out, &out_len), -EINVAL, "empty passphrase rejected");
	is_int(ecryptfs_wrap("x", 1, p, 65, NULL, out, &out_len), -EINVAL,
	       "65-byte wrapping passphrase rejected");
	is_int(ecryptfs_wrap("x", 1, "", 0, NULL, out, &out_len), -EINVAL,
	       "empty wrapping passphrase rejected");
	is_int(ecryptfs_wrap("a\0b", 3, "w", 1, NULL, out, &out_len), -EINVAL, "NUL in passphrase rejected");
	{
		struct ecryptfs_wrap_params v1 = { .version = ECRYPTFS_WRAP_V1 };
		struct ecryptfs_wrap_params v9 = { .version = 9 };

		is_int(ecryptfs_wrap("x", 1, "w", 1, &v1, out, &out_len), -EINVAL, "v1 is never written");
		is_int(ecryptfs_wrap("x", 1, "w", 1, &v9, out, &out_len), -ENOTSUP, "unknown version");
	}
	out_len = 0;
	is_int(ecryptfs_wrap(p, 64, "w", 1, NULL, out, &out_len), 0, "wrap a 64-byte passphrase");
	is_int(out_len, 90, "64-byte passphrase: 90 bytes, no extra block");
	out_len = out2_len = 0;
	ok(ecryptfs_wrap(p, 16, "w", 1, NULL, out, &out_len) == 0 &&
	   ecryptfs_wrap(p, 16, "w", 1, NULL, out2, &out2_len) == 0, "wrap a 16-byte passphrase twice");
	is_int(out_len, 42, "16-byte passphrase: 42 bytes");
	ok(out_len == 42 && out_len == out2_len && memcmp(out, out2, out_len) != 0,
	   "two wraps differ (random salt)");
	is_int(ecryptfs_unwrap(out, out_len, p, 65, NULL, pass, &pass_len), -EINVAL,
	       "unwrap with a 65-byte wrapping passphrase: -EINVAL");
}

static void test_bad_files(void)
{
	uint8_t good[ECRYPTFS_WRAPPED_MAX_BYTES], bad[ECRYPTFS_WRAPPED_MAX_BYTES + 32];
	size_t n = 0;

	is_int(ecryptfs_wrap("some passphrase", 15, "pw", 2, NULL, good, &n), 0, "wrap the good file");
	is_int(ecryptfs_wrapped_version(good, 0), -EBADMSG, "empty: -EBADMSG");
	is_int(ecryptfs_unwrap(good, 0, "pw", 2, NULL, pass, &pass_len), -EBADMSG, "unwrap empty: -EBADMSG");
	is_int(ecryptfs_wrapped_version((const uint8_t *)":", 1), -EBADMSG, "':' alone: -EBADMSG");
	is_int(ecryptfs_wrapped_version(good, 26), -EBADMSG, "v2 without ciphertext: -EBADMSG");
	is_int(ecryptfs_wrapped_version(good, 20), -EBADMSG, "v2 cut in the sig: -EBADMSG");
	is_int(ecryptfs_unwrap(good, n - 1, "pw", 2, NULL, pass, &pass_len), -EBADMSG,
	       "v2 one byte short: -EBADMSG");
	memcpy(bad, good, n);
	memcpy(bad + n, good + 26, 16);
	is_int(ecryptfs_wrapped_version(bad, n + 16), 2, "v2 with 32 bytes of ciphertext is fine");
	memset(bad + 26, 0, 80);
	is_int(ecryptfs_wrapped_version(bad, 26 + 80), -EBADMSG, "v2 with 80 bytes of ciphertext: -EBADMSG");
	memcpy(bad, good, n);
	bad[1] = 4;
	is_int(ecryptfs_wrapped_version(bad, n), -ENOTSUP, "version byte 4: -ENOTSUP");
	is_int(ecryptfs_unwrap(bad, n, "pw", 2, NULL, pass, &pass_len), -ENOTSUP, "unwrap v4: -ENOTSUP");
	bad[1] = 0;
	is_int(ecryptfs_wrapped_version(bad, n), -ENOTSUP, "version byte 0: -ENOTSUP");
	bad[1] = 1;
	is_int(ecryptfs_wrapped_version(bad, n), -EBADMSG, "':' 0x01: -EBADMSG");
	bad[1] = 3;
	is_int(ecryptfs_wrapped_version(bad, n), -EBADMSG, "v2 body under a v3 byte: -EBADMSG");
	memcpy(bad, good, n);
	bad[12] = 'g';
	is_int(ecryptfs_wrapped_version(bad, n), -EBADMSG, "non-hex sig in v2: -EBADMSG");
	memcpy(bad, "0123456789abcdeX", 16);
	memset(bad + 16, 1, 16);
	is_int(ecryptfs_wrapped_version(bad, 32), -EBADMSG, "v1 with a non-hex sig: -EBADMSG");
	memcpy(bad, "0123456789abcdef", 16);
	is_int(ecryptfs_wrapped_version(bad, 32), 1, "v1 shape recognised");
	is_int(ecryptfs_wrapped_version(bad, 16), -EBADMSG, "v1 without ciphertext: -EBADMSG");
	is_int(ecryptfs_wrapped_version(bad, 24), -EBADMSG, "v1 ciphertext not a whole block: -EBADMSG");
	is_int(ecryptfs_unwrap(bad, 32, "pw", 2, ecryptfs_default_salt, pass, &pass_len),
	       -EKEYREJECTED, "v1 with a sig of another key: -EKEYREJECTED");
	memset(bad, 0, 32);
	is_int(ecryptfs_wrapped_version(bad, 32), -EBADMSG, "zeros: -EBADMSG");
	/* v2 whose ciphertext decrypts to nothing under the right key. */
	{
		struct ecryptfs_pass_key *k = ecryptfs_pass_key_new();
		gcry_cipher_hd_t h;

		memcpy(bad, good, 26);
		ecryptfs_derive_pass_key("pw", 2, good + 2, k);
		gcry_cipher_open(&h, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_ECB, 0);
		gcry_cipher_setkey(h, k->kek, 16);
		memset(bad + 26, 0, 16);
		gcry_cipher_encrypt(h, bad + 26, 16, NULL, 0);
		gcry_cipher_close(h);
		ecryptfs_pass_key_free(k);
		is_int(ecryptfs_unwrap(bad, 42, "pw", 2, NULL, pass, &pass_len), -EBADMSG,
		       "ciphertext of an empty passphrase: -EBADMSG");
	}
}

static void test_files(void)
{
	uint8_t buf[400], before[400], after[400];
	size_t n = 0, nb, na;
	struct stat st;
	mode_t old_umask;

	old_umask = umask(0277);
	is_int(ecryptfs_wrap_file(tmp_path("wp"), "file pass", 9, "pw1", 3, NULL), 0, "wrap_file");
	umask(old_umask);
	/* Not inside ok(): its arguments may be evaluated before the stat. */
	memset(&st, 0, sizeof(st));
	{
		bool have = stat(tmp_path("wp"), &st) == 0;

		ok(have && (st.st_mode & 07777) == 0600, "mode 0600 even under umask 0277 (%o)",
		   (unsigned)(st.st_mode & 07777));
	}
	is_int(count_entries(dir), 1, "no temporary file left");
	poison_pass();
	is_int(ecryptfs_unwrap_file(tmp_path("wp"), "pw1", 3, NULL, pass, &pass_len), 0, "unwrap_file");
	is_str(pass, "file pass", "file round trip");
	is_int(ecryptfs_wrapped_read_file(tmp_path("wp"), buf, &n), 0, "read_file");
	is_int(n, 42, "read_file length");
	is_int(ecryptfs_wrapped_read_file(tmp_path("missing"), buf, &n), -ENOENT, "missing file: -ENOENT");
	is_int(ecryptfs_unwrap_file(tmp_path("missing"), "pw", 2, NULL, pass, &pass_len), -ENOENT,
	       "unwrap missing file: -ENOENT");
	memset(buf, 'a', 300);
	spit(tmp_path("big"), buf, 300);
	is_int(ecryptfs_wrapped_read_file(tmp_path("big"), buf, &n), -EFBIG, "300-byte file: -EFBIG");
	is_int(ecryptfs_wrapped_read_file(dir, buf, &n), -EISDIR, "a directory: -EISDIR");
	spit(tmp_path("empty"), "", 0);
	is_int(ecryptfs_unwrap_file(tmp_path("empty"), "pw", 2, NULL, pass, &pass_len), -EBADMSG,
	       "empty file: -EBADMSG");
	is_int(ecryptfs_wrap_file(tmp_path("nodir/wp"), "x", 1, "pw", 2, NULL), -ENOENT,
	       "missing directory: -ENOENT");
	mkdir(tmp_path("adir"), 0700);
	mkdir(tmp_path("adir/sub"), 0700);
	is_int(ecryptfs_wrap_file(tmp_path("adir/sub"), "x", 1, "pw", 2, NULL), -EISDIR,
	       "target is a directory: fails");
	is_int(count_entries(tmp_path("adir")), 1, "and its temporary file is removed");

	/* Rewrap: wrong old passphrase and a bad new one leave the file alone. */
	nb = slurp(tmp_path("wp"), before, sizeof(before));
	is_int(ecryptfs_rewrap_file(tmp_path("wp"), "nope", 4, "pw2", 3, NULL, NULL), -EKEYREJECTED,
	       "rewrap with a wrong old passphrase: -EKEYREJECTED");
	na = slurp(tmp_path("wp"), after, sizeof(after));
	ok(na == nb && memcmp(before, after, nb) == 0, "file byte-identical after a failed rewrap");
	memset(buf, 'n', 65);
	is_int(ecryptfs_rewrap_file(tmp_path("wp"), "pw1", 3, (char *)buf, 65, NULL, NULL), -EINVAL,
	       "rewrap to a 65-byte passphrase: -EINVAL");
	na = slurp(tmp_path("wp"), after, sizeof(after));
	ok(na == nb && memcmp(before, after, nb) == 0, "file byte-identical after it too");
	is_int(ecryptfs_rewrap_file(tmp_path("wp"), "pw1", 3, "pw2", 3, NULL, NULL), 0, "rewrap");
	is_int(ecryptfs_unwrap_file(tmp_path("wp"), "pw1", 3, NULL, pass, &pass_len), -EKEYREJECTED,
	       "old passphrase fails afterwards");
	poison_pass();
	is_int(ecryptfs_unwrap_file(tmp_path("wp"), "pw2", 3, NULL, pass, &pass_len), 0,
	       "new passphrase works");
	is_str(pass, "file pass", "same mount passphrase");

	/* v1 -> v2 migration. */
	n = slurp(data_path("wp01"), buf, sizeof(buf));
	spit(tmp_path("v1"), buf, n);
	is_int(ecryptfs_rewrap_file(tmp_path("v1"), "Wrapping pass", 13, "New pass", 8,
				    ecryptfs_default_salt, NULL), 0, "rewrap a v1 file");
	n = slurp(tmp_path("v1"), buf, sizeof(buf));
	is_int(ecryptfs_wrapped_version(buf, n), 2, "it is v2 now");
	poison_pass();
	is_int(ecryptfs_unwrap_file(tmp_path("v1"), "New pass", 8, NULL, pass, &pass_len), 0,
	       "unwraps with the new passphrase");
	is_str(pass, "This is test #1", "v1 passphrase carried over");
	is_int(ecryptfs_unwrap_file(tmp_path("v1"), "Wrapping pass", 13, ecryptfs_default_salt, pass,
				    &pass_len), -EKEYREJECTED, "the old one fails");
	is_int(ecryptfs_wrapped_write_file(tmp_path("x"), buf, 0), -EINVAL, "writing nothing: -EINVAL");
}

/* Nothing from the child on fd within ms milliseconds: 1; its byte: 0. */
static int quiet_for(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 0;
}

/*
 * ecryptfs_wrapped_lock: flock on the file, waited for, and taken again on
 * the file that was renamed over the one it waited for.
 */
static void test_lock(void)
{
	uint8_t buf[ECRYPTFS_WRAPPED_MAX_BYTES];
	size_t len = 0;
	int l1 = -1, fd2, pfd[2], status = -1;
	char c = 0;
	pid_t pid;

	is_int(ecryptfs_wrapped_lock(tmp_path("nothing"), &l1), -ENOENT, "lock: missing file: -ENOENT");
	is_int(l1, -1, "... and no descriptor");
	is_int(ecryptfs_wrapped_lock(dir, &l1), -EISDIR, "lock: a directory: -EISDIR");
	ok(mkfifo(tmp_path("lock-fifo"), 0600) == 0, "FIFO made");
	is_int(ecryptfs_wrapped_lock(tmp_path("lock-fifo"), &l1), -EINVAL,
	       "lock: a FIFO (never opened, so no hang): -EINVAL");
	ecryptfs_wrapped_unlock(-1);

	is_int(ecryptfs_wrap_file(tmp_path("lk"), "lock pass", 9, "A", 1, NULL), 0, "lock: a file");
	is_int(ecryptfs_wrapped_lock(tmp_path("lk"), &l1), 0, "lock it");
	ok(l1 >= 0, "a descriptor");
	ok(pipe(pfd) == 0, "pipe");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int fd = -1, rc;

		/* Our copy of the holder's descriptor would hold its lock. */
		close(l1);
		rc = ecryptfs_wrapped_lock(tmp_path("lk"), &fd);

		(void)!write(pfd[1], rc == 0 ? "L" : "E", 1);
		ecryptfs_wrapped_unlock(fd);
		_exit(0);
	}
	close(pfd[1]);
	ok(quiet_for(pfd[0], 300), "another process waits while it is held");
	/* As a rewrap does: the new file renamed over, still under the lock. */
	is_int(ecryptfs_wrap("lock pass", 9, "B", 1, NULL, buf, &len), 0, "wrap anew");
	is_int(ecryptfs_wrapped_write_file(tmp_path("lk"), buf, len), 0, "rename it over the file");
	fd2 = open(tmp_path("lk"), O_RDONLY);
	ok(fd2 >= 0 && flock(fd2, LOCK_EX | LOCK_NB) == 0, "the new file is not locked yet: take it");
	ecryptfs_wrapped_unlock(l1);
	ok(quiet_for(pfd[0], 300), "the waiter, woken on the old file, waits for the new one");
	close(fd2);
	ok(!quiet_for(pfd[0], 10000) && read(pfd[0], &c, 1) == 1 && c == 'L',
	   "and gets it once that is released");
	close(pfd[0]);
	if (c != 'L')
		kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "waiter exited");
	/* Callers holding the lock write with ecryptfs_wrapped_write_file. */
	is_int(ecryptfs_rewrap_file(tmp_path("lk"), "B", 1, "C", 1, NULL, NULL), 0,
	       "rewrap_file takes and releases it");
	is_int(ecryptfs_wrapped_lock(tmp_path("lk"), &l1), 0, "free again afterwards");
	ecryptfs_wrapped_unlock(l1);
}

/*
 * An unwritable directory: root ignores modes, so a child becomes nobody.
 * The directory lives under /tmp (not the 0700 scratch directory of the
 * runner) so that nobody can reach and read the file but not write there.
 */
static void test_unwritable_dir(void)
{
	uint8_t before[400], after[400];
	char ro[64], wp[96], cmd[128];
	size_t nb, na;
	int status = -1;
	pid_t pid;

	snprintf(ro, sizeof(ro), "/tmp/t-wrap-ro.XXXXXX");
	if (!ok(mkdtemp(ro) != NULL, "scratch directory under /tmp"))
		return;
	snprintf(wp, sizeof(wp), "%s/wp", ro);
	ecryptfs_wrap_file(wp, "ro pass", 7, "old", 3, NULL);
	nb = slurp(wp, before, sizeof(before));
	ok(chown(ro, 65534, 65534) == 0 && chown(wp, 65534, 65534) == 0 && chmod(ro, 0555) == 0,
	   "read-only directory owned by nobody");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *p = ecryptfs_secure_alloc(65);
		size_t n = 0;
		int rc;

		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(100);
		/* Readable, so the failure below is the directory's. */
		if (ecryptfs_unwrap_file(wp, "old", 3, NULL, p, &n) != 0 || strcmp(p, "ro pass") != 0)
			_exit(101);
		rc = ecryptfs_rewrap_file(wp, "old", 3, "new", 3, NULL, NULL);
		_exit(rc == -EACCES ? 0 : 102);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "as nobody: file readable, rewrap fails with -EACCES (status %d)", status);
	na = slurp(wp, after, sizeof(after));
	ok(na == nb && memcmp(before, after, nb) == 0, "old file byte-identical");
	is_int(count_entries(ro), 1, "nothing else in the directory");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", ro);
	(void)!system(cmd);
}

/* The user keyring is per user namespace: a private one keeps tests apart. */
static int private_keyrings(void)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	char map[64];
	int fd;

	if (unshare(CLONE_NEWUSER) < 0) {
		/* Still a fresh session; @u is then the machine's, shared. */
		printf("# no user namespace (%s): using the shared user keyring\n", strerror(errno));
		return keyctl_join_session_keyring(NULL) < 0 ? -errno : 0;
	}
	fd = open("/proc/self/setgroups", O_WRONLY);
	if (fd >= 0) {
		(void)!write(fd, "deny", 4);
		close(fd);
	}
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	fd = open("/proc/self/uid_map", O_WRONLY);
	if (fd < 0 || write(fd, map, strlen(map)) < 0)
		return -errno;
	close(fd);
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	fd = open("/proc/self/gid_map", O_WRONLY);
	if (fd < 0 || write(fd, map, strlen(map)) < 0)
		return -errno;
	close(fd);
	if (keyctl_join_session_keyring(NULL) < 0)
		return -errno;
	return 0;
}

static void test_insert(void)
{
	char sig[17] = "", fnek[17] = "", sigfile[40] = "";
	struct ecryptfs_pass_key *k = ecryptfs_pass_key_new();
	size_t n = slurp(data_path("setup-private-style.Private.sig"), (uint8_t *)sigfile, 39);

	sigfile[n] = '\0';
	is_int(private_keyrings(), 0, "fresh keyrings (a private user keyring where possible)");
	is_int(ecryptfs_keyring_link_user_session(), 0, "link @u into @s");
	is_int(ecryptfs_insert_wrapped_into_keyring(data_path("setup-private-style.wrapped-passphrase"),
						    LOGIN_PW, strlen(LOGIN_PW), ecryptfs_default_salt,
						    sig, fnek), 0, "insert the fixture into the keyring");
	is_str(sig, "922556c260679dc7", "data key sig");
	is_str(fnek, "417c2dc550a14afc", "FNEK sig");
	ok(strlen(sigfile) == 34 && strncmp(sigfile, sig, 16) == 0 && sigfile[16] == '\n' &&
	   strncmp(sigfile + 17, fnek, 16) == 0, "both equal the lines of Private.sig");
	is_int(ecryptfs_keyring_get(sig, k), 0, "data key in @u");
	is_mem(k->salt, ecryptfs_default_salt, 8, "with the default salt");
	is_int(ecryptfs_keyring_get(fnek, k), 0, "FNEK in @u");
	is_mem(k->salt, "99887766", 8, "with the ASCII FNEK salt");
	is_int(ecryptfs_insert_wrapped_into_keyring(data_path("setup-private-style.wrapped-passphrase"),
						    LOGIN_PW, strlen(LOGIN_PW), ecryptfs_default_salt,
						    NULL, NULL), 0, "inserting again is fine");
	ecryptfs_keyring_unlink(sig);
	ecryptfs_keyring_unlink(fnek);
	is_int(ecryptfs_insert_wrapped_into_keyring(data_path("setup-private-style.wrapped-passphrase"),
						    "wrong", 5, NULL, sig, fnek), -EKEYREJECTED,
	       "wrong password: -EKEYREJECTED");
	is_int(ecryptfs_keyring_find("922556c260679dc7", NULL), -ENOKEY, "and no data key added");
	is_int(ecryptfs_keyring_find("417c2dc550a14afc", NULL), -ENOKEY, "and no FNEK added");
	ecryptfs_pass_key_free(k);
}

int main(void)
{
	const char *t = getenv("TESTTMP");

	snprintf(dir, sizeof(dir), "%s/t-wrap.XXXXXX", t ? t : "/tmp");
	if (!mkdtemp(dir)) {
		perror(dir);
		return 1;
	}
	pass = ecryptfs_secure_alloc(ECRYPTFS_MAX_PASSPHRASE_BYTES + 1);
	test_reference_fixture();
	test_v1_fixtures();
	test_round_trips();
	test_bad_files();
	test_files();
	test_lock();
	test_unwritable_dir();
	test_insert();
	ecryptfs_secure_free(pass);
	{
		char cmd[4200];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		(void)!system(cmd);
	}
	return tap_done();
}
