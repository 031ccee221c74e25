/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rc-file tokenizer on arbitrary bytes, in memory and through a file
 * (ecryptfs_rc_salt): no crash, no leak, and entries that keep the rules
 * (names never empty nor starting with '=' or ':', tokens under 128 bytes).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libecryptfs.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_list(const struct ecryptfs_nvlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const char *name = l->v[i].name, *value = l->v[i].value;
		size_t len = strlen(name) + (value ? strlen(value) + 1 : 0);

		if (!name[0] || name[0] == '=' || name[0] == ':' || len >= 128)
			abort();
		if (strchr(name, ',') || strchr(name, '\n'))
			abort();
		/* Only a PKCS#11 URI value keeps '=' signs; its name has none. */
		if (value && strchr(value, '=') &&
		    (strncmp(value, "pkcs11:", 7) != 0 || strchr(name, '=')))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ecryptfs_nvlist l = { NULL, 0 };
	uint8_t salt[ECRYPTFS_SALT_SIZE];
	char path[64];
	bool from_rc;
	int rc, fd;

	rc = ecryptfs_nvlist_parse((const char *)data, size, &l);
	if (rc == 0) {
		const char *hex = ecryptfs_nvlist_get(&l, "salt");

		check_list(&l);
		if (hex)
			ecryptfs_salt_from_hex(hex, salt);
		ecryptfs_nvlist_free(&l);
	} else if (rc != -EINVAL || l.v || l.n) {
		abort();
	}

	/* The file path: read in pieces, the size limit, the salt fallback. */
	fd = memfd_create("rc", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (ecryptfs_rc_salt(path, salt, &from_rc) != 0)
			abort();
		if (!from_rc && memcmp(salt, ecryptfs_default_salt, sizeof(salt)) != 0)
			abort();
	}
	close(fd);
	return 0;
}
