from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

from geniml.io import read_bed
from tests.unit.bbclient.conftest import FakeBEDbase

GENIML = str(Path(sys.executable).with_name("geniml"))


def _run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    e = dict(os.environ, NO_COLOR="1", COLUMNS="200", **(env or {}))
    return subprocess.run([GENIML, "bbclient", *args], capture_output=True, text=True, env=e)


def test_cache_seek_inspect_rm(shared_data, tmp_path):
    cache = str(tmp_path / "cache")
    bed = shared_data / "bedsets" / "geniml_hg38_sample" / "Example2.bed"
    r = _run("cache-bed", str(bed), "--cache-folder", cache)
    assert r.returncode == 0, r.stderr
    bed_id = r.stdout.strip()
    assert bed_id == read_bed(bed).identifier
    r = _run("seek", bed_id, "--cache-folder", cache)
    assert r.returncode == 0 and r.stdout.strip().endswith(
        f"{bed_id[0]}/{bed_id[1]}/{bed_id}.bed.gz"
    )
    folder = shared_data / "bedsets" / "diffbind_er_chr18_hg19"
    r = _run("cache-bedset", str(folder), "--cache-folder", cache)
    assert r.returncode == 0, r.stderr
    set_id = r.stdout.strip()
    r = _run("inspect-bedfiles", "--cache-folder", cache)
    assert r.returncode == 0 and "BED files (12)" in r.stdout and bed_id in r.stdout
    r = _run("inspect-bedsets", "--cache-folder", cache)
    assert "BED sets (1)" in r.stdout and set_id in r.stdout
    assert _run("rm", set_id, "--with-bed-files", "--cache-folder", cache).returncode == 0
    assert "BED files (1)" in _run("inspect-bedfiles", "--cache-folder", cache).stdout
    r = _run("seek", set_id, "--cache-folder", cache)
    assert r.returncode == 1 and "is not in the cache" in r.stderr and "Traceback" not in r.stderr


def test_download_and_errors(shared_data, tmp_path):
    bed = shared_data / "bedsets" / "geniml_hg38_sample" / "Example3.bed"
    bed_id = read_bed(bed).identifier
    fake = FakeBEDbase()
    try:
        fake.routes[fake.bed_path(bed_id)] = gzip.compress(bed.read_bytes())
        cache = str(tmp_path / "c")
        r = _run("cache-bed", bed_id, "--cache-folder", cache, "--bedbase-api", fake.url)
        assert r.returncode == 0 and r.stdout.strip() == bed_id, r.stderr
        r = _run("cache-bed", "0" * 32, "--cache-folder", cache, "--bedbase-api", fake.url)
        assert r.returncode == 1 and "no such BED file" in r.stderr and "Traceback" not in r.stderr
        r = _run("cache-bed", "1" * 32, "--cache-folder", cache, env={"GENIML_OFFLINE": "1"})
        assert r.returncode == 1 and "offline" in r.stderr
    finally:
        fake.close()


def test_usage_error():
    r = _run("seek")
    assert r.returncode == 2 and "Missing argument" in r.stderr
