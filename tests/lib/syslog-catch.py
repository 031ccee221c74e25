# syslog-catch.py SOCKET FILE: a syslog daemon for tests: binds a datagram
# socket at SOCKET (mode 0666) and appends every message to FILE, one line
# each, until killed.
import os
import socket
import sys

s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        d = s.recv(65536)
        f.write(d.rstrip(b"\0\n").replace(b"\n", b" ") + b"\n")
