"""Checks spanbench's exports with the tools that read them.

Usage: check_exports.py SPANBENCH_BINARY PROJECT [PROJECT...]

For each project it exports every format with the binary, then:
  * spaCy (blank "en" tokenizer, no model download): every spans-jsonl span's text is
    text[start:end]; Doc.char_span(start, end, alignment_mode="strict") is not None
    wherever the span starts and ends on spaCy token boundaries; offsets_to_biluo_tags
    raises and warns nothing for the non-overlapping aligned spans of each record; the
    CoNLL export converts with spaCy's own CoNLL-NER converter;
  * seqeval: the IOB2 and BIOES CoNLL exports parse in strict mode, with exactly the
    entities their B-/S- tags announce and no tag sequence that lenient and strict
    parsing read differently;
  * datasets: the hf-tokens export loads with a ClassLabel feature built from the
    label-names file;
  * brat: every T line's text equals the .txt at its offsets, every other line points
    at a T line, and annotation.conf declares every type used and <OVERLAP>;
  * doccano and Label Studio: offsets (in chars and in UTF-16) select the span text.

Exits non-zero, naming each failure, if any check fails.
"""

import json
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

FAILURES = []
PASSED = 0


def check(cond, what):
    global PASSED
    if cond:
        PASSED += 1
    else:
        FAILURES.append(what)
        print(f"FAIL: {what}", file=sys.stderr)


def export(binary, project, fmt, out, *extra):
    cmd = [binary, "export", str(project), "--format", fmt, "-o", str(out), *extra]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"export failed: {' '.join(cmd)}\n{res.stderr}")
    return res.stderr


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def non_overlapping(spans):
    """The spans a token format keeps: first start wins, then the longest."""
    kept = []
    for s in sorted(spans, key=lambda s: (s["start"], -s["end"], s["id"])):
        if all(s["end"] <= k["start"] or s["start"] >= k["end"] for k in kept):
            kept.append(s)
    return kept


def check_spacy(name, spans_path, conll_iob2_path):
    import spacy
    from spacy.training import offsets_to_biluo_tags
    from spacy.training.converters import conll_ner_to_docs

    nlp = spacy.blank("en")
    aligned = total = 0
    for rec in read_jsonl(spans_path):
        text = rec["text"]
        doc = nlp.make_doc(text)
        starts = {t.idx for t in doc}
        ends = {t.idx + len(t.text) for t in doc}
        usable = []
        for s in rec["spans"]:
            total += 1
            where = f"{name}: spaCy: {rec['id']} span {s['id']} [{s['start']}..{s['end']})"
            check(text[s["start"]:s["end"]] == s["text"], f"{where}: text[start:end] != span text")
            if s["start"] in starts and s["end"] in ends:
                aligned += 1
                span = doc.char_span(s["start"], s["end"], label=s["label"], alignment_mode="strict")
                check(span is not None and span.text == s["text"], f"{where}: char_span is None")
                usable.append(s)
            else:
                span = doc.char_span(s["start"], s["end"], alignment_mode="expand")
                check(span is not None and s["text"] in span.text, f"{where}: expand gives {span}")
        entities = [(s["start"], s["end"], s["label"]) for s in non_overlapping(usable)]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                tags = offsets_to_biluo_tags(doc, entities)
                ok = "-" not in tags
                why = f"misaligned tags {tags}"
            except Exception as e:  # noqa: BLE001 - any error or warning is the failure
                ok, why = False, repr(e)
        check(ok, f"{name}: spaCy: offsets_to_biluo_tags on {rec['id']}: {why}")
    print(f"  spaCy: {total} span(s), {aligned} on spaCy token boundaries, all char_span-strict")

    data = Path(conll_iob2_path).read_text(encoding="utf-8")
    b_tags = sum(1 for line in data.splitlines() if line.split()[-1:] and line.split()[-1].startswith("B-"))
    docs = list(conll_ner_to_docs(data, n_sents=10, no_print=True))
    ents = sum(len(d.ents) for d in docs)
    check(ents == b_tags, f"{name}: spaCy conll converter found {ents} entities, the file has {b_tags} B- tags")
    print(f"  spaCy CoNLL converter: {len(docs)} doc(s), {ents} entities")


def read_conll(path):
    sentences, cur = [], []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith("-DOCSTART-"):
            continue
        if not line.strip():
            if cur:
                sentences.append(cur)
            cur = []
            continue
        cols = line.split(" ")
        if len(cols) != 2:
            FAILURES.append(f"{path}: line {line!r} does not have exactly two columns")
        cur.append(cols[-1])
    if cur:
        sentences.append(cur)
    return sentences


def check_seqeval(name, path, scheme_name):
    from seqeval.metrics import classification_report, f1_score
    from seqeval.metrics.sequence_labeling import get_entities
    from seqeval.scheme import IOB2, IOBES, Entities

    scheme = {"IOB2": IOB2, "IOBES": IOBES}[scheme_name]
    y = read_conll(path)
    strict = Entities(y, scheme, suffix=False).entities
    n_strict = sum(len(s) for s in strict)
    n_lenient = len(get_entities(y))
    starts = sum(1 for s in y for t in s if t[:2] in ("B-", "S-"))
    check(
        n_strict == n_lenient == starts,
        f"{name}: seqeval {scheme_name}: strict {n_strict}, lenient {n_lenient}, B/S tags {starts}",
    )
    if starts:
        f1 = f1_score(y, y, mode="strict", scheme=scheme)
        check(f1 == 1.0, f"{name}: seqeval {scheme_name}: f1 of the export against itself is {f1}")
        classification_report(y, y, mode="strict", scheme=scheme, output_dict=True)
    print(f"  seqeval {scheme_name}: {len(y)} sentence(s), {n_strict} entities in strict mode")


def check_datasets(name, path, labels_path, tmp):
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from datasets import ClassLabel, Features, Sequence, Value, disable_progress_bars, load_dataset

    disable_progress_bars()

    names = json.loads(Path(labels_path).read_text(encoding="utf-8"))
    features = Features(
        {
            "id": Value("string"),
            "tokens": Sequence(Value("string")),
            "ner_tags": Sequence(ClassLabel(names=names)),
        }
    )
    ds = load_dataset(
        "json", data_files=str(path), features=features, split="train", cache_dir=str(tmp / "hf-cache")
    )
    rows = read_jsonl(path)
    check(len(ds) == len(rows), f"{name}: datasets loaded {len(ds)} rows of {len(rows)}")
    feature = ds.features["ner_tags"].feature
    check(isinstance(feature, ClassLabel) and feature.names == names, f"{name}: datasets: label names differ")
    for row, want in zip(ds, rows):
        check(len(row["tokens"]) == len(row["ner_tags"]), f"{name}: datasets: {row['id']} lengths differ")
        check(row["ner_tags"] == want["ner_tags"], f"{name}: datasets: {row['id']} tags changed on load")
    print(f"  datasets: {len(ds)} row(s), ClassLabel with {len(names)} names")


def check_brat(name, folder):
    conf = (folder / "annotation.conf").read_text(encoding="utf-8")
    check("<OVERLAP>" in conf, f"{name}: brat: annotation.conf declares no <OVERLAP>")
    declared = set()
    section = None
    for line in conf.splitlines():
        if line.startswith("["):
            section = line.strip("[]")
        elif line.strip() and not line.startswith("#"):
            declared.add((section, line.split("\t")[0].strip()))
    t_lines = 0
    for ann in sorted(folder.rglob("*.ann")):
        # brat reads the .txt without newline translation; so does this.
        with open(ann.with_suffix(".txt"), encoding="utf-8", newline="") as f:
            text = f.read()
        ids = set()
        refs = []
        for n, line in enumerate(ann.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{name}: brat: {ann.relative_to(folder)}:{n}"
            cols = line.split("\t")
            kind = cols[0][0]
            if kind == "T":
                t_lines += 1
                label, offsets = cols[1].split(" ", 1)
                frags = [tuple(map(int, f.split())) for f in offsets.split(";")]
                got = " ".join(text[a:b] for a, b in frags)
                check(got == cols[2], f"{where}: T text {cols[2]!r} != .txt {got!r}")
                check(("entities", label) in declared, f"{where}: entity {label} not in annotation.conf")
                ids.add(cols[0])
            elif kind == "R":
                kind_, a1, a2 = cols[1].split(" ")
                check(("relations", kind_) in declared, f"{where}: relation {kind_} not in annotation.conf")
                refs += [(where, a1.split(":")[1]), (where, a2.split(":")[1])]
            elif kind == "A":
                parts = cols[1].split(" ")
                check(("attributes", parts[0]) in declared, f"{where}: attribute {parts[0]} not declared")
                refs.append((where, parts[1]))
            elif kind in "N#":
                refs.append((where, cols[1].split(" ")[1]))
            else:
                check(False, f"{where}: unexpected line {line!r}")
        for where, ref in refs:
            check(ref in ids, f"{where}: points at {ref}, which is not a T line")
    print(f"  brat: {t_lines} T line(s) equal to their .txt")


def utf16_slice(text, start, end):
    units = text.encode("utf-16-le")
    return units[2 * start : 2 * end].decode("utf-16-le")


def check_offsets(name, doccano, doccano16, ls):
    n = 0
    for path, unit in ((doccano, "chars"), (doccano16, "utf16")):
        for rec in read_jsonl(path):
            text = rec["text"]
            cut = (lambda s, e: text[s:e]) if unit == "chars" else (lambda s, e: utf16_slice(text, s, e))
            items = rec.get("label") or [[e["start_offset"], e["end_offset"], e["label"]] for e in rec.get("entities", [])]
            for s, e, _ in items:
                n += 1
                check(cut(s, e).strip() == cut(s, e) and cut(s, e) != "", f"{name}: doccano {unit}: [{s}..{e}) selects {cut(s, e)!r}")
    for task in json.loads(Path(ls).read_text(encoding="utf-8")):
        text = task["data"]["text"]
        for ann in task["annotations"]:
            for r in ann["result"]:
                if r["type"] == "labels":
                    v = r["value"]
                    n += 1
                    check(text[v["start"]:v["end"]] == v["text"], f"{name}: label-studio: {r['id']} text differs")
    print(f"  doccano/Label Studio: {n} offset(s) select their text")


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    binary = sys.argv[1]
    projects = [Path(p) for p in sys.argv[2:]]
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        for project in projects:
            name = project.name
            out = tmp / name
            out.mkdir()
            print(f"{name}:")
            export(binary, project, "spans-jsonl", out / "spans.jsonl")
            export(binary, project, "conll", out / "iob2.conll")
            export(binary, project, "conll", out / "bioes.conll", "--scheme", "bioes")
            export(binary, project, "hf-tokens", out / "hf.jsonl")
            export(binary, project, "hf-tokens", out / "hf_bioes.jsonl", "--scheme", "bioes")
            export(binary, project, "brat", out / "brat")
            export(binary, project, "doccano", out / "doccano.jsonl")
            export(binary, project, "doccano", out / "doccano16.jsonl", "--offsets", "utf16")
            export(binary, project, "label-studio", out / "ls.json")
            check_spacy(name, out / "spans.jsonl", out / "iob2.conll")
            check_seqeval(name, out / "iob2.conll", "IOB2")
            check_seqeval(name, out / "bioes.conll", "IOBES")
            check_datasets(name, out / "hf.jsonl", out / "hf.labels.json", tmp)
            check_datasets(name + " (bioes)", out / "hf_bioes.jsonl", out / "hf_bioes.labels.json", tmp)
            check_brat(name, out / "brat")
            check_offsets(name, out / "doccano.jsonl", out / "doccano16.jsonl", out / "ls.json")
    print(f"python consumer checks: {PASSED} passed, {len(FAILURES)} failed")
    if FAILURES:
        for f in FAILURES:
            print(f"FAIL: {f}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
