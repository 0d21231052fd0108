"""Save and load any geniml model folder; ``config.yaml``'s ``model_type`` names the class.

========================  ==========================================  ==================
``model_type``            class                                       loader
========================  ==========================================  ==================
``region2vec``            :class:`geniml.region2vec.Region2VecExModel`  ``from_pretrained``
``scembed``               :class:`geniml.scembed.ScEmbed`               ``from_pretrained``
``bedspace``              ``geniml.bedspace.BEDSpaceModel``             ``load``
``text2bednn``            ``geniml.text2bednn.Vec2Vec``                 ``load``
========================  ==========================================  ==================

A folder without ``model_type`` but with ``checkpoint.pt`` or ``model.safetensors`` (what
upstream geniml writes) is a Region2Vec model. Classes are imported lazily by path, so this
module imports without torch and works before optional model families are installed. Loading
never unpickles code: weights come from safetensors, or from ``torch.load(weights_only=True)``.

Examples:
    >>> from geniml.models import MODEL_TYPES
    >>> sorted(MODEL_TYPES)
    ['bedspace', 'region2vec', 'scembed', 'text2bednn']
"""

from __future__ import annotations

import importlib
import inspect
import os
from pathlib import Path
from typing import Any

from geniml.exceptions import ModelError

__all__ = ["MODEL_TYPES", "load_model", "model_type_of", "save_model"]

CONFIG_FILE = "config.yaml"

# model_type -> (module, class, loader classmethod, save method)
MODEL_TYPES: dict[str, tuple[str, str, str, str]] = {
    "region2vec": ("geniml.region2vec", "Region2VecExModel", "from_pretrained", "export"),
    "scembed": ("geniml.scembed", "ScEmbed", "from_pretrained", "export"),
    "bedspace": ("geniml.bedspace", "BEDSpaceModel", "load", "save"),
    "text2bednn": ("geniml.text2bednn", "Vec2Vec", "load", "save"),
}
_UPSTREAM_WEIGHTS = ("checkpoint.pt", "model.safetensors")


def _class_of(model_type: str) -> type:
    module, name, _, _ = MODEL_TYPES[model_type]
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as err:
        raise ModelError(
            f"model type {model_type!r} needs {module}.{name}, which cannot be imported here "
            f"({err}); install the extra that provides it"
        ) from err


def _read_config(path: Path) -> dict[str, Any]:
    import yaml

    cfg = path / CONFIG_FILE
    try:
        data = yaml.safe_load(cfg.read_text())
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        line = mark.line + 1 if mark is not None else 1
        raise ModelError(f"{cfg}:{line}: invalid YAML ({err.problem})") from err
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise ModelError(f"{cfg}: unreadable ({err})") from err
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ModelError(f"{cfg}: expected a mapping, got {type(data).__name__}")
    return data


def model_type_of(path: str | os.PathLike) -> str:
    """The ``model_type`` of a model folder (``"region2vec"`` for upstream folders without one).

    Raises:
        ModelError: not a folder, no ``config.yaml``, invalid YAML, or an unknown type.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise ModelError(f"{folder}: not a model folder")
    if not (folder / CONFIG_FILE).is_file():
        raise ModelError(f"{folder}: no {CONFIG_FILE}, so not a geniml model folder")
    config = _read_config(folder)
    model_type = config.get("model_type")
    if model_type is None:
        if any((folder / f).is_file() for f in _UPSTREAM_WEIGHTS):
            return "region2vec"
        raise ModelError(
            f"{folder / CONFIG_FILE}: no `model_type` and no {' or '.join(_UPSTREAM_WEIGHTS)}"
        )
    if model_type not in MODEL_TYPES:
        raise ModelError(
            f"{folder / CONFIG_FILE}: unknown model_type {model_type!r}; known: "
            f"{', '.join(sorted(MODEL_TYPES))}"
        )
    return str(model_type)


def load_model(path: str | os.PathLike) -> Any:
    """Load a model folder as the class its ``config.yaml`` names.

    Args:
        path: a folder written by :func:`save_model`, a model's own save/export, or upstream
            geniml (``checkpoint.pt`` + ``config.yaml``).

    Returns:
        A ``Region2VecExModel``, ``ScEmbed``, ``BEDSpaceModel`` or ``Vec2Vec``.

    Raises:
        ModelError: unknown or corrupt folders (missing files, bad YAML, unknown type, weights
            that are not plain tensors).
    """
    model_type = model_type_of(path)
    _, _, loader, _ = MODEL_TYPES[model_type]
    return getattr(_class_of(model_type), loader)(Path(path))


def _type_of_model(model: object) -> str:
    for model_type, (module, name, _, _) in MODEL_TYPES.items():
        try:
            cls = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
        if type(model) is cls:
            return model_type
    for model_type in MODEL_TYPES:  # subclasses
        try:
            if isinstance(model, _class_of(model_type)):
                return model_type
        except ModelError:
            continue
    raise ModelError(
        f"save_model does not know {type(model).__module__}.{type(model).__name__}; "
        f"known: {', '.join(f'{m}.{c}' for m, c, _, _ in MODEL_TYPES.values())}"
    )


def _record_type(folder: Path, model_type: str) -> None:
    import yaml

    cfg = folder / CONFIG_FILE
    config = _read_config(folder) if cfg.is_file() else {}
    if config.get("model_type") == model_type:
        return
    config["model_type"] = model_type
    tmp = folder / f".{CONFIG_FILE}.tmp"
    tmp.write_text(yaml.safe_dump(config, sort_keys=True))
    os.replace(tmp, cfg)


def save_model(model: object, path: str | os.PathLike, *, force: bool = False) -> Path:
    """Save a geniml model to a folder that :func:`load_model` reads back.

    Calls the model's own ``export``/``save`` and makes sure ``config.yaml`` records its
    ``model_type``.

    Args:
        model: a ``Region2VecExModel``, ``ScEmbed``, ``BEDSpaceModel`` or ``Vec2Vec``.
        path: the folder (created).
        force: replace an existing model in the folder.

    Returns:
        The folder.

    Raises:
        ModelError: an object that is not a geniml model.
        FileExistsError: the folder already holds a model and ``force`` is False.
    """
    model_type = _type_of_model(model)
    folder = Path(path)
    if not force and (folder / CONFIG_FILE).exists():
        raise FileExistsError(f"{folder}: already holds a model (pass force=True)")
    save = getattr(model, MODEL_TYPES[model_type][3])
    if "force" in inspect.signature(save).parameters:
        save(folder, force=force)
    else:
        save(folder)
    _record_type(folder, model_type)
    return folder
