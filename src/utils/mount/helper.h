/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal interfaces of mount.ecryptfs, split by job: option lists
 * (mount_opts.c), the interactive decision graph (mount_graph.c, prompts in
 * mount_prompt.c), the signature cache (mount_sigcache.c), the choice of
 * data path and the exec (mount_datapath.c).  Every function returns 0 or a
 * negative errno unless it says otherwise.
 */
#ifndef ECFS_SRC_UTILS_MOUNT_HELPER_H
#define ECFS_SRC_UTILS_MOUNT_HELPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libecryptfs.h"

/* Kernel feature bits of /sys/fs/ecryptfs/version (doc/compatibility.md §4.4). */
#define MH_V_PASSPHRASE 0x001
#define MH_V_PASSTHROUGH 0x004
#define MH_V_XATTR 0x010
#define MH_V_HMAC 0x080
#define MH_V_FNEK 0x100
/* What our FUSE daemon implements: passphrase, passthrough, xattr, FNEK. */
#define MH_V_FUSE (MH_V_PASSPHRASE | MH_V_PASSTHROUGH | MH_V_XATTR | MH_V_FNEK)

/* ---- option lists (mount_opts.c) ---------------------------------------- */

/*
 * The options the decision graph sees: -o first, then ~/.ecryptfsrc, so a
 * command-line entry wins over a same-named rc entry.
 */
struct mh_opts {
	struct ecryptfs_nvlist cmd;
	struct ecryptfs_nvlist rc;
	bool interactive;	/* verbosity != 0: ask for what is missing */
	bool module_key;	/* set by mh_keymod_module: a tag 1 key */
};

/*
 * Look name up (command line first, then rc).  Returns true when present;
 * *value is its value or NULL for a bare "name".  Within one list the last
 * entry wins, as in the reference.
 */
bool mh_opt_find(const struct mh_opts *o, const char *name, const char **value);
/* The same for the first of two alias names that is present. */
bool mh_opt_find2(const struct mh_opts *o, const char *name, const char *alias,
		  const char **value);

/* Values the graph produced, pushed in order and popped in reverse. */
struct mh_stack {
	char **v;
	size_t n, cap;
};
int mh_stack_push(struct mh_stack *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void mh_stack_free(struct mh_stack *s);

/*
 * The user's -o string without the items libecryptfs's option table strips
 * (struct ecryptfs_opt.strip: the reference's prefix list, and ours:
 * datapath= never reaches the kernel, passphrase values (passwd=,
 * passphrase_passwd=) are never put on anyone's argv); a kernel option in
 * the kernel's form and user_xattr are kept, which the reference dropped
 * silently (ecryptfs_xattr_metadata, user_xattr; doc/compatibility.md §4.5).  malloc'ed, "" for NULL.
 */
char *mh_scrub(const char *user_opts);

/*
 * The option lists' tokenizer (ecryptfs_nvlist_parse, as ecryptfs-utils')
 * silently ends the parse at the first token of MH_MAX_TOKEN characters or
 * more, dropping it and every option after it (doc/compatibility.md §4.5).
 * Returns 0 when no token of opts is that long, else -E2BIG and a message
 * naming the option whose value is too long and the longest it may be (the
 * value itself, maybe a secret, is never in it).
 */
#define MH_MAX_TOKEN 128
int mh_opts_check_tokens(const char *opts, char *msg, size_t msg_len);

/* Value of the helper-only option datapath= in an option string, or NULL. */
const char *mh_datapath_opt(const char *user_opts, char *buf, size_t len);

/* ---- prompts (mount_prompt.c) ------------------------------------------- */

/*
 * One line from fd 0 without the newline, cut to fit len: 0, -EIO at end of
 * input, -ENOMEM (after saying so) for a line over 64 KiB.
 */
int mh_read_line(char *buf, size_t len);
/*
 * Print prompt (all of it) until answered: 1 yes, 0 no, -EINVAL after tries
 * other answers, -EIO at end of input.  The reference asks in two styles:
 * y, yes, n or no, where an empty line takes dflt (0 or 1); and, for the
 * signature cache, exactly yes or no (dflt MH_ASK_WORDS_ONLY).
 */
#define MH_ASK_WORDS_ONLY (-1)
/* Bound on re-asking, so that a stream of garbage cannot loop forever. */
#define MH_MAX_ASK 100
int mh_ask_yes_no(const char *prompt, int dflt, int tries);
/*
 * The reference's menu: "title: \n", " i) line" for each, then
 * "Selection [suggested]: ".  Answer by number or by name (names[i]); an
 * empty line takes the suggestion; anything else shows the menu again.
 * Returns the index chosen or a negative errno.
 */
int mh_menu(const char *title, const char *const *lines, const char *const *names,
	    size_t n, size_t suggested);

/* ---- the decision graph (mount_graph.c) -------------------------------- */

/*
 * Run the reference's graph over o for the kernel features in version:
 * key module (passphrase), cipher, key bytes, passthrough, HMAC, xattr,
 * encrypted view, filename encryption.  Pushes kernel options onto out.
 * 0 also when the user gave up at the passphrase (see mh_passphrase_module).
 */
int mh_run_graph(struct mh_opts *o, uint32_t version, struct mh_stack *out);

/*
 * The passphrase key module: pushes ecryptfs_sig= and fills sig_hex.  1 when
 * the user gave no passphrase three times (the reference then ends the graph
 * as if done).
 */
int mh_passphrase_module(struct mh_opts *o, struct mh_stack *out, char sig_hex[17]);

/*
 * Any other installed key module (key=openssl:...; keymod.c): its
 * token goes to @u, ecryptfs_sig= is pushed and sig_hex filled.  A missing
 * module or key is an error that names the module.
 */
int mh_keymod_module(struct mh_opts *o, const char *alias, struct mh_stack *out,
		     char sig_hex[17]);

/* ---- signature cache (mount_sigcache.c) ---------------------------------- */

/*
 * The reference's check before mounting with sig_hex: 0 go on, 1 the user
 * declined ("Aborting mount." printed), negative errno on failure.
 */
int mh_check_sig_cache(const char *sig_hex);

/* ---- data path (mount_datapath.c) --------------------------------------- */

enum mh_datapath { MH_DP_AUTO, MH_DP_KERNEL, MH_DP_FUSE };

/* Parse "kernel", "fuse", "auto": 0 or -EINVAL. */
int mh_datapath_parse(const char *s, enum mh_datapath *dp);
/* /sys/fs/ecryptfs/version, with the reference's one modprobe: 0 or <0. */
int mh_kernel_version(uint32_t *version, bool try_modprobe);
/* True if the running kernel lists ecryptfs in /proc/filesystems. */
bool mh_kernel_has_ecryptfs(void);
/*
 * Mount: fork + exec /bin/mount (kernel) or the FUSE daemon, wait, and map
 * the exit status as the reference does (32 -> -EPERM, N -> -N).
 */
int mh_exec_mount(enum mh_datapath dp, const char *src, const char *dst, const char *opts);

#endif /* ECFS_SRC_UTILS_MOUNT_HELPER_H */
