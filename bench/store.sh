#!/bin/bash
# The added cost of the ban/reputation check (C7, C8) per connection, same run:
#   qsentry-conn with no store, with the embedded store (10,000 events and 1,000 bans in it),
#   and with a Redis store on loopback. Added time = median minus the no-store median.
#   Redis round trips per connection are counted from strace (redis_round_trips in common.sh).
#
#   bench/store.sh [RUNS]      (default 500; needs hyperfine, redis-server, strace)
set -euo pipefail
source "$(dirname "$0")/common.sh"
RUNS=${1:-500}
WORK=$(mktemp -d)
chmod 755 "$WORK"
REDISPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$REDISPORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" >/dev/null &
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
for r in none embedded redis; do mkdir -p "$WORK/$r/control/qsentry"; done
echo "redis://127.0.0.1:$REDISPORT" > "$WORK/redis/control/qsentry/store"
for r in embedded redis; do echo "events=1000000" > "$WORK/$r/control/qsentry/bans"; done
sleep 0.3

# Fill both stores: 1,000 banned addresses and 10,000 events from other addresses.
python3 - "$WORK" <<'PY'
import sqlite3, sys, time, os
work = sys.argv[1]
now = int(time.time())
os.makedirs(f"{work}/embedded/qsentry", exist_ok=True)
PY
for i in $(seq 1 20); do QMAIL=$WORK/embedded "$BIN/qsentry" bans report "198.51.100.$i" spam; done
python3 - "$WORK/embedded/qsentry/store.sqlite" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
now = int(time.time())
db.executemany("INSERT INTO events(ip, kind, host, time) VALUES(?, 'spam', 'mx1', ?)",
               [(f"203.0.{i // 250}.{i % 250}", now) for i in range(10000)])
db.executemany("INSERT OR REPLACE INTO bans(ip, until, source) VALUES(?, ?, 'auto')",
               [(f"198.18.{i // 250}.{i % 250}", now + 3600) for i in range(1000)])
db.commit()
PY
for i in $(seq 0 999); do echo "SET qsentry:ban:198.18.$((i / 250)).$((i % 250)) auto EX 3600"; done | redis-cli -p "$REDISPORT" >/dev/null

export TCPREMOTEIP=192.0.2.77
BENCH_AS_IS=1 bench_hyperfine_each "$OUT/store.json" 5 -N --warmup 10 --runs "$((RUNS / 5))" -- \
    "no store" QMAIL="$WORK/none" "$BIN/qsentry-conn /bin/true" \
    "embedded (SQLite)" QMAIL="$WORK/embedded" "$BIN/qsentry-conn /bin/true" \
    "redis" QMAIL="$WORK/redis" "$BIN/qsentry-conn /bin/true" >/dev/null

ROUNDTRIPS=$(QMAIL=$WORK/redis redis_round_trips "$REDISPORT" "$BIN/qsentry-conn" /bin/true)

{
    echo "## store"
    echo
    echo "\`bench/store.sh $RUNS\` on $(date -u +%Y-%m-%d), $(nproc) cores; hyperfine -N, same run, 5 alternating rounds, no env exec'd; qsentry-conn start to exec, client not banned."
    echo "Embedded store holds 10,000 events and 1,000 bans; Redis holds 1,000 bans."
    echo
    python3 - "$OUT/store.json" "$ROUNDTRIPS" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
base = r[0]["median"] * 1000
print("| store | median (ms) | added per connection (ms) | goal |")
print("|---|---|---|---|")
print(f"| none | {base:.3f} | - | - |")
print(f"| embedded (SQLite WAL) | {r[1]['median']*1000:.3f} | {r[1]['median']*1000-base:.3f} | <= 0.5 ms |")
print(f"| redis (loopback) | {r[2]['median']*1000:.3f} | {r[2]['median']*1000-base:.3f} | <= 1 round trip |")
print()
print(f"Redis round trips per connection (replies waited for, strace): {sys.argv[2]}")
PY
} > "$OUT/store.md"
cat "$OUT/store.md"
bench/record.sh store "$OUT/store.md"
