#!/usr/bin/env python3
"""A made-up corpus for bench/bayes.sh until a real one is at hand (../shared/corpus/):
DIR/spam/N and DIR/ham/N, N messages each (default 1000). Each message mixes filler words,
a 20,000-word shared vocabulary (noise: most words rare, in both kinds), and its kind's own
20 words (20 % of words, a fifth of them borrowed from the other kind). Fixed seed: the same
corpus every time. Speed figures from it are fair; accuracy figures say little about real mail.

    bench/make-corpus.py DIR [N]
"""
import os, random, sys

out, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000
random.seed(2)
spam_words = ("viagra casino lottery winner pharmacy discount bitcoin investment unclaimed prize cheap replica "
              "watches refinance guaranteed bonus exclusive limited urgent inheritance").split()
ham_words = ("meeting agenda quarterly report project deadline review lunch schedule minutes budget draft "
             "colleague conference milestone roadmap tomorrow weekend kindergarten football").split()
vocab = ["w%05d" % i for i in range(20000)]
filler = "the and you for this with have please your are about will".split()

for kind, words in (("spam", spam_words), ("ham", ham_words)):
    os.makedirs(os.path.join(out, kind), exist_ok=True)
    for i in range(n):
        def pick(count):
            chosen = []
            for _ in range(count):
                r = random.random()
                if r < 0.3:
                    chosen.append(random.choice(filler))
                elif r < 0.8:
                    chosen.append(random.choice(vocab))
                else:
                    chosen.append(random.choice(words if random.random() < 0.8 else spam_words + ham_words))
            return " ".join(chosen)
        body = "\n".join(pick(15) for _ in range(30))
        with open(os.path.join(out, kind, str(i)), "w") as f:
            f.write("From: x%d@%s%d.example\nTo: u@example.com\nSubject: %s\nMessage-ID: <%d@%s.example>\n\n%s\n"
                    % (i % 7, kind, i % 13, pick(4), i, kind, body))
