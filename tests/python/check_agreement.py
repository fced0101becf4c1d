"""Checks `spanbench agreement` and `spanbench eval` against reference implementations.

Usage: check_agreement.py SPANBENCH_BINARY PROJECT [PROJECT...]

For each project (any number of annotators) it reads every layer through the binary's
spans-jsonl export and computes, independently of spanbench:

  * nervaluate 1.2.1: the four schemes for each pair of annotators (A reference, B
    prediction, inclusive ends end - 1), overall and per label, and for `eval`;
  * the symmetric pairwise F1 from multiset intersections;
  * statsmodels: cohens_kappa per pair and fleiss_kappa, per label and for `*`, over
    a table built character by character;
  * krippendorff: alpha (nominal) with missing data as NaN;
  * pygamma-agreement: the best alignment of each document (and, for small projects,
    of the whole corpus laid end to end, which must give the same observed
    disorder), and gamma with its StatisticalContinuumSampler;
  * the label confusion of `eval`, paired as documented in src/agreement/confusion.rs.

It fails on any difference above 1e-9 (observed disorder: 1e-5, as pygamma computes
in float32; gamma: 0.02, as chance is sampled). A value spanbench reports as null must
be one the reference cannot define (a zero denominator, NaN or an error).
"""

import itertools
import json
import logging
import math
import subprocess
import sys
import warnings
from collections import Counter

import numpy as np

FAILURES = []
PASSED = 0
TOL = 1e-9
GAMMA_TOL = 0.02
GAMMA_SAMPLES = 300
# Unicode White_Space, which spanbench's items leave out (Rust's char::is_whitespace).
WHITE_SPACE = set(
    "\u0009\u000a\u000b\u000c\u000d\u0020\u0085\u00a0\u1680\u2028\u2029\u202f\u205f\u3000"
) | {chr(c) for c in range(0x2000, 0x200B)}
SCHEMES = ["strict", "exact", "partial", "ent_type"]
KEYS = ["correct", "incorrect", "partial", "missed", "spurious", "possible", "actual"]


def check(cond, what):
    global PASSED
    if cond:
        PASSED += 1
    else:
        FAILURES.append(what)
        print(f"FAIL: {what}", file=sys.stderr)


def close(ours, ref, what, tol=TOL):
    if ours is None:
        check(ref is None or (isinstance(ref, float) and math.isnan(ref)), f"{what}: spanbench null, reference {ref}")
    else:
        check(ref is not None and not math.isnan(ref) and abs(ours - ref) <= tol, f"{what}: spanbench {ours}, reference {ref}")


def run(binary, *args, ok=True):
    res = subprocess.run([binary, *args], capture_output=True, text=True)
    if ok and res.returncode != 0:
        raise SystemExit(f"failed: {binary} {' '.join(args)}\n{res.stderr}")
    return res


# ---------------------------------------------------------------- reading layers


def load(binary, project, tmp):
    """(schema labels, doc ids with texts, {annotator: {doc: spans or None}})."""
    out = tmp / "all.jsonl"
    run(binary, "export", str(project), "--format", "spans-jsonl", "-o", str(out))
    docs, layers = {}, {}
    for line in out.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        docs.setdefault(rec["id"], rec["text"])
        a = rec["meta"].get("annotator")
        if a is None:
            continue
        untouched = not rec["spans"] and not rec.get("relations") and rec["meta"].get("status") == "new"
        spans = None if untouched else sorted(
            ((s["start"], s["end"], s["label"], s["id"]) for s in rec["spans"]),
        )
        layers.setdefault(a, {})[rec["id"]] = spans
    stats = json.loads(run(binary, "stats", str(project), "--json").stdout)
    labels = list(stats["spans_per_label"].keys())
    # The schema's order, from project.ron's label keys.
    text = (project / "project.ron").read_text(encoding="utf-8")
    order = sorted(labels, key=lambda k: text.find(f'key: "{k}"'))
    return order, docs, layers


def spans_of(layers, a, doc, labels):
    s = layers.get(a, {}).get(doc)
    if s is None:
        return None
    return [x for x in s if x[2] in labels]


# ---------------------------------------------------------------- nervaluate


def nervaluate_results(true_docs, pred_docs, labels):
    from nervaluate import Evaluator

    to = lambda docs: [[{"label": l, "start": s, "end": e - 1} for s, e, l, _ in d] for d in docs]
    if not true_docs:
        return None
    ev = Evaluator(to(true_docs), to(pred_docs), tags=list(labels), loader="dict")
    return ev.evaluate()


def compare_scheme(ours, ref, what, half):
    for k in KEYS:
        check(ours[k] == getattr(ref, k), f"{what} {k}: spanbench {ours[k]}, nervaluate {getattr(ref, k)}")
    actual, possible = ref.actual, ref.possible
    for k in ["precision", "recall", "f1"]:
        r = getattr(ref, k)
        if ours[k] is None:
            undefined = {"precision": actual == 0, "recall": possible == 0, "f1": actual + possible == 0}[k]
            check(undefined and r == 0, f"{what} {k}: spanbench null but nervaluate {r} (actual {actual}, possible {possible})")
        else:
            close(ours[k], float(r), f"{what} {k}")


def zero_result():
    from nervaluate.entities import EvaluationResult

    return EvaluationResult()


def check_schemes(ours_by_scheme, ref, label, what):
    for scheme in SCHEMES:
        if ref is None:
            r = zero_result()
        elif label == "*":
            r = ref["overall"][scheme]
        else:
            r = ref["entities"].get(label, {}).get(scheme) or zero_result()
        compare_scheme(ours_by_scheme[scheme], r, f"{what} {scheme}", scheme in ("partial", "ent_type"))


# ---------------------------------------------------------------- codings


def codes(text, spans, label):
    """Per non-white-space char: 0/1 for a label, the frozenset of labels for '*'."""
    cover = [set() for _ in text]
    for s, e, l, _ in spans:
        for i in range(s, e):
            cover[i].add(l)
    out = []
    for i, ch in enumerate(text):
        if ch in WHITE_SPACE:
            continue
        out.append(int(label in cover[i]) if label != "*" else tuple(sorted(cover[i])))
    return out


def ref_cohen(x, y):
    from statsmodels.stats.inter_rater import cohens_kappa

    if not x:
        return None
    cats = sorted(set(x) | set(y))
    idx = {c: i for i, c in enumerate(cats)}
    table = np.zeros((len(cats), len(cats)))
    for a, b in zip(x, y):
        table[idx[a], idx[b]] += 1
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return float(cohens_kappa(table, return_results=False))


def ref_fleiss(rows):
    from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

    if not rows:
        return None
    cats = sorted({c for r in rows for c in r})
    idx = {c: i for i, c in enumerate(cats)}
    data = np.array([[idx[c] for c in r] for r in rows])
    table, _ = aggregate_raters(data, n_cat=len(cats))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return float(fleiss_kappa(table, method="fleiss"))


def ref_alpha(matrix):
    import krippendorff

    cats = sorted({c for row in matrix for c in row if c is not None})
    idx = {c: float(i) for i, c in enumerate(cats)}
    data = np.array([[np.nan if c is None else idx[c] for c in row] for row in matrix])
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    except ValueError:
        return None


# ---------------------------------------------------------------- gamma


def gamma_reference(docs, layers, annotators, labels, samples, whole):
    from pyannote.core import Segment
    from pygamma_agreement import CombinedCategoricalDissimilarity, Continuum
    from pygamma_agreement.sampler import StatisticalContinuumSampler

    logging.disable(logging.WARNING)
    dissim = CombinedCategoricalDissimilarity()
    n = len(annotators)
    shared = [d for d in docs if all(spans_of(layers, a, d, labels) is not None for a in annotators)]
    units = {d: {a: spans_of(layers, a, d, labels) for a in annotators} for d in shared}
    total = sum(len({(s, e, l) for s, e, l, _ in units[d][a]}) for d in shared for a in annotators)
    if not shared or total == 0:
        return None
    observed_sum = 0.0
    stacked = Continuum()
    for d in shared:
        c = Continuum()
        for a in annotators:
            c.add_annotator(a)
            stacked.add_annotator(f"{a}@{d}")
            for s, e, l, _ in units[d][a]:
                c.add(a, Segment(s, e), l)
                stacked.add(f"{a}@{d}", Segment(s, e), l)
        if c.num_units:
            al = c.get_best_alignment(dissim)
            observed_sum += float(sum(u.disorder for u in al.unitary_alignments))
        else:
            observed_sum += 0.0
    observed = observed_sum / (total / n)
    whole_observed = None
    if whole:
        longest = max(e - s for d in shared for a in annotators for s, e, _, _ in units[d][a])
        gap = (n + 1) * longest
        c, offset = Continuum(), 0
        for a in annotators:
            c.add_annotator(a)
        for d in shared:
            for a in annotators:
                for s, e, l, _ in units[d][a]:
                    c.add(a, Segment(s + offset, e + offset), l)
            offset += len(docs[d]) + gap
        whole_observed = float(c.get_best_alignment(dissim).disorder)
    # Chance: pygamma measures the statistics on the stacked stretches, then samples.
    measure = StatisticalContinuumSampler()
    measure.init_sampling(stacked)
    sampler = StatisticalContinuumSampler()
    sampler.init_sampling_custom(
        annotators,
        measure._avg_nb_units_per_annotator,
        measure._std_nb_units_per_annotator,
        measure._avg_gap,
        measure._std_gap,
        measure._avg_unit_duration,
        measure._std_unit_duration,
        list(measure._categories),
        list(measure._categories_weight),
    )
    np.random.seed(12345)
    chance = [float(sampler.sample_from_continuum.get_best_alignment(dissim).disorder) for _ in range(samples)]
    expected = float(np.mean(chance))
    gamma = 1.0 if observed == 0 else 1 - observed / expected
    return {"gamma": gamma, "observed": observed, "whole_observed": whole_observed, "expected": expected}


# ---------------------------------------------------------------- agreement


def check_agreement(binary, name, project, tmp, whole_gamma):
    labels, docs, layers = load(binary, project, tmp)
    people = [a for a in sorted(layers) if a != "gold"]
    every = sorted(layers)
    if len(people) >= 2:
        annotators, extra = people, []
    elif len(every) >= 2:
        annotators, extra = every, ["--annotators", ",".join(every)]
    else:
        res = run(binary, "agreement", str(project), "--json", ok=False)
        lines = [l for l in res.stderr.splitlines() if l.strip()]
        check(res.returncode != 0 and len(lines) == 1 and "at least 2 annotators" in lines[0] and "panicked" not in res.stderr,
              f"{name}: agreement with one annotator: {res.stderr!r}")
        print(f"  agreement: one annotator ({', '.join(every)}); refused with: {lines[0] if lines else ''}")
        return
    res = run(binary, "agreement", str(project), "--json", "--gamma-samples", str(GAMMA_SAMPLES), *extra)
    ours = json.loads(res.stdout)
    check(ours["annotators"] == annotators, f"{name}: annotators {ours['annotators']} != {annotators}")
    check(set(ours) >= {"annotators", "documents", "pairs", "labels", "gamma"}, f"{name}: keys {sorted(ours)}")
    pairs = {(p["a"], p["b"], p["label"]): p for p in ours["pairs"]}
    check(len(pairs) == len(ours["pairs"]), f"{name}: repeated pair rows")
    n_pairs = 0
    for a, b in itertools.combinations(annotators, 2):
        both = [d for d in docs if spans_of(layers, a, d, labels) is not None and spans_of(layers, b, d, labels) is not None]
        true_docs = [spans_of(layers, a, d, labels) for d in both]
        pred_docs = [spans_of(layers, b, d, labels) for d in both]
        ref = nervaluate_results(true_docs, pred_docs, labels)
        for label in ["*", *labels]:
            what = f"{name}: {a} vs {b} {label}"
            row = pairs.get((a, b, label))
            check(row is not None, f"{what}: no row")
            if row is None:
                continue
            n_pairs += 1
            check_schemes(row, ref, label, what)
            # Symmetric pairwise F1.
            keep = (lambda s: True) if label == "*" else (lambda s, l=label: s[2] == l)
            m = na = nb = 0
            for ta, tb in zip(true_docs, pred_docs):
                ca = Counter((s, e, l) for s, e, l, _ in ta if keep((s, e, l)))
                cb = Counter((s, e, l) for s, e, l, _ in tb if keep((s, e, l)))
                m += sum((ca & cb).values())
                na += sum(ca.values())
                nb += sum(cb.values())
            close(row["f1"], None if na + nb == 0 else 2 * m / (na + nb), f"{what} pairwise f1")
            # Cohen's kappa over the characters of documents both annotated.
            x, y = [], []
            for d, ta, tb in zip(both, true_docs, pred_docs):
                x += codes(docs[d], ta, label)
                y += codes(docs[d], tb, label)
            close(row["cohen_kappa"], ref_cohen(x, y), f"{what} cohen_kappa")
    for label in ["*", *labels]:
        what = f"{name}: {label}"
        got = ours["labels"].get(label)
        check(got is not None, f"{what}: no labels entry")
        if got is None:
            continue
        # Fleiss: documents all annotated; alpha: all, missing as None.
        rows, matrix = [], [[] for _ in annotators]
        for d in docs:
            per = [spans_of(layers, a, d, labels) for a in annotators]
            if all(p is None for p in per):
                continue
            coded = [None if p is None else codes(docs[d], p, label) for p in per]
            length = len(next(c for c in coded if c is not None))
            for k, c in enumerate(coded):
                matrix[k] += c if c is not None else [None] * length
            if all(c is not None for c in coded):
                rows += [list(r) for r in zip(*coded)]
        close(got["fleiss_kappa"], ref_fleiss(rows), f"{what} fleiss_kappa")
        close(got["krippendorff_alpha"], ref_alpha(matrix), f"{what} krippendorff_alpha")
    g = gamma_reference(docs, layers, annotators, labels, GAMMA_SAMPLES, whole_gamma)
    detail = ours.get("gamma_detail", {})
    if g is None:
        check(ours["gamma"] is None, f"{name}: gamma {ours['gamma']} where pygamma has no units")
    else:
        close(detail.get("observed_disorder"), g["observed"], f"{name}: gamma observed disorder (per document)", 1e-5)
        if g["whole_observed"] is not None:
            close(detail.get("observed_disorder"), g["whole_observed"], f"{name}: gamma observed disorder (whole corpus)", 1e-5)
        close(ours["gamma"], g["gamma"], f"{name}: gamma", GAMMA_TOL)
    print(
        f"  agreement: {len(annotators)} annotators, {n_pairs} pair rows, {len(labels) + 1} label rows; "
        f"gamma {ours['gamma']} (pygamma {None if g is None else round(g['gamma'], 4)}, "
        f"observed {detail.get('observed_disorder')} vs {None if g is None else g['observed']})"
    )


# ---------------------------------------------------------------- eval


def ref_confusion(truth, pred, labels):
    none = "(none)"
    m = {r: {c: 0 for c in [*labels, none]} for r in [*labels, none]}
    tu, pu = [False] * len(truth), [False] * len(pred)
    for same_label in (True, False):
        for i, t in enumerate(truth):
            if tu[i]:
                continue
            for j, p in enumerate(pred):
                if not pu[j] and p[:2] == t[:2] and (not same_label or p[2] == t[2]):
                    tu[i] = pu[j] = True
                    m[t[2]][p[2]] += 1
                    break
    ov = []
    for i, t in enumerate(truth):
        for j, p in enumerate(pred):
            o = min(t[1], p[1]) - max(t[0], p[0])
            if not tu[i] and not pu[j] and o > 0:
                ov.append((-o, i, j))
    for _, i, j in sorted(ov):
        if not tu[i] and not pu[j]:
            tu[i] = pu[j] = True
            m[truth[i][2]][pred[j][2]] += 1
    for i, t in enumerate(truth):
        if not tu[i]:
            m[t[2]][none] += 1
    for j, p in enumerate(pred):
        if not pu[j]:
            m[none][p[2]] += 1
    return m


def check_eval(binary, name, project, tmp):
    labels, docs, layers = load(binary, project, tmp)
    every = sorted(layers)
    gold = "gold" if "gold" in every else every[0]
    preds = [a for a in every if a != gold] or [gold]
    for pred in preds[:3]:
        for subset in (labels, labels[:2]):
            args = ["eval", str(project), "--gold", gold, "--pred", pred, "--json"]
            if subset != labels:
                args += ["--labels", ",".join(subset)]
            ours = json.loads(run(binary, *args).stdout)
            check(list(ours) == ["overall", "per_label", "confusion"], f"{name}: eval keys {list(ours)}")
            both = [d for d in docs if spans_of(layers, gold, d, subset) is not None and spans_of(layers, pred, d, subset) is not None]
            t_docs = [spans_of(layers, gold, d, subset) for d in both]
            p_docs = [spans_of(layers, pred, d, subset) for d in both]
            ref = nervaluate_results(t_docs, p_docs, subset)
            what = f"{name}: eval {pred} vs {gold} ({','.join(subset)})"
            check_schemes(ours["overall"], ref, "*", f"{what} overall")
            check(list(ours["per_label"]) == subset, f"{what}: per_label keys {list(ours['per_label'])}")
            for label in subset:
                check_schemes(ours["per_label"][label], ref, label, f"{what} {label}")
            conf = {r: {c: 0 for c in [*subset, "(none)"]} for r in [*subset, "(none)"]}
            for t, p in zip(t_docs, p_docs):
                for r, row in ref_confusion([x[:3] for x in t], [x[:3] for x in p], subset).items():
                    for c, v in row.items():
                        conf[r][c] += v
            check(ours["confusion"] == conf, f"{what}: confusion {ours['confusion']} != {conf}")
        print(f"  eval: {pred} against {gold}, {len(both)} document(s), strict f1 {ours['overall']['strict']['f1']}")


def main():
    import tempfile
    from pathlib import Path

    binary = sys.argv[1]
    projects = [Path(p) for p in sys.argv[2:]]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        gen = tmp / "generated.jsonl"
        generated = []
        for k, (annotators, docs, seed) in enumerate([(4, 4, 1), (4, 2, 7), (2, 3, 3), (3, 3, 5)]):
            p = tmp / f"generated{k}"
            subprocess.run(
                [sys.executable, str(Path(__file__).with_name("make_agreement_project.py")), str(gen),
                 "--annotators", str(annotators), "--docs", str(docs), "--seed", str(seed)],
                check=True,
            )
            run(binary, "new", str(p))
            run(binary, "import", str(p), str(gen))
            generated.append((p, docs <= 2))
        for project, whole in [*[(p, False) for p in projects], *generated]:
            name = project.name
            print(f"{name}:")
            check_agreement(binary, name, project, tmp, whole)
            check_eval(binary, name, project, tmp)
    print(f"agreement checks: {PASSED} passed, {len(FAILURES)} failed")
    if FAILURES:
        sys.exit(1)


if __name__ == "__main__":
    main()
