"""``Region2VecExModel``: train, encode, export and load Region2Vec models (upstream layout)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from geniml._atomic import atomic_folder
from geniml._optional import require, require_from
from geniml.exceptions import GenimlValueError, ModelError
from geniml.hub import PretrainedMixin
from geniml.io import RegionSet

if TYPE_CHECKING:
    import torch

    from geniml.region2vec._nn import Region2Vec
    from geniml.region2vec._train import Backend, TrainReport
    from geniml.tokenization import Tokenizer

Pooling = Literal["mean", "max"]

CHECKPOINT_FILE = "checkpoint.pt"
SAFETENSORS_FILE = "model.safetensors"
CONFIG_FILE = "config.yaml"
UNIVERSE_FILE = "universe.bed"
MODEL_FILES = (CHECKPOINT_FILE, SAFETENSORS_FILE, CONFIG_FILE, UNIVERSE_FILE)

RegionsLike = RegionSet | str | os.PathLike


def _check_pooling(pooling: str) -> Pooling:
    if pooling not in ("mean", "max"):
        raise GenimlValueError(f"`pooling` must be one of {{'mean','max'}}, got {pooling!r}")
    return pooling  # type: ignore[return-value]


def _as_tokenizer(tokenizer: Tokenizer | str | os.PathLike) -> Tokenizer:
    from geniml.tokenization import Tokenizer

    if isinstance(tokenizer, Tokenizer):
        return tokenizer
    if isinstance(tokenizer, (str, os.PathLike)):
        path = Path(tokenizer)
        return Tokenizer.from_pretrained(path) if path.is_dir() else Tokenizer.from_bed(path)
    raise TypeError(f"`tokenizer` must be a Tokenizer or a universe path, got {type(tokenizer)}")


class Region2VecExModel(PretrainedMixin):
    """A Region2Vec model with its tokenizer: one vector per universe region.

    Training is word2vec (CBOW by default, or skip-gram) with negative sampling over tokenized
    region sets, whose token order carries no meaning: tokens are shuffled within each document
    every epoch. The Rust core builds the examples and, on the CPU, updates the torch weight
    tables in place; on a GPU (``device="cuda"``) the same examples feed a fused torch update.

    Args:
        model_path: a model folder to load (:meth:`from_pretrained` also takes a Hugging Face
            repository id; :meth:`save_pretrained` and :meth:`push_to_hub` write and upload).
        tokenizer: a ``Tokenizer`` or a universe BED path, for a new untrained model.
        device: torch device for training and encoding (default: CUDA when present, else CPU).
        pooling_method: ``"mean"`` or ``"max"``, the default pooling of :meth:`encode`.
        embedding_dim: vector size of a new model.

    Examples:
        >>> import numpy as np
        >>> from geniml.io import RegionSet
        >>> from geniml.region2vec import Region2VecExModel
        >>> rs = RegionSet([("chr1", i * 100, i * 100 + 50) for i in range(20)])
        >>> from geniml.tokenization import Tokenizer
        >>> m = Region2VecExModel(tokenizer=Tokenizer(rs), embedding_dim=8, device="cpu")
        >>> docs = [np.random.default_rng(i).permutation(20) for i in range(30)]
        >>> _ = m.train(docs, epochs=2, min_count=1)
        >>> m.encode(rs).shape
        (20, 8)
    """

    def __init__(
        self,
        model_path: str | os.PathLike | None = None,
        tokenizer: Tokenizer | str | os.PathLike | None = None,
        *,
        device: str | None = None,
        pooling_method: Pooling = "mean",
        embedding_dim: int = 100,
    ) -> None:
        self.pooling_method: Pooling = _check_pooling(pooling_method)
        self._device_name = device
        self._model: Region2Vec | None = None
        self.tokenizer: Tokenizer | None = None
        self.trained = False
        self.report: TrainReport | None = None
        if model_path is not None:
            self._load(Path(model_path))
        elif tokenizer is not None:
            Region2Vec = require_from("geniml.region2vec._nn", "Region2Vec")

            self.tokenizer = _as_tokenizer(tokenizer)
            self._model = Region2Vec(
                self.tokenizer.vocab_size,
                embedding_dim,
                padding_idx=self.tokenizer.pad_token_id,
            )

    # -- properties ----------------------------------------------------------------------
    @property
    def model(self) -> Region2Vec:
        """The torch module (``projection`` = embeddings, ``output`` = output vectors)."""
        if self._model is None:
            raise ModelError("the model is not initialised: pass `tokenizer=` or `model_path=`")
        return self._model

    @property
    def device(self) -> torch.device:
        """The torch device used for training and encoding."""
        torch = require("torch")

        if self._device_name is not None:
            return torch.device(self._device_name)
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")

    @property
    def embedding_dim(self) -> int:
        """Vector size."""
        return self.model.embedding_dim

    @property
    def embeddings(self) -> np.ndarray:
        """Embedding table (vocab_size x embedding_dim, float32; untrained rows are zero)."""
        return self.model.projection.weight.detach().cpu().numpy().copy()

    # -- training ------------------------------------------------------------------------
    def train(
        self,
        dataset: object,
        *,
        window_size: int = 5,
        epochs: int = 10,
        min_count: int = 10,
        num_cpus: int = 1,
        seed: int = 42,
        save_checkpoint_path: str | os.PathLike | None = None,
        load_from_checkpoint: str | os.PathLike | None = None,
        sg: bool = False,
        negative: int = 5,
        sample: float = 1e-3,
        init_lr: float = 0.025,
        min_lr: float = 1e-4,
        max_sentence_len: int = 10_000,
        max_doc_tokens: int | None = None,
        batch_size: int = 1024,
        backend: Backend = "auto",
        progress: bool | None = None,
    ) -> TrainReport:
        """Train the embeddings (word2vec with negative sampling, linear learning-rate decay).

        Args:
            dataset: a ``Region2VecDataset``, a parquet file with a ``tokens`` list column, a
                folder of ``.gtok`` / tokenized BED files, or a sequence of token-id arrays
                (one per document: a BED file or a cell). A token store
                (:class:`~geniml.tokenization.store.TokenStore` or its folder) is streamed
                a group of row groups at a time (memory bounded by the group; under
                ``torchrun`` each process trains on its share and the weights are averaged
                after every group, see :mod:`geniml.region2vec._stream`).
            window_size: maximal context half-width (reduced at random per token, as gensim).
            epochs: passes over the corpus; tokens are reshuffled within documents each pass.
            min_count: tokens seen fewer times are not trained (their rows stay zero and
                :meth:`encode` skips them).
            num_cpus: threads of the Rust core. With 1 thread training is bitwise
                reproducible for a seed; with more the CPU update is lock-free (Hogwild).
            seed: seed of initialisation, shuffling, subsampling, windows and negatives.
            save_checkpoint_path: folder receiving ``epoch_NNNN.pt`` after every epoch.
            load_from_checkpoint: resume from such a file (same data and settings).
            sg: skip-gram instead of CBOW.
            negative: negative samples per prediction (drawn from unigram^0.75).
            sample: subsampling threshold of frequent tokens (0 disables).
            init_lr: learning rate at the start.
            min_lr: learning rate at the end.
            max_sentence_len: documents are cut into sentences of at most this many tokens.
            max_doc_tokens: per epoch, train on at most this many (randomly chosen) tokens of
                each document, which keeps very large region sets from dominating. gensim
                (upstream) silently keeps only the first 10,000 tokens of each document, so
                ``max_doc_tokens=10_000`` reproduces upstream's behaviour; None trains all.
            batch_size: examples per step of the torch (GPU) update.
            backend: ``"rust"`` (CPU in-place kernel), ``"torch"`` (any device) or ``"auto"``.
            progress: show a progress bar (``None``: unless ``GENIML_NO_PROGRESS`` is set); in
                a notebook it is a plain text line, so ipywidgets is not needed.

        Returns:
            A report (per-epoch loss, tokens trained, seconds, tokens/s); truthy.
        """
        from geniml.region2vec._train import TrainConfig, as_csr, fit

        model = self.model
        store = _as_store(dataset)
        if store is None:
            tokens, offsets = as_csr(dataset, self.tokenizer)
        cfg = TrainConfig(
            window_size=window_size,
            epochs=epochs,
            min_count=min_count,
            negative=negative,
            sample=sample,
            init_lr=init_lr,
            min_lr=min_lr,
            sg=sg,
            seed=seed,
            max_sentence_len=max_sentence_len,
            max_doc_tokens=max_doc_tokens or 0,
            n_threads=num_cpus,
            batch_size=batch_size,
        )
        exclude = [] if model.padding_idx is None else [model.padding_idx]
        self.train_params = {k: v for k, v in vars(cfg).items() if v is not None}
        if store is not None:
            from geniml.region2vec._stream import fit_stream

            if save_checkpoint_path is not None or load_from_checkpoint is not None:
                raise GenimlValueError("checkpoints are not supported when streaming a store")
            self.report = fit_stream(model, store, cfg, exclude=exclude, device=self.device)
            self.trained = True
            return self.report
        self.report = fit(
            model,
            tokens,
            offsets,
            cfg,
            exclude=exclude,
            device=self.device,
            backend=backend,
            save_checkpoint_path=save_checkpoint_path,
            load_from_checkpoint=load_from_checkpoint,
            progress=progress,
        )
        self.trained = True
        return self.report

    # -- encoding ------------------------------------------------------------------------
    def encode(
        self,
        regions: RegionsLike | Sequence[RegionsLike],
        pooling: Pooling | None = None,
    ) -> np.ndarray:
        """Vectors of regions or of region sets.

        A RegionSet or a BED path gives one vector per region (the pooled embeddings of the
        universe regions it overlaps, 0-based half-open coordinates; a region overlapping none
        is the ``<unk>`` token, as upstream). A list of them gives one pooled vector per set
        (over the tokens of all its regions; regions overlapping nothing are left out).
        Untrained tokens (zero rows, e.g. below ``min_count``) are skipped; a region or set
        with no trained token gets a zero vector and a warning.

        Args:
            regions: a RegionSet, a BED path, or a list of RegionSets / BED paths.
            pooling: ``"mean"`` or ``"max"`` (default: the model's ``pooling_method``).

        Returns:
            float32 array (n, embedding_dim).
        """
        tok = self._require_tokenizer()
        pooling = _check_pooling(pooling or self.pooling_method)
        if isinstance(regions, (RegionSet, str, os.PathLike)):
            offsets, ids = _with_unknown(*tok.overlaps(regions), tok.unk_token_id)
            what = "region"
        else:
            items = list(regions)
            if not items:
                return np.zeros((0, self.embedding_dim), dtype=np.float32)
            docs = [t.ids for t in tok.tokenize_batch(items, drop_unknown=True)]
            offsets = np.zeros(len(docs) + 1, dtype=np.int64)
            np.cumsum([len(d) for d in docs], out=offsets[1:])
            ids = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64)
            what = "region set"
        return self._pool_csr(np.asarray(offsets), np.asarray(ids), pooling, what)

    def _pool_csr(self, offsets: np.ndarray, ids: np.ndarray, pooling: Pooling, what: str):
        weight = self.model.projection.weight.detach()
        n = len(offsets) - 1
        seg = np.repeat(np.arange(n, dtype=np.int64), np.diff(offsets).astype(np.int64))
        if weight.device.type == "cpu":
            # numpy segment reductions: many small torch ops pay thread start-up per call
            out, counts = _pool_numpy(weight.numpy(), ids, seg, n, pooling)
        else:
            out, counts = _pool_torch(weight, ids, seg, n, pooling)
        empty = int((counts == 0).sum())
        if empty:
            warnings.warn(
                f"{empty} of {n} {what}(s) have no trained token; their vectors are zero",
                stacklevel=3,
            )
        return out

    # -- persistence ---------------------------------------------------------------------
    def export(
        self, path: str | os.PathLike, *, force: bool = False, model_type: str = "region2vec"
    ) -> Path:
        """Write the model folder (upstream layout, loadable by upstream geniml 0.8.4).

        Files: ``checkpoint.pt`` (state dict ``{"projection.weight": vocab x dim}``),
        ``model.safetensors`` (``projection.weight`` and ``output.weight``), ``config.yaml``
        (``vocab_size``, ``embedding_dim``, legacy ``embedding_size``, ``pooling_method``) and
        ``universe.bed``.

        Args:
            path: folder to write (created).
            force: replace existing model files.
            model_type: the ``model_type`` recorded in ``config.yaml`` for
                :func:`geniml.models.load_model` (``ScEmbed`` writes ``"scembed"``).

        Returns:
            The folder.
        """
        torch = require("torch")
        import yaml

        save_file = require_from("safetensors.torch", "save_file")

        tok = self._require_tokenizer()
        model = self.model
        out = Path(path)
        proj = model.projection.weight.detach().cpu().contiguous()
        outw = model.output.weight.detach().cpu().contiguous()
        config = {
            "vocab_size": int(model.vocab_size),
            "embedding_dim": int(model.embedding_dim),
            "embedding_size": int(model.embedding_dim),
            "pooling_method": self.pooling_method,
            "model_type": model_type,
        }
        # The four files are one output: written into a temporary sibling folder and swapped in
        # together (other files of an existing folder are carried over), so a failure or a kill
        # never leaves a checkpoint and a config from two different models.
        with atomic_folder(out, force=force, replace=MODEL_FILES, keep_others=True) as tmp:
            torch.save({"projection.weight": proj.clone()}, tmp / CHECKPOINT_FILE)
            save_file(
                {"projection.weight": proj, "output.weight": outw}, str(tmp / SAFETENSORS_FILE)
            )
            _apply_umask(tmp / SAFETENSORS_FILE)  # safetensors creates its file 0600
            (tmp / CONFIG_FILE).write_text(yaml.safe_dump(config, sort_keys=True))
            tok.universe.to_bed(tmp / UNIVERSE_FILE, force=True)
        return out

    # -- Hugging Face folders: from_pretrained / save_pretrained / push_to_hub (PretrainedMixin)
    @classmethod
    def _from_folder(cls, folder: Path, *, device: str | None) -> Region2VecExModel:
        return cls(folder, device=device)

    def _save_folder(self, folder: Path, *, force: bool) -> Path:
        return self.export(folder, force=force)

    def _load(self, folder: Path) -> None:
        torch = require("torch")
        import yaml

        Region2Vec = require_from("geniml.region2vec._nn", "Region2Vec")
        from geniml.tokenization import Tokenizer

        if not folder.is_dir():
            raise ModelError(
                f"{folder}: not a model folder (Hugging Face downloads: fetch the "
                "repository first, e.g. with huggingface_hub.snapshot_download)"
            )
        cfg_path = folder / CONFIG_FILE
        if not cfg_path.exists():
            raise ModelError(f"{folder}: no {CONFIG_FILE}")
        try:
            config = yaml.safe_load(cfg_path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as err:  # ParserError, ScannerError, ConstructorError ...
            reason = " ".join(str(err).split())
            raise ModelError(f"{cfg_path}: not valid YAML ({reason})") from None
        except (OSError, UnicodeDecodeError) as err:
            raise ModelError(f"{cfg_path}: unreadable ({err})") from None
        if not isinstance(config, dict):
            raise ModelError(
                f"{cfg_path}: expected a mapping of settings, got a YAML {type(config).__name__}"
            )
        dim = config.get("embedding_dim", config.get("embedding_size"))
        vocab = config.get("vocab_size")
        if (
            not isinstance(dim, int)
            or not isinstance(vocab, int)
            or isinstance(dim, bool)
            or isinstance(vocab, bool)
            or dim <= 0
            or vocab <= 0
        ):
            raise ModelError(
                f"{cfg_path}: needs positive integer `vocab_size` and `embedding_dim` (or "
                f"legacy `embedding_size`), got {vocab!r} and {dim!r}"
            )
        tok = Tokenizer.from_pretrained(folder)
        if tok.vocab_size != vocab:
            raise ModelError(
                f"{folder}: the parts do not belong together: {CONFIG_FILE} vocab_size {vocab} "
                f"!= {tok.vocab_size} tokens of {UNIVERSE_FILE} ({tok.vocab_size - 7} regions "
                "+ 7 special tokens)"
            )
        model = Region2Vec(vocab, dim, padding_idx=tok.pad_token_id)
        state = self._read_weights(folder)
        proj = state.get("projection.weight")
        if proj is None or tuple(proj.shape) != (vocab, dim):
            got = None if proj is None else tuple(proj.shape)
            raise ModelError(
                f"{folder}: the parts do not belong together: `projection.weight` must be "
                f"{(vocab, dim)} ({CONFIG_FILE}, {UNIVERSE_FILE}), got {got}"
            )
        with torch.no_grad():
            model.projection.weight.copy_(proj)
            if "output.weight" in state and tuple(state["output.weight"].shape) == (vocab, dim):
                model.output.weight.copy_(state["output.weight"])
        self._model = model.to(self.device)
        self.tokenizer = tok
        self.trained = True
        if config.get("pooling_method") in ("mean", "max"):
            self.pooling_method = config["pooling_method"]

    @staticmethod
    def _read_weights(folder: Path) -> dict:
        if (folder / SAFETENSORS_FILE).exists():
            load_file = require_from("safetensors.torch", "load_file")

            path = folder / SAFETENSORS_FILE
            try:
                return load_file(str(path))
            except Exception as err:  # noqa: BLE001 - SafetensorError, OSError, ...
                raise ModelError(f"{path}: unreadable safetensors file ({err})") from None
        if (folder / CHECKPOINT_FILE).exists():
            torch = require("torch")

            path = folder / CHECKPOINT_FILE
            try:
                state = torch.load(path, map_location="cpu", weights_only=True)
            except Exception as err:  # noqa: BLE001 - torch raises many types for bad pickles
                raise ModelError(f"{path}: unreadable torch checkpoint ({err})") from None
            if not isinstance(state, dict):
                raise ModelError(f"{path}: expected a state dict, got {type(state).__name__}")
            return dict(state)
        raise ModelError(f"{folder}: neither {SAFETENSORS_FILE} nor {CHECKPOINT_FILE}")

    def _require_tokenizer(self) -> Tokenizer:
        if self.tokenizer is None:
            raise ModelError("the model has no tokenizer: pass `tokenizer=` or load a folder")
        return self.tokenizer


def _pool_numpy(
    weight: np.ndarray, ids: np.ndarray, seg: np.ndarray, n: int, pooling: Pooling
) -> tuple[np.ndarray, np.ndarray]:
    """Pool rows ``weight[ids]`` by segment ``seg`` (sorted), skipping zero rows."""
    emb = weight[np.asarray(ids, dtype=np.int64)]
    keep = emb.any(axis=1)
    emb, seg = emb[keep], seg[keep]
    counts = np.bincount(seg, minlength=n)
    out = np.zeros((n, weight.shape[1]), dtype=weight.dtype)
    nonempty = counts > 0
    if len(emb):
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])[nonempty]
        if pooling == "mean":
            out[nonempty] = np.add.reduceat(emb, starts, axis=0) / counts[nonempty, None]
        else:
            out[nonempty] = np.maximum.reduceat(emb, starts, axis=0)
    return out, counts


def _apply_umask(path: Path) -> None:
    """Give ``path`` the mode a plain ``open(path, "w")`` would: 0666 minus the user's umask."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)


def _pool_torch(weight, ids: np.ndarray, seg: np.ndarray, n: int, pooling: Pooling):
    """The same pooling with torch ops on the weights' device (GPU)."""
    torch = require("torch")

    with torch.no_grad():
        ids_t = torch.from_numpy(np.ascontiguousarray(ids, dtype=np.int64)).to(weight.device)
        seg_t = torch.from_numpy(seg).to(weight.device)
        emb = weight[ids_t]
        keep = emb.ne(0).any(dim=1)
        emb, seg_t = emb[keep], seg_t[keep]
        out = torch.zeros(n, weight.shape[1], dtype=weight.dtype, device=weight.device)
        counts = torch.zeros(n, dtype=weight.dtype, device=weight.device)
        counts.index_add_(0, seg_t, torch.ones_like(seg_t, dtype=weight.dtype))
        if pooling == "mean":
            out.index_add_(0, seg_t, emb)
            out /= counts.clamp(min=1).unsqueeze(1)
        else:
            idx = seg_t.unsqueeze(1).expand_as(emb)
            out.scatter_reduce_(0, idx, emb, reduce="amax", include_self=False)
    return out.cpu().numpy(), counts.cpu().numpy()


def _with_unknown(offsets: np.ndarray, ids: np.ndarray, unk: int) -> tuple[np.ndarray, np.ndarray]:
    """Give every region without a token the ``<unk>`` token (CSR in, CSR out)."""
    offsets = np.asarray(offsets, dtype=np.int64)
    lengths = np.diff(offsets)
    if lengths.all():
        return offsets, np.asarray(ids, dtype=np.int64)
    new_len = np.maximum(lengths, 1)
    new_off = np.zeros_like(offsets)
    np.cumsum(new_len, out=new_off[1:])
    out = np.full(int(new_off[-1]), unk, dtype=np.int64)
    pos = np.arange(len(ids)) - np.repeat(offsets[:-1], lengths) + np.repeat(new_off[:-1], lengths)
    out[pos] = ids
    return new_off, out


def _as_store(dataset: object):
    """The dataset as a TokenStore when it is one (or a store folder), else None."""
    from geniml.tokenization.store import MANIFEST, TokenStore

    if isinstance(dataset, TokenStore):
        return dataset
    if isinstance(dataset, (str, os.PathLike)) and (Path(dataset) / MANIFEST).is_file():
        return TokenStore(dataset)
    return None


def embed_region_sets(
    model: Region2VecExModel,
    region_sets: Sequence[RegionsLike],
    *,
    pooling: Pooling | None = None,
    batch_size: int | None = None,
    output: str | os.PathLike | None = None,
    force: bool = False,
) -> np.ndarray:
    """One pooled vector per region set (RegionSets or BED paths).

    Args:
        model: a trained model.
        region_sets: the sets (e.g. the paths of a :class:`~geniml.io.BedSet`).
        pooling: ``"mean"`` or ``"max"`` (default: the model's).
        batch_size: encode this many sets at a time (memory bounded by one batch); default:
            all at once.
        output: also write the vectors to this ``.npy`` file, block by block (atomically);
            the memory-mapped file is returned.
        force: replace an existing ``output``.

    Returns:
        float32 array (len(region_sets), embedding_dim).

    Examples:
        >>> from geniml import datasets
        >>> from geniml.io import BedSet
        >>> from geniml.region2vec import Region2VecExModel, embed_region_sets
        >>> m = Region2VecExModel.from_pretrained(datasets.region2vec_hg38())
        >>> paths = [p for p in BedSet(datasets.hg38_sample()).paths if p.name[0] in "DS"]
        >>> embed_region_sets(m, paths, batch_size=4).shape
        (7, 100)
    """
    items = list(region_sets)
    size = batch_size or max(len(items), 1)
    if size < 1:
        raise GenimlValueError(f"`batch_size` must be >= 1, got {batch_size}")
    blocks = (
        model.encode(items[i : i + size], pooling=pooling) for i in range(0, len(items), size)
    )
    if output is not None:
        from geniml._blocks import write_npy_blocks

        return write_npy_blocks(output, blocks, len(items), force=force)
    parts = list(blocks)
    return np.concatenate(parts) if parts else model.encode(items, pooling=pooling)
