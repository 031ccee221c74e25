/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Auth tokens in the kernel keyring.  Runs in a fresh session keyring; the
 * user keyring is shared by every test of this uid, so each run uses its own
 * passphrase (and hence sig) and removes what it added.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <keyutils.h>

#include "libecryptfs.h"
#include "internal.h"
#include "tap.h"

/* How many keys directly in keyring ring are described by desc. */
static int count_in(key_serial_t ring, const char *desc)
{
	void *list = NULL;
	long n = keyctl_read_alloc(ring, &list);
	int count = 0;

	for (long i = 0; n > 0 && i < n / (long)sizeof(key_serial_t); i++) {
		char *d = NULL;
		key_serial_t id = ((key_serial_t *)list)[i];

		if (keyctl_describe_alloc(id, &d) >= 0) {
			char *last = strrchr(d, ';');

			if (last && strcmp(last + 1, desc) == 0)
				count++;
		}
		free(d);
	}
	free(list);
	return count;
}

int main(void)
{
	struct ecryptfs_pass_key *k = ecryptfs_pass_key_new(), *got = ecryptfs_pass_key_new();
	uint8_t tok[ECRYPTFS_AUTH_TOK_SIZE];
	void *payload = NULL;
	char pass[64], uid_ring[32];
	int32_t serial = 0, s2 = 0;
	key_serial_t bogus;
	bool already = true;
	long n;

	if (!ok(k && got, "keys allocated"))
		return tap_done();
	ok(keyctl_join_session_keyring(NULL) > 0, "fresh session keyring");
	snprintf(pass, sizeof(pass), "t-keyring %d %ld", (int)getpid(), (long)time(NULL));
	is_int(ecryptfs_derive_pass_key(pass, strlen(pass), ecryptfs_default_salt, k), 0, "derive");

	is_int(ecryptfs_keyring_find(k->sig_hex, &serial), -ENOKEY, "absent before add");
	is_int(ecryptfs_keyring_add(k, &already), 0, "add");
	ok(!already, "first add reports a new key");
	is_int(ecryptfs_keyring_find(k->sig_hex, &serial), 0, "found after add");
	ok(serial > 0, "serial %d", serial);
	is_int(ecryptfs_keyring_add(k, &already), 0, "add again");
	ok(already, "second add reports the key already present");
	is_int(ecryptfs_keyring_add(k, NULL), 0, "add again without the flag");
	is_int(ecryptfs_keyring_find(k->sig_hex, &s2), 0, "still found");
	is_int(s2, serial, "same key, not a replacement");
	is_int(count_in(KEY_SPEC_USER_KEYRING, k->sig_hex), 1, "exactly one key in @u");

	{
		char *d = NULL;

		ok(keyctl_describe_alloc(serial, &d) >= 0 && strncmp(d, "user;", 5) == 0,
		   "key type user (%s)", d ? d : "?");
		free(d);
	}
	/* Reading needs possession, which comes through @s -> @u. */
	is_int(ecryptfs_keyring_link_user_session(), 0, "link @u into @s");
	snprintf(uid_ring, sizeof(uid_ring), "_uid.%u", (unsigned)getuid());
	is_int(count_in(KEY_SPEC_SESSION_KEYRING, uid_ring), 1, "@s now links %s", uid_ring);
	n = keyctl_read_alloc(serial, &payload);
	is_int(n, ECRYPTFS_AUTH_TOK_SIZE, "payload is 740 bytes");
	ecryptfs_auth_tok_build(k, tok);
	ok(n == ECRYPTFS_AUTH_TOK_SIZE && memcmp(payload, tok, sizeof(tok)) == 0,
	   "payload equals ecryptfs_auth_tok_build output");
	free(payload);

	is_int(ecryptfs_keyring_get(k->sig_hex, got), 0, "get");
	is_mem(got->kek, k->kek, 64, "get returns the KEK");
	is_mem(got->salt, k->salt, 8, "get returns the salt");
	is_str(got->sig_hex, k->sig_hex, "get returns the sig");

	is_int(ecryptfs_keyring_get("nothex", got), -EINVAL, "get with a bad sig");
	is_int(ecryptfs_keyring_find("0123456789abcde", NULL), -EINVAL, "find with a short sig");
	is_int(ecryptfs_keyring_add(NULL, NULL), -EINVAL, "add NULL");


	is_int(ecryptfs_keyring_unlink(k->sig_hex), 0, "unlink");
	is_int(ecryptfs_keyring_find(k->sig_hex, NULL), -ENOKEY, "gone after unlink");
	is_int(ecryptfs_keyring_unlink(k->sig_hex), -ENOKEY, "second unlink: -ENOKEY");
	is_int(ecryptfs_keyring_get(k->sig_hex, got), -ENOKEY, "get after unlink: -ENOKEY");

	/* A "user" key named like a sig but holding something else. */
	bogus = add_key("user", k->sig_hex, "not a token", 11, KEY_SPEC_USER_KEYRING);
	ok(bogus > 0, "planted a bogus key");
	is_int(ecryptfs_keyring_get(k->sig_hex, got), -EINVAL, "bogus payload: -EINVAL");
	is_int(ecryptfs_keyring_unlink(k->sig_hex), 0, "bogus key unlinked");

	ecryptfs_pass_key_free(k);
	ecryptfs_pass_key_free(got);
	return tap_done();
}
