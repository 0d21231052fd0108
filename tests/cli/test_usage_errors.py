"""Usage errors: Typer's usage message on stderr, exit status 2, no traceback.

Every leaf command gets an unknown option, a missing argument and (when it has a typed option) a
value of the wrong type, through ``geniml.cli.main`` in-process (the exact code of the console
script). One command of every command group, and every out-of-range case, also runs through the
installed ``geniml`` console script in a subprocess, so a crash or a wrong exit status there fails
the test too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import typer

from geniml.cli import app

GENIML = Path(sys.executable).with_name("geniml")

# Each leaf command: (argv prefix, arguments that satisfy its required parameters except one).
# The "missing" case drops the last required parameter; the "bad type" case adds a typed option.
COMMANDS: dict[str, dict] = {
    "coverage": {"missing": [], "bad": ["a.bed", "-g", "g", "-o", "o", "--smooth", "abc"]},
    "lh": {"missing": ["--model-file", "m", "--coverage-folder", "c"], "bad": None},
    "demo": {"missing": None, "bad": ["--data", "no/such/folder"]},
    "assess-universe": {"missing": [], "bad": None},
    "bed stats": {"missing": [], "bad": None},
    "bed validate": {"missing": [], "bad": None},
    "tokenize files": {
        "missing": ["a.bed", "-u", "u.bed"],
        "bad": ["a.bed", "-u", "u.bed", "-o", "o", "--threads", "abc"],
    },
    "tokenize coverage": {"missing": ["a.bed"], "bad": ["a.bed", "-u", "u", "--fraction", "x"]},
    "tokenize cells": {
        "missing": ["a.h5ad", "-u", "u"],
        "bad": ["a.h5ad", "-u", "u", "-o", "o", "--min-tokens", "abc"],
    },
    "tokenize fragments": {"missing": ["f.tsv.gz", "-u", "u"], "bad": None},
    "region2vec": {"missing": ["--token-folder", "t"], "bad": ["--embed-dim", "abc"]},
    "region2vec encode": {"missing": ["a.bed", "-m", "m"], "bad": None},
    "scembed train": {"missing": [], "bad": ["--save-dir", "s", "--epochs", "abc"]},
    "scembed encode": {"missing": ["a.h5ad", "-m", "m"], "bad": None},
    "eval embeddings": {"missing": [], "bad": None},
    "eval annotation": {"missing": [], "bad": None},
    "eval cluster": {"missing": [], "bad": ["--method", "nosuch"]},
    "eval ctt": {"missing": [], "bad": ["--num-samples", "abc"]},
    "eval rct": {"missing": [], "bad": ["--cv-num", "abc"]},
    "eval gdst": {"missing": [], "bad": ["--num-samples", "abc"]},
    "eval npt": {"missing": [], "bad": ["--K", "abc"]},
    "eval plot": {"missing": [], "bad": ["--method", "nosuch"]},
    "universe lh": {"missing": ["--model-file", "m", "--coverage-folder", "c"], "bad": None},
    "universe evaluate": {"missing": [], "bad": None},
    "universe build cc": {"missing": [], "bad": ["-o", "u.bed", "--cutoff", "abc"]},
    "universe build ccf": {"missing": [], "bad": ["-o", "u.bed", "--confidence", "abc"]},
    "universe build ml": {"missing": [], "bad": ["-o", "u.bed", "--file-no", "abc"]},
    "universe build hmm": {"missing": [], "bad": ["-o", "u.bed", "--states", "abc"]},
    "build-universe cc": {"missing": [], "bad": ["-o", "u.bed", "--merge", "abc"]},
    "build-universe ccf": {"missing": [], "bad": ["-o", "u.bed", "--filter-size", "abc"]},
    "build-universe ml": {"missing": [], "bad": ["-o", "u.bed", "--smooth", "abc"]},
    "build-universe hmm": {"missing": [], "bad": ["-o", "u.bed", "--merge", "abc"]},
    "bedshift": {"missing": [], "bad": ["--iterations", "abc"]},
    "bbclient cache-bed": {"missing": [], "bad": None},
    "bbclient cache-bedset": {"missing": [], "bad": None},
    "bbclient seek": {"missing": [], "bad": None},
    "bbclient inspect-bedfiles": {"missing": None, "bad": None},  # no required parameter
    "bbclient inspect-bedsets": {"missing": None, "bad": None},
    "bbclient rm": {"missing": [], "bad": None},
    "bedspace preprocess": {"missing": [], "bad": None},
    "bedspace train": {"missing": [], "bad": ["-i", "p.txt", "-o", "m", "--dim", "abc"]},
    "bedspace distances": {"missing": [], "bad": None},
    "bedspace search": {"missing": None, "bad": ["-t", "r2l", "-q", "q.bed", "-n", "abc"]},
    "search build": {"missing": [], "bad": None},
    "search query": {"missing": [], "bad": ["idx", "--text", "t", "-n", "abc"]},
}

# Values of the right type but outside the range the option accepts.
OUT_OF_RANGE = [
    ["tokenize", "files", "a.bed", "-u", "u.bed", "-o", "o", "--threads", "-1"],
    ["tokenize", "files", "a.bed", "-u", "u.bed", "-o", "o", "--fraction", "1.5"],
    ["tokenize", "coverage", "a.bed", "-u", "u.bed", "--fraction", "-0.1"],
    ["region2vec", "--token-folder", "t", "--save-dir", "s", "--threads", "-1"],
    ["universe", "build", "cc", "-o", "u.bed", "--bed-folder", "b", "--cutoff", "-1"],
    ["eval", "rct", "m", "--binary", "b", "--threads", "0"],
]


def _leaf_commands() -> set[str]:
    out: set[str] = set()

    def walk(cmd, path: list[str]) -> None:
        subs = getattr(cmd, "commands", None)
        if path and getattr(cmd, "invoke_without_command", False):
            out.add(" ".join(path))  # a group that runs on its own (region2vec training)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*path, name])
        else:
            out.add(" ".join(path))

    walk(typer.main.get_command(app), [])
    return out


def _cases() -> list[tuple[str, list[str], str]]:
    """(command, argv, expected text) for every leaf command and error kind."""
    cases = []
    for name, spec in COMMANDS.items():
        cmd = name.split()
        cases.append((name, [*cmd, "--no-such-option"], "No such option"))
        if spec["missing"] is not None:  # None: the command has no required parameter
            cases.append((name, [*cmd, *spec["missing"]], "Missing|required"))
        if spec["bad"]:
            cases.append((name, [*cmd, *spec["bad"]], "Invalid value"))
    return cases


# One leaf command per command group for the subprocess runs.
GROUP_REPRESENTATIVES = [
    "coverage",
    "bed validate",
    "tokenize files",
    "region2vec",
    "scembed train",
    "eval ctt",
    "universe build cc",
    "universe lh",
    "build-universe hmm",
    "bedspace train",
    "search query",
    "bedshift",
    "bbclient seek",
]


def _run_all(argvs: list[list[str]], cwd: Path) -> list[subprocess.CompletedProcess]:
    env = {**os.environ, "GENIML_NO_PROGRESS": "1", "COLUMNS": "200"}

    def one(argv: list[str]) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(GENIML), *argv], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(one, argvs))


def _check(argv: list[str], code: int, stderr: str, expected: str) -> None:
    where = f"geniml {' '.join(argv)}"
    assert code == 2, f"{where}: exit {code}\n{stderr[-2000:]}"
    assert "Traceback" not in stderr, f"{where}:\n{stderr[-2000:]}"
    assert "Usage:" in stderr, f"{where}: no usage message\n{stderr[-2000:]}"
    assert any(e in stderr for e in expected.split("|")), f"{where}: no {expected!r}\n{stderr}"


@pytest.fixture(scope="module")
def geniml_bin() -> Path:
    if GENIML.exists():
        return GENIML
    found = shutil.which("geniml")
    if found is None:
        pytest.fail("the geniml console script is not installed next to the interpreter")
    return Path(found)


def test_table_covers_every_command():
    assert set(COMMANDS) == _leaf_commands()


@pytest.mark.parametrize(("name", "argv", "expected"), _cases(), ids=lambda v: str(v))
def test_usage_error_in_process(name, argv, expected, monkeypatch, capsys, tmp_path):
    from geniml.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr(sys, "argv", ["geniml", *argv])
    with pytest.raises(SystemExit) as ex:
        main()
    _check(argv, ex.value.code, capsys.readouterr().err, expected)


def test_usage_errors_through_console_script(geniml_bin, tmp_path):
    cases = [c for c in _cases() if c[0] in GROUP_REPRESENTATIVES]
    cases += [("nosuch", ["nosuch"], "No such command")]
    cases += [("", argv, "Invalid value") for argv in OUT_OF_RANGE]
    outs = _run_all([argv for _, argv, _ in cases], tmp_path)
    for (_, argv, expected), out in zip(cases, outs, strict=True):
        _check(argv, out.returncode, out.stderr, expected)
        assert "OverflowError" not in out.stderr
