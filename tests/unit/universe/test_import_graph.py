"""The universe package imports one way: coverage -> _shared -> builders / likelihood -> assess."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import geniml.universe

PKG = Path(geniml.universe.__file__).parent
MODULES = sorted(p.stem for p in PKG.glob("*.py") if p.stem != "__init__")


def _graph() -> dict[str, set[str]]:
    """Intra-package imports of each module, lazy (function-level) ones included."""
    graph: dict[str, set[str]] = {}
    for name in MODULES:
        tree = ast.parse((PKG / f"{name}.py").read_text())
        deps: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                mods = [node.module]
            elif isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            else:
                continue
            for m in mods:
                if m.startswith("geniml.universe."):
                    deps.add(m.split(".")[2])
                elif m == "geniml.universe":
                    deps.add("__init__")
        graph[name] = deps
    return graph


def test_the_import_graph_has_no_cycle():
    graph = _graph()
    assert all("__init__" not in d for d in graph.values()), graph  # never the package itself
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(n: str, stack: list[str]) -> None:
        if state.get(n) == "done":
            return
        assert state.get(n) != "open", f"import cycle: {' -> '.join([*stack, n])}"
        state[n] = "open"
        for d in sorted(graph[n]):
            visit(d, [*stack, n])
        state[n] = "done"
        order.append(n)

    for n in MODULES:
        visit(n, [])
    # the intended layering
    assert graph["coverage"] == set()
    assert graph["_shared"] == {"coverage"}
    assert graph["likelihood"] <= {"coverage", "_shared"}
    assert graph["builders"] <= {"coverage", "_shared", "likelihood"}
    assert not any("assess" in d for d in graph.values())  # assess sits on top
    assert order.index("_shared") < min(order.index(m) for m in ("builders", "likelihood"))


@pytest.mark.parametrize("first", MODULES)
def test_each_module_imports_first_in_a_fresh_interpreter(first):
    others = [m for m in MODULES if m != first]
    code = "; ".join(f"import geniml.universe.{m}" for m in [first, *others, *reversed(others)])
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
