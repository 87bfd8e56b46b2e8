#!/bin/bash
# Load (issue 10): N concurrent SMTP sessions for S seconds through the whole chain as a qmail
# server runs it: tcpserver -c N → qsentry-conn → qsentry-smtpd → an SMTP server speaking
# qmail-smtpd's QMAILQUEUE contract (bench/queuesmtpd.c) → qsentry-queue (with clamd) → a recording
# qmail-queue. Each session sends one message of a kind: clean, spam keyword, virus, unknown
# recipient, or from a blocked address. Every message sent is counted as accepted, refused or
# deferred; accepted must equal delivered (nothing lost), no session may get a 4xx (nothing here is
# broken, so a 4xx would be qsentry's own), and each kind must get its verdict. Peak RSS per
# program is reported.
#
#   bench/load.sh [SESSIONS] [SECONDS]     (default 200 60; needs tcpserver, clamd, cc, python3)
set -euo pipefail
source "$(dirname "$0")/common.sh"
N=${1:-200}
DURATION=${2:-60}
WORK=$(mktemp -d)
chmod 755 "$WORK"
trap 'kill $(jobs -p) 2>/dev/null || true; sleep 0.2; rm -rf "$WORK"' EXIT
source bench/qmail-root.sh
mkdir -p "$Q/bin" "$WORK/delivered"
echo 127.0.0.66 > "$Q/control/qsentry/ipblock"
echo "cheap meds" > "$Q/control/qsentry/keywords"

start_clamd "$WORK/clamd" "LogFile $WORK/clamd/clamd.log" "MaxThreads 20" "MaxQueue 400"
echo "$WORK/clamd/clamd.sock" > "$Q/control/qsentry/clamd"
# M11 off: its DNS would go to this machine's resolver; bench/auth.sh measures it with local answers.
echo off > "$Q/control/qsentry/authentication"

# The real qmail-queue's stand-in: keeps each message whole (written, then renamed), or nothing.
cat > "$Q/bin/qmail-queue" <<SH
#!/bin/sh
f=$WORK/delivered/\$\$
cat > "\$f.tmp" && cat <&1 > /dev/null && mv "\$f.tmp" "\$f.msg"
SH
chmod 755 "$Q/bin/qmail-queue"
cc -O2 -o "$WORK/queuesmtpd" bench/queuesmtpd.c

PORT=$(free_port)
env QMAIL="$Q" QMAILQUEUE="$BIN/qsentry-queue" QSENTRY_QMAILQUEUE="$Q/bin/qmail-queue" TMPDIR="$WORK" \
    tcpserver -c "$N" -b "$N" -HR -l localhost 127.0.0.1 "$PORT" "$BIN/qsentry-conn" "$BIN/qsentry-smtpd" "$WORK/queuesmtpd" \
    2> "$WORK/tcpserver.log" &
sleep 0.5

python3 - "$PORT" "$N" "$DURATION" "$WORK/delivered" "$OUT/load.txt" <<'PY'
import collections, os, socket, sys, threading, time

port, n, duration, delivered_dir, out = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
eicar = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
filler = "".join(f"line {i} of an ordinary message body, nothing to see here\r\n" for i in range(60))
# kind: (client address, recipient, body, the verdict it must get)
# Spam, virus and unknown-recipient senders each come from a fresh address (127.X.Y.Z): their
# events would otherwise earn their address a ban, and a banned client's 451 is policy, not load.
kinds = {
    "clean":   ("127.0.0.1",  "sales@example.com",  "Subject: hello\r\n\r\n" + filler, "accepted"),
    "spam":    (None,         "sales@example.com",  "Subject: offer\r\n\r\ncheap meds today\r\n" + filler, "refused"),
    "virus":   (None,         "sales@example.com",  "Subject: test\r\n\r\n" + eicar + "\r\n", "refused"),
    "unknown": (None,         "nobody@example.com", "Subject: hello\r\n\r\n" + filler, "refused"),
    "blocked": ("127.0.0.66", "sales@example.com",  "Subject: hello\r\n\r\n" + filler, "refused"),
}
fresh = iter(f"127.{a}.{b}.{c}" for a in range(1, 255) for b in range(256) for c in range(1, 255))
order = list(kinds)
lock = threading.Lock()
counts = collections.Counter()          # (kind, outcome)
codes = collections.Counter()           # first digit of a non-2xx/3xx reply that ended a session
failures = []
peaks = collections.defaultdict(int)
stop = time.time() + duration
running = True

def session(kind):
    ip, rcpt, body, _ = kinds[kind]
    if ip is None:
        with lock: ip = next(fresh)
    s = socket.socket()
    s.bind((ip, 0))
    s.settimeout(60)
    s.connect(("127.0.0.1", port))
    f = s.makefile("rb")
    def reply():
        while True:
            l = f.readline()
            if not l: raise ConnectionError("closed")
            if l[3:4] != b"-": return l.decode("latin-1").strip()
    def cmd(c):
        s.sendall(c.encode() + b"\r\n")
        return reply()
    try:
        if not reply().startswith("220"): return "error"
        cmd("EHLO load.example.org")
        r = cmd("MAIL FROM:<a@example.org>")
        if not r.startswith("250"): return "deferred" if r[0] == "4" else "refused"
        r = cmd(f"RCPT TO:<{rcpt}>")
        if not r.startswith("250"): return ("deferred", r) if r[0] == "4" else "refused"
        r = cmd("DATA")
        if not r.startswith("354"): return ("deferred", r) if r[0] == "4" else "refused"
        s.sendall(body.replace("\r\n.", "\r\n..").encode() + b".\r\n")
        r = reply()
        try: cmd("QUIT")
        except Exception: pass
        if r.startswith("250"): return "accepted"
        return ("deferred", r) if r[0] == "4" else "refused"
    finally:
        s.close()

def worker(i):
    k = i
    while time.time() < stop:
        kind = order[k % len(order)]
        k += 1
        try:
            outcome = session(kind)
        except Exception as e:
            outcome = ("error", repr(e))
        with lock:
            if isinstance(outcome, tuple):
                failures.append((kind,) + outcome)
                outcome = outcome[0]
            counts[(kind, outcome)] += 1

def watch():
    while running:
        for pid in os.listdir("/proc"):
            if not pid.isdigit(): continue
            try:
                with open(f"/proc/{pid}/status") as st:
                    fields = dict(l.split(":", 1) for l in st if ":" in l)
                name = fields["Name"].strip()
                if name in ("qsentry-conn", "qsentry-smtpd", "qsentry-queue", "clamd", "tcpserver", "queuesmtpd"):
                    peaks[name] = max(peaks[name], int(fields.get("VmHWM", "0 kB").split()[0]))
            except (OSError, KeyError, ValueError):
                pass
        time.sleep(0.05)

threading.Thread(target=watch, daemon=True).start()
threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
start = time.time()
for t in threads: t.start()
for t in threads: t.join()
elapsed = time.time() - start
time.sleep(0.5)
running = False

delivered = len([f for f in os.listdir(delivered_dir) if f.endswith(".msg")])
partial = len([f for f in os.listdir(delivered_dir) if f.endswith(".tmp")])
sent = sum(counts.values())
accepted = sum(v for (k, o), v in counts.items() if o == "accepted")
lines = [f"load: {n} concurrent sessions for {duration:.0f} s: {sent} messages in {elapsed:.1f} s ({sent / elapsed:.0f}/s)"]
for kind in order:
    got = {o: counts[(kind, o)] for o in ("accepted", "refused", "deferred", "error")}
    lines.append(f"  {kind:8} " + "  ".join(f"{o} {v}" for o, v in got.items()) + f"   (expected: {kinds[kind][3]})")
lines.append(f"accepted {accepted}, delivered {delivered}, partial files {partial}")
lines.append("peak RSS (VmHWM, one process): " + ", ".join(f"{k} {v / 1024:.1f} MB" for k, v in sorted(peaks.items())))
problems = []
if accepted != delivered: problems.append(f"unaccounted: {accepted} accepted but {delivered} delivered")
if partial: problems.append(f"{partial} partial files")
for kind in order:
    wrong = sum(v for (k, o), v in counts.items() if k == kind and o != kinds[kind][3])
    if wrong: problems.append(f"{kind}: {wrong} sessions did not get '{kinds[kind][3]}'")
for f in failures[:5]: problems.append(f"example: {f}")
lines += [f"PROBLEM: {p}" for p in problems] or ["no message unaccounted, no 4xx, every kind its verdict"]
text = "\n".join(lines)
print(text)
open(out, "w").write(text + "\n")
sys.exit(1 if problems else 0)
PY
