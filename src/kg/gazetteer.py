"""Gazetteers: the real-world lists in data/ in; frozen records and their surface forms out.

The lists (sources and licences in data/SOURCES.md) are CSV files a domain expert edits:

    zones.csv          national high-tech zones, ETDZs, new areas, free-trade zones,
                       innovation demonstration zones, named parks; provincial zones from NBS
    places.csv         provinces, prefectures and counties (NBS 2023 division codes)
    regions.csv        named regions (长三角, 京津冀, ...), Hong Kong, Macao, Taiwan, China
    industries.csv     SEI 2018 categories, GB/T 4754 sections, industry and technology terms
    organizations.csv  universities, CAS institutes, laboratories, central government bodies
    head_words.csv     suffixes that type a name (…高新区 → Zone, …集团 → Enterprise)
    talent_cues.csv    words that mark a talent policy (引才, 聘任, 人才 ...)

Each loader is cached: the files are read once a process. `surface_forms()` gives every string
the gazetteer ruler looks for, with the candidates it stands for, best first.

Short names that follow a rule are derived here rather than typed into the CSVs:

- zones: an official suffix gives its abbreviations (X高新技术产业开发区 → X高新区,
  X经济技术开发区 → X经开区 and X经济开发区, X国家自主创新示范区 → X自创区, X国家自创区 and
  X自主创新示范区, 中国（X）自由贸易试验区 → X自贸区, X自贸试验区 and X自由贸易试验区);
  a stem ending in 市 is also written without it (深圳市高新区 → 深圳高新区); the name of the
  zone's own province or city in front is also left out (包头稀土高新区 → 稀土高新区,
  上海张江高新区 → 张江高新区) when at least two characters of the proper name remain;
- organizations: 中国科学院X → 中科院X, and X alone when X starts with a place
  (中国科学院大连化学物理研究所 → 大连化学物理研究所);
- a derived short name that two records share (医药高新区: 泰州 and 通化) is dropped from
  both, and one that is another record's official name is dropped, so no derived short name is
  ambiguous. Names typed in `short_names` are kept as written.

places.csv itself is derived from the NBS lists by `write_places_csv` (rules in
`place_short_name`).
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

from kg.errors import InputError
from kg.resources import data_file

ZONE_KINDS = ("hitech", "etdz", "new_area", "ftz", "innovation_demo", "park")
ZONE_LEVELS = ("national", "provincial")
PLACE_LEVELS = ("province", "prefecture", "county")
ORGANIZATION_KINDS = ("university", "institute", "lab", "government")
REGION_KINDS = (
    "country",
    "macro_region",
    "economic_region",
    "city_cluster",
    "metropolitan_area",
    "special_administrative_region",
    "province",
)

# When one string names records of several gazetteers, candidates come in this order.
TYPE_ORDER = ("Zone", "Organization", "Place", "Industry")

_MULTI = "|"


# ---- records


@dataclass(frozen=True)
class Zone:
    """A designated development area. `short_names` holds the typed and the derived ones."""

    name: str
    short_names: tuple[str, ...]
    kinds: tuple[str, ...]
    level: str
    provinces: tuple[str, ...]
    city: str
    source: str
    nbs_code: str = ""

    @property
    def kind(self) -> str:
        return self.kinds[0]

    @property
    def province(self) -> str:
        return self.provinces[0]

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.short_names)


@dataclass(frozen=True)
class Place:
    """An administrative division of the NBS list; `code` is its NBS code (2, 4 or 6 digits)."""

    code: str
    name: str
    short_name: str
    level: str
    parent_code: str
    province: str

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, self.short_name) if self.short_name else (self.name,)


@dataclass(frozen=True)
class Region:
    """A named region above or across provinces (长三角), or a place outside the NBS list."""

    name: str
    short_names: tuple[str, ...]
    kind: str
    members: tuple[str, ...]
    source: str

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.short_names)


@dataclass(frozen=True)
class Industry:
    """A concept of the industry vocabulary; `broader` is the name of its parent, or ""."""

    name: str
    broader: str
    aliases: tuple[str, ...]
    source: str

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Organization:
    """A university, institute, laboratory or government body."""

    name: str
    short_names: tuple[str, ...]
    kind: str
    source: str

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.short_names)


@dataclass(frozen=True)
class HeadWord:
    """A suffix that types the name it ends (…高新区 → Zone); higher priority wins a tie."""

    head: str
    type: str
    priority: int
    note: str


@dataclass(frozen=True)
class TalentCue:
    """A word that marks a talent policy; `kind` is verb, noun, policy or suffix."""

    cue: str
    kind: str
    note: str


@dataclass(frozen=True)
class SurfaceForm:
    """What one surface string stands for: entity type, canonical name, and where it is from.

    `source_id` is `zone:`, `org:`, `industry:` or `region:` and the canonical name, or `place:`
    and the NBS code; `official` is True when the surface is the canonical name itself.
    """

    type: str
    name: str
    source_id: str
    official: bool


# ---- reading


def _read_rows(filename: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    path = data_file(filename)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = [name.strip() for name in next(reader, [])]
            missing = [c for c in columns if c not in header]
            if missing:
                raise InputError(
                    f"{path}: missing column(s) {', '.join(missing)}; "
                    f"the header must name {', '.join(columns)}"
                )
            width = len(header)
            # Short rows (trailing empty cells left out by an editor) are padded.
            return [
                dict(zip(header, row + [""] * (width - len(row)), strict=False))
                for row in reader
                if any(row)
            ]
    except FileNotFoundError:
        raise InputError(
            f"{path}: gazetteer file not found; reinstall kg or restore data/"
        ) from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise InputError(f"{path}: not a UTF-8 CSV file ({error}); save it as UTF-8 CSV") from None


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(_MULTI) if part.strip())


def _check(value: str, allowed: tuple[str, ...], filename: str, row: Mapping[str, str]) -> str:
    if value not in allowed:
        raise InputError(
            f"{data_file(filename)}: {value!r} in row {dict(row)} is not one of "
            f"{', '.join(allowed)}; correct the value or the file"
        )
    return value


def _unique(names: Iterable[str], exclude: Iterable[str] = ()) -> tuple[str, ...]:
    seen = set(exclude)
    out = []
    for name in names:
        if name and name not in seen:
            seen.add(name)
            out.append(name)
    return tuple(out)


# ---- places


def _place_from_row(row: Mapping[str, str]) -> Place:
    return Place(
        code=row["code"],
        name=row["name"],
        short_name=row["short_name"],
        level=_check(row["level"], PLACE_LEVELS, "places.csv", row),
        parent_code=row["parent_code"],
        province=row["province"],
    )


@cache
def places() -> tuple[Place, ...]:
    """Provinces, prefectures and counties of the NBS 2023 list, in code order."""
    columns = ("code", "name", "short_name", "level", "parent_code", "province")
    return tuple(_place_from_row(row) for row in _read_rows("places.csv", columns))


@cache
def _places_index() -> Mapping[str, tuple[Place, ...]]:
    index: dict[str, list[Place]] = defaultdict(list)
    for place in places():
        for name in place.names:
            index[name].append(place)
    return MappingProxyType({k: tuple(v) for k, v in index.items()})


def places_by_name(name: str) -> tuple[Place, ...]:
    """Every place that `name` (full or short) names, highest level first (鼓楼区: four)."""
    found = _places_index().get(name, ())
    return tuple(sorted(found, key=lambda p: (PLACE_LEVELS.index(p.level), p.code)))


def place_by_name(name: str) -> Place | None:
    """The place that `name` (full or short) names: the one of highest level, if only one is."""
    found = places_by_name(name)
    if not found:
        return None
    top = [p for p in found if p.level == found[0].level]
    return top[0] if len(top) == 1 else None


@cache
def provinces() -> Mapping[str, Place]:
    """Province by full name (内蒙古自治区) and by short name (内蒙古)."""
    index: dict[str, Place] = {}
    for place in places():
        if place.level == "province":
            for name in place.names:
                index[name] = place
    return MappingProxyType(index)


# ---- zones

# Official suffixes and the abbreviations written for them, longest suffix first.
_ZONE_SUFFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("农业高新技术产业示范区", ("农高区",)),
    ("国家自主创新示范区", ("自创区", "国家自创区", "自主创新示范区")),
    ("高新技术产业开发区", ("高新区",)),
    ("高新技术产业园区", ("高新区",)),
    ("高技术产业开发区", ("高新区",)),
    ("新技术产业开发区", ("高新区",)),
    ("高新技术开发区", ("高新区",)),
    ("新技术开发区", ("高新区",)),
    ("经济技术开发区", ("经开区", "经济开发区")),
    ("经济开发区", ("经开区",)),
)
_FTZ = re.compile(r"^中国[（(]([^）)]+)[）)]自由贸易试验区$")
_FTZ_ABBREVIATIONS = ("自贸区", "自贸试验区", "自由贸易试验区")

# Heads of zone names, for measuring what is left of a name once a place is taken off its front:
# 苏州工业园区 without 苏州 is the bare head 工业园区, not a name.
_ZONE_HEADS = tuple(
    sorted(
        {
            *(suffix for suffix, _ in _ZONE_SUFFIXES),
            *(
                abbreviation
                for _, abbreviations in _ZONE_SUFFIXES
                for abbreviation in abbreviations
            ),
            *_FTZ_ABBREVIATIONS,
            *("开发区", "新区", "园区", "工业园区", "工业园", "产业园区", "产业园", "科技园区"),
            *("科技园", "高科技园区", "科学城", "科技城", "保税区", "综合保税区", "生态城"),
            *("知识城", "实验区", "示范区", "合作区", "台商投资区", "新城"),
        },
        key=len,
        reverse=True,
    )
)
_CJK_START = re.compile(r"^[\u3400-\u9fff]")


def _head_length(form: str) -> int:
    for head in _ZONE_HEADS:
        if form.endswith(head):
            return len(head)
    return 0


def zone_abbreviations(name: str) -> tuple[str, ...]:
    """The abbreviations that an official zone name's suffix gives (no place stripping)."""
    ftz = _FTZ.match(name)
    if ftz:
        stem = ftz.group(1)
        return (*(stem + a for a in _FTZ_ABBREVIATIONS), f"中国（{stem}）自贸试验区")
    for suffix, abbreviations in _ZONE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            stems = [stem]
            if stem.endswith("市") and len(stem) > 2:
                stems.append(stem[:-1])
            return _unique(s + a for s in stems for a in abbreviations)
    return ()


def _place_prefixes(provinces_: Iterable[str], city: str) -> tuple[str, ...]:
    """Full and short names of a zone's own provinces and city, longest first."""
    prefixes: set[str] = set()
    index = _places_index()
    for name in (*provinces_, city):
        if not name:
            continue
        prefixes.add(name)
        for place in index.get(name, ()):
            if place.level in ("province", "prefecture"):
                prefixes.update(place.names)
    return tuple(sorted(prefixes, key=len, reverse=True))


def _without_place_prefix(forms: Iterable[str], prefixes: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    todo = list(forms)
    generic = common_words()
    while todo:
        form = todo.pop()
        for prefix in prefixes:
            rest = form[len(prefix) :]
            stem = rest[: len(rest) - _head_length(rest)]
            if (
                form.startswith(prefix)
                and _CJK_START.match(rest)
                and len(stem) >= 2
                and stem not in generic
                and rest not in out
            ):
                out.append(rest)
                todo.append(rest)
    return out


def derived_zone_names(name: str, provinces_: Iterable[str], city: str) -> tuple[str, ...]:
    """Short names a zone gets by rule: abbreviations, then without its own province or city.

    Only names with an official suffix lose their place prefix: what is left of 舟山群岛新区 or
    石家庄循环化工园区 without the city (群岛新区, 循环化工园区) no longer names one place.
    """
    abbreviations = zone_abbreviations(name)
    if not abbreviations:
        return ()
    stripped = _without_place_prefix((name, *abbreviations), _place_prefixes(provinces_, city))
    return _unique((*abbreviations, *stripped), exclude=(name,))


def _resolve_derived(
    official: Mapping[str, tuple[str, ...]], derived: Mapping[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    """Typed names plus the derived names that no other record claims (see module docstring)."""
    claims: dict[str, set[str]] = defaultdict(set)
    for record, names in derived.items():
        for name in names:
            claims[name].add(record)
    taken = {name for names in official.values() for name in names}
    return {
        record: _unique(
            (
                *official[record][1:],
                *(
                    n
                    for n in derived.get(record, ())
                    if len(claims[n]) == 1 and (n not in taken or n in official[record])
                ),
            ),
            exclude=(record,),
        )
        for record in official
    }


@cache
def zones() -> tuple[Zone, ...]:
    """All zones of zones.csv, with typed and derived short names."""
    columns = ("name", "short_names", "kind", "level", "province", "city", "source")
    rows = _read_rows("zones.csv", columns)
    official = {row["name"]: (row["name"], *_split(row["short_names"])) for row in rows}
    derived = {
        row["name"]: derived_zone_names(row["name"], _split(row["province"]), row["city"])
        for row in rows
    }
    short_names = _resolve_derived(official, derived)
    out = []
    for row in rows:
        kinds = _split(row["kind"])
        for kind in kinds:
            _check(kind, ZONE_KINDS, "zones.csv", row)
        out.append(
            Zone(
                name=row["name"],
                short_names=short_names[row["name"]],
                kinds=kinds,
                level=_check(row["level"], ZONE_LEVELS, "zones.csv", row),
                provinces=_split(row["province"]),
                city=row["city"],
                source=row["source"],
                nbs_code=row.get("nbs_code", ""),
            )
        )
    return tuple(out)


@cache
def _zones_index() -> Mapping[str, Zone]:
    return MappingProxyType({name: zone for zone in zones() for name in zone.names})


def zone_by_name(name: str) -> Zone | None:
    """The zone that `name` names: its official name or one of its short names."""
    return _zones_index().get(name)


# ---- regions, industries, organizations


@cache
def regions() -> tuple[Region, ...]:
    """Named regions (长三角, 粤港澳大湾区 ...) and places outside the NBS list."""
    columns = ("name", "short_names", "kind", "members", "source")
    return tuple(
        Region(
            name=row["name"],
            short_names=_split(row["short_names"]),
            kind=_check(row["kind"], REGION_KINDS, "regions.csv", row),
            members=_split(row["members"]),
            source=row["source"],
        )
        for row in _read_rows("regions.csv", columns)
    )


@cache
def industries() -> tuple[Industry, ...]:
    """The industry vocabulary: a SKOS-like tree through `broader`."""
    return tuple(
        Industry(
            name=row["name"],
            broader=row["broader"],
            aliases=_split(row["aliases"]),
            source=row["source"],
        )
        for row in _read_rows("industries.csv", ("name", "broader", "aliases", "source"))
    )


@cache
def _industries_index() -> Mapping[str, Industry]:
    return MappingProxyType({n: industry for industry in industries() for n in industry.names})


def industry_by_name(name: str) -> Industry | None:
    """The industry concept that `name` (preferred name or alias) names."""
    return _industries_index().get(name)


def broader_industries(name: str) -> tuple[str, ...]:
    """The broader concepts of an industry, nearest first (碳化硅 → 第三代半导体 → …)."""
    chain: list[str] = []
    industry = industry_by_name(name)
    while industry is not None and industry.broader and industry.broader not in chain:
        chain.append(industry.broader)
        industry = industry_by_name(industry.broader)
    return tuple(chain)


_CAS = "中国科学院"
_CAS_SHORT = "中科院"


def derived_organization_names(name: str) -> tuple[str, ...]:
    """中国科学院X → 中科院X, and X when X starts with a province or prefecture name."""
    if not name.startswith(_CAS) or len(name) == len(_CAS):
        return ()
    rest = name[len(_CAS) :]
    out = [_CAS_SHORT + rest]
    index = _places_index()
    if any(
        rest.startswith(prefix) and any(p.level != "county" for p in index[prefix])
        for prefix in (rest[:2], rest[:3], rest[:4])
        if prefix in index
    ):
        out.append(rest)
    return tuple(out)


@cache
def organizations() -> tuple[Organization, ...]:
    """Universities, CAS institutes, laboratories and central government bodies."""
    rows = _read_rows("organizations.csv", ("name", "short_names", "kind", "source"))
    official = {row["name"]: (row["name"], *_split(row["short_names"])) for row in rows}
    derived = {row["name"]: derived_organization_names(row["name"]) for row in rows}
    short_names = _resolve_derived(official, derived)
    return tuple(
        Organization(
            name=row["name"],
            short_names=short_names[row["name"]],
            kind=_check(row["kind"], ORGANIZATION_KINDS, "organizations.csv", row),
            source=row["source"],
        )
        for row in rows
    )


@cache
def _organizations_index() -> Mapping[str, Organization]:
    return MappingProxyType({n: org for org in organizations() for n in org.names})


def organization_by_name(name: str) -> Organization | None:
    """The organization that `name` (official or short) names."""
    return _organizations_index().get(name)


# ---- patterns


@cache
def head_words() -> tuple[HeadWord, ...]:
    """Name suffixes and the type they give, longest first, then by priority."""
    rows = _read_rows("head_words.csv", ("head", "type", "priority", "note"))
    out = []
    for row in rows:
        try:
            priority = int(row["priority"])
        except ValueError:
            raise InputError(
                f"{data_file('head_words.csv')}: priority {row['priority']!r} of {row['head']!r}"
                " is not a whole number"
            ) from None
        out.append(HeadWord(row["head"], row["type"], priority, row["note"]))
    return tuple(sorted(out, key=lambda h: (-len(h.head), -h.priority, h.head, h.type)))


@cache
def talent_cues() -> tuple[TalentCue, ...]:
    """Words that mark a talent policy."""
    rows = _read_rows("talent_cues.csv", ("cue", "kind", "note"))
    return tuple(TalentCue(row["cue"], row["kind"], row["note"]) for row in rows)


# ---- surface forms

# Full-width forms are folded as kg.normalize folds the article text the automaton runs on.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def _records() -> Iterator[tuple[str, str, str, tuple[str, ...]]]:
    """(type, canonical name, source id, names) of every record, in the order of TYPE_ORDER and,
    among places, provinces first."""
    for zone in zones():
        yield "Zone", zone.name, "zone:" + zone.name, zone.names
    for org in organizations():
        yield "Organization", org.name, "org:" + org.name, org.names
    for region in regions():
        yield "Place", region.name, "region:" + region.name, region.names
    for place in sorted(places(), key=lambda p: PLACE_LEVELS.index(p.level)):
        yield "Place", place.name, "place:" + place.code, place.names
    for industry in industries():
        yield "Industry", industry.name, "industry:" + industry.name, industry.names


@cache
def surface_forms() -> Mapping[str, tuple[SurfaceForm, ...]]:
    """Every string the gazetteer ruler looks for → what it may name, best candidate first.

    Best first: an official name before a short name, then Zone, Organization, Place, Industry,
    then a higher administrative level before a lower one. Names with full-width characters
    (中国（上海）自由贸易试验区) are also listed folded, as normalized text has them.
    """
    pairs = [
        (surface, SurfaceForm(type_, name, source_id, surface == name))
        for type_, name, source_id, names in _records()
        for surface in names
    ]
    # One translate over all names is far cheaper than one per name.
    folded = "\n".join(surface for surface, _ in pairs).translate(_FOLD).split("\n")
    found: dict[str, list[SurfaceForm]] = {}
    for (surface, form), fold in zip(pairs, folded, strict=True):
        for variant in (surface, fold) if fold != surface else (surface,):
            candidates = found.setdefault(variant, [])
            if form not in candidates:
                candidates.append(form)
    # Records come in type and level order already; a stable sort puts official names first.
    return MappingProxyType(
        {
            surface: tuple(forms if len(forms) == 1 else sorted(forms, key=_not_official))
            for surface, forms in found.items()
        }
    )


def _not_official(form: SurfaceForm) -> bool:
    return not form.official


@cache
def surface_automaton() -> object:
    """An Aho-Corasick automaton over `surface_forms()`; values are (surface, candidates).

    `automaton.iter_long(text)` gives the longest match at each position.
    """
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for surface, candidates in surface_forms().items():
        automaton.add_word(surface, (surface, candidates))
    automaton.make_automaton()
    return automaton


# ---- building places.csv from the NBS lists

PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市")

# The 55 minority nationalities, as they appear in names of autonomous prefectures and counties.
_NATIONALITIES = (
    *("蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白"),
    *("土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡"),
    *("纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬"),
    *("锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安"),
    *("裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺"),
)
# A nationality at the end of a name, with 族 or (names of two characters or more) without it:
# 海西蒙古族藏族 → 海西, 博尔塔拉蒙古 → 博尔塔拉.
_NATIONALITY_TAIL = re.compile(
    "(?:"
    + "|".join(
        sorted(
            [*(n + "族" for n in _NATIONALITIES), *(n for n in _NATIONALITIES if len(n) > 1)],
            key=len,
            reverse=True,
        )
    )
    + ")$"
)


def _strip_nationalities(stem: str) -> str:
    while match := _NATIONALITY_TAIL.search(stem):
        stem = stem[: match.start()]
    return stem


def place_short_name(name: str, level: str) -> str:
    """The short form a place name is written in (内蒙古自治区 → 内蒙古, 包头市 → 包头,
    延边朝鲜族自治州 → 延边, 浦东新区 → 浦东), or "" when it would be under two characters.

    Banners (旗), districts named by compass point only (东区) and the like keep their full name.
    """
    if level == "province":
        suffixes: tuple[str, ...] = PROVINCE_SUFFIXES
    elif level == "prefecture":
        suffixes = ("自治州", "地区", "市", "盟")
    else:
        suffixes = ("自治县", "自治旗", "新区", "林区", "特区", "矿区", "区", "县", "市")
    for suffix in suffixes:
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            if level != "province" and (suffix.startswith("自治") or suffix == "区"):
                stem = _strip_nationalities(stem)
            return stem if len(stem) >= 2 else ""
    return ""


_NOT_PLACES = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")


def _is_functional_zone(code: str) -> bool:
    """NBS gives development zones and other functional areas county codes with 7 as 5th digit."""
    return len(code) == 6 and code[4] == "7"


def read_nbs(shared_dir: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(places, functional zones) of the NBS CSVs in `shared_dir` (provinces, cities, areas)."""

    def rows(filename: str) -> list[dict[str, str]]:
        path = shared_dir / filename
        try:
            with path.open(encoding="utf-8", newline="") as handle:
                return list(csv.DictReader(handle))
        except FileNotFoundError:
            raise InputError(
                f"{path}: not found; pass the folder with provinces.csv, cities.csv, areas.csv"
            ) from None

    province_names = {r["code"]: r["name"] for r in rows("provinces.csv")}
    out: list[dict[str, str]] = []
    zones_: list[dict[str, str]] = []
    for r in rows("provinces.csv"):
        out.append({"code": r["code"], "name": r["name"], "level": "province", "parent_code": ""})
    real_cities = set()
    for r in rows("cities.csv"):
        if r["name"] in _NOT_PLACES:
            continue
        real_cities.add(r["code"])
        out.append(
            {
                "code": r["code"],
                "name": r["name"],
                "level": "prefecture",
                "parent_code": r["provinceCode"],
            }
        )
    for r in rows("areas.csv"):
        parent = r["cityCode"] if r["cityCode"] in real_cities else r["provinceCode"]
        row = {"code": r["code"], "name": r["name"], "level": "county", "parent_code": parent}
        (zones_ if _is_functional_zone(r["code"]) else out).append(row)
    for row in (*out, *zones_):
        row["province"] = province_names[row["code"][:2]]
    return out, zones_


@cache
def common_words() -> frozenset[str]:
    """Words never taken for a proper name on their own (data/common_words.txt)."""
    path = data_file("common_words.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(word for line in lines for word in line.split("#", 1)[0].split())


def derive_places(shared_dir: Path) -> list[Place]:
    """Places of the NBS lists with short names: unambiguous, two characters or more.

    A short form several places could take goes to the one of highest level (吉林 → 吉林省, not
    吉林市); when places of the same level share it (滨海: 滨海县, 滨海新区) none gets it. A short
    form that another place has as its full name, or that is a common word listed in
    data/common_words.txt (光明, 前进), is not used.
    """
    rows, _ = read_nbs(shared_dir)
    stop = common_words()
    full_names = {r["name"] for r in rows}
    candidates: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        short = place_short_name(r["name"], r["level"])
        if short and short not in stop and short not in full_names:
            candidates[short].append(r)
    short_of: dict[str, str] = {}
    for short, claimants in candidates.items():
        best = min(PLACE_LEVELS.index(c["level"]) for c in claimants)
        top = [c for c in claimants if PLACE_LEVELS.index(c["level"]) == best]
        if len(top) == 1:
            short_of[top[0]["code"]] = short
    return [
        Place(
            code=r["code"],
            name=r["name"],
            short_name=short_of.get(r["code"], ""),
            level=r["level"],
            parent_code=r["parent_code"],
            province=r["province"],
        )
        for r in rows
    ]


def write_places_csv(shared_dir: Path, destination: Path) -> int:
    """Write places.csv from the NBS lists in `shared_dir`; returns the number of places."""
    rows = derive_places(shared_dir)
    with destination.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("code", "name", "short_name", "level", "parent_code", "province"))
        for p in rows:
            writer.writerow((p.code, p.name, p.short_name, p.level, p.parent_code, p.province))
    return len(rows)
