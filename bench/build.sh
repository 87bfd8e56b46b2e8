#!/bin/bash
# What the web console adds to ./install.sh's build (issue 20): install.sh's release build
# (static Swift runtime, qmail root built in) from a clean scratch folder, first the programs
# without qsentry-web (each product in turn, so modules they share are built once), then
# the whole package in the same folder: what that second step takes is the console's share
# (Hummingbird, SwiftNIO, swift-nio-ssl with BoringSSL, Mustache, QSentryWeb). Same run.
#
#   bench/build.sh        (from the repository; takes a clean build's time twice over, about 10 min on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out
mkdir -p "$OUT"
SCRATCH=$PWD/.build-bench-build
rm -rf "$SCRATCH"
trap 'rm -rf "$SCRATCH"' EXIT
release=(-c release --static-swift-stdlib -Xcc "-DQSENTRY_QMAIL_ROOT=\"/var/qmail\"" --scratch-path "$SCRATCH")
# Package resolution (the copies of the packages) is not build time: done first, untimed.
swift package --scratch-path "$SCRATCH" resolve >/dev/null
programs=$(sed -n 's/^PROGRAMS="\(.*\)"/\1/p' install.sh)
start=$(date +%s.%N)
for p in $programs; do
    [ "$p" = qsentry-web ] && continue
    swift build "${release[@]}" --product "$p" >/dev/null 2>&1 || { echo "bench/build.sh: $p did not build"; exit 1; }
done
middle=$(date +%s.%N)
swift build "${release[@]}" >/dev/null 2>&1 || { echo "bench/build.sh: the package did not build"; exit 1; }
end=$(date +%s.%N)
without=$(awk -v a="$start" -v b="$middle" 'BEGIN { printf "%.0f", b - a }')
web=$(awk -v a="$middle" -v b="$end" 'BEGIN { printf "%.0f", b - a }')
{
    echo "## build: what the web console adds to install.sh"
    echo
    echo "\`bench/build.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores, Swift $(swift --version 2>&1 | sed -n 's/.*Swift version \([0-9.]*\).*/\1/p' | head -1); install.sh's release flags, a clean scratch folder, same run."
    echo
    echo "| step | wall time (s) |"
    echo "|---|---|"
    echo "| every program but qsentry-web (one product after another) | $without |"
    echo "| then qsentry-web (Hummingbird, SwiftNIO, swift-nio-ssl, Mustache, QSentryWeb) | $web |"
    echo "| install.sh's whole build | $((without + web)) |"
    echo
    echo "The console adds $(awk -v w="$web" -v o="$without" 'BEGIN { printf "%.0f %%", 100 * w / o }') to the build without it."
} > "$OUT/build.md"
cat "$OUT/build.md"
bench/record.sh "build: what the web console adds to install.sh" "$OUT/build.md"
