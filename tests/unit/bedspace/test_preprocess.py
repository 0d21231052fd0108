"""`geniml.bedspace.preprocess`: upstream's line format on real files, and every bad input."""

from __future__ import annotations

import shutil

import pytest

from geniml.bedspace import preprocess
from geniml.exceptions import BedParseError, GenimlValueError
from geniml.io import read_bed

SAMPLE = "bedsets/geniml_hg38_sample"
UNIVERSE = "universes/geniml_universe_hg38.uniq.bed"


def _hand_line(bed, universe, labels):
    """The line written by hand: a naive scan of the universe for every region of the file."""
    u = [(r.chrom, r.start, r.end) for r in read_bed(universe)]
    seen, out = set(), []
    for q in read_bed(bed):
        for k, (c, s, e) in enumerate(u):
            if c == q.chrom and s < q.end and q.start < e and k not in seen:
                seen.add(k)
                out.append(f"{c}_{s}_{e}")
    return " ".join(out) + " " + " ".join(f"__label__{x}" for x in labels)


def test_lines_equal_hand_written_ones(shared_data, tmp_path):
    src = shared_data / SAMPLE
    meta = tmp_path / "labels.csv"
    meta.write_text(
        "file_name,cell_type,tissue\nSRX5974535.05.bed,K562,blood\nExample2.bed,A549,Lung\n"
        "ERX3216878.05.bed,HepG2,\n"
    )
    with pytest.warns(UserWarning, match="have no row"):
        out = preprocess(src, meta, shared_data / UNIVERSE, output=tmp_path / "p.txt")
    expected = [
        _hand_line(src / "SRX5974535.05.bed", shared_data / UNIVERSE, ["K562", "blood"]),
        _hand_line(src / "Example2.bed", shared_data / UNIVERSE, ["A549", "Lung"]),
        _hand_line(src / "ERX3216878.05.bed", shared_data / UNIVERSE, ["HepG2"]),
    ]
    assert out.read_bytes() == "\n".join(expected).encode()
    side = (tmp_path / "p.txt.files.tsv").read_text().splitlines()
    assert side[0].split("\t") == ["file_name", "path", "cell_type", "tissue"]
    assert [r.split("\t")[0] for r in side[1:]] == [
        "SRX5974535.05.bed",
        "Example2.bed",
        "ERX3216878.05.bed",
    ]


def test_existing_output_needs_force(diffbind, tmp_path):
    src, meta, uni = diffbind
    out = preprocess(src, meta, uni, labels="Tissue", output=tmp_path / "p.txt")
    with pytest.raises(FileExistsError):
        preprocess(src, meta, uni, labels="Tissue", output=out)
    assert preprocess(src, meta, uni, labels="Tissue", output=out, force=True) == out
    assert len(out.read_text().split("\n")) == 11
    folder = tmp_path / "outdir"
    folder.mkdir()
    assert preprocess(src, meta, uni, labels="Tissue", output=folder).name == "train_input.txt"


def test_missing_label_column(diffbind, tmp_path):
    src, meta, uni = diffbind
    with pytest.raises(GenimlValueError, match="'cell_type'"):
        preprocess(src, meta, uni, labels="Tissue,cell_type", output=tmp_path / "p.txt")


def test_metadata_row_without_file(diffbind, tmp_path):
    src, meta, uni = diffbind
    bad = tmp_path / "bad.csv"
    bad.write_text(meta.read_text() + "nothere.bed,MCF7,Responsive\n")
    with pytest.raises(FileNotFoundError, match=r"row 13 .*nothere\.bed"):
        preprocess(src, bad, uni, labels="Tissue", output=tmp_path / "p.txt")


def test_file_without_tokens_is_skipped_and_counted(diffbind, tmp_path):
    src, meta, uni = diffbind
    folder = tmp_path / "beds"
    shutil.copytree(src, folder)
    (folder / "far.bed").write_text("chr1\t10\t20\n")
    m = tmp_path / "m.csv"
    m.write_text(meta.read_text() + "far.bed,MCF7,Responsive\n")
    with pytest.warns(UserWarning, match="1 file.*no region in the universe.*far.bed"):
        out = preprocess(folder, m, uni, labels="Tissue", output=tmp_path / "p.txt")
    assert len(out.read_text().split("\n")) == 11


def test_malformed_bed_line_names_file_and_line(diffbind, tmp_path):
    src, meta, uni = diffbind
    folder = tmp_path / "beds"
    shutil.copytree(src, folder)
    p = folder / "MCF71.bed"
    p.write_text(p.read_text() + "chr18\tabc\t100\n")
    n = len(p.read_text().splitlines())
    with pytest.raises(BedParseError, match=rf"MCF71.bed:{n}"):
        preprocess(folder, meta, uni, labels="Tissue", output=tmp_path / "p.txt")
