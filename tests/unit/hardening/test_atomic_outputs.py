"""Class 5: outputs made of several files are replaced as a whole, or not at all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from geniml._atomic import atomic_file, atomic_folder
from geniml.exceptions import BedParseError, GenimlValueError, UniverseError
from tests.unit.hardening._subproc import run_py


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _no_temporaries(parent: Path) -> None:
    left = [p.name for p in parent.iterdir() if p.name.startswith(".") and "tmp-" in p.name]
    assert not left, f"temporary outputs left behind: {left}"


# -- the helper ---------------------------------------------------------------------------------


def test_atomic_file_failure_keeps_old(tmp_path):
    out = tmp_path / "a.txt"
    out.write_text("old")
    with pytest.raises(FileExistsError):
        with atomic_file(out) as tmp:
            tmp.write_text("new")
    with pytest.raises(RuntimeError), atomic_file(out, force=True) as tmp:
        tmp.write_text("half")
        raise RuntimeError("writer failed")
    assert out.read_text() == "old"
    _no_temporaries(tmp_path)


def test_atomic_folder_swaps_as_a_whole(tmp_path):
    out = tmp_path / "model"
    out.mkdir()
    (out / "config.yaml").write_text("old")
    (out / "checkpoint.pt").write_text("old")
    (out / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        with atomic_folder(out, replace=("config.yaml",)):
            pass
    with pytest.raises(RuntimeError), atomic_folder(out, force=True) as tmp:
        (tmp / "config.yaml").write_text("new")
        raise RuntimeError("second file failed")
    assert _tree(out) == {"checkpoint.pt": b"old", "config.yaml": b"old", "notes.txt": b"mine"}
    with atomic_folder(out, force=True, keep_others=True) as tmp:
        (tmp / "config.yaml").write_text("new")
        (tmp / "checkpoint.pt").write_text("new")
    assert _tree(out) == {"checkpoint.pt": b"new", "config.yaml": b"new", "notes.txt": b"mine"}
    _no_temporaries(tmp_path)


# -- coverage tracks (Rust: one staged set + manifest) -------------------------------------------


@pytest.fixture
def er_beds(shared_data):
    return sorted((shared_data / "bedsets" / "diffbind_er_chr18_hg19").glob("*.bed"))


def test_coverage_failure_keeps_previous_tracks(tmp_path, er_beds, shared_data):
    from geniml.universe import coverage_tracks, load_coverage

    sizes = shared_data / "chromsizes" / "hg19.chrom.sizes"
    out = tmp_path / "cov"
    coverage_tracks(er_beds[:3], sizes, out)
    before = _tree(out)
    assert "all_tracks.manifest" in before
    bad = tmp_path / "bad.bed"
    bad.write_text("chr18\t10\t20\nchr18\t50\t40\n")
    with pytest.raises(BedParseError):
        coverage_tracks([*er_beds[3:], bad], sizes, out, force=True)
    assert _tree(out) == before
    load_coverage(out)  # still consistent
    # A run whose end track is zero everywhere (smooth would not matter) is refused up front.
    _no_temporaries(out)


def test_coverage_loader_refuses_mixed_tracks(tmp_path, er_beds, shared_data):
    from geniml.universe import coverage_tracks, load_coverage

    sizes = shared_data / "chromsizes" / "hg19.chrom.sizes"
    a, b = tmp_path / "a", tmp_path / "b"
    coverage_tracks(er_beds[:2], sizes, a)
    coverage_tracks(er_beds[2:], sizes, b)
    (a / "all_end.bw").write_bytes((b / "all_end.bw").read_bytes())  # a stale track
    with pytest.raises(UniverseError, match="mixes outputs of different runs"):
        load_coverage(a)
    (a / "all_tracks.manifest").write_text("geniml-file-set\t1\nincomplete\n")
    with pytest.raises(UniverseError, match="being replaced"):
        load_coverage(a)
    (a / "all_tracks.manifest").unlink()  # folders of other tools (uniwig) have no manifest
    load_coverage(a)


KILL_COVERAGE = """
import sys
from pathlib import Path
from geniml.universe import coverage_tracks
beds = sorted(Path(sys.argv[1]).glob("*.bed"))
run = 0
while True:  # alternate two different collections into the same folder until killed
    coverage_tracks(beds[run % 2 :: 2], sys.argv[2], sys.argv[3], force=True)
    run += 1
    print(run, flush=True)
"""


def _kill_after(code: str, args: list[str], delay: float) -> str:
    """Run ``code`` in a child, ``kill -9`` it after ``delay`` s; returns its stdout and stderr."""
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL, f"the child ended early:\n{err.decode()[-2000:]}"
    return out.decode() + err.decode()


def test_coverage_kill_9_never_leaves_a_silent_mix(tmp_path, shared_data):
    from geniml.universe import coverage_tracks, load_coverage

    folder = shared_data / "bedsets" / "encode_tfbs_hg19"
    sizes = shared_data / "chromsizes" / "hg19.chrom.sizes"
    beds = sorted(folder.glob("*.bed"))
    ref = {}
    for run in (0, 1):
        d = tmp_path / f"ref{run}"
        coverage_tracks(beds[run::2], sizes, d)
        ref[run] = {k: v for k, v in _tree(d).items() if k.endswith(".bw")}
    out = tmp_path / "cov"
    coverage_tracks(beds[0::2], sizes, out)
    outcomes = set()
    for delay in (0.8, 1.5, 2.5, 3.5, 5.0):
        _kill_after(KILL_COVERAGE, [str(folder), str(sizes), str(out)], delay)
        tracks = {k: v for k, v in _tree(out).items() if k.endswith(".bw")}
        try:
            load_coverage(out)
        except UniverseError as err:  # the kill fell between two renames: detected
            assert "being replaced" in str(err)
            outcomes.add("refused")
            continue
        assert tracks in (ref[0], ref[1]), "a kill left tracks of two runs that load silently"
        outcomes.add("consistent")
    assert "consistent" in outcomes
    coverage_tracks(beds[1::2], sizes, out, force=True)  # cleans the killed writers' staging
    _no_temporaries(out)
    assert {k: v for k, v in _tree(out).items() if k.endswith(".bw")} == ref[1]


# -- model folders ------------------------------------------------------------------------------


KILL_EXPORT = """
import sys
import torch
from geniml.region2vec import Region2VecExModel
from geniml.tokenization import Tokenizer
tok = Tokenizer.from_bed(sys.argv[1])
models = []
for seed, dim in ((0, 16), (1, 24)):
    torch.manual_seed(seed)
    m = Region2VecExModel(tokenizer=tok, embedding_dim=dim, device="cpu")
    models.append(m)
i = 0
while True:
    models[i % 2].export(sys.argv[2], force=True)
    i += 1
"""


def test_model_export_kill_9_leaves_one_model(tmp_path, shared_data):
    pytest.importorskip("torch")
    import yaml

    from geniml.region2vec import Region2VecExModel

    universe = shared_data / "universes" / "geniml_universe_hg38.uniq.bed"
    out = tmp_path / "model"
    for delay in (3.0, 4.0, 5.5):
        _kill_after(KILL_EXPORT, [str(universe), str(out)], delay)
        if not out.exists():
            continue
        m = Region2VecExModel.from_pretrained(out, device="cpu")
        cfg = yaml.safe_load((out / "config.yaml").read_text())
        assert m.embedding_dim == cfg["embedding_dim"] in (16, 24)
        from geniml.evaluation.models import read_state_dict

        ckpt = read_state_dict(out / "checkpoint.pt")["projection.weight"]
        np.testing.assert_array_equal(ckpt, m.embeddings)  # checkpoint.pt and safetensors agree
    # a kill leaves the killed writer's hidden temporary; the next export removes it
    from geniml.tokenization import Tokenizer

    Region2VecExModel(tokenizer=Tokenizer.from_bed(universe), embedding_dim=8).export(
        out, force=True
    )
    _no_temporaries(tmp_path)


def test_model_export_failure_keeps_old_model(tmp_path, shared_data, monkeypatch):
    pytest.importorskip("torch")
    import yaml

    from geniml.region2vec import Region2VecExModel
    from geniml.tokenization import Tokenizer

    tok = Tokenizer.from_bed(shared_data / "universes" / "geniml_universe_hg38.uniq.bed")
    out = tmp_path / "model"
    Region2VecExModel(tokenizer=tok, embedding_dim=8, device="cpu").export(out)
    before = _tree(out)
    new = Region2VecExModel(tokenizer=tok, embedding_dim=12, device="cpu")

    def broken_dump(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr(yaml, "safe_dump", broken_dump)
    with pytest.raises(OSError, match="disk full"):
        new.export(out, force=True)
    assert _tree(out) == before
    _no_temporaries(tmp_path)


# -- tokenize folders ---------------------------------------------------------------------------


def _many_beds(folder: Path, n: int) -> list[Path]:
    folder.mkdir()
    out = []
    for i in range(n):
        p = folder / f"f{i:03d}.bed"
        p.write_text(f"chr1\t{1000 * i}\t{1000 * i + 500}\nchr1\t{900000 + i}\t{900100 + i}\n")
        out.append(p)
    return out


def test_tokenize_more_than_64_files_stops_before_writing(tmp_path, shared_data):
    from geniml.tokenization import hard_tokenization

    universe = shared_data / "universes" / "geniml_universe_hg38.uniq.bed"
    beds = _many_beds(tmp_path / "in", 80)
    out = tmp_path / "out"
    hard_tokenization(tmp_path / "in", out, universe)
    before = _tree(out)
    assert len(before) == 80
    beds[70].write_text("chr1\t5\tx\n")
    geniml = Path(sys.executable).with_name("geniml")
    res = subprocess.run(
        [
            str(geniml),
            "tokenize",
            "files",
            str(tmp_path / "in"),
            "-u",
            str(universe),
            "-o",
            str(out),
            "--force",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "GENIML_NO_PROGRESS": "1"},
    )
    assert res.returncode == 1 and "f070.bed:1" in res.stderr, res.stderr
    assert "Traceback" not in res.stderr
    assert _tree(out) == before, "a failed --force run changed the output folder"
    fresh = tmp_path / "fresh"
    with pytest.raises(BedParseError):
        hard_tokenization(tmp_path / "in", fresh, universe)
    assert not fresh.exists()
    _no_temporaries(tmp_path)


def test_tokenize_duplicate_output_names_refused(tmp_path, shared_data):
    from geniml.tokenization import hard_tokenization

    universe = shared_data / "universes" / "geniml_universe_hg38.uniq.bed"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for d in "ab":
        (tmp_path / d / "x.bed").write_text("chr1\t0\t100\n")
    files = [str(tmp_path / "a" / "x.bed"), str(tmp_path / "b" / "x.bed")]
    with pytest.raises(GenimlValueError, match="same output 'x.bed'"):
        hard_tokenization(".", tmp_path / "out", universe, file_list=files)


def test_crash_inside_folder_write_publishes_nothing(tmp_path):
    code = """
import os, sys
from geniml._atomic import atomic_folder
with atomic_folder(sys.argv[1]) as tmp:
    (tmp / "a").write_text("x")
    os._exit(0)  # dies inside the block: the output must not appear
"""
    out = run_py(code, str(tmp_path / "o"))
    assert out.returncode == 0
    assert not (tmp_path / "o").exists()
