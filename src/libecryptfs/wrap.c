/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Wrapped passphrases (~/.ecryptfs/wrapped-passphrase), byte-compatible with
 * ecryptfs-utils 111:
 *   v1  sighex[16] ct                 salt from ~/.ecryptfsrc or the default
 *   v2  ':' 0x02 salt[8] sighex[16] ct
 * ct is AES-128-ECB under the first 16 bytes of the KDF of the wrapping
 * passphrase, over the passphrase NUL-padded to a multiple of 16 (16..64
 * bytes).  The stored sig is the only check of the wrapping passphrase.
 * v3 (wrap_v3.c) is ours; the layouts are in doc/wrapped-passphrase.5.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gcrypt.h>

#include "libecryptfs.h"
#include "internal.h"

#define V2_SALT_OFF 2
#define V2_SIG_OFF (V2_SALT_OFF + ECRYPTFS_SALT_SIZE)
#define V2_CT_OFF (V2_SIG_OFF + ECRYPTFS_SIG_HEX_SIZE)
#define V1_CT_OFF ECRYPTFS_SIG_HEX_SIZE
#define WRAP_AES_KEY_BYTES 16
#define WRAP_BLOCK 16

static bool all_hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return false;
	}
	return true;
}

static int parse_ct(const uint8_t *buf, size_t len, size_t off, struct ecryptfs_wrapped_fields *f)
{
	size_t n;

	if (len <= off) {
		ecryptfs_log(ECRYPTFS_LOG_ERR, "wrapped passphrase v%d: %zu bytes, no "
			     "ciphertext after the %zu-byte header", f->version, len, off);
		return -EBADMSG;
	}
	n = len - off;
	if (n % WRAP_BLOCK || n > ECRYPTFS_MAX_PASSPHRASE_BYTES) {
		ecryptfs_log(ECRYPTFS_LOG_ERR, "wrapped passphrase v%d: a ciphertext of %zu "
			     "bytes, not 16, 32, 48 or 64", f->version, n);
		return -EBADMSG;
	}
	f->ct = buf + off;
	f->ct_len = n;
	return 0;
}

int ecryptfs_wrapped_parse(const uint8_t *buf, size_t len, struct ecryptfs_wrapped_fields *f)
{
	memset(f, 0, sizeof(*f));
	if (!buf || len == 0) {
		ecryptfs_log(ECRYPTFS_LOG_ERR, "wrapped passphrase: an empty file");
		return -EBADMSG;
	}
	if (buf[0] != ':') {
		/* v1 (the reference's detection: 16 hex digits first). */
		if (len < V1_CT_OFF || !all_hex(buf, ECRYPTFS_SIG_HEX_SIZE)) {
			ecryptfs_log(ECRYPTFS_LOG_ERR, "wrapped passphrase: neither ':' and a "
				     "version byte nor (version 1) 16 hex digits first");
			return -EBADMSG;
		}
		f->version = ECRYPTFS_WRAP_V1;
		f->sig_hex = (const char *)buf;
		return parse_ct(buf, len, V1_CT_OFF, f);
	}
	if (len < 2) {
		ecryptfs_log(ECRYPTFS_LOG_ERR,
			     "wrapped passphrase: 1 byte, no version byte after ':'");
		return -EBADMSG;
	}
	switch (buf[1]) {
	case ECRYPTFS_WRAP_V2:
		if (len < V2_CT_OFF || !all_hex(buf + V2_SIG_OFF, ECRYPTFS_SIG_HEX_SIZE)) {
			ecryptfs_log(ECRYPTFS_LOG_ERR, "wrapped passphrase v2: %s",
				     len < V2_CT_OFF ? "cut short inside the salt or signature"
						     : "the signature is not 16 hex digits");
			return -EBADMSG;
		}
		f->version = ECRYPTFS_WRAP_V2;
		f->salt = buf + V2_SALT_OFF;
		f->sig_hex = (const char *)buf + V2_SIG_OFF;
		return parse_ct(buf, len, V2_CT_OFF, f);
	case ECRYPTFS_WRAP_V3:
		return ecryptfs_wrapped_v3_parse(buf, len, f);
	case ECRYPTFS_WRAP_V1:
		/* No v1 file starts with ':'; the byte was damaged. */
		ecryptfs_log(ECRYPTFS_LOG_ERR, "wrapped passphrase: version byte 1 after ':', "
			     "which no version writes");
		return -EBADMSG;
	default:
		ecryptfs_log(ECRYPTFS_LOG_ERR, "wrapped passphrase: unknown version %u", buf[1]);
		return -ENOTSUP;
	}
}

ECRYPTFS_EXPORT int ecryptfs_wrapped_version(const uint8_t *buf, size_t len)
{
	struct ecryptfs_wrapped_fields f;
	int rc = ecryptfs_wrapped_parse(buf, len, &f);

	return rc < 0 ? rc : f.version;
}

/* AES-128-ECB in either direction; in and out may be the same buffer. */
static int ecb(bool encrypt, const uint8_t *kek, const uint8_t *in, uint8_t *out, size_t n)
{
	gcry_cipher_hd_t h = NULL;
	gcry_error_t err;
	int rc;

	if (gcry_cipher_open(&h, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_ECB, GCRY_CIPHER_SECURE)) {
		rc = -ENOMEM;
		goto out;
	}
	err = gcry_cipher_setkey(h, kek, WRAP_AES_KEY_BYTES);
	if (!err)
		err = encrypt ? gcry_cipher_encrypt(h, out, n, in, n) :
				gcry_cipher_decrypt(h, out, n, in, n);
	rc = err ? -EIO : 0;
out:
	if (h)
		gcry_cipher_close(h);
	return rc;
}

static int unwrap_v12(const struct ecryptfs_wrapped_fields *f, const uint8_t *salt,
		      const char *wrapping_pw, size_t wrapping_len, char *pass, size_t *pass_len)
{
	struct ecryptfs_pass_key *k = ecryptfs_pass_key_new();
	uint8_t *pt = ecryptfs_secure_alloc(ECRYPTFS_MAX_PASSPHRASE_BYTES);
	int rc;

	if (!k || !pt) {
		rc = -ENOMEM;
		goto out;
	}
	rc = ecryptfs_derive_pass_key(wrapping_pw, wrapping_len, salt, k);
	if (rc < 0)
		goto out;
	if (memcmp(k->sig_hex, f->sig_hex, ECRYPTFS_SIG_HEX_SIZE) != 0) {
		/* A v1 file keeps no salt: the caller's may be the wrong one. */
		ecryptfs_log(ECRYPTFS_LOG_ERR, "wrapped passphrase v%d: the wrapping passphrase "
			     "does not give the file's signature%s", f->version,
			     f->version == ECRYPTFS_WRAP_V1 ? " (or, as version 1 files keep "
			     "no salt, the salt is not the one it was wrapped with)" : "");
		rc = -EKEYREJECTED;
		goto out;
	}
	rc = ecb(false, k->kek, f->ct, pt, f->ct_len);
	if (rc == 0)
		rc = ecryptfs_wrapped_pass_out(pt, f->ct_len, pass, pass_len);
out:
	ecryptfs_pass_key_free(k);
	ecryptfs_secure_free(pt);
	return rc;
}

ECRYPTFS_EXPORT int ecryptfs_unwrap(const uint8_t *buf, size_t len,
				    const char *wrapping_pw, size_t wrapping_len,
				    const uint8_t *v1_salt, char *pass, size_t *pass_len)
{
	struct ecryptfs_wrapped_fields f;
	uint8_t salt[ECRYPTFS_SALT_SIZE];
	int rc;

	if (!pass || !pass_len) {
		rc = -EINVAL;
		goto out;
	}
	rc = ecryptfs_check_passphrase(wrapping_pw, wrapping_len);
	if (rc < 0)
		goto out;
	rc = ecryptfs_wrapped_parse(buf, len, &f);
	if (rc < 0)
		goto out;
	switch (f.version) {
	case ECRYPTFS_WRAP_V1:
		if (v1_salt)
			memcpy(salt, v1_salt, sizeof(salt));
		else
			ecryptfs_user_salt(salt, NULL);
		rc = unwrap_v12(&f, salt, wrapping_pw, wrapping_len, pass, pass_len);
		break;
	case ECRYPTFS_WRAP_V2:
		rc = unwrap_v12(&f, f.salt, wrapping_pw, wrapping_len, pass, pass_len);
		break;
	default:
		rc = ecryptfs_unwrap_v3(&f, buf, wrapping_pw, wrapping_len, pass, pass_len);
		break;
	}
out:
	return rc;
}

static int wrap_v2(const char *pass, size_t pass_len, const char *wrapping_pw,
		   size_t wrapping_len, uint8_t *out, size_t *out_len)
{
	struct ecryptfs_pass_key *k = ecryptfs_pass_key_new();
	uint8_t *pt = ecryptfs_secure_alloc(ECRYPTFS_MAX_PASSPHRASE_BYTES);
	size_t padded = (pass_len + WRAP_BLOCK - 1) / WRAP_BLOCK * WRAP_BLOCK;
	uint8_t salt[ECRYPTFS_SALT_SIZE];
	int rc;

	if (!k || !pt) {
		rc = -ENOMEM;
		goto out;
	}
	gcry_randomize(salt, sizeof(salt), GCRY_STRONG_RANDOM);
	rc = ecryptfs_derive_pass_key(wrapping_pw, wrapping_len, salt, k);
	if (rc < 0)
		goto out;
	/* NUL padding, and no extra block when already aligned: the reference. */
	memcpy(pt, pass, pass_len);
	out[0] = ':';
	out[1] = ECRYPTFS_WRAP_V2;
	memcpy(out + V2_SALT_OFF, salt, sizeof(salt));
	memcpy(out + V2_SIG_OFF, k->sig_hex, ECRYPTFS_SIG_HEX_SIZE);
	rc = ecb(true, k->kek, pt, out + V2_CT_OFF, padded);
	if (rc < 0)
		goto out;
	*out_len = V2_CT_OFF + padded;
out:
	ecryptfs_pass_key_free(k);
	ecryptfs_secure_free(pt);
	return rc;
}

ECRYPTFS_EXPORT int ecryptfs_wrap(const char *pass, size_t pass_len,
				  const char *wrapping_pw, size_t wrapping_len,
				  const struct ecryptfs_wrap_params *params,
				  uint8_t *out, size_t *out_len)
{
	int version = params ? (int)params->version : ECRYPTFS_WRAP_V2;
	int rc;

	if (!out || !out_len) {
		rc = -EINVAL;
		goto out;
	}
	rc = ecryptfs_check_passphrase(pass, pass_len);
	if (rc == 0)
		rc = ecryptfs_check_passphrase(wrapping_pw, wrapping_len);
	if (rc < 0)
		goto out;
	rc = ecryptfs_init();
	if (rc < 0)
		goto out;
	switch (version) {
	case 0:
	case ECRYPTFS_WRAP_V2:
		rc = wrap_v2(pass, pass_len, wrapping_pw, wrapping_len, out, out_len);
		break;
	case ECRYPTFS_WRAP_V3:
		rc = ecryptfs_wrap_v3(pass, pass_len, wrapping_pw, wrapping_len, params, out,
				      out_len);
		break;
	case ECRYPTFS_WRAP_V1:
		/* Unsalted (CVE-2014-9687): read, never written. */
		rc = -EINVAL;
		break;
	default:
		rc = -ENOTSUP;
		break;
	}
out:
	return rc;
}

ECRYPTFS_EXPORT int ecryptfs_wrapped_read_file(const char *path, uint8_t *buf, size_t *len)
{
	uint8_t tmp[ECRYPTFS_WRAPPED_MAX_BYTES + 1];
	size_t got = 0;
	int fd = -1, rc;

	if (!path || !buf || !len) {
		rc = -EINVAL;
		goto out;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	/* Unlike the reference's v1 reader, a read error is an error. */
	rc = ecryptfs_read_bounded(fd, tmp, ECRYPTFS_WRAPPED_MAX_BYTES, &got);
	if (rc < 0)
		goto out;
	memcpy(buf, tmp, got);
	*len = got;
	rc = 0;
out:
	ecryptfs_wipe(tmp, sizeof(tmp));
	if (fd >= 0)
		close(fd);
	return rc;
}

static void sync_dir_of(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* Best effort: the rename is done and cannot be taken back, and the
	 * data itself is already on disk. */
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

ECRYPTFS_EXPORT int ecryptfs_wrapped_write_file(const char *path, const uint8_t *buf,
						size_t len)
{
	char *tmp = NULL;
	struct stat st;
	int fd = -1, rc;

	if (!path || !buf || len == 0 || len > ECRYPTFS_WRAPPED_MAX_BYTES) {
		rc = -EINVAL;
		goto out;
	}
	/* The reference's FILE-XXXXXX, in the same directory so rename is atomic. */
	if (asprintf(&tmp, "%s-XXXXXX", path) < 0) {
		tmp = NULL;
		rc = -ENOMEM;
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = -errno;
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (fchmod(fd, 0600) < 0) {
		rc = -errno;
		goto out;
	}
	/* Root rewrapping for a user (PAM) must not hand the file to root. */
	if (stat(path, &st) == 0 && (st.st_uid != geteuid() || st.st_gid != getegid()) &&
	    fchown(fd, st.st_uid, st.st_gid) < 0 && geteuid() == 0) {
		rc = -errno;
		goto out;
	}
	rc = ecryptfs_write_full(fd, buf, len);
	if (rc < 0)
		goto out;
	if (fsync(fd) < 0) {
		rc = -errno;
		goto out;
	}
	rc = close(fd);
	fd = -1;
	if (rc < 0) {
		rc = -errno;
		goto out;
	}
	if (rename(tmp, path) < 0) {
		rc = -errno;
		goto out;
	}
	free(tmp);
	tmp = NULL;
	sync_dir_of(path);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	return rc;
}

/* flock that waits, through signals; 0 or a negative errno. */
static int flock_wait(int fd)
{
	int rc;

	do {
		rc = flock(fd, LOCK_EX);
	} while (rc < 0 && errno == EINTR);
	return rc < 0 ? -errno : 0;
}

ECRYPTFS_EXPORT int ecryptfs_wrapped_lock(const char *path, int *lock_fd)
{
	struct stat st, now;
	int fd = -1, rc;

	if (!lock_fd)
		return -EINVAL;
	*lock_fd = -1;
	if (!path) {
		rc = -EINVAL;
		goto out;
	}
	for (;;) {
		/* Never open a FIFO or a device just to lock it: opening
		 * either can block or have effects. */
		if (stat(path, &st) < 0) {
			rc = -errno;
			goto out;
		}
		if (!S_ISREG(st.st_mode)) {
			rc = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
			goto out;
		}
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0) {
			rc = -errno;
			goto out;
		}
		rc = flock_wait(fd);
		if (rc == -EBADF) {
			/* NFS emulates flock with POSIX locks, and an exclusive
			 * one needs a descriptor open for writing. */
			int wfd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

			if (wfd >= 0) {
				close(fd);
				fd = wfd;
				rc = flock_wait(fd);
			}
		}
		/*
		 * A file system without locks (NFS without a lock manager) is
		 * used unlocked, as it was before there was a lock: refusing
		 * would leave its users with no way to change a passphrase.
		 */
		if (rc < 0 && rc != -ENOLCK && rc != -EOPNOTSUPP && rc != -EBADF &&
		    rc != -EINVAL)
			goto out;
		if (fstat(fd, &st) < 0 || stat(path, &now) < 0) {
			rc = -errno;
			goto out;
		}
		/* Still the file the path names: the lock is ours.  Otherwise
		 * the holder we waited for renamed a new file over it; that
		 * one is the file to lock and read. */
		if (st.st_dev == now.st_dev && st.st_ino == now.st_ino)
			break;
		close(fd);
		fd = -1;
	}
	*lock_fd = fd;
	fd = -1;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

ECRYPTFS_EXPORT void ecryptfs_wrapped_unlock(int lock_fd)
{
	/* Closing the only descriptor of the open file releases the lock. */
	if (lock_fd >= 0)
		close(lock_fd);
}

ECRYPTFS_EXPORT int ecryptfs_unwrap_file(const char *path, const char *wrapping_pw,
					 size_t wrapping_len, const uint8_t *v1_salt,
					 char *pass, size_t *pass_len)
{
	uint8_t buf[ECRYPTFS_WRAPPED_MAX_BYTES];
	size_t len = 0;
	int rc;

	rc = ecryptfs_wrapped_read_file(path, buf, &len);
	if (rc < 0)
		goto out;
	rc = ecryptfs_unwrap(buf, len, wrapping_pw, wrapping_len, v1_salt, pass, pass_len);
out:
	ecryptfs_wipe(buf, sizeof(buf));
	return rc;
}

/* Wrap and write; the caller holds the lock if the file exists. */
static int wrap_file_locked(const char *path, const char *pass, size_t pass_len,
			    const char *wrapping_pw, size_t wrapping_len,
			    const struct ecryptfs_wrap_params *params)
{
	uint8_t buf[ECRYPTFS_WRAPPED_MAX_BYTES];
	size_t len = 0;
	int rc;

	rc = ecryptfs_wrap(pass, pass_len, wrapping_pw, wrapping_len, params, buf, &len);
	if (rc < 0)
		goto out;
	rc = ecryptfs_wrapped_write_file(path, buf, len);
out:
	ecryptfs_wipe(buf, sizeof(buf));
	return rc;
}

ECRYPTFS_EXPORT int ecryptfs_wrap_file(const char *path, const char *pass, size_t pass_len,
				       const char *wrapping_pw, size_t wrapping_len,
				       const struct ecryptfs_wrap_params *params)
{
	int lock = -1, rc;

	if (!path) {
		rc = -EINVAL;
		goto out;
	}
	/*
	 * Replacing a file waits for a rewrap of it to finish, so neither
	 * write is lost.  Where there is no regular file we may open, no
	 * rewrap can be reading one: the write goes on, and reports what is
	 * in the way (a directory, a missing directory, ...).
	 */
	rc = ecryptfs_wrapped_lock(path, &lock);
	if (rc < 0 && rc != -ENOENT && rc != -ENOTDIR && rc != -EISDIR && rc != -EINVAL &&
	    rc != -EACCES)
		goto out;
	rc = wrap_file_locked(path, pass, pass_len, wrapping_pw, wrapping_len, params);
out:
	ecryptfs_wrapped_unlock(lock);
	return rc;
}

ECRYPTFS_EXPORT int ecryptfs_rewrap_file(const char *path,
					 const char *old_pw, size_t old_len,
					 const char *new_pw, size_t new_len,
					 const uint8_t *v1_salt,
					 const struct ecryptfs_wrap_params *params)
{
	struct ecryptfs_wrap_params keep = { .version = ECRYPTFS_WRAP_V2 };
	struct ecryptfs_wrapped_fields f;
	uint8_t buf[ECRYPTFS_WRAPPED_MAX_BYTES];
	char *pass = ecryptfs_secure_alloc(ECRYPTFS_MAX_PASSPHRASE_BYTES + 1);
	size_t len = 0, pass_len = 0;
	int lock = -1, rc;

	if (!pass) {
		rc = -ENOMEM;
		goto out;
	}
	/* Check the new passphrase before anything is derived from the old. */
	rc = ecryptfs_check_passphrase(new_pw, new_len);
	if (rc < 0)
		goto out;
	/* Read, unwrap, wrap and rename under the lock: a rewrap that ran
	 * meanwhile is seen here, and its passphrase is the one to give. */
	rc = ecryptfs_wrapped_lock(path, &lock);
	if (rc < 0)
		goto out;
	rc = ecryptfs_wrapped_read_file(path, buf, &len);
	if (rc < 0)
		goto out;
	rc = ecryptfs_wrapped_parse(buf, len, &f);
	if (rc < 0)
		goto out;
	if (f.version == ECRYPTFS_WRAP_V3) {
		/* A v3 file keeps its (possibly stronger than default) costs. */
		keep.version = ECRYPTFS_WRAP_V3;
		keep.argon2_time = f.argon2_time;
		keep.argon2_memory_kib = f.argon2_memory_kib;
		keep.argon2_lanes = f.argon2_lanes;
	}
	rc = ecryptfs_unwrap(buf, len, old_pw, old_len, v1_salt, pass, &pass_len);
	if (rc < 0)
		goto out;
	rc = wrap_file_locked(path, pass, pass_len, new_pw, new_len, params ? params : &keep);
out:
	ecryptfs_wrapped_unlock(lock);
	ecryptfs_wipe(buf, sizeof(buf));
	ecryptfs_secure_free(pass);
	return rc;
}

ECRYPTFS_EXPORT int ecryptfs_insert_wrapped_into_keyring(const char *path,
							 const char *wrapping_pw,
							 size_t wrapping_len,
							 const uint8_t *data_salt,
							 char *sig_hex, char *fnek_sig_hex)
{
	struct ecryptfs_pass_key *k = ecryptfs_pass_key_new();
	char *pass = ecryptfs_secure_alloc(ECRYPTFS_MAX_PASSPHRASE_BYTES + 1);
	uint8_t salt[ECRYPTFS_SALT_SIZE];
	size_t pass_len = 0;
	int rc;

	if (!k || !pass) {
		rc = -ENOMEM;
		goto out;
	}
	if (data_salt)
		memcpy(salt, data_salt, sizeof(salt));
	else
		ecryptfs_user_salt(salt, NULL);
	/* As the reference: the data salt also serves v1 files. */
	rc = ecryptfs_unwrap_file(path, wrapping_pw, wrapping_len, salt, pass, &pass_len);
	if (rc < 0)
		goto out;
	/* The FNEK first, with the ASCII salt, as the reference orders them. */
	rc = ecryptfs_derive_pass_key(pass, pass_len, ecryptfs_fnek_salt, k);
	if (rc == 0)
		rc = ecryptfs_keyring_add(k, NULL);
	if (rc < 0)
		goto out;
	if (fnek_sig_hex)
		memcpy(fnek_sig_hex, k->sig_hex, ECRYPTFS_SIG_HEX_SIZE + 1);
	rc = ecryptfs_derive_pass_key(pass, pass_len, salt, k);
	if (rc == 0)
		rc = ecryptfs_keyring_add(k, NULL);
	if (rc < 0)
		goto out;
	if (sig_hex)
		memcpy(sig_hex, k->sig_hex, ECRYPTFS_SIG_HEX_SIZE + 1);
out:
	ecryptfs_pass_key_free(k);
	ecryptfs_secure_free(pass);
	return rc;
}
