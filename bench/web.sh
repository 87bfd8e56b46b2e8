#!/bin/bash
# The web console over a large quarantine (issue 20): 100,000 quarantined messages, the
# release build of qsentry-web on loopback, an administrator logged in with curl. Times each
# page over REQUESTS requests (curl's time_total on loopback, so server time plus one local
# round trip; the median and the slowest), the first list (the index read cold), and the
# server's peak resident memory (VmHWM).
#
#   bench/web.sh [ENTRIES] [REQUESTS]      (default 100000 and 20; as root; needs curl, python3)
set -euo pipefail
source "$(dirname "$0")/common.sh"
N=${1:-100000}
R=${2:-20}
WORK=$(mktemp -d)
chmod 755 "$WORK"
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/control/qsentry" "$WORK/qsentry/quarantine"
echo example.test > "$WORK/control/me"
python3 - "$WORK/qsentry/quarantine" "$N" <<'PY'
import os, random, sys
d, n = sys.argv[1], int(sys.argv[2])
random.seed(1)
words = "offer prize meeting invoice report account update delivery winner pharmacy loan".split()
for i in range(n):
    rcpt = f"user{i % 500}@example.test"
    sender = f"s{random.randrange(5000)}@sender{random.randrange(300)}.test"
    env = b"F" + sender.encode() + b"\0T" + rcpt.encode() + b"\0\0"
    subject = " ".join(random.choice(words) for _ in range(4)) + f" {i}"
    head = (f"QSentry-Quarantine: 1\nDate: {1700000000 + i * 30}\nIP: 192.0.2.{i % 250}\nRule: {random.choice(['bayes', 'keywords', 'attachment', 'uribl'])}\n"
            f"Text: refused\nSender: {sender}\nRecipient: {rcpt}\nEnvelope: {env.hex()}\n\n")
    msg = f"From: <{sender}>\nTo: <{rcpt}>\nSubject: {subject}\n\nBody of message {i}.\n"
    with open(f"{d}/{1700000000 + i * 30}.{i}.{i:x}", "w") as f:
        f.write(head + msg)
PY
chmod -R a+rX "$WORK"
echo 'bench-password' | QMAIL=$WORK "$BIN/qsentry" web passwd admin >/dev/null
chmod 644 "$WORK/control/qsentry/web-users"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
QMAIL=$WORK "$BIN/qsentry-web" --user nobody --listen "127.0.0.1:$PORT" 2>"$WORK/web.log" &
PID=$!
for _ in $(seq 600); do ss -ltn | grep -q "127.0.0.1:$PORT " && break; sleep 0.1; done
ss -ltn | grep -q "127.0.0.1:$PORT " || { echo "qsentry-web did not start:"; cat "$WORK/web.log"; exit 1; }
B="http://127.0.0.1:$PORT"
J="$WORK/cookies"
csrf=$(curl -s -c "$J" "$B/login" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
curl -s -b "$J" -c "$J" -o /dev/null -d "csrf=$csrf&name=admin&password=bench-password" "$B/login"

t() { curl -s -b "$J" -o /dev/null -w '%{time_total}\n' "$B$1"; }
cold=$(t /quarantine)
report="$WORK/report"
{
    echo "## web console: quarantine pages over $N messages"
    echo
    echo "\`bench/web.sh $N $R\` ($(date -u +%Y-%m-%d), release build, curl on loopback, $R requests a page)."
    echo
    echo "| page | median | slowest |"
    echo "|---|---|---|"
    echo "| first list after start (every file's header read once) | $(awk '{printf "%.0f ms", $1 * 1000}' <<<"$cold") | |"
    for page in "/quarantine" "/quarantine?page=1000" "/quarantine?subject=winner+prize" "/quarantine?sender=sender7.test" \
                "/quarantine?q=user42@example.test" "/quarantine?sort=subject&order=asc" "/quarantine?from=2023-11-20&until=2023-11-21"; do
        for _ in $(seq "$R"); do t "$page"; done | sort -n | awk -v p="$page" '{a[NR]=$1} END {printf "| `%s` | %.1f ms | %.1f ms |\n", p, a[int((NR+1)/2)]*1000, a[NR]*1000}'
    done
    echo
    echo "Peak resident memory of qsentry-web: $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$PID/status)."
    echo "Each list request stats the directory only; the index is read again only when the directory changed,"
    echo "and then only the files it has not seen. A page walks the order kept for its sort key (built on the"
    echo "first request that sorts by it: the slowest column of that row) and keeps the matches, each search a"
    echo "memmem over lower-cased UTF-8 keys made once per entry. The first list after a start waits for the"
    echo "index, which qsentry-web begins reading as it starts: about 30 µs a file (open, one read, parse)."
} > "$report"
cat "$report"
bench/record.sh "web console: quarantine pages over $N messages" "$report"
