"""The BED reader under hostile input: files that change while read, gzip bombs, truncated
gzip, byte-order marks, `track`/`browser` chromosomes and huge names. Crash-prone cases run in
a subprocess, so that a signal fails the test instead of killing the suite."""

from __future__ import annotations

import gzip
import subprocess
import sys
import zlib

import pytest

from geniml.exceptions import BedParseError
from geniml.io import read_bed

SHRINK = r"""
import os, sys, threading, time
from geniml.io import read_bed
from geniml.exceptions import BedParseError
path = sys.argv[1]
line = b"chr1\t1000000\t1000150\tpeak_name_padding_padding\n"
body = line * (100_000_000 // len(line))
outcomes = set()
for attempt in range(4):
    with open(path, "wb") as fh:
        fh.write(body)
    def shrink():
        time.sleep(0.002 * attempt)
        os.truncate(path, len(body) // 3)
    t = threading.Thread(target=shrink)
    t.start()
    try:
        rs = read_bed(path)
        # the whole file, or the file as truncated (its cut last line included)
        cut = len(body) // 3 // len(line)
        assert len(rs) in (len(body) // len(line), cut, cut + 1), len(rs)
        outcomes.add("read")
    except BedParseError as e:
        assert e.line >= 1 and e.reason, e
        outcomes.add("error")
    t.join()
print(sorted(outcomes))
"""


def test_file_shrinking_during_read_is_an_error_not_a_signal(tmp_path):
    """A file truncated by another writer mid-read: an error or a consistent read, never SIGBUS."""
    out = subprocess.run(
        [sys.executable, "-c", SHRINK, str(tmp_path / "shrinking.bed")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, (out.returncode, out.stderr[-2000:])
    assert "error" in out.stdout or "read" in out.stdout


BOMB = r"""
import sys
from geniml.io import read_bed
from geniml.exceptions import BedParseError
try:
    read_bed(sys.argv[1])
except BedParseError as e:
    print(e.line, e.reason, file=sys.stderr)
# VmHWM is this process's own peak (ru_maxrss would include the forking parent's)
hwm = [x for x in open("/proc/self/status") if x.startswith("VmHWM")][0]
print(int(hwm.split()[1]) // 1024)
"""


def _peak_mb(path) -> tuple[int, str]:
    out = subprocess.run(
        [sys.executable, "-c", BOMB, str(path)], capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return int(out.stdout.split()[-1]), out.stderr


@pytest.mark.parametrize("fill", [b"\n", b"#", b"\x00"], ids=["blank_lines", "one_line", "nul"])
def test_gzip_bomb_memory_is_bounded(tmp_path, fill):
    """384 MB of text in a ~0.4 MB gzip: peak RSS stays far below the decompressed size."""
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = fill * (1 << 20)
    parts = [z.compress(chunk) for _ in range(384)] + [z.flush()]
    p = tmp_path / "bomb.bed.gz"
    p.write_bytes(b"".join(parts))
    assert p.stat().st_size < 3 << 20
    peak, err = _peak_mb(p)
    assert peak < 250, (peak, err)
    assert err.strip(), "a bomb of no region is an error"


def test_truncated_gzip_reports_the_line_reached(bed, shared_data):
    text = (shared_data / "bedsets" / "immune_atlas_peaks_hg38.bed").read_bytes()
    data = gzip.compress(text)
    cut = data[: len(data) * 3 // 4]
    p = bed(cut, name="cut.bed.gz")
    decoded = zlib.decompressobj(31).decompress(cut)
    with pytest.raises(BedParseError, match="truncated or corrupt") as err:
        read_bed(p)
    # the decoder stops within the last deflate block it could decode
    n_decoded = decoded.count(b"\n")
    assert n_decoded * 0.9 < err.value.line <= text.count(b"\n")
    assert "byte" in err.value.reason


def test_utf8_bom_is_stripped(bed):
    for data in (b"\xef\xbb\xbfchr1\t1\t5\n", gzip.compress(b"\xef\xbb\xbfchr2\t1\t5\n")):
        p = bed(data, name="bom.bed.gz" if data[:2] == b"\x1f\x8b" else None)
        rs = read_bed(p)
        assert rs.chrom_names in (["chr1"], ["chr2"])


def test_track_and_browser_chromosomes_are_one_rule(bed):
    """`track\\t10\\t20` is data on chromosome `track` in every path; `track name=x` a header."""
    text = "track name=t\nbrowser position chr1\ntrack\t10\t20\nbrowser\t1\t2\tx\n"
    plain = read_bed(bed(text))
    assert [tuple(r) for r in plain] == [("track", 10, 20), ("browser", 1, 2)]
    gz = read_bed(bed(gzip.compress(text.encode()), name="t.bed.gz"))
    sized = read_bed(bed(text), chrom_sizes={"track": 100, "browser": 100})
    skipped = read_bed(bed(text), on_error="skip")
    for rs in (gz, sized, skipped):
        assert [tuple(r) for r in rs] == [tuple(r) for r in plain]
    # the line numbering of messages follows the same rule: the duplicate of row 0 (file
    # line 3) on file line 5 is reported with those two line numbers
    from geniml.exceptions import UniverseError
    from geniml.io import load_universe

    with pytest.raises(UniverseError, match="lines 3 and 5"):
        load_universe(bed(text + "track\t10\t20\n"))


@pytest.mark.parametrize("bad_tail", ["\t5\t1\n", "\tx\t9\n", " 1 2\n", "\t1\t2\n"])
def test_huge_chromosome_name_is_truncated_in_messages(bed, bad_tail):
    """A 10 MB chromosome name never becomes a 10 MB message."""
    name = "c" * 10_000_000
    p = bed("chr1\t1\t5\n" + name + bad_tail)
    with pytest.raises(BedParseError) as err:
        # the last case is valid BED: checked against chrom sizes that do not list it
        read_bed(p, chrom_sizes={"chr1": 100} if bad_tail == "\t1\t2\n" else None)
    assert err.value.line == 2
    assert len(str(err.value)) < 500
