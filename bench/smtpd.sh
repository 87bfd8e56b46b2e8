#!/bin/bash
# What qsentry-smtpd adds per message, same run: N messages of 10 KB, one connection each,
# through tcpserver to exim4 -bs (queue only), with and without qsentry-smtpd in front.
# Configurations alternate in rounds of 50 so drift hits both alike. Then the peak RSS
# (VmHWM) of qsentry-smtpd for one 10 KB and one 50 MB message. A third path puts
# bench/passthrough.c (fork, two pipes, copy bytes) in front instead: the floor for any wrapper
# that is one more process in the chain. A fourth puts bench/passthrough.swift there, the same in
# Swift built as qsentry-smtpd is: the floor of a Swift wrapper, so that what the language's
# start-up costs and what qsentry-smtpd's own work costs can be told apart.
#
#   bench/smtpd.sh [MESSAGES]      (default 500; needs tcpserver, exim4, cc)
set -euo pipefail
source "$(dirname "$0")/common.sh"
N=${1:-500}
WORK=$(mktemp -d)
chmod 755 "$WORK"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

source bench/smtpd-rig.sh
cc -O2 -static -o "$WORK/passthrough" bench/passthrough.c
static_swift "$WORK/swiftpass" bench/passthrough.swift with-libcrypto
PLAIN=$(free_port); WRAPPED=$(free_port); PASS=$(free_port); SWIFTPASS=$(free_port)
tcpserver -c 100 -HR -l localhost 127.0.0.1 "$PLAIN" "$WORK/smtpd" 2>/dev/null & PIDS=$!
env QMAIL="$Q" tcpserver -c 100 -HR -l localhost 127.0.0.1 "$WRAPPED" "$BIN/qsentry-smtpd" "$WORK/smtpd" 2>/dev/null & PIDS="$PIDS,$!"
tcpserver -c 100 -HR -l localhost 127.0.0.1 "$PASS" "$WORK/passthrough" "$WORK/smtpd" 2>/dev/null & PIDS="$PIDS,$!"
tcpserver -c 100 -HR -l localhost 127.0.0.1 "$SWIFTPASS" "$WORK/swiftpass" "$WORK/smtpd" 2>/dev/null & PIDS="$PIDS,$!"
sleep 0.5

python3 - "$PLAIN" "$WRAPPED" "$N" "$OUT/smtpd.json" "$BIN/qsentry-smtpd $WORK/smtpd" "$PASS" "$PIDS" "$SWIFTPASS" <<'PY'
import json, socket, statistics, sys, threading, time, os

plain, wrapped, n, out, marker, passthrough = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], int(sys.argv[6])
swiftpass = int(sys.argv[8])
pids = dict(zip(("plain", "wrapped", "passthrough", "swift"), (int(x) for x in sys.argv[7].split(","))))
def ticks(p):  # a tcpserver's reaped children (the server, the wrapper and what it ran): cutime + cstime
    f = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
    return int(f[13]) + int(f[14])
cpu = {k: 0 for k in pids}
line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-\r\n"

def body(size):
    head = b"From: a@example.org\r\nTo: sales@example.com\r\nSubject: bench\r\n\r\n"
    return head + line * (size // len(line)) + b".\r\n"

def session(port, data):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle/delayed-ACK stalls in the client
    f = s.makefile("rb")
    def reply():
        while True:
            l = f.readline()
            if not l: raise SystemExit(f"port {port}: connection closed")
            if l[3:4] != b"-": return l
    def cmd(c, want):
        s.sendall(c)
        r = reply()
        if not r.startswith(want): raise SystemExit(f"port {port}: {c!r} -> {r!r}")
    reply()
    cmd(b"HELO client.example.org\r\n", b"250")
    cmd(b"MAIL FROM:<a@example.org>\r\n", b"250")
    cmd(b"RCPT TO:<sales@example.com>\r\n", b"250")
    cmd(b"DATA\r\n", b"354")
    cmd(data, b"250")
    # QUIT and close, as qmail-remote does ("waiting for remote side is just too ridiculous");
    # exim otherwise waits 200 ms after QUIT for the client to close first.
    s.sendall(b"QUIT\r\n")
    s.shutdown(socket.SHUT_WR)
    if not reply().startswith(b"221"): raise SystemExit(f"port {port}: QUIT not answered 221")
    s.close()

ten = body(10 * 1024)
ports = {"plain": plain, "wrapped": wrapped, "passthrough": passthrough, "swift": swiftpass}
times = {name: [] for name in ports}
for _ in range(3):  # warm-up
    for port in ports.values(): session(port, ten)
done = 0
while done < n:
    k = min(50, n - done)
    for name, port in ports.items():
        before = ticks(pids[name])
        for _ in range(k):
            t = time.perf_counter()
            session(port, ten)
            times[name].append(time.perf_counter() - t)
        time.sleep(0.05)  # the last child reaped
        cpu[name] += ticks(pids[name]) - before
    done += k

def peak(size):
    best = [0]
    stop = threading.Event()
    def watch():
        while not stop.is_set():
            for pid in os.listdir("/proc"):
                if not pid.isdigit(): continue
                try:
                    cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode()
                    if not cmd.startswith(marker): continue  # not this script, whose argv holds the marker
                    for l in open(f"/proc/{pid}/status"):
                        if l.startswith("VmHWM:"): best[0] = max(best[0], int(l.split()[1]))
                except OSError:
                    pass
            time.sleep(0.002)
    w = threading.Thread(target=watch); w.start()
    session(wrapped, body(size))
    stop.set(); w.join()
    return best[0]

json.dump({"n": n, **times,
           "cpu": {k: v * 1000 / os.sysconf("SC_CLK_TCK") / n for k, v in cpu.items()},
           "rss_10k": peak(10 * 1024), "rss_50m": peak(50 * 1024 * 1024)}, open(out, "w"))
PY

# Instructions of the wrapper alone (callgrind, its children not traced), one session each in front
# of the same exim, driven over a socket pair: wall time wobbles on this machine, these do not.
strip --strip-debug -o "$WORK/qsentry-smtpd.stripped" "$BIN/qsentry-smtpd"
instructions() { python3 bench/callgrind_session.py /dev/null "$@"; }  # COMMAND...: its instructions for one session
# As the timing run's tcpservers run them: as this user (root: qsentry-smtpd's warning line included).
INS_WRAPPED=$(QMAIL="$Q" instructions "$WORK/qsentry-smtpd.stripped" "$WORK/smtpd")
INS_PASS=$(instructions "$WORK/passthrough" "$WORK/smtpd")
INS_SWIFT=$(instructions "$WORK/swiftpass" "$WORK/smtpd")

{
    echo "## smtpd"
    echo
    echo "\`bench/smtpd.sh $N\` on $(date -u +%Y-%m-%d), $(nproc) cores; tcpserver → [qsentry-smtpd | passthrough.c | passthrough.swift →] exim4 -bs (queue only),"
    echo "one 10 KB message per connection, Python client, configurations alternating in rounds of 50, same run."
    echo
    python3 - "$OUT/smtpd.json" "$INS_WRAPPED" "$INS_PASS" "$INS_SWIFT" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))
ins_wrapped, ins_pass, ins_swift = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
p, w = statistics.median(r["plain"]) * 1000, statistics.median(r["wrapped"]) * 1000
c = statistics.median(r["passthrough"]) * 1000
sw = statistics.median(r["swift"]) * 1000
q = lambda v, f: sorted(v)[int(len(v) * f)] * 1000
cpu = r["cpu"]
print("| path | median per message (ms) | p90 (ms) | p95 (ms) | CPU a message (ms) |")
print("|---|---|---|---|---|")
print(f"| exim4 -bs alone | {p:.2f} | {q(r['plain'], .9):.2f} | {q(r['plain'], .95):.2f} | {cpu['plain']:.2f} |")
print(f"| qsentry-smtpd in front | {w:.2f} | {q(r['wrapped'], .9):.2f} | {q(r['wrapped'], .95):.2f} | {cpu['wrapped']:.2f} |")
print(f"| bench/passthrough.c in front (floor) | {c:.2f} | {q(r['passthrough'], .9):.2f} | {q(r['passthrough'], .95):.2f} | {cpu['passthrough']:.2f} |")
print(f"| bench/passthrough.swift in front (Swift floor) | {sw:.2f} | {q(r['swift'], .9):.2f} | {q(r['swift'], .95):.2f} | {cpu['swift']:.2f} |")
print()
print(f"qsentry-smtpd against the floor (issue 24's goal: <= 1.05x a message): {w / c:.3f}x the median, "
      f"{cpu['wrapped'] / cpu['passthrough']:.3f}x the CPU (the server's included). Instructions of the wrapper's own "
      f"process for one session (callgrind): qsentry-smtpd {ins_wrapped / 1e6:.2f} M, passthrough.c {ins_pass / 1e6:.3f} M, "
      f"passthrough.swift {ins_swift / 1e6:.3f} M.")
print()
print(f"The Swift floor against the C floor: {sw / c:.3f}x the median, {cpu['swift'] / cpu['passthrough']:.3f}x the CPU; "
      f"qsentry-smtpd against the Swift floor: {w / sw:.3f}x the median, {cpu['wrapped'] / cpu['swift']:.3f}x the CPU.")
print()
print(f"The bare extra process (passthrough.c) adds {c - p:.2f} ms, {100 * (c - p) / p:.1f} %; "
      f"qsentry-smtpd's own work on top of that: {w - c:.2f} ms.")
print()
print(f"Added time at the median: {w - p:.2f} ms per message, {100 * (w - p) / p:.1f} % (goal: <= 10 %). "
      "Medians, though tcpserver now runs with -l (no DNS look-up of the local name, which stalled a rare connection 3 s).")
print()
print(f"Peak RSS (VmHWM) of qsentry-smtpd: {r['rss_10k'] / 1024:.1f} MB with a 10 KB message, "
      f"{r['rss_50m'] / 1024:.1f} MB with a 50 MB message (goal: <= 16 MB).")
PY
} > "$OUT/smtpd.md"
cat "$OUT/smtpd.md"
bench/record.sh smtpd "$OUT/smtpd.md"
