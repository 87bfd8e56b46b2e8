"""One SMTP session over a socket pair with the server side under callgrind: bench/smtpd.sh counts
the instructions of a wrapper's own process, bench/hot-functions.sh keeps the dump for the
functions it ran. The session: greeting, HELO (or EHLO), MAIL, RCPT sales@example.com, one 10 KB
message, QUIT; every reply must be 2xx or 3xx.

    python3 bench/callgrind_session.py [--ehlo] DUMP COMMAND...    (prints the instructions; DUMP may be /dev/null)
"""
import os
import socket
import subprocess
import sys

LINE = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-\r\n"
MESSAGE = b"From: a@example.org\r\nTo: sales@example.com\r\nSubject: bench\r\n\r\n" + LINE * 160


def callgrind(argv, dump, **popen):
    """COMMAND (argv) started under callgrind, its dump in DUMP (mangled names, uncompressed), its
    standard error a pipe (valgrind's report)."""
    return subprocess.Popen(["valgrind", "--tool=callgrind", "--demangle=no", "--compress-strings=no",
                             f"--callgrind-out-file={dump}"] + argv, stderr=subprocess.PIPE, **popen)


def session(argv, dump, ehlo=False, env=None):
    """Runs COMMAND (argv) for one session under callgrind; returns its instruction count."""
    a, b = socket.socketpair()
    env = dict(env or os.environ, TCPREMOTEIP="127.0.0.1", TCPLOCALIP="127.0.0.1", PROTO="TCP", TCPLOCALPORT="25")
    p = callgrind(argv, dump, stdin=b, stdout=b, env=env)
    b.close()
    f = a.makefile("rb")

    def reply():
        while True:
            line = f.readline()
            if not line or line[3:4] != b"-":
                return line

    reply()
    hello = b"EHLO" if ehlo else b"HELO"
    for c in (hello + b" client.example.org\r\n", b"MAIL FROM:<a@example.org>\r\n", b"RCPT TO:<sales@example.com>\r\n",
              b"DATA\r\n", MESSAGE + b".\r\n", b"QUIT\r\n"):
        a.sendall(c)
        r = reply()
        if r[:1] not in (b"2", b"3"):
            raise SystemExit(f"callgrind_session: {argv[0]}: {c[:20]!r} -> {r!r}")
    a.close()
    err = p.communicate()[1].decode(errors="replace")
    return int(next(l.split("Collected :")[1].strip() for l in err.splitlines() if "Collected :" in l))


if __name__ == "__main__":
    args = sys.argv[1:]
    ehlo = args[:1] == ["--ehlo"]
    if ehlo:
        args = args[1:]
    print(session(args[1:], args[0], ehlo=ehlo))
