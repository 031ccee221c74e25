#!/usr/bin/env python3
# POSIX checks run inside an ecryptfs-fuse mount: python3 posix-checks.py MNT NAMEMAX
# Prints TAP-ish "ok/not ok" lines without a plan; the calling t-*.sh counts them
# against the "# end of checks: N" line printed last, so a run cut short shows.
import ctypes, errno, fcntl, mmap, os, stat, subprocess, sys

mnt, namemax = sys.argv[1], int(sys.argv[2])
dev_allowed = sys.argv[3] == "dev"
n = 0
libc = ctypes.CDLL(None, use_errno=True)
RENAME_NOREPLACE, RENAME_EXCHANGE = 1, 2

def ok(cond, desc):
    global n
    n += 1
    print(("ok" if cond else "not ok") + " - " + desc, flush=True)

def err_of(fn, *a):
    try:
        fn(*a)
    except OSError as e:
        return e.errno
    return 0

def p(*a):
    return os.path.join(mnt, *a)

def renameat2(a, b, flags):
    r = libc.renameat2(-100, a.encode(), -100, b.encode(), flags)
    return 0 if r == 0 else ctypes.get_errno()

def data(n, seed):
    return bytes((i * 131 + seed) & 0xff for i in range(n))

# --- errors a local file system gives -------------------------------------
ok(err_of(os.stat, p("nope")) == errno.ENOENT, "stat of a missing name: ENOENT")
ok(err_of(open, p("nope", "x")) == errno.ENOENT, "open below a missing dir: ENOENT")
os.mkdir(p("d"))
ok(err_of(os.mkdir, p("d")) == errno.EEXIST, "mkdir over a dir: EEXIST")
open(p("d", "f"), "w").close()
ok(err_of(os.open, p("d", "f"), os.O_CREAT | os.O_EXCL | os.O_WRONLY) == errno.EEXIST,
   "O_CREAT|O_EXCL over a file: EEXIST")
ok(err_of(os.rmdir, p("d")) == errno.ENOTEMPTY, "rmdir of a non-empty dir: ENOTEMPTY")
ok(err_of(os.open, p("d"), os.O_WRONLY) == errno.EISDIR, "open of a dir for writing: EISDIR")
ok(err_of(os.unlink, p("d")) == errno.EISDIR, "unlink of a dir: EISDIR")
ok(err_of(os.rmdir, p("d", "f")) == errno.ENOTDIR, "rmdir of a file: ENOTDIR")
ok(err_of(os.stat, p("d", "f", "x")) == errno.ENOTDIR, "path through a file: ENOTDIR")
ok(err_of(open, p("a" * (namemax + 1)), "w") == errno.ENAMETOOLONG,
   "name of %d bytes: ENAMETOOLONG" % (namemax + 1))
open(p("b" * namemax), "w").write("long")
ok(open(p("b" * namemax)).read() == "long" and ("b" * namemax) in os.listdir(mnt),
   "name of %d bytes works and is listed" % namemax)
ok(err_of(os.rename, p("d", "f"), "/tmp/efs-exdev-%d" % os.getpid()) == errno.EXDEV,
   "rename out of the mount: EXDEV")
ok(err_of(os.link, p("d", "f"), "/tmp/efs-exdev-%d" % os.getpid()) == errno.EXDEV,
   "link out of the mount: EXDEV")
os.rmdir(p("d")) if False else None

# --- contents ----------------------------------------------------------------
f = p("file")
with open(f, "wb") as fh:
    fh.write(data(10000, 1))
ok(open(f, "rb").read() == data(10000, 1) and os.stat(f).st_size == 10000, "write and read back 10000 bytes")
with open(f, "ab") as fh:
    fh.write(b"tail")
ok(open(f, "rb").read() == data(10000, 1) + b"tail", "O_APPEND appends")
fd = os.open(f, os.O_WRONLY | os.O_APPEND)
os.lseek(fd, 0, os.SEEK_SET)
os.write(fd, b"more")
os.close(fd)
ok(open(f, "rb").read()[-8:] == b"tailmore", "O_APPEND writes at the end whatever the offset")
with open(f, "wb") as fh:
    fh.write(b"short")
ok(open(f, "rb").read() == b"short", "O_TRUNC truncates")
os.truncate(f, 20000)
c = open(f, "rb").read()
ok(len(c) == 20000 and c[:5] == b"short" and c[5:] == bytes(19995), "truncate up gives zeros")
os.truncate(f, 3)
ok(open(f, "rb").read() == b"sho", "truncate down")
os.truncate(f, 5000)
ok(open(f, "rb").read() == b"sho" + bytes(4997), "truncate down then up: zeros, no stale bytes")
fd = os.open(f, os.O_RDWR)
os.pwrite(fd, b"X", 100000)
c = os.pread(fd, 100001, 0)
ok(os.fstat(fd).st_size == 100001 and c == b"sho" + bytes(99997) + b"X",
   "write past EOF leaves zeros between")
if c != b"sho" + bytes(99997) + b"X":
    print("# size %d, len %d, nonzero at %s" % (os.fstat(fd).st_size, len(c), [i for i in range(3, len(c)) if c[i]][:8]))
# every extent-boundary shape
ref = bytearray(os.pread(fd, 200000, 0))
for off, ln in [(0, 1), (4095, 2), (4096, 4096), (8191, 8194), (12288, 1), (1, 4095), (3, 70000)]:
    d = data(ln, off & 0xff)
    os.pwrite(fd, d, off)
    ref[off:off + ln] = d
ok(os.pread(fd, 200000, 0) == bytes(ref), "writes around extent boundaries read back")
os.fsync(fd)
os.fdatasync(fd)
os.close(fd)

# big write: one request of 1 MiB, parallel crypto
big = os.urandom(3 * 1024 * 1024 + 5)
with open(p("big"), "wb") as fh:
    fh.write(big)
ok(open(p("big"), "rb").read() == big, "3 MiB written in large requests reads back")

# --- mmap shared writable ----------------------------------------------------
with open(p("mm"), "wb") as fh:
    fh.write(bytes(3 * 4096 + 100))
fd = os.open(p("mm"), os.O_RDWR)
m = mmap.mmap(fd, 3 * 4096 + 100, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
m[4090:4110] = b"M" * 20
m[-1:] = b"Z"
m.flush()
m.close()
os.close(fd)
c = open(p("mm"), "rb").read()
ok(c[4090:4110] == b"M" * 20 and c[-1:] == b"Z" and c[:4090] == bytes(4090), "mmap MAP_SHARED writes reach the file")

# --- fallocate ---------------------------------------------------------------
fd = os.open(p("fa"), os.O_RDWR | os.O_CREAT, 0o644)
os.posix_fallocate(fd, 0, 10000)
ok(os.fstat(fd).st_size == 10000 and os.pread(fd, 20000, 0) == bytes(10000), "fallocate grows with zeros")
r = libc.fallocate(fd, 1, ctypes.c_long(0), ctypes.c_long(50000))  # FALLOC_FL_KEEP_SIZE
ok(r == 0 and os.fstat(fd).st_size == 10000, "fallocate KEEP_SIZE keeps the size")
r = libc.fallocate(fd, 3, ctypes.c_long(0), ctypes.c_long(4096))  # PUNCH_HOLE|KEEP_SIZE
ok(r != 0 and ctypes.get_errno() == errno.EOPNOTSUPP, "punching holes: EOPNOTSUPP (the format has none)")
os.close(fd)

# --- links -------------------------------------------------------------------
open(p("orig"), "w").write("linked")
os.link(p("orig"), p("hard"))
s1, s2 = os.stat(p("orig")), os.stat(p("hard"))
ok(s1.st_ino == s2.st_ino and s1.st_nlink == 2, "hard link: same inode, two links")
open(p("hard"), "a").write("+more")
ok(open(p("orig")).read() == "linked+more", "hard link: a write through one name shows in the other")
os.unlink(p("orig"))
ok(open(p("hard")).read() == "linked+more" and os.stat(p("hard")).st_nlink == 1, "hard link survives unlink of the other name")
os.symlink("hard", p("sym"))
ok(os.readlink(p("sym")) == "hard" and open(p("sym")).read() == "linked+more", "symlink: target and contents")
ok(os.lstat(p("sym")).st_size == 4 and stat.S_ISLNK(os.lstat(p("sym")).st_mode), "symlink: lstat size is the target length")
long_target = "../" + "t" * 200 + "/dangling"
os.symlink(long_target, p("dangle"))
ok(os.readlink(p("dangle")) == long_target and err_of(os.stat, p("dangle")) == errno.ENOENT, "dangling symlink with a long target")

# --- rename ------------------------------------------------------------------
open(p("r1"), "w").write("one")
open(p("r2"), "w").write("two")
ok(renameat2(p("r1"), p("r2"), RENAME_NOREPLACE) == errno.EEXIST, "RENAME_NOREPLACE onto a name: EEXIST")
ok(renameat2(p("r1"), p("r3"), RENAME_NOREPLACE) == 0 and open(p("r3")).read() == "one", "RENAME_NOREPLACE to a free name")
ok(renameat2(p("r3"), p("r2"), RENAME_EXCHANGE) == 0 and open(p("r3")).read() == "two" and open(p("r2")).read() == "one", "RENAME_EXCHANGE swaps")
ok(renameat2(p("r3"), p("r9"), RENAME_EXCHANGE) == errno.ENOENT, "RENAME_EXCHANGE with a missing target: ENOENT")
os.mkdir(p("rd"))
open(p("rd", "x"), "w").write("x")
os.mkdir(p("rd2"))
ok(err_of(os.rename, p("rd2"), p("rd")) == errno.ENOTEMPTY, "rename a dir over a non-empty dir: ENOTEMPTY")
ok(err_of(os.rename, p("r2"), p("rd2")) == errno.EISDIR, "rename a file over a dir: EISDIR")
os.rename(p("r2"), p("rd", "moved"))
ok(open(p("rd", "moved")).read() == "one" and not os.path.exists(p("r2")), "rename across directories")
os.rename(p("sym"), p("rd", "sym2"))
ok(os.readlink(p("rd", "sym2")) == "hard", "renamed symlink keeps its target")
os.utime(p("rd", "sym2"), ns=(1000000000 * 1000000000, 1000000000 * 1000000000), follow_symlinks=False)
ok(os.lstat(p("rd", "sym2")).st_mtime_ns == 10**18, "utimens on a renamed symlink (no follow)")

# --- special files -------------------------------------------------------------
os.mkfifo(p("fifo"))
ok(stat.S_ISFIFO(os.stat(p("fifo")).st_mode), "mkfifo makes a fifo")
pid = os.fork()
if pid == 0:
    with open(p("fifo"), "w") as w:
        w.write("through the fifo")
    os._exit(0)
got = open(p("fifo")).read()
os.waitpid(pid, 0)
ok(got == "through the fifo", "data passes through the fifo")
os.mknod(p("null"), 0o666 | stat.S_IFCHR, os.makedev(1, 3))
st = os.stat(p("null"))
ok(stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(1, 3), "mknod of a char device")
if dev_allowed:
    ok(open(p("null"), "w").write("discard") == 7, "the device node works on a 'dev' mount")
else:
    ok(err_of(open, p("null"), "w") == errno.EACCES, "device nodes refuse to open on a nodev mount")
os.mknod(p("regnod"), 0o644 | stat.S_IFREG)
open(p("regnod"), "w").write("reg")
ok(open(p("regnod")).read() == "reg", "mknod of a regular file gives an encrypted file")

# --- attributes ------------------------------------------------------------------
os.chmod(p("hard"), 0o640)
ok(stat.S_IMODE(os.stat(p("hard")).st_mode) == 0o640, "chmod")
os.chown(p("hard"), 65534, 65534)
st = os.stat(p("hard"))
ok(st.st_uid == 65534 and st.st_gid == 65534, "chown")
os.chown(p("hard"), 0, 0)
os.utime(p("hard"), ns=(123456789012345678, 987654321098765432))
st = os.stat(p("hard"))
ok(st.st_atime_ns == 123456789012345678 and st.st_mtime_ns == 987654321098765432, "utimens with nanoseconds")
ok(os.stat(p("hard")).st_size == len("linked+more"), "size after chmod/chown/utimens unchanged")

# --- xattrs ------------------------------------------------------------------------
os.setxattr(p("hard"), "user.test", b"value")
ok(os.getxattr(p("hard"), "user.test") == b"value", "setxattr/getxattr")
ok("user.test" in os.listxattr(p("hard")) and "user.ecryptfs" not in os.listxattr(p("hard")), "listxattr shows ours, not user.ecryptfs")
ok(err_of(os.setxattr, p("hard"), "user.ecryptfs", b"x") == errno.EPERM, "user.ecryptfs cannot be set")
ok(err_of(os.removexattr, p("hard"), "user.ecryptfs") == errno.EPERM, "user.ecryptfs cannot be removed")
ok(err_of(os.getxattr, p("hard"), "user.ecryptfs") == errno.ENODATA, "user.ecryptfs cannot be read")
os.removexattr(p("hard"), "user.test")
ok(err_of(os.getxattr, p("hard"), "user.test") == errno.ENODATA, "removexattr")
os.setxattr(p("rd"), "user.dirattr", b"d")
ok(os.getxattr(p("rd"), "user.dirattr") == b"d", "xattrs on directories")

# --- statfs ----------------------------------------------------------------------
sv = os.statvfs(mnt)
ok(sv.f_namemax == namemax and sv.f_blocks > 0, "statfs: name length %d" % namemax)

# --- readdir -----------------------------------------------------------------------
types = {e.name: (e.is_dir(follow_symlinks=False), e.is_symlink(), e.is_file(follow_symlinks=False)) for e in os.scandir(mnt)}
ok(types.get("rd") == (True, False, False) and types.get("dangle") == (False, True, False) and types.get("hard") == (False, False, True), "readdir reports types")
for i in range(300):
    open(p("rd", "n%03d" % i), "w").close()
ok(len(os.listdir(p("rd"))) == 303, "readdir of 303 entries")

# --- locks ---------------------------------------------------------------------------
lf = p("lockfile")
open(lf, "w").close()
h = open(lf, "r+")
fcntl.flock(h, fcntl.LOCK_EX)
r = subprocess.run(["flock", "-n", lf, "true"])
ok(r.returncode != 0, "flock: a second exclusive lock is refused")
fcntl.flock(h, fcntl.LOCK_UN)
r = subprocess.run(["flock", "-n", lf, "true"])
ok(r.returncode == 0, "flock: free again after unlock")
fcntl.lockf(h, fcntl.LOCK_EX, 10, 0)
code = "import fcntl,sys\nh=open(sys.argv[1],'r+')\ntry:\n fcntl.lockf(h,fcntl.LOCK_EX|fcntl.LOCK_NB,10,0)\nexcept OSError:\n sys.exit(3)\n"
r = subprocess.run([sys.executable, "-c", code, lf])
ok(r.returncode == 3, "POSIX lock: a conflicting lock from another process is refused")
r = subprocess.run([sys.executable, "-c", code.replace(",10,0", ",10,20"), lf])
ok(r.returncode == 0, "POSIX lock: a disjoint range is granted")
h.close()

# --- permissions for another user -----------------------------------------------------
open(p("secret"), "w").write("s")
os.chmod(p("secret"), 0o600)
os.chmod(mnt, 0o755)
def as_nobody(*cmd):
    return subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"] + list(cmd),
                          capture_output=True, text=True)
r = as_nobody("ls", p(""))
ok(r.returncode == 0 and "secret" in r.stdout, "another user can list a 0755 dir (allow_other as root)")
r = as_nobody("cat", p("secret"))
ok(r.returncode != 0 and "Permission denied" in r.stderr, "another user cannot read a 0600 file: EACCES")
r = as_nobody("touch", p("newfile"))
ok(r.returncode != 0 and "Permission denied" in r.stderr, "another user cannot create in a 0755 root dir: EACCES")
os.mkdir(p("pub"))
os.chmod(p("pub"), 0o1777)
r = as_nobody("sh", "-c", "echo mine > '%s' && cat '%s'" % (p("pub", "byuser"), p("pub", "byuser")))
st = os.stat(p("pub", "byuser"))
ok(r.returncode == 0 and r.stdout == "mine\n" and st.st_uid == 65534 and st.st_gid == 65534, "a file created by another user is owned by that user")
r = as_nobody("rm", "-f", p("pub", "rootfile")) if open(p("pub", "rootfile"), "w") else None
ok(r.returncode != 0 and "Operation not permitted" in r.stderr and os.path.exists(p("pub", "rootfile")),
   "sticky dir: another user cannot remove root's file")
os.mkdir(p("grp"))
os.chown(p("grp"), 0, 4321)
os.chmod(p("grp"), 0o770)
r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--groups=4321", "--",
                    "sh", "-c", "echo g > '%s' && mkdir '%s'" % (p("grp", "f"), p("grp", "d"))],
                   capture_output=True, text=True)
ok(r.returncode == 0 and os.stat(p("grp", "f")).st_uid == 65534 and os.path.isdir(p("grp", "d")),
   "a member of a directory's group (supplementary) creates in it")
r = as_nobody("sh", "-c", "echo g > '%s'" % p("grp", "f2"))
ok(r.returncode != 0 and "Permission denied" in r.stderr, "a non-member cannot")
open(p("suid"), "w").write("x")
os.chmod(p("suid"), 0o6777)
r = as_nobody("sh", "-c", "echo y >> '%s'" % p("suid"))
ok(r.returncode == 0 and stat.S_IMODE(os.stat(p("suid")).st_mode) == 0o777,
   "a write by another user clears setuid and setgid")
r = as_nobody("chmod", "777", p("hard"))
ok(r.returncode != 0, "another user cannot chmod root's file: EPERM")
print("# end of checks: %d" % n, flush=True)
