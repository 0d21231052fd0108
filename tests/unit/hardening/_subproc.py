"""Run a snippet in a fresh interpreter, so that a crash fails one test instead of the suite."""

from __future__ import annotations

import subprocess
import sys
import textwrap

NO_TORCH = "import sys; sys.modules['torch'] = None\n"


def run_py(code: str, *args: str, timeout: int = 300, no_torch: bool = False):
    """Run ``code`` with the project interpreter; fail on a signal (negative return code)."""
    src = (NO_TORCH if no_torch else "") + textwrap.dedent(code)
    out = subprocess.run(
        [sys.executable, "-c", src, *args], capture_output=True, text=True, timeout=timeout
    )
    assert out.returncode >= 0, f"killed by signal {-out.returncode}\n{out.stderr[-3000:]}"
    return out
