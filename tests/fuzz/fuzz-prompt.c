/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The answers mount.ecryptfs reads at its prompts, fed on fd 0 from a
 * memfd: the y/n questions and menus (src/utils/mount/prompt.c), the whole
 * interactive decision graph (graph.c, over options given on the command
 * line and in ~/.ecryptfsrc) and the signature-cache questions (sigcache.c,
 * included here with the home directory moved to a scratch directory).
 * The program's own files are compiled in, as they are in mount.ecryptfs.
 * The graph always gets sig=, so its passphrase module (a KDF, the keyring)
 * never runs; the passphrase readers are fuzz-secret's.
 *
 * Checked: no crash, leak or overread; no answer reads past the end of its
 * line (the secret prompts read the same fd after these); a y/n answer is
 * what the words of its line say (helper.h); a menu choice is the line's
 * number or name, or the suggestion for an empty line; the graph pushes
 * only the cipher and key size pairs of its menus, and as FNEK sig only the
 * one given or an answer of 16 hex digits (in lowercase); the sig-cache check
 * appends the sig only when it goes on with the mount.
 *
 * Input: a mode byte, a parameter byte, then (graph) the command-line
 * options and the rc file, each ended by a NUL, then the answers.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli.h"
#include "helper.h"

static char home[4000];

/* sigcache.c looks in the passwd home of the real uid: here, a scratch one. */
static int fuzz_home_path(const char *rel, char **path)
{
	return asprintf(path, "%s/%s", home, rel) < 0 ? -ENOMEM : 0;
}
#define cli_home_path fuzz_home_path
#include "../../src/utils/mount/sigcache.c"
#undef cli_home_path

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SIG "0123456789abcdef"
#define TAIL ",sig=" SIG

static int memfd = -1;
static char cache[4100], cache_dir[4100];

static void cleanup(void)
{
	unlink(cache);
	rmdir(cache_dir);
	rmdir(home);
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");
	int null = open("/dev/null", O_WRONLY);

	/* The smoke scripts point TMPDIR into the test's scratch directory. */
	snprintf(home, sizeof(home), "%s/fuzz-prompt.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(home))
		abort();
	snprintf(cache_dir, sizeof(cache_dir), "%s/.ecryptfs", home);
	snprintf(cache, sizeof(cache), "%s/.ecryptfs/sig-cache.txt", home);
	atexit(cleanup);
	memfd = memfd_create("fuzz-prompt", 0);
	/* The prompts go to stdout; libFuzzer reports on stderr. */
	if (memfd < 0 || null < 0 || dup2(null, STDOUT_FILENO) < 0)
		abort();
	close(null);
	cli_init("mount.ecryptfs");
}

/* The answers: fd 0 reads them from the start. */
static void answers(const uint8_t *a, size_t n)
{
	if (ftruncate(memfd, 0) < 0 || (n && ecryptfs_pwrite_full(memfd, a, n, 0) < 0) ||
	    dup2(memfd, STDIN_FILENO) < 0 || lseek(STDIN_FILENO, 0, SEEK_SET) != 0)
		abort();
}

/*
 * Nothing beyond the last line read was consumed: fd 0 stands at the end of
 * the answers or just after a newline.  Returns how many lines were read.
 */
static size_t lines_read(const uint8_t *a, size_t n)
{
	off_t at = lseek(STDIN_FILENO, 0, SEEK_CUR);
	size_t lines = 0;

	if (at < 0 || (size_t)at > n || (at > 0 && (size_t)at < n && a[at - 1] != '\n'))
		abort();
	for (off_t i = 0; i < at; i++)
		lines += a[i] == '\n';
	return lines + (at > 0 && a[at - 1] != '\n');
}

/* Line k of the answers as mh_read_line returns it into a buffer of 128. */
static void line_at(const uint8_t *a, size_t n, size_t k, char out[128])
{
	size_t i = 0, len = 0;

	for (; k && i < n; i++)
		if (a[i] == '\n')
			k--;
	for (; i < n && a[i] != '\n'; i++)
		if (len < 127)
			out[len++] = (char)a[i];
	if (len && out[len - 1] == '\r')
		len--;
	out[len] = '\0';
}

/* helper.h's y/n rules over the first `tries` lines. */
static int yes_no_model(const uint8_t *a, size_t n, int dflt, int tries)
{
	bool words = dflt == MH_ASK_WORDS_ONLY;
	size_t avail = 0;
	char line[128];

	for (size_t i = 0; i < n; i++)
		avail += a[i] == '\n';
	avail += n && a[n - 1] != '\n';
	for (int i = 0; i < tries; i++) {
		if ((size_t)i >= avail)
			return -EIO;
		line_at(a, n, (size_t)i, line);
		if (!strcmp(line, "yes") || (!words && !strcmp(line, "y")))
			return 1;
		if (!strcmp(line, "no") || (!words && !strcmp(line, "n")))
			return 0;
		if (!words && !line[0])
			return dflt;
	}
	return -EINVAL;
}

static void yes_no(uint8_t param, const uint8_t *a, size_t n)
{
	static const int dflts[3] = { 0, 1, MH_ASK_WORDS_ONLY };
	int dflt = dflts[param % 3], tries = 1 + param / 3 % 8;
	int r = mh_ask_yes_no("? ", dflt, tries);

	if (r != yes_no_model(a, n, dflt, tries) || lines_read(a, n) > (size_t)tries)
		abort();
}

static void menu(uint8_t param, const uint8_t *a, size_t n)
{
	static const char *const names[] = { "aes", "blowfish", "des3_ede", "twofish", "cast6", "cast5" };
	size_t k = 1 + param % 6, suggested = param / 6 % k, lines;
	char line[128], *end;
	int r = mh_menu("Select", names, names, k, suggested);

	lines = lines_read(a, n);
	if (r == -EIO || r == -EINVAL) {
		if (r == -EINVAL && lines != MH_MAX_ASK)
			abort();
		return;
	}
	if (r < 0 || (size_t)r >= k || lines == 0)
		abort();
	line_at(a, n, lines - 1, line);
	if (!(line[0] == '\0' && (size_t)r == suggested) && strcmp(line, names[r]) != 0 &&
	    strtol(line, &end, 10) != r + 1)
		abort();
}

static const struct {
	const char *cipher, *bytes;
} pairs[] = {
	{ "aes", "16" }, { "aes", "32" }, { "aes", "24" }, { "blowfish", "16" },
	{ "blowfish", "32" }, { "blowfish", "56" }, { "des3_ede", "24" }, { "twofish", "16" },
	{ "twofish", "32" }, { "cast6", "16" }, { "cast6", "32" }, { "cast5", "16" },
};

static bool known_pair(const char *cipher, const char *bytes)
{
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if (!strcmp(cipher, pairs[i].cipher) && !strcmp(bytes, pairs[i].bytes))
			return true;
	return false;
}

/* The graph over options text (cmd NUL rc NUL) and the answers after it. */
static void graph(uint8_t param, const uint8_t *in, size_t n)
{
	static const uint32_t versions[4] = {
		MH_V_FUSE, MH_V_FUSE | MH_V_HMAC, MH_V_PASSPHRASE, 0xffffffff,
	};
	struct mh_opts o = { .interactive = param & 4 };
	struct mh_stack st = { 0 };
	const uint8_t *cmd = in, *rc, *nul;
	const char *sig = NULL;
	char *opts = NULL;
	size_t cmd_len, rc_len;
	int r;

	nul = memchr(in, 0, n);
	if (!nul)
		return;
	cmd_len = (size_t)(nul - in);
	rc = nul + 1;
	nul = memchr(rc, 0, n - cmd_len - 1);
	if (!nul)
		return;
	rc_len = (size_t)(nul - rc);
	/*
	 * The sig given directly, last so that it wins: the passphrase module
	 * would derive a key (50 ms) and add it to the keyring.
	 */
	opts = malloc(cmd_len + sizeof(TAIL));
	if (!opts)
		abort();
	memcpy(opts, cmd, cmd_len);
	memcpy(opts + cmd_len, TAIL, sizeof(TAIL));
	if (ecryptfs_nvlist_parse(opts, cmd_len + strlen(TAIL), &o.cmd) < 0 ||
	    ecryptfs_nvlist_parse((const char *)rc, rc_len, &o.rc) < 0)
		goto out;
	/* A token of 128 characters or more ends the list before it. */
	if (!mh_opt_find(&o, "sig", &sig) || !sig || strcmp(sig, SIG) != 0)
		goto out;
	answers(nul + 1, n - (size_t)(nul + 1 - in));
	r = mh_run_graph(&o, versions[param & 3], &st);
	lines_read(nul + 1, n - (size_t)(nul + 1 - in));
	if (r > 0 || st.n < 1 || strcmp(st.v[0], "ecryptfs_sig=" SIG) != 0)
		abort();
	/*
	 * An FNEK sig is the one given as an option or an answer of 16 hex
	 * digits, pushed in lowercase: nothing of an answer beyond that (a
	 * comma and more options) reaches the mount.
	 */
	for (size_t i = 0; i < st.n; i++) {
		const char *v = st.v[i], *given = NULL;

		if (strncmp(v, "ecryptfs_fnek_sig=", 18) != 0)
			continue;
		v += 18;
		if (mh_opt_find(&o, "ecryptfs_fnek_sig", &given) && given && *given) {
			if (strcmp(v, given) != 0)
				abort();
		} else if (strlen(v) != ECRYPTFS_SIG_HEX_SIZE ||
			   strspn(v, "0123456789abcdef") != ECRYPTFS_SIG_HEX_SIZE) {
			abort();
		}
	}
	if (r == 0 && (st.n < 3 || strncmp(st.v[1], "ecryptfs_cipher=", 16) != 0 ||
		       strncmp(st.v[2], "ecryptfs_key_bytes=", 19) != 0 ||
		       !known_pair(st.v[1] + 16, st.v[2] + 19)))
		abort();
out:
	free(opts);
	mh_stack_free(&st);
	ecryptfs_nvlist_free(&o.cmd);
	ecryptfs_nvlist_free(&o.rc);
}

static void sig_cache(uint8_t param, const uint8_t *a, size_t n)
{
	int r, found;

	unlink(cache);
	if (param & 1) {
		/* A sig seen before: no question at all. */
		if (mkdir(cache_dir, 0700) < 0 && errno != EEXIST)
			abort();
		if (ecryptfs_sigcache_append(cache, SIG) != 0 || mh_check_sig_cache(SIG) != 0 ||
		    lines_read(a, n) != 0)
			abort();
		return;
	}
	r = mh_check_sig_cache(SIG);
	found = ecryptfs_sigcache_contains(cache, SIG);
	lines_read(a, n);
	/* 0 go on, 1 declined, or an error; only going on may have appended. */
	if (r > 1 || found < 0 || (found && r != 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (memfd < 0)
		setup();
	if (size < 2)
		return 0;
	if ((data[0] & 3) == 2) {
		graph(data[1], data + 2, size - 2);
		return 0;
	}
	answers(data + 2, size - 2);
	switch (data[0] & 3) {
	case 0:
		yes_no(data[1], data + 2, size - 2);
		break;
	case 1:
		menu(data[1], data + 2, size - 2);
		break;
	default:
		sig_cache(data[1], data + 2, size - 2);
		break;
	}
	return 0;
}
