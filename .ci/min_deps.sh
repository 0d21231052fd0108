#!/usr/bin/env bash
# The lower ends of the core dependency ranges: a clean venv with exactly the minimum version of
# every core dependency in pyproject.toml (no [ml]), geniml from the wheel in dist/, then the core
# tests (the ones that need no torch/anndata/scipy). Usage: .ci/min_deps.sh [PYTHON]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-python3}
VENV=.venv-min
rm -rf "$VENV"
"$PY" -m venv "$VENV"
pins=$("$VENV/bin/python" - <<'PYEOF'
import re, tomllib
deps = tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]
for d in deps:
    m = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*>=\s*([0-9.]+)(,.*)?", d.strip())
    if not m:
        raise SystemExit(f"no lower bound in dependency {d!r}")
    print(f"{m.group(1)}=={m.group(2)}")
PYEOF
)
echo "minimum core dependencies: $(echo $pins)"
"$VENV/bin/python" -m pip install -q $pins pytest hypothesis
"$VENV/bin/python" -m pip install -q --no-deps dist/geniml-*.whl
"$VENV/bin/python" -m pip check
# core tests: BED I/O, tokenizer, universes, the core CLI, properties, the missing-extra message
"$VENV/bin/python" -m pytest -q -p no:cacheprovider \
  tests/unit/io/test_read_bed.py tests/unit/io/test_malformed.py \
  tests/unit/tokenization/test_tokenizer.py tests/unit/universe tests/property \
  tests/cli/test_bed_cli.py tests/cli/test_tokenize_cli.py tests/cli/test_universe_cli.py \
  tests/test_missing_extra.py tests/test_no_torch.py \
  --deselect tests/cli/test_tokenize_cli.py::test_coverage_cells_fragments
rm -rf "$VENV"
