/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The reference's decision graph for mount.ecryptfs, written out as the
 * fixed sequence it is for the passphrase module (doc/compatibility.md §4.3):
 * key module, cipher, key bytes, then the optional nodes the kernel supports.
 * Each node takes its value from the options (command line, then
 * ~/.ecryptfsrc); a missing value is asked for when interactive and is an
 * error otherwise, unless the node has a default.  Values are pushed in the
 * reference's order, because the kernel option string is built from them.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "helper.h"

struct mh_cipher {
	const char *name;
	unsigned block, min, max;	/* what the menu prints */
	unsigned keys[4];		/* the key-bytes menu, 0-terminated */
};

/* The reference's menu, in its order and with its figures. */
static const struct mh_cipher ciphers[] = {
	{ "aes", 16, 16, 32, { 16, 32, 24, 0 } },
	{ "blowfish", 8, 16, 56, { 16, 32, 56, 0 } },
	{ "des3_ede", 8, 24, 24, { 24, 0 } },
	{ "twofish", 16, 16, 32, { 16, 32, 0 } },
	{ "cast6", 16, 16, 32, { 16, 32, 0 } },
	{ "cast5", 8, 5, 16, { 16, 0 } },
};
#define N_CIPHERS (sizeof(ciphers) / sizeof(ciphers[0]))

static int cipher_node(struct mh_opts *o, struct mh_stack *out, const struct mh_cipher **c)
{
	char lines[N_CIPHERS][96];
	const char *l[N_CIPHERS], *names[N_CIPHERS];
	const char *v = NULL;
	int r;

	if (mh_opt_find(o, "ecryptfs_cipher", &v) && v) {
		for (size_t i = 0; i < N_CIPHERS; i++)
			if (!strcmp(v, ciphers[i].name)) {
				*c = &ciphers[i];
				return mh_stack_push(out, "ecryptfs_cipher=%s", v);
			}
		/* An unknown given value fails even when asking (reference). */
		cli_error(0, "ecryptfs_cipher: unknown cipher %s", v);
		return -EINVAL;
	}
	if (!o->interactive) {
		cli_error(0, "required option ecryptfs_cipher= missing and prompting is off");
		return -EINVAL;
	}
	for (size_t i = 0; i < N_CIPHERS; i++) {
		snprintf(lines[i], sizeof(lines[i]),
			 "%s: blocksize = %u; min keysize = %u; max keysize = %u",
			 ciphers[i].name, ciphers[i].block, ciphers[i].min, ciphers[i].max);
		l[i] = lines[i];
		names[i] = ciphers[i].name;
	}
	r = mh_menu("Select cipher", l, names, N_CIPHERS, 0);
	if (r < 0)
		return r;
	*c = &ciphers[r];
	return mh_stack_push(out, "ecryptfs_cipher=%s", ciphers[r].name);
}

static unsigned opt_uint(struct mh_opts *o, const char *name, unsigned dflt)
{
	const char *v;

	if (mh_opt_find(o, name, &v) && v && *v)
		return (unsigned)strtoul(v, NULL, 10);
	return dflt;
}

/*
 * What the key-size menu of c offers within lo..hi, for the message about a
 * size it does not: "aes takes 16, 24 or 32".  The menu's sizes, not the
 * kernel's: they are what this helper accepts, as the reference's did.
 */
static const char *allowed_key_bytes(const struct mh_cipher *c, unsigned lo, unsigned hi)
{
	static char text[96];
	unsigned sorted[4];
	size_t n = 0, len;

	for (size_t i = 0; c->keys[i]; i++) {
		size_t j;

		if (c->keys[i] < lo || c->keys[i] > hi)
			continue;
		/* insertion in ascending order (the menu says 16, 32, 24) */
		for (j = n++; j > 0 && sorted[j - 1] > c->keys[i]; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = c->keys[i];
	}
	if (n == 0) {
		snprintf(text, sizeof(text), "no key size of %s within min_key_bytes/max_key_bytes",
			 c->name);
		return text;
	}
	len = (size_t)snprintf(text, sizeof(text), "%s takes", c->name);
	for (size_t i = 0; i < n && len < sizeof(text); i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%u",
					i == 0 ? " " : i + 1 == n ? " or " : ", ", sorted[i]);
	return text;
}

static int key_bytes_node(struct mh_opts *o, struct mh_stack *out, const struct mh_cipher *c)
{
	/* Helper-only filters of the reference. */
	unsigned lo = opt_uint(o, "min_key_bytes", 0), hi = opt_uint(o, "max_key_bytes", ~0u);
	char lines[4][16];
	const char *l[4], *names[4];
	const char *v = NULL;
	size_t n = 0;
	int r;

	for (size_t i = 0; c->keys[i]; i++) {
		if (c->keys[i] < lo || c->keys[i] > hi)
			continue;
		snprintf(lines[n], sizeof(lines[n]), "%u", c->keys[i]);
		l[n] = names[n] = lines[n];
		n++;
	}
	if (mh_opt_find(o, "ecryptfs_key_bytes", &v) && v) {
		for (size_t i = 0; i < n; i++)
			if (!strcmp(v, names[i]))
				return mh_stack_push(out, "ecryptfs_key_bytes=%s", v);
		cli_error(0, "ecryptfs_key_bytes=%s: %s", v, allowed_key_bytes(c, lo, hi));
		return -EINVAL;
	}
	if (!o->interactive) {
		cli_error(0, "required option ecryptfs_key_bytes= missing and prompting is off");
		return -EINVAL;
	}
	if (n == 0) {
		cli_error(0, "no key size of %s within min_key_bytes/max_key_bytes", c->name);
		return -EINVAL;
	}
	r = mh_menu("Select key bytes", l, names, n, 0);
	if (r < 0)
		return r;
	return mh_stack_push(out, "ecryptfs_key_bytes=%s", names[r]);
}

/*
 * A y/n node: bare "name" or y/yes means yes, n/no means no.  Absent: the
 * default when not interactive or when the node is not prompted, else the
 * question.  1 yes, 0 no, or a negative errno.
 */
static int yes_no_node(struct mh_opts *o, const char *name, const char *prompt, bool prompted)
{
	const char *v = NULL;

	if (mh_opt_find(o, name, &v)) {
		int yes = ecryptfs_opt_yes_no(v);

		if (yes >= 0)
			return yes;
		cli_error(0, "%s: expected y or n, got %s", name, v);
		if (!o->interactive || !prompted)
			return -EINVAL;
	} else if (!o->interactive || !prompted) {
		return 0;
	}
	return mh_ask_yes_no(prompt, 0, MH_MAX_ASK);
}

/* A y/n node whose yes pushes the bare option `push`. */
static int flag_node(struct mh_opts *o, struct mh_stack *out, const char *name,
		     const char *prompt, bool prompted, const char *push)
{
	int r = yes_no_node(o, name, prompt, prompted);

	if (r > 0)
		r = mh_stack_push(out, "%s", push);
	return r < 0 ? r : 0;
}

static int fnek_node(struct mh_opts *o, struct mh_stack *out, const char *sig_hex)
{
	const char *v = NULL;
	char line[128];
	int r;

	r = yes_no_node(o, "ecryptfs_enable_filename_crypto", "Enable filename encryption (y/n) [n]: ",
			true);
	if (r < 0)
		return r;
	/* A given FNEK sig is used even with filename encryption "n" (ref). */
	if (mh_opt_find(o, "ecryptfs_fnek_sig", &v) && v && *v)
		return mh_stack_push(out, "ecryptfs_fnek_sig=%s", v);
	/* The reference pushes nothing here when it may not ask. */
	if (r == 0 || !o->interactive)
		return 0;
	/*
	 * The answer names a key in the keyring by its signature, 16 hex
	 * digits and nothing else.  The reference pushes any text, so a comma
	 * in it added mount options of the user's choosing (and a wrong sig
	 * failed only in the kernel): anything else is asked again, and the
	 * sig goes on in the keyring's lowercase spelling.
	 */
	for (int i = 0; i < 3; i++) {
		uint8_t sig[ECRYPTFS_SIG_SIZE];
		char hex[ECRYPTFS_SIG_HEX_SIZE + 1];

		printf("Filename Encryption Key (FNEK) Signature [%s]: ", sig_hex);
		r = mh_read_line(line, sizeof(line));
		if (r < 0)
			return r;
		if (!line[0])
			return mh_stack_push(out, "ecryptfs_fnek_sig=%s", sig_hex);
		if (ecryptfs_sig_from_hex(line, sig) == 0) {
			ecryptfs_sig_to_hex(sig, hex);
			return mh_stack_push(out, "ecryptfs_fnek_sig=%s", hex);
		}
		cli_error(0, "FNEK signature: not 16 hexadecimal digits");
	}
	cli_error(0, "no FNEK signature after three tries");
	return -EINVAL;
}

/*
 * The reference's key-type menu, over passphrase and the installed key
 * modules that load; skipped (passphrase) when there is only passphrase.
 */
static int key_type_node(char *alias, size_t size)
{
	const char *names[33] = { "passphrase" };
	char **mods = NULL;
	size_t n = 1, nmods = 0;
	int r;

	snprintf(alias, size, "passphrase");
	if (ecryptfs_keymod_list(&mods, &nmods) < 0)
		return 0;	/* no module directory to read: passphrase only */
	for (size_t i = 0; i < nmods && n < 33; i++) {
		struct ecryptfs_keymod *m = NULL;

		if (ecryptfs_keymod_load(mods[i], &m, NULL, 0) == 0)
			names[n++] = mods[i];
		ecryptfs_keymod_unload(m);
	}
	r = n > 1 ? mh_menu("Select key type to use for newly created files", names, names, n, 0)
		  : 0;
	if (r >= 0)
		snprintf(alias, size, "%s", names[r]);
	ecryptfs_keymod_list_free(mods, nmods);
	return r < 0 ? r : 0;
}

int mh_run_graph(struct mh_opts *o, uint32_t version, struct mh_stack *out)
{
	const struct mh_cipher *c = NULL;
	char sig_hex[ECRYPTFS_SIG_HEX_SIZE + 1] = "";
	const char *v = NULL;
	int r;

	if (mh_opt_find(o, "sig", &v) && v && *v) {
		/* A sig given directly skips the key modules (doc/compatibility.md §4.2). */
		snprintf(sig_hex, sizeof(sig_hex), "%s", v);
		r = mh_stack_push(out, "ecryptfs_sig=%s", v);
	} else {
		char chosen[ECRYPTFS_SIG_HEX_SIZE + 8];

		if (!mh_opt_find(o, "key", &v) || !v) {
			if (!o->interactive) {
				cli_error(0, "no key= option (e.g. key=passphrase) and prompting is off");
				return -EINVAL;
			}
			r = key_type_node(chosen, sizeof(chosen));
			if (r < 0)
				return r;
			v = chosen;
		}
		if (strcmp(v, "passphrase") != 0) {
			r = mh_keymod_module(o, v, out, sig_hex);
		} else {
			r = mh_passphrase_module(o, out, sig_hex);
			if (r == 1)
				return 0;	/* the reference's early end, see there */
		}
	}
	if (r < 0)
		return r;
	r = cipher_node(o, out, &c);
	if (r < 0)
		return r;
	r = key_bytes_node(o, out, c);
	if (r < 0)
		return r;
	if (version & MH_V_PASSTHROUGH) {
		r = flag_node(o, out, "ecryptfs_passthrough",
			      "Enable plaintext passthrough (y/n) [n]: ", true, "ecryptfs_passthrough");
		if (r < 0)
			return r;
	}
	if (version & MH_V_HMAC) {
		r = flag_node(o, out, "ecryptfs_hmac", "Enable HMAC integrity verification (y/N): ",
			      true, "ecryptfs_hmac");
		if (r < 0)
			return r;
	}
	if (version & MH_V_XATTR) {
		/* Default n and never asked, as in the reference. */
		r = flag_node(o, out, "ecryptfs_xattr", NULL, false, "ecryptfs_xattr_metadata");
		if (r == 0)
			r = flag_node(o, out, "ecryptfs_encrypted_view", NULL, false,
				      "ecryptfs_encrypted_view");
		if (r < 0)
			return r;
	}
	if (version & MH_V_FNEK) {
		r = fnek_node(o, out, sig_hex);
		if (r < 0)
			return r;
	}
	return 0;
}
