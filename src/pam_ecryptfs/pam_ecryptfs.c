/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pam_ecryptfs.so: the encrypted ~/Private at login (doc/pam_ecryptfs.8).
 *
 *   auth      unwrap ~/.ecryptfs/wrapped-passphrase with the login password
 *             and put the data key and the filename key into the user's
 *             keyring (@u); first-login bootstrap; v1 files become v2
 *   session   open: mount.ecryptfs_private when ~/.ecryptfs/auto-mount
 *             exists, and a watcher for the session's end; close:
 *             umount.ecryptfs_private -d when auto-umount exists (the
 *             helper counts sessions and locks at the last).  A session
 *             whose login program dies without a close (SIGKILL) is
 *             closed by its watcher, ecryptfs-watch (see "the session
 *             watcher" below).
 *   password  re-wrap the wrapped passphrase with the new password
 *
 * It never blocks a login: every hook returns PAM_SUCCESS, and what went
 * wrong is one syslog line (LOG_AUTHPRIV, through pam_syslog), never a
 * secret.
 *
 * Privilege: the PAM process itself reads nothing of the user's, touches
 * no keyring and runs no cryptography.  Everything else runs in a child
 * that first becomes the user entirely (the bracket marked PRIVILEGED
 * below, the only code that changes credentials): the user's files are
 * read with the user's rights, keys land in the user's own keyring, and
 * the setuid helpers are run by the user as if from a shell.  Keeping
 * libgcrypt out of the PAM process matters on its own: its secure memory
 * set-up gives up root for good in a process whose real uid is not 0
 * (su, sudo), which would break the application.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <keyutils.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "libecryptfs.h"

#ifndef ROOTSBINDIR
#define ROOTSBINDIR "/sbin"
#endif
#ifndef PKGLIBEXECDIR
#define PKGLIBEXECDIR "/usr/libexec/ecryptfs-ng"
#endif

#define PUBLIC __attribute__((visibility("default")))
#define ALIAS "Private"
#define COUNTED_KEY "pam_ecryptfs_counted"
#define WATCH_KEY "pam_ecryptfs_watch"
#define MSG_MAX 400

/* What a child reports (its exit status). */
enum {
	RES_OK = 0,	/* done */
	RES_FAIL = 1,	/* failed; the message says why */
	RES_WARN = 2,	/* done, with a message worth a line */
	RES_SKIP = 3,	/* nothing to do here */
	RES_PROMPT = 4,	/* auth: ask for the wrapping passphrase */
	RES_NOKEYS = 5,	/* session: the keys are not in the keyring */
};

struct user {
	uid_t uid;
	gid_t gid;
	char name[256];
	char home[PATH_MAX];
};

struct args {
	bool unwrap;
	const char *helperdir;
	const char *watcher;
};

static void parse_args(pam_handle_t *pamh, int argc, const char **argv, struct args *a)
{
	a->unwrap = false;
	a->helperdir = ROOTSBINDIR;
	a->watcher = PKGLIBEXECDIR "/ecryptfs-watch";
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "unwrap") == 0)
			a->unwrap = true;
		else if (strncmp(argv[i], "helperdir=/", 11) == 0)
			a->helperdir = argv[i] + 10;
		else if (strncmp(argv[i], "watcher=/", 9) == 0)
			a->watcher = argv[i] + 8;
		else
			pam_syslog(pamh, LOG_WARNING, "unknown argument %s ignored", argv[i]);
	}
}

static int get_user(pam_handle_t *pamh, struct user *u)
{
	struct passwd pw, *res = NULL;
	const char *name = NULL;
	char buf[4096];

	if (pam_get_user(pamh, &name, NULL) != PAM_SUCCESS || !name || !name[0]) {
		pam_syslog(pamh, LOG_ERR, "no user name");
		return -1;
	}
	if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) != 0 || !res) {
		pam_syslog(pamh, LOG_ERR, "no passwd entry for user %s", name);
		return -1;
	}
	/* The name goes into /dev/shm paths: a plain name only. */
	if (strchr(pw.pw_name, '/') || strcmp(pw.pw_name, ".") == 0 ||
	    strcmp(pw.pw_name, "..") == 0 ||
	    snprintf(u->name, sizeof(u->name), "%s", pw.pw_name) >= (int)sizeof(u->name) ||
	    snprintf(u->home, sizeof(u->home), "%s", pw.pw_dir) >= (int)sizeof(u->home) ||
	    pw.pw_dir[0] != '/') {
		pam_syslog(pamh, LOG_ERR, "user %s: unusable name or home directory", name);
		return -1;
	}
	u->uid = pw.pw_uid;
	u->gid = pw.pw_gid;
	return 0;
}

/* systemd's user manager and cron open sessions that must neither mount nor lock. */
static bool session_service_skipped(pam_handle_t *pamh)
{
	const void *svc = NULL;

	if (pam_get_item(pamh, PAM_SERVICE, &svc) != PAM_SUCCESS || !svc)
		return false;
	return strcmp(svc, "systemd-user") == 0 || strcmp(svc, "cron") == 0 ||
	       strcmp(svc, "crond") == 0;
}

/* ====================== PRIVILEGED: the only credential changes ====================== */

/*
 * In a forked child only: become the user for good (all three uids and
 * gids, the primary group as the only supplementary one).  A PAM process
 * that is not root (systemd's (sd-pam) closes sessions as the user) can
 * only go on if it already is the user; it keeps its groups, since
 * setgroups would fail without privilege.
 */
static int become_user(const struct user *u)
{
	uid_t r, e, s;

	if (geteuid() == 0) {
		if (setgroups(1, &u->gid) < 0 || setresgid(u->gid, u->gid, u->gid) < 0 ||
		    setresuid(u->uid, u->uid, u->uid) < 0)
			return -1;
	} else if (getuid() != u->uid || geteuid() != u->uid) {
		errno = EPERM;
		return -1;
	} else if (setresuid(u->uid, u->uid, u->uid) < 0) {
		return -1;
	}
	if (getresuid(&r, &e, &s) < 0 || r != u->uid || e != u->uid || s != u->uid) {
		errno = EPERM;
		return -1;
	}
	/* root's way back must be closed, unless the user is root */
	if (u->uid != 0 && setuid(0) == 0) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* ========================= end of the privileged code ========================= */

/* ---- children ------------------------------------------------------------- */

/* Room for one message line from a child. */
struct msg {
	char text[MSG_MAX];
};

static void say(struct msg *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct msg *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->text, sizeof(m->text), fmt, ap);
	va_end(ap);
}

/* The library's reason behind its last failure (never a secret: libecryptfs.h). */
static void keep_reason(int level, const char *text, void *ctx)
{
	char *reason = ctx;

	if (level <= ECRYPTFS_LOG_ERR)
		snprintf(reason, MSG_MAX / 2, "%s", text);
}

typedef int (*child_fn)(const struct user *u, void *arg, struct msg *m);

/*
 * Run fn(u, arg) in a child that has become the user; its result (RES_*),
 * or -1 when it could not run, with the child's message in m.
 */
static int run_as_user(pam_handle_t *pamh, const struct user *u, child_fn fn, void *arg,
		       struct msg *m)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, old;
	int p[2], st, r = -1;
	pid_t pid;
	ssize_t n;

	m->text[0] = '\0';
	if (pipe2(p, O_CLOEXEC) < 0) {
		say(m, "pipe: %s", strerror(errno));
		return -1;
	}
	/* An application that ignores SIGCHLD would have the child reaped. */
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGCHLD, &dfl, &old);
	pid = fork();
	if (pid == 0) {
		struct msg cm = { "" };
		int rc;

		close(p[0]);
		if (become_user(u) < 0) {
			say(&cm, "cannot become user %s: %s", u->name, strerror(errno));
			rc = RES_FAIL;
		} else {
			rc = fn(u, arg, &cm);
		}
		if (write(p[1], cm.text, strnlen(cm.text, sizeof(cm.text))) < 0)
			rc = RES_FAIL;
		_exit(rc);
	}
	close(p[1]);
	if (pid < 0) {
		say(m, "fork: %s", strerror(errno));
		goto out;
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			say(m, "waitpid: %s", strerror(errno));
			goto out;
		}
	}
	/*
	 * Read after the child is gone, without waiting: whatever it started
	 * (a FUSE daemon) may hold the pipe, and the message is short.
	 */
	if (fcntl(p[0], F_SETFL, O_NONBLOCK) == 0) {
		n = read(p[0], m->text, sizeof(m->text) - 1);
		m->text[n > 0 ? n : 0] = '\0';
		m->text[strcspn(m->text, "\n")] = '\0';
	}
	if (WIFEXITED(st))
		r = WEXITSTATUS(st);
	else if (!m->text[0])
		say(m, "child killed by signal %d", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
out:
	close(p[0]);
	sigaction(SIGCHLD, &old, NULL);
	return r;
}

/* ---- the user's files (children only) ----------------------------------- */

static int dotfile(char *out, const struct user *u, const char *name)
{
	if (snprintf(out, PATH_MAX, "%s/.ecryptfs/%s", u->home, name) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* 1: ~/.ecryptfs/NAME exists, 0: it does not, -1: cannot tell (errno). */
static int dot_exists(const struct user *u, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	if (dotfile(path, u, name) < 0)
		return -1;
	if (stat(path, &st) == 0)
		return 1;
	return errno == ENOENT ? 0 : -1;
}

/* The first line of ~/.ecryptfs/NAME (at most size-1 bytes): 0 or -1. */
static int dot_line(const struct user *u, const char *name, int lineno, char *out, size_t size)
{
	char path[PATH_MAX];
	FILE *f;
	int r = -1;

	if (dotfile(path, u, name) < 0)
		return -1;
	f = fopen(path, "re");
	if (!f)
		return -1;
	for (int i = 0; i <= lineno; i++) {
		if (!fgets(out, (int)size, f))
			goto out;
	}
	out[strcspn(out, "\r\n")] = '\0';
	r = 0;
out:
	fclose(f);
	return r;
}

/* Is an eCryptfs mount (kernel or FUSE) on Private.mnt's directory? */
static bool private_mounted(const struct user *u)
{
	char want[PATH_MAX + 16], *line = NULL;
	size_t cap = 0;
	bool found = false;
	FILE *f;

	if (dot_line(u, ALIAS ".mnt", 0, want, sizeof(want)) < 0 || !want[0])
		snprintf(want, sizeof(want), "%s/%s", u->home, ALIAS);
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return false;
	while (!found && getline(&line, &cap, f) > 0) {
		struct ecryptfs_mountinfo mi;

		found = ecryptfs_mountinfo_parse(line, &mi) == 0 && strcmp(mi.mountpoint, want) == 0 &&
			(strcmp(mi.fstype, "ecryptfs") == 0 || strcmp(mi.fstype, "fuse.ecryptfs") == 0);
	}
	free(line);
	fclose(f);
	return found;
}

/* Are Private.sig's signatures (one or two lines) all in @u? */
static bool keys_present(const struct user *u)
{
	char sig[64];
	int n = 0;

	for (int i = 0; i < 2; i++) {
		if (dot_line(u, ALIAS ".sig", i, sig, sizeof(sig)) < 0 || !sig[0])
			break;
		if (keyctl_search(KEY_SPEC_USER_KEYRING, "user", sig, 0) < 0)
			return false;
		n++;
	}
	return n > 0;
}

/* ---- auth --------------------------------------------------------------- */

static int auth_probe(const struct user *u, void *arg, struct msg *m)
{
	(void)arg;
	/* As the reference: keys only for homes that mount at login. */
	if (dot_exists(u, "auto-mount") == 0)
		return RES_SKIP;
	/* Mounted already: its keys were loaded then. */
	if (private_mounted(u))
		return RES_SKIP;
	return dot_exists(u, "wrapping-independent") == 1 ? RES_PROMPT : RES_OK;
}

struct auth_job {
	const char *pass;	/* the login or wrapping passphrase (PAM's memory) */
	bool unwrap;
};

/*
 * First login of a bootstrapped home: setup-private left the mount
 * passphrase in /dev/shm/.ecryptfs-USER for want of a login password; it
 * is wrapped with this one and removed.  RES_SKIP when there is none.
 */
static int bootstrap(const struct user *u, const char *path, const char *pw, struct msg *m)
{
	char clear[PATH_MAX], *pass = NULL;
	struct stat st;
	ssize_t n;
	size_t len;
	int fd = -1, rc, r = RES_FAIL;

	if (snprintf(clear, sizeof(clear), "/dev/shm/.ecryptfs-%s", u->name) >= (int)sizeof(clear))
		return RES_SKIP;
	if (lstat(clear, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != u->uid)
		return RES_SKIP;
	if (lstat(path, &st) == 0 || errno != ENOENT)
		return RES_SKIP;
	if (!pw[0])
		return RES_SKIP;
	pass = ecryptfs_secure_alloc(ECRYPTFS_MAX_PASSPHRASE_BYTES + 2);
	if (!pass) {
		say(m, "bootstrap: out of secure memory");
		goto out;
	}
	fd = open(clear, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	n = fd < 0 ? -1 : ecryptfs_read_full(fd, pass, ECRYPTFS_MAX_PASSPHRASE_BYTES + 2);
	if (n < 0) {
		say(m, "bootstrap: reading %s: %s", clear, strerror(fd < 0 ? errno : (int)-n));
		goto out;
	}
	len = (size_t)n;
	if (len && pass[len - 1] == '\n')
		pass[--len] = '\0';
	/* the secret crosses here: the mount passphrase, from RAM disk to the wrapped file */
	rc = ecryptfs_wrap_file(path, pass, len, pw, strlen(pw), NULL);
	if (rc < 0) {
		say(m, "bootstrap: wrapping %s into %s: %s", clear, path, strerror(-rc));
		goto out;
	}
	if (unlink(clear) < 0) {
		say(m, "bootstrap: %s wrapped, but removing it failed: %s", clear, strerror(errno));
		r = RES_WARN;
		goto out;
	}
	r = RES_OK;
out:
	if (fd >= 0)
		close(fd);
	ecryptfs_secure_free(pass);
	return r;
}

/*
 * The migration at login: a v1 file (no salt of its own) is wrapped again
 * with the same password as v2; any other is left as it is.  The version
 * is read before ecryptfs_rewrap_file takes the file's lock, as holding
 * the lock here would make that call wait for us: a rewrap landing in
 * between leaves a v2 or v3 file, which the call wraps again as it is (v3
 * with its costs) under the same password, or refuses (-EKEYREJECTED)
 * under another.
 */
static int migrate_v1(const char *path, const char *pw)
{
	uint8_t buf[ECRYPTFS_WRAPPED_MAX_BYTES];
	size_t len = 0;
	int rc;

	rc = ecryptfs_wrapped_read_file(path, buf, &len);
	if (rc == 0)
		rc = ecryptfs_wrapped_version(buf, len);
	explicit_bzero(buf, sizeof(buf));
	if (rc != ECRYPTFS_WRAP_V1)
		return rc < 0 ? rc : 0;
	return ecryptfs_rewrap_file(path, pw, strlen(pw), pw, strlen(pw), NULL, NULL);
}

/* Add the data key and the filename key for mount passphrase pw (no unwrap). */
static int add_pass_keys(const char *pw, char *sig_hex)
{
	struct ecryptfs_pass_key *k = ecryptfs_pass_key_new();
	uint8_t salt[ECRYPTFS_SALT_SIZE];
	int rc = -ENOMEM;

	if (!k)
		goto out;
	ecryptfs_user_salt(salt, NULL);
	rc = ecryptfs_derive_pass_key(pw, strlen(pw), ecryptfs_fnek_salt, k);
	if (rc == 0)
		rc = ecryptfs_keyring_add(k, NULL);
	if (rc == 0)
		rc = ecryptfs_derive_pass_key(pw, strlen(pw), salt, k);
	if (rc == 0)
		rc = ecryptfs_keyring_add(k, NULL);
	if (rc == 0)
		memcpy(sig_hex, k->sig_hex, ECRYPTFS_SIG_HEX_SIZE + 1);
out:
	ecryptfs_pass_key_free(k);
	return rc;
}

static int auth_keys(const struct user *u, void *arg, struct msg *m)
{
	const struct auth_job *job = arg;
	char path[PATH_MAX], sig[ECRYPTFS_SIG_HEX_SIZE + 1] = "", want[64];
	char reason[MSG_MAX / 2] = "";
	int r = RES_OK, rc;

	ecryptfs_set_log_callback(keep_reason, reason);
	/* For the kernel's mount: find @u's keys from this session (may fail: not ours). */
	ecryptfs_keyring_link_user_session();
	if (!job->unwrap) {
		rc = add_pass_keys(job->pass, sig);
		if (rc < 0) {
			say(m, "adding the login passphrase's keys to the keyring: %s", strerror(-rc));
			return RES_FAIL;
		}
		goto check;
	}
	if (dotfile(path, u, "wrapped-passphrase") < 0) {
		say(m, "%s/.ecryptfs: %s", u->home, strerror(errno));
		return RES_FAIL;
	}
	r = bootstrap(u, path, job->pass, m);
	if (r == RES_FAIL)
		return r;
	if (r == RES_SKIP)
		r = RES_OK;
	/* A v1 file (no salt of its own) becomes v2; failing that is no reason to stop. */
	rc = migrate_v1(path, job->pass);
	if (rc < 0 && rc != -EKEYREJECTED && r == RES_OK) {
		say(m, "%s: migration from v1 failed: %s", path, strerror(-rc));
		r = RES_WARN;
	}
	rc = ecryptfs_insert_wrapped_into_keyring(path, job->pass, strlen(job->pass), NULL, sig,
						  NULL);
	if (rc < 0) {
		say(m, "%s: unwrapping with the login password failed: %s%s%s", path,
		    rc == -EKEYREJECTED ? "wrong password (changed outside PAM?)" : strerror(-rc),
		    reason[0] ? ": " : "", reason);
		return RES_FAIL;
	}
check:
	/* Keys that are not the ones the mount wants (a salt in ~/.ecryptfsrc?) */
	if (r == RES_OK && dot_line(u, ALIAS ".sig", 0, want, sizeof(want)) == 0 &&
	    strcmp(want, sig) != 0) {
		say(m, "the key added (%s) is not Private.sig's (%.16s)", sig, want);
		r = RES_WARN;
	}
	return r;
}

PUBLIC int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct auth_job job;
	struct args a;
	struct user u;
	struct msg m;
	char *prompted = NULL;
	const void *item = NULL;
	int r;

	(void)flags;
	parse_args(pamh, argc, argv, &a);
	if (get_user(pamh, &u) < 0)
		return PAM_SUCCESS;
	r = run_as_user(pamh, &u, auth_probe, NULL, &m);
	if (r == RES_SKIP)
		return PAM_SUCCESS;
	if (r != RES_OK && r != RES_PROMPT) {
		pam_syslog(pamh, LOG_ERR, "user %s: %s", u.name, m.text);
		return PAM_SUCCESS;
	}
	if (r == RES_PROMPT) {
		if (pam_prompt(pamh, PAM_PROMPT_ECHO_OFF, &prompted, "Encryption passphrase: ") !=
		    PAM_SUCCESS)
			prompted = NULL;
		job.pass = prompted;
	} else {
		job.pass = pam_get_item(pamh, PAM_AUTHTOK, &item) == PAM_SUCCESS ? item : NULL;
	}
	if (!job.pass || !job.pass[0]) {
		pam_syslog(pamh, LOG_NOTICE, "user %s: no password to unwrap with; "
			   "keys not added (~/Private will not mount)", u.name);
		goto out;
	}
	job.unwrap = a.unwrap;
	/*
	 * The secret crosses here: the child gets the passphrase in its copy
	 * of this process's memory and hands it to the library, which derives
	 * keys in its own secure memory; nothing comes back but a status.
	 */
	r = run_as_user(pamh, &u, auth_keys, &job, &m);
	if (r == RES_FAIL || r < 0)
		pam_syslog(pamh, LOG_ERR, "user %s: %s", u.name, m.text);
	else if (r == RES_WARN)
		pam_syslog(pamh, LOG_WARNING, "user %s: %s", u.name, m.text);
out:
	if (prompted) {
		explicit_bzero(prompted, strlen(prompted));
		free(prompted);
	}
	return PAM_SUCCESS;
}

PUBLIC int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh, (void)flags, (void)argc, (void)argv;
	return PAM_SUCCESS;
}

/* ---- sessions ----------------------------------------------------------- */

struct helper_job {
	const char *dir;
	bool mounting;
};

static int session_probe(const struct user *u, void *arg, struct msg *m)
{
	const struct helper_job *job = arg;
	char path[PATH_MAX];
	struct stat st;

	(void)m;
	if (dotfile(path, u, ALIAS ".sig") < 0 || stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return RES_SKIP;
	if (dot_exists(u, job->mounting ? "auto-mount" : "auto-umount") == 0)
		return RES_SKIP;
	if (job->mounting && !keys_present(u))
		return RES_NOKEYS;
	return RES_OK;
}

/* In the child, already the user: the setuid helper, its output to the pipe. */
static int run_helper(const struct user *u, void *arg, struct msg *m)
{
	const struct helper_job *job = arg;
	char prog[PATH_MAX];
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pid_t pid;
	int st, p[2];

	(void)u;
	snprintf(prog, sizeof(prog), "%s/%s", job->dir,
		 job->mounting ? "mount.ecryptfs_private" : "umount.ecryptfs_private");
	if (null < 0 || pipe(p) < 0) {
		say(m, "%s", strerror(errno));
		return RES_FAIL;
	}
	pid = fork();
	if (pid == 0) {
		static char *const env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };

		if (dup2(null, 0) < 0 || dup2(p[1], 1) < 0 || dup2(p[1], 2) < 0 || chdir("/") < 0)
			_exit(126);
		if (job->mounting)
			execle(prog, "mount.ecryptfs_private", (char *)NULL, env);
		else
			execle(prog, "umount.ecryptfs_private", "-d", (char *)NULL, env);
		dprintf(2, "cannot run %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	if (pid < 0) {
		say(m, "fork: %s", strerror(errno));
		close(p[0]);
		return RES_FAIL;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			say(m, "waitpid: %s", strerror(errno));
			close(p[0]);
			return RES_FAIL;
		}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		close(p[0]);
		return RES_OK;
	}
	/* Its first line of output says why (the daemon it started may hold the pipe). */
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	{
		char out[MSG_MAX / 2];
		ssize_t n = read(p[0], out, sizeof(out) - 1);

		out[n > 0 ? n : 0] = '\0';
		out[strcspn(out, "\n")] = '\0';
		say(m, "%s failed (%s %d)%s%s", prog, WIFEXITED(st) ? "exit" : "signal",
		    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), out[0] ? ": " : "", out);
	}
	close(p[0]);
	return RES_FAIL;
}

static void forget_counted(pam_handle_t *pamh, void *data, int status)
{
	(void)pamh, (void)data, (void)status;
}

/* ---- the session watcher -------------------------------------------------- */

/*
 * A session must lock however it ends, and a login program killed with
 * SIGKILL runs no close_session.  So open_session leaves a watcher,
 * ecryptfs-watch (src/pam_ecryptfs/ecryptfs-watch.c): a program of the
 * user's, outside the application's process tree and session, holding
 * one end of a socket pair whose other end stays in the PAM process,
 * close-on-exec so that the user's shell does not get it.
 *
 *   close_session sends one byte before unmounting itself: the watcher
 *   exits and does nothing.
 *   End of file without that byte: every process holding the PAM
 *   handle is gone without a close (killed, or pam_end without
 *   close_session): the watcher runs the close in its place, which
 *   counts the session out and locks at the last.
 *
 * The kernel closes a dead process's descriptors, so nothing the PAM
 * process does (or fails to do) can lose the end of the session.  The
 * watcher is exec'd, not a fork left running: a fork would keep a copy
 * of the application's memory, the login password included.  The user
 * may kill their own watcher; that only keeps their files open.
 */
struct watch_job {
	const char *prog, *helper, *service;
	int fd;			/* the watcher's end of the pair */
};

static int spawn_watcher(const struct user *u, void *arg, struct msg *m)
{
	const struct watch_job *job = arg;
	pid_t pid;

	(void)u;
	pid = fork();
	if (pid < 0) {
		say(m, "watcher: fork: %s", strerror(errno));
		return RES_FAIL;
	}
	if (pid == 0) {
		static char *const env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
		struct sigaction dfl = { .sa_handler = SIG_DFL };
		sigset_t none;
		/* Out of 0-2's way first: an application may have closed them. */
		int fd = fcntl(job->fd, F_DUPFD_CLOEXEC, 10);
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		/*
		 * Nothing of the application's: no terminal, no process
		 * group it would signal, no descriptor (an sshd socket held
		 * there would keep a connection up), no blocked or ignored
		 * signal.
		 */
		if (fd < 0 || null < 0 || setsid() < 0 || dup2(null, 0) < 0 ||
		    dup2(null, 1) < 0 || dup2(null, 2) < 0 || dup2(fd, 3) < 0 ||
		    close_range(4, ~0U, 0) < 0 || chdir("/") < 0)
			_exit(1);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		sigemptyset(&dfl.sa_mask);
		for (int sig = 1; sig < NSIG; sig++)
			sigaction(sig, &dfl, NULL);
		execle(job->prog, "ecryptfs-watch", job->service, job->helper, (char *)NULL, env);
		_exit(127);
	}
	/* The watcher is the init process's child once this one has exited. */
	return RES_OK;
}

static void forget_watch(pam_handle_t *pamh, void *data, int status)
{
	(void)pamh, (void)status;
	close((int)(intptr_t)data - 1);
}

static void start_watcher(pam_handle_t *pamh, const struct user *u, const struct args *a)
{
	char helper[PATH_MAX];
	struct watch_job job = { .prog = a->watcher, .helper = helper, .service = "?" };
	const void *svc = NULL;
	struct msg m;
	int sv[2];

	snprintf(helper, sizeof(helper), "%s/umount.ecryptfs_private", a->helperdir);
	if (pam_get_item(pamh, PAM_SERVICE, &svc) == PAM_SUCCESS && svc)
		job.service = svc;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		pam_syslog(pamh, LOG_ERR, "user %s: no watcher for this session "
			   "(a killed login would not lock): socketpair: %s", u->name, strerror(errno));
		return;
	}
	job.fd = sv[1];
	if (access(job.prog, X_OK) < 0) {
		pam_syslog(pamh, LOG_ERR, "user %s: no watcher for this session "
			   "(a killed login would not lock): %s: %s", u->name, job.prog, strerror(errno));
		close(sv[0]);
	} else if (run_as_user(pamh, u, spawn_watcher, &job, &m) != RES_OK) {
		pam_syslog(pamh, LOG_ERR, "user %s: no watcher for this session "
			   "(a killed login would not lock): %s", u->name, m.text);
		close(sv[0]);
	} else if (pam_set_data(pamh, WATCH_KEY, (void *)(intptr_t)(sv[0] + 1), forget_watch) !=
		   PAM_SUCCESS) {
		close(sv[0]);
	}
	close(sv[1]);
}

/* close_session: tell the watcher the session was closed here. */
static void stop_watcher(pam_handle_t *pamh)
{
	const void *data = NULL;

	if (pam_get_data(pamh, WATCH_KEY, &data) != PAM_SUCCESS || !data)
		return;
	/* MSG_NOSIGNAL: a watcher already gone must not SIGPIPE the application. */
	if (send((int)(intptr_t)data - 1, "c", 1, MSG_NOSIGNAL) < 0)
		pam_syslog(pamh, LOG_DEBUG, "watcher: %s", strerror(errno));
	pam_set_data(pamh, WATCH_KEY, NULL, NULL);
}

PUBLIC int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct helper_job job = { .mounting = true };
	struct args a;
	struct user u;
	struct msg m;
	int r;

	(void)flags;
	if (session_service_skipped(pamh))
		return PAM_SUCCESS;
	parse_args(pamh, argc, argv, &a);
	job.dir = a.helperdir;
	if (get_user(pamh, &u) < 0)
		return PAM_SUCCESS;
	r = run_as_user(pamh, &u, session_probe, &job, &m);
	if (r == RES_SKIP)
		return PAM_SUCCESS;
	if (r == RES_NOKEYS) {
		pam_syslog(pamh, LOG_NOTICE, "user %s: keys not in the keyring, "
			   "~/Private not mounted", u.name);
		pam_info(pamh, "Your encrypted private directory was not mounted: "
			 "no login password unlocked it (a key login?).\n"
			 "Run 'ecryptfs-mount-private' to mount it.");
		return PAM_SUCCESS;
	}
	if (r == RES_OK)
		r = run_as_user(pamh, &u, run_helper, &job, &m);
	if (r != RES_OK) {
		pam_syslog(pamh, LOG_ERR, "user %s: %s", u.name, m.text);
		return PAM_SUCCESS;
	}
	/* This session counts: its close may uncount it, and only then. */
	pam_set_data(pamh, COUNTED_KEY, (void *)COUNTED_KEY, forget_counted);
	start_watcher(pamh, &u, &a);
	return PAM_SUCCESS;
}

PUBLIC int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct helper_job job = { .mounting = false };
	const void *counted = NULL;
	struct args a;
	struct user u;
	struct msg m;
	int r;

	(void)flags;
	if (session_service_skipped(pamh))
		return PAM_SUCCESS;
	if (pam_get_data(pamh, COUNTED_KEY, &counted) != PAM_SUCCESS || !counted)
		return PAM_SUCCESS;
	pam_set_data(pamh, COUNTED_KEY, NULL, NULL);
	stop_watcher(pamh);
	parse_args(pamh, argc, argv, &a);
	job.dir = a.helperdir;
	if (get_user(pamh, &u) < 0)
		return PAM_SUCCESS;
	r = run_as_user(pamh, &u, session_probe, &job, &m);
	if (r == RES_SKIP)
		return PAM_SUCCESS;
	if (r == RES_OK)
		r = run_as_user(pamh, &u, run_helper, &job, &m);
	if (r != RES_OK)
		pam_syslog(pamh, LOG_ERR, "user %s: %s", u.name, m.text);
	return PAM_SUCCESS;
}

/* ---- password ----------------------------------------------------------- */

struct pw_job {
	const char *old, *new;
};

static int chauthtok_child(const struct user *u, void *arg, struct msg *m)
{
	const struct pw_job *job = arg;
	char path[PATH_MAX];
	int r, rc;

	if (dotfile(path, u, "wrapped-passphrase") < 0)
		return RES_SKIP;
	r = bootstrap(u, path, job->new, m);
	if (r != RES_SKIP)
		return r;
	if (dot_exists(u, "wrapped-passphrase") != 1)
		return RES_SKIP;
	/* Wrapped with a passphrase of its own, not the login password. */
	if (dot_exists(u, "wrapping-independent") == 1)
		return RES_SKIP;
	if (!job->old) {
		say(m, "%s not re-wrapped: the old password is unknown "
		    "(use ecryptfs-rewrap-passphrase)", path);
		return RES_FAIL;
	}
	/* Under the file's lock, taken by the call; a v3 file keeps its costs. */
	rc = ecryptfs_rewrap_file(path, job->old, strlen(job->old), job->new, strlen(job->new),
				  NULL, NULL);
	if (rc < 0) {
		say(m, "re-wrapping %s with the new password failed: %s", path,
		    rc == -EKEYREJECTED ? "the old password does not unwrap it" : strerror(-rc));
		return RES_FAIL;
	}
	return RES_OK;
}

PUBLIC int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const void *old = NULL, *new = NULL;
	struct pw_job job;
	struct user u;
	struct msg m;
	int r;

	(void)argc, (void)argv;
	if (flags & PAM_PRELIM_CHECK)
		return PAM_SUCCESS;
	if (get_user(pamh, &u) < 0)
		return PAM_SUCCESS;
	if (pam_get_item(pamh, PAM_OLDAUTHTOK, &old) != PAM_SUCCESS)
		old = NULL;
	if (pam_get_item(pamh, PAM_AUTHTOK, &new) != PAM_SUCCESS || !new || !*(const char *)new) {
		pam_syslog(pamh, LOG_WARNING, "user %s: no new password; wrapped passphrase "
			   "left as it is", u.name);
		return PAM_SUCCESS;
	}
	job.old = old;
	job.new = new;
	/* The secret crosses here: both passwords, into the child's copy of memory. */
	r = run_as_user(pamh, &u, chauthtok_child, &job, &m);
	if (r == RES_FAIL || r < 0)
		pam_syslog(pamh, LOG_ERR, "user %s: %s", u.name, m.text);
	else if (r == RES_WARN)
		pam_syslog(pamh, LOG_WARNING, "user %s: %s", u.name, m.text);
	return PAM_SUCCESS;
}
