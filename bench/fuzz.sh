#!/bin/bash
# Fuzzes qsentry's parsers of outside input with libFuzzer (issue 10). Each target is a function
# in Sources/QSentryFuzz/FuzzTargets.swift; qsentry-fuzz runs one, built with AddressSanitizer.
#
#   bench/fuzz.sh TARGET|all SECONDS     e.g. bench/fuzz.sh mime 600, or bench/fuzz.sh all 5 (CI)
#
# Seeds: Tests/Fuzz/corpus/TARGET/ (kept in git). The growing working corpus: .build/fuzz-corpus/.
# A crash, leak or hang (10 s) is written to Tests/Fuzz/crashes/TARGET/ so that it stays: fix it,
# keep the file, and FuzzRegressionTests replays it in every test run. Exit 1 when one was found.
set -uo pipefail
cd "$(dirname "$0")/.."
TARGETS="smtp envelope mime control cdb dns p0f log auth image"
WHICH=${1:?usage: bench/fuzz.sh TARGET|all SECONDS}
SECONDS_EACH=${2:?usage: bench/fuzz.sh TARGET|all SECONDS}
[ "$WHICH" = all ] && WHICH=$TARGETS
for t in $WHICH; do
    case " $TARGETS " in *" $t "*) ;; *) echo "bench/fuzz.sh: no target $t (targets: $TARGETS)" >&2; exit 100 ;; esac
done

# A build of its own, instrumented for coverage and memory errors; lld, because gold fails on
# libFuzzer's driver objects.
echo "bench/fuzz.sh: building qsentry-fuzz (libFuzzer, AddressSanitizer)"
swift build --scratch-path .build/fuzz --product qsentry-fuzz -Xswiftc -sanitize=fuzzer,address \
    -Xswiftc -DQSENTRY_FUZZ -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld 2>&1 |
    grep -E 'error:' && { echo "bench/fuzz.sh: build failed" >&2; exit 1; }
FUZZ=.build/fuzz/debug/qsentry-fuzz
[ -x "$FUZZ" ] || { echo "bench/fuzz.sh: $FUZZ missing" >&2; exit 1; }

status=0
for t in $WHICH; do
    work=.build/fuzz-corpus/$t
    crashes=Tests/Fuzz/crashes/$t
    mkdir -p "$work" "$crashes"
    cp -n Tests/Fuzz/corpus/"$t"/* "$work"/ 2>/dev/null
    # Past crashes too: FuzzRegressionTests replays them without AddressSanitizer, which misses
    # an over-read that does not crash (crashes/auth/crash-dkim-field-with-nul); here every run does.
    cp -n "$crashes"/* "$work"/ 2>/dev/null
    log=.build/fuzz-corpus/$t.log
    # -rss_limit_mb: AddressSanitizer's quarantine alone takes some hundreds of MB.
    QSENTRY_FUZZ_TARGET=$t "$FUZZ" "$work" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=3072 \
        -max_len=65536 -artifact_prefix="$crashes/" -print_final_stats=1 >"$log" 2>&1
    rc=$?
    runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)
    rate=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
    found=$(grep -lE 'ERROR: (libFuzzer|AddressSanitizer)|deadly signal|timeout' "$log" >/dev/null && echo yes || echo no)
    printf '%-9s %10s runs %8s/s  coverage %5s  corpus %4s files  crash %s\n' "$t" "$runs" "$rate" "$cov" \
        "$(ls "$work" | wc -l)" "$found"
    if [ "$rc" -ne 0 ] || [ "$found" = yes ]; then
        status=1
        grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5 | sed "s/^/    /"
    fi
done
exit $status
