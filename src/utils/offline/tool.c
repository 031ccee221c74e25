/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The program around the walk, shared by ecryptfs-decrypt and
 * ecryptfs-encrypt: options, keys, the top-level paths, the summary line
 * and the exit status.
 */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"
#include "tool.h"

int offline_parse_key_bytes(const char *what, const char *arg, size_t *out)
{
	int n = offline_parse_uint(arg, ECRYPTFS_MAX_KEY_BYTES);

	if (n <= 0) {
		cli_error(0, "invalid %s '%s'", what, arg ? arg : "");
		return -1;
	}
	*out = (size_t)n;
	return 1;
}

/* ---- the totals of the progress line ---------------------------------- */

/* nftw gives its callback no argument of ours: the counts of one scan. */
static uint64_t scan_entries, scan_bytes;

static int scan_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)path;
	(void)type;
	if (ftw->level > 0)
		scan_entries++;
	if (S_ISREG(st->st_mode))
		scan_bytes += (uint64_t)st->st_size;
	return 0;
}

/*
 * The progress line, on a terminal only: the entries and input bytes of
 * the tree (a walk of names and sizes, cheap beside the contents), and
 * none when -v lists entries on the same terminal.
 */
static void progress_start(struct offline_tool *t, struct cli_progress *p, const char *in,
			   const struct stat *st)
{
	bool want = isatty(STDERR_FILENO) && !(t->w.verbose && isatty(STDOUT_FILENO));

	scan_entries = 0;
	scan_bytes = 0;
	if (want && S_ISDIR(st->st_mode)) {
		nftw(in, scan_one, 32, FTW_PHYS);
	} else if (want) {
		scan_entries = 1;
		scan_bytes = S_ISREG(st->st_mode) ? (uint64_t)st->st_size : 0;
	}
	cli_progress_init(p, want, scan_entries, scan_bytes);
	t->w.progress = p;
}

/* The options: 0 to go on, or the exit status to end with now. */
static int parse_options(struct offline_tool *t, int argc, char *argv[], int *status)
{
	const struct offline_tool_ops *ops = t->ops;
	int opt, rc, taken;

	while ((opt = getopt_long(argc, argv, ops->shortopts, ops->longopts, NULL)) != -1) {
		rc = offline_key_option(&t->ko, opt, optarg);
		taken = rc < 0 ? rc : ops->option(t, opt, optarg);
		if (taken < 0) {
			*status = OFFLINE_EXIT_USAGE;
			return -1;
		}
		if (rc > 0 || taken > 0)
			continue;
		switch (opt) {
		case 'v':
			t->w.verbose = true;
			break;
		case 'h':
			ops->usage(stdout);
			*status = 0;
			return -1;
		case 'V':
			printf("%s (ecryptfs-ng) %s\n", cli_prog(), PACKAGE_VERSION);
			*status = 0;
			return -1;
		default:
			ops->usage(stderr);
			*status = OFFLINE_EXIT_USAGE;
			return -1;
		}
	}
	if (argc - optind != 2) {
		ops->usage(stderr);
		*status = OFFLINE_EXIT_USAGE;
		return -1;
	}
	if (!offline_key_opts_any(&t->ko)) {
		cli_error(0, "no key given (--passphrase-file, --passphrase-fd, "
			  "--wrapped-passphrase, --sig or --keyring)");
		*status = OFFLINE_EXIT_USAGE;
		return -1;
	}
	return 0;
}

int offline_main(struct offline_tool *t, int argc, char *argv[])
{
	const char *in, *out;
	struct cli_progress progress;
	struct stat st;
	int rc, status = OFFLINE_EXIT_USAGE;

	cli_init(argv[0]);
	t->in_root = t->out_root = -1;
	offline_key_opts_init(&t->ko);
	if (parse_options(t, argc, argv, &status) < 0)
		return status;
	in = argv[optind];
	out = argv[optind + 1];
	cli_lock_memory();
	offline_raise_fd_limit();
	t->w.is_root = geteuid() == 0;
	t->buf = malloc(OFFLINE_CHUNK);
	if (!t->buf) {
		cli_error(-ENOMEM, "buffer");
		goto out;
	}
	if (offline_keys_load(&t->ko, &t->keys) < 0)
		goto out;
	if (t->ops->prepare && t->ops->prepare(t) < 0)
		goto out;
	if (lstat(in, &st) < 0) {
		cli_error(-errno, "cannot read %s", in);
		goto out;
	}
	/* Entries are created private and get their own modes when complete. */
	umask(077);
	progress_start(t, &progress, in, &st);
	if (S_ISDIR(st.st_mode))
		rc = offline_tree(t, in, out);
	else
		rc = offline_single(t, in, out);
	cli_progress_done(&progress);
	t->w.progress = NULL;
	if (rc == 0)
		status = t->w.failed ? OFFLINE_EXIT_PARTIAL : 0;
	if (t->w.failed)
		fprintf(stderr, "%s: %u entr%s could not be %s\n", cli_prog(), t->w.failed,
			t->w.failed == 1 ? "y" : "ies", t->ops->done_verb);
out:
	if (t->in_root >= 0)
		close(t->in_root);
	if (t->out_root >= 0)
		close(t->out_root);
	offline_walk_free(&t->w);
	offline_keys_free(&t->keys);
	if (t->buf)	/* it held plaintext */
		explicit_bzero(t->buf, OFFLINE_CHUNK);
	free(t->buf);
	return status;
}
