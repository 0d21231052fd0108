"""Hugging Face model folders: ``from_pretrained``, ``save_pretrained``, ``push_to_hub``.

A geniml model folder (weights in ``model.safetensors`` / ``checkpoint.pt``, ``config.yaml``
with its ``model_type``, ``universe.bed`` ...) is what a Hugging Face model repository holds.
Every geniml model class (Region2Vec, scEmbed, BEDspace, Vec2Vec) gets the three methods from
:class:`PretrainedMixin`:

- ``save_pretrained(folder)`` writes the folder plus a model card (``README.md``) with the
  training parameters and the universe;
- ``from_pretrained(repo_id_or_folder)`` takes a local folder or a repository id
  (``"databio/r2v-encode-hg38"``): ids are resolved by ``huggingface_hub`` (optional extra
  ``geniml[hf]``), which reads the local hub cache first and downloads only when online; with
  ``HF_HUB_OFFLINE=1`` a model missing from the cache is a clear
  :class:`~geniml.exceptions.ModelError`. Nothing is downloaded for a local folder;
- ``push_to_hub(repo_id)`` saves the folder aside and uploads it as one commit (creating the
  repository if needed); a missing token, offline mode, a refusal or an unreachable hub is one
  :class:`~geniml.exceptions.HubError`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, TypeVar

from geniml._atomic import atomic_file
from geniml._optional import require
from geniml.exceptions import HubError, ModelError

__all__ = [
    "PretrainedMixin",
    "resolve_pretrained",
    "upload_model_folder",
    "write_model_card",
]

# card title -> the class that loads the folder (named in the card)
LOADERS: dict[str, str] = {
    "Region2Vec": "geniml.region2vec.Region2VecExModel",
    "scEmbed": "geniml.scembed.ScEmbed",
    "BEDspace": "geniml.bedspace.BEDSpaceModel",
    "Vec2Vec": "geniml.text2bednn.Vec2Vec",
}

_OFF = ("1", "true", "yes", "on")


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
    offline = os.environ.get("HF_HUB_OFFLINE", "").lower() in _OFF
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
        model_type: the card's title: ``"Region2Vec"``, ``"scEmbed"``, ``"BEDspace"`` or
            ``"Vec2Vec"`` (names the class that loads the folder).
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
    loader = LOADERS.get(model_type, LOADERS["Region2Vec"])
    module, cls = loader.rsplit(".", 1)
    files = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name != "README.md")
    lines = [
        "---",
        "library_name: geniml",
        "tags: [geniml, genomic-intervals, " + model_type.lower() + "]",
        "---",
        "",
        f"# {model_type} model (geniml)",
        "",
        f"Load it with `from {module} import {cls}; {cls}.from_pretrained(repo_id_or_folder)`.",
        "Files: " + ", ".join(f"`{f}`" for f in files) + ".",
        "Coordinates are 0-based half-open (BED); token i is the i-th `universe.bed` region.",
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


def upload_model_folder(
    folder: str | os.PathLike,
    repo_id: str,
    *,
    token: str | None = None,
    private: bool | None = None,
    revision: str | None = None,
    commit_message: str | None = None,
    endpoint: str | None = None,
) -> str:
    """Upload every file of a model folder to a Hugging Face repository as one commit.

    The repository is created when it does not exist (``exist_ok``). Files go through
    ``huggingface_hub.HfApi.upload_folder`` (optional extra ``geniml[hf]``).

    Args:
        folder: the model folder (as written by ``save_pretrained``).
        repo_id: the repository, ``"owner/name"``.
        token: a Hub access token (default: ``$HF_TOKEN`` or the token saved by
            ``hf auth login``).
        private: create the repository private (ignored when it exists).
        revision: an existing branch to commit to (default: ``main``).
        commit_message: the commit summary (default: ``"Upload geniml model"``).
        endpoint: the Hub URL (default: ``$HF_ENDPOINT`` or https://huggingface.co).

    Returns:
        The URL of the commit.

    Raises:
        HubError: no token, ``HF_HUB_OFFLINE=1``, the hub refused the request (bad token, no
            write access) or could not be reached.
        ModelError: ``repo_id`` is not ``"owner/name"`` or ``folder`` is not a folder.
        MissingExtraError: huggingface_hub is not installed.

    Examples:
        >>> from geniml import datasets
        >>> from geniml.exceptions import ModelError
        >>> from geniml.hub import upload_model_folder
        >>> try:
        ...     upload_model_folder(datasets.region2vec_hg38(), "not a repo id")
        ... except ModelError as err:
        ...     print(err)
        not a repo id: a Hugging Face repository id is "owner/name"
    """
    folder = Path(folder)
    parts = repo_id.split("/")
    if len(parts) != 2 or not all(parts) or any(c.isspace() for c in repo_id):
        raise ModelError(f'{repo_id}: a Hugging Face repository id is "owner/name"')
    if not folder.is_dir():
        raise ModelError(f"{folder}: not a model folder")
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in _OFF:
        raise HubError(f"{repo_id}: cannot upload with HF_HUB_OFFLINE=1 (unset it to push)")
    hub = require("huggingface_hub")
    token = token or hub.get_token()
    if not token:
        raise HubError(
            f"{repo_id}: no Hugging Face token; pass token=..., set HF_TOKEN or run `hf auth login`"
        )
    api = hub.HfApi(endpoint=endpoint, token=token)
    try:
        api.create_repo(repo_id, private=private, exist_ok=True)
        info = api.upload_folder(
            repo_id=repo_id,
            folder_path=str(folder),
            revision=revision,
            commit_message=commit_message or "Upload geniml model",
        )
    except Exception as err:  # noqa: BLE001 - httpx/requests/hub errors: one clear error
        raise HubError(f"{repo_id}: upload to {api.endpoint} failed: {_reason(err)}") from None
    return str(info.commit_url if hasattr(info, "commit_url") else info)


def _reason(err: BaseException) -> str:
    response = getattr(err, "response", None)
    status = getattr(response, "status_code", None)
    first = (str(err).strip().splitlines() or [""])[0]
    if status in (401, 403):
        return f"the hub refused the token (HTTP {status}; check it has write access): {first}"
    if status is not None:
        return f"HTTP {status}: {first}"
    module = type(err).__module__.split(".", 1)[0]
    if isinstance(err, OSError) or module in ("httpx", "httpcore", "requests", "urllib3"):
        return f"cannot reach the hub ({type(err).__name__}: {first})"
    return f"unexpected answer from the hub ({type(err).__name__}: {first})"


_M = TypeVar("_M", bound="PretrainedMixin")


class PretrainedMixin:
    """``from_pretrained`` / ``save_pretrained`` / ``push_to_hub`` for a geniml model class.

    A model class sets :attr:`card_type` (the card's title, a key of :data:`LOADERS`) and
    implements ``_from_folder`` (load a local folder) and ``_save_folder`` (write one); the
    mixin adds the hub resolution, the model card and the upload, the same for every model.

    Examples:
        >>> from geniml.hub import PretrainedMixin
        >>> from geniml.region2vec import Region2VecExModel
        >>> issubclass(Region2VecExModel, PretrainedMixin), Region2VecExModel.card_type
        (True, 'Region2Vec')
    """

    card_type: str = "Region2Vec"

    @classmethod
    def _from_folder(cls: type[_M], folder: Path, *, device: str | None) -> _M:
        raise NotImplementedError(f"{cls.__name__} does not load model folders")

    def _save_folder(self, folder: Path, *, force: bool) -> Path:
        raise NotImplementedError(f"{type(self).__name__} does not write model folders")

    def _train_params(self) -> dict[str, Any] | None:
        params = getattr(self, "train_params", None)
        return params if isinstance(params, dict) else None

    @classmethod
    def from_pretrained(
        cls: type[_M],
        path: str | os.PathLike,
        *,
        device: str | None = None,
        revision: str | None = None,
        cache_dir: str | os.PathLike | None = None,
    ) -> _M:
        """Load a model folder, or a Hugging Face repository's snapshot.

        Args:
            path: a folder (written by ``save_pretrained``/``export``/``save`` or by upstream
                geniml), or a repository id ``"owner/name"`` (the local hub cache first, a
                download only when online; needs ``geniml[hf]``).
            device: torch device (models without torch ignore it).
            revision: repository branch, tag or commit.
            cache_dir: hub cache folder (default: huggingface_hub's).

        Returns:
            The model.

        Raises:
            ModelError: not a model folder, or not in the hub cache and not downloadable.

        Examples:
            >>> from geniml import datasets
            >>> from geniml.region2vec import Region2VecExModel
            >>> Region2VecExModel.from_pretrained(datasets.region2vec_hg38()).embedding_dim
            100
        """
        folder = resolve_pretrained(path, revision=revision, cache_dir=cache_dir)
        return cls._from_folder(folder, device=device)

    def save_pretrained(self, folder: str | os.PathLike, *, force: bool = False) -> Path:
        """Write the model folder plus a model card ``README.md``.

        The card lists the model's ``config.yaml`` values, the universe (size, identifier) and
        the training parameters of the last training call in this session.

        Args:
            folder: output folder (a Hugging Face model repository's content).
            force: replace an existing model in ``folder``.

        Returns:
            The folder.

        Raises:
            FileExistsError: ``folder`` holds a model and ``force`` is false.

        Examples:
            >>> import tempfile, pathlib
            >>> from geniml import datasets
            >>> from geniml.region2vec import Region2VecExModel
            >>> m = Region2VecExModel.from_pretrained(datasets.region2vec_hg38())
            >>> out = m.save_pretrained(pathlib.Path(tempfile.mkdtemp()) / "m")
            >>> sorted(p.name for p in out.iterdir())[:2]
            ['README.md', 'checkpoint.pt']
        """
        import yaml

        out = self._save_folder(Path(folder), force=force)
        cfg_path = out / "config.yaml"
        config = yaml.safe_load(cfg_path.read_text()) if cfg_path.is_file() else {}
        write_model_card(
            out,
            model_type=self.card_type,
            config=config if isinstance(config, dict) else {},
            train_params=self._train_params(),
        )
        return out

    def push_to_hub(
        self,
        repo_id: str,
        *,
        token: str | None = None,
        private: bool | None = None,
        revision: str | None = None,
        commit_message: str | None = None,
        endpoint: str | None = None,
    ) -> str:
        """Save the model (:meth:`save_pretrained`, card included) and upload it to the Hub.

        The folder is written into a temporary directory and uploaded as one commit by
        :func:`upload_model_folder`; the repository is created when it does not exist.

        Args:
            repo_id: the repository, ``"owner/name"``.
            token: a Hub access token (default: ``$HF_TOKEN`` or ``hf auth login``'s).
            private: create the repository private (ignored when it exists).
            revision: an existing branch to commit to (default: ``main``).
            commit_message: the commit summary.
            endpoint: the Hub URL (default: ``$HF_ENDPOINT`` or https://huggingface.co).

        Returns:
            The URL of the commit.

        Raises:
            HubError: no token, ``HF_HUB_OFFLINE=1``, refused or unreachable.

        Examples:
            >>> import os
            >>> from geniml import datasets
            >>> from geniml.exceptions import HubError
            >>> from geniml.region2vec import Region2VecExModel
            >>> m = Region2VecExModel.from_pretrained(datasets.region2vec_hg38())
            >>> os.environ["HF_HUB_OFFLINE"] = "1"
            >>> try:
            ...     m.push_to_hub("me/r2v")
            ... except HubError as err:
            ...     print(err)
            me/r2v: cannot upload with HF_HUB_OFFLINE=1 (unset it to push)
            >>> del os.environ["HF_HUB_OFFLINE"]
        """
        with tempfile.TemporaryDirectory(prefix="geniml-push-") as tmp:
            folder = self.save_pretrained(Path(tmp) / "model")
            return upload_model_folder(
                folder,
                repo_id,
                token=token,
                private=private,
                revision=revision,
                commit_message=commit_message,
                endpoint=endpoint,
            )
