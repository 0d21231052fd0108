"""A BiocFileCache index (the SQLite file that pybiocfilecache and R's BiocFileCache keep).

Written with the standard library's sqlite3 in pybiocfilecache 0.6's schema (version 0.99.4):
tables ``metadata(key, value)`` and ``resource(id, rid, rname, create_time, access_time, rpath,
rtype, fpath, last_modified_time, etag, expires)``; resources are added "as is" (``rpath`` is
the file itself), ``rid`` is ``BFC<n>`` and ``etag`` the file's md5, as pybiocfilecache does.
"""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

SCHEMA_VERSION = "0.99.4"
DB_NAME = "BiocFileCache.sqlite"

_DDL = (
    'CREATE TABLE IF NOT EXISTS metadata ("key" TEXT NOT NULL, value TEXT, PRIMARY KEY ("key"))',
    'CREATE UNIQUE INDEX IF NOT EXISTS ix_metadata_key ON metadata ("key")',
    "CREATE TABLE IF NOT EXISTS resource (id INTEGER NOT NULL, rid TEXT, rname TEXT, "
    "create_time DATETIME DEFAULT CURRENT_TIMESTAMP, access_time DATETIME DEFAULT "
    "CURRENT_TIMESTAMP, rpath TEXT, rtype TEXT, fpath TEXT, last_modified_time DATETIME, "
    "etag TEXT, expires DATETIME, PRIMARY KEY (id))",
    "CREATE INDEX IF NOT EXISTS ix_resource_id ON resource (id)",
)


def _md5(path: Path) -> str:
    h = hashlib.md5()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class FileCacheIndex:
    """The index of one cache subfolder (``bedfiles/`` or ``bedsets/``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.db = self.folder / DB_NAME
        with closing(self._connect()) as con, con:
            for stmt in _DDL:
                con.execute(stmt)
            row = con.execute("SELECT value FROM metadata WHERE key = 'schema_version'").fetchone()
            if row is None:
                con.execute(
                    "INSERT INTO metadata (key, value) VALUES ('schema_version', ?)",
                    (SCHEMA_VERSION,),
                )
            elif row[0] != SCHEMA_VERSION:
                from geniml.exceptions import GenimlValueError

                raise GenimlValueError(
                    f"{self.db}: BiocFileCache schema {row[0]}, expected {SCHEMA_VERSION}"
                )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.db, timeout=30)

    def get(self, rname: str) -> str | None:
        """The ``rpath`` of a resource, or None."""
        with closing(self._connect()) as con:
            row = con.execute(
                "SELECT rpath FROM resource WHERE rname = ? ORDER BY id LIMIT 1", (rname,)
            ).fetchone()
        return None if row is None else row[0]

    def add(self, rname: str, path: Path) -> None:
        """Record ``path`` under ``rname`` (no-op when the name is already there)."""
        etag = _md5(path)
        with closing(self._connect()) as con, con:
            con.execute("BEGIN IMMEDIATE")
            if con.execute("SELECT 1 FROM resource WHERE rname = ?", (rname,)).fetchone():
                return
            (n,) = con.execute("SELECT COUNT(*) FROM resource").fetchone()
            con.execute(
                "INSERT INTO resource (rid, rname, rpath, rtype, fpath, etag, "
                "last_modified_time) VALUES (?, ?, ?, 'local', ?, ?, CURRENT_TIMESTAMP)",
                (f"BFC{n + 1}", rname, str(path), str(path), etag),
            )

    def remove(self, rname: str) -> bool:
        """Forget a resource; True when it was there."""
        with closing(self._connect()) as con, con:
            cur = con.execute("DELETE FROM resource WHERE rname = ?", (rname,))
            return cur.rowcount > 0

    def items(self) -> dict[str, str]:
        """``{rname: fpath}`` sorted by name."""
        with closing(self._connect()) as con:
            rows = con.execute("SELECT rname, fpath FROM resource").fetchall()
        return dict(sorted(rows))
