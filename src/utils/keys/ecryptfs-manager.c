/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs-manager: eCryptfs keys in the user keyring and the key modules'
 * keys.  Without arguments, ecryptfs-utils 111's menu (add a passphrase key,
 * add a module key, generate a key pair); with a command, the same for
 * scripts, plus listing and removing keys (doc/ecryptfs-manager.8).
 * Secret parameters (a passphrase) are never taken from the command line:
 * they are read from the terminal, echo off, or one line each from stdin.
 */
#include "config.h"

#include <errno.h>
#include <keyutils.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ecryptfs_key_mod.h"

#define MAX_VALUES 32
#define LINE_MAX_BYTES 4096

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ecryptfs-manager                       the menu\n"
		"       ecryptfs-manager list                  eCryptfs keys in the user keyring\n"
		"       ecryptfs-manager modules               installed key modules and parameters\n"
		"       ecryptfs-manager add passphrase        add a passphrase key (asked, or stdin)\n"
		"       ecryptfs-manager add MODULE [NAME=VALUE...]       add a module's key\n"
		"       ecryptfs-manager generate MODULE [NAME=VALUE...]  make a new key\n"
		"       ecryptfs-manager remove SIG            unlink a key from the user keyring\n"
		"Secret parameters (passphrases) are asked for, or read a line each from stdin.\n"
		"See ecryptfs-manager(8).\n");
}

struct values {
	struct ecryptfs_key_mod_value v[MAX_VALUES];
	char *owned[MAX_VALUES];
	size_t n, n_owned;
};

static void values_free(struct values *vs)
{
	for (size_t i = 0; i < vs->n_owned; i++)
		ecryptfs_secure_free(vs->owned[i]);
	vs->n = vs->n_owned = 0;
}

/* The parameter called name among those of a mount or of generation (which). */
static const struct ecryptfs_key_mod_param *find_param(const struct ecryptfs_key_mod_ops *ops,
						       const char *name, unsigned which)
{
	for (size_t i = 0; i < ops->n_params; i++)
		if ((ops->params[i].flags & which) && (!strcmp(ops->params[i].name, name) ||
		    (ops->params[i].alias && !strcmp(ops->params[i].alias, name))))
			return &ops->params[i];
	return NULL;
}

/* One line from stdin (no newline) into secure memory. */
static int read_line(char **out)
{
	char *buf = ecryptfs_secure_alloc(LINE_MAX_BYTES);
	size_t n = 0;
	int r = -ENODATA;

	if (!buf)
		return -ENOMEM;
	fflush(stdout);
	for (;;) {
		char c;
		ssize_t k = read(0, &c, 1);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = -errno;
			break;
		}
		if (k == 0 || c == '\n') {
			r = k == 0 && n == 0 ? -ENODATA : 0;
			break;
		}
		if (n + 1 >= LINE_MAX_BYTES) {
			r = -E2BIG;
			break;
		}
		buf[n++] = c;
	}
	if (r < 0) {
		ecryptfs_secure_free(buf);
		return r;
	}
	*out = buf;
	return 0;
}

/* Ask for p (masked if secret; twice when verify) and add the answer. */
static int ask(const struct ecryptfs_key_mod_param *p, bool verify, struct values *vs)
{
	char *val = NULL;
	int r;

	if (vs->n == MAX_VALUES)
		return -E2BIG;
	if (p->flags & ECRYPTFS_KEY_MOD_SECRET) {
		struct cli_secret s = {0}, s2 = {0};

		r = cli_secret_read_prompt(p->prompt ? p->prompt : p->name, &s);
		if (r == 0 && verify && isatty(0)) {
			r = cli_secret_read_prompt("Confirm passphrase", &s2);
			if (r == 0 && strcmp(s.buf, s2.buf) != 0) {
				cli_error(0, "the passphrases differ");
				r = -EINVAL;
			}
		}
		if (r == 0) {
			val = ecryptfs_secure_alloc(s.len + 1);
			if (val)
				memcpy(val, s.buf, s.len + 1);
			else
				r = -ENOMEM;
		}
		cli_secret_free(&s);
		cli_secret_free(&s2);
	} else {
		printf("%s: ", p->prompt ? p->prompt : p->name);
		r = read_line(&val);
	}
	if (r < 0) {
		if (r != -EINVAL)
			cli_error(r, "reading %s", p->name);
		return r;
	}
	vs->owned[vs->n_owned++] = val;
	vs->v[vs->n].name = p->name;
	vs->v[vs->n].value = val;
	vs->n++;
	return 0;
}

/* NAME=VALUE arguments; a secret one is refused (it would be on ps's list). */
static int take_args(const struct ecryptfs_key_mod_ops *ops, char **args, int nargs,
		     unsigned which, struct values *vs)
{
	for (int i = 0; i < nargs; i++) {
		char *eq = strchr(args[i], '=');
		const struct ecryptfs_key_mod_param *p;

		if (!eq || eq == args[i]) {
			cli_error(0, "%s: expected NAME=VALUE", args[i]);
			return -EINVAL;
		}
		*eq = '\0';
		p = find_param(ops, args[i], which);
		if (!p) {
			cli_error(0, "key module %s has no parameter %s here", ops->alias, args[i]);
			return -EINVAL;
		}
		if (p->flags & ECRYPTFS_KEY_MOD_SECRET) {
			cli_error(0, "%s is secret: it is asked for (or read from stdin), never "
				  "taken from the command line", args[i]);
			return -EINVAL;
		}
		if (vs->n == MAX_VALUES)
			return -E2BIG;
		vs->v[vs->n].name = args[i];
		vs->v[vs->n].value = eq + 1;
		vs->n++;
	}
	return 0;
}

/* An error about module alias (the library's texts name it already). */
static void say(const char *alias, const char *why)
{
	if (!strncmp(why, "key module ", 11))
		cli_error(0, "%s", why);
	else
		cli_error(0, "key module %s: %s", alias, why);
}

/*
 * Call fn until it stops asking (-ENODATA names a parameter to ask for):
 * make_blob for "add", generate for "generate".
 */
static int run_module(struct ecryptfs_keymod *m, bool gen, struct values *vs, uint8_t *blob,
		      size_t *len, struct ecryptfs_pass_key *pk)
{
	const struct ecryptfs_key_mod_ops *ops = ecryptfs_keymod_ops(m);
	char need[64], err[512];
	int r = -EINVAL;

	for (size_t round = 0; round <= ops->n_params; round++) {
		const struct ecryptfs_key_mod_param *p;

		need[0] = err[0] = '\0';
		*len = ECRYPTFS_KEY_MOD_BLOB_MAX;
		if (gen)
			r = ops->generate(vs->v, vs->n, need, err, sizeof(err));
		else if (ops->derive)
			r = ecryptfs_keymod_derive(m, vs->v, vs->n, pk, need, err, sizeof(err));
		else
			r = ops->make_blob(vs->v, vs->n, blob, len, need, err, sizeof(err));
		if (r != -ENODATA)
			break;
		p = find_param(ops, need, gen ? ECRYPTFS_KEY_MOD_GEN : ECRYPTFS_KEY_MOD_MOUNT);
		if (!p) {
			say(ops->alias, err);
			return -EINVAL;
		}
		r = ask(p, gen, vs);
		if (r < 0)
			return r;
	}
	if (r < 0)
		say(ops->alias, err[0] ? err : cli_strerror(r));
	return r;
}

static int load(const char *alias, struct ecryptfs_keymod **m)
{
	char err[512];
	int r = ecryptfs_keymod_load(alias, m, err, sizeof(err));

	if (r < 0)
		cli_error(0, "%s", err);
	return r;
}

static int add_module_key(const char *alias, char **args, int nargs)
{
	struct ecryptfs_keymod *m = NULL;
	struct ecryptfs_pass_key *pk = NULL;
	struct values vs = { .n = 0 };
	uint8_t *blob = ecryptfs_secure_alloc(ECRYPTFS_KEY_MOD_BLOB_MAX);
	size_t len = 0;
	char sig[ECRYPTFS_SIG_HEX_SIZE + 1], err[512];
	bool already = false;
	int r;

	if (!blob)
		return -ENOMEM;
	r = load(alias, &m);
	if (r == 0)
		r = take_args(ecryptfs_keymod_ops(m), args, nargs, ECRYPTFS_KEY_MOD_MOUNT, &vs);
	if (r == 0 && ecryptfs_keymod_ops(m)->derive) {
		/* A passphrase key: its token, as add passphrase adds one. */
		pk = ecryptfs_pass_key_new();
		r = pk ? run_module(m, false, &vs, blob, &len, pk) : -ENOMEM;
		if (r == 0) {
			r = ecryptfs_keyring_add(pk, &already);
			memcpy(sig, pk->sig_hex, sizeof(sig));
			if (r < 0)
				cli_error(r, "adding key [%s] to the user keyring", sig);
		}
		goto done;
	}
	if (r == 0)
		r = run_module(m, false, &vs, blob, &len, NULL);
	if (r == 0) {
		r = ecryptfs_keymod_key_sig(m, blob, len, sig, err, sizeof(err));
		if (r < 0)
			cli_error(0, "%s", err);
	}
	if (r == 0) {
		r = ecryptfs_keyring_add_module_key(alias, sig, blob, len, &already);
		if (r < 0)
			cli_error(r, "adding key [%s] to the user keyring", sig);
	}
done:
	if (r == 0 && already)
		printf("\nThat key was already in the keyring.\n\n");
	else if (r == 0)
		printf("\nAdded key to keyring with signature [%s].\n\n", sig);
	values_free(&vs);
	ecryptfs_pass_key_free(pk);
	ecryptfs_secure_free(blob);
	ecryptfs_keymod_unload(m);
	return r;
}

static int generate(const char *alias, char **args, int nargs)
{
	struct ecryptfs_keymod *m = NULL;
	struct values vs = { .n = 0 };
	size_t len;
	int r = load(alias, &m);

	if (r == 0 && !ecryptfs_keymod_ops(m)->generate) {
		cli_error(0, "key module %s cannot generate keys", alias);
		r = -ENOTSUP;
	}
	if (r == 0)
		r = take_args(ecryptfs_keymod_ops(m), args, nargs, ECRYPTFS_KEY_MOD_GEN, &vs);
	if (r == 0)
		r = run_module(m, true, &vs, NULL, &len, NULL);
	if (r == 0)
		printf("Generated a new key with key module %s.\n", alias);
	values_free(&vs);
	ecryptfs_keymod_unload(m);
	return r;
}

static int add_passphrase(void)
{
	struct cli_secret s = {0}, s2 = {0};
	struct ecryptfs_pass_key *key = ecryptfs_pass_key_new();
	bool already = false;
	int r = key ? 0 : -ENOMEM;

	if (r == 0) {
		printf("\n\t");
		r = cli_secret_read_prompt("Mount-wide passphrase", &s);
	}
	if (r == 0 && s.len == 0) {
		printf("Invalid passphrase. Aborting mount.\n");
		r = -EINVAL;
	}
	if (r == 0 && isatty(0)) {
		printf("\t");
		r = cli_secret_read_prompt("Confirm passphrase", &s2);
		if (r == 0 && strcmp(s.buf, s2.buf) != 0) {
			printf("Passphrase mismatch. Aborting mount\n");
			r = -EINVAL;
		}
	}
	if (r == 0) {
		printf("\tUsing the default salt value\n");
		r = ecryptfs_derive_pass_key(s.buf, s.len, ecryptfs_default_salt, key);
		if (r == 0)
			r = ecryptfs_keyring_add(key, &already);
		if (r < 0)
			cli_error(r, "adding the passphrase key to the user keyring");
	}
	if (r == 0 && already)
		printf("\nThat key was already in the keyring.\n\n");
	else if (r == 0)
		printf("\nAdded key to keyring with signature [%s].\n\n", key->sig_hex);
	else if (r != -EINVAL)
		cli_error(r, "reading the passphrase");
	cli_secret_free(&s);
	cli_secret_free(&s2);
	ecryptfs_pass_key_free(key);
	return r;
}

static int list_keys(void)
{
	key_serial_t *ids = NULL;
	long n = keyctl_read_alloc(KEY_SPEC_USER_KEYRING, (void **)&ids);
	uint8_t *blob = ecryptfs_secure_alloc(ECRYPTFS_KEY_MOD_BLOB_MAX);
	struct ecryptfs_pass_key *pk = ecryptfs_pass_key_new();
	int shown = 0;

	if (n < 0 || !blob || !pk) {
		int r = n < 0 ? -errno : -ENOMEM;

		cli_error(r, "reading the user keyring");
		free(ids);
		ecryptfs_secure_free(blob);
		ecryptfs_pass_key_free(pk);
		return r;
	}
	for (long i = 0; i < n / (long)sizeof(key_serial_t); i++) {
		char *desc = NULL, alias[17];
		size_t len = ECRYPTFS_KEY_MOD_BLOB_MAX;
		uint8_t sig[ECRYPTFS_SIG_SIZE];
		const char *d;

		if (keyctl_describe_alloc(ids[i], &desc) < 0)
			continue;
		/* "type;uid;gid;perm;description" */
		d = strrchr(desc, ';');
		d = d ? d + 1 : desc;
		if (strncmp(desc, "user;", 5) == 0 && ecryptfs_sig_from_hex(d, sig) == 0) {
			if (ecryptfs_keyring_get(d, pk) == 0) {
				printf("%s passphrase\n", d);
				shown++;
			} else if (ecryptfs_keyring_get_module_key(d, alias, blob, &len) == 0) {
				printf("%s module %s\n", d, alias);
				shown++;
			}
		}
		free(desc);
	}
	if (!shown)
		printf("No eCryptfs keys in the user keyring.\n");
	free(ids);
	ecryptfs_secure_free(blob);
	ecryptfs_pass_key_free(pk);
	return 0;
}

static int list_modules(void)
{
	char **names = NULL;
	size_t n = 0;
	int r = ecryptfs_keymod_list(&names, &n);

	if (r < 0) {
		cli_error(r, "reading %s", ecryptfs_keymod_dir());
		return r;
	}
	for (size_t i = 0; i < n; i++) {
		struct ecryptfs_keymod *m = NULL;
		char err[512];
		const struct ecryptfs_key_mod_ops *ops;

		if (ecryptfs_keymod_load(names[i], &m, err, sizeof(err)) < 0) {
			printf("%s: %s\n", names[i], err);
			continue;
		}
		ops = ecryptfs_keymod_ops(m);
		printf("%s (%s)\n", names[i], ops->description ? ops->description : "");
		for (int gen = 0; gen < 2; gen++) {
			unsigned which = gen ? ECRYPTFS_KEY_MOD_GEN : ECRYPTFS_KEY_MOD_MOUNT;
			int first = 1;

			if (gen && !ops->generate)
				continue;
			printf("  %s:", gen ? "generate" : "add, mount");
			for (size_t j = 0; j < ops->n_params; j++) {
				const struct ecryptfs_key_mod_param *p = &ops->params[j];

				if (!(p->flags & which))
					continue;
				printf("%s %s%s%s%s%s", first ? "" : ",", p->name,
				       p->alias ? "|" : "", p->alias ? p->alias : "",
				       p->flags & ECRYPTFS_KEY_MOD_SECRET ? " (secret)" : "",
				       p->default_val ? "" : "");
				first = 0;
			}
			printf("\n");
		}
		ecryptfs_keymod_unload(m);
	}
	ecryptfs_keymod_list_free(names, n);
	return 0;
}

static int remove_key(const char *sig)
{
	int r = ecryptfs_keyring_unlink(sig);

	if (r < 0)
		cli_error(r, "removing key [%s]", sig);
	else
		printf("Removed key [%s] from the user keyring.\n", sig);
	return r;
}

/* The reference's module choice: none with one module, else a numbered list. */
static int pick_module(bool gen, char *alias, size_t size)
{
	char **names = NULL, *line = NULL;
	size_t n = 0, k = 0, usable[64];
	int r = ecryptfs_keymod_list(&names, &n);

	if (r < 0)
		return r;
	for (size_t i = 0; i < n && k < 64; i++) {
		struct ecryptfs_keymod *m = NULL;

		if (ecryptfs_keymod_load(names[i], &m, NULL, 0) < 0)
			continue;
		/* menu 2 adds public keys; passphrase-type modules are choice 1's */
		if (gen ? ecryptfs_keymod_ops(m)->generate != NULL
			: ecryptfs_keymod_ops(m)->derive == NULL)
			usable[k++] = i;
		ecryptfs_keymod_unload(m);
	}
	if (k == 0) {
		cli_error(0, "no key module installed in %s%s", ecryptfs_keymod_dir(),
			  gen ? " can generate keys" : "");
		r = -ENOENT;
	} else if (k == 1) {
		snprintf(alias, size, "%s", names[usable[0]]);
	} else {
		unsigned long sel;

		printf("\nThe following PKI modules are available:\n");
		for (size_t i = 0; i < k; i++)
			printf("\t%zu. %s\n", i + 1, names[usable[i]]);
		printf("\nSelect desired key module [1]: ");
		r = read_line(&line);
		sel = r == 0 && line[0] ? strtoul(line, NULL, 10) : 1;
		if (r == 0 && (sel < 1 || sel > k)) {
			cli_error(0, "no module number %s", line);
			r = -EINVAL;
		}
		if (r == 0)
			snprintf(alias, size, "%s", names[usable[sel - 1]]);
		ecryptfs_secure_free(line);
	}
	ecryptfs_keymod_list_free(names, n);
	return r;
}

static int menu(void)
{
	for (;;) {
		char *line = NULL, alias[32];
		int sel, r;

		printf("\neCryptfs key management menu\n"
		       "-------------------------------\n"
		       "\t1. Add passphrase key to keyring\n"
		       "\t2. Add public key to keyring\n"
		       "\t3. Generate new public/private keypair\n"
		       "\t4. Exit\n");
		do {
			printf("\nMake selection: ");
			r = read_line(&line);
			if (r < 0)
				return r == -ENODATA ? 0 : r;
			sel = line[0] >= '1' && line[0] <= '4' && !line[1] ? line[0] - '0' : 0;
			ecryptfs_secure_free(line);
			if (!sel)
				printf("Invalid selection\n");
		} while (!sel);
		if (sel == 4)
			return 0;
		if (sel == 1) {
			add_passphrase();
			continue;
		}
		if (pick_module(sel == 3, alias, sizeof(alias)) == 0) {
			if (sel == 2)
				add_module_key(alias, NULL, 0);
			else
				generate(alias, NULL, 0);
		}
		printf("Returning to main menu\n");
	}
}

int main(int argc, char **argv)
{
	int r;

	cli_init(argv[0]);
	if (argc >= 2 && cli_is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	cli_lock_memory();
	if (ecryptfs_keyring_link_user_session() < 0)
		cli_warn("cannot link the user keyring into the session keyring");
	if (argc == 1)
		r = menu();
	else if (!strcmp(argv[1], "list") && argc == 2)
		r = list_keys();
	else if (!strcmp(argv[1], "modules") && argc == 2)
		r = list_modules();
	else if (!strcmp(argv[1], "add") && argc == 3 && !strcmp(argv[2], "passphrase"))
		r = add_passphrase();
	else if (!strcmp(argv[1], "add") && argc >= 3)
		r = add_module_key(argv[2], argv + 3, argc - 3);
	else if (!strcmp(argv[1], "generate") && argc >= 3)
		r = generate(argv[2], argv + 3, argc - 3);
	else if (!strcmp(argv[1], "remove") && argc == 3)
		r = remove_key(argv[2]);
	else {
		usage(stderr);
		return 2;
	}
	return r < 0 ? 1 : 0;
}
