#!/bin/bash
# What M7 costs, same run: qsentry-queue on one message with one 760x150 PNG of text attached,
#   off   no control/qsentry/ocr (the image is not read)
#   on    OCR on: the image read by qsentry-ocr (Tesseract, English)
# one process per message, handing off to a minimal qmail-queue; configurations alternate in
# rounds of 25 (bench/queue_rounds.py). Also qsentry-ocr alone per image (its own start-up and
# Tesseract's), with hyperfine. Messages per second are one process at a time.
#
#   bench/ocr.sh [MESSAGES]      (default 100; needs imagemagick, tesseract-ocr-eng, hyperfine)
set -euo pipefail
source "$(dirname "$0")/common.sh"
N=${1:-100}
WORK=$(mktemp -d)
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
CC=$(command -v cc || command -v clang || echo "$(dirname "$(command -v swift)")/clang")
printf '#include <unistd.h>\nint main(void){char b[65536];while(read(0,b,sizeof b)>0){}while(read(1,b,sizeof b)>0){}return 0;}\n' > "$WORK/sink.c"
"$CC" -O2 -o "$WORK/sink" "$WORK/sink.c"
printf 'Fa@example.net\0Tuser@example.org\0\0' > "$WORK/envelope"
convert -size 760x150 xc:white -font DejaVu-Sans -pointsize 56 -fill black -annotate +20+95 'CHEAP MEDS NOW' "$WORK/offer.png"
python3 - "$WORK" <<'PY'
import base64, sys
w = sys.argv[1]
png = open(f"{w}/offer.png", "rb").read()
open(f"{w}/message.eml", "w").write(
    "From: a@example.net\nTo: user@example.org\nSubject: hi\nContent-Type: multipart/mixed; boundary=b\n\n"
    "--b\nContent-Type: text/plain\n\nsee the picture\n--b\nContent-Type: image/png; name=offer.png\n"
    "Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(png).decode() + "--b--\n")
open(f"{w}/request", "wb").write(str(len(png)).encode() + b"\n" + png)
PY
for r in off on; do
    mkdir -p "$WORK/$r/control/qsentry" "$WORK/$r/qsentry"
    echo mx.example.org > "$WORK/$r/control/me"
    echo off > "$WORK/$r/control/qsentry/authentication"
done
echo "images=5" > "$WORK/on/control/qsentry/ocr"

python3 bench/queue_rounds.py "$BIN/qsentry-queue" "$N" "$OUT/ocr.json" "$WORK/sink" "$WORK/envelope" \
    "off=$WORK/off:$WORK/message.eml" "on=$WORK/on:$WORK/message.eml"
bench_hyperfine "$OUT/ocr-helper.json" --warmup 3 --runs 30 \
    "env OMP_THREAD_LIMIT=1 $BIN/qsentry-ocr eng 25000000 268435456 < $WORK/request" >/dev/null

{
    echo "## ocr"
    echo
    echo "\`bench/ocr.sh $N\` on $(date -u +%Y-%m-%d), $(nproc) cores; qsentry-queue, one process per message, one 760x150 PNG of"
    echo "text attached (Tesseract 5, English, one thread); configurations alternate in rounds of 25."
    echo
    python3 - "$OUT/ocr.json" "$OUT/ocr-helper.json" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))
h = json.load(open(sys.argv[2]))["results"][0]
med = {k: statistics.median(v) * 1000 for k, v in r["times"].items()}
print("| qsentry-queue | median per message (ms) | messages a second, one at a time |")
print("|---|---|---|")
for k in ["off", "on"]:
    print(f"| OCR {k} | {med[k]:.2f} | {1000 / med[k]:.0f} |")
print()
print(f"qsentry-ocr alone on the image: {h['median'] * 1000:.1f} ms median (its start-up, Tesseract's English data loaded, the image read).")
print(f"Log line with OCR on: `{r['logs']['on'].split('checks=')[-1]}`")
PY
    echo
    echo "Nearly all of it is Tesseract's: loading its English model each run and reading the image; the helper is"
    echo "started once a message, whatever its number of images, and only when a message has an image."
} > "$OUT/ocr.md"
cat "$OUT/ocr.md"
bench/record.sh ocr "$OUT/ocr.md"
