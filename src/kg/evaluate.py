"""Evaluate: gold annotations and predicted extractions in; precision, recall and F1 out.

Matching follows corpus/ANNOTATION.md: an entity matches when the types are equal and one of its
names equals the gold name or a gold alias, after both are converted to simplified script and
stripped of quote marks, 《》 and white space; a relation when the predicate is equal and both ends
match; an indicator when subject, value, unit and comparator match. Each gold item is matched at
most once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.model import Mention
from kg.normalize import to_simplified

_STRIP = re.compile(r"[\s\"'“”‘’「」『』《》〈〉]")


def canonical(name: str) -> str:
    """A name as the scorer compares it: simplified, without quote marks, 《》 or white space."""
    return _STRIP.sub("", to_simplified(name))


@dataclass
class Score:
    tp: int = 0
    predicted: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.predicted += other.predicted
        self.gold += other.gold

    def to_json(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "predicted": self.predicted,
            "gold": self.gold,
        }


@dataclass
class DocResult:
    """Scores and errors of one article."""

    id: str
    file: str
    entities: Score = field(default_factory=Score)
    relations: Score = field(default_factory=Score)
    indicators: Score = field(default_factory=Score)
    by_type: dict[str, Score] = field(default_factory=dict)
    by_predicate: dict[str, Score] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class EvalResult:
    docs: list[DocResult] = field(default_factory=list)

    def total(self, part: str) -> Score:
        score = Score()
        for doc in self.docs:
            score.add(getattr(doc, part))
        return score

    def breakdown(self, part: str) -> dict[str, Score]:
        merged: dict[str, Score] = {}
        for doc in self.docs:
            for key, score in getattr(doc, part).items():
                merged.setdefault(key, Score()).add(score)
        return dict(sorted(merged.items()))

    def to_json(self, *, per_doc: bool = False, errors: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "articles": len(self.docs),
            "entities": self.total("entities").to_json(),
            "relations": self.total("relations").to_json(),
            "indicators": self.total("indicators").to_json(),
            "entities_by_type": {k: v.to_json() for k, v in self.breakdown("by_type").items()},
            "relations_by_predicate": {
                k: v.to_json() for k, v in self.breakdown("by_predicate").items()
            },
        }
        if per_doc:
            data["per_doc"] = [
                {
                    "id": d.id,
                    "file": d.file,
                    "entities": d.entities.to_json(),
                    "relations": d.relations.to_json(),
                    "indicators": d.indicators.to_json(),
                }
                for d in self.docs
            ]
        if errors:
            data["errors"] = [
                {"id": d.id, "file": d.file, **e} for d in self.docs for e in d.errors
            ]
        return data


def _names_of(entities: Iterable[dict[str, Any]]) -> dict[str, set[str]]:
    """Each entity name (and alias) -> every canonical name of that entity."""
    table: dict[str, set[str]] = {}
    for entity in entities:
        names = {canonical(entity["name"])} | {canonical(a) for a in entity.get("aliases") or ()}
        for name in names:
            table.setdefault(name, set()).update(names)
    return table


def _end_names(name: str, table: dict[str, set[str]]) -> set[str]:
    key = canonical(name)
    return table.get(key, {key})


def _match(
    gold: Sequence[Any], predicted: Sequence[Any], same: Any
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Greedy one-to-one matching; returns pairs, unmatched gold and unmatched predicted."""
    used: set[int] = set()
    pairs = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(predicted):
            if pi not in used and same(g, p):
                used.add(pi)
                pairs.append((gi, pi))
                break
    matched_gold = {gi for gi, _ in pairs}
    return (
        pairs,
        [gi for gi in range(len(gold)) if gi not in matched_gold],
        [pi for pi in range(len(predicted)) if pi not in used],
    )


def _num(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def score_document(gold: dict[str, Any], predicted: dict[str, Any]) -> DocResult:
    """Scores of one predicted article (gold format) against its gold annotation."""
    result = DocResult(id=str(gold.get("id")), file=str(gold.get("file")))
    g_ents = list(gold.get("entities") or [])
    p_ents = list(predicted.get("entities") or [])
    g_names = _names_of(g_ents)
    p_names = _names_of(p_ents)

    def entity_names(e: dict[str, Any]) -> set[str]:
        return {canonical(e["name"])} | {canonical(a) for a in e.get("aliases") or ()}

    def same_entity(g: dict[str, Any], p: dict[str, Any]) -> bool:
        if g["type"] != p["type"]:
            return False
        gold_names = entity_names(g)
        return any(n in gold_names for n in entity_names(p))

    pairs, missed, extra = _match(g_ents, p_ents, same_entity)
    result.entities = Score(len(pairs), len(p_ents), len(g_ents))
    for etype in {e["type"] for e in g_ents} | {e["type"] for e in p_ents}:
        result.by_type[etype] = Score(
            sum(1 for gi, _ in pairs if g_ents[gi]["type"] == etype),
            sum(1 for e in p_ents if e["type"] == etype),
            sum(1 for e in g_ents if e["type"] == etype),
        )
    result.errors += [_error("entity", "missed", g_ents[i]) for i in missed]
    result.errors += [_error("entity", "false positive", p_ents[i]) for i in extra]

    def same_end(gold_end: str, pred_end: str) -> bool:
        return bool(_end_names(gold_end, g_names) & _end_names(pred_end, p_names))

    g_rels = list(gold.get("relations") or [])
    p_rels = list(predicted.get("relations") or [])

    def same_relation(g: dict[str, Any], p: dict[str, Any]) -> bool:
        return (
            g["predicate"] == p["predicate"]
            and same_end(g["subject"], p["subject"])
            and same_end(g["object"], p["object"])
        )

    pairs, missed, extra = _match(g_rels, p_rels, same_relation)
    result.relations = Score(len(pairs), len(p_rels), len(g_rels))
    for pred in {r["predicate"] for r in g_rels} | {r["predicate"] for r in p_rels}:
        result.by_predicate[pred] = Score(
            sum(1 for gi, _ in pairs if g_rels[gi]["predicate"] == pred),
            sum(1 for r in p_rels if r["predicate"] == pred),
            sum(1 for r in g_rels if r["predicate"] == pred),
        )
    result.errors += [_error("relation", "missed", g_rels[i]) for i in missed]
    result.errors += [_error("relation", "false positive", p_rels[i]) for i in extra]

    g_inds = list(gold.get("indicators") or [])
    p_inds = list(predicted.get("indicators") or [])

    def same_indicator(g: dict[str, Any], p: dict[str, Any]) -> bool:
        gv, pv = _num(g.get("value")), _num(p.get("value"))
        return (
            gv is not None
            and pv is not None
            and abs(gv - pv) < 1e-9 * max(1.0, abs(gv))
            and canonical(str(g.get("unit") or "")) == canonical(str(p.get("unit") or ""))
            and g.get("comparator") == p.get("comparator")
            and same_end(g["subject"], p["subject"])
        )

    pairs, missed, extra = _match(g_inds, p_inds, same_indicator)
    result.indicators = Score(len(pairs), len(p_inds), len(g_inds))
    result.errors += [_error("indicator", "missed", g_inds[i]) for i in missed]
    result.errors += [_error("indicator", "false positive", p_inds[i]) for i in extra]
    return result


def _error(part: str, error: str, item: dict[str, Any]) -> dict[str, Any]:
    """An error record: the part (entity, relation, indicator), missed or false positive, and
    the item's own fields without evidence."""
    return {"part": part, "error": error, **{k: v for k, v in item.items() if k != "evidence"}}


# ---------------------------------------------------------------- gold files


def read_gold(path: Path) -> list[dict[str, Any]]:
    """The gold annotations of a JSON Lines file, one article a line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(
            f"{path}: cannot read the gold file ({exc.strerror}); check the path"
        ) from None
    gold = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{n}: not valid JSON ({exc.msg}); fix the line") from None
        if not isinstance(obj, dict) or "file" not in obj:
            raise InputError(f"{path}:{n}: a gold line needs a 'file' field (ANNOTATION.md)")
        gold.append(obj)
    return gold


def gold_articles(
    gold_path: Path, *, encoding: str | None = None
) -> Iterator[tuple[dict[str, Any], Any]]:
    """Each gold annotation with the article it annotates, read from the gold line's `file`."""
    from kg.ingest import read_inputs
    from kg.model import Article

    cache: dict[Path, list[Any]] = {}
    for gold in read_gold(gold_path):
        file = (gold_path.parent / gold["file"]).resolve()
        if file not in cache:
            if not file.exists():
                raise InputError(
                    f"{gold_path}: the article {gold['file']} is not there; check the gold's file"
                )
            cache[file] = list(read_inputs([str(file)], encoding=encoding))
        items = [a for a in cache[file] if isinstance(a, Article)]
        if len(items) > 1:
            items = [a for a in items if a.id == gold.get("id")]
        if len(items) != 1:
            raise InputError(f"{gold_path}: cannot find article {gold.get('id')} in {file}")
        yield gold, items[0]


def evaluate(gold_path: Path, *, encoding: str | None = None) -> EvalResult:
    """Extract every article a gold file names and score it."""
    from kg.extract import extract_article

    result = EvalResult()
    for gold, article in gold_articles(gold_path, encoding=encoding):
        predicted = extract_article(article).to_json()
        result.docs.append(score_document(gold, predicted))
    return result


def gold_mentions(text: str, gold: dict[str, Any]) -> list[Mention]:
    """Every place the normalized `text` names a gold entity (longest first, no overlaps).

    For developing relation and indicator rules on gold entities, apart from recognition errors.
    """
    surfaces: list[tuple[str, str, str]] = []
    for entity in gold.get("entities") or []:
        name = canonical(entity["name"])
        for surface in {name} | {canonical(a) for a in entity.get("aliases") or ()}:
            if surface:
                surfaces.append((surface, entity["type"], name))
    surfaces.sort(key=lambda s: -len(s[0]))
    taken = [False] * len(text)
    found: list[Mention] = []
    for surface, etype, name in surfaces:
        start = text.find(surface)
        while start >= 0:
            end = start + len(surface)
            if not any(taken[start:end]):
                taken[start:end] = [True] * (end - start)
                found.append(Mention(start, end, etype, surface, name, "gold", 1.0))
            start = text.find(surface, start + 1)
    return sorted(found, key=lambda m: m.start)
