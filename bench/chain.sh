#!/bin/bash
# The whole chain through a real qmail (issue 24): notqmail from ../shared/qmail, built by the
# deployment suite's Tests/Deployment/qmail.sh into its prefix, its programs run as qmaild by
# tcpserver as the example run script does. Same run, CONCURRENCY clients for SECONDS per
# configuration (in two rounds, alternating, so drift hits all alike):
#   plain qmail    tcpserver → qmail-smtpd → qmail-queue
#   C floor        tcpserver → rblsmtpd → bench/passthrough.c → qmail-smtpd → qmail-queue
#   Swift floor    tcpserver → bench/passthrough.swift → qmail-smtpd → qmail-queue: one static Swift
#                  process that only copies bytes, in the shape qsentry's is (qsentry-conn runs the
#                  qsentry-smtpd session in its own process, and spawns qmail-smtpd). The C floor
#                  execs twice (rblsmtpd, a dynamic program, then passthrough.c), so this one can
#                  come out below it: qsentry against it is the cost of qsentry's own work
#   qsentry        tcpserver → qsentry-conn → qsentry-smtpd → qmail-smtpd → qmail-queue (no lists)
#   + content      the same with QMAILQUEUE=qsentry-queue → qmail-queue, clamd scanning
#   C content floor  the C floor with QMAILQUEUE=bench/clamqueue.c → qmail-queue, the same clamd
#   Swift content floor  the Swift floor with QMAILQUEUE=bench/clamqueue.swift, the same again in Swift
#   rules          qsentry with rDNS, then + 3 DNSBLs, then + SPF (NSD answering on loopback)
#   deliveries     qmail-send → qmail-local: ./Maildir/, then | qsentry-local ./Maildir/
# Each session: EHLO, MAIL, RCPT to a real qmail user, one 10 KB message, QUIT. Reported:
# messages a second, p50/p95 session time, CPU a message of the chain (the reaped children of
# tcpserver, from /proc) and of clamd apart, peak RSS (VmHWM) a program. qmail-send is not
# running during the SMTP phases: messages stay in the queue (on tmpfs, so that qmail-queue's fsyncs
# do not make this VM's disk the measure); deliveries are measured after them, with qmail-send.
#
#   bench/chain.sh [SECONDS] [CONCURRENCY]    (as root; default 20 s, 4 clients; needs ucspi-tcp,
#                                              clamav-daemon, nsd, cc; not beside the deployment suite)
set -euo pipefail
source "$(dirname "$0")/common.sh"
SECONDS_EACH=${1:-20}
CONCURRENCY=${2:-4}
[ "$(id -u)" = 0 ] || { echo "bench/chain.sh: run as root (it builds qmail and its users)"; exit 1; }
SHARED=${QSENTRY_SHARED:-$PWD/../shared}
TARBALL=$(ls "$SHARED"/qmail/notqmail-*.tar.gz 2>/dev/null | head -1)
[ -n "$TARBALL" ] || { echo "bench/chain.sh: no notqmail source in $SHARED/qmail"; exit 1; }

W=/var/tmp/qsentry-deploy      # the deployment suite's place: qmail's users name it as their home
Q=$W/qmail
DOMAIN=bench.example
WORK=$(mktemp -d)
chmod 755 "$WORK"
cleanup() {
    for f in "$WORK"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
    sleep 0.5
    umount "$Q/queue" 2>/dev/null || true
    umount "$WORK/queue" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p $W
Tests/Deployment/qmail.sh "$Q" "$TARBALL" "$DOMAIN" >/dev/null
echo '&postmaster' > "$Q/alias/.qmail-root"
echo "$WORK/nobody" > "$Q/alias/.qmail-postmaster"   # never delivered: qmail-send is not running
mkdir -p "$Q/control/qsentry" "$Q/qsentry"
# The queue on tmpfs: qmail-queue's fsyncs would make the disk, not the programs, the measure
# (and this VM's disk wobbles). Same owners and modes: the tree is copied in.
# Sized for the messages of every configuration (some 20 KB each in the queue's files): at 4 clients
# and 30 s a configuration that is about 700 MB, and a full queue fails every later session.
mkdir -p "$WORK/queue"
mount -t tmpfs -o size=4g,mode=750 tmpfs "$WORK/queue"
cp -a "$Q/queue/." "$WORK/queue/"
mount --bind "$WORK/queue" "$Q/queue"

# clamd with one test signature, as the deployment suite runs it (its socket open to qmaild).
start_clamd "$WORK/clamd" "LocalSocketMode 666"
echo "$CLAMD_PID" > "$WORK/clamd.pid"
echo "$WORK/clamd/clamd.sock" > "$Q/control/qsentry/clamd"
# M11 off: its DNS would go to this machine's resolver; bench/auth.sh measures it with local answers.
echo off > "$Q/control/qsentry/authentication"

cc -O2 -static -o "$WORK/passthrough" bench/passthrough.c
cc -O2 -static -o "$WORK/clamqueue" bench/clamqueue.c
static_swift "$WORK/swiftpass" bench/passthrough.swift with-libcrypto
static_swift "$WORK/swiftclamqueue" bench/clamqueue.swift with-libcrypto
chmod 755 "$WORK/passthrough" "$WORK/clamqueue"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
U=$(id -u qmaild) G=$(id -g qmaild)
echo '127.0.0.1:allow,TCPREMOTEIP="192.0.2.10"' | tcprules "$WORK/rules.cdb" "$WORK/rules.tmp"
listen() { # NAME [VAR=VALUE...] COMMAND... : a tcpserver as qmaild, its port and pid in $WORK
    # The settings go into tcpserver's environment, as a run script's envdir does, and every
    # connection inherits them: an "env" in the command would exec one program more a session
    # (GNU env, searching PATH and loading the locale, some 1 ms of CPU on this VM).
    local name=$1 port settings=()
    shift
    while [[ $1 == *=* ]]; do settings+=("$1"); shift; done
    port=$(free_port)
    env "${settings[@]}" tcpserver -u "$U" -g "$G" -c 200 -HR -l localhost -x "$WORK/rules.cdb" 127.0.0.1 "$port" "$@" 2>"$WORK/$name.log" & echo $! > "$WORK/$name.pid"
    echo "$port" > "$WORK/$name.port"
}
# ---- a typical set of rules, one added a configuration (issue 24), answered by NSD on loopback ----
# rDNS forward-confirmed (PTR, then A), then 3 DNSBLs (the client is in none; each zone lists
# 127.0.0.2), then SPF on the sender's domain (a pass). The recipient check is in every qsentry
# configuration: it is always on, as chkuser's is. Each configuration has its own root: its own
# control/, the rest of the qmail root linked. Every listener's tcprules make the client
# 192.0.2.10 (TCPREMOTEIP), as the tests do: libspf2 passes a loopback client without a lookup.
NSD_PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$WORK/nsd"
: > "$WORK/nsd/zones.conf"
zone() { # NAME RECORDS...: a zone file for NSD and its entry in nsd.conf
    local name=$1
    shift
    { printf '$ORIGIN %s.\n$TTL 60\n@ IN SOA ns.%s. h.%s. 1 600 300 86400 60\n@ IN NS ns.%s.\n' "$name" "$name" "$name" "$name"
      printf '%s\n' "$@"; } > "$WORK/nsd/$name.zone"
    printf 'zone:\n    name: %s\n    zonefile: %s.zone\n' "$name" "$name" >> "$WORK/nsd/zones.conf"
}
zone 2.0.192.in-addr.arpa '10 IN PTR client.example.org.'
zone example.org 'client IN A 192.0.2.10' '@ IN TXT "v=spf1 ip4:192.0.2.10 -all"'
for z in bl1 bl2 bl3; do zone "$z.example.net" '2.0.0.127 IN A 127.0.0.2' '2.0.0.127 IN TXT "listed"'; done
{
    printf 'server:\n    ip-address: 127.0.0.1@%s\n    port: %s\n    username: ""\n    chroot: ""\n' "$NSD_PORT" "$NSD_PORT"
    printf '    zonesdir: "%s"\n    database: ""\n    zonelistfile: "%s/zone.list"\n' "$WORK/nsd" "$WORK/nsd"
    printf '    xfrdfile: "%s/xfrd.state"\n    pidfile: "%s/nsd.pid"\n    server-count: 1\n' "$WORK/nsd" "$WORK/nsd"
    # No response rate limiting: every query here comes from 127.0.0.1, over NSD's default 200 a second.
    printf '    rrl-ratelimit: 0\n    rrl-whitelist-ratelimit: 0\n'
    printf 'remote-control:\n    control-enable: no\n'
    cat "$WORK/nsd/zones.conf"
} > "$WORK/nsd/nsd.conf"
nsd -d -c "$WORK/nsd/nsd.conf" >"$WORK/nsd/log" 2>&1 & echo $! > "$WORK/nsd.pid"
for _ in $(seq 50); do dig +short -p "$NSD_PORT" @127.0.0.1 -x 192.0.2.10 2>/dev/null | grep -q client && break; sleep 0.1; done
dig +short -p "$NSD_PORT" @127.0.0.1 -x 192.0.2.10 | grep -q client.example.org || { echo "bench/chain.sh: NSD did not answer"; cat "$WORK/nsd/log"; exit 1; }
rule_root() { # NAME FROM: a qmail root for configuration NAME with FROM's control files, the rest linked
    local r=$WORK/root-$1 e
    mkdir -p "$r"
    for e in "$Q"/*; do [ "$(basename "$e")" = control ] || ln -s "$e" "$r/"; done
    cp -a "$2/control" "$r/control"
    echo "127.0.0.1:$NSD_PORT" > "$r/control/qsentry/dnsservers"
    chmod 755 "$r"
    echo "$r"
}
R_RDNS=$(rule_root rdns "$Q")
echo mode=forward-confirmed > "$R_RDNS/control/qsentry/rdns"
R_DNSBL=$(rule_root dnsbl "$R_RDNS")
printf '%s\n' bl1.example.net bl2.example.net bl3.example.net > "$R_DNSBL/control/qsentry/dnsbl"
R_SPF=$(rule_root spf "$R_DNSBL")
printf 'fail=refuse\nsoftfail=tag\ntemperror=defer\n' > "$R_SPF/control/qsentry/spf"

listen plain QMAIL="$Q" "$Q/bin/qmail-smtpd"
listen floor RBLSMTPD= "$(command -v rblsmtpd)" "$WORK/passthrough" "$Q/bin/qmail-smtpd"
listen sfloor "$WORK/swiftpass" "$Q/bin/qmail-smtpd"
listen qsentry QMAIL="$Q" "$BIN/qsentry-conn" "$BIN/qsentry-smtpd" "$Q/bin/qmail-smtpd"
listen content QMAIL="$Q" QMAILQUEUE="$BIN/qsentry-queue" "$BIN/qsentry-conn" "$BIN/qsentry-smtpd" "$Q/bin/qmail-smtpd"
listen cfloor RBLSMTPD= QMAILQUEUE="$WORK/clamqueue" CLAMD_SOCKET="$WORK/clamd/clamd.sock" CLAMQUEUE_NEXT="$Q/bin/qmail-queue" \
    "$(command -v rblsmtpd)" "$WORK/passthrough" "$Q/bin/qmail-smtpd"
listen scfloor QMAILQUEUE="$WORK/swiftclamqueue" CLAMD_SOCKET="$WORK/clamd/clamd.sock" CLAMQUEUE_NEXT="$Q/bin/qmail-queue" \
    "$WORK/swiftpass" "$Q/bin/qmail-smtpd"
listen rdns QMAIL="$R_RDNS" "$BIN/qsentry-conn" "$BIN/qsentry-smtpd" "$Q/bin/qmail-smtpd"
listen dnsbl QMAIL="$R_DNSBL" "$BIN/qsentry-conn" "$BIN/qsentry-smtpd" "$Q/bin/qmail-smtpd"
listen spf QMAIL="$R_SPF" "$BIN/qsentry-conn" "$BIN/qsentry-smtpd" "$Q/bin/qmail-smtpd"
sleep 0.5

python3 - "$WORK" "$SECONDS_EACH" "$CONCURRENCY" "$DOMAIN" "$OUT/chain.json" <<'PY'
import json, os, socket, sys, threading, time
work, seconds, concurrency, domain, out = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
names = ["plain", "floor", "sfloor", "qsentry", "content", "cfloor", "scfloor", "rdns", "dnsbl", "spf"]
port = {n: int(open(f"{work}/{n}.port").read()) for n in names}
pid = {n: int(open(f"{work}/{n}.pid").read()) for n in names}
clamd = int(open(f"{work}/clamd.pid").read())
tick = os.sysconf("SC_CLK_TCK")
line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-\r\n"
data = (b"From: a@example.org\r\nTo: postmaster@" + domain.encode() + b"\r\nSubject: chain\r\n\r\n"
        + line * (10240 // len(line)) + b".\r\n")

def session(p):
    s = socket.create_connection(("127.0.0.1", p))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    f = s.makefile("rb")
    def reply(want):
        while True:
            l = f.readline()
            if not l: raise RuntimeError(f"port {p}: closed")
            if l[3:4] != b"-": break
        if not l.startswith(want): raise RuntimeError(f"port {p}: {l!r}")
    reply(b"220")
    for c, want in ((b"EHLO client.example.org\r\n", b"250"), (b"MAIL FROM:<a@example.org>\r\n", b"250"),
                    (b"RCPT TO:<postmaster@" + domain.encode() + b">\r\n", b"250"), (b"DATA\r\n", b"354"), (data, b"250")):
        s.sendall(c); reply(want)
    s.sendall(b"QUIT\r\n"); s.shutdown(socket.SHUT_WR); reply(b"221"); s.close()

def ticks(p, children):
    f = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
    # After the name, state is f[0]: utime, stime, cutime, cstime (stat(5) fields 14-17) are f[11..14].
    # tcpserver's cutime/cstime: every reaped child and what each of them reaped in turn.
    return int(f[13]) + int(f[14]) if children else int(f[11]) + int(f[12])

peaks = {}
stop_watch = threading.Event()
def watch():
    while not stop_watch.is_set():
        for d in os.listdir("/proc"):
            if not d.isdigit(): continue
            try:
                st = open(f"/proc/{d}/status").read()
            except OSError:
                continue
            name = st.split("\n", 1)[0].split(":", 1)[1].strip()
            # Read while qsentry-conn renames itself qsentry-smtpd (prctl copies the bytes over the old name).
            if name == "qsentry-smtp": name = "qsentry-smtpd"
            if not (name.startswith("qsentry") or name.startswith("qmail-") or name in ("passthrough", "swiftpass", "rblsmtpd", "clamqueue", "swiftclamqueue")): continue
            for l in st.split("\n"):
                if l.startswith("VmHWM:"): peaks[name] = max(peaks.get(name, 0), int(l.split()[1]))
        time.sleep(0.005)
threading.Thread(target=watch, daemon=True).start()

results = {n: {"times": [], "ticks": 0, "clamd": 0, "seconds": 0.0, "errors": 0} for n in names}
for n in names: session(port[n])  # warm-up, and a failed chain stops here
time.sleep(0.3)
for n, word in (("rdns", "rdns"), ("dnsbl", "dnsbl"), ("spf", "spf=pass"), ("content", "checks=virus:clean")):  # each rule did run
    if word not in open(f"{work}/{n}.log").read(): raise SystemExit(f"bench/chain.sh: {n}: no {word!r} in the log")
# bench/clamqueue.c and .swift log nothing: their header fields in the queue show they scanned and handed over.
heads = [open(os.path.join(d, f), "rb").read(200) for d, _, fs in os.walk(f"{work}/queue/mess") for f in fs]
for n, field in (("cfloor", b"ClamAV by clamqueue\n"), ("scfloor", b"ClamAV by clamqueue.swift\n")):
    if not any(b"X-Virus-Scanned: " + field in h for h in heads):
        raise SystemExit(f"bench/chain.sh: {n}: no message queued with X-Virus-Scanned: {field.decode().strip()}")
for _round in range(2):
    for n in names:
        r = results[n]
        # Uncounted sessions first: this VM's DAMON pages out page cache idle for some 60 s, and a
        # configuration waits longer than that between its rounds (HACKING, "Where a connection's
        # CPU goes"); without these, the large static programs would be read back from disk in
        # their measured window.
        for _ in range(10): session(port[n])
        time.sleep(0.3)
        before, cbefore = ticks(pid[n], True), ticks(clamd, False)
        end = time.time() + seconds / 2
        lock = threading.Lock()
        def client():
            while time.time() < end:
                t = time.perf_counter()
                try:
                    session(port[n])
                except Exception:
                    with lock: r["errors"] += 1
                    continue
                with lock: r["times"].append(time.perf_counter() - t)
        start = time.time()
        threads = [threading.Thread(target=client) for _ in range(concurrency)]
        for t in threads: t.start()
        for t in threads: t.join()
        r["seconds"] += time.time() - start
        time.sleep(0.3)   # the last children reaped by tcpserver
        r["ticks"] += ticks(pid[n], True) - before
        r["clamd"] += ticks(clamd, False) - cbefore
stop_watch.set()
json.dump({"results": results, "tick": tick, "peaks": peaks, "concurrency": concurrency}, open(out, "w"))
PY

{
    echo "## chain, $CONCURRENCY at once"
    echo
    echo "\`bench/chain.sh $SECONDS_EACH $CONCURRENCY\` on $(date -u +%Y-%m-%d), $(nproc) cores: a real qmail (notqmail), $CONCURRENCY concurrent clients,"
    echo "$SECONDS_EACH s a configuration in two alternating rounds, one 10 KB message a session, programs as qmaild, same run."
    echo
    python3 - "$OUT/chain.json" <<'PY'
import json, statistics, sys
d = json.load(open(sys.argv[1]))
r, tick = d["results"], d["tick"]
label = {"plain": "plain qmail-smtpd + qmail-queue", "floor": "C floor: rblsmtpd + passthrough.c in front",
         "sfloor": "Swift floor: passthrough.swift in front",
         "qsentry": "qsentry-conn + qsentry-smtpd in front (no lists)", "content": "+ qsentry-queue with clamd",
         "cfloor": "C content floor: the C floor + bench/clamqueue.c with clamd",
         "scfloor": "Swift content floor: the Swift floor + bench/clamqueue.swift with clamd"}
row = {}
for n, v in r.items():
    t = sorted(v["times"])
    k = len(t)
    if k == 0: raise SystemExit(f"bench/chain.sh: {n}: no session succeeded ({v['errors']} failed)")
    row[n] = dict(rate=k / v["seconds"], p50=t[k // 2] * 1000, p95=t[int(k * .95)] * 1000,
                  cpu=v["ticks"] * 1000 / tick / k, clamd=v["clamd"] * 1000 / tick / k, n=k, errors=v["errors"])
print("| chain | messages/s | p50 (ms) | p95 (ms) | CPU a message (ms) | p50 vs plain | p50 vs C floor | messages/s vs C floor |")
print("|---|---|---|---|---|---|---|---|")
for n in ["plain", "floor", "sfloor", "qsentry", "content", "cfloor", "scfloor"]:
    x = row[n]
    print(f"| {label[n]} | {x['rate']:.1f} | {x['p50']:.2f} | {x['p95']:.2f} | {x['cpu']:.2f} | {x['p50'] / row['plain']['p50']:.2f}× "
          f"| {x['p50'] / row['floor']['p50']:.2f}× | {x['rate'] / row['floor']['rate']:.2f}× |")
print()
if sum(v["errors"] for v in r.values()):
    print("**Failed sessions in this run (below): its figures do not hold.**")
    print()
print("Sessions: " + ", ".join(f"{n} {row[n]['n']}" for n in row) + f"; failed sessions: {sum(row[n]['errors'] for n in row)}.")
print()
q, c = row["content"]["cpu"] - row["qsentry"]["cpu"], row["cfloor"]["cpu"] - row["floor"]["cpu"]
print("The content layer a message (CPU of the chain, clamd's apart; issue 24: the scanner's cost, not qsentry's, should dominate):")
print()
print("| QMAILQUEUE | chain CPU it adds (ms) | clamd's own CPU (ms) | p50 it adds (ms) |")
print("|---|---|---|---|")
print(f"| qsentry-queue | {q:.2f} | {row['content']['clamd']:.2f} | {row['content']['p50'] - row['qsentry']['p50']:+.2f} |")
print(f"| bench/clamqueue.c (the floor: spool, INSTREAM, exec qmail-queue) | {c:.2f} | {row['cfloor']['clamd']:.2f} | {row['cfloor']['p50'] - row['floor']['p50']:+.2f} |")
s = row["scfloor"]["cpu"] - row["sfloor"]["cpu"]
print(f"| bench/clamqueue.swift (the same in Swift: the language's floor) | {s:.2f} | {row['scfloor']['clamd']:.2f} | {row['scfloor']['p50'] - row['sfloor']['p50']:+.2f} |")
print()
# A disturbed run can leave the floor's share at zero or below: no ratio then, only the difference.
ratio = f"{q / c:.2f}× the CPU, " if c > 0 else "no ratio (the floor's added CPU came out at or below zero: a disturbed run), "
print(f"qsentry-queue against the C floor of the same job: {ratio}{q - c:+.2f} ms a message; "
      f"against the Swift floor: {q - s:+.2f} ms a message (the Swift floor against the C one: {s - c:+.2f} ms).")
print()
print("Goal (issue 24): qsentry in front ≤ 1.05× the C floor a session, ≥ 0.95× its throughput under concurrency.")
print()
sf, fl, qs = row["sfloor"], row["floor"], row["qsentry"]
print(f"The Swift floor against the C floor: {sf['p50'] / fl['p50']:.2f}× a session, {sf['rate'] / fl['rate']:.2f}× the throughput, "
      f"{sf['cpu'] - fl['cpu']:+.2f} ms CPU a message; qsentry in front against the Swift floor: {qs['p50'] / sf['p50']:.2f}× a session, "
      f"{qs['rate'] / sf['rate']:.2f}× the throughput, {qs['cpu'] - sf['cpu']:+.2f} ms CPU a message.")
print()
print("A typical set of rules, one added a configuration (same run; DNS answered by NSD on loopback; the recipient check")
print("against qmail's users is in every qsentry row, as it is always on):")
print()
print("| qsentry-conn + qsentry-smtpd with | messages/s | p50 (ms) | p95 (ms) | CPU a message (ms) | p50 added by the rule (ms) | CPU added (ms) | p50 vs C floor |")
print("|---|---|---|---|---|---|---|---|")
rules = {"qsentry": "no lists", "rdns": "+ rDNS, forward-confirmed", "dnsbl": "+ 3 DNSBLs", "spf": "+ SPF (a pass)"}
prev = None
for n, what in rules.items():
    x = row[n]
    added = "-" if prev is None else f"{x['p50'] - row[prev]['p50']:+.2f}"
    cpu = "-" if prev is None else f"{x['cpu'] - row[prev]['cpu']:+.2f}"
    print(f"| {what} | {x['rate']:.1f} | {x['p50']:.2f} | {x['p95']:.2f} | {x['cpu']:.2f} | {added} | {cpu} | {x['p50'] / row['floor']['p50']:.2f}× |")
    prev = n
print()
print("Peak RSS (VmHWM) a program: " + ", ".join(f"{k} {v / 1024:.1f} MB" for k, v in sorted(d["peaks"].items())) + ".")
PY
} > "$OUT/chain.md"

# ---- deliveries: qmail-send → qmail-lspawn → qmail-local, then .qmail's ./Maildir/ or qsentry-local ----
# The SMTP phases are over; each delivery configuration gets a fresh queue (tmpfs again), N messages
# injected with qmail-inject while qmail-send is down, then qmail-send started: deliveries a second
# until the last is in the Maildir, and the CPU of qmail-lspawn's children (qmail-local and what it
# ran) a delivery. qsentry-local runs with the chain's settings (no lists, no Bayes tokens).
for f in plain floor qsentry content cfloor rdns dnsbl spf; do kill "$(cat "$WORK/$f.pid")" 2>/dev/null || true; rm -f "$WORK/$f.pid"; done
DELIVERIES=${QSENTRY_BENCH_DELIVERIES:-300}
getent passwd qsbench >/dev/null || useradd -M -d "$WORK/home/qsbench" -s /bin/sh qsbench
usermod -d "$WORK/home/qsbench" qsbench
mkdir -p "$WORK/home/qsbench/Maildir/"{cur,new,tmp}
echo './Maildir/' > "$WORK/home/qsbench/.qmail-plain"
# qmail-local runs a | line with sh -c; QMAIL names this qmail (the bench's build has /var/qmail built in).
echo "| QMAIL=$Q exec $BIN/qsentry-local ./Maildir/" > "$WORK/home/qsbench/.qmail-local"
chown -R qsbench: "$WORK/home/qsbench"
chmod 755 "$WORK/home"
printf '=qsbench-plain:qsbench:%s:%s:%s:-:plain:\n=qsbench-local:qsbench:%s:%s:%s:-:local:\n.\n' \
    "$(id -u qsbench)" "$(id -g qsbench)" "$WORK/home/qsbench" "$(id -u qsbench)" "$(id -g qsbench)" "$WORK/home/qsbench" > "$Q/users/assign"
(cd "$Q/users" && "$Q/bin/qmail-newu")
python3 -c 'import sys; line = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-\n"; sys.stdout.write("Subject: delivery\n\n" + line * 160)' > "$WORK/delivery.eml"
deliver() { # NAME: DELIVERIES deliveries to qsbench-NAME; prints "seconds cpu_ms_a_delivery delivered"
    local name=$1 pid lspawn n=0 start end ticks
    umount "$Q/queue"
    umount "$WORK/queue"
    mount -t tmpfs -o size=512m,mode=750 tmpfs "$WORK/queue"
    cp -a "$Q/queue/." "$WORK/queue/"
    mount --bind "$WORK/queue" "$Q/queue"
    find "$WORK/home/qsbench/Maildir/new" -type f -delete
    for _ in $(seq "$DELIVERIES"); do "$Q/bin/qmail-inject" -f "bench@$DOMAIN" "qsbench-$name@$DOMAIN" < "$WORK/delivery.eml"; done
    start=$(date +%s.%N)
    (cd "$Q" && exec env - PATH="$Q/bin:/usr/bin:/bin" qmail-start ./Maildir/ cat > "$WORK/qmail-send-$name.log" 2>&1) & pid=$!
    for _ in $(seq 6000); do
        n=$(find "$WORK/home/qsbench/Maildir/new" -type f | wc -l)
        [ "$n" -ge "$DELIVERIES" ] && break
        sleep 0.01
    done
    end=$(date +%s.%N)
    lspawn=$(pgrep -x qmail-lspawn | head -1)
    ticks=$(awk '{print $16 + $17}' "/proc/$lspawn/stat" 2>/dev/null || echo 0)
    pkill -x qmail-send || true
    wait "$pid" 2>/dev/null || true
    pkill -x qmail-lspawn || true; pkill -x qmail-rspawn || true; pkill -x qmail-clean || true
    sleep 0.3
    awk -v a="$start" -v b="$end" -v n="$n" -v want="$DELIVERIES" -v t="$ticks" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { printf "%.3f %.3f %d\n", b - a, t * 1000 / hz / want, n }'
}
read -r T_PLAIN C_PLAIN N_PLAIN < <(deliver plain)
read -r T_LOCAL C_LOCAL N_LOCAL < <(deliver local)
sample=$(find "$WORK/home/qsbench/Maildir/new" -type f -print -quit)
grep -q '^X-Spam-Status:' "$sample" || echo "bench/chain.sh: warning: qsentry-local's deliveries carry no X-Spam-Status" >&2
read -r T_PLAIN2 C_PLAIN2 N_PLAIN2 < <(deliver plain)
read -r T_LOCAL2 C_LOCAL2 N_LOCAL2 < <(deliver local)
python3 - "$DELIVERIES" "$T_PLAIN $C_PLAIN $N_PLAIN $T_PLAIN2 $C_PLAIN2 $N_PLAIN2" "$T_LOCAL $C_LOCAL $N_LOCAL $T_LOCAL2 $C_LOCAL2 $N_LOCAL2" \
    >> "$OUT/chain.md" <<'EOF_DELIVERIES'
import sys
n = int(sys.argv[1])
def row(a):
    t1, c1, n1, t2, c2, n2 = (float(x) for x in a.split())
    return dict(rate=(n1 + n2) / (t1 + t2), cpu=(c1 + c2) / 2, ok=int(n1 + n2))
plain, local = row(sys.argv[2]), row(sys.argv[3])
print()
print(f"Deliveries: {n} messages of 10 KB a round, two rounds each, alternating, queued first, then qmail-send started"
      " (qmail-lspawn's default concurrency), the queue on tmpfs:")
print()
print("| .qmail line | deliveries/s | CPU a delivery (ms) | vs `./Maildir/` |")
print("|---|---|---|---|")
print(f"| `./Maildir/` (qmail-local alone) | {plain['rate']:.1f} | {plain['cpu']:.2f} | 1.00× |")
print(f"| `\\| qsentry-local ./Maildir/` | {local['rate']:.1f} | {local['cpu']:.2f} | {plain['rate'] / local['rate']:.2f}× the time, "
      f"{local['cpu'] / max(plain['cpu'], 0.001):.2f}× the CPU |")
print()
print(f"Delivered: {plain['ok']} and {local['ok']} of {2 * n} each.")
EOF_DELIVERIES
cat "$OUT/chain.md"
bench/record.sh "chain, $CONCURRENCY at once" "$OUT/chain.md"
