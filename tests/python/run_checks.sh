#!/usr/bin/env bash
# Checks spanbench's exports with spaCy, seqeval, Hugging Face datasets and brat's
# rules, and its agreement and eval figures with nervaluate, statsmodels, krippendorff
# and pygamma-agreement, in a virtual environment under target/ (created on first
# use). Exits non-zero on any failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
venv="${SPANBENCH_PY_VENV:-$root/target/py-venv}"
req="$root/tests/python/requirements.txt"
python="${PYTHON:-python3}"

if [[ ! -x "$venv/bin/python" ]]; then
    if ! "$python" -m venv "$venv"; then
        # Debian's python3 ships venv's pip bootstrap separately.
        rm -rf "$venv"
        apt-get update -qq && apt-get install -y -qq python3-venv
        "$python" -m venv "$venv"
    fi
fi
# Reinstall only when the pins change, so repeated runs need no network.
stamp="$venv/.requirements"
if ! cmp -s "$req" "$stamp"; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
    cp "$req" "$stamp"
fi

cargo build --quiet --bin spanbench
bin="${CARGO_TARGET_DIR:-$root/target}/debug/spanbench"

# Copies: commands that read a whole project keep their index cache inside it, and the
# source tree's sample is embedded in the binary.
copies="$(mktemp -d)"
trap 'rm -rf "$copies"' EXIT
copy_project() {
    cp -r "$1" "$copies/$(basename "$1")"
    rm -rf "$copies/$(basename "$1")/.spanbench-cache"
    echo "$copies/$(basename "$1")"
}
projects=("$(copy_project "$root/tests/fixtures/unicode-project")")
if [[ -f "$root/projects/karabakh/project.ron" ]]; then
    projects+=("$(copy_project "$root/projects/karabakh")")
else
    echo "python checks: projects/karabakh not found; checking the test project only" >&2
fi

# Model downloads and hub look-ups are never needed: keep them off.
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 HF_HOME="${TMPDIR:-/tmp}/spanbench-hf-home"
"$venv/bin/python" "$root/tests/python/check_exports.py" "$bin" "${projects[@]}"
# Agreement and eval figures against the reference implementations, on the projects
# above and on generated multi-annotator projects.
"$venv/bin/python" "$root/tests/python/check_agreement.py" "$bin" "${projects[@]}"
