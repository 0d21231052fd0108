"""BBClient: a local cache of BEDbase BED files and BED sets, shared with upstream geniml and R.

The cache layout is upstream geniml 0.8.4's, so upstream's ``BBClient`` and R's ``bedbaser``
read what geniml writes and the other way round::

    <cache>/bedfiles/<a>/<b>/<id>.bed.gz     # a, b = the first two characters of the id
    <cache>/bedfiles/BiocFileCache.sqlite    # BiocFileCache index (pybiocfilecache schema 0.99.4)
    <cache>/bedsets/<a>/<b>/<id>.txt         # one member BED id per line
    <cache>/bedsets/BiocFileCache.sqlite
    <cache>/tokens.zarr/<universe id>/<bed id>/   # zarr v2 arrays of token ids

Downloads use the BEDbase API (``$BEDBASE_API`` or https://api.bedbase.org) with timeouts,
retries with exponential backoff on 5xx and connection errors, no retry on 404, an identifier
check of every downloaded file, and atomic writes. ``GENIML_OFFLINE=1`` serves the cache only.

Examples:
    >>> import tempfile
    >>> from geniml.bbclient import BBClient
    >>> from geniml.io import RegionSet
    >>> client = BBClient(cache_folder=tempfile.mkdtemp())
    >>> bed_id = client.add_bed_to_cache(RegionSet([("chr1", 10, 20), ("chr2", 5, 9)]))
    >>> client.seek(bed_id).endswith(f"{bed_id}.bed.gz"), list(client.list_beds()) == [bed_id]
    (True, True)
    >>> len(client.load_bed(bed_id))
    2
"""

from geniml.bbclient.client import (
    BBClient,
    BEDbaseConnectionError,
    BEDbaseNotFoundError,
    CacheMissError,
    IdentifierMismatchError,
)

__all__ = [
    "BBClient",
    "BEDbaseConnectionError",
    "BEDbaseNotFoundError",
    "CacheMissError",
    "IdentifierMismatchError",
]
