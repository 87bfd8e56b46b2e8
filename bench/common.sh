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
