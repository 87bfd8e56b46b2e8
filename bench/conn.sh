#!/bin/bash
# qsentry-conn against C rblsmtpd (ucspi-tcp), same run:
#  (a) start-up with no lists: rblsmtpd with RBLSMTPD="" (exec at once) vs qsentry-conn with an
#      empty control directory (reads its control files, finds none, execs). Goal: ratio <= 1.1.
#  (b) five DNS blocklists, 20 ms added to every DNS answer (bench/dnsdelay.py in front of rbldnsd):
#      rblsmtpd asks the zones one after another, qsentry-conn all at once. Goal: ratio <= 0.3.
#  (c) the floor of (b): qsentry-conn asking one zone (start-up and one round trip), same run.
#      Goal (issue 24): five zones <= 1.15x one.
#  and the floor of (a) for any Swift program: a static Swift executable that does nothing but
#  exec its argument, built here with the same compiler and -static-executable.
# All exec /bin/true for a client that is not listed.
#
#   bench/conn.sh [RUNS_STARTUP] [RUNS_DNS]     (defaults 500 and 40)
set -euo pipefail
source "$(dirname "$0")/common.sh"
RUNS=${1:-500}
DNSRUNS=${2:-40}
# rblsmtpd's path not in $RBLSMTPD, its own setting (HACKING).
RBLSMTPD_BIN=$(command -v rblsmtpd)
WORK=$(mktemp -d)
chmod 755 "$WORK"   # rbldnsd drops root to its own user and must read the zones
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

# Five zones in rbldnsd on a free port; the delaying proxy on a spare loopback address, port 53
# (djbdns' resolver, rblsmtpd's, asks DNSCACHEIP on port 53 only).
ZONES=""
for i in 1 2 3 4 5; do
    printf '$SOA 60 ns.z%s.test. h.z%s.test. 1 600 300 86400 60\n:127.0.0.2:listed\n192.0.2.99\n' "$i" "$i" > "$WORK/z$i"
    ZONES="$ZONES z$i.test:ip4set:z$i"
done
UPPORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# shellcheck disable=SC2086
rbldnsd -n -q -b "127.0.0.1/$UPPORT" -r "$WORK" -w . $ZONES &
DNSHOST=127.0.54.$((RANDOM % 200 + 2))
coproc PROXY { python3 bench/dnsdelay.py "$DNSHOST" 53 127.0.0.1 "$UPPORT" 20; }
read -r _ <&"${PROXY[0]}"
sleep 0.3

mkdir -p "$WORK/empty/control/qsentry" "$WORK/five/control/qsentry" "$WORK/one/control/qsentry"
for i in 1 2 3 4 5; do echo "z$i.test"; done > "$WORK/five/control/qsentry/dnsbl"
echo "z1.test" > "$WORK/one/control/qsentry/dnsbl"
echo "$DNSHOST:53" > "$WORK/five/control/qsentry/dnsservers"
echo "$DNSHOST:53" > "$WORK/one/control/qsentry/dnsservers"

cat > "$WORK/floor.swift" <<'EOF'
#if canImport(Glibc)
import Glibc
#endif
// The least a static Swift program does: start, then exec its first argument.
var argv: [UnsafeMutablePointer<CChar>?] = [CommandLine.unsafeArgv[1], nil]
execv(CommandLine.unsafeArgv[1]!, &argv)
EOF
static_swift "$WORK/swift-floor" "$WORK/floor.swift"
# The same with libcrypto, as qsentry-conn has it (STARTTLS and AUTH of the qsentry-smtpd session
# it runs in its own process).
static_swift "$WORK/swift-crypto-floor" "$WORK/floor.swift" with-libcrypto

export TCPREMOTEIP=127.0.0.2
bench_hyperfine_each "$OUT/conn-startup.json" 5 -N --warmup 10 --runs "$((RUNS / 5))" -- \
    "rblsmtpd (RBLSMTPD=\"\")" RBLSMTPD= "$RBLSMTPD_BIN /bin/true" \
    "qsentry-conn (no lists)" QMAIL="$WORK/empty" "$BIN/qsentry-conn /bin/true" \
    "static Swift floor" - "$WORK/swift-floor /bin/true" \
    "static Swift floor + libcrypto" - "$WORK/swift-crypto-floor /bin/true" >/dev/null
# Page faults a run (common.sh), /bin/true's included.
faults() { page_faults "$@" /bin/true; }
F_RBL=$(RBLSMTPD= faults "$RBLSMTPD_BIN") F_OURS=$(QMAIL=$WORK/empty faults "$BIN/qsentry-conn") F_SWIFT=$(faults "$WORK/swift-floor") F_CRYPTO=$(faults "$WORK/swift-crypto-floor")
bench_hyperfine_each "$OUT/conn-dns.json" 4 -N --warmup 1 --runs "$((DNSRUNS / 4))" -- \
    "rblsmtpd (5 zones)" DNSCACHEIP="$DNSHOST" "$RBLSMTPD_BIN -r z1.test -r z2.test -r z3.test -r z4.test -r z5.test /bin/true" \
    "qsentry-conn (5 zones)" QMAIL="$WORK/five" "$BIN/qsentry-conn /bin/true" \
    "qsentry-conn (1 zone)" QMAIL="$WORK/one" "$BIN/qsentry-conn /bin/true" >/dev/null 2>"$OUT/conn-dns.err"

# (a) in counts that do not wobble: instructions (callgrind; the program to exec is missing, so each
# exits after its work and valgrind prints its count) and system calls, each program alone.
cp "$BIN/qsentry-conn" "$WORK/qsentry-conn.stripped" && strip --strip-debug "$WORK/qsentry-conn.stripped"  # valgrind reads lld's output only so
chmod 755 "$WORK/qsentry-conn.stripped"
count() { callgrind_instructions "$@" /nonexistent; }
calls() { as_mail_user strace -c "$@" /nonexistent 2>&1 >/dev/null | awk '$NF == "total" {print $(NF-2)}' || true; }
I_RBL=$(RBLSMTPD= count "$RBLSMTPD_BIN") I_OURS=$(QMAIL=$WORK/empty count "$WORK/qsentry-conn.stripped")
C_RBL=$(RBLSMTPD= calls "$RBLSMTPD_BIN") C_OURS=$(QMAIL=$WORK/empty calls "$BIN/qsentry-conn")

{
    echo "## conn"
    echo
    echo "\`bench/conn.sh $RUNS $DNSRUNS\` on $(date -u +%Y-%m-%d), $(nproc) cores; hyperfine -N, same run, as an unprivileged user (nobody) when started as root;"
    echo "the commands alternate in 5 rounds (4 for DNS), each with its settings in hyperfine's environment (no env exec'd in the measured command)."
    echo "DNS: rbldnsd behind bench/dnsdelay.py adding 20 ms to every answer (no netem in this kernel)."
    echo
    python3 - "$OUT/conn-startup.json" "$OUT/conn-dns.json" "$I_RBL" "$I_OURS" "$C_RBL" "$C_OURS" "$F_RBL" "$F_OURS" "$F_SWIFT" "$F_CRYPTO" <<'PY'
import json, sys
print("| case | rblsmtpd median (ms) | qsentry-conn median (ms) | ratio | goal |")
print("|---|---|---|---|---|")
for path, label, goal in ((sys.argv[1], "(a) start-up, no lists", "<= 1.1"), (sys.argv[2], "(b) 5 zones, +20 ms per answer", "<= 0.3")):
    r = json.load(open(path))["results"]
    theirs, ours = r[0]["median"] * 1000, r[1]["median"] * 1000
    print(f"| {label} | {theirs:.3f} | {ours:.3f} | {ours/theirs:.2f} | {goal} |")
r = json.load(open(sys.argv[2]))["results"]
five, one = r[1]["median"] * 1000, r[2]["median"] * 1000
print()
print(f"(c) the floor of (b), qsentry-conn asking one zone (start-up and one round trip): {one:.3f} ms; "
      f"five zones at once: {five:.3f} ms, {five / one:.2f}x the floor (goal <= 1.15).")
i_rbl, i_ours, c_rbl, c_ours = (int(x or 0) for x in sys.argv[3:7])
print()
print(f"(a) counted: rblsmtpd {i_rbl / 1000:.0f} K instructions (its dynamic loading included) and {c_rbl} system calls; "
      f"qsentry-conn {i_ours / 1000:.0f} K and {c_ours} ({i_ours / max(1, i_rbl):.1f}x, {c_ours / max(1, c_rbl):.1f}x).")
r = json.load(open(sys.argv[1]))["results"]
rbl, ours, floor, crypto = (x["median"] * 1000 for x in r[:4])
f_rbl, f_ours, f_swift, f_crypto = sys.argv[7:11]
print()
print(f"The floor of (a) for a static Swift program (one that only execs, same compiler): {floor:.3f} ms, "
      f"{floor / rbl:.2f}x rblsmtpd; qsentry-conn is {ours / floor:.2f}x that floor. With libcrypto linked in, as in "
      f"qsentry-conn: {crypto:.3f} ms, {crypto / rbl:.2f}x rblsmtpd; qsentry-conn is {ours / crypto:.2f}x that floor. "
      f"Page faults a run, /bin/true's included: rblsmtpd {f_rbl}, the Swift floor {f_swift}, with libcrypto {f_crypto}, "
      f"qsentry-conn {f_ours}; at start-up the time goes to touching pages of code, not to instructions.")
PY
} > "$OUT/conn.md"
cat "$OUT/conn.md"
bench/record.sh conn "$OUT/conn.md"
