"""Writes a spans-jsonl file of several annotators' layers for the agreement checks.

Usage: make_agreement_project.py OUT.jsonl [--annotators N] [--docs N] [--seed N]

Deterministic for a seed. Each document is a text of words (Latin, Cyrillic,
Armenian, an emoji, a combining accent) with a base set of spans, nested ones
included (ACTOR and PLACE inside CLAIM and AGREEMENT_TERM). Every annotator starts
from the base and then, at random, shifts boundaries by a word or a character, swaps
labels, misses spans, adds extra spans and adds nested ones. To exercise missing data
the last annotator has no layer for the first document, and the second has an empty
layer (status done, no spans) for the second document.
"""

import argparse
import json
import random

WORDS = [
    "Aliyev", "Pashinyan", "Putin", "ceasefire", "agreement", "corridor", "Lachin",
    "Stepanakert", "Yerevan", "Baku", "said", "troops", "border", "talks", "Երևան",
    "Москва", "Карабах", "café\u0301", "👍🏽", "2020", "November", "the", "peacekeepers",
    "and", "of", "that", "would", "withdraw",
]
LABELS = ["ACTOR", "DATE", "PLACE", "CLAIM", "AGREEMENT_TERM"]


def make_text(rng, n_words):
    words, offs, pos, parts = [], [], 0, []
    for i in range(n_words):
        if i:
            sep = "\n\n" if i % 37 == 0 else (". " if i % 11 == 0 else " ")
            parts.append(sep)
            pos += len(sep)
        w = rng.choice(WORDS)
        parts.append(w)
        offs.append((pos, pos + len(w)))
        pos += len(w)
    return "".join(parts) + ".", offs


def base_spans(rng, offs):
    spans = []
    i = 1
    while i < len(offs) - 8:
        if rng.random() < 0.2:
            # A long span with short ones nested inside.
            n = rng.randint(4, 7)
            spans.append((offs[i][0], offs[i + n - 1][1], rng.choice(["CLAIM", "AGREEMENT_TERM"])))
            for k in range(i + 1, i + n - 1, 2):
                if rng.random() < 0.6:
                    spans.append((offs[k][0], offs[k][1], rng.choice(["ACTOR", "PLACE"])))
            i += n + 1
        else:
            n = rng.randint(1, 2)
            spans.append((offs[i][0], offs[i + n - 1][1], rng.choice(LABELS[:3])))
            i += n + rng.randint(1, 3)
    return spans


def perturb(rng, spans, offs, text_len):
    out = []
    starts = [a for a, _ in offs]
    ends = [b for _, b in offs]
    for s, e, label in spans:
        r = rng.random()
        if r < 0.08:
            continue  # missed
        if r < 0.18:
            label = rng.choice([lab for lab in LABELS if lab != label])  # label swap
        elif r < 0.30:
            # boundary shift by a word
            k = starts.index(s) if s in starts else None
            if k is not None and rng.random() < 0.5 and k + 1 < len(starts) and starts[k + 1] < e:
                s = starts[k + 1]
            else:
                k = ends.index(e) if e in ends else None
                if k is not None and k + 1 < len(ends):
                    e = ends[k + 1]
        elif r < 0.36:
            # boundary shift by a character
            if e - s > 1:
                e -= 1
            else:
                e = min(e + 1, text_len)
        out.append((s, e, label))
    for _ in range(rng.randint(0, 3)):
        k = rng.randrange(len(offs) - 2)
        out.append((offs[k][0], offs[k][1], rng.choice(LABELS)))  # extra
    if out and rng.random() < 0.5:
        s, e, label = rng.choice(out)
        if e - s > 2:
            out.append((s + 1, e - 1, "ACTOR" if label != "ACTOR" else "PLACE"))  # nested extra
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--annotators", type=int, default=4)
    ap.add_argument("--docs", type=int, default=4)
    ap.add_argument("--words", type=int, default=70)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    names = [f"annotator{i + 1}" for i in range(args.annotators)]
    with open(args.out, "w", encoding="utf-8") as f:
        for d in range(args.docs):
            text, offs = make_text(rng, args.words)
            base = base_spans(rng, offs)
            for a, name in enumerate(names):
                if d == 0 and a == len(names) - 1 and len(names) > 2:
                    continue
                spans = [] if (d == 1 and a == 1 and len(names) > 2) else perturb(rng, base, offs, len(text))
                # A layer never holds two identical spans (the edit, validate and imports refuse them);
                # the draw is kept so the generated texts stay the same for a given seed.
                rng.random()
                spans = sorted(set(spans))
                rec = {
                    "id": f"doc{d:02d}",
                    "text": text,
                    "spans": [
                        {"start": s, "end": e, "label": lab, "text": text[s:e]} for s, e, lab in spans
                    ],
                    "meta": {"annotator": name, "status": "done", "title": f"Document {d}"},
                }
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
