"""Hugging Face model folders: save_pretrained + model card, from_pretrained(repo id) through the
hub cache (HF_HUB_OFFLINE=1), a clear error offline, and a download from a local HTTP server."""

from __future__ import annotations

import base64
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


# --- push_to_hub: a local server speaking the part of the Hub API that HfApi's create_repo and
# upload_folder use (create, validate-yaml, preupload answering "regular", ndjson commit).

TOKEN = "hf_test_token_0123456789"


class _UploadHub(http.server.BaseHTTPRequestHandler):
    """Records repositories created and the files of each commit (path -> bytes)."""

    repos: set[str] = set()
    commits: list[dict] = []
    calls: list[str] = []

    def log_message(self, *args) -> None:
        pass

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def _json(self, obj: object, status: int = 200) -> None:
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        path = self.path.split("?")[0]
        self.calls.append(f"POST {path}")
        body = self._body()
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._json({"error": "Invalid username or password."}, 401)
            return
        host = f"http://{self.headers['Host']}"
        if path == "/api/repos/create":
            req = json.loads(body)
            repo = f"{req['organization']}/{req['name']}"
            if repo in self.repos:
                self._json(
                    {"error": "You already created this model repo", "url": f"{host}/{repo}"}, 409
                )
                return
            self.repos.add(repo)
            self._json({"url": f"{host}/{repo}", "name": repo})
        elif path == "/api/validate-yaml":
            self._json({"errors": [], "warnings": []})
        elif path.startswith("/api/models/") and "/preupload/" in path:
            files = json.loads(body)["files"]
            out = [
                {"path": f["path"], "uploadMode": "regular", "shouldIgnore": False} for f in files
            ]
            self._json({"files": out, "commitOid": COMMIT})
        elif path.startswith("/api/models/") and "/commit/" in path:
            repo, rev = path[len("/api/models/") :].split("/commit/")
            assert self.headers["Content-Type"] == "application/x-ndjson"
            lines = [json.loads(line) for line in body.splitlines() if line.strip()]
            assert lines[0]["key"] == "header"
            files = {}
            for item in lines[1:]:
                assert item["key"] == "file", item["key"]  # regular uploads only
                v = item["value"]
                assert v["encoding"] == "base64"
                files[v["path"]] = base64.b64decode(v["content"])
            self.commits.append(
                {"repo": repo, "revision": rev, "files": files, **lines[0]["value"]}
            )
            self._json({"commitUrl": f"{host}/{repo}/commit/{COMMIT}", "commitOid": COMMIT})
        else:
            self._json({"error": f"not implemented: {path}"}, 404)


@pytest.fixture
def upload_hub():
    _UploadHub.repos, _UploadHub.commits, _UploadHub.calls = set(), [], []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _UploadHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _region2vec():
    return Region2VecExModel.from_pretrained(datasets.region2vec_hg38())


def _scembed():
    from geniml.scembed import ScEmbed

    return ScEmbed.from_pretrained(datasets.region2vec_hg38())


def _bedspace(tmp: Path):
    from geniml.bedspace import preprocess, train

    src = datasets.diffbind_er_chr18()
    meta = tmp / "labels.csv"
    import polars as pl

    from geniml.io import BedSet

    tsv = datasets.diffbind_er_chr18_metadata()
    tsv.select(file_name=pl.col("file") + ".gz", Tissue="Tissue").write_csv(meta)
    BedSet(src).to_regionset().sort().merge(0).to_bed(tmp / "u.bed")
    pre = preprocess(src, meta, tmp / "u.bed", labels="Tissue", output=tmp / "p.txt")
    return train(pre, tmp / "bs", dim=8, epochs=3, seed=1, n_threads=1, progress=False)


def _vec2vec(tmp: Path):
    from geniml.text2bednn import Vec2Vec

    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 6)).astype("float32")
    v = Vec2Vec(6, 3, num_units=8, device="cpu")
    v.train(x, x[:, :3], epochs=3, rng=0)
    return v


MODELS = {"region2vec": _region2vec, "scembed": _scembed, "bedspace": _bedspace}
MODELS["vec2vec"] = _vec2vec


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_push_to_hub_uploads_every_file_of_the_folder(kind, tmp_path, upload_hub, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    make = MODELS[kind]
    model = make() if kind in ("region2vec", "scembed") else make(tmp_path)
    url = model.push_to_hub(
        f"me/{kind}", token=TOKEN, endpoint=upload_hub, commit_message=f"{kind} model"
    )
    assert url == f"{upload_hub}/me/{kind}/commit/{COMMIT}"
    assert _UploadHub.repos == {f"me/{kind}"}
    (commit,) = _UploadHub.commits
    assert commit["repo"] == f"me/{kind}" and commit["revision"] == "main"
    assert commit["summary"] == f"{kind} model"
    # the same model saved locally: the server holds exactly these files, byte for byte
    local = model.save_pretrained(tmp_path / "local")
    expected = {p.name: p.read_bytes() for p in local.iterdir()}
    assert sorted(commit["files"]) == sorted(expected)
    assert "README.md" in expected and "config.yaml" in expected
    for name, data in expected.items():
        assert commit["files"][name] == data, name
    # and what was uploaded loads back as the same class
    for name, data in commit["files"].items():
        (tmp_path / "pulled").mkdir(exist_ok=True)
        (tmp_path / "pulled" / name).write_bytes(data)
    again = type(model).from_pretrained(tmp_path / "pulled")
    assert type(again) is type(model)


def test_upload_to_an_existing_repository_commits_again(tmp_path, upload_hub):
    from geniml.hub import upload_model_folder

    folder = _region2vec().save_pretrained(tmp_path / "m")
    for _ in range(2):
        upload_model_folder(folder, "me/r2v", token=TOKEN, endpoint=upload_hub)
    assert len(_UploadHub.commits) == 2
    assert _UploadHub.calls.count("POST /api/repos/create") == 2  # the 409 is accepted


PUSH = """
import sys
from geniml import datasets
from geniml.exceptions import HubError
from geniml.region2vec import Region2VecExModel
m = Region2VecExModel.from_pretrained(datasets.region2vec_hg38())
token = sys.argv[2] or None
try:
    m.push_to_hub("me/r2v", endpoint=sys.argv[1], token=token)
except HubError as err:
    print("HubError:", err)
    raise SystemExit(3)
"""


def _push(env: dict[str, str], endpoint: str, token: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", PUSH, endpoint, token], capture_output=True, text=True, env=env
    )


def _clean_env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    return env | {"HF_HOME": str(tmp / "hf_home"), "HF_HUB_DISABLE_TELEMETRY": "1"} | extra


def test_push_without_a_token_is_a_clear_error(tmp_path, upload_hub):
    r = _push(_clean_env(tmp_path), upload_hub)
    assert r.returncode == 3, r.stdout + r.stderr[-2000:]
    assert r.stdout.startswith("HubError: me/r2v: no Hugging Face token")
    assert "HF_TOKEN" in r.stdout and not _UploadHub.calls  # nothing was sent


def test_push_with_a_refused_token_is_a_clear_error(tmp_path, upload_hub):
    r = _push(_clean_env(tmp_path), upload_hub, token="hf_wrong")
    assert r.returncode == 3, r.stdout + r.stderr[-2000:]
    assert "the hub refused the token (HTTP 401" in r.stdout
    assert not _UploadHub.commits


def test_push_offline_is_a_clear_error(tmp_path, upload_hub):
    r = _push(_clean_env(tmp_path, HF_HUB_OFFLINE="1"), upload_hub, token=TOKEN)
    assert r.returncode == 3, r.stdout + r.stderr[-2000:]
    assert r.stdout.startswith("HubError: me/r2v: cannot upload with HF_HUB_OFFLINE=1")
    assert not _UploadHub.calls


def test_push_to_an_unreachable_hub_is_a_clear_error(tmp_path):
    import socket

    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = _push(_clean_env(tmp_path), f"http://127.0.0.1:{port}", token=TOKEN)
    assert r.returncode == 3, r.stdout + r.stderr[-2000:]
    assert "cannot reach the hub" in r.stdout and f"127.0.0.1:{port}" in r.stdout


def test_push_rejects_a_bad_repository_id():
    from geniml.exceptions import ModelError

    with pytest.raises(ModelError, match='"owner/name"'):
        _region2vec().push_to_hub("no-owner", token=TOKEN)
