"""SPARQL text: user values made into safe terms, and what a query is before it runs.

Takes strings (a user's query, names typed on the command line) and gives SPARQL text or facts
about it: the kind of a query (SELECT, ASK, CONSTRUCT, DESCRIBE or an update), the keywords it
uses outside strings, IRIs and comments (so `kg serve` and `kg query` can refuse SERVICE and LOAD
without being fooled by a string that contains the word), and literals and IRIs escaped by
pyoxigraph's serializer, so that a value can never close the string it sits in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox

from kg.errors import InputError, QueryError
from kg.rdf.namespaces import PREFIXES, sparql_prefixes

QUERY_KINDS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = (
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "DROP",
    "CREATE",
    "ADD",
    "MOVE",
    "COPY",
    "WITH",
)

# SPARQL 1.1 (19.2) lets \uXXXX and \UXXXXXXXX escapes stand anywhere in a query; they are
# decoded before scanning so that `\u0053ERVICE` is seen as SERVICE even by a server that
# decodes them.
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

# Tokens that can hide a word: comments, the four kinds of strings, IRI references; then
# variables and bare words. Everything else is skipped one character at a time.
_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\r\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|\Z)
      | '''(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z)
      | "(?:[^"\\\r\n]|\\.)*(?:"|\Z)
      | '(?:[^'\\\r\n]|\\.)*(?:'|\Z))
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$]\w+)
  | (?P<word>[A-Za-z_]\w*)
    """,
    re.VERBOSE | re.DOTALL,
)


def decode_codepoints(sparql: str) -> str:
    def char(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _CODEPOINT.sub(char, sparql)


def keywords(sparql: str) -> list[str]:
    """The bare words of a query, upper-cased, in order: not in strings, IRIs, comments or
    prefixed names (the `SERVICE` of `ex:SERVICE` or `SERVICE:x` is a name, not a keyword)."""
    text = decode_codepoints(sparql)
    found = []
    for match in _TOKEN.finditer(text):
        if match.lastgroup != "word":
            continue
        start, end = match.span()
        if (start > 0 and text[start - 1] == ":") or text[end : end + 1] == ":":
            continue
        found.append(match.group().upper())
    return found


_PNAME = re.compile(r"(?<![\w:?$])([A-Za-z][\w.-]*)?:(?=[\w%]|\s|$)")
_DECLARED = re.compile(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*)?:")


def undeclared_prefixes(sparql: str) -> list[str]:
    """Prefixes the query uses (outside strings, IRIs, comments) but neither it nor kg declares."""
    text = _TOKEN.sub(
        lambda m: " " if m.lastgroup in ("comment", "string", "iri") else m.group(), sparql
    )
    declared = set(PREFIXES) | {m.group(1) or "" for m in _DECLARED.finditer(text)}
    used = [m.group(1) or "" for m in _PNAME.finditer(text)]
    return sorted({p for p in used if p not in declared})


def query_kind(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT, DESCRIBE, or UPDATE; SELECT when nothing tells."""
    for word in keywords(sparql):
        if word in QUERY_KINDS:
            return word
        if word in UPDATE_KEYWORDS:
            return "UPDATE"
    return "SELECT"


def uses_keyword(sparql: str, keyword: str) -> bool:
    return keyword.upper() in keywords(sparql)


def refuse_service(sparql: str, *, how_to_allow: str) -> None:
    """QueryError if the query calls another endpoint (SERVICE), which would reach the network."""
    if uses_keyword(sparql, "SERVICE"):
        raise QueryError(
            "the query uses SERVICE, which sends part of it to another endpoint over the "
            f"network; that is refused by default ({how_to_allow})"
        )


def literal(value: str, *, language: str | None = None) -> str:
    """A SPARQL literal holding `value` exactly; quotes, backslashes and newlines are escaped."""
    return str(ox.Literal(value, language=language))


def iri(value: str) -> str:
    """A SPARQL IRI reference; InputError if `value` is not a valid IRI."""
    try:
        return str(ox.NamedNode(value))
    except ValueError as exc:
        raise InputError(f"{value!r} is not a valid IRI ({exc})") from None


def values_block(variable: str, terms: Iterable[str]) -> str:
    """`VALUES ?variable { ... }` of terms already made safe by `literal` or `iri`."""
    return f"VALUES ?{variable} {{ {' '.join(terms)} }}"


def with_prefixes(sparql: str) -> tuple[str, int]:
    """The query with the PREFIX lines of kg's vocabularies before it, and how many lines they
    take (to map an error's line number back to the user's text). A PREFIX the user declares
    again wins, as SPARQL reads declarations in order."""
    prologue = sparql_prefixes()
    return prologue + sparql, prologue.count("\n")


PREDECLARED = tuple(PREFIXES)
