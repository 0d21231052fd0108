"""BEDbase identifiers against gtars 0.10 (`RegionSet(...).identifier`) on the real files."""

from __future__ import annotations

import json

from geniml.io import BedSet

SNIPPET = """
import json, sys
from gtars.models import RegionSet
print(json.dumps({p: RegionSet(p).identifier for p in sys.argv[1:]}))
"""


def test_identifiers_match_gtars(shared_data, peer):
    files = sorted(str(p) for p in (shared_data / "bedsets").rglob("*.bed"))
    want = json.loads(peer(SNIPPET, *files))
    bs = BedSet(files)
    got = {str(rs.path): rs.identifier for rs in bs}
    assert got == want
