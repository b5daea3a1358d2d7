"""Where the files that ship with kg live (data/ and ontology/), installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent.parent


def _first_existing(*candidates: Path) -> Path:
    for candidate in candidates:
        if candidate.exists():
            return candidate
    return candidates[-1]


def data_dir() -> Path:
    """The data/ folder: gazetteers, vocabularies and patterns as CSV or text."""
    return _first_existing(_PACKAGE / "_data", _CHECKOUT / "data")


def ontology_dir() -> Path:
    """The ontology/ folder: OWL ontology and SHACL shapes as Turtle."""
    return _first_existing(_PACKAGE / "_ontology", _CHECKOUT / "ontology")


def data_file(name: str) -> Path:
    return data_dir() / name
