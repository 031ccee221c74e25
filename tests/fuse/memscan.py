#!/usr/bin/env python3
# memscan.py PID HEX...: every place in the memory of process PID where one
# of the byte strings (given in hex) occurs, one line each:
#   NEEDLE-INDEX ADDRESS MAPPING-START-END lo|- dd|-
# lo: the mapping is locked (VmFlags "lo"), dd: left out of core dumps
# (VmFlags "dd"), as /proc/PID/smaps says.  Needs the right to read
# /proc/PID/mem (root).  Used by tests/fuse/t-coredump.sh.
import re
import sys


def mappings(pid):
    maps, cur = [], None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) (\S+)", line)
            if m:
                cur = {"start": int(m.group(1), 16), "end": int(m.group(2), 16),
                       "perms": m.group(3), "name": line.split()[5:] and line.split()[5]}
                maps.append(cur)
            elif line.startswith("VmFlags:") and cur is not None:
                cur["flags"] = line.split()[1:]
    return maps


def main():
    pid = sys.argv[1]
    needles = [bytes.fromhex(h) for h in sys.argv[2:]]
    with open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
        for m in mappings(pid):
            if "r" not in m["perms"] or m["name"] in ("[vvar]", "[vvar_vclock]", "[vsyscall]"):
                continue
            try:
                mem.seek(m["start"])
                data = mem.read(m["end"] - m["start"])
            except OSError:
                continue
            flags = m.get("flags", [])
            for i, n in enumerate(needles):
                at = data.find(n)
                while at >= 0:
                    print(f"{i} {m['start'] + at:x} {m['start']:x}-{m['end']:x} "
                          f"{'lo' if 'lo' in flags else '-'} {'dd' if 'dd' in flags else '-'}")
                    at = data.find(n, at + 1)


if __name__ == "__main__":
    main()
