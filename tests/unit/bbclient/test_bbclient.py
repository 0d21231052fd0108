from __future__ import annotations

import doctest
import gzip
import json
import sqlite3

import numpy as np
import pytest

import geniml.bbclient
import geniml.bbclient.client
from geniml.bbclient import (
    BBClient,
    BEDbaseConnectionError,
    BEDbaseNotFoundError,
    CacheMissError,
    IdentifierMismatchError,
)
from geniml.io import BedSet, read_bed

SAMPLE = "bedsets/geniml_hg38_sample"


@pytest.fixture
def beds(shared_data):
    """Real BED files with their identifiers: {id: path}."""
    paths = [shared_data / SAMPLE / f"Example{i}.bed" for i in (1, 2, 3)]
    return {read_bed(p).identifier: p for p in paths}


@pytest.fixture
def served(bedbase, beds):
    for i, p in beds.items():
        bedbase.routes[bedbase.bed_path(i)] = gzip.compress(p.read_bytes())
    return bedbase


def client(tmp_path, bedbase, **kw) -> BBClient:
    kw.setdefault("backoff", 0.01)
    return BBClient(cache_folder=tmp_path / "cache", bedbase_api=bedbase.url, **kw)


@pytest.mark.parametrize("mod", [geniml.bbclient, geniml.bbclient.client])
def test_docstring_examples_run(mod):
    res = doctest.testmod(mod)
    assert res.failed == 0 and res.attempted > 0


def test_download_caches_in_upstream_layout(tmp_path, served, beds):
    c = client(tmp_path, served)
    bed_id = next(iter(beds))
    rs = c.load_bed(bed_id)
    assert rs == read_bed(beds[bed_id]) and rs.identifier == bed_id
    path = tmp_path / "cache" / "bedfiles" / bed_id[0] / bed_id[1] / f"{bed_id}.bed.gz"
    assert path.is_file() and path.read_bytes()[:2] == b"\x1f\x8b"
    assert c.seek(bed_id) == str(path) and c.list_beds() == {bed_id: str(path)}
    with sqlite3.connect(path.parent.parent.parent / "BiocFileCache.sqlite") as con:
        assert con.execute("select rid, rname, rtype from resource").fetchall() == [
            ("BFC1", bed_id, "local")
        ]
        assert con.execute("select value from metadata").fetchone() == ("0.99.4",)
    c.load_bed(bed_id)
    assert served.hits[served.bed_path(bed_id)] == 1  # second load from the cache
    assert c.get_regions(bed_id) == rs


def test_404_is_not_retried(tmp_path, served):
    c = client(tmp_path, served)
    missing = "f" * 32
    with pytest.raises(BEDbaseNotFoundError, match=f"no such BED file {missing}"):
        c.load_bed(missing)
    assert served.hits[served.bed_path(missing)] == 1


def test_500_then_200_is_retried(tmp_path, served, beds):
    bed_id = next(iter(beds))
    served.faults[served.bed_path(bed_id)] = ["500", "500"]
    c = client(tmp_path, served)
    assert len(c.load_bed(bed_id)) == len(read_bed(beds[bed_id]))
    assert served.hits[served.bed_path(bed_id)] == 3


def test_persistent_500_fails_clearly(tmp_path, served, beds):
    bed_id = next(iter(beds))
    served.faults[served.bed_path(bed_id)] = ["500"] * 10
    c = client(tmp_path, served, max_retries=2)
    with pytest.raises(BEDbaseConnectionError, match="after 3 attempts.*HTTP 500"):
        c.load_bed(bed_id)
    assert served.hits[served.bed_path(bed_id)] == 3
    assert c.list_beds() == {}


def test_truncated_body_leaves_no_half_file(tmp_path, served, beds):
    bed_id = next(iter(beds))
    served.faults[served.bed_path(bed_id)] = ["truncate"] * 10
    c = client(tmp_path, served, max_retries=1)
    with pytest.raises(BEDbaseConnectionError):
        c.load_bed(bed_id)
    cache = tmp_path / "cache" / "bedfiles"
    assert [p for p in cache.rglob("*") if p.is_file() and p.name != "BiocFileCache.sqlite"] == []
    served.faults[served.bed_path(bed_id)] = ["truncate"]
    assert c.load_bed(bed_id).identifier == bed_id  # retried after one truncated answer


def test_slow_response_times_out_then_retries(tmp_path, served, beds):
    bed_id = next(iter(beds))
    served.slow_seconds = 2.0
    served.faults[served.bed_path(bed_id)] = ["slow"]
    c = client(tmp_path, served, timeout=0.5)
    assert c.load_bed(bed_id).identifier == bed_id
    assert served.hits[served.bed_path(bed_id)] == 2
    other = list(beds)[1]
    served.faults[served.bed_path(other)] = ["slow"] * 5
    c2 = client(tmp_path, served, timeout=0.5, max_retries=1)
    with pytest.raises(BEDbaseConnectionError, match="timed out after 0.5 s"):
        c2.load_bed(other)


def test_identifier_checked(tmp_path, served, beds):
    a, b = list(beds)[:2]
    served.routes[served.bed_path(a)] = beds[b].read_bytes()  # the wrong file, uncompressed
    c = client(tmp_path, served)
    with pytest.raises(IdentifierMismatchError, match=f"has identifier {b}"):
        c.load_bed(a)
    with pytest.raises(CacheMissError):
        c.seek(a)


def test_offline_mode(tmp_path, served, beds, monkeypatch):
    a, b = list(beds)[:2]
    client(tmp_path, served).load_bed(a)
    monkeypatch.setenv("GENIML_OFFLINE", "1")
    c = client(tmp_path, served)
    assert c.offline and c.load_bed(a).identifier == a
    with pytest.raises(CacheMissError, match="offline"):
        c.load_bed(b)
    assert served.bed_path(b) not in served.hits


def test_unreachable_server_fails_clearly(tmp_path, beds):
    c = BBClient(
        cache_folder=tmp_path, bedbase_api="http://127.0.0.1:9", max_retries=1, backoff=0.01
    )
    with pytest.raises(BEDbaseConnectionError, match="GENIML_OFFLINE=1"):
        c.load_bed(next(iter(beds)))


def test_bedset_download_and_local(tmp_path, served, beds, shared_data):
    ids = list(beds)
    served.routes["/v1/bedset/my_set/bedfiles"] = json.dumps(
        {"count": 3, "results": [{"id": i, "name": "x"} for i in ids]}
    ).encode()
    c = client(tmp_path, served)
    bs = c.load_bedset("my_set")
    assert isinstance(bs, BedSet) and [r.identifier for r in bs] == ids
    txt = tmp_path / "cache" / "bedsets" / "m" / "y" / "my_set.txt"
    assert txt.read_text().split() == ids and c.list_bedsets() == {"my_set": str(txt)}
    assert c.seek("my_set") == str(txt)
    c.remove("my_set", remove_bed_files=True)
    assert c.list_bedsets() == {} and c.list_beds() == {}
    assert not (tmp_path / "cache" / "bedsets" / "m").exists()
    # a local folder as a BED set
    folder = shared_data / "bedsets" / "diffbind_er_chr18_hg19"
    set_id = c.add_bedset_to_cache(folder)
    assert set_id == BedSet(folder).identifier
    assert len(c.load_bedset(set_id)) == 11 and len(c.list_beds()) == 11


def test_add_bed_force_and_remove(tmp_path, beds):
    c = BBClient(cache_folder=tmp_path, offline=True)
    bed_id, path = next(iter(beds.items()))
    assert c.add_bed_to_cache(path) == bed_id
    cached = tmp_path / "bedfiles" / bed_id[0] / bed_id[1] / f"{bed_id}.bed.gz"
    mtime = cached.stat().st_mtime_ns
    c.add_bed_to_cache(read_bed(path))
    assert cached.stat().st_mtime_ns == mtime
    c.add_bed_to_cache(path, force=True)
    assert read_bed(cached) == read_bed(path)
    c.remove(bed_id)
    assert not cached.exists() and c.list_beds() == {}
    with pytest.raises(CacheMissError):
        c.remove(bed_id)


def test_tokens_cache_and_download(tmp_path, served, beds):
    c = client(tmp_path, served)
    bed_id = next(iter(beds))
    tokens = np.arange(10, 1000, 7, dtype=np.int64)
    c.cache_tokens(bed_id, "uni1", tokens)
    assert (c.load_bed_tokens(bed_id, "uni1") == tokens).all()
    c.remove_tokens(bed_id, "uni1")
    with pytest.raises(CacheMissError):
        c.remove_tokens(bed_id, "uni1")
    # from BEDbase: token info -> a zarr array behind an (S3-style) HTTP endpoint
    src = BBClient(cache_folder=tmp_path / "remote", offline=True)
    src.cache_tokens(bed_id, "uni2", tokens[:50])
    array = tmp_path / "remote" / "tokens.zarr" / "uni2" / bed_id
    for f in array.iterdir():
        served.routes[f"/bucket/tok/{bed_id}/{f.name}"] = f.read_bytes()
    served.routes[f"/v1/bed/{bed_id}/tokens/uni2/info"] = json.dumps(
        {"endpoint_url": served.url, "file_path": f"bucket/tok/{bed_id}"}
    ).encode()
    assert (c.load_bed_tokens(bed_id, "uni2") == tokens[:50]).all()
    with pytest.raises(BEDbaseNotFoundError):
        c.load_bed_tokens(bed_id, "nouni")
