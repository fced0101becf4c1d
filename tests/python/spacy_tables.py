"""Prints src/formats/spacy/tables.rs from the installed spaCy: its reserved strings
(stored by index rather than by hash) and the norms its vocabularies give punctuation
and currency signs before lower-casing. The consumer checks compare the file with this
output, so a spaCy upgrade that changes either table fails them.

    target/py-venv/bin/python tests/python/spacy_tables.py > src/formats/spacy/tables.rs
"""

import json

import spacy
from spacy import symbols
from spacy.lang.norm_exceptions import BASE_NORMS


def rust_str(s):
    # JSON string escapes are valid Rust escapes for these (ASCII-only escapes).
    return json.dumps(s, ensure_ascii=False)


def render():
    ids = sorted(symbols.IDS.items(), key=lambda kv: kv[1])
    assert [v for _, v in ids] == list(range(len(ids)))
    out = [
        f"//! Tables from spaCy {spacy.__version__}, printed by tests/python/spacy_tables.py; the",
        "//! consumer checks compare this file with that script's output.",
        "",
        "/// spaCy's reserved strings (`spacy.symbols.IDS`): `SYMBOLS[id]` is stored as `id`",
        "/// instead of its hash.",
        "#[rustfmt::skip]",
        f"pub(super) const SYMBOLS: [&str; {len(ids)}] = [",
    ]
    out += [f"    {rust_str(name)}," for name, _ in ids]
    out += [
        "];",
        "",
        "/// The norms every spaCy vocabulary gives these words before lower-casing",
        "/// (`spacy.lang.norm_exceptions.BASE_NORMS`).",
        "#[rustfmt::skip]",
        f"pub(super) const BASE_NORMS: [(&str, &str); {len(BASE_NORMS)}] = [",
    ]
    out += [f"    ({rust_str(k)}, {rust_str(v)})," for k, v in BASE_NORMS.items()]
    out += ["];"]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(render(), end="")
