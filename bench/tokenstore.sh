#!/bin/bash
# The token store's engine choice, measured: SQLite WAL (what EmbeddedStore uses) against LMDB on
# the same workload in the same run (bench/tokenstore.c): open + 500 lookups per delivery, and one
# 500-token learning transaction. Needs cc, libsqlite3-dev, liblmdb-dev.
#   bench/tokenstore.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cc -O2 -o "$WORK/tokenstore" bench/tokenstore.c -lsqlite3 -llmdb
mkdir "$WORK/db"
"$WORK/tokenstore" "$WORK/db" | tee bench/out/tokenstore.txt
echo "files: $(du -sh "$WORK/db/state.sqlite"* | awk '{print $1}' | tr '\n' ' ')(sqlite)  $(du -sh "$WORK/db/lmdb" | awk '{print $1}') (lmdb)" | tee -a bench/out/tokenstore.txt
