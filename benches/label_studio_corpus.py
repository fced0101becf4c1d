"""Generates the Label Studio corpus of docs/PERFORMANCE.md and times importing it.

Usage:
  python3 benches/label_studio_corpus.py OUT.json [--tasks=N]
  python3 benches/label_studio_corpus.py OUT.json --time [--spanbench=PATH] [--rounds=N] [--reuse]

Writes a Label Studio JSON export of the synthetic corpus of benches/export.rs (10,000
news-length documents of 220 words, 50 spans each: 500,000 spans, same generator as
benches/compare_python.py), with every field Label Studio 1.x writes for a task, an
annotation and a result, so the file is the size of a real export (about 113 MB).

With --time it imports the file into a new spanbench project (`spanbench new`, then
`spanbench import`, timed with /usr/bin/time -v for wall-clock time and peak memory),
then times `stats`, `validate` and an export to every format. Where `label-studio` is on
PATH it also starts a Label Studio server on a scratch data folder, creates a project
with the same labels, and times the same import and the same two exports through its
API, so both sides are measured on the same machine. Nothing is downloaded. --reuse
times an OUT.json written earlier instead of writing it again.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_python import LABELS, synthetic_corpus  # noqa: E402

STAMP = "2024-05-01T10:00:00.000000Z"
# Every export format of spanbench, with where it writes. Label Studio is timed on the
# first two only (it has no exact counterpart of the others).
EXPORTS = (
    ("label-studio", "ls.json"),
    ("conll", "out.conll"),
    ("spans-jsonl", "spans.jsonl"),
    ("doccano", "doccano.jsonl"),
    ("brat", "brat"),
    ("hf-tokens", "hf.jsonl"),
    ("csv", "spans.csv"),
    ("spacy", "train.spacy"),
)


def region_id(task, k):
    # Label Studio's region ids are 10 random letters and digits; these are stable.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    n = task * 1000 + k + 7919
    out = []
    for _ in range(10):
        n = (n * 2654435761 + 97) % (1 << 32)
        out.append(alphabet[n % len(alphabet)])
    return "".join(out)


def task_json(i, doc):
    result = []
    for k, s in enumerate(doc["spans"]):
        result.append({
            "value": {"start": s["start"], "end": s["end"], "text": s["text"], "labels": [s["label"]]},
            "id": region_id(i, k),
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
        })
    annotation = {
        "id": i + 1,
        "completed_by": 1,
        "result": result,
        "was_cancelled": False,
        "ground_truth": False,
        "created_at": STAMP,
        "updated_at": STAMP,
        "draft_created_at": None,
        "lead_time": 42.5,
        "prediction": {},
        "result_count": len(result),
        "unique_id": f"5f0e{i:08x}-0000-4000-8000-{i:012x}",
        "import_id": None,
        "last_action": None,
        "bulk_created": False,
        "task": i + 1,
        "project": 1,
        "updated_by": 1,
        "parent_prediction": None,
        "parent_annotation": None,
        "last_created_by": None,
    }
    return {
        "id": i + 1,
        "annotations": [annotation],
        "file_upload": "corpus.json",
        "drafts": [],
        "predictions": [],
        "data": {"text": doc["text"], "doc_id": doc["id"]},
        "meta": {},
        "created_at": STAMP,
        "updated_at": STAMP,
        "inner_id": i + 1,
        "total_annotations": 1,
        "cancelled_annotations": 0,
        "total_predictions": 0,
        "comment_count": 0,
        "unresolved_comment_count": 0,
        "last_comment_updated_at": None,
        "project": 1,
        "updated_by": 1,
        "comment_authors": [],
    }


def write_corpus(out, tasks):
    docs = synthetic_corpus(tasks)
    with open(out, "w", encoding="utf-8") as f:
        # One line, with Python's default separators, as Label Studio's JSON export.
        json.dump([task_json(i, d) for i, d in enumerate(docs)], f, ensure_ascii=False)
    return len(docs)


def label_config():
    labels = "".join(f'<Label value="{l}"/>' for l in LABELS)
    return f'<View><Labels name="label" toName="text">{labels}</Labels><Text name="text" value="$text"/></View>'


def timed(cmd, cwd=None):
    """Runs cmd under /usr/bin/time -v; returns (seconds, peak resident MB)."""
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v", *cmd], cwd=cwd, capture_output=True, text=True)
    took = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{p.stderr[-2000:]}")
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    return took, int(peak.group(1)) / 1024 if peak else float("nan")


def time_spanbench(corpus, exe, rounds):
    rows = []
    for r in range(rounds):
        work = Path(tempfile.mkdtemp(prefix="spanbench-ls-"))
        try:
            subprocess.run([exe, "new", str(work / "p")], check=True, capture_output=True)
            rows.append(("import (one file)", *timed([exe, "import", str(work / "p"), str(corpus)])))
            rows.append(("stats", *timed([exe, "stats", str(work / "p")])))
            rows.append(("validate", *timed([exe, "validate", str(work / "p")])))
            for fmt, out in EXPORTS:
                rows.append((f"export {fmt}", *timed(
                    [exe, "export", str(work / "p"), "--format", fmt, "-o", str(work / out)])))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return rows


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(base, token, method, path, body=None, raw=None, content_type="application/json"):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", f"Token {token}")
    if data is not None:
        req.add_header("Content-Type", content_type)
    with urllib.request.urlopen(req, timeout=3600) as r:
        return r.read()


def time_label_studio(corpus, rounds):
    """Times Label Studio's import and exports of the same file through its API."""
    rows = []
    data_dir = Path(tempfile.mkdtemp(prefix="label-studio-bench-"))
    port = free_port()
    token = "spanbenchbenchtoken0123456789abcdef0123"
    env = dict(os.environ, LABEL_STUDIO_BASE_DATA_DIR=str(data_dir),
               LABEL_STUDIO_USERNAME="bench@example.com", LABEL_STUDIO_PASSWORD="bench-password",
               LABEL_STUDIO_USER_TOKEN=token, LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK="true",
               DATA_UPLOAD_MAX_MEMORY_SIZE=str(1 << 30))
    server = subprocess.Popen(["label-studio", "start", "--no-browser", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                api(base, token, "GET", "/api/projects")
                break
            except Exception:
                time.sleep(1)
        else:
            sys.exit("label-studio did not start within 10 minutes")
        body = corpus.read_bytes()
        for _ in range(rounds):
            project = json.loads(api(base, token, "POST", "/api/projects",
                                     {"title": "bench", "label_config": label_config()}))
            pid = project["id"]
            t0 = time.perf_counter()
            api(base, token, "POST", f"/api/projects/{pid}/import?commit_to_project=true", raw=body)
            rows.append(("import (one file)", time.perf_counter() - t0, float("nan")))
            for fmt, name in (("JSON", "label-studio"), ("CONLL2003", "conll")):
                t0 = time.perf_counter()
                api(base, token, "GET", f"/api/projects/{pid}/export?exportType={fmt}")
                rows.append((f"export {name}", time.perf_counter() - t0, float("nan")))
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(data_dir, ignore_errors=True)
    return rows


def best(rows):
    out = {}
    for name, secs, mb in rows:
        if name not in out or secs < out[name][0]:
            out[name] = (secs, mb)
    return out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        sys.exit(__doc__)
    out = Path(args[0])
    opts = dict(a[2:].split("=", 1) if "=" in a else (a[2:], "1") for a in sys.argv[1:] if a.startswith("--"))
    tasks = int(opts.get("tasks", 10_000))
    if "reuse" in opts and out.is_file():
        print(f"reusing {out}: {out.stat().st_size / 1e6:.1f} MB")
    else:
        t0 = time.perf_counter()
        n = write_corpus(out, tasks)
        print(f"wrote {out}: {n} tasks, {out.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s")
    if "time" not in opts:
        return
    rounds = int(opts.get("rounds", 3))
    root = Path(__file__).resolve().parent.parent
    exe = opts.get("spanbench") or str(root / "target" / "release" / "spanbench")
    load = os.getloadavg()[0]
    ours = best(time_spanbench(out, exe, rounds))
    theirs = best(time_label_studio(out, rounds)) if shutil.which("label-studio") else None
    print(f"load average at start: {load:.2f}; best of {rounds} round(s)")
    print(f"{'operation':<22} {'spanbench (s)':>14} {'peak MB':>8} {'Label Studio (s)':>17} {'ratio':>7}")
    for name, (secs, mb) in ours.items():
        if theirs and name in theirs:
            ls = theirs[name][0]
            print(f"{name:<22} {secs:>14.3f} {mb:>8.0f} {ls:>17.3f} {ls / secs:>6.1f}x")
        else:
            print(f"{name:<22} {secs:>14.3f} {mb:>8.0f} {'-':>17} {'-':>7}")
    if theirs is None:
        print("label-studio is not on PATH: Label Studio was not timed")


if __name__ == "__main__":
    main()
