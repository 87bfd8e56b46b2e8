#!/bin/bash
# What STARTTLS costs per session, same run: N sessions of one 10 KB message each through
# tcpserver → qsentry-smtpd → exim4 -bs, in plain SMTP and with STARTTLS (an ECDSA P-256 and an
# RSA 2048 certificate). Configurations alternate in rounds of 25 so drift hits all alike.
#
#   bench/tls.sh [SESSIONS]      (default 300; needs tcpserver, exim4, openssl)
set -euo pipefail
source "$(dirname "$0")/common.sh"
N=${1:-300}
WORK=$(mktemp -d)
chmod 755 "$WORK"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
source bench/smtpd-rig.sh

for kind in ec rsa; do
    cp -a "$Q" "$WORK/qmail-$kind"
    case $kind in
        ec) key=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
        rsa) key=(-newkey rsa:2048) ;;
    esac
    openssl req -x509 "${key[@]}" -nodes -days 2 -subj /CN=mx.example.com \
        -keyout "$WORK/$kind.key" -out "$WORK/$kind.crt" 2>/dev/null
    echo "$WORK/$kind.crt" > "$WORK/qmail-$kind/control/qsentry/tls-cert"
    echo "$WORK/$kind.key" > "$WORK/qmail-$kind/control/qsentry/tls-key"
done
PLAIN=$(free_port); EC=$(free_port); RSA=$(free_port)
env QMAIL="$Q" tcpserver -c 100 -HR -l localhost 127.0.0.1 "$PLAIN" "$BIN/qsentry-smtpd" "$WORK/smtpd" 2>/dev/null &
env QMAIL="$WORK/qmail-ec" tcpserver -c 100 -HR -l localhost 127.0.0.1 "$EC" "$BIN/qsentry-smtpd" "$WORK/smtpd" 2>/dev/null &
env QMAIL="$WORK/qmail-rsa" tcpserver -c 100 -HR -l localhost 127.0.0.1 "$RSA" "$BIN/qsentry-smtpd" "$WORK/smtpd" 2>/dev/null &
sleep 0.5

python3 - "$PLAIN" "$EC" "$RSA" "$N" "$OUT/tls.json" <<'PY'
import json, socket, ssl, sys, time

plain, ec, rsa, n, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-\r\n"
message = b"From: a@example.org\r\nTo: sales@example.com\r\nSubject: bench\r\n\r\n" + line * 160 + b".\r\n"
context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE

def session(port, tls):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    pending = b""
    def reply():
        nonlocal pending
        while True:
            while b"\n" in pending:
                l, pending = pending.split(b"\n", 1)
                if l[3:4] != b"-": return l
            more = s.recv(65536)
            if not more: raise SystemExit(f"port {port}: connection closed")
            pending += more
    def cmd(c, want):
        s.sendall(c)
        r = reply()
        if not r.startswith(want): raise SystemExit(f"port {port}: {c!r} -> {r!r}")
    reply()
    cmd(b"EHLO client.example.org\r\n", b"250")
    if tls:
        cmd(b"STARTTLS\r\n", b"220")
        s = context.wrap_socket(s)
        cmd(b"EHLO client.example.org\r\n", b"250")
    cmd(b"MAIL FROM:<a@example.org>\r\n", b"250")
    cmd(b"RCPT TO:<sales@example.com>\r\n", b"250")
    cmd(b"DATA\r\n", b"354")
    cmd(message, b"250")
    cmd(b"QUIT\r\n", b"221")
    s.close()

configs = (("plain", plain, False), ("ecdsa", ec, True), ("rsa", rsa, True))
times = {name: [] for name, _, _ in configs}
for name, port, tls in configs:  # warm-up
    session(port, tls)
done = 0
while done < n:
    k = min(25, n - done)
    for name, port, tls in configs:
        for _ in range(k):
            t = time.perf_counter()
            session(port, tls)
            times[name].append(time.perf_counter() - t)
    done += k
json.dump({"n": n, **times}, open(out, "w"))
PY

{
    echo "## tls"
    echo
    echo "\`bench/tls.sh $N\` on $(date -u +%Y-%m-%d), $(nproc) cores, $(openssl version | cut -d' ' -f1-2); tcpserver → qsentry-smtpd → exim4 -bs,"
    echo "one session after another, each EHLO [STARTTLS, EHLO] MAIL RCPT DATA (10 KB) QUIT from a Python client"
    echo "(its own TLS work is in the figures too); configurations alternate in rounds of 25, same run."
    echo
    python3 - "$OUT/tls.json" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))
base = statistics.median(r["plain"])
print("| session | median (ms) | p90 (ms) | sessions/s (1/median) | vs plain |")
print("|---|---|---|---|---|")
for name, label in (("plain", "plain SMTP"), ("ecdsa", "STARTTLS, ECDSA P-256"), ("rsa", "STARTTLS, RSA 2048")):
    m = statistics.median(r[name])
    p90 = sorted(r[name])[int(len(r[name]) * .9)]
    print(f"| {label} | {m * 1000:.2f} | {p90 * 1000:.2f} | {1 / m:.0f} | {m / base:.2f}× |")
PY
} > "$OUT/tls.md"
cat "$OUT/tls.md"
bench/record.sh tls "$OUT/tls.md"
