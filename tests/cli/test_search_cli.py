"""`geniml search build` / `geniml search query`, through the installed entry point."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl

from tests.unit.search.conftest import hg38_collection, need_text_model  # noqa: F401

GENIML = Path(sys.executable).with_name("geniml")


def run(*args: str) -> subprocess.CompletedProcess:
    exe = [str(GENIML)] if GENIML.exists() else [shutil.which("geniml") or "geniml"]
    env = {**os.environ, "GENIML_NO_PROGRESS": "1"}
    return subprocess.run([*exe, *args], capture_output=True, text=True, env=env, timeout=600)


def test_build_and_query_bed_and_filter(hg38_collection, tmp_path):  # noqa: F811
    c = hg38_collection
    idx = tmp_path / "idx"
    args = ["search", "build", "--embeddings", str(c["emb"]), "--metadata", str(c["meta"])]
    r = run(*args, "--output", str(idx), "--model", str(c["model"]), "--no-text")
    assert r.returncode == 0, r.stderr
    r = run(*args, "--output", str(idx), "--no-text")
    assert r.returncode == 1 and "exists" in r.stderr and "--force" in r.stderr
    q = run("search", "query", str(idx), "--bed", str(c["files"][2]), "-n", "3", "--tsv")
    assert q.returncode == 0, q.stderr
    lines = q.stdout.splitlines()
    assert lines[0].split("\t")[:4] == ["rank", "id", "score", "file"]
    assert len(lines) == 4 and lines[1].split("\t")[3] == c["names"][2]
    f = run("search", "query", str(idx), "--filter", "cell_line=K-562", "--tsv")
    df = pl.read_csv(f.stdout.encode(), separator="\t")
    assert f.returncode == 0 and set(df["cell_line"]) == {"K-562"} and df.height == 3
    pretty = run("search", "query", str(idx), "--bed", str(c["files"][0]), "-n", "2")
    assert pretty.returncode == 0 and c["names"][0] in pretty.stdout


def test_usage_and_input_errors(hg38_collection, tmp_path):  # noqa: F811
    c = hg38_collection
    idx = tmp_path / "idx"
    r = run(
        "search",
        "build",
        "--embeddings",
        str(c["emb"]),
        "--metadata",
        str(c["meta"]),
        "--output",
        str(idx),
        "--no-text",
    )
    assert r.returncode == 0, r.stderr
    r = run("search", "query", str(idx))
    assert r.returncode == 2 and "--text, --bed or --filter" in r.stderr
    r = run("search", "query", str(idx), "--text", "a", "--bed", str(c["files"][0]))
    assert r.returncode == 2
    r = run("search", "query", str(idx), "--filter", "nokey")
    assert r.returncode == 2 and "FIELD=VALUE" in r.stderr
    r = run("search", "query", str(idx), "-n", "0", "--filter", "tissue=Blood")
    assert r.returncode == 2
    r = run("search", "query", str(idx), "--bed", str(c["files"][0]))
    assert r.returncode == 1 and "no Region2Vec model" in r.stderr
    r = run("search", "query", str(idx), "--text", "CTCF")
    assert r.returncode == 1 and "no text model" in r.stderr
    r = run("search", "query", str(tmp_path), "--filter", "tissue=Blood")
    assert r.returncode == 1 and "not a search index" in r.stderr
    r = run(
        "search",
        "build",
        "--embeddings",
        str(tmp_path / "no.csv"),
        "--metadata",
        str(c["meta"]),
        "--output",
        str(tmp_path / "new"),
    )
    assert r.returncode == 1 and "embeddings file not found" in r.stderr
    assert "Traceback" not in r.stderr


def test_text_query(hg38_collection, tmp_path):  # noqa: F811
    need_text_model()
    c = hg38_collection
    idx = tmp_path / "idx"
    r = run(
        "search",
        "build",
        "-e",
        str(c["emb"]),
        "-m",
        str(c["meta"]),
        "-o",
        str(idx),
        "--epochs",
        "100",
    )
    assert r.returncode == 0, r.stderr
    q = run("search", "query", str(idx), "--text", "K-562 H3K4me1", "-n", "5", "--tsv")
    assert q.returncode == 0, q.stderr
    df = pl.read_csv(q.stdout.encode(), separator="\t")
    assert df["rank"].to_list() == [1, 2, 3, 4, 5] and df["score"].is_sorted(descending=True)
    assert q.stderr == ""  # no progress bars or banners
