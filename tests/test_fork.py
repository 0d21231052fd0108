"""The thread pool survives fork(): a forked child (e.g. a DataLoader worker) can use the core."""

from __future__ import annotations

import multiprocessing as mp
import os
import sys

import pytest

from geniml.io import read_bed
from geniml.tokenization import Tokenizer


def _child(path: str, universe: str, q) -> None:
    rs = read_bed(path)
    tok = Tokenizer.from_bed(universe)
    q.put((os.getpid(), len(rs), int(tok.tokenize(rs).ids.sum())))


@pytest.mark.skipif(sys.platform != "linux", reason="fork start method")
def test_core_works_in_forked_child(shared_data):
    big = shared_data / "fragments" / "TCD8EM_S_1001.fragments.bed.gz"
    universe = shared_data / "universes" / "geniml_universe_hg38.uniq.bed"
    parent = read_bed(big)  # builds the pool in the parent (a multi-MB parallel parse)
    want = int(Tokenizer.from_bed(universe).tokenize(parent).ids.sum())
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(str(big), str(universe), q))
    p.start()
    p.join(timeout=120)
    if p.is_alive():
        p.kill()
        pytest.fail("the forked child hung (thread pool inherited from the parent?)")
    assert p.exitcode == 0
    child_pid, n, ids_sum = q.get(timeout=5)
    assert child_pid == p.pid != os.getpid()  # the work ran in the forked child
    assert (n, ids_sum) == (len(parent), want)
