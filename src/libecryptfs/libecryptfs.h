/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libecryptfs (ecryptfs-ng): the one public header.
 *
 * Keys (passphrase -> KEK and signature, keyring auth tokens, wrapped
 * passphrases, rc files, the signature cache) and the kernel's on-disk format
 * (header, key packets, the extent engine, file names).
 *
 * Conventions, everywhere in this library:
 *  - functions return 0 (or a documented non-negative value) on success and a
 *    negative errno on failure; they never print and never exit (the reason
 *    behind an errno goes to ecryptfs_set_log_callback's callback, if any);
 *  - every secret (passphrase, KEK, FEK) lives in memory from
 *    ecryptfs_secure_alloc() and is wiped when freed;
 *  - "sig" is the 8-byte binary key signature, "sig_hex" its 16 lowercase hex
 *    characters plus NUL, as used for keyring descriptions and Private.sig.
 *
 * Exports: src/libecryptfs/libecryptfs.sym, the linker's version script, is
 * what decides which symbols libecryptfs.so.2 exports (version node
 * LIBECRYPTFS_2); nothing outside it is reachable.  Every function and object
 * declared here is in it and carries ECRYPTFS_EXPORT, which only tells the
 * compiler (the library is built with -fvisibility=hidden) what the script
 * will export; tests/libecryptfs/t-exports.sh checks that header, script and
 * the built library agree.  What only the library's own files, its tests,
 * fuzzers and benchmarks call is declared in internal.h instead; those link
 * the static libecryptfs-internal.la, which has no version script.
 *
 * Names: every exported name, and every name one file of the library shares
 * with another (internal.h, bigendian.h), starts with ecryptfs_ (types
 * struct ecryptfs_*, macros ECRYPTFS_*); helpers static to one file carry no
 * prefix.  t-exports.sh checks the first half on the built library.
 *
 * The sections below group the functions by topic and name the files that
 * define them.  The files themselves are layered: each calls only those
 * before it in the layer order (internal.h states it and
 * tests/project/t-layers.sh checks it):
 *   base:   secmem log fdio hex cipher mountinfo
 *   keys:   kdf authtok keyring rcfile sigcache wrap_v3 wrap
 *   format: fname keyset keymod policy options packets header header_ref extent lowerfile
 */
#ifndef ECFS_SRC_LIBECRYPTFS_LIBECRYPTFS_H
#define ECFS_SRC_LIBECRYPTFS_LIBECRYPTFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ECRYPTFS_EXPORT __attribute__((visibility("default")))

/* ------------------------------------------------------------------------ */
/* Limits and constants shared with the kernel and ecryptfs-utils            */
/* ------------------------------------------------------------------------ */

#define ECRYPTFS_MAX_PASSPHRASE_BYTES 64
#define ECRYPTFS_SALT_SIZE 8
#define ECRYPTFS_SIG_SIZE 8
#define ECRYPTFS_SIG_HEX_SIZE 16
#define ECRYPTFS_MAX_KEY_BYTES 64
#define ECRYPTFS_KDF_ITERATIONS 65536
#define ECRYPTFS_AUTH_TOK_SIZE 740
#define ECRYPTFS_EXTENT_SIZE 4096
#define ECRYPTFS_MIN_METADATA_SIZE 8192
#define ECRYPTFS_MAX_NAME_BYTES 143	/* plaintext name limit with FNEK */
#define ECRYPTFS_FNEK_PREFIX "ECRYPTFS_FNEK_ENCRYPTED."
#define ECRYPTFS_XATTR_NAME "user.ecryptfs"

/* Salt used for data keys unless ~/.ecryptfsrc says otherwise: 00 11 .. 77. */
ECRYPTFS_EXPORT extern const uint8_t ecryptfs_default_salt[ECRYPTFS_SALT_SIZE];
/*
 * Salt of the filename key (FNEK) in the login path: the 8 ASCII bytes
 * "99887766".  ecryptfs-utils passes the hex string "9988776655443322" where
 * raw bytes are expected; every existing Private.sig depends on it.
 */
ECRYPTFS_EXPORT extern const uint8_t ecryptfs_fnek_salt[ECRYPTFS_SALT_SIZE];

/* ------------------------------------------------------------------------ */
/* Library set-up and secure memory (secmem.c)                               */
/* ------------------------------------------------------------------------ */

/*
 * Initialise libgcrypt (version check, secure memory pool).  Idempotent and
 * thread-safe; every other function calls it when needed, so programs only
 * call it to learn early that secure memory is unavailable.
 */
ECRYPTFS_EXPORT int ecryptfs_init(void);

/* Zeroed, locked, wiped-on-free memory.  NULL on ENOMEM. */
ECRYPTFS_EXPORT void *ecryptfs_secure_alloc(size_t n);
ECRYPTFS_EXPORT void ecryptfs_secure_free(void *p);	/* NULL is fine */

/*
 * Diagnostics (log.c).  Where a negative errno alone would lose the reason
 * (which field of a header or wrapped-passphrase file is wrong, which rc-file
 * token was refused, why a keyring key is not a token), the library hands one
 * line to the program's callback: no newline, at most 511 bytes, valid only
 * during the call.  Messages carry sizes, offsets, versions, tags, signatures
 * and file names, never a secret (no passphrase, key or option value).
 * Levels are syslog(3)'s, so a callback may pass them on as they are:
 * ERR the reason behind a failure, WARNING input tolerated or replaced by a
 * default, INFO, DEBUG details of a success.  Without a callback (the
 * default) nothing is reported.
 *
 * The callback runs under the library's log lock: calls never overlap (it
 * needs no locking of its own), it may call the library, and once
 * ecryptfs_set_log_callback() returns the previous callback is not running on
 * any thread, so its ctx may be freed.  It must not wait for another thread
 * that uses the library.  cb NULL turns reporting off.
 */
#define ECRYPTFS_LOG_ERR 3
#define ECRYPTFS_LOG_WARNING 4
#define ECRYPTFS_LOG_INFO 6
#define ECRYPTFS_LOG_DEBUG 7
typedef void (*ecryptfs_log_fn)(int level, const char *msg, void *ctx);
ECRYPTFS_EXPORT void ecryptfs_set_log_callback(ecryptfs_log_fn cb, void *ctx);

/* Lowercase hex of 8 bytes; hex must hold 17 bytes. */
ECRYPTFS_EXPORT void ecryptfs_sig_to_hex(const uint8_t sig[ECRYPTFS_SIG_SIZE],
					 char hex[ECRYPTFS_SIG_HEX_SIZE + 1]);
/* Exactly 16 hex digits (either case), nothing else: 0 or -EINVAL. */
ECRYPTFS_EXPORT int ecryptfs_sig_from_hex(const char *hex, uint8_t sig[ECRYPTFS_SIG_SIZE]);
/* Exactly 16 hex digits into 8 salt bytes: 0 or -EINVAL. */
ECRYPTFS_EXPORT int ecryptfs_salt_from_hex(const char *hex, uint8_t salt[ECRYPTFS_SALT_SIZE]);

/*
 * Whole reads and writes (fdio.c), retried on EINTR and short counts, so that
 * pipes, FIFOs and interrupted calls behave like regular files.  Reads return
 * the bytes read, short only at end of file; writes return 0.  Both -errno;
 * the positional ones -EFBIG for a range past INT64_MAX.
 */
ECRYPTFS_EXPORT ssize_t ecryptfs_read_full(int fd, void *buf, size_t n);
ECRYPTFS_EXPORT int ecryptfs_write_full(int fd, const void *buf, size_t n);
ECRYPTFS_EXPORT ssize_t ecryptfs_pread_full(int fd, void *buf, size_t n, uint64_t off);
ECRYPTFS_EXPORT int ecryptfs_pwrite_full(int fd, const void *buf, size_t n, uint64_t off);

/* ------------------------------------------------------------------------ */
/* Passphrase keys (kdf.c)                                                   */
/* ------------------------------------------------------------------------ */

/*
 * A passphrase-derived key: what the kernel calls the session key encryption
 * key and ecryptfs-utils the "fekek".  Always allocate it with
 * ecryptfs_pass_key_new() so that it lives in secure memory.
 */
struct ecryptfs_pass_key {
	uint8_t kek[ECRYPTFS_MAX_KEY_BYTES];
	uint8_t salt[ECRYPTFS_SALT_SIZE];
	uint8_t sig[ECRYPTFS_SIG_SIZE];
	char sig_hex[ECRYPTFS_SIG_HEX_SIZE + 1];
};

ECRYPTFS_EXPORT struct ecryptfs_pass_key *ecryptfs_pass_key_new(void);
ECRYPTFS_EXPORT void ecryptfs_pass_key_free(struct ecryptfs_pass_key *key);

/*
 * kek = SHA-512^65536(salt || passphrase); sig = SHA-512(kek)[0..7].
 * -EINVAL for an empty passphrase, one over 64 bytes or one containing NUL.
 */
ECRYPTFS_EXPORT int ecryptfs_derive_pass_key(const char *pass, size_t pass_len,
					     const uint8_t salt[ECRYPTFS_SALT_SIZE],
					     struct ecryptfs_pass_key *out);

/* ------------------------------------------------------------------------ */
/* Auth tokens and the kernel keyring (authtok.c, keyring.c)                 */
/* ------------------------------------------------------------------------ */

/*
 * Add the key's auth token to the user keyring (@u) as a "user" key described
 * by its sig.  A key already present is success; *already (may be NULL) says
 * which happened.
 */
ECRYPTFS_EXPORT int ecryptfs_keyring_add(const struct ecryptfs_pass_key *key, bool *already);
/* Read the token for sig_hex from the keyring into out: -ENOKEY, -EINVAL. */
ECRYPTFS_EXPORT int ecryptfs_keyring_get(const char *sig_hex, struct ecryptfs_pass_key *out);
/* Unlink the key sig_hex from @u: 0 or -ENOKEY. */
ECRYPTFS_EXPORT int ecryptfs_keyring_unlink(const char *sig_hex);
/* Link @u into @s, so the kernel finds user keys from this session. */
ECRYPTFS_EXPORT int ecryptfs_keyring_link_user_session(void);

/* ------------------------------------------------------------------------ */
/* rc files and option lists (rcfile.c)                                      */
/* ------------------------------------------------------------------------ */

/*
 * Name/value lists with the reference's tokenizer: tokens split on ',' and
 * '\n', at most 128 characters, name=value split at the *last* '=',
 * "key=mod:a=1:b=2" expanded.  Values may hold secrets: the list is kept in
 * secure memory and wiped by ecryptfs_nvlist_free().
 */
struct ecryptfs_nv {
	char *name;
	char *value;		/* NULL when the token had no '=' */
};
struct ecryptfs_nvlist {
	struct ecryptfs_nv *v;
	size_t n;
};

/* -EINVAL for a token starting with '=' or ':' (the reference's error). */
ECRYPTFS_EXPORT int ecryptfs_nvlist_parse(const char *buf, size_t len,
					  struct ecryptfs_nvlist *out);
/*
 * Input up to end of file, FIFOs and pipes included: at most
 * ECRYPTFS_NVLIST_MAX_BYTES, the reference's limit on rc and passphrase files
 * (doc/compatibility.md §2.4); -EFBIG past that, and reading stops there, so
 * an endless input ends.  -ENOENT if missing.
 */
#define ECRYPTFS_NVLIST_MAX_BYTES 0xA000
ECRYPTFS_EXPORT int ecryptfs_nvlist_parse_file(const char *path, struct ecryptfs_nvlist *out);
ECRYPTFS_EXPORT int ecryptfs_nvlist_parse_fd(int fd, struct ecryptfs_nvlist *out);
/*
 * The same for input that holds a passphrase (mount.ecryptfs's
 * passphrase_passwd_file and passphrase_passwd_fd): where the functions above
 * end the input at a NUL, as the reference does, these refuse a NUL with
 * -EILSEQ unless it is the last byte (or the last but a final '\n').
 */
ECRYPTFS_EXPORT int ecryptfs_nvlist_parse_secret_file(const char *path,
						      struct ecryptfs_nvlist *out);
ECRYPTFS_EXPORT int ecryptfs_nvlist_parse_secret_fd(int fd, struct ecryptfs_nvlist *out);
ECRYPTFS_EXPORT void ecryptfs_nvlist_free(struct ecryptfs_nvlist *l);

/*
 * The data-key salt for the real uid: salt= from ~/.ecryptfsrc of the passwd
 * home (not $HOME), or the default.  A malformed salt falls back to the
 * default; *from_rc (may be NULL) says where it came from.
 */
ECRYPTFS_EXPORT int ecryptfs_user_salt(uint8_t salt[ECRYPTFS_SALT_SIZE], bool *from_rc);

/* ------------------------------------------------------------------------ */
/* Wrapped passphrases (wrap.c: v1 and v2, wrap_v3.c: our opt-in v3)         */
/* ------------------------------------------------------------------------ */

/*
 * v1: hex sig + AES-128-ECB, salt from the rc file (read only).
 * v2: ':' 0x02 salt[8] hex sig + AES-128-ECB (the reference's default).
 * v3: ':' 0x03 ..., Argon2id + authenticated encryption (doc/wrapped-passphrase.5).
 *
 * Errors: -EKEYREJECTED wrong wrapping passphrase; -EBADMSG truncated,
 * garbled or (v3) tampered file; -ENOTSUP unknown version; -EINVAL bad
 * arguments (lengths); -EFBIG a file longer than any version writes;
 * -ENOENT etc. from the file system.
 */
enum ecryptfs_wrap_version {
	ECRYPTFS_WRAP_V1 = 1,
	ECRYPTFS_WRAP_V2 = 2,
	ECRYPTFS_WRAP_V3 = 3,
};

struct ecryptfs_wrap_params {
	enum ecryptfs_wrap_version version;	/* V2 (default) or V3 */
	uint32_t argon2_time;			/* v3 only; 0 = library default */
	uint32_t argon2_memory_kib;
	uint32_t argon2_lanes;
};

/* The largest wrapped file any version produces. */
#define ECRYPTFS_WRAPPED_MAX_BYTES 256

/* Version of an in-memory wrapped file: 1, 2, 3 or negative errno. */
ECRYPTFS_EXPORT int ecryptfs_wrapped_version(const uint8_t *buf, size_t len);

/*
 * Unwrap buf into pass (a buffer of at least 65 bytes, secure memory),
 * NUL-terminated, *pass_len without the NUL.  v1_salt is used for v1 files
 * only (NULL: ecryptfs_user_salt()).
 */
ECRYPTFS_EXPORT int ecryptfs_unwrap(const uint8_t *buf, size_t len,
				    const char *wrapping_pw, size_t wrapping_len,
				    const uint8_t *v1_salt, char *pass, size_t *pass_len);

/* Wrap pass into out (ECRYPTFS_WRAPPED_MAX_BYTES), *out_len set. params NULL = v2. */
ECRYPTFS_EXPORT int ecryptfs_wrap(const char *pass, size_t pass_len,
				  const char *wrapping_pw, size_t wrapping_len,
				  const struct ecryptfs_wrap_params *params,
				  uint8_t *out, size_t *out_len);

/* Whole files: read (at most ECRYPTFS_WRAPPED_MAX_BYTES, -EFBIG if longer) ... */
ECRYPTFS_EXPORT int ecryptfs_wrapped_read_file(const char *path, uint8_t *buf, size_t *len);
/*
 * ... and write: temp file in the same directory, mode 0600, fsync, rename.
 * Replacing a file a rewrap may read: hold ecryptfs_wrapped_lock() around
 * the read, the unwrap, the wrap and this write.
 */
ECRYPTFS_EXPORT int ecryptfs_wrapped_write_file(const char *path, const uint8_t *buf,
						size_t len);

/*
 * The lock for changing a wrapped-passphrase file (doc/wrapped-passphrase.5):
 * flock(LOCK_EX) on the file itself, waiting while another process holds it.
 * Writers replace the file by rename, so a waiter that gets the lock of a
 * file renamed over meanwhile takes the new file's lock instead: whoever
 * holds it reads the file the path names, and nobody else replaces it until
 * ecryptfs_wrapped_unlock().  Scripts take the same lock with flock(1).
 * *lock_fd is an open descriptor of the file (-1 on failure).  On a file
 * system without locks the call succeeds unlocked, as before locks existed.
 * -ENOENT no file; -EISDIR a directory; -EINVAL not a regular file (never
 * opened); errors of stat, open and flock.  ecryptfs_wrap_file and
 * ecryptfs_rewrap_file take it themselves: a holder must not call them on
 * the same file (they would wait for it), but write with
 * ecryptfs_wrapped_write_file.  The lock belongs to the open file, so a
 * child forked meanwhile holds it too until it closes its copy of lock_fd.
 */
ECRYPTFS_EXPORT int ecryptfs_wrapped_lock(const char *path, int *lock_fd);
/* Release it (closes lock_fd; -1 is ignored). */
ECRYPTFS_EXPORT void ecryptfs_wrapped_unlock(int lock_fd);

ECRYPTFS_EXPORT int ecryptfs_unwrap_file(const char *path, const char *wrapping_pw,
					 size_t wrapping_len, const uint8_t *v1_salt,
					 char *pass, size_t *pass_len);
ECRYPTFS_EXPORT int ecryptfs_wrap_file(const char *path, const char *pass, size_t pass_len,
				       const char *wrapping_pw, size_t wrapping_len,
				       const struct ecryptfs_wrap_params *params);
/*
 * Change the wrapping passphrase of a file: unwrap it with old_pw and write
 * it again wrapped with new_pw, the read, the unwrap, the wrap and the
 * rename all under ecryptfs_wrapped_lock(), which it takes itself (so a
 * concurrent rewrap is never lost).  The file is left untouched on any
 * failure.  v1_salt as for ecryptfs_unwrap.  params NULL: a v3 file stays
 * v3 with its own Argon2id costs, v1 and v2 files become v2 (the
 * reference's v1 -> v2 migration); otherwise the file is written as params
 * says.  Errors of ecryptfs_unwrap (-EKEYREJECTED: old_pw does not open
 * it), -EINVAL for a new_pw that is empty, longer than 64 bytes or has a
 * NUL, and those of the lock, the read and the write.
 */
ECRYPTFS_EXPORT int ecryptfs_rewrap_file(const char *path, const char *old_pw, size_t old_len,
					 const char *new_pw, size_t new_len,
					 const uint8_t *v1_salt,
					 const struct ecryptfs_wrap_params *params);

/*
 * Unwrap and add two tokens to @u, as the reference does: first the FNEK
 * (ASCII salt "99887766"), then the data key (salt data_salt, NULL: the
 * user's).  sig_hex / fnek_sig_hex (17 bytes each, may be NULL) receive them.
 */
ECRYPTFS_EXPORT int ecryptfs_insert_wrapped_into_keyring(const char *path,
							 const char *wrapping_pw,
							 size_t wrapping_len,
							 const uint8_t *data_salt,
							 char *sig_hex, char *fnek_sig_hex);

/* ------------------------------------------------------------------------ */
/* Signature cache ~/.ecryptfs/sig-cache.txt (sigcache.c)                    */
/* ------------------------------------------------------------------------ */

/* 1 if sig_hex is in the cache, 0 if not (or no cache file), <0 on error. */
ECRYPTFS_EXPORT int ecryptfs_sigcache_contains(const char *path, const char *sig_hex);
/* Append "sig\n" (17 bytes), creating the file mode 0600. */
ECRYPTFS_EXPORT int ecryptfs_sigcache_append(const char *path, const char *sig_hex);

/* ------------------------------------------------------------------------ */
/* Mount table lines (mountinfo.c)                                           */
/* ------------------------------------------------------------------------ */

/*
 * One line of /proc/PID/mountinfo (proc(5)), split in place, e.g.
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 * Fields are separated by single blanks (the kernel escapes blanks inside
 * one, so an empty field is still a field) and a newline ends the line.
 * root, mountpoint, fstype and source come back unescaped: \ooo (first digit
 * 0-3) becomes its byte, any other backslash stays as it is.  The strings
 * point into line.  0, or -EBADMSG for a line the kernel does not write
 * (too few fields, no "-", a number that is not decimal or does not fit,
 * an escape of NUL), leaving line changed; -EINVAL for a NULL argument.
 */
struct ecryptfs_mountinfo {
	unsigned int id, parent_id, dev_major, dev_minor;
	char *root, *mountpoint;
	char *options;			/* the mount's, as written */
	char *fstype, *source;
	char *super_options;		/* the file system's, as written */
};
ECRYPTFS_EXPORT int ecryptfs_mountinfo_parse(char *line, struct ecryptfs_mountinfo *m);

/* ------------------------------------------------------------------------ */
/* The on-disk format (cipher.c, header.c, packets.c, extent.c, fname.c)     */
/* Owned by the format layer; the format is described in doc/format.md.      */
/* ------------------------------------------------------------------------ */

/* Ciphers (cipher.c) ------------------------------------------------------ */

/* The kernel's RFC 2440 cipher codes (tag 3 and tag 70 packets). */
enum ecryptfs_cipher_code {
	ECRYPTFS_CIPHER_DES3_EDE = 0x02,
	ECRYPTFS_CIPHER_CAST5 = 0x03,
	ECRYPTFS_CIPHER_BLOWFISH = 0x04,
	ECRYPTFS_CIPHER_AES_128 = 0x07,
	ECRYPTFS_CIPHER_AES_192 = 0x08,
	ECRYPTFS_CIPHER_AES_256 = 0x09,
	ECRYPTFS_CIPHER_TWOFISH = 0x0a,
	ECRYPTFS_CIPHER_CAST6 = 0x0b,
};

struct ecryptfs_cipher_info {
	const char *name;	/* kernel name: "aes", "blowfish", ... */
	uint8_t code;
	unsigned block_size;	/* 8 or 16 */
	size_t min_key_bytes, max_key_bytes;
	bool supported;		/* false: we cannot do it (cast6) */
};

/*
 * Code for a cipher name and key size as the kernel computes it (AES's code
 * depends on the size).  -ENOENT unknown name; -EINVAL a key size the kernel
 * would accept at mount but fail at file creation (not a whole number of
 * blocks, or out of range); -ENOTSUP a cipher libgcrypt lacks (cast6).
 */
ECRYPTFS_EXPORT int ecryptfs_cipher_code(const char *name, size_t key_bytes);
/*
 * The key sizes ecryptfs_cipher_code() takes for name, for messages:
 * "16, 24 or 32" into out (size bytes, NUL-terminated).  Returns how many
 * (0 for a cipher we cannot use at all, cast6), -ENOENT for an unknown name,
 * -ENOSPC when out is too small (96 bytes always suffice).
 */
ECRYPTFS_EXPORT int ecryptfs_cipher_key_sizes(const char *name, char *out, size_t size);
/* Facts about a code: 0 or -ENOENT. */
ECRYPTFS_EXPORT int ecryptfs_cipher_info(uint8_t code, struct ecryptfs_cipher_info *out);

/* FORMAT-API: the format layer declares the rest of its interface below. */

/*
 * Error codes of the format layer (header, packets, lower files).  Each bad
 * input has its own, so callers can name the reason:
 *   -ENODATA   empty lower file (0 bytes) and no user.ecryptfs xattr
 *   -ENOMSG    no eCryptfs marker: a foreign (plaintext) file
 *   -EPROTO    file format version above 3
 *   -EBADMSG   marker valid but the header or packet set is malformed
 *   -EIO       truncated: the header or a data extent the size field claims is missing
 *   -ENOPKG    cipher code not in the kernel's table
 *   -ENOTSUP   a cipher the kernel knows but libgcrypt lacks (cast6)
 *   -ENOKEY    no packet's key is in the key set (or a key module declined)
 *   -EKEYREJECTED  a tag 1 payload that fails its checksum (wrong private key)
 *   -E2BIG     the packets of a policy do not fit in the first 4096 bytes
 *   -ENOSPC    an output buffer too small for the header (lower file: the disk)
 *   -EFBIG     a plaintext offset whose lower offset would pass INT64_MAX
 *   -EROFS     a write to the encrypted view
 *   -EINVAL    bad arguments
 */

/* Key sets (keyset.c) ------------------------------------------------------ */

/*
 * The keys one caller can use: passphrase keys found by their 8-byte sig
 * (copied into secure memory), optionally the user keyring by sig, and the
 * open keys of key modules (keymod.c, below) for tag 1 packets.
 * Lookups are thread-safe; adding keys is not (build the set, then share it).
 */
struct ecryptfs_keyset;

ECRYPTFS_EXPORT int ecryptfs_keyset_new(struct ecryptfs_keyset **out);
ECRYPTFS_EXPORT void ecryptfs_keyset_free(struct ecryptfs_keyset *ks);	/* NULL is fine */
/* Copy key into the set; a sig already present is replaced. */
ECRYPTFS_EXPORT int ecryptfs_keyset_add_pass_key(struct ecryptfs_keyset *ks,
						 const struct ecryptfs_pass_key *key);
/* Also look sigs up in the user keyring (ecryptfs_keyring_get), as the kernel does. */
ECRYPTFS_EXPORT void ecryptfs_keyset_use_keyring(struct ecryptfs_keyset *ks, bool on);
/*
 * The passphrase key for sig: copied into out (from ecryptfs_pass_key_new or
 * secure memory).  -ENOKEY if neither the set nor (if enabled) the keyring has it.
 */
ECRYPTFS_EXPORT int ecryptfs_keyset_get_pass_key(struct ecryptfs_keyset *ks,
						 const uint8_t sig[ECRYPTFS_SIG_SIZE],
						 struct ecryptfs_pass_key *out);

/* Key modules (keymod.c) --------------------------------------------------- */

/*
 * Keys held by a key module (doc/ecryptfs-key-mod.7): an RSA key in a PEM
 * file, say.  A module is <dir>/<alias>.so in ecryptfs_keymod_dir(); its
 * interface is src/key_mod/ecryptfs_key_mod.h (installed as
 * ecryptfs_key_mod.h), which defines struct ecryptfs_key_mod_ops.  Files
 * carry a module key as a tag 1 packet.  Every function here says why it
 * failed in err (errlen bytes, may be NULL; one line naming the module,
 * never a secret) and to the log callback:
 *   -ENOENT    no such module installed
 *   -ELIBBAD   the module does not load, or is not an ecryptfs-ng key module
 *   -EPROTO    it was built for another interface version
 *   -EINVAL    not a module name, or bad arguments
 * and the module's own errors for its keys.
 */
struct ecryptfs_keymod;
struct ecryptfs_key_mod_ops;

/* The module directory: $ECRYPTFS_KEYMOD_DIR (ignored when setuid), else the built-in one. */
ECRYPTFS_EXPORT const char *ecryptfs_keymod_dir(void);
/* 0 if alias is a possible module name (1..16 of a-z, 0-9, _, -), else -EINVAL. */
ECRYPTFS_EXPORT int ecryptfs_keymod_alias_ok(const char *alias);
ECRYPTFS_EXPORT int ecryptfs_keymod_load(const char *alias, struct ecryptfs_keymod **out,
					 char *err, size_t errlen);
/*
 * The aliases of the modules in the directory (ALIAS.so files, not loaded:
 * a listed module may still fail to load), sorted; none if it is missing.
 */
ECRYPTFS_EXPORT int ecryptfs_keymod_list(char ***aliases, size_t *n);
ECRYPTFS_EXPORT void ecryptfs_keymod_list_free(char **aliases, size_t n);
ECRYPTFS_EXPORT void ecryptfs_keymod_unload(struct ecryptfs_keymod *m);	/* NULL is fine */
ECRYPTFS_EXPORT const struct ecryptfs_key_mod_ops *
ecryptfs_keymod_ops(const struct ecryptfs_keymod *m);
/* The signature of the key blob names (opened and closed again). */
ECRYPTFS_EXPORT int ecryptfs_keymod_key_sig(struct ecryptfs_keymod *m, const uint8_t *blob,
					    size_t len, char sig_hex[ECRYPTFS_SIG_HEX_SIZE + 1],
					    char *err, size_t errlen);
/*
 * For a module of passphrase keys (ops->derive set: the passphrase module,
 * a sealed secret): the key the values give, its signature computed, ready
 * for ecryptfs_keyring_add.  -ENODATA with need (64 bytes) naming a
 * parameter to ask for; the caller adds it and calls again.
 */
struct ecryptfs_key_mod_value;
ECRYPTFS_EXPORT int ecryptfs_keymod_derive(struct ecryptfs_keymod *m,
					   const struct ecryptfs_key_mod_value *v, size_t n,
					   struct ecryptfs_pass_key *out, char *need,
					   char *err, size_t errlen);
/*
 * The module key in @u: the kernel's private-key auth token (module alias
 * and blob), described by sig_hex, as ecryptfs-utils adds it.  A key already
 * present is success (*already, may be NULL, says so).  get: blob has
 * capacity *len (4096 is always enough), -ENOSPC if short; -ENOKEY absent;
 * -EINVAL a key that is not a module key token (a passphrase token, say).
 */
ECRYPTFS_EXPORT int ecryptfs_keyring_add_module_key(const char *alias, const char *sig_hex,
						    const uint8_t *blob, size_t len,
						    bool *already);
ECRYPTFS_EXPORT int ecryptfs_keyring_get_module_key(const char *sig_hex, char alias[17],
						    uint8_t *blob, size_t *len);
/*
 * Open the key blob names with module alias and add it to ks: new files
 * get a tag 1 packet for its sig (when the policy names it), and tag 1
 * packets with its sig are opened with it.  The key stays open until
 * ecryptfs_keyset_free.  sig (may be NULL) receives its signature.
 */
ECRYPTFS_EXPORT int ecryptfs_keyset_add_module_key(struct ecryptfs_keyset *ks, const char *alias,
						   const uint8_t *blob, size_t len,
						   uint8_t sig[ECRYPTFS_SIG_SIZE],
						   char *err, size_t errlen);
/*
 * The same for the module key token sig_hex in @u; -EKEYREJECTED when the
 * key it names no longer has that signature.
 */
ECRYPTFS_EXPORT int ecryptfs_keyset_add_keyring_module_key(struct ecryptfs_keyset *ks,
							   const char *sig_hex, char *err,
							   size_t errlen);

/* Mount-wide policy (policy.c) --------------------------------------------- */

#define ECRYPTFS_POLICY_MAX_KEYS 73	/* AES-128 tag 3+11 pairs that fit in 4096 bytes */

/*
 * What the kernel gets from mount options.  Fill it with
 * ecryptfs_policy_init() and ecryptfs_policy_add_sig(); it holds no secrets.
 */
struct ecryptfs_policy {
	uint8_t cipher_code;		/* data cipher (enum ecryptfs_cipher_code) */
	size_t key_bytes;		/* FEK size */
	size_t n_sigs;			/* keys wrapping each new FEK, in order */
	uint8_t sigs[ECRYPTFS_POLICY_MAX_KEYS][ECRYPTFS_SIG_SIZE];
	bool xattr_metadata;		/* ecryptfs_xattr_metadata */
	bool passthrough;		/* ecryptfs_passthrough */
	bool encrypted_view;		/* ecryptfs_encrypted_view (read only) */
	uint32_t metadata_size;		/* in-file header size; 0 = 8192 */
	/* Filenames (fname.c): ecryptfs_fnek_sig, ecryptfs_fn_cipher, _fn_key_bytes. */
	bool encrypt_filenames;		/* also sets flag 0x08 in new headers */
	uint8_t fnek_sig[ECRYPTFS_SIG_SIZE];
	uint8_t fn_cipher_code;
	size_t fn_key_bytes;
};

/*
 * Zero the policy, then set the data cipher by kernel name and key size
 * (errors of ecryptfs_cipher_code).  Filename cipher defaults to the same.
 */
ECRYPTFS_EXPORT int ecryptfs_policy_init(struct ecryptfs_policy *p, const char *cipher,
					 size_t key_bytes);
/* Append a key sig (duplicates ignored): 0, -E2BIG when full. */
ECRYPTFS_EXPORT int ecryptfs_policy_add_sig(struct ecryptfs_policy *p,
					    const uint8_t sig[ECRYPTFS_SIG_SIZE]);
/* Consistency: a usable cipher/key size, at least one sig, sizes: 0 or -EINVAL/-ENOTSUP. */
ECRYPTFS_EXPORT int ecryptfs_policy_check(const struct ecryptfs_policy *p);

/* Mount options (options.c) ------------------------------------------------ */

/*
 * One table of the words an eCryptfs mount option string may hold: the
 * kernel's options, mount.ecryptfs's own, the generic mount flags, the words
 * only mount(8) reads, and the FUSE options ecryptfs-fuse takes.  Each entry
 * says what value it takes, who takes it, where it lands in struct
 * ecryptfs_mount_opts and how mount.ecryptfs keeps it from the kernel.
 * Everything that reads or builds an option string goes through it.
 */
enum ecryptfs_opt_kind {
	ECRYPTFS_OPT_FLAG = 1,		/* a bare name */
	ECRYPTFS_OPT_STRING,		/* name=text */
	ECRYPTFS_OPT_SIG,		/* name=16 hex digits (a key signature or a salt) */
	ECRYPTFS_OPT_NUMBER,		/* name=decimal */
	ECRYPTFS_OPT_YES_NO,		/* name=y|yes|n|no; the bare name is yes */
	ECRYPTFS_OPT_ANY,		/* bare or with any value */
};

/* Who takes an option (struct ecryptfs_opt.flags; the accept mask below). */
#define ECRYPTFS_OPT_KERNEL 0x0001	/* the kernel's eCryptfs (ecryptfs-fuse mirrors it) */
#define ECRYPTFS_OPT_HELPER 0x0002	/* mount.ecryptfs reads it (alone unless KERNEL too) */
#define ECRYPTFS_OPT_VFS 0x0004		/* a generic mount flag of every file system */
#define ECRYPTFS_OPT_FSTAB 0x0008	/* for mount(8) and fstab only */
#define ECRYPTFS_OPT_FUSE 0x0010	/* a FUSE mount option that ecryptfs-fuse takes */
/* What else is true of it. */
#define ECRYPTFS_OPT_ALIAS 0x0100	/* another name of an option listed before it */
#define ECRYPTFS_OPT_KEYMOD 0x0200	/* read by a key module (key=passphrase, key=openssl) */
#define ECRYPTFS_OPT_SECRET 0x0400	/* its value is a passphrase: never on an argv, never echoed */
#define ECRYPTFS_OPT_PREFIX 0x0800	/* the name is a prefix: "x-" stands for x-anything */
#define ECRYPTFS_OPT_HELPER_YES_NO 0x1000	/* mount.ecryptfs also takes name=y|n for the flag */

/* Where an option lands in struct ecryptfs_mount_opts. */
enum ecryptfs_opt_field {
	ECRYPTFS_FIELD_NONE = 0,
	ECRYPTFS_FIELD_SIG,		/* policy.sigs: each one adds a key */
	ECRYPTFS_FIELD_CIPHER,		/* cipher */
	ECRYPTFS_FIELD_KEY_BYTES,	/* key_bytes */
	ECRYPTFS_FIELD_PASSTHROUGH,	/* policy.passthrough */
	ECRYPTFS_FIELD_XATTR_METADATA,	/* policy.xattr_metadata */
	ECRYPTFS_FIELD_ENCRYPTED_VIEW,	/* policy.encrypted_view and, as the kernel, xattr_metadata */
	ECRYPTFS_FIELD_FNEK_SIG,	/* policy.fnek_sig and policy.encrypt_filenames */
	ECRYPTFS_FIELD_FN_CIPHER,	/* fn_cipher */
	ECRYPTFS_FIELD_FN_KEY_BYTES,	/* fn_key_bytes */
	ECRYPTFS_FIELD_UNLINK_SIGS,	/* unlink_sigs */
	ECRYPTFS_FIELD_MOUNT_AUTH_TOK_ONLY,	/* mount_auth_tok_only */
	ECRYPTFS_FIELD_CHECK_DEV_RUID,	/* check_dev_ruid */
};

/*
 * How mount.ecryptfs keeps an option out of the string the kernel gets.
 * ecryptfs-utils 111 strips by prefix, which also takes other words that
 * start alike ("user" takes "users"); mount.ecryptfs does the same.
 */
enum ecryptfs_opt_strip {
	ECRYPTFS_STRIP_NONE = 0,	/* passed on */
	ECRYPTFS_STRIP_NAME,		/* this name, with or without a value */
	ECRYPTFS_STRIP_PREFIX,		/* every item that starts with the name */
	ECRYPTFS_STRIP_PREFIX_EQ,	/* every item that starts with "name=" */
};

struct ecryptfs_opt {
	const char *name;
	uint8_t kind;			/* enum ecryptfs_opt_kind */
	uint8_t field;			/* enum ecryptfs_opt_field */
	uint8_t strip;			/* enum ecryptfs_opt_strip */
	uint16_t flags;			/* ECRYPTFS_OPT_KERNEL ... */
};

/* The table: *n entries, the kernel's options first, in the kernel's order. */
ECRYPTFS_EXPORT const struct ecryptfs_opt *ecryptfs_opt_table(size_t *n);
/* The entry for a bare name (no "=value"), or NULL if none. */
ECRYPTFS_EXPORT const struct ecryptfs_opt *ecryptfs_opt_lookup(const char *name);
/* A yes/no value: NULL (a bare name), y or yes: 1; n or no: 0; else -EINVAL. */
ECRYPTFS_EXPORT int ecryptfs_opt_yes_no(const char *value);

#define ECRYPTFS_CIPHER_NAME_MAX 31	/* the kernel's limit, without the NUL */

/*
 * What an option string says about a mount.  All zero is the kernel's
 * defaults (cipher aes; the key size must be given).  Set defaults of your
 * own before parsing; the parser only changes what the string names.
 */
struct ecryptfs_mount_opts {
	/*
	 * sigs, fnek_sig, encrypt_filenames and the flags as parsed; the cipher
	 * codes and key sizes only after ecryptfs_mount_opts_resolve().
	 */
	struct ecryptfs_policy policy;
	char cipher[ECRYPTFS_CIPHER_NAME_MAX + 1];	/* "" = aes */
	size_t key_bytes;				/* 0 = not given */
	char fn_cipher[ECRYPTFS_CIPHER_NAME_MAX + 1];	/* "" = the data cipher */
	size_t fn_key_bytes;				/* 0 = the data key size */
	bool unlink_sigs;				/* unlink the keys at unmount */
	bool mount_auth_tok_only;			/* file keys only from the sigs given */
	bool check_dev_ruid;				/* the lower directory must be the caller's */
};

/* Why an option was refused: struct ecryptfs_opt_error.fault. */
enum ecryptfs_opt_fault {
	ECRYPTFS_OPTERR_NONE = 0,
	ECRYPTFS_OPTERR_UNKNOWN,	/* not in the table */
	ECRYPTFS_OPTERR_NOT_HERE,	/* in the table, but none of its takers is accepted */
	ECRYPTFS_OPTERR_NO_VALUE,	/* name=value expected */
	ECRYPTFS_OPTERR_HAS_VALUE,	/* a flag given a value */
	ECRYPTFS_OPTERR_TOO_LONG,	/* the value is longer than the option allows */
	ECRYPTFS_OPTERR_BAD_SIG,	/* not 16 hex digits */
	ECRYPTFS_OPTERR_BAD_NUMBER,	/* not a number, or out of range */
	ECRYPTFS_OPTERR_BAD_YES_NO,	/* not y, yes, n or no */
	ECRYPTFS_OPTERR_TOO_MANY_KEYS,	/* more than ECRYPTFS_POLICY_MAX_KEYS signatures */
	ECRYPTFS_OPTERR_REFUSED,	/* the caller's callback refused it */
	/* ecryptfs_mount_opts_resolve() */
	ECRYPTFS_OPTERR_UNKNOWN_CIPHER,
	ECRYPTFS_OPTERR_NO_KEY_BYTES,	/* no ecryptfs_key_bytes */
	ECRYPTFS_OPTERR_BAD_KEY_BYTES,	/* a key size the cipher cannot use */
	ECRYPTFS_OPTERR_UNSUPPORTED,	/* a cipher we lack (cast6) */
};

/*
 * A refused option: the fault, the option's name as given, and one line that
 * names the option and the fault (no newline; values of secret options and of
 * unknown ones are never repeated), for the caller to print after its name.
 */
struct ecryptfs_opt_error {
	int fault;			/* enum ecryptfs_opt_fault */
	char option[64];
	char text[256];
};

/*
 * Called by ecryptfs_mount_opts_parse() for each accepted option that has no
 * field (generic flags, fstab words, FUSE options, mount.ecryptfs's own), in
 * order: name as given (for a prefix entry, the whole name), value NULL when
 * bare.  0 takes it; a negative errno refuses it (fill err->text to say why,
 * or leave it empty for the parser's words).
 */
typedef int (*ecryptfs_opt_cb)(void *ctx, const struct ecryptfs_opt *opt, const char *name,
			       const char *value, struct ecryptfs_opt_error *err);

/*
 * Apply a comma-separated option string to o, left to right: a later value
 * wins, each signature adds a key (duplicates once), empty items are skipped.
 * An option none of whose takers is in accept (ECRYPTFS_OPT_KERNEL | ...) is
 * refused; with ECRYPTFS_OPT_HELPER accepted, mount.ecryptfs's forms are
 * taken too (ecryptfs_passthrough=y, ecryptfs_xattr=y).  cb may be NULL.
 * 0; -EINVAL with *err filled (err may be NULL); -ENOMEM.
 */
ECRYPTFS_EXPORT int ecryptfs_mount_opts_parse(struct ecryptfs_mount_opts *o, const char *optstr,
					      unsigned accept, ecryptfs_opt_cb cb, void *ctx,
					      struct ecryptfs_opt_error *err);
/*
 * One option by name (value NULL: bare), whoever takes it, in any of its
 * forms: the same checks and errors.  Options without a field change nothing.
 */
ECRYPTFS_EXPORT int ecryptfs_mount_opts_set(struct ecryptfs_mount_opts *o, const char *name,
					    const char *value, struct ecryptfs_opt_error *err);
/*
 * Fill the policy's cipher codes and key sizes from the names and sizes (the
 * filename cipher only with a FNEK; it defaults to the data cipher).  Errors
 * are those of ecryptfs_cipher_code(): -ENOENT, -EINVAL (also for a missing
 * key size), -ENOTSUP; *err says which option.  Signatures are not checked:
 * ecryptfs_policy_check() does that once the keys are known.
 */
ECRYPTFS_EXPORT int ecryptfs_mount_opts_resolve(struct ecryptfs_mount_opts *o,
						struct ecryptfs_opt_error *err);
/*
 * The kernel option string for o->policy and o's three flags, canonical
 * names in the table's order (ecryptfs_sig=...,ecryptfs_cipher=aes,...), no
 * aliases; parsing and resolving it gives the same policy back.  Returns its
 * length; -ENOSPC if out_size is too small, -EINVAL for a policy whose cipher
 * code is unknown.
 */
ECRYPTFS_EXPORT int ecryptfs_mount_opts_format(const struct ecryptfs_mount_opts *o, char *out,
					       size_t out_size);

/* Header and key packets (header.c, header_ref.c, packets.c) ---------------- */

#define ECRYPTFS_MARKER_MAGIC 0x3c81b7f5u
#define ECRYPTFS_FILE_VERSION 3
#define ECRYPTFS_FLAG_HMAC 0x01u
#define ECRYPTFS_FLAG_ENCRYPTED 0x02u
#define ECRYPTFS_FLAG_METADATA_IN_XATTR 0x04u
#define ECRYPTFS_FLAG_ENCRYPT_FILENAMES 0x08u
#define ECRYPTFS_HEADER_READ_MAX 4096	/* what the kernel reads of header or xattr */
#define ECRYPTFS_MAX_PACKETS 128

/* One key packet as found in a header. */
struct ecryptfs_packet_info {
	uint8_t tag;			/* 3 (tag 3 + tag 11 pair) or 1 */
	uint8_t sig[ECRYPTFS_SIG_SIZE];
	uint8_t cipher_code;		/* tag 3 only; 0 for tag 1 */
	uint8_t salt[ECRYPTFS_SALT_SIZE];	/* tag 3 only (informational) */
	uint16_t efek_off, efek_len;	/* encrypted key within raw[] */
};

/*
 * A parsed header.  Self-contained (it keeps the raw bytes it came from), no
 * secrets, so it can be copied and printed freely (ecryptfs-stat).
 */
struct ecryptfs_header {
	uint64_t size;			/* plaintext size (offset 0) */
	uint32_t marker;		/* m1 */
	uint8_t version;		/* 0..3 */
	uint8_t flags;			/* ECRYPTFS_FLAG_* bits (low byte of the flags word) */
	uint32_t extent_size;		/* header-extent fields (4096, 2 for version 0) */
	uint16_t extent_count;
	uint64_t metadata_size;		/* extent_size * extent_count */
	bool in_xattr;			/* parsed from the xattr form */
	uint8_t cipher_code;		/* from the first tag 3 packet (0: tag 1 only) */
	size_t key_bytes;		/* idem: 24 for code 8, else EFEK length */
	size_t n_packets;
	struct ecryptfs_packet_info packets[ECRYPTFS_MAX_PACKETS];
	size_t raw_len;			/* header bytes up to and excluding the terminator */
	uint8_t raw[ECRYPTFS_HEADER_READ_MAX];
};

/*
 * Parse a header: the first bytes of a lower file (in_xattr false; at most
 * 4096 are looked at) or a user.ecryptfs value (in_xattr true).  Needs no
 * key.  Errors: -ENODATA (len 0), -ENOMSG, -EPROTO, -EBADMSG, -EIO (cut short),
 * -ENOPKG (unknown cipher code in a tag 3 packet).
 */
ECRYPTFS_EXPORT int ecryptfs_header_parse(const uint8_t *buf, size_t len, bool in_xattr,
					  struct ecryptfs_header *hdr);

/*
 * The first header fields as ecryptfs-utils 111 reads them for ecryptfs-stat
 * (header_ref.c): only the length, the marker and the header size are
 * checked, any version is taken, and the header-extent fields are read at
 * offsets 20..25 whatever the version (so a version 0 header shows packet
 * bytes there).  ecryptfs-stat prints its reference lines from this;
 * ecryptfs_header_parse() is what the kernel and this library go by.
 */
#define ECRYPTFS_HEADER_REF_MIN 20	/* size field, marker, flags word */
#define ECRYPTFS_HEADER_REF_MIN_V1 26	/* + header extent size and count */
struct ecryptfs_header_ref {
	uint64_t size;			/* plaintext size (offset 0) */
	uint8_t version;		/* top byte of the flags word, any value */
	uint8_t flags;			/* its low byte: ECRYPTFS_FLAG_* bits */
	uint64_t header_bytes;		/* extent size * extent count */
	size_t need;			/* -EIO: the bytes that were needed */
};
/*
 * 0 when the reference would print the fields.  -EIO: fewer than need
 * bytes (20, or 26 for the extent fields, as the reference's minimum for
 * its first and our minimum for its second check); -ENOMSG: no marker;
 * -EBADMSG: header_bytes under 8192.  The fields read before a failure are
 * set, the rest zero.
 */
ECRYPTFS_EXPORT int ecryptfs_header_ref_parse(const uint8_t *buf, size_t len,
					      struct ecryptfs_header_ref *ref);

/*
 * Lower size for a plaintext size: metadata + whole extents (xattr: no
 * metadata).  UINT64_MAX when that does not fit (a corrupt size field).
 */
ECRYPTFS_EXPORT uint64_t ecryptfs_lower_size(uint64_t size, uint64_t data_offset);

/* The extent engine (extent.c) ---------------------------------------------- */

/*
 * Per-file data crypto: CBC per 4096-byte extent, IV_i = MD5(rootIV ||
 * decimal i NUL-padded to 16), rootIV = MD5(FEK), 8-byte-block ciphers use
 * IV[0..7].  The context keeps a small pool of keyed libgcrypt handles.
 *
 * Performance notes for the FUSE daemon: encrypt/decrypt are safe to call
 * from any number of threads at once on one context (each call takes a
 * handle from the pool for the whole batch; threads beyond the pool size get
 * a fresh handle, keyed once, which joins the pool).  Give each call as many
 * consecutive extents as you have (a 1 MiB request is one call of 256); the
 * cost per call is one lock round trip, per extent one MD5 of 32 bytes and
 * one setiv.  Disjoint extent ranges of one file may be processed in
 * parallel by worker threads; nothing is allocated per extent.  in == out
 * (in place) is allowed; partial overlap is not.  Decryption runs up to 64
 * extents through one libgcrypt CBC call and corrects each extent's first
 * block, so bigger batches decrypt faster.  On AES-NI/VAES machines the MD5
 * per extent costs about half of a 4 KiB CBC decryption (bench/extent/bench.sh);
 * the context of a lower file keeps the IVs of 512 extents, so extents seen
 * before skip it.  Runs of extents of zeros (what growing a file writes) are
 * encrypted as parallel CBC chains, about twice as fast: same output, no call
 * to make.  A context comes from ecryptfs_file_crypt().
 */
struct ecryptfs_crypt;

/* n extents of 4096 bytes, extent indexes first .. first+n-1. */
ECRYPTFS_EXPORT int ecryptfs_crypt_encrypt(struct ecryptfs_crypt *c, uint64_t first,
					   const void *in, void *out, size_t n);
ECRYPTFS_EXPORT int ecryptfs_crypt_decrypt(struct ecryptfs_crypt *c, uint64_t first,
					   const void *in, void *out, size_t n);

/* Lower files (lowerfile.c) ------------------------------------------------- */

/*
 * A lower file opened through the format: the daemon and the offline tools
 * both use it.  The handle borrows fd (never closes it) and caches the
 * header; key packets are never rewritten, only the size field (8 bytes at
 * offset 0, or the first 8 bytes of the xattr) whenever the size changes.
 *
 * Thread-safety: concurrent ecryptfs_file_pread calls are fine; writes and
 * truncates to one file must be serialised by the caller (and not run
 * alongside reads of the same range).
 */
struct ecryptfs_file;

enum ecryptfs_file_kind {
	ECRYPTFS_FILE_ENCRYPTED = 0,	/* the normal case */
	ECRYPTFS_FILE_PASSTHROUGH,	/* not eCryptfs, policy->passthrough: bytes as they are */
	ECRYPTFS_FILE_VIEW,		/* policy->encrypted_view: raw ciphertext, read only */
};

/* Flags for ecryptfs_file_open. */
#define ECRYPTFS_OPEN_INIT_EMPTY 0x1	/* a 0-byte lower file without xattr gets a new header */

/*
 * fd must be open for reading (O_RDONLY or O_RDWR; writing needs O_RDWR).
 *
 * Make fd (an empty lower file, opened read-write) a new encrypted file: new
 * random FEK, header in the file or, with p->xattr_metadata, in user.ecryptfs.
 */
ECRYPTFS_EXPORT int ecryptfs_file_create(int fd, const struct ecryptfs_policy *p,
					 struct ecryptfs_keyset *ks,
					 struct ecryptfs_file **out);
/*
 * Open an existing lower file: the in-file header first, then the xattr
 * (doc/format.md §6.2); then passthrough if p allows it.  p may be NULL
 * (offline tools: no passthrough, no view).  Errors are those of the header
 * and packets for the in-file header, or of the xattr when only it exists.
 * An xattr header is read whatever p->xattr_metadata says (the kernel
 * refuses it without that option; a reader has no reason to).  With
 * p->encrypted_view only the header is parsed, so ks may be NULL.
 */
ECRYPTFS_EXPORT int ecryptfs_file_open(int fd, const struct ecryptfs_policy *p,
				       struct ecryptfs_keyset *ks, unsigned flags,
				       struct ecryptfs_file **out);
ECRYPTFS_EXPORT void ecryptfs_file_close(struct ecryptfs_file *f);	/* NULL is fine */

ECRYPTFS_EXPORT enum ecryptfs_file_kind ecryptfs_file_kind(const struct ecryptfs_file *f);
/* Plaintext size (lower size for passthrough; view size for the view). */
ECRYPTFS_EXPORT uint64_t ecryptfs_file_size(const struct ecryptfs_file *f);
/* The cached header (NULL for passthrough). */
ECRYPTFS_EXPORT const struct ecryptfs_header *ecryptfs_file_header(const struct ecryptfs_file *f);
/* The extent engine of the file (NULL unless encrypted): for parallel I/O. */
ECRYPTFS_EXPORT struct ecryptfs_crypt *ecryptfs_file_crypt(struct ecryptfs_file *f);
/* Lower offset of data extent 0 (metadata_size, or 0 in xattr mode). */
ECRYPTFS_EXPORT uint64_t ecryptfs_file_data_offset(const struct ecryptfs_file *f);

/*
 * Plaintext reads and writes: bytes done (short only at EOF) or negative
 * errno: -EIO for a lower file shorter than its size field (never garbage),
 * -EFBIG when a lower offset would pass INT64_MAX or the lower file system's
 * limit, -EROFS writing the view; a write past the end grows the file as
 * ecryptfs_file_truncate does (-ENOSPC, -EINTR, see there).
 */
ECRYPTFS_EXPORT ssize_t ecryptfs_file_pread(struct ecryptfs_file *f, void *buf, size_t n,
					    uint64_t off);
ECRYPTFS_EXPORT ssize_t ecryptfs_file_pwrite(struct ecryptfs_file *f, const void *buf,
					     size_t n, uint64_t off);
/*
 * Truncate up (encrypted zeros, no holes) or down (zero tail, lower cut).
 *
 * Growth, by truncate or by a write past the end, writes an encrypted
 * extent of zeros for every 4096 bytes: a terabyte is a terabyte of work.
 * Before any of it, -EFBIG when the lower file system cannot hold a file
 * that long (the lower file is extended to its final size with ftruncate
 * and cut back, so the lower file system's own limit answers) and -ENOSPC
 * when the lower file system's free space (f_bavail) plainly cannot hold
 * it.  A growth that fails or is cancelled half way leaves the file as it
 * was: the size field and the lower length are the old ones.
 */
ECRYPTFS_EXPORT int ecryptfs_file_truncate(struct ecryptfs_file *f, uint64_t size);

/*
 * Long fills.  cancelled(arg) is polled before every chunk of zeros (4 MiB
 * of lower data): nonzero stops the fill, the growth is undone and the
 * truncate or write returns -EINTR.  It runs on the calling thread, and
 * must not call back into the file.  The daemon passes "is the caller
 * dying"; an offline tool, a flag its signal handler sets.
 * NULL (the default) never cancels.  The setting stays until changed.
 */
typedef int (*ecryptfs_cancel_fn)(void *arg);
ECRYPTFS_EXPORT void ecryptfs_file_set_cancel(struct ecryptfs_file *f, ecryptfs_cancel_fn fn,
					     void *arg);
/*
 * The encryption of a fill's chunks: fn(arg, c, first, in, out, n) must do
 * what ecryptfs_crypt_encrypt(c, first, in, out, n) does (0 or -errno), for
 * example by splitting the chunk over a thread pool.  NULL (the default):
 * ecryptfs_crypt_encrypt on the calling thread.
 */
typedef int (*ecryptfs_encrypt_fn)(void *arg, struct ecryptfs_crypt *c, uint64_t first,
				   const void *in, void *out, size_t n);
ECRYPTFS_EXPORT void ecryptfs_file_set_encrypt(struct ecryptfs_file *f, ecryptfs_encrypt_fn fn,
					      void *arg);
/*
 * Record a new plaintext size after the caller wrote extents itself through
 * ecryptfs_file_crypt (the daemon's parallel path): rewrites the size field.
 */
ECRYPTFS_EXPORT int ecryptfs_file_set_size(struct ecryptfs_file *f, uint64_t size);

/* (Filenames: the fname.c section follows.) */

/* ------------------------------------------------------------------------ */
/* Filenames and symlink targets (fname.c), doc/format.md §8                 */
/* ------------------------------------------------------------------------ */

/*
 * Lower names are "ECRYPTFS_FNEK_ENCRYPTED." + the kernel's base64 of a tag 70
 * packet.  fnek is the filename key (its whole 64-byte KEK seeds the
 * deterministic prefix, KEK[0:key_bytes] keys the cipher, its sig goes into
 * the packet).  code is ecryptfs_cipher_code(fn_cipher, fn_key_bytes);
 * key_bytes 0 means the size an AES code implies (other ciphers need it).
 * Results are NUL-terminated in out; the functions return their length.
 */

/* Name -> lower name.  "." and ".." pass through.  -EINVAL empty, '/' or NUL
 * in the name; -ENAMETOOLONG over ECRYPTFS_MAX_NAME_BYTES or out too small;
 * -ENOTSUP cipher we lack (cast6); -ENOENT unknown code. */
ECRYPTFS_EXPORT int ecryptfs_fname_encrypt(const struct ecryptfs_pass_key *fnek, uint8_t code,
					   size_t key_bytes, const char *name, size_t len,
					   char *out, size_t out_size);
/* Symlink target -> lower target; out_size is the caller's limit (PATH_MAX,
 * or the lower file system's symlink limit + 1): -ENAMETOOLONG past it. */
ECRYPTFS_EXPORT int ecryptfs_symlink_encrypt(const struct ecryptfs_pass_key *fnek, uint8_t code,
					     size_t key_bytes, const char *target, size_t len,
					     char *out, size_t out_size);

/* The FNEK signature and cipher code inside a lower name or target, so the
 * caller can pick the key: 0, or -EINVAL when it is not a decodable tag 70
 * name (no prefix, too short, bad tag or length, a character outside the
 * alphabet, characters after the packet or fill bits set; "." and ".."
 * included). */
ECRYPTFS_EXPORT int ecryptfs_fname_sig(const char *lower, size_t len,
				       uint8_t sig[ECRYPTFS_SIG_SIZE], uint8_t *code);

/* Lower name -> name.  "." and ".." pass through.  -EINVAL: not prefixed,
 * undecodable, no separator, a result that is empty or holds '/', NUL or is
 * "." or "..", or a lower name that is not exactly what encrypting the result
 * gives (another spelling of a name, which the kernel never writes nor
 * finds); -ENOKEY: the packet's sig is not fnek's; -ENOTSUP: cipher we lack;
 * -ERANGE: out too small. */
ECRYPTFS_EXPORT int ecryptfs_fname_decrypt(const struct ecryptfs_pass_key *fnek,
					   size_t key_bytes, const char *lower, size_t len,
					   char *out, size_t out_size);
/* Lower target -> target; like ecryptfs_fname_decrypt but '/', "." and ".."
 * are allowed (only NUL is refused). */
ECRYPTFS_EXPORT int ecryptfs_symlink_decrypt(const struct ecryptfs_pass_key *fnek,
					     size_t key_bytes, const char *lower, size_t len,
					     char *out, size_t out_size);

/* Longest plaintext name that fits a lower NAME_MAX (statfs f_namelen): 143
 * for 255, as the kernel reports; otherwise the exact largest fit. */
ECRYPTFS_EXPORT ssize_t ecryptfs_fname_max_len(uint8_t code, size_t lower_name_max);

#ifdef __cplusplus
}
#endif

#endif /* ECFS_SRC_LIBECRYPTFS_LIBECRYPTFS_H */
