#!/usr/bin/env python3
# manifest.py [--inodes] DIR: one line per object under DIR (DIR itself as
# "."), sorted, with what ecryptfs-migrate-home must keep: type, mode,
# owner, group, size, mtime in nanoseconds, symlink target, the first path
# of its hard-link group, every extended attribute (POSIX ACLs included, as
# system.posix_acl_*) and a SHA-256 of the content.  --inodes adds the inode
# number: a rolled-back home must be the same objects, not a copy.
# Names are printed with repr(), so newlines and odd bytes stay one line.
import hashlib
import os
import stat
import sys


def xattrs(path):
    try:
        names = sorted(os.listxattr(path, follow_symlinks=False))
    except OSError:
        return []
    return [(n, os.getxattr(path, n, follow_symlinks=False).hex()) for n in names]


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    args = sys.argv[1:]
    inodes = args[:1] == ["--inodes"]
    if inodes:
        args = args[1:]
    root = os.fsencode(args[0])
    paths = [b"."]
    for d, dirs, files in os.walk(root):
        rel = os.path.relpath(d, root)
        for n in dirs + files:
            paths.append(os.path.normpath(os.path.join(rel, n)))
    paths.sort()
    first = {}
    out = []
    for p in paths:
        full = os.path.join(root, p)
        st = os.lstat(full)
        kind = stat.S_IFMT(st.st_mode)
        fields = [repr(p), "%o" % st.st_mode, str(st.st_uid), str(st.st_gid)]
        if not stat.S_ISDIR(st.st_mode):
            fields.append(str(st.st_size))
        # A directory's mtime is kept too; a symlink's is set with lutimes.
        fields.append(str(st.st_mtime_ns))
        if inodes:
            fields.append("ino=%d" % st.st_ino)
        if stat.S_ISLNK(st.st_mode):
            fields.append("->" + repr(os.readlink(full)))
        if st.st_nlink > 1 and not stat.S_ISDIR(st.st_mode):
            key = (st.st_dev, st.st_ino)
            fields.append("link=" + repr(first.setdefault(key, p)))
        if kind == stat.S_IFREG:
            fields.append(digest(full))
        if kind in (stat.S_IFCHR, stat.S_IFBLK):
            fields.append("rdev=%d" % st.st_rdev)
        for n, v in xattrs(full):
            fields.append("%s=%s" % (n, v))
        out.append(" ".join(fields))
    sys.stdout.write("\n".join(out) + "\n")


main()
