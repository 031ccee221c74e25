# memgrep.py PID STRING: exit 0 when STRING occurs in the readable memory of
# process PID (root only), 1 when it does not, 2 when the memory cannot be read.
import re
import sys

pid, needle = sys.argv[1], sys.argv[2].encode()
found = False
try:
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for line in maps:
            m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+)", line)
            if not m or m.group(3)[0] != "r" or "[vvar]" in line or "[vsyscall]" in line:
                continue
            start, end = int(m.group(1), 16), int(m.group(2), 16)
            try:
                mem.seek(start)
                if needle in mem.read(end - start):
                    found = True
                    break
            except OSError:
                continue
except OSError as e:
    print(f"memgrep: {e}", file=sys.stderr)
    sys.exit(2)
sys.exit(0 if found else 1)
