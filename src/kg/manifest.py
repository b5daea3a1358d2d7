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
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

FILENAME = "kg-manifest.sqlite3"
CACHE_ENV = "KG_CACHE_DIR"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,  -- absolute path of the input file
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    key TEXT NOT NULL,      -- kg and extractor versions and the --encoding it was read with
    complete INTEGER NOT NULL  -- every item of the file is listed (none skipped or noticed)
);
CREATE TABLE IF NOT EXISTS articles (
    path TEXT NOT NULL,
    line_hash TEXT,         -- JSON Lines: hash of the article's line as bytes
    article_id TEXT NOT NULL,
    fingerprint TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_by_path ON articles (path);
"""


@dataclass(frozen=True)
class Listed:
    """One article a file gave: the hash of its line (JSON Lines), its id and fingerprint."""

    line_hash: str | None
    article_id: str
    fingerprint: str


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


def line_hash(raw: bytes) -> str:
    """The hash of one JSON Lines line, line ending excluded."""
    return hashlib.blake2b(raw.rstrip(b"\r\n"), digest_size=16).hexdigest()


class Manifest:
    """The manifest file, read whole when opened; changes are written by `commit` at once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.executescript(_SCHEMA)
        self._db.execute("BEGIN")
        self._entries = self._read()

    def _read(self) -> dict[str, FileEntry]:
        listed: dict[str, list[Listed]] = defaultdict(list)
        for path, hashed, article_id, fp in self._db.execute(
            "SELECT path, line_hash, article_id, fingerprint FROM articles"
        ):
            listed[path].append(Listed(hashed, article_id, fp))
        return {
            path: FileEntry(size, mtime_ns, key, bool(complete), tuple(listed.get(path, ())))
            for path, size, mtime_ns, key, complete in self._db.execute(
                "SELECT path, size, mtime_ns, key, complete FROM files"
            )
        }

    def get(self, path: str) -> FileEntry | None:
        return self._entries.get(path)

    def put(self, path: str, entry: FileEntry) -> None:
        """Record what a file gave; written with the next `commit`."""
        self._forget(path)
        self._db.execute(
            "INSERT INTO files VALUES (?, ?, ?, ?, ?)",
            (path, entry.size, entry.mtime_ns, entry.key, int(entry.complete)),
        )
        self._db.executemany(
            "INSERT INTO articles VALUES (?, ?, ?, ?)",
            ((path, a.line_hash, a.article_id, a.fingerprint) for a in entry.articles),
        )
        self._entries[path] = entry

    def _forget(self, path: str) -> None:
        self._db.execute("DELETE FROM files WHERE path = ?", (path,))
        self._db.execute("DELETE FROM articles WHERE path = ?", (path,))
        self._entries.pop(path, None)

    def forget_missing(self) -> None:
        """Forget the files that no longer exist (their articles stay in the store)."""
        for path in [p for p in self._entries if not os.path.exists(p)]:
            self._forget(path)

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
