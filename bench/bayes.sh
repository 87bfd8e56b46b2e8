#!/bin/bash
# qsentry's Bayes against bogofilter and SpamAssassin's Bayes alone (Debian's), same folds, same
# run: k-fold cross-validation over a corpus with spam/ and ham/ (one message a file, or mbox
# files). Per fold, each filter learns the other folds and classifies this one. Reports spam caught %, false positives %, and
# messages per second for learning and for classifying (one process each way, bulk mode: both
# tools read many messages per process), with qsentry/bogofilter ratios; and, as the TREC spam
# track reports them, 1-ROCA% (100 x the area above the ROC curve of every score, ties counted
# half) and lam% (the logistic average of the ham and spam misclassification rates at the
# filter's own threshold, each (n+0.5)/(N+1) so a zero stays finite); and the spam caught at the
# best threshold that keeps false positives at or below 0.1 % (a point of the ROC, not a setting).
#
# Folds: message i (in file-name order within spam/ and ham/) is in fold i mod FOLDS.
#
#   bench/bayes.sh DIR [FOLDS]    (default 10 folds; needs bogofilter, spamassassin, python3)
#
# qsentry calls a message spam at its default spam-threshold (90 %); bogofilter at its own
# default spam_cutoff (its "S"); SpamAssassin's Bayes at 0.99 (its BAYES_99 rule). SpamAssassin
# learns with sa-learn, one process per folder, and scores with bench/sa-bayes.pl, one process
# per fold (its Bayes plugin alone). QSENTRY_BIN=DIR uses programs already built (tests do);
# NO_SA=1 leaves SpamAssassin out (it is slow: about 30 messages a second each way); SCORES=DIR
# keeps every filter's scores there (FILTER.scores: "SCORE spam|ham" a line), to study thresholds.
set -euo pipefail
CORPUS=$(cd "$1" && pwd)
FOLDS=${2:-10}
if [ -n "${QSENTRY_BIN:-}" ]; then
    BIN=$QSENTRY_BIN
    cd "$(dirname "$0")/.."
    OUT=bench/out
    mkdir -p "$OUT"
else
    source "$(dirname "$0")/common.sh"
fi
command -v bogofilter >/dev/null || { echo "bench/bayes.sh: bogofilter is not installed (./install.sh test)" >&2; exit 1; }
FILTERS="qsentry:qs bogofilter:bf"
if [ -z "${NO_SA:-}" ]; then
    command -v sa-learn >/dev/null || { echo "bench/bayes.sh: sa-learn is not installed (./install.sh test; or NO_SA=1)" >&2; exit 1; }
    FILTERS="$FILTERS spamassassin:sa"
fi
SA_SCORE=$(cd "$(dirname "$0")" && pwd)/sa-bayes.pl
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# One message a file, numbered in a stable order; mbox files are split (python's mailbox module).
python3 - "$CORPUS" "$WORK/all" <<'PY'
import mailbox, os, sys
src, dst = sys.argv[1], sys.argv[2]
for kind in ("spam", "ham"):
    os.makedirs(os.path.join(dst, kind))
    n = 0
    for root, _, files in sorted(os.walk(os.path.join(src, kind))):
        for name in sorted(files):
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                data = f.read()
            messages = [bytes(m) for m in mailbox.mbox(path)] if data.startswith(b"From ") else [data]
            for m in messages:
                with open(os.path.join(dst, kind, "%06d" % n), "wb") as out:
                    out.write(m)
                n += 1
    if n < 10:
        sys.exit("bench/bayes.sh: %s/%s has %d messages; need at least 10" % (src, kind, n))
PY

now() { date +%s.%N; }
declare -A T=([qs_learn]=0 [qs_class]=0 [bf_learn]=0 [bf_class]=0 [sa_learn]=0 [sa_class]=0)
declare -A C=([qs_tp]=0 [qs_fp]=0 [bf_tp]=0 [bf_fp]=0 [sa_tp]=0 [sa_fp]=0 [spam]=0 [ham]=0 [learnt]=0)
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
add() { T[$1]=$(calc "${T[$1]} + $2"); }

for ((k = 0; k < FOLDS; k++)); do
    F="$WORK/fold$k"
    mkdir -p "$F"/{train,test}/{spam,ham} "$F/q/control/qsentry" "$F/bogo"
    for kind in spam ham; do
        i=0
        for m in "$WORK/all/$kind"/*; do
            if ((i % FOLDS == k)); then ln "$m" "$F/test/$kind/"; else ln "$m" "$F/train/$kind/"; fi
            i=$((i + 1))
        done
    done
    nspam=$(ls "$F/test/spam" | wc -l); nham=$(ls "$F/test/ham" | wc -l)
    ntrain=$(($(ls "$F/train/spam" | wc -l) + $(ls "$F/train/ham" | wc -l)))
    C[spam]=$((C[spam] + nspam)); C[ham]=$((C[ham] + nham)); C[learnt]=$((C[learnt] + ntrain))

    # qsentry: learn, then classify (scores in percent; spam from 90).
    t0=$(now)
    QMAIL="$F/q" "$BIN/qsentry" learn --spam "$F/train/spam" >/dev/null
    QMAIL="$F/q" "$BIN/qsentry" learn --ham "$F/train/ham" >/dev/null
    t1=$(now)
    QMAIL="$F/q" "$BIN/qsentry" score --fraction "$F/test/spam" "$F/test/ham" > "$F/qs.out"
    t2=$(now)
    add qs_learn "$t1 - $t0"; add qs_class "$t2 - $t1"
    # The shipped threshold, 90 %: a whole percent of 90 is a fraction from 0.90 (percent rounds down).
    C[qs_tp]=$((C[qs_tp] + $(awk -F'\t' '$1 >= 0.90 && $2 ~ /\/test\/spam\//' "$F/qs.out" | wc -l)))
    C[qs_fp]=$((C[qs_fp] + $(awk -F'\t' '$1 >= 0.90 && $2 ~ /\/test\/ham\//' "$F/qs.out" | wc -l)))

    # bogofilter: the same folds, bulk mode both ways.
    t0=$(now)
    bogofilter -d "$F/bogo" -s -B "$F/train/spam" >/dev/null
    bogofilter -d "$F/bogo" -n -B "$F/train/ham" >/dev/null
    t1=$(now)
    bogofilter -d "$F/bogo" -v -B "$F/test/spam" "$F/test/ham" > "$F/bf.out" || true
    t2=$(now)
    add bf_learn "$t1 - $t0"; add bf_class "$t2 - $t1"
    C[bf_tp]=$((C[bf_tp] + $(awk '$3 == "Spam," && $1 ~ /\/test\/spam\//' "$F/bf.out" | wc -l)))
    C[bf_fp]=$((C[bf_fp] + $(awk '$3 == "Spam," && $1 ~ /\/test\/ham\//' "$F/bf.out" | wc -l)))
    # Every score with its truth, for the ROC: "SCORE spam|ham".
    awk -F'\t' '{ print $1, ($2 ~ /\/test\/spam\// ? "spam" : "ham") }' "$F/qs.out" >> "$WORK/qs.scores"
    sed -n 's|^\([^ ]*\) .*spamicity=\([0-9.]*\).*|\2 \1|p' "$F/bf.out" |
        awk '{ print $1, ($2 ~ /\/test\/spam\// ? "spam" : "ham") }' >> "$WORK/bf.scores"
    if [ -z "${NO_SA:-}" ]; then
        # SpamAssassin's Bayes: sa-learn a folder per process, then one scoring process for the fold.
        t0=$(now)
        sa-learn --dbpath "$F/sa/bayes" --spam "$F/train/spam" >/dev/null 2>&1
        sa-learn --dbpath "$F/sa/bayes" --ham "$F/train/ham" >/dev/null 2>&1
        t1=$(now)
        perl "$SA_SCORE" "$F/sa/bayes" "$F/test/spam"/* "$F/test/ham"/* > "$F/sa.out" 2>/dev/null
        t2=$(now)
        add sa_learn "$t1 - $t0"; add sa_class "$t2 - $t1"
        C[sa_tp]=$((C[sa_tp] + $(awk -F'\t' '$1 >= 0.99 && $2 ~ /\/test\/spam\//' "$F/sa.out" | wc -l)))
        C[sa_fp]=$((C[sa_fp] + $(awk -F'\t' '$1 >= 0.99 && $2 ~ /\/test\/ham\//' "$F/sa.out" | wc -l)))
        awk -F'\t' '{ print $1, ($2 ~ /\/test\/spam\// ? "spam" : "ham") }' "$F/sa.out" >> "$WORK/sa.scores"
        [ "$(wc -l < "$F/sa.out")" -eq $((nspam + nham)) ] || { echo "bench/bayes.sh: SpamAssassin scored $(wc -l < "$F/sa.out") of $((nspam + nham))" >&2; exit 1; }
    fi
    [ "$(wc -l < "$F/qs.out")" -eq $((nspam + nham)) ] || { echo "bench/bayes.sh: qsentry scored $(wc -l < "$F/qs.out") of $((nspam + nham))" >&2; exit 1; }
    [ "$(wc -l < "$F/bf.out")" -eq $((nspam + nham)) ] || { echo "bench/bayes.sh: bogofilter classified $(wc -l < "$F/bf.out") of $((nspam + nham))" >&2; exit 1; }
    rm -rf "$F"
done

classified=$((C[spam] + C[ham]))
# 1-ROCA% and lam% (see the top): FILE of "SCORE spam|ham" lines, spam caught, ham misclassified.
roc() {
    python3 - "$1" "$2" "$3" "${C[spam]}" "${C[ham]}" <<'PY'
import math, sys
path, tp, fp, nspam, nham = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
spam, ham = [], []
for line in open(path):
    score, truth = line.split()
    (spam if truth == "spam" else ham).append(float(score))
# AUC = P(score of a spam > score of a ham), ties half: rank-sum over the merged, sorted scores.
merged = sorted([(s, 1) for s in spam] + [(h, 0) for h in ham])
rank, i, spam_ranks = 1, 0, 0.0
while i < len(merged):
    j = i
    while j < len(merged) and merged[j][0] == merged[i][0]: j += 1
    avg = (rank + rank + (j - i) - 1) / 2
    spam_ranks += avg * sum(1 for k in range(i, j) if merged[k][1] == 1)
    rank += j - i
    i = j
auc = (spam_ranks - len(spam) * (len(spam) + 1) / 2) / (len(spam) * len(ham))
logit = lambda p: math.log(p / (1 - p))
hm, sm = (fp + 0.5) / (nham + 1), (nspam - tp + 0.5) / (nspam + 1)
lam = 1 / (1 + math.exp(-(logit(hm) + logit(sm)) / 2))
# The best threshold with at most 0.1 % of ham above it: spam strictly above the (k+1)-th highest ham.
allowed = int(0.001 * len(ham))
hs = sorted(ham, reverse=True)
cut = hs[allowed] if allowed < len(hs) else float("-inf")
best = sum(1 for s in spam if s > cut)
print("%.4f %.4f %.2f" % (100 * (1 - auc), 100 * lam, 100 * best / len(spam)))
PY
}
report() {
    printf '%-12s caught %6.2f %%  false positives %6.2f %%  learn %8.0f msg/s  classify %8.0f msg/s\n' "$1" \
        "$(calc "100 * ${C[${2}_tp]} / ${C[spam]}")" "$(calc "100 * ${C[${2}_fp]} / ${C[ham]}")" \
        "$(calc "${C[learnt]} / ${T[${2}_learn]}")" "$(calc "$classified / ${T[${2}_class]}")"
}
{
    echo "corpus: $CORPUS: ${C[spam]} spam, ${C[ham]} ham; $FOLDS folds"
    for f in $FILTERS; do report "${f%%:*}" "${f##*:}"; done
    for f in $FILTERS; do
        printf '%-12s 1-ROCA%% %s  lam%% %s  caught at <= 0.1 %% false positives %s %%\n' "${f%%:*}" \
            $(roc "$WORK/${f##*:}.scores" "${C[${f##*:}_tp]}" "${C[${f##*:}_fp]}")
    done
    for f in $FILTERS; do
        [ "${f##*:}" = qs ] && continue
        printf 'qsentry/%s: learning speed %.2f x, classifying speed %.2f x\n' "${f%%:*}" \
            "$(calc "${T[${f##*:}_learn]} / ${T[qs_learn]}")" "$(calc "${T[${f##*:}_class]} / ${T[qs_class]}")"
    done
} | tee "$OUT/bayes.txt"
if [ -n "${SCORES:-}" ]; then
    mkdir -p "$SCORES"
    for f in $FILTERS; do cp "$WORK/${f##*:}.scores" "$SCORES/${f%%:*}.scores"; done
fi
