"""BEDshift's YAML pipeline format (``bedshift_operations:``, ``$VARS`` expanded in paths).

.. code-block:: yaml

    bedshift_operations:
      - shift:
        rate: 0.3
        mean: 100
        stdev: 200
      - add_from_file:
        file: $DATA/extra.bed
        rate: 0.2
      - drop:
        rate: 0.1

Each item names one operation (``add``, ``add_from_file``, ``drop``, ``drop_from_file``,
``shift``, ``shift_from_file``, ``cut``, ``merge``) with its parameters beside it (upstream's
layout) or nested under it; operations run in the listed order.
"""

from __future__ import annotations

import os
from pathlib import Path

from geniml.exceptions import GenimlValueError

__all__ = ["read_operations"]

# operation -> (required keys, optional keys, {yaml key: Bedshift keyword})
_SPEC: dict[str, tuple[set[str], set[str], dict[str, str]]] = {
    "add": ({"rate", "mean", "stdev"}, {"valid_regions", "delimiter"}, {
        "rate": "addrate", "mean": "addmean", "stdev": "addstdev",
        "valid_regions": "valid_bed", "delimiter": "delimiter"}),
    "add_from_file": ({"file", "rate"}, {"delimiter"}, {
        "file": "fp", "rate": "addrate", "delimiter": "delimiter"}),
    "drop": ({"rate"}, set(), {"rate": "droprate"}),
    "drop_from_file": ({"file", "rate"}, {"delimiter"}, {
        "file": "fp", "rate": "droprate", "delimiter": "delimiter"}),
    "shift": ({"rate", "mean", "stdev"}, set(), {
        "rate": "shiftrate", "mean": "shiftmean", "stdev": "shiftstdev"}),
    "shift_from_file": ({"file", "rate", "mean", "stdev"}, {"delimiter"}, {
        "file": "fp", "rate": "shiftrate", "mean": "shiftmean", "stdev": "shiftstdev",
        "delimiter": "delimiter"}),
    "cut": ({"rate"}, set(), {"rate": "cutrate"}),
    "merge": ({"rate"}, set(), {"rate": "mergerate"}),
}  # fmt: skip
_FILE_KEYS = {"file", "valid_regions"}


def read_operations(path: str | os.PathLike) -> list[tuple[str, dict[str, object]]]:
    """Parse a BEDshift YAML config into ``(Bedshift method, keyword arguments)`` pairs.

    Environment variables (``$VAR``, ``${VAR}``) are expanded in file paths; a relative path is
    taken relative to the working directory, as upstream does.

    Raises:
        GenimlValueError: unreadable YAML, a missing ``bedshift_operations`` list, an unknown
            operation or parameter, or a missing file; the message names the file and line.

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "ops.yaml"
        >>> _ = p.write_text("bedshift_operations:\\n  - drop:\\n    rate: 0.1\\n  - cut:\\n    rate: 0.2\\n")
        >>> read_operations(p)
        [('drop', {'droprate': 0.1}), ('cut', {'cutrate': 0.2})]
    """
    import yaml

    path = Path(path)
    try:
        text = path.read_text()
    except OSError as err:
        raise GenimlValueError(f"{path}: cannot read the BEDshift config: {err}") from err
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise GenimlValueError(f"{path}:{line}: invalid YAML: {err.problem}") from err
    except yaml.YAMLError as err:
        raise GenimlValueError(f"{path}: invalid YAML: {err}") from err
    if not isinstance(data, dict) or not isinstance(data.get("bedshift_operations"), list):
        raise GenimlValueError(f"{path}:1: expected a `bedshift_operations:` list")
    items = data["bedshift_operations"]
    lines = _item_lines(root, len(items))
    out = []
    for item, line in zip(items, lines, strict=True):
        where = f"{path}:{line}"
        if not isinstance(item, dict):
            raise GenimlValueError(f"{where}: an operation must be a mapping, got {item!r}")
        names = [k for k in item if k in _SPEC]
        if len(names) != 1:
            raise GenimlValueError(
                f"{where}: each item names exactly one operation out of {sorted(_SPEC)}, "
                f"got keys {sorted(map(str, item))}"
            )
        op = names[0]
        params = {k: v for k, v in item.items() if k != op}
        if isinstance(item[op], dict):
            params.update(item[op])
        required, optional, rename = _SPEC[op]
        missing = required - params.keys()
        unknown = params.keys() - required - optional
        if missing or unknown:
            raise GenimlValueError(
                f"{where}: `{op}` needs {sorted(required)}"
                + (f" (optional {sorted(optional)})" if optional else "")
                + (f"; missing {sorted(missing)}" if missing else "")
                + (f"; unknown {sorted(unknown)}" if unknown else "")
            )
        kwargs: dict[str, object] = {}
        for key, value in params.items():
            if key in _FILE_KEYS:
                fp = Path(os.path.expandvars(str(value)))
                if not fp.is_file():
                    raise GenimlValueError(f"{where}: file {str(fp)!r} does not exist")
                value = str(fp)
            kwargs[rename[key]] = value
        out.append((op, kwargs))
    return out


def _item_lines(root, n: int) -> list[int]:
    try:
        for key, value in root.value:
            if key.value == "bedshift_operations":
                return [node.start_mark.line + 1 for node in value.value]
    except (AttributeError, TypeError):
        pass
    return [1] * n
