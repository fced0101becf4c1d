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
  * doccano and Label Studio: offsets (in chars and in UTF-16) select the span text;
  * nesting: the CoNLL export with `--nested columns` (every label, and the gold layer
    with `--labels ACTOR,PLACE,DATE`) parses column by column in seqeval's strict IOB2
    mode and its entities, back in char offsets, are exactly the spans of the
    spans-jsonl export (of those labels) less those the export reported as dropped;
    the hf-tokens columns load with a ClassLabel per level;
  * the spacy DocBin: loaded with `DocBin().from_disk` and a blank English vocab, every
    doc's text, user_data, `doc.spans["sc"]` (text, start_char, end_char, label, id)
    and `doc.ents` (the non-overlapping spans, first start then longest) equal the
    spans-jsonl export; norms are the blank vocab's; spaCy's own DocBin writes the same
    bytes for the loaded docs; and `spacy train` (blank "en", ner and spancat) runs a
    few steps on it;
  * the tokenizer splits English clitics as spaCy's English tokenizer does, over every
    pronoun, auxiliary and modal of its exception list (and all-caps forms as the Penn
    Treebank does), and the tables copied from spaCy (reserved symbols, base norms) are its own.

Exits non-zero, naming each failure, if any check fails.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import warnings
import zlib
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


# A dropped span in an export's report: "doc (annotator) span 3 [1..5) ACTOR: dropped: ..."
DROPPED = re.compile(r"^\s+(\S+)(?: \((\S+)\))? span (\d+) \[\d+\.\.\d+\) \S+: dropped: ")


def dropped_spans(report):
    """(doc, annotator, span id) of every span an export's report says it dropped."""
    out = set()
    for line in report.splitlines():
        m = DROPPED.match(line)
        if m:
            out.add((m.group(1), m.group(2), int(m.group(3))))
    return out


def record_key(rec):
    return rec["id"], rec["meta"].get("annotator")


def token_offsets(text, tokens):
    """Char offsets of CoNLL tokens in `text`, found in order ("_" stands for whitespace)."""
    out, at = [], 0
    for tok in tokens:
        while at < len(text) and text[at].isspace():
            at += 1
        piece = text[at : at + len(tok)]
        same = len(piece) == len(tok) and all(a == b or (b == "_" and a.isspace()) for a, b in zip(piece, tok))
        if not same:
            raise ValueError(f"token {tok!r} not found at {at}: {piece!r}")
        out.append((at, at + len(tok)))
        at += len(tok)
    return out


def conll_column_entities(name, path, records):
    """Entities of every tag column of a CoNLL export, as (doc, annotator, start, end,
    label), checked in seqeval's strict IOB2 mode column by column; and the number of
    tag columns."""
    from seqeval.metrics.sequence_labeling import get_entities
    from seqeval.scheme import IOB2, Entities

    blocks = Path(path).read_text(encoding="utf-8").split("-DOCSTART- -X- O O\n")[1:]
    check(len(blocks) == len(records), f"{name}: {len(blocks)} CoNLL documents for {len(records)} records")
    found, widths = [], set()
    for block, rec in zip(blocks, records):
        sents = [[line.split(" ") for line in s.split("\n") if line] for s in block.split("\n\n") if s.strip()]
        for s in sents:
            widths.update(len(cols) for cols in s)
        tokens = [cols[0] for s in sents for cols in s]
        offsets = token_offsets(rec["text"], tokens)
        width = max(len(cols) for s in sents for cols in s) if sents else 2
        base = 0
        for s in sents:
            for level in range(1, width):
                y = [[cols[level] for cols in s]]
                strict = Entities(y, IOB2, suffix=False).entities[0]
                check(
                    len(strict) == len(get_entities(y[0])) == sum(t.startswith("B-") for t in y[0]),
                    f"{name}: column {level} of a sentence of {rec['id']} parses differently in strict mode",
                )
                for e in strict:
                    start, end = offsets[base + e.start][0], offsets[base + e.end - 1][1]
                    found.append((*record_key(rec), start, end, e.tag))
            base += len(s)
    check(len(widths) <= 1, f"{name}: CoNLL lines with different numbers of columns {widths}")
    return found, (widths.pop() - 1 if widths else 0)


def check_columns(name, path, spans_path, report, labels=None, expect=None):
    """Every span (of `labels`) comes back from the tag columns, but those reported dropped."""
    records = read_jsonl(spans_path)
    gone = dropped_spans(report)
    want = sorted(
        (*record_key(r), s["start"], s["end"], s["label"])
        for r in records
        for s in r["spans"]
        if (labels is None or s["label"] in labels) and (r["id"], r["meta"].get("annotator"), s["id"]) not in gone
    )
    got, columns = conll_column_entities(name, path, records)
    check(sorted(got) == want, f"{name}: columns give {len(got)} entities, the spans-jsonl export {len(want)}")
    check(columns >= 2, f"{name}: --nested columns wrote {columns} tag column(s)")
    if expect is not None:
        check(len(got) == expect and not gone, f"{name}: {len(got)} entities kept of {expect}, {len(gone)} dropped")
    what = f"labels {','.join(labels)}" if labels else "every label"
    print(f"  seqeval, --nested columns ({what}): {columns} tag columns, {len(got)} entities = spans-jsonl less {len(gone)} reported")


def check_hf_columns(name, path, labels_path, tmp):
    from datasets import ClassLabel, Features, Sequence, Value, disable_progress_bars, load_dataset

    disable_progress_bars()
    names = json.loads(Path(labels_path).read_text(encoding="utf-8"))
    rows = read_jsonl(path)
    fields = sorted((k for k in rows[0] if k.startswith("ner_tags")), key=lambda k: (len(k), k))
    check(fields[:2] == ["ner_tags", "ner_tags_2"], f"{name}: hf-tokens columns have fields {fields}")
    feats = {"id": Value("string"), "tokens": Sequence(Value("string"))}
    feats.update({f: Sequence(ClassLabel(names=names)) for f in fields})
    ds = load_dataset(
        "json", data_files=str(path), features=Features(feats), split="train", cache_dir=str(tmp / "hf-cache-cols")
    )
    for row, want in zip(ds, rows):
        for f in fields:
            check(row[f] == want[f] and len(row[f]) == len(row["tokens"]), f"{name}: datasets: {row['id']} {f} changed")
    print(f"  datasets, --nested columns: {len(ds)} row(s), fields {', '.join(fields)}")


def check_docbin(name, spacy_path, spans_path, report):
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    docs = list(DocBin().from_disk(spacy_path).get_docs(nlp.vocab))
    records = read_jsonl(spans_path)
    gone = dropped_spans(report)
    check(len(docs) == len(records), f"{name}: DocBin has {len(docs)} docs for {len(records)} records")
    n_ents = n_spans = 0
    for doc, rec in zip(docs, records):
        doc_id, annotator = record_key(rec)
        where = f"{name}: DocBin {doc_id} ({annotator})"
        check(doc.text == rec["text"], f"{where}: doc.text differs from the stored text")
        check(doc.user_data.get("doc_id") == doc_id, f"{where}: user_data {doc.user_data}")
        check(doc.user_data.get("annotator") == annotator, f"{where}: user_data {doc.user_data}")
        kept = [s for s in rec["spans"] if (doc_id, annotator, s["id"]) not in gone]
        want = sorted((s["text"], s["start"], s["end"], s["label"], str(s["id"])) for s in kept)
        group = doc.spans["sc"] if "sc" in doc.spans else []
        got = sorted((sp.text, sp.start_char, sp.end_char, sp.label_, sp.id_) for sp in group)
        check(got == want, f"{where}: doc.spans['sc'] {got} != spans-jsonl {want}")
        check(("sc" in doc.spans) == (annotator is not None), f"{where}: a span group only where someone annotated")
        want_ents = sorted((s["text"], s["start"], s["end"], s["label"]) for s in non_overlapping(kept))
        got_ents = sorted((e.text, e.start_char, e.end_char, e.label_) for e in doc.ents)
        check(got_ents == want_ents, f"{where}: doc.ents {got_ents} != {want_ents}")
        outside = "O" if annotator is not None else ""
        check(all(t.ent_iob_ in ("B", "I", outside) for t in doc), f"{where}: tokens outside entities are not {outside!r}")
        check(all(t.norm == nlp.vocab[t.text].norm for t in doc), f"{where}: a norm differs from the blank vocab's")
        for e in doc.ents:
            check(all(not t.is_sent_start for t in e[1:]), f"{where}: entity {e.text!r} crosses a sentence")
        n_ents += len(doc.ents)
        n_spans += len(group)
    raw = zlib.decompress(Path(spacy_path).read_bytes())
    again = zlib.decompress(DocBin(store_user_data=True, docs=docs).to_bytes())
    check(raw == again, f"{name}: spaCy's DocBin writes other bytes for the loaded docs ({len(again)} vs {len(raw)})")
    print(f"  spaCy DocBin: {len(docs)} doc(s), {n_spans} span(s) in sc and {n_ents} entities equal to spans-jsonl; bytes equal to spaCy's DocBin")


def check_spacy_train(spacy_path, tmp):
    """A few steps of `spacy train` with a blank English ner + spancat pipeline."""
    import time

    py = sys.executable
    work = tmp / "spacy-train"
    work.mkdir()
    start = time.monotonic()
    init = subprocess.run(
        [py, "-m", "spacy", "init", "config", str(work / "config.cfg"), "--lang", "en",
         "--pipeline", "ner,spancat", "--optimize", "efficiency"],
        capture_output=True, text=True,
    )
    check(init.returncode == 0, f"spacy init config failed: {init.stderr[-2000:]}")
    train = subprocess.run(
        [py, "-m", "spacy", "train", str(work / "config.cfg"), "--output", str(work / "out"),
         "--paths.train", str(spacy_path), "--paths.dev", str(spacy_path),
         "--training.max_steps", "10", "--training.eval_frequency", "5"],
        capture_output=True, text=True,
    )
    ok = train.returncode == 0 and (work / "out" / "model-last").is_dir()
    check(ok, f"spacy train failed: {train.stdout[-2000:]}{train.stderr[-2000:]}")
    print(f"  spacy train (blank en, ner + spancat, 10 steps): {'ok' if ok else 'FAILED'} in {time.monotonic() - start:.1f} s")


# The words spaCy's English exceptions split a clitic off (spacy/lang/en/tokenizer_exceptions.py).
CLITIC_HOSTS = {
    "m": ["i"],
    "ll": "i you he she it we they who what when where why how there that this these those".split(),
    "d": "i you he she it we they who what when where why how there that this these those".split(),
    "re": "you we they who what when where why how there these those".split(),
    "ve": "i you we they who what when where why how there these those could might must should would".split(),
}
NT_HOSTS = "ca could do does did had may might must need ought sha should wo would ai are is was were have has dare".split()


def check_clitics(binary, tmp):
    """spanbench's tokens equal spaCy's for every host word with every clitic, both
    apostrophes, lower and title case; all-caps forms split as the lower-case ones do."""
    import spacy

    hosts = sorted(set(sum(CLITIC_HOSTS.values(), [])) | set(NT_HOSTS) | {"armenia", "putin", "nkr", "nixon", "x", "o"})
    words = []
    for apos in ("'", "\u2019"):
        for h in hosts:
            words += [f"{h}{apos}{c}" for c in ("s", "m", "ll", "d", "re", "ve")]
            words += [f"{h}n{apos}t", f"{h}{apos}ll{apos}ve", f"{h}{apos}d{apos}ve", f"{h}n{apos}t{apos}ve"]
    words = [v for w in words for v in (w, w[0].upper() + w[1:])]
    nlp = spacy.blank("en")
    want = [t.text for w in words for t in nlp(w)]
    want += [t.text.upper() for w in words for t in nlp(w)]
    project = tmp / "clitics"
    subprocess.run([binary, "new", str(project)], check=True, capture_output=True)
    src = tmp / "clitics.txt"
    src.write_text(" ".join(words + [w.upper() for w in words]), encoding="utf-8")
    subprocess.run([binary, "import", str(project), str(src)], check=True, capture_output=True)
    out = subprocess.run([binary, "export", str(project), "-f", "conll", "-o", "-"], check=True, capture_output=True, text=True)
    got = [line.split(" ")[0] for line in out.stdout.splitlines() if line.strip() and not line.startswith("-DOCSTART-")]
    diff = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), None)
    check(got == want, f"clitics: spanbench and spaCy tokenize differently near {want[diff - 2 : diff + 3] if diff is not None else len(got)} vs {got[diff - 2 : diff + 3] if diff is not None else len(want)}")
    print(f"tokenizer clitics: {len(words) * 2} words, {len(got)} tokens equal to spaCy's")


def check_spacy_tables(root):
    """The tables spanbench copied from spaCy are the installed spaCy's."""
    sys.path.insert(0, str(root / "tests/python"))
    import spacy_tables

    ours = (root / "src/formats/spacy/tables.rs").read_text(encoding="utf-8")
    check(ours == spacy_tables.render(), "src/formats/spacy/tables.rs differs from tests/python/spacy_tables.py's output")
    print("spaCy tables (reserved symbols, base norms): equal to the installed spaCy's")


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
    root = Path(__file__).resolve().parents[2]
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        check_spacy_tables(root)
        check_clitics(binary, tmp)
        trained = False
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

            report = export(binary, project, "conll", out / "columns.conll", "--nested", "columns")
            check_columns(name, out / "columns.conll", out / "spans.jsonl", report)
            export(binary, project, "hf-tokens", out / "hf_cols.jsonl", "--nested", "columns")
            check_hf_columns(name, out / "hf_cols.jsonl", out / "hf_cols.labels.json", tmp)
            report = export(binary, project, "spacy", out / "all.spacy")
            check_docbin(name, out / "all.spacy", out / "spans.jsonl", report)

            # The gold layer: an entity tagger's labels, nothing nested dropped.
            export(binary, project, "spans-jsonl", out / "gold.jsonl", "--gold")
            labels = ["ACTOR", "PLACE", "DATE"]
            expect = sum(s["label"] in labels for r in read_jsonl(out / "gold.jsonl") for s in r["spans"])
            report = export(binary, project, "conll", out / "gold_ner.conll", "--gold", "--labels", ",".join(labels), "--nested", "columns")
            check_columns(name + " (gold)", out / "gold_ner.conll", out / "gold.jsonl", report, labels, expect)
            report = export(binary, project, "spacy", out / "gold.spacy", "--gold")
            check_docbin(name + " (gold)", out / "gold.spacy", out / "gold.jsonl", report)
            if not trained:
                check_spacy_train(out / "gold.spacy", tmp)
                trained = True
    print(f"python consumer checks: {PASSED} passed, {len(FAILURES)} failed")
    if FAILURES:
        for f in FAILURES:
            print(f"FAIL: {f}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
