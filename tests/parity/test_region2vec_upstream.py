"""A model folder written by geniml loads in upstream geniml 0.8.4 and encodes identically."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("torch")

from geniml.region2vec import Region2VecExModel

pytestmark = pytest.mark.parity

SNIPPET = """
import json, sys
import numpy as np
from geniml.region2vec.main import Region2VecExModel
m = Region2VecExModel.from_pretrained(sys.argv[1])
v = m.encode(sys.argv[2])
np.save(sys.argv[3], v)
print(json.dumps({"vocab": int(m.model.vocab_size), "dim": int(m.model.embedding_dim)}))
"""


def test_upstream_loads_our_folder(shared_data, peer, tmp_path):
    src = shared_data / "bedsets/geniml_hg38_sample"
    tok_folder = shared_data / "models/geniml_region2vec_export"
    m = Region2VecExModel(tokenizer=tok_folder / "universe.bed", embedding_dim=12, device="cpu")
    docs = [t.ids for t in m.tokenizer.tokenize_batch(sorted(src.glob("*.bed")))]
    m.train(docs, epochs=2, min_count=1)
    out = m.export(tmp_path / "model")
    # every token of a training file is trained (min_count=1), so both tools pool the same rows
    bed = max(src.glob("*.bed"), key=lambda p: p.stat().st_size)
    info = json.loads(peer(SNIPPET, str(out), str(bed), str(tmp_path / "up.npy")).splitlines()[-1])
    assert info == {"vocab": m.model.vocab_size, "dim": 12}
    np.testing.assert_allclose(np.load(tmp_path / "up.npy"), m.encode(bed), rtol=0, atol=1e-6)
