#!/bin/bash
# Comments and documents cite only documents in the repository: no tracked
# source, script or document names the design material kept outside it (the
# spec files, the ../shared directory), every section sign belongs to a
# citation "doc/NAME §N" (or, inside doc/*.md, to the document itself), and
# every cited section exists: doc/NAME is a file with a heading numbered §N
# ("## §3 ...", "### §3.2 ...").  The checker is shown to fire on planted
# samples first.  This file is left out of the scan: it spells the patterns.
. "$SRCDIR/tests/lib/tap.sh"

# Allowed to name ../shared for now: the paths of the qemu harness in these
# files (removed when the in-tree kernel harness lands).  Every other pattern
# is still checked in them.
SHARED_HARNESS_PATHS=(
	tests/kernel/lib.sh
	tests/mount/t-kernel-vm.sh
	tests/project/t-demo-kernel.sh
)
SELF=tests/project/t-citations.sh

# scan ROOT FILE...: FILE:LINE: problem for each bad citation, the files
# relative to ROOT, citations resolved against ROOT/doc.  Files with a NUL
# byte (tar archives, binary fixtures) are not text and are skipped.
# CITE_SHARED_OK: newline-separated files where ../shared is allowed.
cat >"$TESTTMP/scan.py" <<'EOF'
import os, re, sys

root, files = sys.argv[1], sys.argv[2:]
shared_ok = set(filter(None, os.environ.get("CITE_SHARED_OK", "").split("\n")))
NUM = r"§[0-9]+(?:\.[0-9]+)*"
OUTSIDE = [
    (re.compile(r"REFERENCE(?:\.md|\s*§|\s+[0-9])"), "cites REFERENCE, outside the repository"),
    (re.compile(r"FORMAT(?:\.md|\s*§|\s+[0-9])"), "cites FORMAT, outside the repository"),
    (re.compile(r"LOGIN-AND-KEYS"), "cites LOGIN-AND-KEYS, outside the repository"),
    (re.compile(r"STYLE\.md"), "cites STYLE.md, outside the repository"),
    (re.compile(r"ARCHITECTURE\.md"), "cites ARCHITECTURE.md, outside the repository"),
    (re.compile(r"(?<![A-Za-z0-9_.-])spec/"), "names spec/, outside the repository"),
    (re.compile(r"\.\./shared"), "names ../shared, outside the repository"),
]
# doc/NAME §N, optionally with `backquotes` round the name and a list
# "§N, §M and §K" or a range "§N to §M" after it.
CITE = re.compile(r"doc/([A-Za-z0-9._-]+)`?[ \t]*(" + NUM +
                  r"(?:(?:[ \t]*,[ \t]*(?:and[ \t]+)?|[ \t]+and[ \t]+|[ \t]+to[ \t]+)" + NUM + r")*)")
# A citation cut by a line break: doc/NAME ends one line, § starts the next.
SPLIT_END = re.compile(r"doc/[A-Za-z0-9._-]+`?[ \t]*$")
SPLIT_START = re.compile(r"[ \t#*/]*§")
HEADING = re.compile(r"^#{1,6}[ \t]+(" + NUM + r")(?![0-9.]*[0-9])")
headings = {}

def sections(name):
    if name not in headings:
        path = os.path.join(root, "doc", name)
        if not os.path.isfile(path):
            headings[name] = None
        else:
            with open(path, encoding="utf-8", errors="replace") as f:
                headings[name] = {m.group(1) for m in map(HEADING.match, f) if m}
    return headings[name]

def check(where, name, num, out):
    s = sections(name)
    if s is None:
        out.append(f"{where}: cites doc/{name}, which does not exist")
    elif num not in s:
        out.append(f"{where}: cites doc/{name} {num}, which has no such heading")

bad = []
for rel in files:
    if os.path.islink(os.path.join(root, rel)):
        continue
    try:
        data = open(os.path.join(root, rel), "rb").read()
    except OSError as e:
        bad.append(f"{rel}:0: cannot read: {e.strerror}")
        continue
    if b"\0" in data:
        continue
    own = rel[4:] if rel.startswith("doc/") and rel.endswith(".md") and "/" not in rel[4:] else None
    prev = ""
    for n, line in enumerate(data.decode("utf-8", "replace").split("\n"), 1):
        where = f"{rel}:{n}"
        split = SPLIT_END.search(prev) and SPLIT_START.match(line)
        prev = line
        for rx, what in OUTSIDE:
            if rx.search(line) and not (what.startswith("names ../shared") and rel in shared_ok):
                bad.append(f"{where}: {what}")
        used = set()
        for m in CITE.finditer(line):
            for s in re.finditer(NUM, m.group(2)):
                used.add(m.start(2) + s.start())
                check(where, m.group(1), s.group(0), bad)
        for s in re.finditer("§", line):
            if s.start() in used:
                continue
            num = re.match(NUM, line[s.start():])
            if split and not line[:s.start()].strip(" \t#*/"):
                bad.append(f"{where}: a citation split across two lines (keep doc/NAME §N together)")
            elif own and num:
                check(where, own, num.group(0), bad)
            else:
                bad.append(f"{where}: a section sign without its document (write doc/NAME §N)")
for b in bad:
    print(b)
EOF
scan() { python3 "$TESTTMP/scan.py" "$@"; }

# --- the checker on planted samples -------------------------------------------
S=$TESTTMP/sample
mkdir -p "$S/doc" "$S/src"
cat >"$S/doc/guide.md" <<'EOF'
# A sample document

## §1 First

### §1.2 A subsection

See §1.2 here; §7 does not exist.
A split citation, as in `doc/guide.md`
§1, is refused even though the section exists.
EOF
{
	echo '/* line 1: fine, doc/guide.md §1.2 and doc/guide.md §1 */'
	echo '/* line 2: REFERENCE §3.1 */'
	echo '/* line 3: FORMAT §5 */'
	echo '/* line 4: as in REFERENCE.md */'
	echo '/* line 5: as in FORMAT.md Appendix C */'
	echo '/* line 6: LOGIN-AND-KEYS §2 */'
	echo '/* line 7: see STYLE.md */'
	echo '/* line 8: see spec/ */'
	echo '/* line 9: ../shared/tools/kernel */'
	echo '/* line 10: doc/guide.md §2 is missing */'
	echo '/* line 11: doc/nowhere.md §1 is missing */'
	echo '/* line 12: a bare §4 */'
	echo '/* line 13: fine, ECRYPTFS_REFERENCE_VERSION and TAG11_FORMAT_BINARY */'
	echo '/* line 14: doc/guide.md §1, §1.2 and §1.3: the last is missing */'
	echo '/* line 15: split across lines, doc/guide.md'
	echo ' * §1.2 */'
	echo '/* line 17: REFERENCE 3.3 and FORMAT.md 10 A */'
	echo '/* line 18: fine, (`doc/guide.md` §1.2) */'
	echo '/* line 19: see ../../shared too */'
} >"$S/src/sample.c"
printf 'ok: ../shared/tools/kernel here\nREFERENCE §2 here\n' >"$S/src/harness.sh"
printf 'binary \0 REFERENCE §9 ../shared\n' >"$S/src/blob.bin"

CITE_SHARED_OK=src/harness.sh scan "$S" doc/guide.md src/sample.c src/harness.sh src/blob.bin \
	>"$TESTTMP/sample.out"
ok "the checker runs"
sed 's/^/#   /' "$TESTTMP/sample.out"
is "$(cut -d: -f1,2 "$TESTTMP/sample.out" | LC_ALL=C sort -u | tr '\n' ' ')" \
	"doc/guide.md:7 doc/guide.md:9 src/harness.sh:2 src/sample.c:10 src/sample.c:11 src/sample.c:12 src/sample.c:14 src/sample.c:16 src/sample.c:17 src/sample.c:19 src/sample.c:2 src/sample.c:3 src/sample.c:4 src/sample.c:5 src/sample.c:6 src/sample.c:7 src/sample.c:8 src/sample.c:9 " \
	"it finds every planted bad citation, and only those"
grep -qx 'src/sample.c:10: cites doc/guide.md §2, which has no such heading' "$TESTTMP/sample.out"
ok "a citation of a missing section is named as such"
grep -qx 'src/sample.c:11: cites doc/nowhere.md, which does not exist' "$TESTTMP/sample.out"
ok "a citation of a missing document is named as such"
grep -qx 'src/sample.c:14: cites doc/guide.md §1.3, which has no such heading' "$TESTTMP/sample.out"
ok "every section of a list is checked"
grep -q '^src/sample.c:16: a citation split across two lines' "$TESTTMP/sample.out" &&
	grep -q '^doc/guide.md:9: a citation split across two lines' "$TESTTMP/sample.out"
ok "a citation cut by a line break is refused, in code and in documents"
grep -qx 'src/sample.c:17: cites FORMAT, outside the repository' "$TESTTMP/sample.out" &&
	grep -qx 'src/sample.c:17: cites REFERENCE, outside the repository' "$TESTTMP/sample.out"
ok "section numbers without the sign are caught too"
grep -q '^src/harness.sh:1:' "$TESTTMP/sample.out"; [ $? -eq 1 ]
ok "../shared is allowed where it is allowed, and only that pattern"

# --- the tree ------------------------------------------------------------------
# Tracked files in a checkout; in a tarball every file but build trees.
list_find() {
	(cd "$SRCDIR" && find . \( -name .git -o -name autom4te.cache -o \
		\( -type d ! -path . -exec test -e '{}/config.status' \; \) \) -prune -o \
		-type f -print | sed 's|^\./||' | LC_ALL=C sort)
}
if [ -e "$SRCDIR/.git" ] && command -v git >/dev/null; then
	git -C "$SRCDIR" ls-files >"$TESTTMP/files.raw"
	ok "the files come from git ls-files"
	list_find >"$TESTTMP/found"
	LC_ALL=C sort "$TESTTMP/files.raw" | LC_ALL=C comm -23 - "$TESTTMP/found" >"$TESTTMP/unfound"
	[ ! -s "$TESTTMP/unfound" ]
	ok "the fallback for a tarball (find) lists every tracked file too"
	sed 's/^/#   not found: /' "$TESTTMP/unfound" | head -10
else
	list_find >"$TESTTMP/files.raw"
	ok "the files come from find (not a git checkout)"
fi
grep -vxF "$SELF" "$TESTTMP/files.raw" >"$TESTTMP/files"
grep -qx doc/format.md "$TESTTMP/files" && grep -qx doc/compatibility.md "$TESTTMP/files" &&
	grep -qx src/libecryptfs/header.c "$TESTTMP/files" && grep -qx tests/run.sh "$TESTTMP/files"
ok "the list holds the documents, the sources and the scripts"

mapfile -t FILES <"$TESTTMP/files"
CITE_SHARED_OK=$(printf '%s\n' "${SHARED_HARNESS_PATHS[@]}") scan "$SRCDIR" "${FILES[@]}" \
	>"$TESTTMP/tree.out"
ok "the checker runs over the tree"
[ ! -s "$TESTTMP/tree.out" ]
ok "every citation in the tree is of a document in it, and of a section it has"
sed 's/^/#   /' "$TESTTMP/tree.out" | head -40

grep -c '^#\{2,3\} §' "$SRCDIR/doc/format.md" >"$TESTTMP/n-format"
[ "$(cat "$TESTTMP/n-format")" -ge 20 ]
ok "doc/format.md has numbered sections"
grep -c '^#\{2,3\} §' "$SRCDIR/doc/compatibility.md" >"$TESTTMP/n-compat"
[ "$(cat "$TESTTMP/n-compat")" -ge 10 ]
ok "doc/compatibility.md has numbered sections"
tap_done
