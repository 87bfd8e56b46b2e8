# Sourced by the bench scripts: run from the repository root, build release the way
# install.sh does, and set BIN (the programs) and OUT (raw results, not committed).
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=bench/out
mkdir -p "$OUT"
swift build -c release --static-swift-stdlib >/dev/null 2>&1
BIN=$(swift build -c release --static-swift-stdlib --show-bin-path)

# redis_round_trips PORT COMMAND...: the replies COMMAND waited for from the Redis server on PORT
# (strace: reads on the sockets connected to it; a command sent without waiting is a write
# alone). Descriptor numbers are forgotten at close and exec, where they may be reused (after
# exec, the loader reads an ELF file on the same number).
redis_round_trips() {
    local port=$1 trace
    shift
    trace=$(mktemp)
    strace -f -e trace=connect,read,recvfrom,close,execve -o "$trace" "$@" >/dev/null 2>&1 </dev/null || true
    python3 - "$trace" "$port" <<'PY'
import re, sys
port = sys.argv[2]
fds, reads = set(), 0
for line in open(sys.argv[1]):
    if 'execve(' in line: fds.clear()
    m = re.search(r'connect\((\d+), .*sin_port=htons\(' + port + r'\)', line)
    if m: fds.add(m.group(1))
    m = re.search(r'\bclose\((\d+)\)', line)
    if m: fds.discard(m.group(1))
    m = re.search(r'\b(?:read|recvfrom)\((\d+),', line)
    if m and m.group(1) in fds and not re.search(r'= -1 EAGAIN', line): reads += 1
print(reads)
PY
    rm -f "$trace"
}

# as_mail_user COMMAND...: COMMAND as an unprivileged user when the bench runs as root, as the
# programs run in production (qmaild, a delivery user): a root run would also measure the
# running-as-root warning line (some 80 K of qsentry-conn's instructions at start).
as_mail_user() { if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi; }

# bench_hyperfine JSON ARGS...: hyperfine ARGS, as_mail_user, its export in JSON (written where
# that user may write, then moved).
bench_hyperfine() {
    local json=$1 tmp
    shift
    tmp=$(mktemp -d)
    chmod 777 "$tmp"
    as_mail_user hyperfine "$@" --export-json "$tmp/out.json"
    mv "$tmp/out.json" "$json"
    rm -rf "$tmp"
}

# bench_hyperfine_each JSON ROUNDS HYPERFINE-ARGS... -- NAME SETTINGS COMMAND [NAME SETTINGS COMMAND]...:
# each COMMAND in hyperfine runs of its own with SETTINGS (VAR=VALUE words, or - for none) in the
# environment hyperfine hands on, so that no "env" is exec'd in the measured command (GNU env
# searches PATH and loads the locale: an exec that dilutes every ratio). ROUNDS rounds, the
# commands alternating in each (this VM's speed drifts over seconds); the times of all rounds in
# one JSON, a result a command in the order given, its median over them all. As the mail user
# (bench_hyperfine), or as this user when BENCH_AS_IS=1 (benches whose state is root's own).
bench_hyperfine_each() {
    local json=$1 rounds=$2 args=() parts=() round i name settings cmd
    shift 2
    while [ "$1" != -- ]; do args+=("$1"); shift; done
    shift
    local commands=("$@")
    for round in $(seq "$rounds"); do
        for ((i = 0; i < ${#commands[@]}; i += 3)); do
            name=${commands[i]} settings=${commands[i + 1]} cmd=${commands[i + 2]}
            # shellcheck disable=SC2086
            ( [ "$settings" = - ] || export $settings
              if [ "${BENCH_AS_IS:-}" = 1 ]; then hyperfine "${args[@]}" -n "$name" "$cmd" --export-json "$json.$round.$i"
              else bench_hyperfine "$json.$round.$i" "${args[@]}" -n "$name" "$cmd"; fi )
            parts+=("$json.$round.$i")
        done
    done
    python3 - "$json" "$(( ${#commands[@]} / 3 ))" "${parts[@]}" <<'PY'
import json, statistics, sys
n, parts = int(sys.argv[2]), [json.load(open(p))["results"][0] for p in sys.argv[3:]]
results = []
for i in range(n):
    mine = parts[i::n]
    times = [t for r in mine for t in r["times"]]
    # Every statistic from the times of all rounds: none is copied from one round's result.
    results.append(dict(command=mine[0]["command"], times=times, median=statistics.median(times),
                        mean=statistics.fmean(times), stddev=statistics.stdev(times) if len(times) > 1 else 0.0,
                        min=min(times), max=max(times), exit_codes=[c for r in mine for c in r["exit_codes"]]))
json.dump({"results": results}, open(sys.argv[1], "w"))
PY
    rm -f "${parts[@]}"
}

# callgrind_instructions COMMAND...: the user-space instructions of one run of COMMAND (callgrind, as the
# mail user): the same every run, where wall time wobbles. Callgrind loses what a process ran
# before an exec.
callgrind_instructions() {
    as_mail_user valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null </dev/null \
        | awk '/Collected :/ { n += $NF } END { print n }' || true
}

# page_faults COMMAND...: page faults a run of COMMAND, the mean of 50 (perf's software counter,
# as the mail user; this VM has no hardware counters). Each is a 4 KB page touched first.
page_faults() {
    as_mail_user perf stat -x, -r 50 -e page-faults "$@" 2>&1 >/dev/null </dev/null \
        | awk -F, '$3 ~ /^page-faults/ { printf "%.0f", $1 }' || true
}

# start_clamd DIR [CONF-LINE...]: clamd in the background with the tests' one signature (EICAR, as
# Tests/TestHarness/Clamd.swift): its database in DIR/db, DIR/clamd.conf (LocalSocket DIR/clamd.sock,
# in the foreground, then each CONF-LINE), its pid in CLAMD_PID. Returns once the socket is there;
# fails when it is not after 30 s.
start_clamd() {
    local dir=$1 line
    shift
    mkdir -p "$dir/db"
    python3 -c 'e = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"; print("QSentry.Test.EICAR:0:*:" + e.encode().hex())' \
        > "$dir/db/qsentry-test.ndb"
    { printf 'LocalSocket %s\nForeground yes\nDatabaseDirectory %s\n' "$dir/clamd.sock" "$dir/db"
      for line in "$@"; do printf '%s\n' "$line"; done; } > "$dir/clamd.conf"
    clamd -c "$dir/clamd.conf" >/dev/null 2>&1 &
    CLAMD_PID=$!
    for _ in $(seq 300); do [ -S "$dir/clamd.sock" ] && return 0; sleep 0.1; done
    echo "bench: clamd did not start ($dir/clamd.conf)" >&2
    return 1
}

# static_swift OUT SOURCE [with-libcrypto]: SOURCE built by this compiler as a static executable
# OUT (mode 755), the floor of a Swift program, with the code-generation flag the release build
# gives every qsentry module (Package.swift: metadata through accessors, not mangled names), and
# argv taken as every qsentry program takes it (Sources/CSystemSupport/arguments.c: without it the
# runtime reads /proc/self/maps at every start, 57 K instructions no qsentry program pays). With
# libcrypto, OpenSSL's libcrypto is linked in as all four per-connection programs have it: its
# constructor probes the CPU at every start (OPENSSL_cpuid_setup), and one call behind a branch
# never taken keeps the library.
static_swift() {
    local out=$1 src=$2 flags=(-O -static-executable -Xfrontend -disable-concrete-type-metadata-mangled-name-accessors)
    "$(dirname "$(command -v swiftc)")/clang" -O2 -c Sources/CSystemSupport/arguments.c -o "$out.arguments.o"
    flags+=("$out.arguments.o")
    if [ "${3:-}" = with-libcrypto ]; then
        { echo '@_silgen_name("EVP_sha256") func evpSHA256() -> UnsafeRawPointer?'
          echo 'if CommandLine.argc > 5 { print(evpSHA256() as Any) }'
          cat "$src"; } > "$out.swift"
        swiftc "${flags[@]}" "$out.swift" -o "$out" -Xlinker /usr/lib/x86_64-linux-gnu/libcrypto.a 2>/dev/null
    else
        swiftc "${flags[@]}" "$src" -o "$out" 2>/dev/null
    fi
    chmod 755 "$out"
}
