#!/bin/bash
# Writes Sources/hot-functions.txt, the link order of the per-connection programs (Package.swift
# hands it to lld as --symbol-ordering-file): every function one typical run of each program
# executes, as callgrind names them (mangled), so that lld lays them side by side. A process then
# faults in a few 64 KB runs of its 10 MB of text instead of one run for each function it calls
# (HACKING, "Where a connection's CPU goes"). A name no program has any more is passed over; a
# stale list costs page faults, never correctness. Run it again after large changes:
#
#   bench/hot-functions.sh      (needs valgrind, exim4, clamav-daemon; relinks the release build;
#                                the sessions are bench/callgrind_session.py's)
#
# The runs, one each (as root, a bench does: the few functions of the root warning are listed too):
#   qsentry-conn → qsentry-smtpd (in its process) in front of exim -bs: one 10 KB message
#   qsentry-smtpd alone in front of the same exim: the same session
#   qsentry-queue with clamd: one 10 KB message (its qmail-queue missing: the exec fails last)
#   qsentry-local ./Maildir/: one delivery
set -euo pipefail
source "$(dirname "$0")/common.sh"
WORK=$(mktemp -d)
chmod 755 "$WORK"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
source bench/smtpd-rig.sh

start_clamd "$WORK/clamd"
echo "$WORK/clamd/clamd.sock" > "$Q/control/qsentry/clamd"
mkdir -p "$Q/home/alias/Maildir/new" "$Q/home/alias/Maildir/cur" "$Q/home/alias/Maildir/tmp"

python3 - "$WORK" "$Q" "$BIN" Sources/hot-functions.txt <<'PY'
import os, re, subprocess, sys
sys.path.insert(0, "bench")
from callgrind_session import MESSAGE, callgrind, session as callgrind_session
work, q, bin, out = sys.argv[1:5]
env = dict(os.environ, QMAIL=q)
body = MESSAGE.replace(b"\r\n", b"\n")   # as qmail-queue and qmail-local are given it

def session(name, argv):
    dump = f"{work}/{name}.callgrind"
    callgrind_session(argv, dump, ehlo=True, env=env)
    return dump

def queue():
    r, w = os.pipe()
    os.write(w, b"Fa@example.org\0Tsales@example.com\0\0")
    os.close(w)
    dump = f"{work}/queue.callgrind"
    p = callgrind([f"{bin}/qsentry-queue"], dump, stdin=subprocess.PIPE, stdout=r, env=env)
    err = p.communicate(body)[1].decode()
    if "checks=virus:clean" not in err: raise SystemExit(f"bench/hot-functions.sh: queue: no clean scan\n{err}")
    return dump

def local():
    e = dict(env, SENDER="a@example.org", RECIPIENT="sales@example.com", USER="alias", HOME=f"{q}/home/alias")
    dump = f"{work}/local.callgrind"
    p = callgrind([f"{bin}/qsentry-local", "./Maildir/"], dump, stdin=subprocess.PIPE, env=e, cwd=f"{q}/home/alias")
    err = p.communicate(body)[1].decode()
    if p.returncode not in (0, 99): raise SystemExit(f"bench/hot-functions.sh: local: exit {p.returncode}\n{err}")  # 99: delivered
    return dump

dumps = [session("conn", [f"{bin}/qsentry-conn", f"{bin}/qsentry-smtpd", f"{work}/smtpd"]),
         session("smtpd", [f"{bin}/qsentry-smtpd", f"{work}/smtpd"]), queue(), local()]
# Sorted: the hot functions lie together in any order (some 1 MB of text), and callgrind's dump
# order changes from run to run, which would rewrite the whole file each time.
names = set()
for d in dumps:
    for l in open(d, errors="replace"):
        if not l.startswith("fn="): continue
        n = re.sub(r"'\d+$", "", l[3:].strip())
        if not n.startswith("0x"): names.add(n)
names = sorted(names)
with open(out, "w") as f:
    f.write("".join(n + "\n" for n in names))
print(f"bench/hot-functions.sh: {len(names)} functions from {len(dumps)} runs written to {out}")
PY

# SwiftPM does not know the list as an input of the link: the static programs are removed, so that
# this build links them with it.
for p in qsentry-conn qsentry-smtpd qsentry-queue qsentry-local qsentry; do rm -f "$BIN/$p"; done
swift build -c release --static-swift-stdlib >/dev/null 2>&1 || { echo "bench/hot-functions.sh: the release build failed"; exit 1; }
echo "bench/hot-functions.sh: the static programs relinked in that order"
