"""Under CI=true a parity test whose peer is missing fails instead of skipping silently."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

CASE = """
import pytest

@pytest.mark.parity
def test_needs_a_peer():
    pytest.skip("peer X is not installed")

def test_plain_skip():
    pytest.skip("not a parity test")
"""


def _run(tmp_path: Path, ci: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_case.py").write_text(CASE)
    env = {**os.environ, "CI": ci, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "tests.conftest",
            "-p",
            "no:cacheprovider",
            "-W",
            "ignore::pytest.PytestUnknownMarkWarning",
            str(tmp_path / "test_case.py"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )


def test_missing_peer_fails_on_ci(tmp_path):
    out = _run(tmp_path, "true")
    assert out.returncode == 1, out.stdout
    assert "1 failed, 1 skipped" in out.stdout, out.stdout
    assert "skipped under CI=true (a peer is missing): " in out.stdout


def test_missing_peer_skips_locally(tmp_path):
    out = _run(tmp_path, "")
    assert out.returncode == 0 and "2 skipped" in out.stdout, out.stdout
