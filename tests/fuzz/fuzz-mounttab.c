/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The readers of mount tables on arbitrary tables (a user who can mount,
 * e.g. with FUSE, chooses a line's source, mount point and options):
 * umount.ecryptfs's entry lookup and key unlinking (umount.ecryptfs.c,
 * included here with its main renamed and the keyring unlink recorded
 * instead of done), mount.ecryptfs's sysfs lookup and /proc/filesystems
 * check (datapath.c, included) and ecryptfs-fuse's search for its own
 * mount in mountinfo (src/fuse/mountinfo.c).  Tables come from fmemopen.
 *
 * Checked: no crash, leak or overread; each reader agrees with a plain
 * reading of the table's format, as glibc's getmntent(3) reads a mount
 * table (fields split at blanks, octal escapes, the rest of an over-long
 * line dropped) and as proc(5) describes mountinfo lines; umount.ecryptfs
 * unlinks exactly the 16-character ecryptfs_sig= and ecryptfs_fnek_sig=
 * values of the entry it found, and only for kernel mounts made with
 * ecryptfs_unlink_sigs.
 *
 * Input: a mode byte, the directory looked up (up to a NUL), the table.
 */
#include "config.h"

#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "libecryptfs.h"

static int fuzz_keyring_unlink(const char *sig_hex);
int umount_main(int argc, char **argv);
#define ecryptfs_keyring_unlink fuzz_keyring_unlink
#define main umount_main
#include "../../src/utils/mount/umount.ecryptfs.c"
#undef main
#undef ecryptfs_keyring_unlink
#include "../../src/utils/mount/datapath.c"
#include "../../src/fuse/efs.h"	/* efs_mountinfo_dev */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_UNLINKS 64
static char unlinked[MAX_UNLINKS][ECRYPTFS_SIG_HEX_SIZE + 1];
static size_t n_unlinked;

static int fuzz_keyring_unlink(const char *sig_hex)
{
	if (strlen(sig_hex) != ECRYPTFS_SIG_HEX_SIZE)
		abort();
	if (n_unlinked < MAX_UNLINKS)
		strcpy(unlinked[n_unlinked], sig_hex);
	n_unlinked++;
	return -ENOKEY;
}

static FILE *table(const uint8_t *t, size_t n)
{
	/* fmemopen refuses an empty buffer in older glibc versions. */
	FILE *f = n ? fmemopen((void *)t, n, "r") : fopen("/dev/null", "re");

	if (!f)
		abort();
	return f;
}

/* The ecryptfs_sig= and ecryptfs_fnek_sig= keys umount.ecryptfs should unlink. */
static size_t expected_unlinks(const char *opts)
{
	char first[ECRYPTFS_SIG_HEX_SIZE + 1] = "";
	bool have_first = false;
	size_t n = 0;
	char *copy = strdup(opts), *save = NULL;

	if (!copy)
		abort();
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strncmp(t, "ecryptfs_sig=", 13) && !have_first) {
			snprintf(first, sizeof(first), "%s", t + 13);
			have_first = true;
		}
		if (!strncmp(t, "ecryptfs_sig=", 13) && strlen(t + 13) == ECRYPTFS_SIG_HEX_SIZE)
			n++;
	}
	free(copy);
	copy = strdup(opts);
	if (!copy)
		abort();
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (!strncmp(t, "ecryptfs_fnek_sig=", 18) &&
		    strlen(t + 18) == ECRYPTFS_SIG_HEX_SIZE && strcmp(t + 18, first) != 0)
			n++;
	free(copy);
	return n;
}

/* Every unlinked sig is one of the entry's key options. */
static void unlinks_are_options(const char *opts)
{
	for (size_t i = 0; i < n_unlinked && i < MAX_UNLINKS; i++) {
		char a[64], b[64];

		snprintf(a, sizeof(a), "ecryptfs_sig=%s", unlinked[i]);
		snprintf(b, sizeof(b), "ecryptfs_fnek_sig=%s", unlinked[i]);
		if (!has_opt(opts, a) && !has_opt(opts, b))
			abort();
	}
}

/* umount.ecryptfs's main, from its table lookup to its unlinking. */
static void umount_entry(const char *dir, const uint8_t *t, size_t n)
{
	struct entry e = { 0 }, want = { 0 };
	struct mntent *m;
	char *canon = realpath(dir, NULL);
	FILE *f = table(t, n);
	int r = find_entry_in(f, dir, &e);

	fclose(f);
	/* The last entry on dir, as getmntent reads the table. */
	f = table(t, n);
	while ((m = getmntent(f)))
		if (!strcmp(m->mnt_dir, dir) || (canon && !strcmp(m->mnt_dir, canon))) {
			free(want.type);
			free(want.opts);
			want.type = strdup(m->mnt_type);
			want.opts = strdup(m->mnt_opts);
		}
	fclose(f);
	free(canon);
	if ((r == 0) != (want.type != NULL) ||
	    (r == 0 && (strcmp(e.type, want.type) || strcmp(e.opts, want.opts))))
		abort();
	n_unlinked = 0;
	if (r == 0 && strncmp(e.type, "fuse", 4) && has_opt(e.opts, "ecryptfs_unlink_sigs")) {
		char sig[ECRYPTFS_SIG_HEX_SIZE + 1];

		first_sig(e.opts, "ecryptfs_sig", sig);
		if (unlink_named(e.opts, "ecryptfs_sig", NULL) != 0 ||
		    unlink_named(e.opts, "ecryptfs_fnek_sig", sig[0] ? sig : NULL) != 0)
			abort();	/* ENOKEY is no failure */
		if (n_unlinked != expected_unlinks(e.opts))
			abort();
		unlinks_are_options(e.opts);
	}
	free(e.type);
	free(e.opts);
	free(want.type);
	free(want.opts);
}

/* mount.ecryptfs's sysfs directory: the first sysfs entry, else /sys. */
static void sysfs_entry(const uint8_t *t, size_t n)
{
	char got[2048], want[2048] = "/sys";
	struct mntent *m;
	FILE *f = table(t, n);

	sysfs_dir_in(f, got, sizeof(got));
	fclose(f);
	if (memchr(t, '\0', n))
		return;		/* the kernel writes none; fgets and getmntent differ */
	f = table(t, n);
	while ((m = getmntent(f)))
		if (!strcmp(m->mnt_type, "sysfs")) {
			snprintf(want, sizeof(want), "%s", m->mnt_dir);
			break;
		}
	fclose(f);
	if (strcmp(got, want) != 0)
		abort();
}

/* Digits only, as the kernel prints an unsigned 32-bit number (no sign, no blank;
 * strtoull saturates). */
static bool decimal(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s) && strtoull(s, NULL, 10) <= 0xffffffffu;
}

/* Every backslash of s starts the kernel's escape of a blank, newline or backslash. */
static bool kernel_escapes(const char *s)
{
	static const char *const known[] = { "\\040", "\\011", "\\012", "\\134" };

	for (const char *b = strchr(s, '\\'); b; b = strchr(b + 4, '\\')) {
		bool one = false;

		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			one = one || !strncmp(b, known[i], 4);
		if (!one)
			return false;
	}
	return true;
}

/* "MAJOR:MINOR", both decimal. */
static bool decimal_pair(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n && strtoull(s, NULL, 10) <= 0xffffffffu && s[n] == ':' && decimal(s + n + 1);
}

/*
 * A line as the kernel writes it (proc(5)): "36 35 98:0 /mnt1 /mnt2
 * rw,noatime master:1 - ext3 /dev/root rw,errors=continue", single blanks
 * between fields, blanks inside fields escaped (and backslashes only so);
 * fields[] gets the fields.
 */
static size_t kernel_line(char *line, char **fields, size_t max, size_t *dash)
{
	size_t nf = 0;

	if (!*line || strchr(line, '\t') || strstr(line, "  ") || *line == ' ' ||
	    line[strlen(line) - 1] == ' ')
		return 0;
	for (char *w = line; w && nf < max; nf++) {
		fields[nf] = w;
		w = strchr(w, ' ');
		if (w)
			*w++ = '\0';
	}
	*dash = 0;
	for (size_t i = 6; i < nf; i++)
		if (!strcmp(fields[i], "-")) {
			if (*dash)
				return 0;
			*dash = i;
		}
	if (nf < 5 || !*dash || *dash + 3 >= nf || fields[3][0] != '/' || fields[4][0] != '/' ||
	    !decimal(fields[0]) || !decimal(fields[1]) ||
	    !decimal_pair(fields[2]))
		return 0;
	for (size_t i = 0; i < *dash; i++)
		if (!strcmp(fields[i], "-"))
			return 0;
	for (size_t i = 0; i < nf; i++)
		if (!kernel_escapes(fields[i]))
			return 0;
	return nf;
}

/*
 * The device of the last fuse.ecryptfs line on mnt; -1 when a line is not
 * one the kernel could have written (the reader owes nothing then).
 */
static int mountinfo_model(const uint8_t *t, size_t n, const char *mnt, unsigned *dmaj,
			   unsigned *dmin)
{
	char *text = malloc(n + 1), **fields = calloc(n / 2 + 8, sizeof(char *));
	char esc[4 * 4096 + 1], *e = esc, *line, *next;
	int found = 0;

	if (!text || !fields)
		abort();
	memcpy(text, t, n);
	text[n] = '\0';
	for (const char *m = mnt; *m && e < esc + sizeof(esc) - 5; m++)
		e += (*m == ' ' || *m == '\t' || *m == '\n' || *m == '\\') ?
		     sprintf(e, "\\%03o", (unsigned char)*m) : sprintf(e, "%c", *m);
	*e = '\0';
	for (line = text; line && *line && found >= 0; line = next) {
		unsigned long ma, mi;
		size_t nf, dash;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		nf = kernel_line(line, fields, n / 2 + 8, &dash);
		if (!nf) {
			found = -1;
			break;
		}
		if (strcmp(fields[dash + 1], "fuse.ecryptfs") || strcmp(fields[4], esc))
			continue;
		sscanf(fields[2], "%lu:%lu", &ma, &mi);
		found = 1;
		*dmaj = (unsigned)ma;
		*dmin = (unsigned)mi;
	}
	free(fields);
	free(text);
	return found;
}

static void mountinfo_entry(const char *mnt, const uint8_t *t, size_t n)
{
	unsigned ma = 0, mi = 0, wma = 0, wmi = 0;
	FILE *f = table(t, n);
	bool got = efs_mountinfo_dev(f, mnt, &ma, &mi);
	int want;

	fclose(f);
	if (memchr(t, '\0', n))
		return;		/* the kernel writes none */
	want = mountinfo_model(t, n, mnt, &wma, &wmi);
	if (want >= 0 && (got != (want == 1) || (got && (ma != wma || mi != wmi))))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul, *t;
	char *dir;
	size_t n;
	FILE *f;

	if (size < 1)
		return 0;
	nul = memchr(data + 1, '\0', size - 1);
	if (!nul)
		return 0;
	dir = strdup((const char *)data + 1);
	if (!dir)
		abort();
	t = nul + 1;
	n = size - (size_t)(t - data);
	switch (data[0] % 4) {
	case 0:
		umount_entry(dir, t, n);
		break;
	case 1:
		sysfs_entry(t, n);
		break;
	case 2:
		/* Crash-free only: the kernel alone writes /proc/filesystems. */
		f = table(t, n);
		has_ecryptfs_in(f);
		fclose(f);
		break;
	default:
		mountinfo_entry(dir, t, n);
		break;
	}
	free(dir);
	return 0;
}
