#!/bin/bash
# qsentry-queue's own work a message against the floor of the same job, in instructions (callgrind,
# the whole process; the same every run, where wall time on this VM wobbles), same run (issue 24):
#   bench/clamqueue.c      the C floor: spool the message, stream it to clamd, read the envelope, exec
#   bench/clamqueue.swift  the same in Swift, static, built as qsentry-queue is: the language's floor
#   qsentry-queue          control/qsentry/clamd the only rule (authentication off, as chain.sh has it)
# One 10 KB message (bench/callgrind_session.py's, LF lines as qmail-smtpd hands it over, with its
# Received field), the envelope on fd 1, each program as the mail user against one clamd. Each one's
# next qmail-queue is missing (/none), so the exec fails last and callgrind sees all the program ran
# (an exec that succeeds ends the count). A short path: qsentry-queue's error line with a path of
# 20 characters more is a String long enough that freeing it costs 36 K instructions (HACKING), a
# cost of this failure that a delivered message does not have. Every run must reach clamd: its log
# (LogClean) gets one OK a run.
# Then where each program's instructions go, and the twenty functions of qsentry-queue's own code
# that cost the most, inclusive (the three dumps are left in bench/out/queue-instructions.*.callgrind,
# for callgrind_annotate --tree=caller). Prints that and rewrites the "queue instructions" section
# of bench/RESULTS.md.
#
#   bench/queue-instructions.sh      (needs valgrind, clamav-daemon, cc)
set -euo pipefail
source "$(dirname "$0")/common.sh"
WORK=$(mktemp -d)
chmod 755 "$WORK"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/qmail/control/qsentry" "$WORK/dumps"
chmod 777 "$WORK/dumps"

start_clamd "$WORK/clamd" "LocalSocketMode 666" "LogFile $WORK/clamd/clamd.log" "LogClean yes"
echo "$WORK/clamd/clamd.sock" > "$WORK/qmail/control/qsentry/clamd"
echo off > "$WORK/qmail/control/qsentry/authentication"
echo mx.example.com > "$WORK/qmail/control/me"
printf 'Fa@example.org\0Tsales@example.com\0\0' > "$WORK/envelope"
python3 - "$WORK/message" <<'PY'
import sys
sys.path.insert(0, "bench")
from callgrind_session import MESSAGE
received = b"Received: from client.example.org (HELO client.example.org) (192.0.2.10)\r\n  by mx.example.com with SMTP; 1 Dec 2026 00:00:00 -0000\r\n"
open(sys.argv[1], "wb").write((received + MESSAGE).replace(b"\r\n", b"\n"))
PY

cc -O2 -static -o "$WORK/clamqueue" bench/clamqueue.c
static_swift "$WORK/swiftclamqueue" bench/clamqueue.swift with-libcrypto
chmod 755 "$WORK/clamqueue"

scans() { grep -c ': OK$' "$WORK/clamd/clamd.log" || true; }
# count NAME SETTINGS...: the instructions of one run of the last SETTINGS' program, as the mail user
# (env sets the rest; it runs before valgrind, outside the count), checked to have reached clamd.
count() {
    local name=$1 before
    shift
    before=$(scans)
    as_mail_user env "${@:1:$#-1}" valgrind --tool=callgrind --demangle=no --compress-strings=no \
        --callgrind-out-file="$WORK/dumps/$name" --log-file="$WORK/dumps/$name.log" "${@: -1}" \
        < "$WORK/message" 1< "$WORK/envelope" 2>/dev/null || true
    [ "$(scans)" -gt "$before" ] || { echo "bench/queue-instructions.sh: $name did not reach clamd" >&2; cat "$WORK/dumps/$name.log" >&2; exit 1; }
    awk '/Collected :/ { print $NF }' "$WORK/dumps/$name.log"
}
C=$(count c CLAMD_SOCKET="$WORK/clamd/clamd.sock" CLAMQUEUE_NEXT=/none "$WORK/clamqueue")
S=$(count swift CLAMD_SOCKET="$WORK/clamd/clamd.sock" CLAMQUEUE_NEXT=/none "$WORK/swiftclamqueue")
Q=$(count queue QMAIL="$WORK/qmail" QSENTRY_QMAILQUEUE=/none TCPREMOTEIP=192.0.2.10 "$BIN/qsentry-queue")

for d in c swift queue; do cp "$WORK/dumps/$d" "$OUT/queue-instructions.$d.callgrind"; done
# Each program's instructions by where they are spent (callgrind_annotate's self cost a function).
for d in c swift queue; do
    callgrind_annotate --auto=no --threshold=100 "$OUT/queue-instructions.$d.callgrind" 2>/dev/null > "$WORK/$d.self"
done
callgrind_annotate --inclusive=yes --auto=no --threshold=100 "$OUT/queue-instructions.queue.callgrind" 2>/dev/null \
    | swift demangle --simplified | grep -E ' Sources/QSentry' | grep -vE ':main( |$)' | sed -n 's| \[/.*\]$||; 1,20p' > "$WORK/top"  # sed reads it all: head would end the pipe early (pipefail)

python3 - "$C" "$S" "$Q" "$WORK" "$(date +%F)" > "$OUT/queue-instructions.md" <<'PY'
import re, sys
c, s, q = map(int, sys.argv[1:4])
work, day = sys.argv[4], sys.argv[5]
rest = "the program's own code, the rest of libc and of the runtime"
kinds = (("the runtime making type metadata", r"Metadata|HashMap|Demangl|TypeDecoder|TypeByMangled|_swift_initClass|GenericCacheEntry|"
          r"_checkGenericRequirements|swift_conformsTo|once_slow|ProtocolConformance|ContextDescriptor"),
         ("allocation and reference counts", r"swift_retain|swift_release|swift_alloc|swift_dealloc|swift_slowAlloc|swift_bridgeObject|"
          r"RefCount|malloc|free\b|_int_|arrayDestroy"),
         ("glibc's start (tunables, CPU probing)", r"tunables|intel_check_word|handle_intel|init_cacheinfo|cpu_features|_dl_"))

def split(name):
    out = {k: 0 for k, _ in kinds}
    out[rest] = 0
    for line in open(f"{work}/{name}.self"):
        m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(\S.*)", line)
        if not m or "PROGRAM TOTALS" in line: continue
        n, fn = int(m.group(1).replace(",", "")), m.group(2)
        kind = next((k for k, pattern in kinds if re.search(pattern, fn)), rest)
        out[kind] += n
    return out

parts = {n: split(n) for n in ("c", "swift", "queue")}
print("## queue instructions")
print()
print(f"`bench/queue-instructions.sh` on {day}: one 10 KB message (LF lines, a Received field), clamd the only rule, as the mail user,")
print("instructions of the whole process (callgrind; the same every run), each program's next qmail-queue missing so that its exec fails last.")
print()
print("| program | instructions | vs bench/clamqueue.c | vs bench/clamqueue.swift |")
print("|---|---|---|---|")
for name, n in (("bench/clamqueue.c (the C floor: spool, INSTREAM, exec)", c),
                ("bench/clamqueue.swift (the same in Swift: the language's floor)", s), ("qsentry-queue", q)):
    print(f"| {name} | {n:,} | {n / c:.1f}× | {n / s:.2f}× |")
print()
print(f"qsentry-queue's own work over the Swift floor: {q - s:,} instructions a message. Where each program's instructions go (self cost a function):")
print()
print("| spent in | bench/clamqueue.c | bench/clamqueue.swift | qsentry-queue |")
print("|---|---|---|---|")
for k in parts["queue"]:
    print(f"| {k} | {parts['c'][k]:,} | {parts['swift'][k]:,} | {parts['queue'][k]:,} |")
print()
print("qsentry-queue's costliest functions of its own, inclusive:")
print()
print("```")
print(open(f"{work}/top").read().rstrip())
print("```")
PY
cat "$OUT/queue-instructions.md"
bench/record.sh "queue instructions" "$OUT/queue-instructions.md"
