/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The argument forms the passphrase programs share with ecryptfs-utils 111:
 * a file, then its secrets from the prompt, from stdin ("-") or, in the
 * reference's hidden mode, from argv.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_file_secret_args(int argc, char *argv[], char **path,
			 enum cli_secret_source *src, char **arg)
{
	*path = NULL;
	*arg = NULL;
	*src = CLI_SECRET_PROMPT;
	if (argc > 2)
		return -EINVAL;
	if (argc == 0)
		return cli_home_path(CLI_WRAPPED_PASSPHRASE_REL, path);
	/* "-x" as a file name is almost surely a mistyped option. */
	if (argv[0][0] == '-')
		return -EINVAL;
	if (argc == 2) {
		if (strcmp(argv[1], "-") == 0) {
			*src = CLI_SECRET_STDIN;
		} else {
			*src = CLI_SECRET_ARGV;
			*arg = argv[1];
		}
	}
	*path = strdup(argv[0]);
	return *path ? 0 : -ENOMEM;
}

/* "--vN" with N one of the versions the program can write. */
static int version_option(const char *arg, const char *versions)
{
	if (strncmp(arg, "--v", 3) != 0 || arg[3] == '\0' || arg[4] != '\0' ||
	    !strchr(versions, arg[3]))
		return 0;
	return arg[3] - '0';
}

int cli_two_secret_args(int argc, char *argv[], const char *versions, bool dash_is_file,
			void (*usage)(FILE *), struct cli_two_secrets *a)
{
	int i = 1, n;

	memset(a, 0, sizeof(*a));
	/* The reference prints usage and succeeds without arguments. */
	if (argc == 1 || cli_is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	a->version = version_option(argv[i], versions);
	if (a->version)
		i++;
	n = argc - i;
	if (n == 1) {
		a->src = CLI_SECRET_PROMPT;
	} else if (n == 2 && strcmp(argv[i + 1], "-") == 0) {
		a->src = CLI_SECRET_STDIN;
	} else if (n == 3) {
		a->src = CLI_SECRET_ARGV;
		a->secret[0] = argv[i + 1];
		a->secret[1] = argv[i + 2];
	} else {
		cli_error(0, "wrong arguments");
		usage(stderr);
		return 1;
	}
	a->path = argv[i];
	if (a->path[0] == '-' && !(dash_is_file && a->path[1] == '\0')) {
		cli_error(0, "unknown option '%s'", a->path);
		usage(stderr);
		return 1;
	}
	return CLI_CONTINUE;
}
