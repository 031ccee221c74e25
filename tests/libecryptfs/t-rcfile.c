/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The rc-file tokenizer (doc/compatibility.md §2.4), the size limits and the user salt. */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libecryptfs.h"
#include "internal.h"
#include "tap.h"

static char dir[1024];

static const char *tmp_path(const char *name)
{
	static char p[4200];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static void spit(const char *p, const char *s, size_t n)
{
	FILE *f = fopen(p, "wb");

	if (!f || fwrite(s, 1, n, f) != n) {
		perror(p);
		abort();
	}
	fclose(f);
}

static int parse(const char *s, struct ecryptfs_nvlist *l)
{
	return ecryptfs_nvlist_parse(s, strlen(s), l);
}

static bool entry_is(const struct ecryptfs_nvlist *l, size_t i, const char *name, const char *value)
{
	if (i >= l->n || strcmp(l->v[i].name, name) != 0)
		return false;
	if (!value || !l->v[i].value)
		return value == l->v[i].value;
	return strcmp(l->v[i].value, value) == 0;
}

static void test_tokenizer(void)
{
	struct ecryptfs_nvlist l = { NULL, 0 };
	char big[300];

	is_int(parse("a=1,b=2\nc", &l), 0, "parse");
	is_int(l.n, 3, "three entries");
	ok(entry_is(&l, 0, "a", "1") && entry_is(&l, 1, "b", "2") && entry_is(&l, 2, "c", NULL),
	   "',' and '\\n' separate; a bare name has no value");
	ecryptfs_nvlist_free(&l);
	ok(l.v == NULL && l.n == 0, "free resets the list");

	parse("passphrase_passwd=a=b", &l);
	ok(l.n == 1 && entry_is(&l, 0, "passphrase_passwd=a", "b"), "split at the last '='");
	ecryptfs_nvlist_free(&l);

	parse("key=passphrase:passphrase_passwd=x:verbosity=0,cipher=aes", &l);
	ok(l.n == 4 && entry_is(&l, 0, "key", "passphrase") &&
	   entry_is(&l, 1, "passphrase_passwd", "x") && entry_is(&l, 2, "verbosity", "0") &&
	   entry_is(&l, 3, "cipher", "aes"), "key=mod:a=1:b=2 expanded");
	ecryptfs_nvlist_free(&l);

	/* The pkcs11 key module's uri= (doc/ecryptfs-key-mod-pkcs11.7). */
	parse("key=pkcs11:uri=pkcs11:token=t;id=%01:pin_file=/p,x=pkcs11:object=k1", &l);
	ok(l.n == 4 && entry_is(&l, 0, "key", "pkcs11") &&
	   entry_is(&l, 1, "uri", "pkcs11:token=t;id=%01") && entry_is(&l, 2, "pin_file", "/p") &&
	   entry_is(&l, 3, "x", "pkcs11:object=k1"),
	   "a PKCS#11 URI value keeps its ':' and '=' signs, in key= and alone");
	ecryptfs_nvlist_free(&l);
	parse("key=pkcs11:uri=pkcs11", &l);
	ok(l.n == 2 && entry_is(&l, 1, "uri", "pkcs11"), "... a bare scheme at the end stays a value");
	ecryptfs_nvlist_free(&l);

	parse("passwd=a:b", &l);
	ok(l.n == 1 && entry_is(&l, 0, "passwd", "a:b"), "':' elsewhere is part of the value");
	ecryptfs_nvlist_free(&l);

	is_int(parse("a=1,=b", &l), -EINVAL, "token starting with '=': -EINVAL");
	ok(l.v == NULL && l.n == 0, "nothing returned on error");
	is_int(parse(":x", &l), -EINVAL, "token starting with ':': -EINVAL");
	is_int(parse("key=a:=b", &l), -EINVAL, "key sub-token starting with '=': -EINVAL");

	is_int(parse(",,a,,\n\n,b=,", &l), 0, "empty tokens");
	ok(l.n == 2 && entry_is(&l, 0, "a", NULL) && entry_is(&l, 1, "b", ""), "are skipped; b= is empty");
	ecryptfs_nvlist_free(&l);

	parse(" a = 1 ", &l);
	ok(l.n == 1 && entry_is(&l, 0, " a ", " 1 "), "spaces are kept");
	ecryptfs_nvlist_free(&l);

	memset(big, 'x', sizeof(big));
	memcpy(big, "a=1,", 4);
	memcpy(big + 4 + 127, ",b=2,", 5);
	big[4 + 127 + 5] = '\0';
	parse(big, &l);
	ok(l.n == 3 && strlen(l.v[1].name) == 127 && entry_is(&l, 2, "b", "2"), "127-character token kept");
	ecryptfs_nvlist_free(&l);
	memset(big, 'x', sizeof(big));
	memcpy(big, "a=1,", 4);
	memcpy(big + 4 + 128, ",b=2", 5);
	is_int(parse(big, &l), 0, "128-character token");
	ok(l.n == 1 && entry_is(&l, 0, "a", "1"), "ends the parse silently");
	ecryptfs_nvlist_free(&l);

	is_int(ecryptfs_nvlist_parse("a=1\0b=2", 7, &l), 0, "embedded NUL");
	is_int(l.n, 1, "ends the input");
	ecryptfs_nvlist_free(&l);

	parse("salt=1,x,salt=2,y=", &l);
	is_str(ecryptfs_nvlist_get(&l, "salt"), "2", "get: the last entry wins");
	ok(ecryptfs_nvlist_get(&l, "x") == NULL, "get: valueless is NULL");
	ok(ecryptfs_nvlist_get(&l, "zz") == NULL, "get: absent is NULL");
	is_str(ecryptfs_nvlist_get(&l, "y"), "", "get: empty value");
	ecryptfs_nvlist_free(&l);

	is_int(ecryptfs_nvlist_parse("", 0, &l), 0, "empty input");
	is_int(l.n, 0, "no entries");
	ecryptfs_nvlist_free(&l);
	ecryptfs_nvlist_free(NULL);
	is_int(ecryptfs_nvlist_parse("a", 1, NULL), -EINVAL, "NULL list: -EINVAL");
}

static void test_files(void)
{
	struct ecryptfs_nvlist l = { NULL, 0 };
	char *big = malloc(0xA001);
	int pfd[2], status;
	pid_t pid;

	is_int(ecryptfs_nvlist_parse_file(tmp_path("missing"), &l), -ENOENT, "missing file: -ENOENT");
	memset(big, ',', 0xA001);
	memcpy(big + 0xA000 - 6, "salt=1", 6);
	spit(tmp_path("max"), big, 0xA000);
	is_int(ecryptfs_nvlist_parse_file(tmp_path("max"), &l), 0, "0xA000-byte file");
	ok(l.n == 1 && entry_is(&l, 0, "salt", "1"), "read to its end");
	ecryptfs_nvlist_free(&l);
	spit(tmp_path("over"), big, 0xA001);
	is_int(ecryptfs_nvlist_parse_file(tmp_path("over"), &l), -EFBIG, "0xA001-byte file: -EFBIG");
	is_int(ecryptfs_nvlist_parse_file(dir, &l), -EISDIR, "a directory: -EISDIR");

	/* FIFOs arrive in pieces. */
	ok(mkfifo(tmp_path("fifo"), 0600) == 0, "FIFO made");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		FILE *f = fopen(tmp_path("fifo"), "w");

		free(big);	/* the child's copy; keeps valgrind runs clean */

		for (int i = 0; f && i < 300; i++) {
			fprintf(f, "name%03d=value%03d\n", i, i);
			if (i % 50 == 0)
				fflush(f);
		}
		_exit(f && fclose(f) == 0 ? 0 : 1);
	}
	is_int(ecryptfs_nvlist_parse_file(tmp_path("fifo"), &l), 0, "FIFO parsed");
	waitpid(pid, &status, 0);
	ok(l.n == 300 && entry_is(&l, 299, "name299", "value299"), "all 300 entries from the FIFO");
	ecryptfs_nvlist_free(&l);

	ok(pipe(pfd) == 0, "pipe");
	(void)!write(pfd[1], "passwd=secret\n", 14);
	close(pfd[1]);
	is_int(ecryptfs_nvlist_parse_fd(pfd[0], &l), 0, "parse_fd on a pipe");
	is_str(ecryptfs_nvlist_get(&l, "passwd"), "secret", "passwd from the pipe");
	ecryptfs_nvlist_free(&l);
	close(pfd[0]);
	is_int(ecryptfs_nvlist_parse_fd(-1, &l), -EINVAL, "bad fd: -EINVAL");
	free(big);
}

/* Passphrase files: a NUL is refused, not a place where the input ends. */
static void test_secret_files(void)
{
	struct ecryptfs_nvlist l = { NULL, 0 };
	int pfd[2];

	spit(tmp_path("s-nul"), "passwd=ab\0cd\n", 13);
	is_int(ecryptfs_nvlist_parse_secret_file(tmp_path("s-nul"), &l), -EILSEQ,
	       "secret file with a NUL inside: -EILSEQ");
	is_int(ecryptfs_nvlist_parse_file(tmp_path("s-nul"), &l), 0, "the plain parse takes it");
	is_str(ecryptfs_nvlist_get(&l, "passwd"), "ab", "... cut at the NUL, as the reference");
	ecryptfs_nvlist_free(&l);
	spit(tmp_path("s-nul2"), "passwd=ab\0\0", 11);
	is_int(ecryptfs_nvlist_parse_secret_file(tmp_path("s-nul2"), &l), -EILSEQ,
	       "two final NULs: -EILSEQ");
	spit(tmp_path("s-nul3"), "\0passwd=ab", 10);
	is_int(ecryptfs_nvlist_parse_secret_file(tmp_path("s-nul3"), &l), -EILSEQ,
	       "a NUL first: -EILSEQ");
	spit(tmp_path("s-final"), "passwd=ab\0", 10);
	is_int(ecryptfs_nvlist_parse_secret_file(tmp_path("s-final"), &l), 0, "a final NUL");
	is_str(ecryptfs_nvlist_get(&l, "passwd"), "ab", "... ends the passphrase");
	ecryptfs_nvlist_free(&l);
	spit(tmp_path("s-final-nl"), "passwd=ab\0\n", 11);
	is_int(ecryptfs_nvlist_parse_secret_file(tmp_path("s-final-nl"), &l), 0,
	       "a NUL before a final newline");
	is_str(ecryptfs_nvlist_get(&l, "passwd"), "ab", "... ends the passphrase too");
	ecryptfs_nvlist_free(&l);
	spit(tmp_path("s-plain"), "salt=0011223344556677\npasswd=a,b\n", 33);
	is_int(ecryptfs_nvlist_parse_secret_file(tmp_path("s-plain"), &l), 0, "no NUL: parsed");
	ok(l.n == 3 && entry_is(&l, 1, "passwd", "a"), "as by the plain parse");
	ecryptfs_nvlist_free(&l);
	is_int(ecryptfs_nvlist_parse_secret_file(tmp_path("max"), &l), 0, "0xA000 bytes: parsed");
	ecryptfs_nvlist_free(&l);
	is_int(ecryptfs_nvlist_parse_secret_file(tmp_path("over"), &l), -EFBIG, "0xA001 bytes: -EFBIG");
	is_int(ecryptfs_nvlist_parse_secret_file("/dev/zero", &l), -EFBIG,
	       "/dev/zero: ends at the limit");
	is_int(ecryptfs_nvlist_parse_secret_file(tmp_path("missing"), &l), -ENOENT, "missing: -ENOENT");

	ok(pipe(pfd) == 0, "pipe");
	(void)!write(pfd[1], "passwd=se\0cret\n", 15);
	close(pfd[1]);
	is_int(ecryptfs_nvlist_parse_secret_fd(pfd[0], &l), -EILSEQ, "parse_secret_fd: NUL inside");
	close(pfd[0]);
	is_int(ecryptfs_nvlist_parse_secret_fd(-1, &l), -EINVAL, "parse_secret_fd: bad fd");
}

/*
 * ecryptfs_rc_salt into a poisoned salt and the opposite of the expected
 * from_rc, so that a call that sets neither cannot pass a check.
 */
static int rc_salt(const char *path, uint8_t salt[8], bool *from_rc, bool want_from_rc)
{
	memset(salt, 0x5a, 8);
	*from_rc = !want_from_rc;
	return ecryptfs_rc_salt(path, salt, from_rc);
}

static void test_rc_salt(void)
{
	static const uint8_t a1b2[8] = { 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18 };
	struct ecryptfs_pass_key *k = ecryptfs_pass_key_new();
	uint8_t salt[8];
	bool from_rc = false;

	spit(tmp_path("rc"), "cipher=aes\nsalt=a1b2c3d4e5f60718\n", 33);
	is_int(rc_salt(tmp_path("rc"), salt, &from_rc, true), 0, "rc salt");
	ok(from_rc && memcmp(salt, a1b2, 8) == 0, "salt= from the rc file");
	is_int(ecryptfs_derive_pass_key("test passphrase", 15, salt, k), 0, "derive under it");
	is_str(k->sig_hex, "16585f12815dd980", "'test passphrase' under it: 16585f12815dd980");
	spit(tmp_path("rc"), "salt=A1B2C3D4E5F60718", 21);
	ok(rc_salt(tmp_path("rc"), salt, &from_rc, true) == 0 && from_rc && memcmp(salt, a1b2, 8) == 0,
	   "upper-case hex accepted");
	spit(tmp_path("rc"), "salt=a1b2c3d4e5f6071", 20);
	is_int(rc_salt(tmp_path("rc"), salt, &from_rc, false), 0, "15 hex digits");
	ok(!from_rc && memcmp(salt, ecryptfs_default_salt, 8) == 0, "fall back to the default");
	spit(tmp_path("rc"), "salt=a1b2c3d4e5f6071g", 21);
	ok(rc_salt(tmp_path("rc"), salt, &from_rc, false) == 0 && !from_rc &&
	   memcmp(salt, ecryptfs_default_salt, 8) == 0, "non-hex: the default");
	spit(tmp_path("rc"), "salt", 4);
	ok(rc_salt(tmp_path("rc"), salt, &from_rc, false) == 0 && !from_rc &&
	   memcmp(salt, ecryptfs_default_salt, 8) == 0, "salt without value: the default");
	spit(tmp_path("rc"), "=bad,salt=a1b2c3d4e5f60718", 26);
	ok(rc_salt(tmp_path("rc"), salt, &from_rc, false) == 0 && !from_rc &&
	   memcmp(salt, ecryptfs_default_salt, 8) == 0, "unparsable file: the default");
	is_int(rc_salt(tmp_path("none"), salt, &from_rc, false), 0, "no rc file");
	ok(!from_rc && memcmp(salt, ecryptfs_default_salt, 8) == 0, "the default");
	is_int(ecryptfs_derive_pass_key("test passphrase", 15, salt, k), 0, "derive under it");
	is_str(k->sig_hex, "5eca2fbf74604115", "'test passphrase' under it: 5eca2fbf74604115");
	is_int(ecryptfs_rc_salt(NULL, salt, NULL), -EINVAL, "NULL path: -EINVAL");
	ecryptfs_pass_key_free(k);
}

/*
 * ecryptfs_user_salt reads the passwd home's rc file, not $HOME's.  A private
 * mount namespace with a tmpfs over the home lets the test own that file.
 */
static void test_user_salt(void)
{
	struct passwd *pw = getpwuid(getuid());
	char rc[4200], *path = NULL;
	uint8_t salt[8];
	bool from_rc = true;

	ok(pw != NULL, "passwd entry for uid %u", (unsigned)getuid());
	if (!pw)
		return;
	is_int(ecryptfs_user_rc_path(&path), 0, "rc path");
	snprintf(rc, sizeof(rc), "%s/.ecryptfsrc", pw->pw_dir);
	is_str(path, rc, "is the passwd home's .ecryptfsrc");
	free(path);
	ok(unshare(CLONE_NEWNS) == 0 && mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == 0 &&
	   mount("tmpfs", pw->pw_dir, "tmpfs", 0, "mode=0700") == 0,
	   "private tmpfs over %s", pw->pw_dir);
	spit(tmp_path(".ecryptfsrc"), "salt=5a175a175a175a17\n", 22);
	setenv("HOME", dir, 1);
	memset(salt, 0x5a, sizeof(salt));
	is_int(ecryptfs_user_salt(salt, &from_rc), 0, "user salt without a passwd-home rc file");
	ok(!from_rc && memcmp(salt, ecryptfs_default_salt, 8) == 0, "is the default, whatever $HOME has");
	spit(rc, "verbosity=0\nsalt=0123456789abcdef\n", 34);
	is_int(ecryptfs_user_salt(salt, &from_rc), 0, "user salt with one");
	ok(from_rc && memcmp(salt, "\x01\x23\x45\x67\x89\xab\xcd\xef", 8) == 0, "comes from it");
	umount(pw->pw_dir);
}

int main(void)
{
	const char *t = getenv("TESTTMP");

	snprintf(dir, sizeof(dir), "%s/t-rcfile.XXXXXX", t ? t : "/tmp");
	if (!mkdtemp(dir))
		return 1;
	test_tokenizer();
	test_files();
	test_secret_files();
	test_rc_salt();
	test_user_salt();
	{
		char cmd[4300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		(void)!system(cmd);
	}
	return tap_done();
}
