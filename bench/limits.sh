#!/bin/bash
# What greylisting and the limits add (E18, C12, P5), same run, side by side with them off:
#   1. qsentry-conn start to exec (hyperfine -N): the store's ban check alone, then with the
#      connection limits on, for the embedded store, Redis on loopback and Redis through
#      Sentinel (a master, a replica, three sentinels; the master found kept in redis-master).
#   2. one SMTP session (HELO, MAIL, RCPT, a 10 KB message, QUIT) through tcpserver, qsentry-smtpd
#      and exim4 -bs: greylisting off, then on with a triplet that already passed (the everyday
#      case), embedded and Redis; configurations alternate in rounds of 50.
#   Redis round trips per connection are counted with strace: reads on the Redis socket (a reply
#   waited for; a command sent without waiting for its reply is a write alone).
#
#   bench/limits.sh [RUNS]      (default 500; needs hyperfine, redis-server, strace, tcpserver, exim4)
set -euo pipefail
source "$(dirname "$0")/common.sh"
RUNS=${1:-500}
WORK=$(mktemp -d)
chmod 755 "$WORK"
trap 'for f in "$WORK"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done; kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
source bench/smtpd-rig.sh

# Redis: a plain server, and a Sentinel set (master, replica, three sentinels).
RP=$(free_port) RM=$(free_port) RR=$(free_port)
redis() { redis-server --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" --daemonize yes "$@"; }
redis --port "$RP" --pidfile "$WORK/plain.pid"
redis --port "$RM" --pidfile "$WORK/master.pid"
redis --port "$RR" --pidfile "$WORK/replica.pid" --replicaof 127.0.0.1 "$RM"
SENTINELS=""
for i in 1 2 3; do
    sp=$(free_port)
    printf 'port %s\nbind 127.0.0.1\ndir %s\ndaemonize yes\npidfile %s/s%s.pid\nsentinel monitor mx 127.0.0.1 %s 2\n' \
        "$sp" "$WORK" "$WORK" "$i" "$RM" > "$WORK/sentinel$i.conf"
    redis-server "$WORK/sentinel$i.conf" --sentinel
    SENTINELS="$SENTINELS,127.0.0.1:$sp"
done
sleep 1

# One qmail root a configuration: the bench root ($Q, from qmail-root.sh) copied.
root() { # NAME STORE [FILE=TEXT ...]
    local r=$WORK/$1 store=$2; shift 2
    cp -a "$Q" "$r"; mkdir -p "$r/qsentry"
    echo "$store" > "$r/control/qsentry/store"
    for kv in "$@"; do printf '%b' "${kv#*=}" > "$r/control/qsentry/${kv%%=*}"; done
    QMAIL=$r "$BIN/qsentry" bans add 198.51.100.1 1h >/dev/null   # makes the embedded store; a ban to look past
}
LIMITS="connection-limits=concurrent=10\nper-minute=1000000\n"
root conn-embedded embedded
root conn-embedded-limits embedded "$LIMITS"
root conn-redis "redis://127.0.0.1:$RP"
root conn-redis-limits "redis://127.0.0.1:$RP" "$LIMITS"
root conn-sentinel-limits "sentinel://${SENTINELS#,}/mx" "$LIMITS"

export TCPREMOTEIP=192.0.2.77
BENCH_AS_IS=1 bench_hyperfine_each "$OUT/limits-conn.json" 5 -N --warmup 10 --runs "$((RUNS / 5))" -- \
    "embedded, bans" QMAIL="$WORK/conn-embedded" "$BIN/qsentry-conn /bin/true" \
    "embedded, bans + connection limits" QMAIL="$WORK/conn-embedded-limits" "$BIN/qsentry-conn /bin/true" \
    "redis, bans" QMAIL="$WORK/conn-redis" "$BIN/qsentry-conn /bin/true" \
    "redis, bans + connection limits" QMAIL="$WORK/conn-redis-limits" "$BIN/qsentry-conn /bin/true" \
    "sentinel, bans + connection limits" QMAIL="$WORK/conn-sentinel-limits" "$BIN/qsentry-conn /bin/true" >/dev/null

# Wall time wobbles on this machine: instructions (callgrind; the program to exec is missing, so
# qsentry-conn does all its work and exits, and valgrind prints its count, which an exec would
# lose) and system calls (strace -c, /bin/true's included alike) are the stable figures.
cp "$BIN/qsentry-conn" "$WORK/qsentry-conn.stripped" && strip --strip-debug "$WORK/qsentry-conn.stripped"  # valgrind reads lld's output only so
COSTS=""
for r in conn-embedded conn-embedded-limits conn-redis conn-redis-limits conn-sentinel-limits; do
    i=$(env QMAIL="$WORK/$r" valgrind --tool=callgrind --callgrind-out-file=/dev/null "$WORK/qsentry-conn.stripped" /nonexistent 2>&1 \
        | sed -n 's/.*Collected : \([0-9]*\).*/\1/p' || true)
    c=$(env QMAIL="$WORK/$r" strace -c "$BIN/qsentry-conn" /bin/true 2>&1 >/dev/null | awk '$NF == "total" {print $(NF-2)}' || true)
    COSTS="$COSTS $i:$c"
done
T_REDIS=$(QMAIL=$WORK/conn-redis redis_round_trips "$RP" "$BIN/qsentry-conn" /bin/true)
T_REDIS_LIMITS=$(QMAIL=$WORK/conn-redis-limits redis_round_trips "$RP" "$BIN/qsentry-conn" /bin/true)
T_SENTINEL=$(QMAIL=$WORK/conn-sentinel-limits redis_round_trips "$RM" "$BIN/qsentry-conn" /bin/true)

# Greylisting in qsentry-smtpd: three listeners, the triplet passed beforehand on each.
GREY="greylist=delay=1s\n"
root smtpd-off embedded
root smtpd-embedded embedded "$GREY"
root smtpd-redis "redis://127.0.0.1:$RP" "$GREY"
PORTS=""
for r in smtpd-off smtpd-embedded smtpd-redis; do
    p=$(free_port); PORTS="$PORTS $p"
    env QMAIL="$WORK/$r" tcpserver -c 100 -HR -l localhost 127.0.0.1 "$p" "$BIN/qsentry-smtpd" "$WORK/smtpd" 2>"$WORK/$r.log" &
done
sleep 0.5
python3 - "$OUT/limits-smtpd.json" "$RUNS" $PORTS <<'PY'
import json, socket, sys, time
out, n, ports = sys.argv[1], int(sys.argv[2]), [int(p) for p in sys.argv[3:]]
line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-\r\n"
data = b"From: a@example.org\r\nTo: sales@example.com\r\nSubject: bench\r\n\r\n" + line * (10240 // len(line)) + b".\r\n"

def session(port, need=b"250"):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    f = s.makefile("rb")
    def reply():
        while True:
            l = f.readline()
            if not l: raise SystemExit(f"port {port}: closed")
            if l[3:4] != b"-": return l
    reply()
    for c in (b"HELO client.example.org\r\n", b"MAIL FROM:<a@example.org>\r\n"):
        s.sendall(c); reply()
    s.sendall(b"RCPT TO:<sales@example.com>\r\n")
    r = reply()
    if not r.startswith(need): raise SystemExit(f"port {port}: RCPT -> {r!r}")
    if r.startswith(b"250"):
        s.sendall(b"DATA\r\n"); reply(); s.sendall(data); reply()
    s.sendall(b"QUIT\r\n"); s.shutdown(socket.SHUT_WR); reply(); s.close()

for p in ports[1:]:
    session(p, b"451")      # the first attempt: greylisted
time.sleep(1.2)
for p in ports:
    for _ in range(3): session(p)   # the retry passes; the rest are known; warm-up
times = {p: [] for p in ports}
done = 0
while done < n:
    k = min(50, n - done)
    for p in ports:
        for _ in range(k):
            t = time.perf_counter(); session(p); times[p].append(time.perf_counter() - t)
    done += k
json.dump([times[p] for p in ports], open(out, "w"))
PY
grep -q "greylist=known" "$WORK/smtpd-redis.log" || { echo "limits.sh: greylisting did not run (no greylist=known)"; exit 1; }

{
    echo "## limits"
    echo
    echo "\`bench/limits.sh $RUNS\` on $(date -u +%Y-%m-%d), $(nproc) cores, same run. qsentry-conn start to exec (hyperfine -N), client not banned,"
    echo "connection limits \`concurrent=10\`, \`per-minute=1000000\` (counted and compared, never reached)."
    echo
    python3 - "$OUT/limits-conn.json" "$T_REDIS" "$T_REDIS_LIMITS" "$T_SENTINEL" "$OUT/limits-smtpd.json" "$COSTS" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))["results"]
m = [x["median"] * 1000 for x in r]
t_redis, t_limits, t_sentinel = sys.argv[2:5]
costs = [c.split(":") for c in sys.argv[6].split()]
ins = [int(i or 0) / 1e6 for i, _ in costs]
sc = [c for _, c in costs]
print("| qsentry-conn | median (ms) | instructions (M) | system calls | Redis round trips |")
print("|---|---|---|---|---|")
names = ["embedded, bans", "embedded, bans + connection limits", "redis, bans", "redis, bans + connection limits",
         "sentinel, bans + connection limits (master cached)"]
trips = ["-", "-", t_redis, t_limits, t_sentinel]
for k in range(5):
    print(f"| {names[k]} | {m[k]:.3f} | {ins[k]:.2f} | {sc[k]} | {trips[k]} |")
print()
print(f"Added by the connection limits: embedded {ins[1]-ins[0]:+.2f} M instructions, {int(sc[1])-int(sc[0]):+d} system calls; "
      f"redis {ins[3]-ins[2]:+.2f} M, {int(sc[3])-int(sc[2]):+d} calls, the same one round trip. "
      "Medians drift with the machine's load (the configurations alternate in 5 rounds, no env exec'd); the counts do not.")
print()
s = json.load(open(sys.argv[5]))
med = [statistics.median(v) * 1000 for v in s]
p95 = [sorted(v)[int(len(v) * .95)] * 1000 for v in s]
print(f"One SMTP session through tcpserver, qsentry-smtpd and exim4 -bs, {len(s[0])} each, alternating in rounds of 50:")
print()
print("| qsentry-smtpd | median (ms) | p95 (ms) | added by greylisting (ms) |")
print("|---|---|---|---|")
print(f"| greylisting off | {med[0]:.2f} | {p95[0]:.2f} | - |")
print(f"| greylisting on, embedded (triplet known) | {med[1]:.2f} | {p95[1]:.2f} | {med[1]-med[0]:.2f} |")
print(f"| greylisting on, redis (triplet known) | {med[2]:.2f} | {p95[2]:.2f} | {med[2]-med[0]:.2f} |")
PY
} > "$OUT/limits.md"
cat "$OUT/limits.md"
bench/record.sh limits "$OUT/limits.md"
