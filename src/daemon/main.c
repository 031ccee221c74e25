/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfsd (doc/ecryptfsd.8): options, /dev/ecryptfs, the loop.
 *
 * The kernel keeps one daemon per user (euid and user namespace): the open
 * registers us for the euid we run as, and a file opened by a process of
 * that euid is the only one whose requests reach us.  So we serve exactly
 * our own user keyring, and never run with another uid's privileges: a
 * root daemon serves root's opens only, which is why running as root
 * takes --allow-root.  Requests are answered one at a time: a module key
 * is opened once (request.c), after which a wrap or unwrap is a single RSA
 * operation, far below the kernel's 3 s.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <keyutils.h>

#include "cli.h"
#include "efsd.h"

static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	stop_sig = sig;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ecryptfsd [OPTION]...\n"
		"Answer the kernel eCryptfs's key requests for files whose key is a key\n"
		"module's (tag 1 packets), with the keys in the user keyring of the user\n"
		"it runs as.\n\n"
		"  -f, --foreground     stay in the foreground; messages also on stderr\n"
		"  -p, --pidfile FILE   write the daemon's pid into FILE\n"
		"  -d, --device PATH    the kernel's device (default /dev/ecryptfs)\n"
		"      --allow-root     run as root (serving root's own file opens only)\n"
		"  -V, --version        print the version and exit\n"
		"  -h, --help           print this help and exit\n");
}

static int open_device(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	switch (errno) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		cli_error(-errno, "opening %s (is the ecryptfs kernel module loaded? "
			  "modprobe ecryptfs)", path);
		break;
	case EACCES:
		/* The kernel makes it root's (0600); see doc/ecryptfsd.8, FILES. */
		cli_error(-errno, "opening %s (the system gives users no access to it: "
			  "see ecryptfsd(8) for the udev rule)", path);
		break;
	case EINVAL:
	case EBUSY:
		cli_error(0, "opening %s: a daemon for uid %u is already registered (the "
			  "kernel allows one per user)", path, (unsigned)geteuid());
		break;
	default:
		cli_error(-errno, "opening %s", path);
	}
	return -1;
}

/* Detach: the parent returns to the shell once the child runs. */
static int daemonize(void)
{
	pid_t pid = fork();
	int null;

	if (pid < 0) {
		cli_error(-errno, "fork");
		return -1;
	}
	if (pid > 0)
		_exit(0);
	if (setsid() < 0) {
		cli_error(-errno, "setsid");
		return -1;
	}
	if (chdir("/") < 0)
		return -1;
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	return 0;
}

static int write_pidfile(const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f) {
		cli_error(-errno, "writing the pid file %s", path);
		return -1;
	}
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) != 0) {
		cli_error(-errno, "writing the pid file %s", path);
		return -1;
	}
	return 0;
}

/* Until a signal: read a frame, answer it.  0, or -1 on a device error. */
static int serve(int fd, struct efsd *d)
{
	uint8_t *in = ecryptfs_secure_alloc(EFSD_READ_MAX);
	uint8_t *out = ecryptfs_secure_alloc(EFSD_WRITE_MAX);
	sigset_t unblocked;
	int rc = -1;

	if (!in || !out) {
		cli_error(-ENOMEM, "allocating buffers");
		goto out;
	}
	sigprocmask(SIG_SETMASK, NULL, &unblocked);
	sigdelset(&unblocked, SIGTERM);
	sigdelset(&unblocked, SIGINT);
	sigdelset(&unblocked, SIGHUP);
	while (!stop_sig) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		size_t out_len = 0;
		ssize_t n;

		/* Signals arrive only here, so none is lost between test and wait. */
		if (ppoll(&p, 1, NULL, &unblocked) < 0) {
			if (errno == EINTR)
				continue;
			cli_error(-errno, "waiting on the device");
			goto out;
		}
		if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) {
			cli_error(0, "the device was closed under us");
			goto out;
		}
		if (!(p.revents & POLLIN))
			continue;
		n = read(fd, in, EFSD_READ_MAX);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			cli_error(-errno, "reading from the device");
			goto out;
		}
		if (n == 0)
			continue;	/* another reader was first, or a signal */
		efsd_handle(d, in, (size_t)n, out, &out_len);
		explicit_bzero(in, (size_t)n);
		if (out_len) {
			ssize_t w = write(fd, out, out_len);

			if (w < 0)
				/* EINVAL: the kernel stopped waiting (3 s) or the open died. */
				cli_error(-errno, "writing a reply to the kernel");
			else if ((size_t)w != out_len)
				cli_error(0, "the kernel took %zd of %zu reply bytes", w, out_len);
			explicit_bzero(out, out_len);
		}
	}
	rc = 0;
out:
	ecryptfs_secure_free(in);
	ecryptfs_secure_free(out);
	return rc;
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "allow-root", no_argument, NULL, 'R' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pidfile = NULL, *device = "/dev/ecryptfs";
	bool foreground = false, allow_root = false, pid_written = false;
	struct efsd *d = NULL;
	struct sigaction sa;
	sigset_t block;
	uint8_t bare[5];
	int c, fd = -1, rc = 1;

	cli_init(argv[0]);
	while ((c = getopt_long(argc, argv, "fp:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			foreground = true;
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 'R':
			allow_root = true;
			break;
		case 'V':
			printf("ecryptfsd (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind < argc) {
		cli_error(0, "unexpected argument \"%s\"", argv[optind]);
		usage(stderr);
		return 1;
	}
	if (getuid() != geteuid() || getgid() != getegid()) {
		cli_error(0, "refusing to run set-user-ID or set-group-ID: run it as the "
			  "user whose keys it serves");
		return 1;
	}
	if (geteuid() == 0 && !allow_root) {
		cli_error(0, "refusing to run as root: the kernel sends a daemon only the "
			  "requests of its own uid, so run it as the user whose files use "
			  "key module keys (or give --allow-root to serve root's own opens)");
		return 1;
	}
	if (ecryptfs_init() < 0)
		cli_warn("secure memory is unavailable");
	cli_lock_memory();
	cli_log_to_syslog();

	/* Signals wait until ppoll in serve(), which unblocks them. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/*
	 * Reading a token needs possession: a session keyring of our own with
	 * @u in it, so that what the caller's session holds does not matter
	 * and we change nothing in it.
	 */
	if (keyctl_join_session_keyring(NULL) < 0 ||
	    keyctl_link(KEY_SPEC_USER_KEYRING, KEY_SPEC_SESSION_KEYRING) < 0) {
		cli_error(-errno, "linking the user keyring into a session keyring");
		goto out;
	}
	/* Before detaching, so that "already running" reaches the terminal. */
	fd = open_device(device);
	if (fd < 0)
		goto out;
	if (efsd_new(&d) < 0) {
		cli_error(-ENOMEM, "starting");
		goto out;
	}
	if (!foreground && daemonize() < 0)
		goto out;
	if (pidfile) {
		if (write_pidfile(pidfile) < 0)
			goto out;
		pid_written = true;
	}
	efsd_bare_build(EFSD_MSG_HELO, bare);
	if (write(fd, bare, sizeof(bare)) != (ssize_t)sizeof(bare))
		cli_warn("saying HELO to the kernel: %s", strerror(errno));
	syslog(LOG_INFO, "serving the key requests of uid %u on %s", (unsigned)geteuid(),
	       device);
	if (foreground)
		fprintf(stderr, "ecryptfsd: serving the key requests of uid %u on %s\n",
			(unsigned)geteuid(), device);
	if (serve(fd, d) == 0)
		rc = 0;
	efsd_bare_build(EFSD_MSG_QUIT, bare);
	if (write(fd, bare, sizeof(bare)) < 0 && rc == 0)
		cli_warn("saying QUIT to the kernel: %s", strerror(errno));
	{
		const struct efsd_stats *st = efsd_stats(d);
		char line[200];

		snprintf(line, sizeof(line), "exiting%s%s: %lu requests answered, %lu refused, "
			 "%lu frames dropped", stop_sig ? " on " : "",
			 stop_sig ? strsignal(stop_sig) : "", st->answered, st->refused,
			 st->dropped);
		syslog(LOG_INFO, "%s", line);
		if (foreground)
			fprintf(stderr, "ecryptfsd: %s\n", line);
	}
out:
	if (pid_written)
		unlink(pidfile);
	efsd_free(d);
	if (fd >= 0)
		close(fd);
	return rc;
}
