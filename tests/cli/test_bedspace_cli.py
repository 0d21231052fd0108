"""`geniml bedspace`: the seed's four commands as written, upstream's spellings, usage errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from geniml.io import BedSet

GENIML = Path(sys.executable).parent / "geniml"
DIFFBIND = "bedsets/diffbind_er_chr18_hg19"


def _run(args: str, cwd: Path, ok: bool = True) -> subprocess.CompletedProcess:
    env = os.environ | {"GENIML_NO_PROGRESS": "1"}
    res = subprocess.run(
        [str(GENIML), *__import__("shlex").split(args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if ok:
        assert res.returncode == 0, res.stderr
    return res


@pytest.fixture
def workdir(shared_data, tmp_path):
    """regions/, labels.csv (file_name, cell_type, tissue) and universe.bed, as the seed has them."""
    src = shared_data / DIFFBIND
    (tmp_path / "regions").mkdir()
    for p in sorted(src.glob("*.bed")):
        (tmp_path / "regions" / p.name).symlink_to(p)
    meta = pl.read_csv(src / "metadata.tsv", separator="\t")
    pl.DataFrame(
        {"file_name": meta["file"], "cell_type": meta["Tissue"], "tissue": meta["Condition"]}
    ).write_csv(tmp_path / "labels.csv")
    BedSet(src).to_regionset().sort().merge(0).to_bed(tmp_path / "universe.bed")
    return tmp_path


def test_seed_commands_as_written(workdir):
    _run(
        "bedspace preprocess --input regions/ --metadata labels.csv --universe universe.bed "
        '--labels "cell_type,tissue" --output preprocessed.txt',
        workdir,
    )
    first = (workdir / "preprocessed.txt").read_text().split("\n")[0]
    assert first.endswith("__label__BT474 __label__Resistant") and first.startswith("chr18_")
    _run(
        "bedspace train --input preprocessed.txt --output model/ --dim 100 --epochs 50 --lr 0.05",
        workdir,
    )
    assert (workdir / "model" / "starspace_trained_model.tsv").is_file()
    _run(
        "bedspace distances --input model/ --metadata labels.csv --universe universe.bed "
        "--output distances.pkl",
        workdir,
    )
    for f in ("distances.pkl", "raw_cosdist_rl.csv", "similarity_score_rr.csv"):
        assert (workdir / f).is_file()
    res = _run("bedspace search -t r2l -d distances.pkl -q regions/MCF71.bed -n 10 --tsv", workdir)
    rows = [r.split("\t") for r in res.stdout.strip().split("\n")]
    assert rows[0] == ["query", "hit", "score", "rank"]
    assert {r[1] for r in rows[1:]} == {"BT474", "MCF7", "T47D", "ZR75", "Resistant", "Responsive"}
    plain = _run(
        "bedspace search -t r2l -d distances.pkl -q regions/MCF71.bed -n 10 --tsv --neighbours 0",
        workdir,
    )
    assert plain.stdout != res.stdout  # the default neighbour vote changes the scores
    bad = _run("bedspace search -t r2l -d distances.pkl -q MCF71.bed -k -1", workdir, ok=False)
    assert bad.returncode == 2 and "neighbours" in bad.stderr
    res = _run("bedspace search -t l2r -d distances.pkl -q MCF7 -n 3 --plot hits.png", workdir)
    assert "MCF7" in res.stdout and (workdir / "hits.png").read_bytes()[:4] == b"\x89PNG"
    # upstream's spellings: positional query and --num-results
    res = _run(
        "bedspace search regions/ZR751.bed --type r2r -d distances.pkl --num-results 1 --tsv",
        workdir,
    )
    assert res.stdout.strip().split("\n")[1].split("\t")[1] == "ZR751.bed"


def test_upstream_flags_with_starspace(workdir, shared_data):
    where = os.environ.get("GENIML_STARSPACE")
    if not where or not (Path(where) / "starspace").is_file():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but GENIML_STARSPACE does not hold the StarSpace binary")
        pytest.skip("StarSpace not available (GENIML_STARSPACE)")
    where = str(Path(where).resolve())  # the commands run in a temporary folder
    _run(
        "bedspace preprocess -i regions/ -m labels.csv -u universe.bed -l cell_type -o p.txt",
        workdir,
    )
    _run(f"bedspace train -s {where} -i p.txt -o ss/ -n 5 -d 16 -l 0.05", workdir)
    assert "trainer: starspace" in (workdir / "ss" / "config.yaml").read_text()
    _run(f"bedspace train --path-to-starsapce {where} -i p.txt -o ss2/ -n 2 -d 8", workdir)
    _run(
        f"bedspace distances -i ss/ --metadata-train labels.csv --metadata-test labels.csv "
        f"-u universe.bed -f regions/ -p proj -l cell_type -o out.pkl --threshold 0.4 -s {where}",
        workdir,
    )
    res = _run("bedspace search -t l2r -d out.pkl -q T47D -n 2 --tsv", workdir)
    assert len(res.stdout.strip().split("\n")) == 3


def test_errors(workdir):
    from typer.testing import CliRunner

    from geniml.cli import app

    res = CliRunner().invoke(app, ["bedspace", "search", "-t", "bogus", "-q", "x"])
    assert res.exit_code == 2 and "bogus" in res.output
    res = _run(
        "bedspace preprocess --input regions/ --metadata labels.csv --universe universe.bed "
        "--labels donor --output p.txt",
        workdir,
        ok=False,
    )
    assert res.returncode == 1 and "error:" in res.stderr and "'donor'" in res.stderr
    assert "Traceback" not in res.stderr
    res = _run("bedspace search -t l2r -d missing.pkl -q MCF7", workdir, ok=False)
    assert res.returncode == 1 and "missing.pkl" in res.stderr
