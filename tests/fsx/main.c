/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ecfs-fsx: randomized operation tester for one file (the fsx idea).
 * Exit status: 0 passed, 1 the file disagreed with the model, 2 usage or
 * set-up error. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fsx.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: ecfs-fsx [-S SEED] [-N OPS] [-l MAXLEN] [-o MAXOPLEN] [-B BIGLEN]\n"
		"                [-c FULLCMP_EVERY] [-t THREADS] [-m MODEL] [-v] [-M] [-E] [-F|-f] FILE\n"
		"       ecfs-fsx -n [-S SEED] [-N OPS] [-c FULLCHECK_EVERY] [-m MODEL_DIR] [-v] DIR\n"
		"  -S SEED   seed (default: from the clock; always printed)\n"
		"  -N OPS    number of operations (default 10000)\n"
		"  -l LEN    maximum file length (default 2 MiB + 8 KiB)\n"
		"  -o LEN    usual maximum length of one op (default 64 KiB)\n"
		"  -B LEN    length of the occasional big op (default 1 MiB)\n"
		"  -c N      compare the whole file every N ops (default 25; 0 never)\n"
		"  -t N      multi-threaded variant: N region workers, N block writers, N readers\n"
		"  -n        namespace variant on a tree under DIR (new or empty): create,\n"
		"            write, truncate, rename, link, unlink, mkdir, rmdir; -m DIR\n"
		"            saves the model tree after a passing run\n"
		"  -m FILE   at the end, pass or fail, save the model (the expected\n"
		"            contents) there: a later check can compare with it\n"
		"  -v        print every operation\n"
		"  -M        no mmap operations\n"
		"  -E        no stores past EOF through a mapping (tmpfs shows them\n"
		"            again when the file grows, which POSIX does not allow)\n"
		"  -F        no fallocate; -f: fail if fallocate mode 0 is unsupported\n"
		"  -X N      self-test: after op N flip a byte of the file behind the\n"
		"            model's back; the run must then fail and name that offset\n");
	exit(2);
}

static size_t size_arg(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		v <<= 20, end++;
	if (*end || end == s)
		usage();
	return (size_t)v;
}

int main(int argc, char **argv)
{
	struct fsx_opts o = {
		.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16),
		.nops = 10000,
		.maxlen = (2 << 20) + 8192,
		.maxoplen = 64 << 10,
		.biglen = 1 << 20,
		.fullcmp_every = 25,
	};
	int c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt(argc, argv, "S:N:l:o:B:c:t:m:nvMEFfX:")) != -1) {
		switch (c) {
		case 'S': o.seed = strtoull(optarg, NULL, 0); break;
		case 'N': o.nops = (long)size_arg(optarg); break;
		case 'l': o.maxlen = size_arg(optarg); break;
		case 'o': o.maxoplen = size_arg(optarg); break;
		case 'B': o.biglen = size_arg(optarg); break;
		case 'c': o.fullcmp_every = (long)size_arg(optarg); break;
		case 't': o.threads = (int)size_arg(optarg); break;
		case 'm': o.model_out = optarg; break;
		case 'n': o.names = true; break;
		case 'v': o.verbose = true; break;
		case 'M': o.no_mmap = true; break;
		case 'E': o.no_mapeof = true; break;
		case 'F': o.no_falloc = true; break;
		case 'f': o.need_falloc = true; break;
		case 'X': o.inject_at = (long)size_arg(optarg); break;
		default: usage();
		}
	}
	if (optind != argc - 1 || o.maxlen < FSX_EXTENT || o.maxoplen < 1 ||
	    o.biglen < 1 || o.threads < 0 || o.threads > 64)
		usage();
	o.path = argv[optind];
	if (o.names)
		return fsx_names(&o);
	return o.threads ? fsx_multi(&o) : fsx_single(&o);
}
