"""Check a built wheel: tag, glibc floor, contents; install it in a clean venv; smoke-test it.

Usage: python .ci/check_wheel.py dist/   (what `make wheel-check` and .ci/run call)
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import tomllib
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TAG = "cp310-abi3-manylinux_2_17_x86_64"  # one of the WHEEL file's tags
GLIBC_MAX = (2, 17)

SMOKE = r"""
import subprocess, sys
from pathlib import Path
import geniml
from geniml import datasets
from geniml.io import BedSet
from geniml.tokenization import Tokenizer

bs = BedSet(datasets.hg38_sample())
tok = Tokenizer.from_bed(datasets.hg38_universe())
ids = tok.tokenize(datasets.hg38_sample() / "Example1.bed.gz").ids
assert len(bs) == 13 and tok.vocab_size == 2385 and len(ids) >= 50, (len(bs), len(ids))
try:
    import torch  # noqa: F401
except ImportError:
    pass
else:
    raise SystemExit("torch is importable in the clean core venv")
# an ML feature on a core install: one line naming the extra, exit 1
exe = Path(sys.executable).parent / "geniml"
r = subprocess.run([str(exe), "region2vec", "encode", "--model", str(datasets.region2vec_hg38()),
                    str(datasets.hg38_sample() / "Example1.bed.gz"), "--output", "v.npy"],
                   capture_output=True, text=True)
want = "error: this needs `pip install 'geniml[ml]'` (torch is not installed)"
assert r.returncode == 1 and r.stderr.strip() == want, (r.returncode, r.stderr)
print(f"smoke ok {geniml.__version__}: 13 bundled BED files, {len(ids)} tokens, ML hint on a core install")
"""


def fail(msg: str) -> None:
    print(f"check_wheel: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def cargo_version() -> str:
    return tomllib.loads((ROOT / "Cargo.toml").read_text())["workspace"]["package"]["version"]


def check_archive(whl: Path, version: str) -> None:
    name = whl.name
    if not name.startswith(f"geniml-{version}-cp310-abi3-") or "manylinux_2_17_x86_64" not in name:
        fail(f"{name}: expected geniml-{version}-cp310-abi3-...manylinux_2_17_x86_64.whl")
    with zipfile.ZipFile(whl) as zf:
        names = zf.namelist()
        wheel_meta = zf.read(f"geniml-{version}.dist-info/WHEEL").decode()
        tags = [
            ln.split(":", 1)[1].strip() for ln in wheel_meta.splitlines() if ln.startswith("Tag:")
        ]
        if not any(t.startswith(TAG) for t in tags):
            fail(f"{name}: WHEEL tags {tags} do not include {TAG}")
        so = [n for n in names if re.fullmatch(r"geniml/_core\.abi3\.so", n)]
        if not so:
            fail(f"{name}: no geniml/_core.abi3.so inside")
        needed = set(re.findall(rb"GLIBC_(\d+)\.(\d+)", zf.read(so[0])))
        newest = max((int(a), int(b)) for a, b in needed)
        if newest > GLIBC_MAX:
            fail(f"{name}: _core needs GLIBC_{newest[0]}.{newest[1]} > 2.17")
        required = ["geniml/__init__.py", "geniml/py.typed", "geniml/cli/__init__.py"]
        required += [n for n in _datasets_manifest() if n]
        missing = [r for r in required if r not in names]
        if missing:
            fail(f"{name}: missing from the wheel: {missing}")
        size = whl.stat().st_size
    print(
        f"check_wheel: {name}: tags {tags}, glibc <= {newest[0]}.{newest[1]}, "
        f"{len(names)} files, {size / 1e6:.1f} MB"
    )


def _datasets_manifest() -> list[str]:
    """Files of geniml.datasets' bundle that must ship in the wheel (empty before it exists)."""
    data = ROOT / "python" / "geniml" / "datasets" / "_data"
    if not data.is_dir():
        return []
    return [str(p.relative_to(ROOT / "python")) for p in sorted(data.rglob("*")) if p.is_file()]


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def check_install(whl: Path, version: str) -> None:
    with tempfile.TemporaryDirectory(prefix="geniml-wheel-") as tmp:
        env_dir = Path(tmp) / "venv"
        venv.EnvBuilder(with_pip=True).create(env_dir)
        py, exe = env_dir / "bin" / "python", env_dir / "bin" / "geniml"
        out = run([str(py), "-m", "pip", "install", "-q", str(whl)])
        if out.returncode:
            fail(f"pip install {whl.name}: {out.stderr[-2000:]}")
        out = run([str(exe), "--help"], cwd=tmp)
        if out.returncode or "tokenize" not in out.stdout:
            fail(f"geniml --help: rc {out.returncode}: {out.stderr[-2000:]}")
        out = run([str(exe), "--version"], cwd=tmp)
        if out.stdout.strip() != f"geniml {version}":
            fail(f"geniml --version printed {out.stdout!r}")
        out = run([str(py), "-c", SMOKE], cwd=tmp)
        if out.returncode:
            fail(f"core smoke test: {out.stderr[-2000:]}")
        print(f"check_wheel: clean venv: --help, --version ({version}), {out.stdout.strip()}")


def main() -> None:
    dist = Path(sys.argv[1] if len(sys.argv) > 1 else "dist")
    wheels = sorted(dist.glob("geniml-*.whl"))
    if len(wheels) != 1:
        fail(f"expected one wheel in {dist}, found {[w.name for w in wheels]}")
    version = cargo_version()
    check_archive(wheels[0], version)
    check_install(wheels[0], version)


if __name__ == "__main__":
    main()
