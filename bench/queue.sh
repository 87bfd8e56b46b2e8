#!/bin/bash
# What qsentry-queue costs over a bare virus scan, same run: the same N messages through
#   clamdscan --stream            (the peer: clamd's own client, file streamed with INSTREAM)
#   qsentry-queue (clamd)         (spool + MIME read + INSTREAM + hand-off to a minimal qmail-queue)
# one process per message, both against one clamd (the tests' tiny signature database, so
# the scan itself is as cheap as it gets and qsentry's share looks as big as it can).
# Configurations alternate in rounds of 25. Then qsentry-queue's peak RSS for a 50 MB message.
#
#   bench/queue.sh [MESSAGES]      (default 200; needs clamd, clamdscan, cc from the toolchain)
set -euo pipefail
source "$(dirname "$0")/common.sh"
N=${1:-200}
WORK=$(mktemp -d)
chmod 755 "$WORK"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/qmail/control/qsentry" "$WORK/msgs"

start_clamd "$WORK/clamd" "LogFile $WORK/clamd/clamd.log" "StreamMaxLength 100M"
echo "$WORK/clamd/clamd.sock" > "$WORK/qmail/control/qsentry/clamd"
# M11 off: its DNS would go to this machine's resolver; bench/auth.sh measures it with local answers.
echo off > "$WORK/qmail/control/qsentry/authentication"
echo mx.example.com > "$WORK/qmail/control/me"

# The qmail-queue stand-in: reads message and envelope, nothing more (a shell would cost more than we measure).
cat > "$WORK/sink.c" <<'C'
#include <unistd.h>
int main(void) { char b[65536]; while (read(0, b, sizeof b) > 0) {} while (read(1, b, sizeof b) > 0) {} return 0; }
C
CC=$(command -v cc || command -v clang || echo "$(dirname "$(command -v swift)")/clang")
"$CC" -O2 -o "$WORK/sink" "$WORK/sink.c"
printf 'Fa@example.org\0Tsales@example.com\0\0' > "$WORK/envelope"

# Messages: text, HTML with links, a base64 attachment of 50 KB, every 10th one with EICAR; and one of 50 MB.
python3 - "$WORK/msgs" "$N" <<'PY'
import base64, os, sys
d, n = sys.argv[1], int(sys.argv[2])
e = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
text = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, see https://www.example.org/page " * 2 + "\r\n") * 60
for i in range(n):
    att = base64.encodebytes(os.urandom(50 * 1024) if i % 10 else e.encode() * 10).decode().replace("\n", "\r\n")
    m = (f"From: a@example.org\r\nTo: sales@example.com\r\nSubject: message {i}\r\n"
         "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n" + text +
         "--b\r\nContent-Type: text/html\r\n\r\n<p><a href=\"https://shop.example.com/x\">shop</a></p>\r\n"
         f"--b\r\nContent-Type: application/octet-stream; name=\"file{i}.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
         + att + "--b--\r\n")
    open(f"{d}/{i:04d}.eml", "w").write(m)
with open(f"{d}/../big.eml", "wb") as b:
    b.write(b"Subject: big\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n")
    line = b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n"
    for _ in range(50 * 1024 * 1024 // len(line) // 1024):
        b.write(line * 1024)
PY

python3 - "$WORK" "$N" "$BIN/qsentry-queue" "$OUT/queue.json" <<'PY'
import json, os, resource, statistics, subprocess, sys, time
work, n, queue, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
files = sorted(os.listdir(f"{work}/msgs"))
env = dict(os.environ, QMAIL=f"{work}/qmail", QSENTRY_QMAILQUEUE=f"{work}/sink", TCPREMOTEIP="192.0.2.10")

def clamdscan(path):
    r = subprocess.run(["clamdscan", "-c", f"{work}/clamd/clamd.conf", "--stream", "--no-summary", path],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return r.returncode  # 0 clean, 1 virus

def qsentry(path):
    with open(path, "rb") as m, open(f"{work}/envelope", "rb") as e:
        r = subprocess.run([queue], stdin=m, stdout=e, stderr=subprocess.DEVNULL, env=env)
    return r.returncode  # 0 queued, 31 refused

times = {"clamdscan": [], "qsentry": []}
verdicts = {"clamdscan": [], "qsentry": []}
for f in files[:3]:  # warm-up
    clamdscan(f"{work}/msgs/{f}"); qsentry(f"{work}/msgs/{f}")
for start in range(0, n, 25):
    for name, run in (("clamdscan", clamdscan), ("qsentry", qsentry)):
        for f in files[start:start + 25]:
            t = time.perf_counter()
            verdicts[name].append(run(f"{work}/msgs/{f}"))
            times[name].append(time.perf_counter() - t)
agree = all((a == 1) == (b == 31) for a, b in zip(verdicts["clamdscan"], verdicts["qsentry"]))

json.dump({"n": n, **times, "agree": agree}, open(out, "w"))
PY

# Peak RSS of qsentry-queue for one 50 MB message, measured by the kernel (ru_maxrss of the only
# child of a fresh Python: the clamdscan runs above must not count).
python3 - "$WORK" "$BIN/qsentry-queue" "$OUT/queue.json" <<'PY'
import json, os, resource, subprocess, sys
work, queue, out = sys.argv[1:4]
big = f"{work}/big.eml"  # written by the generator: a 50 MB buffer here would be counted in the forked child
env = dict(os.environ, QMAIL=f"{work}/qmail", QSENTRY_QMAILQUEUE=f"{work}/sink", TCPREMOTEIP="192.0.2.10")
with open(big, "rb") as m, open(f"{work}/envelope", "rb") as e:
    code = subprocess.run([queue], stdin=m, stdout=e, stderr=subprocess.DEVNULL, env=env).returncode
r = json.load(open(out))
r.update(big_exit=code, rss_50m_kb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
json.dump(r, open(out, "w"))
PY

{
    echo "## queue"
    echo
    echo "\`bench/queue.sh $N\` on $(date -u +%Y-%m-%d), $(nproc) cores; one process per message against one clamd (test signatures),"
    echo "messages of about 80 KB (text, HTML, a 50 KB base64 attachment; every 10th carries EICAR); configurations alternate in rounds of 25."
    echo
    python3 - "$OUT/queue.json" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))
c, q = statistics.median(r["clamdscan"]) * 1000, statistics.median(r["qsentry"]) * 1000
p90 = lambda v: sorted(v)[int(len(v) * .9)] * 1000
print("| path | median per message (ms) | p90 (ms) |")
print("|---|---|---|")
print(f"| clamdscan --stream | {c:.2f} | {p90(r['clamdscan']):.2f} |")
print(f"| qsentry-queue (spool, MIME, INSTREAM, hand-off) | {q:.2f} | {p90(r['qsentry']):.2f} |")
print()
print(f"Overhead at the median: {q - c:+.2f} ms, {100 * (q - c) / c:+.1f} % (goal: <= 10 %). "
      f"Same verdict as clamdscan on every message: {'yes' if r['agree'] else 'NO'}.")
print()
print(f"Peak RSS of qsentry-queue with a 50 MB message: {r['rss_50m_kb'] / 1024:.1f} MB (goal: <= 32 MB; exit {r['big_exit']}).")
PY
} > "$OUT/queue.md"
cat "$OUT/queue.md"
bench/record.sh queue "$OUT/queue.md"
