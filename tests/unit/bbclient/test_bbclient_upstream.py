"""Cache parity: upstream geniml 0.8.4's BBClient (peer venv) and geniml read each other's caches."""

from __future__ import annotations

import json

import numpy as np
import pytest

from geniml.bbclient import BBClient
from geniml.io import BedSet, read_bed

pytestmark = pytest.mark.parity

UPSTREAM_WRITE = """
import sys, json
from geniml.bbclient import BBClient
from geniml.io.io import BedSet
cache, files = sys.argv[1], sys.argv[2:]
c = BBClient(cache_folder=cache)
ids = [c.add_bed_to_cache(f).identifier for f in files]
set_id = c.add_bedset_to_cache(BedSet(files))
c.cache_tokens(ids[0], "universe_x", list(range(0, 3000, 3)))
print(json.dumps({"ids": ids, "set": set_id}))
"""

UPSTREAM_READ = """
import sys, json
from geniml.bbclient import BBClient
cache, set_id, bed_id = sys.argv[1:4]
c = BBClient(cache_folder=cache)
beds = c.list_beds()
out = {
    "beds": beds,
    "sets": c.list_bedsets(),
    "lens": {i: len(c.load_bed(i)) for i in beds},
    # upstream's own load_bedset fails on any cache (its BedSet re-wraps RegionSets), so the
    # set is read the way it does internally: seek the .txt, load each member
    "set_len": len([c.load_bed(i) for i in open(c.seek(set_id)).read().split()]),
    "seek": c.seek(bed_id),
    "tokens": [int(x) for x in c.load_bed_tokens(bed_id, "universe_y")[:]],
}
c.remove_bedfile_from_cache(bed_id)
out["after_remove"] = sorted(c.list_beds())
print(json.dumps(out))
"""


def _files(shared_data):
    return [shared_data / "bedsets" / "geniml_hg38_sample" / f"Example{i}.bed" for i in (1, 2, 4)]


def test_geniml_reads_upstream_cache(shared_data, peer, tmp_path):
    files = _files(shared_data)
    up = json.loads(peer(UPSTREAM_WRITE, str(tmp_path), *map(str, files)).strip().splitlines()[-1])
    c = BBClient(cache_folder=tmp_path, offline=True)
    assert up["ids"] == [read_bed(f).identifier for f in files]
    assert sorted(c.list_beds()) == sorted(up["ids"])
    for bed_id, f in zip(up["ids"], files, strict=True):
        assert c.load_bed(bed_id) == read_bed(f)
    assert up["set"] == BedSet(files).identifier and list(c.list_bedsets()) == [up["set"]]
    assert [r.identifier for r in c.load_bedset(up["set"])] == up["ids"]
    # upstream's tokens are Blosc-compressed zarr v2 (read through numcodecs)
    assert (c.load_bed_tokens(up["ids"][0], "universe_x") == np.arange(0, 3000, 3)).all()
    # geniml adds to upstream's index without breaking it
    extra = shared_data / "bedsets" / "geniml_hg38_sample" / "Example5.bed"
    c.add_bed_to_cache(extra)
    assert len(c.list_beds()) == 4


def test_upstream_reads_geniml_cache(shared_data, peer, tmp_path):
    files = _files(shared_data)
    c = BBClient(cache_folder=tmp_path, offline=True)
    set_id = c.add_bedset_to_cache(BedSet(files))
    ids = [read_bed(f).identifier for f in files]
    c.cache_tokens(ids[1], "universe_y", np.array([7, 8, 9, 2000], dtype=np.int64))
    beds, sets, seek1 = c.list_beds(), c.list_bedsets(), c.seek(ids[1])
    assert beds == {i: c.seek(i) for i in sorted(ids)}
    up = json.loads(peer(UPSTREAM_READ, str(tmp_path), set_id, ids[1]).strip().splitlines()[-1])
    assert up["beds"] == beds
    assert up["sets"] == sets
    assert up["lens"] == {i: len(read_bed(f)) for i, f in zip(ids, files, strict=True)}
    assert up["set_len"] == 3 and up["seek"] == seek1
    assert up["tokens"] == [7, 8, 9, 2000]
    # upstream removed one file through the shared index; geniml sees it gone
    assert up["after_remove"] == sorted(set(ids) - {ids[1]}) == sorted(c.list_beds())
