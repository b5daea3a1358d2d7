"""Link: one article's `Extraction` in; its entities as canonical entities with stable IRIs out.

Linking is a pure function of (extraction, gazetteer): no other article and no store is read, so
a build gives the same IRIs on any machine, in any input order, and an article can be rebuilt or
removed on its own. Mentions of one thing in different articles meet at the same IRI because each
article derives the same canonical name for it:

1. Every name (the entity's name and its aliases) is normalised to a *key*: Unicode NFKC, simplified
   script, then the rewrites of `data/link_rewrites.csv` in order (quote marks and spaces dropped;
   long official forms shortened: 高新技术产业开发区 -> 高新区, 经济技术开发区 -> 经开区,
   管理委员会 -> 管委会; legal forms of companies dropped; the edition of a programme dropped;
   产业/产业链 after an industry dropped; a trailing bracketed qualifier dropped). Keys that are
   bare generic words (`data/link_generic_names.txt`: 高新区, 园区, ...) name nothing on their own.
2. Places: a key the gazetteer knows (official or short name) becomes the place's unique official
   name (包头 -> 包头市), with its division code and province. Where several places share the name,
   the one in a province or city that the article's other places name wins, then the one of
   higher level; otherwise the place stays unlinked under its own key.
3. Zones: a key the gazetteer knows under one of the zone's names becomes that zone's canonical
   name. A name without its place prefix (稀土高新区), whether the gazetteer lists it or only a
   longer name ending with it, is linked only where the article's places agree: the zone's city
   (or a county in it) or its province is one of the article's Place entities, or is written in
   the article's text. Otherwise the entity's own names
   decide: the longest key among its aliases that ends with the key of its name (包头稀土高新区
   for 稀土高新区), else the key of its name.
4. Other types: the key of the entity's name (a generic name falls back to its longest alias).

The canonical name is the IRI's last segment (`kgid:{Type}/{canonical name}`) and the entity's
`rdfs:label`; every other surface form becomes an `skos:altLabel`. An entity keeps its IRI when
later articles add aliases: the aliases of other articles are never consulted.

Relations and indicators are re-pointed to the linked entities; those whose ends cannot be found
among the article's entities, or whose types the contract does not allow for the predicate, are
left out and listed in `LinkedArticle.dropped` with the reason.
"""

from __future__ import annotations

import csv
import importlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from kg.errors import InputError
from kg.memo import bounded_cache
from kg.model import Article, Evidence, Extraction
from kg.normalize import normalize_text, to_simplified
from kg.resources import data_file

# ---------------------------------------------------------------- gazetteer interface


@dataclass(frozen=True)
class PlaceInfo:
    """An administrative division as the gazetteer knows it.

    `key` is unique among places: the official name, or, where two divisions share it, the name
    prefixed by its city or province (长春市朝阳区). `province` and `city` are keys of other places.
    """

    key: str
    official_name: str
    level: str  # "country", "region", "province", "city" or "county"
    code: str | None = None
    province: str | None = None
    city: str | None = None
    short_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class ZoneInfo:
    """A development zone as the gazetteer knows it; `key` is its canonical (short) name."""

    key: str
    official_name: str
    names: tuple[str, ...] = ()
    level: str | None = None  # "national", "provincial", ...
    province: str | None = None
    city: str | None = None
    code: str | None = None


class Gazetteer(Protocol):
    """What linking needs of the gazetteers: look-ups by normalised key."""

    def places_named(self, key: str) -> Sequence[PlaceInfo]:
        """Places whose official or short name has this key."""

    def place(self, key: str) -> PlaceInfo | None:
        """The place with this unique key (for a zone's or place's province and city)."""

    def zones_named(self, key: str) -> Sequence[ZoneInfo]:
        """Zones one of whose names has this key."""

    def zones_ending_with(self, key: str) -> Sequence[ZoneInfo]:
        """Zones one of whose name keys ends with this key (a name without its place prefix)."""


# Endings of official division names that are left out in running text (内蒙古自治区 -> 内蒙古).
PLACE_NAME_ENDINGS = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "自治县",
    "地区",
    "省",
    "市",
    "盟",
    "县",
    "区",
)


def place_short_names(official_name: str) -> tuple[str, ...]:
    """The forms of a division's name used in running text: 包头市 -> (包头,)."""
    for ending in PLACE_NAME_ENDINGS:
        if official_name.endswith(ending) and len(official_name) - len(ending) >= 2:
            return (official_name[: -len(ending)],)
    return ()


class TableGazetteer:
    """A `Gazetteer` over lists of places and zones, indexed by key."""

    def __init__(
        self,
        places: Iterable[PlaceInfo] = (),
        zones: Iterable[ZoneInfo] = (),
        *,
        derive_short_names: bool = True,
    ) -> None:
        self._places: dict[str, list[PlaceInfo]] = {}
        self._by_key: dict[str, PlaceInfo] = {}
        for place in places:
            self._by_key[place.key] = place
            names = {place.key, place.official_name, *place.short_names}
            if derive_short_names:
                names |= set(place_short_names(place.official_name))
            for name in names:
                self._places.setdefault(name_key("Place", name), []).append(place)
        self._zones: dict[str, list[ZoneInfo]] = {}
        self._by_ending: dict[str, dict[str, ZoneInfo]] = {}
        for zone in zones:
            keys = {name_key("Zone", n) for n in (zone.key, zone.official_name, *zone.names)}
            for key in sorted(keys):
                self._zones.setdefault(key, []).append(zone)
                for start in range(1, len(key) - 1):
                    self._by_ending.setdefault(key[start:], {})[zone.key] = zone

    def places_named(self, key: str) -> Sequence[PlaceInfo]:
        return self._places.get(key, [])

    def place(self, key: str) -> PlaceInfo | None:
        return self._by_key.get(key)

    def zones_named(self, key: str) -> Sequence[ZoneInfo]:
        return self._zones.get(key, [])

    def zones_ending_with(self, key: str) -> Sequence[ZoneInfo]:
        found = self._by_ending.get(key, {})
        return [found[k] for k in sorted(found)]


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The gazetteers shipped in data/ (kg.gazetteer: places, regions, zones) for linking."""
    try:
        shipped = importlib.import_module("kg.gazetteer")
    except ImportError:
        return TableGazetteer()
    return gazetteer_from_records(shipped.places(), shipped.regions(), shipped.zones())


_PLACE_LEVELS = {"province": "province", "prefecture": "city", "county": "county"}


def gazetteer_from_records(
    places: Iterable[Any], regions: Iterable[Any], zones: Iterable[Any]
) -> TableGazetteer:
    """A linking gazetteer from kg.gazetteer's records (`Place`, `Region`, `Zone`).

    A division's key is its official name, prefixed by its parent's where several share it
    (长春市朝阳区). Only the short names the gazetteer lists are used: it leaves out the ones
    that would be ambiguous (朝阳).
    """
    places = list(places)
    by_code = {p.code: p for p in places}
    counts: dict[str, int] = {}
    for place in places:
        counts[place.name] = counts.get(place.name, 0) + 1

    def key_of(place: Any) -> str:
        if counts[place.name] == 1:
            return str(place.name)
        parent = by_code.get(place.parent_code)
        return f"{parent.name if parent else place.province}{place.name}"

    infos = []
    province_key = {p.name: key_of(p) for p in places if p.level == "province"}
    for place in places:
        level = _PLACE_LEVELS.get(place.level, place.level)
        parent = by_code.get(place.parent_code)
        city = key_of(parent) if parent is not None and parent.level == "prefecture" else None
        infos.append(
            PlaceInfo(
                key=key_of(place),
                official_name=place.name,
                level=level,
                code=place.code or None,
                province=None if level == "province" else province_key.get(place.province),
                city=city,
                short_names=tuple(n for n in (place.short_name,) if n),
            )
        )
    known = {info.key for info in infos}
    for region in regions:
        if region.name in known:
            continue
        level = "country" if region.kind == "country" else "region"
        infos.append(PlaceInfo(region.name, region.name, level, short_names=region.short_names))
    city_key = {p.name: key_of(p) for p in places if p.level in ("prefecture", "province")}
    zone_infos = []
    for zone in zones:
        province = province_key.get(zone.province)
        city = city_key.get(zone.city)
        zone_infos.append(
            ZoneInfo(
                key=name_key("Zone", zone.name),
                official_name=zone.name,
                names=tuple(zone.short_names),
                level=zone.level or None,
                province=province,
                city=city if city != province else None,
                code=zone.nbs_code or None,
            )
        )
    return TableGazetteer(infos, zone_infos, derive_short_names=False)


# ---------------------------------------------------------------- names and keys


@dataclass(frozen=True)
class _Rewrite:
    types: frozenset[str] | None
    pattern: re.Pattern[str]
    replacement: str


@lru_cache(maxsize=1)
def _rewrites() -> tuple[_Rewrite, ...]:
    path = data_file("link_rewrites.csv")
    rules = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                pattern = re.compile(row["pattern"])
            except (re.error, KeyError, TypeError) as exc:
                raise InputError(
                    f"{path}:{line}: bad rewrite pattern ({exc}); fix the row"
                ) from None
            types = None if row["types"] == "*" else frozenset(row["types"].split("|"))
            rules.append(_Rewrite(types, pattern, row.get("replacement") or ""))
    return tuple(rules)


@lru_cache(maxsize=1)
def generic_names() -> frozenset[str]:
    """Words that name nothing on their own (data/link_generic_names.txt)."""
    lines = data_file("link_generic_names.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(s for line in lines if (s := line.strip()) and not s.startswith("#"))


@bounded_cache
def name_key(entity_type: str, name: str) -> str:
    """The normalised form of a name under which mentions of one entity meet."""
    text = to_simplified(unicodedata.normalize("NFKC", name)).strip()
    for rule in _rewrites():
        if rule.types is None or entity_type in rule.types:
            text = rule.pattern.sub(rule.replacement, text)
    return text


def is_generic(key: str) -> bool:
    return not key or key in generic_names()


# ---------------------------------------------------------------- linked records


@dataclass(frozen=True)
class LinkedEntity:
    """A canonical entity as one article sees it.

    `mentioned` is False for places that are only there as the province or city of a linked
    place or zone (they carry no `kg:mentionedIn` of this article).
    """

    type: str
    key: str
    names: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    mentioned: bool = True
    official_name: str | None = None
    code: str | None = None
    level: str | None = None
    province: str | None = None
    city: str | None = None

    @property
    def ref(self) -> tuple[str, str]:
        return (self.type, self.key)


@dataclass(frozen=True)
class LinkedRelation:
    subject: tuple[str, str]
    predicate: str
    object: tuple[str, str]
    role: str | None = None
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class LinkedIndicator:
    subject: tuple[str, str]
    name: str
    value: float | int
    unit: str
    comparator: str
    year: int | None
    kind: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class LinkedArticle:
    """An article's extraction with every name replaced by a canonical entity (type, key)."""

    extraction: Extraction
    entities: tuple[LinkedEntity, ...] = ()
    relations: tuple[LinkedRelation, ...] = ()
    indicators: tuple[LinkedIndicator, ...] = ()
    dropped: tuple[str, ...] = field(default=())


# ---------------------------------------------------------------- linking


def _resolve_place(candidates: Sequence[PlaceInfo], context: set[str]) -> PlaceInfo | None:
    """One place among same-named candidates: context first, then the highest level."""
    if len(candidates) == 1:
        return candidates[0]
    agreeing = [p for p in candidates if {p.province, p.city} & context]
    if len(agreeing) == 1:
        return agreeing[0]
    pool = agreeing or list(candidates)
    for level in ("province", "city", "county"):
        at_level = [p for p in pool if p.level == level]
        if at_level:
            return at_level[0] if len(at_level) == 1 else None
    return None


def _place_context(places: Iterable[PlaceInfo]) -> set[str]:
    """Keys of the places an article names, with their cities and provinces."""
    found: set[str] = set()
    for place in places:
        found.add(place.key)
        found.update(k for k in (place.city, place.province) if k)
    return found


class _PlaceContext:
    """Where an article is: the places it names as entities, and failing that, its text."""

    def __init__(self, places: Sequence[PlaceInfo], article: Article, gaz: Gazetteer) -> None:
        self.places = places
        self.article = article
        self.gaz = gaz
        self._text: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = normalize_text(self.article.full_text).text
        return self._text

    def _written(self, place_key: str) -> bool:
        place = self.gaz.place(place_key)
        names = {place_key}
        if place is not None:
            names |= {place.official_name, *place.short_names}
        names |= {short for name in list(names) for short in place_short_names(name)}
        return any(len(n) >= 2 and n in self.text for n in names)

    def agrees(self, zone: ZoneInfo) -> bool:
        """The article names the zone's city (or a county in it) or the zone's province."""
        for place in self.places:
            if zone.city and zone.city in (place.key, place.city):
                return True
            if zone.province and place.level == "province" and place.key == zone.province:
                return True
        # Extraction may leave a place out; its name in the article's text is context too.
        return any(k and self._written(k) for k in (zone.city, zone.province))


def _names_its_place(key: str, zone: ZoneInfo, gaz: Gazetteer) -> bool:
    """Whether a zone name starts with its city or province: 包头稀土高新区, not 稀土高新区."""
    prefixes: set[str] = set()
    for place_key in (zone.city, zone.province):
        if not place_key:
            continue
        place = gaz.place(place_key)
        official = place.official_name if place else place_key
        prefixes.update((place_key, official, *place_short_names(official)))
        if place:
            prefixes.update(place.short_names)
    # A zone the gazetteer places nowhere cannot be checked against the article: trust the name.
    return not prefixes or any(key.startswith(p) for p in prefixes)


def _entity_keys(entity_type: str, names: Sequence[str]) -> list[str]:
    keys = []
    for name in names:
        key = name_key(entity_type, name)
        if not is_generic(key) and key not in keys:
            keys.append(key)
    return keys


def _fallback_key(entity_type: str, name: str, aliases: Sequence[str]) -> str | None:
    own = name_key(entity_type, name)
    alias_keys = _entity_keys(entity_type, aliases)
    if is_generic(own):
        return max(alias_keys, key=lambda k: (len(k), k)) if alias_keys else None
    if entity_type == "Zone":
        qualified = [k for k in alias_keys if k.endswith(own) and k != own]
        if qualified:
            return max(qualified, key=lambda k: (len(k), k))
    return own


# partOf joins a zone to a zone, an industry to an industry, an organisation to an organisation
# (ANNOTATION.md); OWL domains and ranges cannot say "the same type", the shapes do.
SAME_TYPE_PREDICATES = frozenset({"partOf"})


def link_extraction(extraction: Extraction, gazetteer: Gazetteer | None = None) -> LinkedArticle:
    """Canonical entities, relations and indicators of one article (see the module docstring)."""
    gaz = gazetteer if gazetteer is not None else default_gazetteer()
    dropped: list[str] = []

    # Places first: they are the context that zones and ambiguous places are linked in.
    place_of: dict[int, PlaceInfo] = {}
    ambiguous: dict[int, Sequence[PlaceInfo]] = {}
    for i, entity in enumerate(extraction.entities):
        if entity.type != "Place":
            continue
        for key in _entity_keys("Place", (entity.name, *entity.aliases)):
            candidates = gaz.places_named(key)
            if len(candidates) == 1:
                place_of[i] = candidates[0]
                break
            if candidates and i not in ambiguous:
                ambiguous[i] = candidates
    named = _place_context(place_of.values())
    for i, candidates in sorted(ambiguous.items()):
        if i not in place_of and (chosen := _resolve_place(candidates, named)):
            place_of[i] = chosen
    article_places = [place_of[i] for i in sorted(place_of)]
    context = _PlaceContext(article_places, extraction.article, gaz)

    # Zones: full names the gazetteer knows, then short names where the article's places agree.
    zone_of: dict[int, ZoneInfo] = {}
    short: dict[int, list[str]] = {}
    for i, entity in enumerate(extraction.entities):
        if entity.type != "Zone":
            continue
        keys = _entity_keys("Zone", (entity.name, *entity.aliases))
        for key in keys:
            zones = [
                z
                for z in gaz.zones_named(key)
                if _names_its_place(key, z, gaz) or context.agrees(z)
            ]
            if len(zones) > 1:
                zones = [z for z in zones if context.agrees(z)]
            if len(zones) == 1:
                zone_of[i] = zones[0]
                break
        else:
            short[i] = keys
    for i, keys in sorted(short.items()):
        for key in keys:
            agreeing = [z for z in gaz.zones_ending_with(key) if context.agrees(z)]
            if len(agreeing) == 1:
                zone_of[i] = agreeing[0]
                break

    # Canonical entities; several extracted entities may meet in one.
    merged: dict[tuple[str, str], LinkedEntity] = {}
    index: dict[str, list[tuple[str, str]]] = {}

    def add(linked: LinkedEntity) -> None:
        old = merged.get(linked.ref)
        if old is None:
            merged[linked.ref] = linked
            return
        merged[linked.ref] = LinkedEntity(
            type=old.type,
            key=old.key,
            names=tuple(sorted(set(old.names) | set(linked.names))),
            evidence=old.evidence + linked.evidence,
            mentioned=old.mentioned or linked.mentioned,
            official_name=old.official_name or linked.official_name,
            code=old.code or linked.code,
            level=old.level or linked.level,
            province=old.province or linked.province,
            city=old.city or linked.city,
        )

    def add_place_reference(key: str | None) -> None:
        if key and (place := gaz.place(key)):
            add(_place_entity(place, (), (), mentioned=False))
            add_place_reference(place.province)
            add_place_reference(place.city)

    for i, entity in enumerate(extraction.entities):
        names = tuple(sorted({entity.name, *entity.aliases}))
        if entity.type == "Place" and i in place_of:
            linked = _place_entity(place_of[i], names, entity.evidence, mentioned=True)
            add_place_reference(place_of[i].province)
            add_place_reference(place_of[i].city)
        elif entity.type == "Zone" and i in zone_of:
            zone = zone_of[i]
            linked = LinkedEntity(
                type="Zone",
                key=zone.key,
                names=names,
                evidence=entity.evidence,
                official_name=zone.official_name,
                code=zone.code,
                level=zone.level,
                province=zone.province,
                city=zone.city,
            )
            add_place_reference(zone.province)
            add_place_reference(zone.city)
        else:
            own_key = _fallback_key(entity.type, entity.name, entity.aliases)
            if own_key is None:
                dropped.append(
                    f"entity {entity.type} {entity.name!r}: only generic names, "
                    "nothing to link it to"
                )
                continue
            linked = LinkedEntity(
                type=entity.type, key=own_key, names=names, evidence=entity.evidence
            )
        add(linked)
        for name in names:
            for form in (name, name_key(entity.type, name)):
                refs = index.setdefault(form, [])
                if linked.ref not in refs:
                    refs.append(linked.ref)

    from kg.rdf.ontology import predicate_signature

    def resolve(name: str, allowed: frozenset[str] | None) -> tuple[str, str] | None:
        refs = index.get(name, [])
        if not refs:
            refs = [r for t in _types_in(merged) for r in index.get(name_key(t, name), [])]
        fitting = [r for r in dict.fromkeys(refs) if allowed is None or r[0] in allowed]
        return fitting[0] if len(fitting) == 1 else None

    relations = []
    for rel in extraction.relations:
        signature = predicate_signature(rel.predicate)
        if signature is None:
            dropped.append(f"relation {rel.subject} {rel.predicate}: no such predicate")
            continue
        domain, range_ = signature
        subject, obj = resolve(rel.subject, domain), resolve(rel.object, range_)
        if subject is None or obj is None:
            missing = rel.subject if subject is None else rel.object
            dropped.append(
                f"relation {rel.subject} {rel.predicate} {rel.object}: {missing!r} is not an "
                f"entity of this article of a type that {rel.predicate} allows"
            )
            continue
        if subject == obj:
            dropped.append(f"relation {rel.subject} {rel.predicate} {rel.object}: links to itself")
            continue
        if rel.predicate in SAME_TYPE_PREDICATES and subject[0] != obj[0]:
            dropped.append(
                f"relation {rel.subject} {rel.predicate} {rel.object}: "
                f"{rel.predicate} joins two entities of one type"
            )
            continue
        relations.append(
            LinkedRelation(subject, rel.predicate, obj, rel.role or None, rel.evidence)
        )

    indicators = []
    for ind in extraction.indicators:
        subject = resolve(ind.subject, None)
        if subject is None:
            dropped.append(f"indicator {ind.subject} {ind.name}: subject is not an entity here")
            continue
        indicators.append(
            LinkedIndicator(
                subject,
                ind.name,
                ind.value,
                ind.unit,
                ind.comparator,
                ind.year,
                ind.kind,
                ind.evidence,
            )
        )

    return LinkedArticle(
        extraction=extraction,
        entities=tuple(merged[ref] for ref in sorted(merged)),
        relations=tuple(relations),
        indicators=tuple(indicators),
        dropped=tuple(dropped),
    )


def _types_in(merged: dict[tuple[str, str], LinkedEntity]) -> list[str]:
    return sorted({t for t, _ in merged})


def _place_entity(
    place: PlaceInfo, names: tuple[str, ...], evidence: tuple[Evidence, ...], *, mentioned: bool
) -> LinkedEntity:
    return LinkedEntity(
        type="Place",
        key=place.key,
        names=names,
        evidence=evidence,
        mentioned=mentioned,
        official_name=place.official_name,
        code=place.code,
        level=place.level,
        province=place.province,
        city=place.city,
    )
