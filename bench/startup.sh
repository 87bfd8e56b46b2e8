#!/bin/bash
# Start-up cost of each per-connection program, side by side with C rblsmtpd (ucspi-tcp),
# in the same run. Each program does nothing but start, answer --version and exit;
# rblsmtpd starts, finds nothing to check (RBLSMTPD="") and execs /bin/true. The static C and
# static Swift floors (one line out, then exit) are built and measured in the same run.
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

# The floors of --version, built in the run: a static C program and a static Swift program
# (same compiler as the suite) that each write one line and exit. Whatever any static glibc
# program pays here (exec, glibc's start, its CPUID probes, which this VM's hypervisor traps:
# bench/conn.sh's note) is in both.
WORK=$(mktemp -d)
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
printf '#include <stdio.h>\nint main(void) { puts("floor 1"); return 0; }\n' > "$WORK/floor.c"
cc -O2 -static -o "$WORK/c-floor" "$WORK/floor.c"
echo 'print("floor 1")' > "$WORK/floor.swift"
swiftc -O -static-executable "$WORK/floor.swift" -o "$WORK/swift-floor" 2>/dev/null
chmod 755 "$WORK/c-floor" "$WORK/swift-floor"
# What one CPUID costs here, and how many glibc's start runs (gdb, a breakpoint on each CPUID
# instruction of the static C floor): in a VM each one is a trap to the hypervisor.
printf '#include <cpuid.h>\n#include <stdio.h>\n#include <time.h>\nint main(void) { unsigned a, b, c, d; struct timespec t0, t1;\n  clock_gettime(CLOCK_MONOTONIC, &t0); for (int i = 0; i < 1000; i++) __cpuid_count(0x8000001D, i & 3, a, b, c, d);\n  clock_gettime(CLOCK_MONOTONIC, &t1); printf("%%.2f\\n", ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1000 / 1000.0); return 0; }\n' > "$WORK/cpuid.c"
cc -O2 -o "$WORK/cpuid" "$WORK/cpuid.c"
CPUID_US=$("$WORK/cpuid")
CPUIDS=unknown
if command -v gdb >/dev/null; then
    objdump -d --no-show-raw-insn "$WORK/c-floor" | awk '/\tcpuid/ { sub(":", "", $1); print "break *0x" $1 "\ncommands\nsilent\nset $n = $n + 1\ncontinue\nend" }' > "$WORK/gdb.cmd"
    printf 'set $n = 0\nrun > /dev/null\nprint $n\n' >> "$WORK/gdb.cmd"
    CPUIDS=$(gdb -q -batch -x "$WORK/gdb.cmd" "$WORK/c-floor" 2>/dev/null | sed -n 's/^\$1 = //p')
fi

bench_hyperfine "$OUT/startup.json" -N --warmup 50 --runs "$RUNS"  \
    -n "rblsmtpd /bin/true" "$RBLSMTPD /bin/true" \
    -n "/bin/true" "/bin/true" \
    -n "static C floor (puts, exit)" "$WORK/c-floor" \
    -n "static Swift floor (print, exit)" "$WORK/swift-floor" \
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
swift = next(r for r in res if r["command"].startswith("static Swift floor"))["median"]
print("| program | median (ms) | mean ± sd (ms) | ratio to rblsmtpd | ratio to the static Swift floor |")
print("|---|---|---|---|---|")
for r in res:
    print(f"| {r['command']} | {r['median']*1000:.3f} | {r['mean']*1000:.3f} ± {r['stddev']*1000:.3f} | {r['median']/base:.2f} | {r['median']/swift:.2f} |")
print()
print("Issue 24's goal for qsentry-queue is <= 1.2x rblsmtpd; the static Swift floor is the least any Swift program of this compiler pays.")
PY
    echo
    echo "One CPUID instruction takes ${CPUID_US} µs on this machine (a trap to the hypervisor); glibc's start runs ${CPUIDS} of them"
    echo "in a static program (gdb), so every exec of any glibc program here, C or Swift, pays about $(python3 -c "import sys; print(f'{float(sys.argv[1]) * int(sys.argv[2]) / 1000:.2f}' if sys.argv[2].isdigit() else '?')" "$CPUID_US" "$CPUIDS") ms for them."
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
