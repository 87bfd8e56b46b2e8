#!/usr/bin/env python3
"""Times qsentry-queue on configurations side by side, for bench/auth.sh and bench/fuzzy.sh.

    queue_rounds.py QUEUE N OUT.json SINK ENVELOPE NAME=QMAIL_ROOT:MESSAGE ...

One process per message, handing off to SINK (a minimal qmail-queue); every configuration runs
once to warm up, then N times in rounds of 25, alternating, so that drift hits all alike. Writes
{"times": {NAME: [seconds]}, "logs": {NAME: last log line}}; a non-zero exit stops the run.
"""
import json
import os
import subprocess
import sys
import time

queue, n, out, sink, envelope = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
configs = {}
for arg in sys.argv[6:]:
    name, spec = arg.split("=", 1)
    root, message = spec.rsplit(":", 1)
    configs[name] = (root, message)


def run(name):
    root, message = configs[name]
    env = dict(os.environ, QMAIL=root, QSENTRY_QMAILQUEUE=sink, TCPREMOTEIP="192.0.2.10")
    with open(message, "rb") as m, open(envelope, "rb") as e:
        t = time.perf_counter()
        p = subprocess.run([queue], stdin=m, stdout=e, stderr=subprocess.PIPE, env=env)
        return time.perf_counter() - t, p.returncode, p.stderr.decode()


times = {c: [] for c in configs}
logs = {}
for c in configs:
    run(c)
for start in range(0, n, 25):
    for c in configs:
        for _ in range(min(25, n - start)):
            dt, code, log = run(c)
            if code != 0:
                raise SystemExit(f"{c}: exit {code}: {log}")
            times[c].append(dt)
            logs[c] = log.strip().splitlines()[-1]
json.dump({"n": n, "times": times, "logs": logs}, open(out, "w"))
