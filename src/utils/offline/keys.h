/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Key options shared by ecryptfs-decrypt and ecryptfs-encrypt: where the
 * mount passphrase comes from and which keyring keys to use, turned into a
 * libecryptfs key set.
 */
#ifndef ECFS_SRC_UTILS_OFFLINE_KEYS_H
#define ECFS_SRC_UTILS_OFFLINE_KEYS_H

#include <getopt.h>
#include <stdbool.h>

#include "libecryptfs.h"

/* getopt_long codes of the shared options (above the ASCII range). */
enum {
	OPT_PASSPHRASE_FILE = 0x100,
	OPT_PASSPHRASE_FD,
	OPT_WRAPPED,
	OPT_LOGIN_FILE,
	OPT_LOGIN_FD,
	OPT_SIG,
	OPT_FNEK_SIG,
	OPT_KEYRING,
	OPT_FN_CIPHER,
	OPT_FN_KEY_BYTES,
	OPT_KEY_OPTIONS_END,
};

#define OFFLINE_KEY_LONGOPTS \
	{ "passphrase-file", required_argument, NULL, OPT_PASSPHRASE_FILE }, \
	{ "passphrase-fd", required_argument, NULL, OPT_PASSPHRASE_FD }, \
	{ "wrapped-passphrase", required_argument, NULL, OPT_WRAPPED }, \
	{ "login-passphrase-file", required_argument, NULL, OPT_LOGIN_FILE }, \
	{ "login-passphrase-fd", required_argument, NULL, OPT_LOGIN_FD }, \
	{ "sig", required_argument, NULL, OPT_SIG }, \
	{ "fnek-sig", required_argument, NULL, OPT_FNEK_SIG }, \
	{ "keyring", no_argument, NULL, OPT_KEYRING }

#define OFFLINE_MAX_SIGS 16

struct offline_key_opts {
	const char *pass_file;
	int pass_fd;			/* -1: none */
	const char *wrapped;
	const char *login_file;
	int login_fd;			/* -1: prompt */
	uint8_t sigs[OFFLINE_MAX_SIGS][ECRYPTFS_SIG_SIZE];
	size_t n_sigs;
	bool have_fnek_sig;
	uint8_t fnek_sig[ECRYPTFS_SIG_SIZE];
	bool keyring;
};

/* The keys found: all of them in ks, looked up by sig. */
struct offline_keys {
	struct ecryptfs_keyset *ks;
	/* From a passphrase (NULL otherwise): the data key with the user's
	 * salt (rc file or default) and the setup-private FNEK (ASCII salt). */
	struct ecryptfs_pass_key *data;
	struct ecryptfs_pass_key *fnek;
};

void offline_key_opts_init(struct offline_key_opts *o);
/*
 * Handle one getopt_long result if it is a shared key option: 1 when taken,
 * 0 when not ours, -1 after printing a usage error.
 */
int offline_key_option(struct offline_key_opts *o, int opt, const char *arg);
/* True when at least one key source was given. */
bool offline_key_opts_any(const struct offline_key_opts *o);

/*
 * Read the secrets and derive or fetch the keys.  Prints its own errors
 * ("prog: what failed: why") and returns 0 or a negative errno.
 */
int offline_keys_load(const struct offline_key_opts *o, struct offline_keys *k);
void offline_keys_free(struct offline_keys *k);

/* Parse a decimal fd or count; -1 on anything else. */
int offline_parse_uint(const char *s, unsigned max);

#endif /* ECFS_SRC_UTILS_OFFLINE_KEYS_H */
