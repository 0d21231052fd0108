"""Hugging Face model folders: ``from_pretrained(repo_id_or_folder)``, ``save_pretrained``.

A geniml model folder (``checkpoint.pt``, ``model.safetensors``, ``config.yaml``,
``universe.bed``) is what a Hugging Face model repository holds; ``save_pretrained`` adds a
model card (``README.md``) with the training parameters and the universe. ``from_pretrained``
takes a local folder or a repository id (``"databio/r2v-encode-hg38"``): ids are resolved by
``huggingface_hub`` (optional extra ``geniml[hf]``), which reads the local hub cache first and
downloads only when online; with ``HF_HUB_OFFLINE=1`` a model missing from the cache is a clear
:class:`~geniml.exceptions.ModelError`. Nothing is downloaded for a local folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from geniml._atomic import atomic_file
from geniml._optional import require
from geniml.exceptions import ModelError

__all__ = ["resolve_pretrained", "write_model_card"]


def resolve_pretrained(
    repo_id_or_folder: str | os.PathLike,
    *,
    revision: str | None = None,
    cache_dir: str | os.PathLike | None = None,
) -> Path:
    """The local folder of a model: the folder itself, or a hub repository's cached snapshot.

    Args:
        repo_id_or_folder: a model folder, or a Hugging Face repository id ``"owner/name"``.
        revision: branch, tag or commit of the repository (default: ``main``).
        cache_dir: hub cache (default: huggingface_hub's, e.g. ``$HF_HUB_CACHE``).

    Returns:
        A folder holding the model files.

    Raises:
        ModelError: not a folder and not a repository id, or the repository is neither in the
            cache nor downloadable (offline, unknown repository, network error).
        MissingExtraError: a repository id without huggingface_hub installed.

    Examples:
        >>> from geniml import datasets
        >>> from geniml.hub import resolve_pretrained
        >>> resolve_pretrained(datasets.region2vec_hg38()) == datasets.region2vec_hg38()
        True
    """
    path = Path(repo_id_or_folder)
    if path.is_dir():
        return path
    name = str(repo_id_or_folder)
    parts = name.split("/")
    if isinstance(repo_id_or_folder, Path) or len(parts) != 2 or not all(parts) or path.exists():
        raise ModelError(f"{name}: not a model folder and not a Hugging Face repository id")
    hub = require("huggingface_hub")
    offline = os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on")
    try:
        folder = hub.snapshot_download(
            name,
            revision=revision,
            cache_dir=str(cache_dir) if cache_dir is not None else None,
            local_files_only=offline,
        )
    except Exception as err:  # noqa: BLE001 - huggingface_hub raises many kinds; one clear error
        where = "the local hub cache (HF_HUB_OFFLINE=1)" if offline else "the hub or its cache"
        raise ModelError(
            f"{name}: model not found in {where}: {type(err).__name__}: {err}".rstrip()
        ) from None
    return Path(folder)


def _fmt(value: Any) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def write_model_card(
    folder: str | os.PathLike,
    *,
    model_type: str,
    config: dict[str, Any],
    train_params: dict[str, Any] | None = None,
    force: bool = True,
) -> Path:
    """Write ``README.md`` (a Hugging Face model card) describing a geniml model folder.

    Args:
        folder: the model folder (its ``universe.bed`` is summarised in the card).
        model_type: ``"Region2Vec"`` or ``"scEmbed"``.
        config: the model's ``config.yaml`` values.
        train_params: the training parameters, when the model was trained in this session.
        force: replace an existing card.

    Returns:
        The card's path.

    Examples:
        >>> import shutil, tempfile, pathlib
        >>> from geniml import datasets
        >>> from geniml.hub import write_model_card
        >>> d = pathlib.Path(tempfile.mkdtemp()) / "m"
        >>> _ = shutil.copytree(datasets.region2vec_hg38(), d)
        >>> card = write_model_card(d, model_type="Region2Vec", config={"embedding_dim": 100})
        >>> "2,378 regions" in card.read_text()
        True
    """
    from geniml.io import read_bed

    folder = Path(folder)
    lines = [
        "---",
        "library_name: geniml",
        "tags: [geniml, genomic-intervals, " + model_type.lower() + "]",
        "---",
        "",
        f"# {model_type} model (geniml)",
        "",
        "Load it with `from geniml.region2vec import Region2VecExModel; "
        "Region2VecExModel.from_pretrained(repo_id_or_folder)`"
        + (" (or `geniml.scembed.ScEmbed.from_pretrained`)." if model_type == "scEmbed" else "."),
        "Files: `checkpoint.pt` / `model.safetensors` (weights), `config.yaml`, `universe.bed` "
        "(token i is the i-th universe region; 0-based half-open coordinates).",
        "",
        "## Model",
        "",
        *[f"- {k}: {_fmt(v)}" for k, v in sorted(config.items())],
    ]
    universe = folder / "universe.bed"
    if universe.exists():
        u = read_bed(universe)
        lines += [
            "",
            "## Universe",
            "",
            f"- {len(u):,} regions on {u.n_chromosomes} chromosomes, mean width "
            f"{u.mean_region_width:.0f} bp",
            f"- identifier (BEDbase md5): {u.identifier}",
        ]
    lines += ["", "## Training parameters", ""]
    if train_params:
        lines += [f"- {k}: {_fmt(v)}" for k, v in train_params.items()]
    else:
        lines += ["- not recorded (the model was loaded, not trained, before it was saved)"]
    card = folder / "README.md"
    with atomic_file(card, force=force) as tmp:
        Path(tmp).write_text("\n".join(lines) + "\n")
    return card
