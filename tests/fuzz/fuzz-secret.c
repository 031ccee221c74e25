/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Passphrase inputs of the programs on arbitrary bytes: the stdin and prompt
 * readers of libecfs-cli (src/utils/common/secret.c), ecryptfs-decrypt's
 * --passphrase-fd, --passphrase-file and key options (src/utils/offline/keys.c,
 * included here for its static readers), mount.ecryptfs's passphrase_passwd_fd
 * and passphrase_passwd_file (fuzz-secret-mount.c), and the loading of a
 * wrapped-passphrase file (src/utils/common/wrapped.c).  No KDF runs here.
 *
 * Checked: no crash, leak or overread; a secret is at most 64 bytes,
 * terminated, without a newline, and is the start of the input's first line
 * (a plain line of 1..64 bytes is always taken); a reader takes nothing
 * beyond its line from fd 0, and fd 0 is itself again after a read from
 * another descriptor; a passphrase file gives the value of its last
 * passphrase_passwd=, else of its last passwd=; a wrapped-passphrase file
 * loads as the version its bytes say.  A NUL never shortens a secret: a
 * line with one anywhere but as its last byte is refused, and one with a
 * final NUL gives the bytes before it; a passphrase file or fd with a NUL
 * anywhere but at its end (before an optional final newline), or whose
 * passphrase is empty, is refused.
 *
 * Input: a mode byte, a parameter byte, then the bytes of the input.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/utils/offline/keys.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int fuzz_mount_pass_from_fd(const char *spec, struct cli_secret *s);
int fuzz_mount_pass_from_file(const char *path, struct cli_secret *s);

static int stdin_fd = -1, other_fd = -1;

static void setup(void)
{
	int null = open("/dev/null", O_WRONLY);

	stdin_fd = memfd_create("fuzz-secret-stdin", 0);
	other_fd = memfd_create("fuzz-secret-input", 0);
	/* Prompts go to stdout; libFuzzer reports on stderr. */
	if (stdin_fd < 0 || other_fd < 0 || null < 0 || dup2(null, STDOUT_FILENO) < 0)
		abort();
	close(null);
	cli_init("fuzz-secret");
}

static void load(int fd, const uint8_t *a, size_t n)
{
	if (ftruncate(fd, 0) < 0 || (n && ecryptfs_pwrite_full(fd, a, n, 0) < 0) ||
	    lseek(fd, 0, SEEK_SET) != 0)
		abort();
}

static ino_t ino_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		abort();
	return st.st_ino;
}

/* fd 0 stands at the end of the input or just after its first newline. */
static void one_line_taken(const uint8_t *a, size_t n)
{
	off_t at = lseek(STDIN_FILENO, 0, SEEK_CUR);
	const uint8_t *nl = memchr(a, '\n', n);

	if (at < 0 || (size_t)at > n || (nl && at > nl - a + 1))
		abort();
}

/*
 * A secret read from a line: short, terminated, no newline, the line's
 * start; a plain line (no NUL) of 1..64 bytes must have been taken whole.
 */
static void check_line_secret(int rc, const struct cli_secret *s, const uint8_t *a, size_t n)
{
	const uint8_t *nl = memchr(a, '\n', n);
	size_t line = nl ? (size_t)(nl - a) : n;
	const uint8_t *nul = memchr(a, '\0', line);
	bool plain = !nul;

	/* A NUL inside the line: refused, never the part before it taken. */
	if (nul && (size_t)(nul - a) != line - 1 && rc == 0)
		abort();
	/* A final NUL ends a secret of all that comes before it. */
	if (nul && (size_t)(nul - a) == line - 1 && rc == 0 && s->len != line - 1)
		abort();
	if (rc == 0) {
		if (!s->buf || s->len > CLI_SECRET_MAX || s->buf[s->len] != '\0' ||
		    strlen(s->buf) != s->len || s->len > line || memcmp(s->buf, a, s->len) != 0)
			abort();
		if (plain && s->len != line)
			abort();
		return;
	}
	if (s->len != 0 || (plain && line >= 1 && line <= CLI_SECRET_MAX))
		abort();
}

static void stdin_secret(bool prompt, const uint8_t *a, size_t n)
{
	struct cli_secret s = { 0 };
	int rc;

	load(stdin_fd, a, n);
	if (dup2(stdin_fd, STDIN_FILENO) < 0)
		abort();
	rc = prompt ? cli_secret_read_prompt("Passphrase", &s) : cli_secret_read_stdin(&s);
	one_line_taken(a, n);
	check_line_secret(rc, &s, a, n);
	cli_secret_free(&s);
}

/* ecryptfs-decrypt --passphrase-fd N / --passphrase-file PATH. */
static void offline_secret(bool file, const uint8_t *a, size_t n)
{
	struct cli_secret s = { 0 };
	char path[64];
	ino_t before;
	int rc;

	load(other_fd, a, n);
	if (dup2(stdin_fd, STDIN_FILENO) < 0)
		abort();
	before = ino_of(STDIN_FILENO);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", other_fd);
	rc = file ? secret_from_file(path, "passphrase", &s) :
		    secret_from_fd(other_fd, "passphrase", &s);
	if (ino_of(STDIN_FILENO) != before)
		abort();	/* the borrowed fd 0 is given back */
	check_line_secret(rc, &s, a, n);
	if (rc == 0) {
		static const char pfx[] = "passphrase_passwd=";
		size_t len = s.len;
		bool strip = len > strlen(pfx) && !strncmp(s.buf, pfx, strlen(pfx));

		strip_passwd_prefix(&s);
		if (strlen(s.buf) != s.len || (strip && s.len != len - strlen(pfx)) ||
		    (!strip && s.len != len))
			abort();
	}
	cli_secret_free(&s);
}

/* What a passphrase file says, by the option list parser itself. */
static int file_model(const uint8_t *a, size_t n, const char **want, struct ecryptfs_nvlist *l)
{
	const uint8_t *nul = memchr(a, '\0', n);
	int rc;

	*want = NULL;
	/* A NUL the reference would end the input at: only a final one. */
	if (nul && !(nul == a + n - 1 || (nul == a + n - 2 && a[n - 1] == '\n')))
		return -EINVAL;
	rc = ecryptfs_nvlist_parse((const char *)a, n, l);
	if (rc < 0)
		return rc;
	for (const char *name = "passphrase_passwd"; name && !*want;
	     name = strcmp(name, "passwd") ? "passwd" : NULL)
		for (size_t i = l->n; i-- > 0 && !*want;)
			if (l->v[i].name && l->v[i].value && !strcmp(l->v[i].name, name))
				*want = l->v[i].value;
	if (!*want || !**want)
		return -EINVAL;	/* none, or the one that counts is empty */
	return strlen(*want) > CLI_SECRET_MAX ? -E2BIG : 0;
}

/* The forms of an fd number strtol(..., 0) takes, and one it does not. */
static void fd_spec(char *spec, size_t len, unsigned form, int fd)
{
	switch (form) {
	case 0:
		snprintf(spec, len, "%d", fd);
		break;
	case 1:
		snprintf(spec, len, "0x%x", (unsigned)fd);
		break;
	case 2:
		snprintf(spec, len, "0%o", (unsigned)fd);
		break;
	case 3:
		snprintf(spec, len, "+%d", fd);
		break;
	case 4:
		snprintf(spec, len, " %d", fd);
		break;
	default:
		snprintf(spec, len, "%d ", fd);
		break;
	}
}

/* mount.ecryptfs passphrase_passwd_fd=SPEC / passphrase_passwd_file=PATH. */
static void mount_secret(uint8_t param, bool file, const uint8_t *a, size_t n)
{
	struct ecryptfs_nvlist l = { 0 };
	struct cli_secret s = { 0 };
	const char *want;
	char spec[64];
	int rc, expect;

	load(other_fd, a, n);
	if (file)
		snprintf(spec, sizeof(spec), "/proc/self/fd/%d", other_fd);
	else
		fd_spec(spec, sizeof(spec), param % 6, other_fd);
	rc = file ? fuzz_mount_pass_from_file(spec, &s) : fuzz_mount_pass_from_fd(spec, &s);
	expect = file_model(a, n, &want, &l);
	/* A trailing blank is not a number; the rest are this fd. */
	if (!file && param % 6 == 5) {
		if (rc != -EINVAL)
			abort();
	} else if (rc != expect || (rc == 0 && (s.len != strlen(want) || strcmp(s.buf, want)))) {
		abort();
	}
	ecryptfs_nvlist_free(&l);
	cli_secret_free(&s);
}

static void wrapped_file(const uint8_t *a, size_t n)
{
	uint8_t buf[ECRYPTFS_WRAPPED_MAX_BYTES];
	char path[64];
	size_t len;
	int rc, want;

	load(other_fd, a, n);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", other_fd);
	rc = cli_wrapped_load(path, "Error reading wrapped passphrase", buf, &len);
	if (n == 0)
		want = -EBADMSG;
	else if (n > ECRYPTFS_WRAPPED_MAX_BYTES)
		want = -EFBIG;
	else
		want = ecryptfs_wrapped_version(a, n);
	if (rc != want || (rc > 0 && (len != n || memcmp(buf, a, n) != 0)))
		abort();
}

/* The shared key options, given the input as their argument. */
static void key_option(uint8_t param, const uint8_t *a, size_t n)
{
	static const int opts[] = { OPT_SIG, OPT_FNEK_SIG, OPT_PASSPHRASE_FD, OPT_LOGIN_FD };
	struct offline_key_opts o;
	uint8_t sig[ECRYPTFS_SIG_SIZE];
	char *arg = malloc(n + 1);
	int opt = opts[param % 4], rc, fd;

	if (!arg)
		abort();
	memcpy(arg, a, n);
	arg[n] = '\0';
	offline_key_opts_init(&o);
	rc = offline_key_option(&o, opt, arg);
	if (rc != 1 && rc != -1)
		abort();
	if (opt == OPT_SIG || opt == OPT_FNEK_SIG) {
		bool good = ecryptfs_sig_from_hex(arg, sig) == 0;

		if ((rc == 1) != good || !o.keyring ||
		    (good && memcmp(opt == OPT_SIG ? o.sigs[0] : o.fnek_sig, sig, sizeof(sig))))
			abort();
	} else {
		fd = opt == OPT_PASSPHRASE_FD ? o.pass_fd : o.login_fd;
		if ((rc == 1) != (fd >= 0 && fd <= 65535) || (rc == 1 && fd != offline_parse_uint(arg, 65535)))
			abort();
	}
	free(arg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (stdin_fd < 0)
		setup();
	if (size < 2)
		return 0;
	switch (data[0] % 9) {
	case 0:
		stdin_secret(false, data + 2, size - 2);
		break;
	case 1:
		stdin_secret(true, data + 2, size - 2);
		break;
	case 2:
		offline_secret(false, data + 2, size - 2);
		break;
	case 3:
		offline_secret(true, data + 2, size - 2);
		break;
	case 4:
		mount_secret(data[1], false, data + 2, size - 2);
		break;
	case 5:
		mount_secret(data[1], true, data + 2, size - 2);
		break;
	case 6:
		wrapped_file(data + 2, size - 2);
		break;
	default:
		key_option(data[1], data + 2, size - 2);
		break;
	}
	return 0;
}
