"""Times the Python tools on the corpus benches/export.rs exports, and prints the ratio.

Usage: python benches/compare_python.py [--rounds=N] [--skip-cargo]

Builds the same synthetic corpus as benches/export.rs (10,000 documents, 50 spans each,
same generator), then times in this process:
  * spans-jsonl: json.dumps of {"id", "text", "spans", "meta"} per document;
  * conll: spaCy's blank English tokenizer, offsets_to_biluo_tags, the tags turned
    into IOB2 and "token TAG" lines joined into a string.
It runs `cargo bench --bench export` (unless --skip-cargo) and reads criterion's median
estimates from target/criterion, so both sides are measured on the same machine. The
Python figure is the best of a few runs.
Needs spacy in the Python environment (tests/python/run_checks.sh makes one).
"""

import json
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

DOCS = 10_000
SPANS = 50
WORDS_PER_DOC = 220
WORDS = [
    "Aliyev", "Pashinyan", "Putin", "ceasefire", "agreement", "corridor", "Lachin",
    "Stepanakert", "Yerevan", "Baku", "said", "troops", "border", "talks", "Երևան",
    "Ստեփանակերտ", "Москва", "Карабах", "café\u0301", "👍🏽", "2020", "November", "the",
    "peacekeepers",
]
LABELS = ["ACTOR", "DATE", "PLACE", "CLAIM", "AGREEMENT_TERM"]
MASK = (1 << 64) - 1


class Lcg:
    def __init__(self, seed):
        self.x = seed

    def next(self):
        self.x = (self.x * 6364136223846793005 + 1442695040888963407) & MASK
        return self.x >> 33


def synthetic_corpus(n=DOCS):
    # The first DOCS documents are the same whatever n is.
    rng = Lcg(42)
    docs = []
    for d in range(n):
        parts, offs, chars = [], [], 0
        for i in range(WORDS_PER_DOC):
            if i > 0:
                sep = ". " if i % 15 == 0 else " "
                parts.append(sep)
                chars += len(sep)
            w = WORDS[rng.next() % len(WORDS)]
            offs.append((chars, chars + len(w)))
            parts.append(w)
            chars += len(w)
        parts.append(".")
        text = "".join(parts)
        spans = []
        for k in range(SPANS):
            i = k * 4 + rng.next() % 2
            n = 1 + rng.next() % 2
            last = min(i + n - 1, WORDS_PER_DOC - 1)
            start, end = offs[i][0], offs[last][1]
            label = LABELS[rng.next() % len(LABELS)]
            spans.append({"id": k + 1, "start": start, "end": end, "label": label, "text": text[start:end],
                          "origin": "manual", "review": "unreviewed"})
        docs.append({"id": f"doc{d:05}", "text": text, "spans": spans})
    return docs


def to_spans_jsonl(docs):
    out = []
    for d in docs:
        out.append(json.dumps({"id": d["id"], "text": d["text"], "spans": d["spans"], "relations": [],
                               "meta": {"title": d["id"], "annotator": "anna", "status": "new"}},
                              ensure_ascii=False))
    return "\n".join(out) + "\n"


def to_conll(docs, nlp):
    from spacy.training import offsets_to_biluo_tags

    out = []
    for d in docs:
        doc = nlp.make_doc(d["text"])
        tags = offsets_to_biluo_tags(doc, [(s["start"], s["end"], s["label"]) for s in d["spans"]])
        out.append("-DOCSTART- -X- O O\n")
        for tok, tag in zip(doc, tags):
            # BILUO to IOB2, as the CoNLL export writes.
            if tag[:2] in ("U-", "B-"):
                tag = "B-" + tag[2:]
            elif tag[:2] in ("I-", "L-"):
                tag = "I-" + tag[2:]
            elif tag == "-":
                tag = "O"
            out.append(f"{tok.text} {tag}\n")
        out.append("\n")
    return "".join(out)


def best_of(n, fn):
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.mean(times)


def criterion_mean(root, name):
    p = root / "target" / "criterion" / "export_10k_docs_50_spans" / name / "new" / "estimates.json"
    est = json.loads(p.read_text())
    return est["median"]["point_estimate"] / 1e9


def main():
    root = Path(__file__).resolve().parent.parent
    rounds = 1 if "--skip-cargo" in sys.argv else 3
    for a in sys.argv[1:]:
        if a.startswith("--rounds="):
            rounds = int(a.split("=", 1)[1])
    import spacy

    warnings.simplefilter("ignore")
    nlp = spacy.blank("en")
    docs = synthetic_corpus()
    n_spans = sum(len(d["spans"]) for d in docs)
    print(f"corpus: {len(docs)} documents, {n_spans} spans, {sum(len(d['text']) for d in docs)} chars")
    # Rounds alternate the two sides, so that load from other processes on a shared
    # machine falls on both; the median ratio is the figure.
    ratios = {"spans-jsonl": [], "conll": []}
    print(f"{'round':<6} {'format':<12} {'python (s)':>11} {'spanbench (s)':>14} {'ratio':>7}")
    for r in range(rounds):
        if "--skip-cargo" not in sys.argv:
            subprocess.run(
                ["cargo", "bench", "--bench", "export"], cwd=root, check=True,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        py_json, _ = best_of(3, lambda: to_spans_jsonl(docs))
        py_conll, _ = best_of(2, lambda: to_conll(docs, nlp))
        rs_json = criterion_mean(root, "spans_jsonl")
        rs_conll = criterion_mean(root, "conll")
        for name, py, rs in (("spans-jsonl", py_json, rs_json), ("conll", py_conll, rs_conll)):
            ratios[name].append(py / rs)
            print(f"{r + 1:<6} {name:<12} {py:>11.3f} {rs:>14.3f} {py / rs:>6.1f}x")
    for name, rs in ratios.items():
        print(f"median ratio {name}: {statistics.median(rs):.1f}x over {len(rs)} round(s)")


if __name__ == "__main__":
    main()
