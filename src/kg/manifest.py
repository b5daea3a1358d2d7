"""The manifest of a store's inputs: which files a build read, as they were, and what they gave.

Takes, from `kg build`: each input file's path, size and modification time, and the articles it
gave (article id, fingerprint, and for JSON Lines the hash of the article's line). Gives, to the
next build: the files and lines that have not changed since, so that they are not even read.

The manifest is a cache beside the store, never the truth: an entry is used only when the store
still holds every article it lists with the same fingerprint, so a stale or lost manifest costs
time, never a wrong result. It lives in the store's directory (`kg-manifest.sqlite3`) for the
embedded store, and in the user's cache directory (one file per URL) for a remote SPARQL store,
whose input paths belong to the machine that builds anyway.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

FILENAME = "kg-manifest.sqlite3"
CACHE_ENV = "KG_CACHE_DIR"

_VERSION = 3
_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,     -- absolute path of the input file
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    key TEXT NOT NULL,         -- kg, extractor and RDF mapping versions and the --encoding
    complete INTEGER NOT NULL, -- every item of the file is listed (none skipped or noticed)
    count INTEGER NOT NULL,    -- articles listed; then, one a line in the same order:
    line_hashes TEXT NOT NULL, -- the hash of each article's line (JSON Lines), or nothing
    article_ids TEXT NOT NULL,
    fingerprints TEXT NOT NULL
);
"""

# One article a file gave: the hash of its line (JSON Lines; "" for other files), its id and its
# fingerprint. Plain tuples, and per file one text per column rather than a row per article: a
# file of 100,000 articles is read, decoded and written in milliseconds.
Listed = tuple[str, str, str]


@dataclass(frozen=True)
class FileEntry:
    """A file as the last build read it, and the articles it gave."""

    size: int
    mtime_ns: int
    key: str
    complete: bool
    articles: tuple[Listed, ...]

    def matches(self, stat: os.stat_result, key: str) -> bool:
        """The file looks as it did (same size, same modification time) and was read alike."""
        return (
            self.complete
            and self.key == key
            and self.size == stat.st_size
            and self.mtime_ns == stat.st_mtime_ns
        )


def line_hash(raw: bytes | memoryview) -> str:
    """The hash of one JSON Lines line as read, line ending included."""
    return hashlib.sha1(raw, usedforsecurity=False).hexdigest()


class Manifest:
    """The manifest file; changes are written by `commit`, all at once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None)
        if self._db.execute("PRAGMA user_version").fetchone()[0] != _VERSION:
            self._db.executescript("DROP TABLE IF EXISTS files; DROP TABLE IF EXISTS articles;")
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version = {_VERSION}")
        self._db.execute("BEGIN")

    def get(self, path: str) -> FileEntry | None:
        row = self._db.execute(
            "SELECT size, mtime_ns, key, complete, count, line_hashes, article_ids, fingerprints "
            "FROM files WHERE path = ?",
            (path,),
        ).fetchone()
        if row is None:
            return None
        size, mtime_ns, key, complete, count, hashes, ids, fps = row
        columns = (hashes.split("\n"), ids.split("\n"), fps.split("\n"))
        articles = tuple(zip(*columns, strict=True)) if count else ()
        return FileEntry(size, mtime_ns, key, bool(complete), articles)

    def put(self, path: str, entry: FileEntry) -> None:
        """Record what a file gave; written with the next `commit`."""
        hashes, ids, fps = (
            (list(column) for column in zip(*entry.articles, strict=True))
            if (entry.articles)
            else ([], [], [])
        )
        # An id with a line break would break the columns: such a file is read every time. An
        # incomplete file (a bad line, a notice) is read by every build, which reports the bad
        # lines again; its good lines are listed, so that they are not parsed again.
        storable = not any("\n" in article_id for article_id in ids)
        complete = entry.complete and storable
        listed = entry.articles if storable else ()
        self._db.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                path,
                entry.size,
                entry.mtime_ns,
                entry.key,
                int(complete),
                len(listed),
                "\n".join(hashes) if listed else "",
                "\n".join(ids) if listed else "",
                "\n".join(fps) if listed else "",
            ),
        )

    def forget_missing(self) -> None:
        """Forget the files that no longer exist (their articles stay in the store)."""
        paths = [row[0] for row in self._db.execute("SELECT path FROM files")]
        gone = [(p,) for p in paths if not os.path.exists(p)]
        self._db.executemany("DELETE FROM files WHERE path = ?", gone)

    def commit(self) -> None:
        self._db.execute("COMMIT")
        self._db.execute("BEGIN")

    def close(self) -> None:
        """Close without writing what was not committed."""
        with contextlib.suppress(sqlite3.Error):
            self._db.execute("ROLLBACK")
        self._db.close()


def open_manifest(location: Path | None) -> Manifest | None:
    """The manifest at `location`, or None where it cannot be kept (the build then reads all)."""
    if location is None:
        return None
    try:
        location.parent.mkdir(parents=True, exist_ok=True)
        try:
            return Manifest(location)
        except sqlite3.DatabaseError:
            # not a manifest (damaged, or another file of that name): a cache, made anew
            location.unlink()
            return Manifest(location)
    except (OSError, sqlite3.Error):
        return None


def manifest_location(store_location: str, *, embedded: bool) -> Path | None:
    """Where the manifest of the store at `store_location` is kept."""
    if embedded:
        return Path(store_location) / FILENAME
    if not store_location.startswith(("http://", "https://")):
        return None
    cache = os.environ.get(CACHE_ENV) or os.environ.get("XDG_CACHE_HOME")
    base = Path(cache) if cache else Path.home() / ".cache"
    name = hashlib.sha256(store_location.rstrip("/").encode()).hexdigest()[:16]
    return base / "kg" / "manifests" / f"{name}.sqlite3"
