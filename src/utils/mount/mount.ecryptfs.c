/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mount.ecryptfs: the helper mount(8) runs for "mount -t ecryptfs".  The
 * flow, messages and exit status are ecryptfs-utils 111's
 * (doc/compatibility.md §4): options from -o and ~/.ecryptfsrc, the decision
 * graph (which adds the key to the keyring), the assembled kernel option
 * string, the signature cache, then the kernel (mount -i) or our FUSE
 * daemon.  The exit status is the negative errno truncated to 8 bits, which
 * scripts test for.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "cli.h"
#include "helper.h"

static void usage(FILE *f)
{
	fprintf(f, "\teCryptfs mount helper\n"
		"\tusage: mount -t ecryptfs [lower directory] [ecryptfs mount point]\n"
		"\n"
		"See the README file in the ecryptfs-utils package for complete usage guidelines.\n");
}

static void help(void)
{
	usage(stdout);
	printf("\n(ecryptfs-ng %s, a successor of ecryptfs-utils %s)\n"
	       "Usually run by mount(8): mount -t ecryptfs LOWER UPPER -o OPTIONS\n"
	       "Direct use: mount.ecryptfs LOWER UPPER [-o OPTIONS]\n\n"
	       "Options (see mount.ecryptfs(8)): key=passphrase[:passphrase_passwd_file=F|"
	       ":passphrase_passwd_fd=N|:passphrase_passwd=P][:salt=HEX],\n"
	       "  key=MODULE[:name=value...] (installed key modules, e.g. "
	       "key=openssl:keyfile=PEM),\n"
	       "  ecryptfs_cipher=, ecryptfs_key_bytes=, ecryptfs_passthrough=y|n,\n"
	       "  ecryptfs_enable_filename_crypto=y|n, ecryptfs_fnek_sig=, no_sig_cache,\n"
	       "  verbosity=0|1, no_prompt, datapath=kernel|fuse|auto, and kernel options.\n",
	       PACKAGE_VERSION, ECRYPTFS_REFERENCE_VERSION);
}

/* The reference takes the -o value among argv[3..argc-2]. */
static char *find_opts(int argc, char **argv)
{
	for (int i = 3; i < argc - 1; i++)
		if (!strcmp(argv[i], "-o"))
			return argv[i + 1];
	return NULL;
}

/* At the start of an item: the length of "name=" if name's value is a secret. */
static size_t secret_name_len(const char *p)
{
	size_t n = strcspn(p, ",:=");
	const struct ecryptfs_opt *e;
	char name[64];

	if (p[n] != '=' || n >= sizeof(name))
		return 0;
	memcpy(name, p, n);
	name[n] = '\0';
	e = ecryptfs_opt_lookup(name);
	return e && (e->flags & ECRYPTFS_OPT_SECRET) ? n + 1 : 0;
}

/*
 * Work on a copy in secure memory and blank the passphrase values in our
 * argv (the option table's secret ones, also inside key=passphrase:...), so
 * that they leave /proc/PID/cmdline as early as possible (mount(8) put them
 * there; its own argv is out of our reach).
 */
static char *take_opts(char *arg)
{
	size_t n = strlen(arg);
	char *copy = ecryptfs_secure_alloc(n + 1);

	if (!copy)
		return NULL;
	memcpy(copy, arg, n + 1);
	for (char *p = arg; *p; p++) {
		size_t skip;

		if (p != arg && p[-1] != ',' && p[-1] != ':')
			continue;
		skip = secret_name_len(p);
		for (p += skip; skip && *p && *p != ',' && *p != ':'; p++)
			*p = '*';
		if (skip && !*p)
			break;
	}
	return copy;
}

static void print_version_fallback(void)
{
	printf("\nUnable to get the version number of the kernel\n"
	       "module. Please make sure that you have the eCryptfs\n"
	       "kernel module loaded, you have sysfs mounted, and\n"
	       "the sysfs mount point is in /etc/mtab. This is\n"
	       "necessary so that the mount helper knows which \n"
	       "kernel options are supported.\n\n"
	       "Make sure that your system is set up to auto-load\n"
	       "your filesystem kernel module on mount.\n\n"
	       "Enabling passphrase-mode only for now.\n\n");
}

/* realpath() after dropping trailing slashes, as the reference. */
static int canon(const char *in, char **out)
{
	char *tmp = strdup(in);
	size_t n;

	if (!tmp)
		return -ENOMEM;
	n = strlen(tmp);
	while (n > 1 && tmp[n - 1] == '/')
		tmp[--n] = '\0';
	*out = realpath(tmp, NULL);
	free(tmp);
	if (!*out) {
		int e = errno;

		cli_error(-e, "%s", in);
		return -e;
	}
	return 0;
}

/*
 * Pop the graph's values and prepend each one not already in the string,
 * printing each; the sig-cache check runs on ecryptfs_sig=.  1 if the user
 * declined at the sig-cache question.
 */
static int assemble(struct mh_stack *st, const char *user, bool sig_cache, char **out)
{
	char *opts = strdup(user);
	int r = 0;

	if (!opts)
		return -ENOMEM;
	printf("Attempting to mount with the following options:\n");
	while (st->n > 0) {
		char *val = st->v[st->n - 1], *n;

		printf("  %s\n", val);
		if (sig_cache && !strncmp(val, "ecryptfs_sig=", 13)) {
			r = mh_check_sig_cache(val + 13);
			if (r != 0) {
				if (r < 0)
					printf("Error processing sig; rc = [%d]\n", r);
				break;
			}
		}
		/* the reference's strstr(): a value present anywhere is skipped */
		if (!strstr(opts, val)) {
			if (asprintf(&n, "%s%s%s", val, *opts ? "," : "", opts) < 0) {
				r = -ENOMEM;
				break;
			}
			free(opts);
			opts = n;
		}
		free(val);
		st->n--;
	}
	if (r != 0) {
		free(opts);
		return r;
	}
	*out = opts;
	return 0;
}

static int do_mount(const char *src_arg, const char *dst_arg, const char *user_opts,
		    struct mh_stack *st, bool sig_cache, enum mh_datapath dp, bool verbose)
{
	char *user = NULL, *opts = NULL, *src = NULL, *dst = NULL;
	int r;

	if (!user_opts)
		fprintf(stderr, "Unable to find a list of options to parse, "
			"defaulting to interactive mount\n");
	user = mh_scrub(user_opts);
	if (!user)
		return -ENOMEM;
	r = mh_stack_push(st, "ecryptfs_unlink_sigs");
	if (r < 0)
		goto out;
	r = assemble(st, user, sig_cache, &opts);
	if (r == 1) {
		r = 0;	/* declined: "Aborting mount." printed, exit 0 */
		goto out;
	}
	if (r < 0)
		goto fail;
	if (!strstr(opts, "ecryptfs_key_bytes=")) {
		printf("Required mount option not provided: [ecryptfs_key_bytes=]\n");
		r = -EINVAL;
		printf("Invalid mount options; aborting. rc = [%d]\n", r);
		goto fail;
	}
	r = canon(src_arg, &src);
	if (r == 0)
		r = canon(dst_arg, &dst);
	if (r < 0)
		goto fail;
	if (verbose)
		syslog(LOG_DEBUG, "mounting %s on %s through %s with options %s", src, dst,
		       dp == MH_DP_FUSE ? "FUSE" : "the kernel", opts);
	r = mh_exec_mount(dp, src, dst, opts);
	if (r < 0)
		goto fail;
	printf("Mounted eCryptfs\n");
	goto out;
fail:
	cli_syslog(r, "mounting %s on %s", src_arg, dst_arg);
	printf("Error mounting eCryptfs: [%d] %s\n", r, strerror(-r));
	printf("Check your system logs; visit <http://ecryptfs.org/support.html>\n");
	if (r == -ENODEV)
		printf("Try ``modprobe ecryptfs''\n");
out:
	free(user);
	free(opts);
	free(src);
	free(dst);
	return r;
}

static void graph_error(int r)
{
	/* Any reason printed before went to syslog too (cli_log_to_syslog). */
	cli_syslog(r, "evaluating the mount options");
	printf("Error attempting to evaluate mount options: [%d] %s\n"
	       "Check your system logs for details on why this happened.\n"
	       "Try updating your ecryptfs-utils package, and/or\n"
	       "submit a bug report on https://bugs.launchpad.net/ecryptfs\n", r, strerror(-r));
}

int main(int argc, char **argv)
{
	struct mh_opts o = { .interactive = true };
	struct mh_stack st = {0};
	enum mh_datapath dp = MH_DP_AUTO;
	char *opts = NULL;
	const char *dps;
	bool sig_cache = true, verbose = false, kernel_known;
	uint32_t version = MH_V_PASSPHRASE;
	char *rc_path = NULL, dpbuf[16], msg[160];
	const char *vv;
	int r;

	cli_init(argv[0]);
	/* Our "Check the system log" lines must be true. */
	cli_log_to_syslog();
	if (argc >= 2 && cli_is_help(argv[1])) {
		help();
		return 0;
	}
	/* Passphrases and keys must never reach swap. */
	cli_lock_memory();
	if (argc < 3) {
		fprintf(stderr, "Insufficient number of arguments\n");
		usage(stderr);
		return -EINVAL;
	}
	if (find_opts(argc, argv)) {
		opts = take_opts(find_opts(argc, argv));
		if (!opts) {
			cli_error(-ENOMEM, "copying the mount options");
			return -ENOMEM;
		}
	}

	dps = mh_datapath_opt(opts, dpbuf, sizeof(dpbuf));
	if (dps && mh_datapath_parse(dps, &dp) < 0) {
		cli_error(0, "datapath=%s: expected kernel, fuse or auto", dps);
		ecryptfs_secure_free(opts);
		return -EINVAL;
	}
	/*
	 * With the module absent, our FUSE daemon mounts, and it offers what it
	 * implements (MH_V_FUSE) instead of the reference's passphrase-only
	 * fallback.  The kernel's bitmask decides for the kernel path.
	 */
	kernel_known = mh_kernel_version(&version, dp != MH_DP_FUSE) == 0;
	if (dp == MH_DP_AUTO)
		dp = mh_kernel_has_ecryptfs() ? MH_DP_KERNEL : MH_DP_FUSE;
	if (dp == MH_DP_FUSE) {
		version = MH_V_FUSE;
	} else if (!kernel_known) {
		print_version_fallback();
		version = MH_V_PASSPHRASE;
	}
	r = ecryptfs_keyring_link_user_session();
	if (r < 0) {
		printf("Unable to link the KEY_SPEC_USER_KEYRING into the "
		       "KEY_SPEC_SESSION_KEYRING; there is something wrong "
		       "with your kernel keyring. Did you build key retention "
		       "support into your kernel?\n");
		cli_error(r, "linking the user keyring into the session keyring");
		goto out;
	}
	if (!opts)
		fprintf(stderr, "Unable to find a list of options to parse, "
			"defaulting to interactive mount\n");
	else
		verbose = strstr(opts, "verbose") != NULL;
	if (verbose)
		openlog("mount.ecryptfs", LOG_PID, LOG_USER);
	if (opts && strstr(opts, "remount")) {
		fprintf(stderr, "When remounting eCryptfs, you need to pass the mount utility "
			"the -i parameter to avoid calling the mount helper\n");
		r = -EINVAL;
		goto out;
	}
	if (opts && strstr(opts, "no_sig_cache"))
		sig_cache = false;
	/*
	 * The reference appends verbosity=0 for these (so it wins over a given
	 * verbosity), and looks for "verbosity=0" in the command line only to
	 * skip the sig cache; the rc file's verbosity counts for prompts alone.
	 */
	if (opts && (strstr(opts, "no_prompt") || strstr(opts, "wild_ass_guess"))) {
		o.interactive = false;
		sig_cache = false;
	}
	if (opts && strstr(opts, "verbosity=0"))
		sig_cache = false;
	/* ecryptfs-utils drops such a token and all after it without a word. */
	if (opts && mh_opts_check_tokens(opts, msg, sizeof(msg)) < 0) {
		cli_error(0, "%s", msg);
		r = -EINVAL;
		graph_error(r);
		goto out;
	}
	r = ecryptfs_nvlist_parse(opts ? opts : "", opts ? strlen(opts) : 0, &o.cmd);
	if (r < 0) {
		cli_error(r, "parsing the mount options");
		graph_error(r);
		goto out;
	}
	if (cli_home_path(".ecryptfsrc", &rc_path) == 0) {
		r = ecryptfs_nvlist_parse_file(rc_path, &o.rc);
		if (r < 0 && r != -ENOENT)
			cli_warn("ignoring %s: %s", rc_path, cli_strerror(r));
	}
	if (o.interactive && mh_opt_find(&o, "verbosity", &vv) && vv && !strcmp(vv, "0"))
		o.interactive = false;

	r = mh_run_graph(&o, version, &st);
	if (r < 0) {
		graph_error(r);
		goto out;
	}
	/*
	 * The kernel asks ecryptfsd to wrap and unwrap a module key's file
	 * keys; without it, new files fail.  Our FUSE daemon needs none.
	 */
	if (o.module_key && dp == MH_DP_KERNEL)
		cli_warn("the kernel needs the ecryptfsd daemon for key module keys; "
			 "without it files cannot be created or opened (datapath=fuse needs none)");
	r = do_mount(argv[1], argv[2], opts, &st, sig_cache, dp, verbose);
out:
	mh_stack_free(&st);
	ecryptfs_nvlist_free(&o.cmd);
	ecryptfs_nvlist_free(&o.rc);
	free(rc_path);
	ecryptfs_secure_free(opts);
	if (verbose)
		closelog();
	return r;
}
