"""Token ids against gtars 0.10's Tokenizer on real universes and BED files.

gtars drops query regions without overlap (all-unknown input gives a single ``<unk>``) and
orders the hits of one query region by universe (start, end); geniml orders them by token id
(universe file order). The comparison puts geniml's hits in gtars' order.
"""

from __future__ import annotations

import json

import numpy as np

from geniml.io import RegionSet, read_bed
from geniml.tokenization import Tokenizer

SNIPPET = """
import json, sys
from gtars.tokenizers import Tokenizer
from gtars.models import RegionSet
t = Tokenizer.from_bed(sys.argv[1])
out = {"special": {k: getattr(t, k + "_id") for k in
       ["unk_token", "pad_token", "mask_token", "cls_token", "eos_token", "bos_token", "sep_token"]},
       "vocab_size": t.vocab_size, "files": {}}
for f in sys.argv[2:]:
    rs = RegionSet(f)
    out["files"][f] = {"ids": t.convert_tokens_to_ids(t.tokenize(rs)),
                       "order": [[r.chr, r.start, r.end] for r in rs]}
print(json.dumps(out))
"""


def _in_gtars_order(tok: Tokenizer, rs: RegionSet) -> list[int]:
    off, ids = tok.overlaps(rs)
    u = tok.universe
    key = np.lexsort((u.ends, u.starts))
    rank = np.empty_like(key)
    rank[key] = np.arange(len(key))
    out: list[int] = []
    for r in range(len(rs)):
        hits = ids[off[r] : off[r + 1]].astype(np.int64)
        out.extend(hits[np.argsort(rank[hits], kind="stable")].tolist())
    return out or [tok.unk_token_id]


def _check(peer, universe, files):
    want = json.loads(peer(SNIPPET, str(universe), *map(str, files)))
    tok = Tokenizer.from_bed(universe)
    assert tok.vocab_size == want["vocab_size"]
    for name, tid in want["special"].items():
        assert getattr(tok, name + "_id") == tid, name
    for f, v in want["files"].items():
        rs = RegionSet(tuple(zip(*v["order"], strict=True)))
        assert len(rs) == len(read_bed(f))
        assert _in_gtars_order(tok, rs) == v["ids"], f


def test_hg38_universe_sample_beds(shared_data, peer):
    files = sorted((shared_data / "bedsets" / "geniml_hg38_sample").glob("*.bed"))
    files.append(shared_data / "bedsets" / "immune_atlas_peaks_hg38.bed")
    _check(peer, shared_data / "universes" / "geniml_universe_hg38.uniq.bed", files)


def test_scatac_peaks_as_universe(shared_data, peer, tmp_path):
    # the Schep peaks as the universe, the ENCODE hg19 sets as queries
    peaks = tmp_path / "peaks.bed"
    rs = read_bed(shared_data / "scatac" / "schep2017_600cells_hg19" / "peaks.bed")
    RegionSet((rs.chrom_array(), rs.starts, rs.ends)).to_bed(peaks)  # BED3: gtars needs it
    files = sorted((shared_data / "bedsets" / "encode_tfbs_hg19").glob("*.bed"))[:4]
    _check(peer, peaks, files)
