#!/bin/bash
# Start-up cost of each per-connection program, side by side with C rblsmtpd (ucspi-tcp),
# in the same run. Each program does nothing but start, answer --version and exit;
# rblsmtpd starts, finds nothing to check (RBLSMTPD="") and execs /bin/true: two C starts,
# where --version is one (bench/conn.sh (a) compares qsentry-conn exec'ing /bin/true too). The
# static C floor, the static Swift floor and that floor with libcrypto (one line out, then exit)
# are built and measured in the same run, with instructions, page faults and CPUIDs a row.
#
#   bench/startup.sh [RUNS]     (default 500 runs a command; needs hyperfine, ucspi-tcp,
#                                valgrind, perf, gdb)
#
# Prints a table and rewrites the "startup" section of bench/RESULTS.md.
set -euo pipefail
source "$(dirname "$0")/common.sh"
RUNS=${1:-500}
# rblsmtpd's path is not kept in $RBLSMTPD: that is rblsmtpd's own setting, exported empty below.
# (Until this was found, it was one variable, so the "rblsmtpd /bin/true" row ran /bin/true.)
RBLSMTPD_BIN=$(command -v rblsmtpd) || { echo "bench/startup.sh: rblsmtpd (ucspi-tcp) not installed" >&2; exit 1; }

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
static_swift "$WORK/swift-floor" "$WORK/floor.swift"
# Every qsentry program links OpenSSL's libcrypto (TLS, DKIM, digests): this floor has it too.
static_swift "$WORK/swift-crypto-floor" "$WORK/floor.swift" with-libcrypto
chmod 755 "$WORK/c-floor"
# What one CPUID costs here, and how many glibc's start runs (gdb, a breakpoint on each CPUID
# instruction of the static C floor): in a VM each one is a trap to the hypervisor.
printf '#include <cpuid.h>\n#include <stdio.h>\n#include <time.h>\nint main(void) { unsigned a, b, c, d; struct timespec t0, t1;\n  clock_gettime(CLOCK_MONOTONIC, &t0); for (int i = 0; i < 1000; i++) __cpuid_count(0x8000001D, i & 3, a, b, c, d);\n  clock_gettime(CLOCK_MONOTONIC, &t1); printf("%%.2f\\n", ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1000 / 1000.0); return 0; }\n' > "$WORK/cpuid.c"
cc -O2 -o "$WORK/cpuid" "$WORK/cpuid.c"
CPUID_US=$("$WORK/cpuid")
# cpuids PROGRAM ARGS...: the CPUID instructions one run of a static PROGRAM executes (gdb, a
# breakpoint on each CPUID instruction in it); "-" for a dynamic one, whose libraries gdb would
# have to follow.
cpuids() {
    command -v gdb >/dev/null && ! readelf -l "$1" | grep -q INTERP || { echo -; return; }
    objdump -d --no-show-raw-insn "$1" | awk '/\tcpuid/ { sub(":", "", $1); print "break *0x" $1 "\ncommands\nsilent\nset $n = $n + 1\ncontinue\nend" }' > "$WORK/gdb.cmd"
    printf 'set $n = 0\nrun %s > /dev/null\nprint $n\n' "${*:2}" >> "$WORK/gdb.cmd"
    gdb -q -batch -x "$WORK/gdb.cmd" "$1" 2>/dev/null | sed -n 's/^\$1 = //p'
}
CPUIDS=$(cpuids "$WORK/c-floor")

# name and command of each row, in table order
ROWS=(
    "rblsmtpd /bin/true"                "$RBLSMTPD_BIN /bin/true"
    "/bin/true"                         "/bin/true"
    "static C floor (puts, exit)"       "$WORK/c-floor"
    "static Swift floor (print, exit)"  "$WORK/swift-floor"
    "static Swift floor + libcrypto"    "$WORK/swift-crypto-floor"
    "qsentry-conn"                      "$BIN/qsentry-conn --version"
    "qsentry-smtpd"                     "$BIN/qsentry-smtpd --version"
    "qsentry-queue"                     "$BIN/qsentry-queue --version"
    "qsentry-local"                     "$BIN/qsentry-local --version"
)
ARGS=()
for ((i = 0; i < ${#ROWS[@]}; i += 2)); do ARGS+=(-n "${ROWS[i]}" "${ROWS[i+1]}"); done
bench_hyperfine "$OUT/startup.json" -N --warmup 50 --runs "$RUNS" "${ARGS[@]}" >/dev/null

# What wall time wobbles on: user-space instructions and page faults (common.sh). Neither sees
# the CPUID traps, which are the kernel's and the hypervisor's time. Callgrind loses what a
# process ran before an exec, so rblsmtpd's row adds rblsmtpd's own part, taken from a run whose
# exec fails (its one error line included), to /bin/true's.
: > "$OUT/startup-counts.tsv"
for ((i = 0; i < ${#ROWS[@]}; i += 2)); do
    read -r -a cmd <<< "${ROWS[i+1]}"
    if [ "${cmd[0]}" = "$RBLSMTPD_BIN" ]; then
        ins=$(( $(callgrind_instructions "$RBLSMTPD_BIN" /nonexistent/program) + $(callgrind_instructions /bin/true) ))
    else
        ins=$(callgrind_instructions "${cmd[@]}")
    fi
    faults=$(page_faults "${cmd[@]}")
    printf '%s\t%s\t%s\t%s\n' "${ROWS[i]}" "${ins:-?}" "${faults:-?}" "$(cpuids "${cmd[@]}")" >> "$OUT/startup-counts.tsv"
done

{
    echo "## startup"
    echo
    echo "\`bench/startup.sh $RUNS\` on $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -r); hyperfine -N, $RUNS runs each, same run, as an unprivileged user (nobody) when started as root."
    echo "Ratio = median / median of \`rblsmtpd /bin/true\` (goal: about 1)."
    echo
    python3 - "$OUT/startup.json" "$OUT/startup-counts.tsv" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
counts = {l.split("\t")[0]: l.rstrip("\n").split("\t")[1:] for l in open(sys.argv[2])}
base = next(r for r in res if r["command"] == "rblsmtpd /bin/true")["median"]
swift = next(r for r in res if r["command"].startswith("static Swift floor ("))["median"]
crypto = next(r for r in res if r["command"] == "static Swift floor + libcrypto")["median"]
print("| program | median (ms) | mean ± sd (ms) | ratio to rblsmtpd | to the static Swift floor | to the Swift floor + libcrypto | instructions (callgrind) | page faults | CPUIDs (gdb) |")
print("|---|---|---|---|---|---|---|---|---|")
for r in res:
    ins, faults, cpuid = counts.get(r["command"], ["?", "?", "?"])
    print(f"| {r['command']} | {r['median']*1000:.3f} | {r['mean']*1000:.3f} ± {r['stddev']*1000:.3f} | {r['median']/base:.2f} | {r['median']/swift:.2f} | {r['median']/crypto:.2f} | {ins} | {faults} | {cpuid} |")
print()
print("Issue 24's goals are <= 1.1x rblsmtpd for qsentry-conn and <= 1.2x for qsentry-queue. The static Swift floor is the least any")
print("Swift program of this compiler pays; the floor + libcrypto is the least any program that links OpenSSL pays, as all four do.")
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
