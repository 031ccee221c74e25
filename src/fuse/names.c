/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Entry names and symlink targets.  Without ecryptfs_fnek_sig they pass
 * through; with it every name and target is the kernel's tag 70 encoding
 * (fname.c), so a tree written here mounts through the kernel unchanged.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "efs.h"

static struct ecryptfs_pass_key *fnek;	/* NULL: plain names */
static uint8_t fn_code;
static size_t fn_key_bytes;

int efs_names_init(struct efs_fs *fs, char *err, size_t errlen)
{
	/* options.c resolved the filename cipher with the rest of the policy. */
	const struct ecryptfs_policy *p = &fs->opts.mount.policy;
	char sig_hex[ECRYPTFS_SIG_HEX_SIZE + 1];
	int r;

	if (!p->encrypt_filenames)
		return 0;
	fn_code = p->fn_cipher_code;
	fn_key_bytes = p->fn_key_bytes;
	ecryptfs_sig_to_hex(p->fnek_sig, sig_hex);
	fnek = ecryptfs_pass_key_new();
	if (!fnek) {
		snprintf(err, errlen, "secure memory: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	r = ecryptfs_keyring_get(sig_hex, fnek);
	if (r < 0) {
		snprintf(err, errlen, "ecryptfs_fnek_sig=%s: %s", sig_hex,
			 r == -ENOKEY ? "key not found in the user keyring" : strerror(-r));
		ecryptfs_pass_key_free(fnek);
		fnek = NULL;
		return r;
	}
	return 0;
}

void efs_names_free(struct efs_fs *fs)
{
	ecryptfs_pass_key_free(fnek);
	fnek = NULL;
}

int efs_names_encrypt(const char *name, char *out, size_t outsz)
{
	size_t len = strlen(name);
	int r;

	if (!fnek) {
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		if (len >= outsz)
			return -ENAMETOOLONG;
		memcpy(out, name, len + 1);
		return 0;
	}
	r = ecryptfs_fname_encrypt(fnek, fn_code, fn_key_bytes, name, len, out, outsz);
	return r < 0 ? r : 0;
}

int efs_names_decrypt(const char *lname, char *out, size_t outsz)
{
	size_t len = strlen(lname);
	int r;

	if (!fnek) {
		if (len >= outsz)
			return -ERANGE;
		memcpy(out, lname, len + 1);
		return 0;
	}
	r = ecryptfs_fname_decrypt(fnek, fn_key_bytes, lname, len, out, outsz);
	return r < 0 ? r : 0;
}

int efs_names_target_encrypt(const char *target, char *out, size_t outsz)
{
	size_t len = strlen(target);
	int r;

	if (!fnek) {
		if (len >= outsz)
			return -ENAMETOOLONG;
		memcpy(out, target, len + 1);
		return 0;
	}
	r = ecryptfs_symlink_encrypt(fnek, fn_code, fn_key_bytes, target, len, out, outsz);
	return r < 0 ? r : 0;
}

static int target_decrypt(const char *ltarget, size_t len, char *out, size_t outsz)
{
	int r;

	if (!fnek) {
		if (len >= outsz)
			return -ENAMETOOLONG;
		memcpy(out, ltarget, len);
		out[len] = 0;
		return (int)len;
	}
	r = ecryptfs_symlink_decrypt(fnek, fn_key_bytes, ltarget, len, out, outsz);
	/* A target we cannot decode reads as an I/O error, as the kernel says. */
	return r == -EINVAL ? -EIO : r;
}

unsigned efs_names_namelen(unsigned lower_namelen)
{
	ssize_t n;

	if (!fnek)
		return lower_namelen;
	n = ecryptfs_fname_max_len(fn_code, lower_namelen);
	return n > 0 ? (unsigned)n : lower_namelen;
}

ssize_t efs_read_symlink(struct efs_inode *in, char *buf, size_t size)
{
	char lbuf[PATH_MAX + 1];
	int fd = efs_inode_fd(in);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = readlinkat(fd, "", lbuf, sizeof(lbuf) - 1);
	if (n < 0)
		n = -errno;
	efs_inode_fd_put(in);
	if (n < 0)
		return n;
	lbuf[n] = 0;
	return target_decrypt(lbuf, (size_t)n, buf, size);
}
