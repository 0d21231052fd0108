from __future__ import annotations

import numpy as np
import pytest

from geniml.exceptions import UniverseError
from geniml.io import BedSet, RegionSet, read_bed
from geniml.tokenization import Tokenizer
from tests._oracles import naive_overlaps


@pytest.fixture(scope="module")
def hg38(shared_data):
    return Tokenizer.from_bed(shared_data / "universes" / "geniml_universe_hg38.uniq.bed")


def test_vocab_and_special_tokens(hg38):
    assert hg38.n_regions == 2378 and hg38.vocab_size == 2385 and len(hg38) == 2385
    assert hg38.special_tokens == ["<unk>", "<pad>", "<mask>", "<cls>", "<eos>", "<bos>", "<sep>"]
    assert (hg38.unk_token_id, hg38.pad_token_id, hg38.eos_token_id, hg38.sep_token_id) == (
        2378,
        2379,
        2382,
        2384,
    )
    assert hg38.special_tokens_map["<mask>"] == 2380


def test_matches_naive_oracle_on_real_files(hg38, shared_data):
    u = [tuple(r) for r in hg38.universe]
    for f in sorted((shared_data / "bedsets" / "geniml_hg38_sample").glob("*.bed"))[:6]:
        rs = read_bed(f)
        want = []
        for hits in naive_overlaps([tuple(r) for r in rs], u):
            want.extend(hits or [hg38.unk_token_id])
        got = hg38.tokenize(rs).ids
        assert got.dtype == np.int64
        assert got.tolist() == want, f
        assert hg38.tokenize(f).ids.tolist() == want  # path input, read in Rust


def test_unique_and_drop_unknown(hg38, shared_data):
    f = shared_data / "bedsets" / "geniml_hg38_sample" / "DRX127657.05.bed"
    full = hg38.tokenize(f).ids
    uniq = hg38.tokenize(f, unique=True).ids
    assert uniq.tolist() == sorted(set(full.tolist()) - {hg38.unk_token_id})
    dropped = hg38.tokenize(f, drop_unknown=True).ids
    assert hg38.unk_token_id not in dropped.tolist()
    assert len(dropped) == len(full) - int((full == hg38.unk_token_id).sum())


def test_fraction_filter_matches_oracle(shared_data):
    u = read_bed(shared_data / "bedsets" / "diffbind_er_chr18_hg19" / "MCF71.bed")
    tok = Tokenizer(u)
    q = read_bed(shared_data / "bedsets" / "diffbind_er_chr18_hg19" / "T47D1.bed")
    for frac in (1e-9, 0.3, 0.9):
        want = []
        for hits in naive_overlaps([tuple(r) for r in q], [tuple(r) for r in u], frac):
            want.extend(hits or [tok.unk_token_id])
        assert tok.tokenize(q, fraction=frac).ids.tolist() == want


def test_half_open_and_unsorted_and_unknown_chrom():
    tok = Tokenizer(RegionSet([("chr2", 10, 20), ("chr1", 100, 200)]))
    q = RegionSet(
        [("chr1", 200, 300), ("chrUn", 0, 5), ("chr1", 199, 200), ("chr2", 0, 10), ("chr2", 0, 11)]
    )
    assert tok.tokenize(q).ids.tolist() == [2, 2, 1, 2, 0]
    assert tok.decode([1, 0, 2]) == ["chr1:100-200", "chr2:10-20", "<unk>"]
    assert tok.convert_tokens_to_ids(["chr2:10-20", "<pad>", "chr9:1-2"]) == [0, 3, 2]
    assert tok.tokenize(q).to_regions()[0] == ("chr1", 100, 200)


def test_call_pads_batches():
    tok = Tokenizer(RegionSet([("chr1", 0, 10), ("chr1", 20, 30)]))
    out = tok([RegionSet([("chr1", 0, 25)]), RegionSet([("chr1", 5, 6)])])
    assert out["input_ids"].tolist() == [[0, 1], [0, tok.pad_token_id]]
    assert out["attention_mask"].tolist() == [[1, 1], [1, 0]]


def test_tokenize_batch_parallel_equals_serial(hg38, shared_data):
    files = sorted((shared_data / "bedsets" / "geniml_hg38_sample").glob("*.bed"))
    a = hg38.tokenize_batch(files, n_threads=1)
    b = hg38.tokenize_batch(files, n_threads=2)
    c = [hg38.tokenize(read_bed(f)) for f in files]
    for x, y, z in zip(a, b, c, strict=True):
        assert x.ids.tolist() == y.ids.tolist() == z.ids.tolist()


def test_soft_tokenize_weights(shared_data):
    tok = Tokenizer(RegionSet([("chr1", 0, 100), ("chr1", 50, 60)]))
    soft = tok.soft_tokenize(
        RegionSet([("chr1", 40, 140), ("chr1", 55, 57)]), overlap_threshold=0.05
    )
    assert soft.offsets.tolist() == [0, 2, 4]
    assert soft.ids.tolist() == [0, 1, 0, 1]
    np.testing.assert_allclose(soft.weights, [0.6, 0.1, 1.0, 1.0], rtol=1e-6)
    strict = tok.soft_tokenize(RegionSet([("chr1", 40, 140)]))
    assert strict.ids.tolist() == [0]


def test_bad_universes(bed):
    with pytest.raises(UniverseError, match="no region"):
        Tokenizer(bed("#only a header\n"))
    with pytest.raises(UniverseError, match="lines 1 and 3"):
        Tokenizer(bed("chr1\t1\t5\nchr1\t6\t9\nchr1\t1\t5\n"))
    with pytest.warns(UserWarning, match="dropped 1 duplicate"):
        tok = Tokenizer(bed("chr1\t1\t5\nchr1\t6\t9\nchr1\t1\t5\n"), dedup=True)
    assert tok.n_regions == 2
    with pytest.raises(UniverseError, match="not found"):
        Tokenizer.from_bed(bed("x").parent / "missing.bed")
    with pytest.raises(UniverseError, match="no universe.bed"):
        Tokenizer.from_pretrained(bed("x").parent)


def test_from_pretrained_model_folder(shared_data):
    tok = Tokenizer.from_pretrained(shared_data / "models" / "geniml_region2vec_export")
    assert tok.vocab_size == 2385


def test_collection_tokenizes(shared_data):
    bs = BedSet(shared_data / "bedsets" / "diffbind_er_chr18_hg19")
    tok = Tokenizer(bs.to_regionset().merge())
    for rs in bs:
        ids = tok.tokenize(rs).ids
        assert len(ids) >= len(rs) and (ids < tok.n_regions).all()
