"""Atomic outputs: the one place where geniml's Python layer writes files and folders.

A file is written to a hidden temporary sibling and renamed into place; a folder of files that
belong together (a model folder, the tokenized files of one run) is written into a hidden
temporary sibling folder and swapped in as a whole, so a failure or a ``kill -9`` at any point
leaves either the old output or the new one, never a mix. An existing output is refused unless
``force``.

Examples:
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_file(d / "a.txt") as tmp:
    ...     _ = tmp.write_text("hello")
    >>> (d / "a.txt").read_text()
    'hello'
    >>> with atomic_folder(d / "model") as tmp:
    ...     _ = (tmp / "config.yaml").write_text("dim: 2\\n")
    >>> sorted(p.name for p in (d / "model").iterdir())
    ['config.yaml']
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "atomic_file",
    "atomic_folder",
    "refuse_existing",
    "remove_stale",
    "swap_into_place",
    "tmp_sibling",
]

_COUNTER = itertools.count()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(path: str | os.PathLike) -> None:
    """Remove the temporaries of ``path`` that a killed writer left (their process is gone).

    Temporaries are named ``.{name}.{tag}-{pid}-{n}``; those of live processes are kept.
    """
    path = Path(path)
    parent = path.parent
    if not parent.is_dir():
        return
    prefix = f".{path.name}."
    for entry in parent.iterdir():
        rest = entry.name[len(prefix) :] if entry.name.startswith(prefix) else ""
        tag, _, tail = rest.partition("-")
        pid = tail.split("-", 1)[0]
        if tag in ("tmp", "old") and pid.isdigit() and not _pid_alive(int(pid)):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def tmp_sibling(path: str | os.PathLike, tag: str = "tmp") -> Path:
    """A fresh hidden name next to ``path`` (same folder, so a rename is atomic)."""
    path = Path(path)
    # Keeps the suffix: writers that pick a format from the extension still do.
    return path.with_name(f".{path.name}.{tag}-{os.getpid()}-{next(_COUNTER)}{path.suffix}")


def refuse_existing(path: str | os.PathLike, *, force: bool) -> None:
    """Raise ``FileExistsError`` naming ``path`` when it exists and ``force`` is false."""
    if not force and os.path.lexists(path):
        raise FileExistsError(f"{path}: output exists; pass force=True (--force) to replace it")


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike, *, force: bool = False) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path``, on error it is removed.

    Args:
        path: the final file (its folder is created).
        force: replace an existing ``path``.

    Raises:
        FileExistsError: ``path`` exists and ``force`` is false (checked before anything runs).
    """
    path = Path(path)
    refuse_existing(path, force=force)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(path)
    tmp = tmp_sibling(path)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.lexists(tmp):
            os.remove(tmp)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False if unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    rc = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (22, 38, 95):  # EINVAL / ENOSYS / EOPNOTSUPP: the file system cannot exchange
        return False
    raise OSError(err, os.strerror(err), str(b))


def _carry_over(old: Path, new: Path) -> None:
    """Hard-link (or copy) into ``new`` every entry of ``old`` that ``new`` does not have."""
    for entry in os.scandir(old):
        target = new / entry.name
        if os.path.lexists(target):
            continue
        if entry.is_dir(follow_symlinks=False):
            target.mkdir()
            _carry_over(Path(entry.path), target)
        elif entry.is_symlink():
            os.symlink(os.readlink(entry.path), target)
        else:
            try:
                os.link(entry.path, target)
            except OSError:
                shutil.copy2(entry.path, target)


def swap_into_place(tmp: Path, path: Path) -> None:
    """Put the complete folder ``tmp`` at ``path`` (replacing a folder there) in one step.

    For outputs that are built over several runs (a resumable token store keeps its partial
    folder between runs) and so cannot use :func:`atomic_folder`'s context.
    """
    if not path.exists():
        os.rename(tmp, path)
        return
    if _exchange(tmp, path):
        shutil.rmtree(tmp, ignore_errors=True)  # the old folder now sits at the temporary name
        return
    old = tmp_sibling(path, "old")
    os.rename(path, old)
    try:
        os.rename(tmp, path)
    except BaseException:
        os.rename(old, path)
        raise
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def atomic_folder(
    path: str | os.PathLike,
    *,
    force: bool = False,
    replace: tuple[str, ...] | None = None,
    keep_others: bool = False,
) -> Iterator[Path]:
    """Yield an empty temporary folder to fill; on success it takes the place of ``path``.

    The swap is one ``renameat2(RENAME_EXCHANGE)`` on Linux (two renames elsewhere), so readers
    see the old folder or the new one, never a mix. On error the temporary folder is removed and
    ``path`` is untouched.

    Args:
        path: the final folder.
        force: allow replacing an existing output.
        replace: the names this output owns; without ``force`` only these are checked for
            existence (default: any existing ``path`` is refused unless it is an empty folder).
        keep_others: carry the other entries of an existing ``path`` over (hard links) into the
            new folder, so that only the output's own files change.

    Raises:
        FileExistsError: the output exists and ``force`` is false.
        NotADirectoryError: ``path`` exists and is not a folder.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(f"{path}: exists and is not a folder")
    if not force and path.is_dir():
        clash = [n for n in replace if (path / n).exists()] if replace else list(path.iterdir())
        if clash:
            shown = ", ".join(sorted(Path(c).name for c in clash)[:5])
            raise FileExistsError(f"{path}: {shown} exist; pass force=True (--force) to replace")
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(path)
    tmp = tmp_sibling(path)
    tmp.mkdir()
    old = None
    try:
        yield tmp
        if path.is_dir():
            if keep_others:
                _carry_over(path, tmp)
            if _exchange(tmp, path):
                old = tmp  # the old folder now sits at the temporary name
            else:
                old = tmp_sibling(path, "old")
                os.rename(path, old)
                try:
                    os.rename(tmp, path)
                except BaseException:
                    os.rename(old, path)  # put the previous output back
                    old = None
                    raise
        else:
            os.rename(tmp, path)
    finally:
        for leftover in (tmp, old):
            if leftover is not None and leftover.exists() and leftover != path:
                shutil.rmtree(leftover, ignore_errors=True)
