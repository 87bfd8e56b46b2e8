#!/bin/bash
# Start-up cost of each per-connection program, side by side with C rblsmtpd (ucspi-tcp),
# in the same run. Each program does nothing but start, answer --version and exit;
# rblsmtpd starts, finds nothing to check (RBLSMTPD="") and execs /bin/true.
#
#   bench/startup.sh [RUNS]     (default 500 runs a command; needs hyperfine, ucspi-tcp)
#
# Prints a table and rewrites the "startup" section of bench/RESULTS.md.
set -euo pipefail
source "$(dirname "$0")/common.sh"
RUNS=${1:-500}
RBLSMTPD=$(command -v rblsmtpd) || { echo "bench/startup.sh: rblsmtpd (ucspi-tcp) not installed" >&2; exit 1; }

export RBLSMTPD=""            # rblsmtpd: skip every check, exec the program
export TCPREMOTEIP=127.0.0.1

bench_hyperfine "$OUT/startup.json" -N --warmup 50 --runs "$RUNS"  \
    -n "rblsmtpd /bin/true" "$RBLSMTPD /bin/true" \
    -n "/bin/true" "/bin/true" \
    -n "qsentry-conn" "$BIN/qsentry-conn --version" \
    -n "qsentry-smtpd" "$BIN/qsentry-smtpd --version" \
    -n "qsentry-queue" "$BIN/qsentry-queue --version" \
    -n "qsentry-local" "$BIN/qsentry-local --version" >/dev/null

{
    echo "## startup"
    echo
    echo "\`bench/startup.sh $RUNS\` on $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -r); hyperfine -N, $RUNS runs each, same run, as an unprivileged user (nobody) when started as root."
    echo "Ratio = median / median of \`rblsmtpd /bin/true\` (goal: about 1)."
    echo
    python3 - "$OUT/startup.json" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
base = next(r for r in res if r["command"] == "rblsmtpd /bin/true")["median"]
print("| program | median (ms) | mean ± sd (ms) | ratio to rblsmtpd |")
print("|---|---|---|---|")
for r in res:
    print(f"| {r['command']} | {r['median']*1000:.3f} | {r['mean']*1000:.3f} ± {r['stddev']*1000:.3f} | {r['median']/base:.2f} |")
PY
    echo
    echo "Linked libraries (ldd) of the per-connection programs — no Swift runtime, no Foundation:"
    echo
    echo '```'
    for p in qsentry-conn qsentry-smtpd qsentry-queue qsentry-local; do
        echo "$p: $(ldd "$BIN/$p" 2>&1 | sed 's/ (0x[0-9a-f]*)//; s/^[[:space:]]*//' | tr '\n' ' ')"
    done
    echo '```'
} > "$OUT/startup.md"
cat "$OUT/startup.md"
bench/record.sh startup "$OUT/startup.md"
