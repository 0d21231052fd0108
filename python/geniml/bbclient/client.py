"""The BBClient class: a BEDbase download cache in upstream geniml 0.8.4's layout."""

from __future__ import annotations

import gzip
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from geniml.bbclient import _zarr
from geniml.bbclient._index import FileCacheIndex
from geniml.exceptions import GenimlError
from geniml.io import BedSet, RegionSet, read_bed

__all__ = [
    "BBClient",
    "BEDbaseConnectionError",
    "BEDbaseNotFoundError",
    "CacheMissError",
    "IdentifierMismatchError",
]

_LOGGER = logging.getLogger("geniml.bbclient")

DEFAULT_BEDBASE_API = "https://api.bedbase.org"
BEDFILE_URL = "{api}/v1/objects/bed.{bed_id}.bed_file/access/http/bytes"
BEDSET_URL = "{api}/v1/bedset/{bedset_id}/bedfiles"
TOKENS_URL = "{api}/v1/bed/{bed_id}/tokens/{universe_id}/info"
BEDFILES, BEDSETS, TOKENS = "bedfiles", "bedsets", "tokens.zarr"
BED_EXT, BEDSET_EXT = ".bed.gz", ".txt"


class BEDbaseNotFoundError(GenimlError, LookupError):
    """BEDbase answered 404: no such BED file, BED set or token array."""


class BEDbaseConnectionError(GenimlError, ConnectionError):
    """BEDbase could not be reached (after retries) or answered with an error."""


class CacheMissError(GenimlError, FileNotFoundError):
    """The identifier is not in the cache (and offline mode forbids downloading it)."""


class IdentifierMismatchError(GenimlError, ValueError):
    """A downloaded BED file's identifier differs from the one requested."""


def _offline_env() -> bool:
    return os.environ.get("GENIML_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _check_id(identifier: str) -> str:
    if not isinstance(identifier, str) or len(identifier) < 2 or "/" in identifier:
        raise GenimlError(f"not a BEDbase identifier: {identifier!r}")
    return identifier


class BBClient:
    """Download BED files and BED sets from BEDbase into a local cache and load them.

    Args:
        cache_folder: the cache (default ``$BBCLIENT_CACHE`` or ``~/.bbcache/``).
        bedbase_api: API root (default ``$BEDBASE_API`` or ``https://api.bedbase.org``).
        timeout: seconds for connecting and for each read.
        max_retries: retries after a 5xx answer, a timeout, a dropped or truncated response.
        backoff: the first retry waits this many seconds, then twice as long each time.
        offline: serve the cache only (default: ``GENIML_OFFLINE=1`` in the environment).

    Examples:
        >>> import tempfile
        >>> from geniml.io import RegionSet
        >>> c = BBClient(cache_folder=tempfile.mkdtemp(), offline=True)
        >>> i = c.add_bed_to_cache(RegionSet([("chr1", 1, 50)]))
        >>> c.load_bed(i)[0]
        Region(chrom='chr1', start=1, end=50)
        >>> c.remove(i); c.list_beds()
        {}
    """

    def __init__(
        self,
        cache_folder: str | os.PathLike | None = None,
        bedbase_api: str | None = None,
        *,
        timeout: float = 30.0,
        max_retries: int = 3,
        backoff: float = 0.5,
        offline: bool | None = None,
    ) -> None:
        folder = cache_folder or os.environ.get("BBCLIENT_CACHE") or "~/.bbcache/"
        self.cache_folder = Path(os.path.expandvars(os.path.expanduser(str(folder)))).absolute()
        self.cache_folder.mkdir(parents=True, exist_ok=True)
        api = bedbase_api or os.environ.get("BEDBASE_API") or DEFAULT_BEDBASE_API
        self.bedbase_api = api.rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.offline = _offline_env() if offline is None else offline
        self._bedfile_index = FileCacheIndex(self.cache_folder / BEDFILES)
        self._bedset_index = FileCacheIndex(self.cache_folder / BEDSETS)
        _zarr.ensure_group(self.cache_folder / TOKENS)

    def __repr__(self) -> str:
        return (
            f"BBClient(cache_folder={str(self.cache_folder)!r}, bedbase_api={self.bedbase_api!r})"
        )

    # -- paths ---------------------------------------------------------------------------
    def _path(self, identifier: str, sub: str, ext: str) -> Path:
        i = _check_id(identifier)
        return self.cache_folder / sub / i[0] / i[1] / f"{i}{ext}"

    def _bedfile_path(self, bed_id: str) -> Path:
        return self._path(bed_id, BEDFILES, BED_EXT)

    def _bedset_path(self, bedset_id: str) -> Path:
        return self._path(bedset_id, BEDSETS, BEDSET_EXT)

    # -- HTTP ----------------------------------------------------------------------------
    def _get(self, url: str, what: str) -> bytes:
        """GET with retries on 5xx / transport errors; 404 raises at once."""
        if self.offline:
            raise CacheMissError(f"{what} is not in the cache {self.cache_folder} (offline mode)")
        import httpx

        last = "no attempt"
        timeout = httpx.Timeout(self.timeout)
        with httpx.Client(timeout=timeout, follow_redirects=True) as client:
            for attempt in range(self.max_retries + 1):
                if attempt:
                    time.sleep(self.backoff * 2 ** (attempt - 1))
                try:
                    resp = client.get(url)
                    body = resp.content
                except httpx.TimeoutException as err:
                    last = f"timed out after {self.timeout:g} s ({type(err).__name__})"
                    continue
                except httpx.TransportError as err:
                    last = f"{type(err).__name__}: {err}"
                    continue
                if resp.status_code == 404:
                    raise BEDbaseNotFoundError(f"no such {what} on {self.bedbase_api} (404: {url})")
                if resp.status_code >= 500:
                    last = f"HTTP {resp.status_code}"
                    continue
                if resp.status_code >= 400:
                    raise BEDbaseConnectionError(f"{url}: HTTP {resp.status_code} for {what}")
                expected = resp.headers.get("content-length")
                if expected is not None and "content-encoding" not in resp.headers:
                    if expected.isdigit() and int(expected) != len(body):
                        last = f"truncated body ({len(body)} of {expected} bytes)"
                        continue
                return body
        raise BEDbaseConnectionError(
            f"could not download {what} from {url} after {self.max_retries + 1} attempts "
            f"(last: {last}); set GENIML_OFFLINE=1 to use the cache only"
        )

    def _get_json(self, url: str, what: str) -> object:
        import json

        body = self._get(url, what)
        try:
            return json.loads(body)
        except ValueError as err:
            raise BEDbaseConnectionError(f"{url}: not JSON ({err})") from err

    # -- BED files -----------------------------------------------------------------------
    def load_bed(self, bed_id: str) -> RegionSet:
        """The BED file ``bed_id`` from the cache, downloaded from BEDbase first on a miss.

        Raises:
            BEDbaseNotFoundError: BEDbase has no such id.
            IdentifierMismatchError: the downloaded file's identifier is not ``bed_id``.
            CacheMissError: not cached and offline.
            BEDbaseConnectionError: BEDbase unreachable after the retries.
        """
        path = self._bedfile_path(bed_id)
        if not path.exists():
            self._download_bed(bed_id, path)
        self._bedfile_index.add(bed_id, path)
        return read_bed(path)

    def get_regions(self, bed_id: str) -> RegionSet:
        """Alias of :meth:`load_bed` (the seed's name)."""
        return self.load_bed(bed_id)

    def _download_bed(self, bed_id: str, path: Path) -> None:
        data = self._get(
            BEDFILE_URL.format(api=self.bedbase_api, bed_id=bed_id), f"BED file {bed_id}"
        )
        if data[:2] != b"\x1f\x8b":
            data = gzip.compress(data, mtime=0)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{bed_id}.", suffix=".part", dir=path.parent)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            got = read_bed(tmp).identifier
            if got != bed_id:
                raise IdentifierMismatchError(
                    f"the file BEDbase served for {bed_id} has identifier {got}; not cached"
                )
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        _LOGGER.info("BED file %s downloaded into %s", bed_id, path)

    def add_bed_to_cache(
        self,
        bedfile: str | os.PathLike | RegionSet,
        force: bool = False,  # noqa: FBT001, FBT002 - upstream's positional signature
    ) -> str:
        """Put a local BED file (or a RegionSet) into the cache; returns its identifier.

        An existing cached file is kept unless ``force=True``.
        """
        rs = bedfile if isinstance(bedfile, RegionSet) else read_bed(bedfile)
        bed_id = rs.identifier
        path = self._bedfile_path(bed_id)
        if force or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            rs.to_bed(path, force=True)
        self._bedfile_index.add(bed_id, path)
        return bed_id

    # -- BED sets ------------------------------------------------------------------------
    def load_bedset(self, bedset_id: str) -> BedSet:
        """The BED set ``bedset_id`` (its members loaded or downloaded) as a BedSet."""
        path = self._bedset_path(bedset_id)
        if path.exists():
            ids = [x.strip() for x in path.read_text().splitlines() if x.strip()]
        else:
            url = BEDSET_URL.format(api=self.bedbase_api, bedset_id=bedset_id)
            data = self._get_json(url, f"BED set {bedset_id}")
            try:
                ids = [str(entry["id"]) for entry in data["results"]]  # type: ignore[index]
            except (KeyError, TypeError) as err:
                raise BEDbaseConnectionError(f"{url}: unexpected answer ({err!r})") from err
        paths = []
        for bed_id in ids:
            self.load_bed(bed_id)
            paths.append(self._bedfile_path(bed_id))
        if not path.exists():
            self._write_text(path, ids)
        self._bedset_index.add(bedset_id, path)
        return BedSet(paths)

    def add_bedset_to_cache(self, bedset: BedSet | str | os.PathLike) -> str:
        """Put a BedSet (or a folder of BED files) and its members into the cache; returns its id."""
        bs = bedset if isinstance(bedset, BedSet) else BedSet(bedset)
        ids = [self.add_bed_to_cache(rs) for rs in bs]
        bedset_id = bs.identifier
        path = self._bedset_path(bedset_id)
        if not path.exists():
            self._write_text(path, ids)
        self._bedset_index.add(bedset_id, path)
        return bedset_id

    @staticmethod
    def _write_text(path: Path, ids: list[str]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write("".join(f"{i}\n" for i in ids))
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)

    # -- lookup and removal --------------------------------------------------------------
    def seek(self, identifier: str) -> str:
        """Local path of a cached BED set or BED file.

        Raises:
            CacheMissError: neither is cached.
        """
        for path in (self._bedset_path(identifier), self._bedfile_path(identifier)):
            if path.exists():
                return str(path)
        raise CacheMissError(f"{identifier} is not in the cache {self.cache_folder}")

    def list_beds(self) -> dict[str, str]:
        """``{id: path}`` of the cached BED files (from the BiocFileCache index)."""
        return self._bedfile_index.items()

    def list_bedsets(self) -> dict[str, str]:
        """``{id: path}`` of the cached BED sets."""
        return self._bedset_index.items()

    def remove(self, identifier: str, *, remove_bed_files: bool = False) -> None:
        """Remove a BED set (and with ``remove_bed_files`` its members) or a BED file.

        Raises:
            CacheMissError: the identifier is not cached.
        """
        path = Path(self.seek(identifier))
        if path.parent.parent.parent.name == BEDSETS:
            self.remove_bedset_from_cache(identifier, remove_bed_files=remove_bed_files)
        else:
            self.remove_bedfile_from_cache(identifier)

    def remove_bedset_from_cache(
        self,
        bedset_id: str,
        remove_bed_files: bool = False,  # noqa: FBT001, FBT002 - upstream's positional signature
    ) -> None:
        """Remove a cached BED set (upstream's name)."""
        path = self._bedset_path(bedset_id)
        if not path.exists() and not self._bedset_index.get(bedset_id):
            raise CacheMissError(f"BED set {bedset_id} is not in the cache {self.cache_folder}")
        if remove_bed_files and path.exists():
            for bed_id in path.read_text().split():
                if self._bedfile_path(bed_id).exists():
                    self.remove_bedfile_from_cache(bed_id)
        self._bedset_index.remove(bedset_id)
        self._unlink(path)

    def remove_bedfile_from_cache(self, bed_id: str) -> None:
        """Remove a cached BED file (upstream's name)."""
        path = self._bedfile_path(bed_id)
        if not path.exists() and not self._bedfile_index.get(bed_id):
            raise CacheMissError(f"BED file {bed_id} is not in the cache {self.cache_folder}")
        self._bedfile_index.remove(bed_id)
        self._unlink(path)

    @staticmethod
    def _unlink(path: Path) -> None:
        path.unlink(missing_ok=True)
        for folder in (path.parent, path.parent.parent):
            try:
                folder.rmdir()  # only when empty
            except OSError:
                break

    # -- tokens --------------------------------------------------------------------------
    def _tokens_folder(self, bed_id: str, universe_id: str) -> Path:
        return self.cache_folder / TOKENS / _check_id(universe_id) / _check_id(bed_id)

    def cache_tokens(self, bed_id: str, universe_id: str, tokens: object) -> None:
        """Store a token-id array for ``bed_id`` tokenized with ``universe_id`` (replaces)."""
        _zarr.ensure_group(self.cache_folder / TOKENS / _check_id(universe_id))
        _zarr.write_array(self._tokens_folder(bed_id, universe_id), np.asarray(tokens))

    def load_bed_tokens(self, bed_id: str, universe_id: str) -> np.ndarray:
        """Token ids from the cache, fetched from BEDbase's token store first on a miss."""
        folder = self._tokens_folder(bed_id, universe_id)
        if not (folder / ".zarray").exists():
            self.add_bed_tokens_to_cache(bed_id, universe_id)
        return _zarr.read_array(_zarr.folder_getter(folder), str(folder))

    def add_bed_tokens_to_cache(self, bed_id: str, universe_id: str) -> None:
        """Download the token array BEDbase lists for (``bed_id``, ``universe_id``)."""
        what = f"token array of {bed_id} for universe {universe_id}"
        url = TOKENS_URL.format(api=self.bedbase_api, bed_id=bed_id, universe_id=universe_id)
        info = self._get_json(url, what)
        try:
            root = f"{str(info['endpoint_url']).rstrip('/')}/{str(info['file_path']).strip('/')}"  # type: ignore[index]
        except (KeyError, TypeError) as err:
            raise BEDbaseConnectionError(f"{url}: unexpected answer ({err!r})") from err

        def get(key: str) -> bytes | None:
            try:
                return self._get(f"{root}/{key}", what)
            except BEDbaseNotFoundError:
                return None

        self.cache_tokens(bed_id, universe_id, _zarr.read_array(get, root))

    def remove_tokens(self, bed_id: str, universe_id: str) -> None:
        """Remove a cached token array.

        Raises:
            CacheMissError: it is not cached.
        """
        folder = self._tokens_folder(bed_id, universe_id)
        if not folder.exists():
            raise CacheMissError(f"no cached tokens of {bed_id} for universe {universe_id}")
        shutil.rmtree(folder)
