"""Hugging Face model folders: save_pretrained + model card, from_pretrained(repo id) through the
hub cache (HF_HUB_OFFLINE=1), a clear error offline, and a download from a local HTTP server."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from geniml import datasets
from geniml.region2vec import Region2VecExModel

pytest.importorskip("huggingface_hub")

REPO = "databio/r2v-hg38-test"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
FILES = ["checkpoint.pt", "config.yaml", "universe.bed"]

LOAD = """
import sys, numpy as np
from geniml import datasets
from geniml.exceptions import ModelError
from geniml.region2vec import Region2VecExModel
try:
    m = Region2VecExModel.from_pretrained(sys.argv[1])
except ModelError as err:
    print("ModelError:", err)
    raise SystemExit(3)
np.save(sys.argv[2], m.encode(datasets.hg38_sample() / "Example1.bed.gz"))
"""


def _env(cache: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    return env | {"HF_HUB_CACHE": str(cache), "HF_HUB_DISABLE_TELEMETRY": "1"} | extra


def _load(env: dict[str, str], out: Path, repo: str = REPO) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", LOAD, repo, str(out)], capture_output=True, text=True, env=env
    )


def _expected() -> np.ndarray:
    m = Region2VecExModel.from_pretrained(datasets.region2vec_hg38())
    return m.encode(datasets.hg38_sample() / "Example1.bed.gz")


def test_save_pretrained_writes_a_model_card(tmp_path):
    from geniml.tokenization import Tokenizer

    tok = Tokenizer.from_bed(datasets.hg38_universe())
    from geniml.io import BedSet

    docs = [t.ids for t in tok.tokenize_batch(BedSet(datasets.hg38_sample()).paths)]
    m = Region2VecExModel(tokenizer=tok, embedding_dim=8, device="cpu")
    m.train(docs, epochs=2, min_count=1, seed=1, num_cpus=1, sg=True, progress=False)
    out = m.save_pretrained(tmp_path / "model")
    card = (out / "README.md").read_text()
    assert card.startswith("---\nlibrary_name: geniml")
    assert "- epochs: 2" in card and "- sg: True" in card and "- embedding_dim: 8" in card
    assert "2,378 regions" in card and read_identifier(out) in card
    again = Region2VecExModel.from_pretrained(out)
    np.testing.assert_allclose(again.embeddings, m.embeddings)
    with pytest.raises(FileExistsError):
        m.save_pretrained(out)


def read_identifier(folder: Path) -> str:
    from geniml.io import read_bed

    return read_bed(folder / "universe.bed").identifier


def _hub_cache(cache: Path) -> None:
    """Lay out a cache the way huggingface_hub does: blobs, a snapshot of links, refs/main."""
    repo = cache / f"models--{REPO.replace('/', '--')}"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(COMMIT)
    snap = repo / "snapshots" / COMMIT
    (repo / "blobs").mkdir()
    snap.mkdir(parents=True)
    for name in FILES:
        data = (datasets.region2vec_hg38() / name).read_bytes()
        blob = repo / "blobs" / hashlib.sha256(data).hexdigest()
        blob.write_bytes(data)
        (snap / name).symlink_to(os.path.relpath(blob, snap))


def test_from_pretrained_reads_the_hub_cache_offline(tmp_path):
    _hub_cache(tmp_path / "cache")
    r = _load(_env(tmp_path / "cache", HF_HUB_OFFLINE="1"), tmp_path / "v.npy")
    assert r.returncode == 0, r.stdout + r.stderr[-2000:]
    np.testing.assert_allclose(np.load(tmp_path / "v.npy"), _expected(), rtol=1e-6)


def test_offline_and_not_cached_is_a_clear_error(tmp_path):
    (tmp_path / "cache").mkdir()
    r = _load(_env(tmp_path / "cache", HF_HUB_OFFLINE="1"), tmp_path / "v.npy", "databio/absent")
    assert r.returncode == 3, r.stderr[-2000:]
    assert r.stdout.startswith("ModelError: databio/absent: model not found in the local hub cache")
    assert "HF_HUB_OFFLINE=1" in r.stdout


class _Hub(http.server.BaseHTTPRequestHandler):
    """Just enough of the hub's HTTP API for snapshot_download of one repository."""

    seen: list[str] = []

    def log_message(self, *args) -> None:
        pass

    def _file(self) -> Path | None:
        prefix = f"/{REPO}/resolve/"
        if not self.path.startswith(prefix):
            return None
        name = self.path[len(prefix) :].split("/", 1)[-1].split("?")[0]
        return datasets.region2vec_hg38() / name if name in FILES else None

    def _send_file(self, body: bool) -> None:
        f = self._file()
        if f is None:
            self.send_error(404)
            return
        data = f.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
        self.send_header("X-Repo-Commit", COMMIT)
        self.end_headers()
        if body:
            self.wfile.write(data)

    def do_HEAD(self) -> None:
        self.seen.append("HEAD " + self.path)
        self._send_file(body=False)

    def do_GET(self) -> None:
        self.seen.append("GET " + self.path)
        if self.path.startswith(f"/api/models/{REPO}/tree/"):
            tree = []
            for n in FILES:
                data = (datasets.region2vec_hg38() / n).read_bytes()
                oid = hashlib.sha1(data).hexdigest()
                tree.append({"type": "file", "oid": oid, "size": len(data), "path": n})
            self._json(tree)
            return
        if self.path.startswith(f"/api/models/{REPO}"):
            info = {
                "id": REPO,
                "sha": COMMIT,
                "siblings": [{"rfilename": n} for n in FILES],
            }
            self._json(info)
            return
        self._send_file(body=True)

    def _json(self, obj: object) -> None:
        data = json.dumps(obj).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def test_from_pretrained_downloads_from_a_local_server_then_works_offline(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_address[1]}"
        r = _load(_env(tmp_path / "cache", HF_ENDPOINT=endpoint), tmp_path / "v.npy")
        assert r.returncode == 0, r.stdout + r.stderr[-3000:]
    finally:
        server.shutdown()
        server.server_close()
    np.testing.assert_allclose(np.load(tmp_path / "v.npy"), _expected(), rtol=1e-6)
    assert any(s.startswith("GET /api/models/") for s in _Hub.seen)
    # the download landed in the cache: the same id now loads with the server gone and offline
    r = _load(_env(tmp_path / "cache", HF_HUB_OFFLINE="1"), tmp_path / "w.npy")
    assert r.returncode == 0, r.stdout + r.stderr[-2000:]
    shutil.rmtree(tmp_path / "cache")
