/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mountinfo reader (mountinfo.c): lines as the kernel writes them
 * (proc(5)), split at single blanks, paths unescaped; hostile escapes (a
 * backslash at the end, short ones, out of range, an escape of NUL) and
 * lines the kernel does not write (fields or "-" missing, numbers that are
 * not decimal or do not fit) are refused or kept as written, never read
 * past the string.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "libecryptfs.h"
#include "internal.h"
#include "tap.h"

/* ecryptfs_mountinfo_unescape on a heap copy of in (ASan sees an overread). */
static void unescape(const char *in, int want_rc, const char *want, const char *what)
{
	char *s = strdup(in);

	if (!s)
		abort();
	is_int(ecryptfs_mountinfo_unescape(s), want_rc, "'%s' %s: result", in, what);
	if (want)
		is_str(s, want, "'%s' %s: text", in, what);
	free(s);
}

static struct ecryptfs_mountinfo mi;
static char *line;

/* ecryptfs_mountinfo_parse on a heap copy of text into mi. */
static int parse(const char *text)
{
	free(line);
	line = strdup(text);
	if (!line)
		abort();
	memset(&mi, 0, sizeof(mi));
	return ecryptfs_mountinfo_parse(line, &mi);
}

static void test_unescape(void)
{
	/* No escape the kernel writes: a backslash at the end, short escapes
	 * (at the end, before another byte), over 255, a digit not octal. */
	static const char *const stay[] = { "/a\\", "/a\\0", "/a\\04", "/a\\04x", "\\777",
					    "\\400", "\\08a", "" };

	unescape("/home/a\\040b", 0, "/home/a b", "a space");
	unescape("\\011\\012\\134", 0, "\t\n\\", "tab, newline, backslash");
	unescape("\\134040", 0, "\\040", "an escaped backslash is not read twice");
	unescape("\\377x", 0, "\377x", "the highest byte");
	unescape("\\\\040", 0, "\\ ", "a backslash before an escape");
	for (size_t i = 0; i < sizeof(stay) / sizeof(stay[0]); i++)
		unescape(stay[i], 0, stay[i], "stays as written");
	unescape("/a\\000b", -EBADMSG, NULL, "an escape of NUL is refused");
	unescape("\\000", -EBADMSG, NULL, "an escape of NUL alone is refused");
}

static void test_parse(void)
{
	is_int(parse("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root "
		     "rw,errors=continue\n"), 0, "proc(5)'s example line");
	ok(mi.id == 36 && mi.parent_id == 35 && mi.dev_major == 98 && mi.dev_minor == 0,
	   "its numbers");
	ok(!strcmp(mi.root, "/mnt1") && !strcmp(mi.mountpoint, "/mnt2") &&
	   !strcmp(mi.options, "rw,noatime") && !strcmp(mi.fstype, "ext3") &&
	   !strcmp(mi.source, "/dev/root") && !strcmp(mi.super_options, "rw,errors=continue"),
	   "its fields, the newline dropped");
	is_int(parse("1 2 0:5 /r\\040x /home/u/My\\040Private rw - fuse.ecryptfs /home/u/.P\\134v "
		     "rw,user_id=1000"), 0, "no optional field, escapes");
	is_str(mi.root, "/r x", "root unescaped");
	is_str(mi.mountpoint, "/home/u/My Private", "mount point unescaped");
	is_str(mi.source, "/home/u/.P\\v", "source unescaped");
	is_str(mi.super_options, "rw,user_id=1000", "super options as written");
	is_int(parse("1 2 0:5 / /m rw shared:1 master:2 propagate_from:3 - tmpfs  rw"), 0,
	       "several optional fields, an empty source");
	ok(!strcmp(mi.fstype, "tmpfs") && !strcmp(mi.source, "") && !strcmp(mi.super_options, "rw"),
	   "the empty source is a field: the options stay the options");
	is_int(parse("1 2 0:5 / /m rw - tmpfs none rw future"), 0, "a field after the options");
	is_str(mi.super_options, "rw", "is not part of them");
	is_int(parse("4294967295 0 4294967295:4294967295 / /m rw - t s o"), 0,
	       "the largest numbers");
	ok(mi.id == 4294967295u && mi.dev_minor == 4294967295u, "read whole");

	is_int(parse("4294967296 0 0:5 / /m rw - t s o"), -EBADMSG, "an id over 32 bits");
	is_int(parse("1 2 0:99999999999999999999 / /m rw - t s o"), -EBADMSG, "a huge minor");
	is_int(parse("-1 2 0:5 / /m rw - t s o"), -EBADMSG, "a sign");
	is_int(parse("1 2 0:5x / /m rw - t s o"), -EBADMSG, "a device with a tail");
	is_int(parse("1 2 05 / /m rw - t s o"), -EBADMSG, "a device without a colon");
	is_int(parse("1 2 :5 / /m rw - t s o"), -EBADMSG, "a device without a major");
	is_int(parse(" 1 2 0:5 / /m rw - t s o"), -EBADMSG, "a leading blank (an empty id)");
	is_int(parse("1  2 0:5 / /m rw - t s o"), -EBADMSG, "two blanks in the numbers");
	is_int(parse("1 2 0:5 / /m rw t s o"), -EBADMSG, "no separator");
	is_int(parse("1 2 0:5 / /m rw - t s"), -EBADMSG, "no super options");
	is_int(parse("1 2 0:5 / /m rw -"), -EBADMSG, "nothing after the separator");
	is_int(parse("1 2 0:5 / /m"), -EBADMSG, "too few fields");
	is_int(parse(""), -EBADMSG, "an empty line");
	is_int(parse("\n"), -EBADMSG, "a newline only");
	is_int(parse("1 2 0:5 / /m\\000x rw - t s o"), -EBADMSG, "an escape of NUL in the mount point");
	is_int(parse("1 2 0:5 / /m rw - t s\\000 o"), -EBADMSG, "an escape of NUL in the source");
	is_int(parse("1 2 0:5 / /m\\ rw - t s\\7 o\\"), 0, "backslashes at field ends");
	ok(!strcmp(mi.mountpoint, "/m\\") && !strcmp(mi.source, "s\\7") &&
	   !strcmp(mi.super_options, "o\\"), "stay as written");
	is_int(ecryptfs_mountinfo_parse(NULL, &mi), -EINVAL, "NULL line");
	is_int(ecryptfs_mountinfo_parse(line, NULL), -EINVAL, "NULL result");
}

int main(void)
{
	test_unescape();
	test_parse();
	free(line);
	return tap_done();
}
