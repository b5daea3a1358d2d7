"""Indicators: normalized text, its sentences and entity mentions in; the figures it states out.

A figure is a number (Arabic, Chinese or mixed: 8, 3.2万, 四百二十, 百分之十三点二) with a unit
(亿元, 家, %, 个百分点 — read from `data/indicator_units.csv`), written as the article writes
it (1万家 is value 1, unit 万家). Cue words around it (`data/indicator_cues.csv`) give the
comparator (突破 → >, 以上 → >=, 近 → <), the kind (力争 → target, 实现 → actual) and rule out
what is not an indicator of an entity: what a policy grants one recipient (每人, 单个项目, 最高),
eligibility thresholds (营业收入超百亿元企业), ordinals, dates, ranges and counts of the parts
of a document. The subject is the nearest entity that can carry a figure (zone, place,
enterprise, organisation, programme) in the clause, else in the sentence before it, else the
article's subject; the name is the noun phrase the number belongs to.

Only the standard library and cn2an (Chinese numerals; kg.extract.numerals reads the common
forms without it) are used, with compiled patterns, so a seed-sized article takes well under a
millisecond.
"""

from __future__ import annotations

import bisect
import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache

from kg.errors import KgError
from kg.extract.numerals import strict_value
from kg.model import Evidence, Indicator, Mention
from kg.resources import data_file

UNITS_FILE = "indicator_units.csv"
CUES_FILE = "indicator_cues.csv"

# Entity types that a figure can be stated for.
SUBJECT_TYPES = frozenset(
    {"Zone", "Place", "Enterprise", "Organization", "Programme", "PolicyDocument"}
)

_CN_NUMERALS = "零〇一二两三四五六七八九十百千万亿"
_MAGNITUDES = ("万亿", "亿", "万")
# Titles after an organisation name: the name then qualifies a person, it is not a subject.
_ROLE_AFTER = re.compile(
    r"(?:党工委|党委|党组|管委会)?(?:常务)?副?"
    r"(?:书记|主任|局长|董事长|总经理|总裁|院长|校长|所长|部长|市长|省长|区长|县长|委员|"
    r"负责人|创始人|首席)"
)
# A comma between digits with three after it (1,256家) groups thousands; it ends no clause.
_CLAUSE_BREAK = re.compile(r"[;:!?()]|,(?!(?<=\d,)\d{3}(?!\d))")
# The lookahead on the first character lets the engine skip most positions quickly.
_YEAR = re.compile(
    r"(?=[12今年本去上前明目如现当近])(?:(?<![\d.])((?:19|20)\d{2})\s*年(?!代|以来)"
    r"|(今年|年内|本年度|本年|目前|如今|现在|当前|\d{4}年以来|近年来)|(去年|上年|上一年|前一年)"
    r"|(明年))"
)
# Words at the edges of a measure that belong to the sentence, not to the measure's name.
_NAME_LEAD = re.compile(
    r"^(?:(?:(?:19|20)\d{2}年(?:底|末|初)?|到|今年|去年|年内|全年|当年|上年|目前|截至|其中|同时|此外|"
    r"力争|争取|计划|预计|确保|将|要|已|已经|共|共有|还|并|再|实现|达到|达|拥有|有|全区|区内|园区|"
    r"的|在|了|为|目标|是)[,]?)+"
)
# 培育20个产业集群: with nothing before the number, the noun after it names what is counted.
_NAME_AFTER = re.compile(r"的?([^,;。、:()\d]{1,16})")
_NAME_TAIL = re.compile(
    r"(?:首次|累计|合计|共计|共|已|分别|力争|将|要|实现|达到|达|突破|超过|超|逾|约|近|接近|将近|"
    r"不低于|不少于|至少|不超过|为|是|有|了|的|在|增至|提高到|提升至|提升到|提高至)+$"
)


class IndicatorDataError(KgError):
    """A cue or unit file in data/ is missing or malformed."""


@dataclass(frozen=True)
class _Lexicon:
    quantity: re.Pattern[str]
    unit_kind: dict[str, str]
    before: re.Pattern[str]
    before_value: dict[str, str]
    after: re.Pattern[str]
    after_value: dict[str, str]
    approx: dict[str, str]
    target: re.Pattern[str]
    actual: re.Pattern[str]
    per_unit: re.Pattern[str]
    near_per_unit: re.Pattern[str]
    grant: re.Pattern[str]
    total: re.Pattern[str]
    not_subject: re.Pattern[str]
    organiser: re.Pattern[str]
    speech: re.Pattern[str]
    anaphors: dict[str, str]
    anaphor: re.Pattern[str]
    amount_of: re.Pattern[str]
    structure: re.Pattern[str]


def _rows(name: str, columns: int) -> list[list[str]]:
    path = data_file(name)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise IndicatorDataError(f"{path}: cannot read ({exc.strerror}); reinstall kg") from None
    rows = []
    for n, row in enumerate(csv.reader(text.splitlines()), start=1):
        if not row or row[0].startswith("#") or n == 1:
            continue
        if len(row) < columns:
            raise IndicatorDataError(f"{path}:{n}: expected {columns} columns; fix the line")
        rows.append([cell.strip() for cell in row])
    return rows


def _alternation(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@cache
def lexicon() -> _Lexicon:
    """Units and cue words of data/, compiled once per process."""
    unit_kind = {row[0]: row[1] for row in _rows(UNITS_FILE, 2)}
    base_units = [u for u, kind in unit_kind.items() if kind != "magnitude"]
    cues: dict[str, list[tuple[str, str]]] = {}
    for row in _rows(CUES_FILE, 3):
        cues.setdefault(row[1], []).append((row[0], row[2]))

    def words(role: str) -> list[str]:
        return [cue for cue, _ in cues.get(role, [])]

    def pattern(role: str) -> re.Pattern[str]:
        return re.compile(_alternation(words(role)) or r"(?!)")

    arabic = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:万亿|亿|万)?"
    chinese = rf"[{_CN_NUMERALS}]+(?:点[零〇一二三四五六七八九]+(?:万亿|亿|万)?)?"
    quantity = re.compile(
        rf"(?=[\d{_CN_NUMERALS}])(?:百分之(?P<pct>[零〇一二两三四五六七八九十百点]+)"
        # A number needs a unit or must end in 万/亿 (1.2万亿): 2023年 and 一起 never match.
        # 340多亿元, 400多万: the magnitude may follow the approximation.
        rf"|(?P<num>(?>{arabic}|{chinese}))(?:(?P<approx>[余多])(?P<mag>万亿|亿|万)?)?"
        rf"(?:(?P<unit>{_alternation(base_units)})|(?<=[万亿])))"
    )
    near = [w for w in words("per_unit") if w.startswith(("最", "单"))]
    return _Lexicon(
        quantity=quantity,
        unit_kind=unit_kind,
        # The longest cue that ends the window (不超过 rather than 超过), 了 allowed after it.
        before=re.compile(rf"({_alternation(words('before'))})了?$"),
        before_value=dict(cues.get("before", [])),
        after=re.compile(_alternation(words("after"))),
        after_value=dict(cues.get("after", [])),
        approx=dict(cues.get("approx", [])),
        target=pattern("target"),
        actual=pattern("actual"),
        per_unit=re.compile(_alternation([w for w in words("per_unit") if w not in near])),
        near_per_unit=re.compile(rf"(?:{_alternation(near)})[^,;。]{{0,4}}$"),
        grant=pattern("grant"),
        total=pattern("total"),
        not_subject=re.compile(rf"(?:{_alternation(words('not_subject'))})$"),
        organiser=re.compile(rf"(?:{_alternation(words('organiser'))})(?:[,;、]|$)"),
        speech=pattern("speech"),
        anaphors=dict(cues.get("anaphor", [])),
        anaphor=re.compile(_alternation(words("anaphor")) or r"(?!)"),
        amount_of=re.compile(rf"(?:{_alternation(words('amount_of'))})[为达约]?$"),
        structure=re.compile(rf"[^,;。、和及与]{{0,4}}(?:{_alternation(words('structure'))})"),
    )


@lru_cache(maxsize=4096)
def chinese_number(digits: str) -> float | None:
    """The value of a numeral in Chinese or Arabic digits (四百二十 → 420, 3.2 → 3.2), or None."""
    if digits[0] in "百千":
        digits = "一" + digits
    # Strict mode refuses run-together digits (唯一一家 → 一一), which are no numeral.
    try:
        if digits[0].isdigit():
            import cn2an  # imported only here: it takes half a CPU second to import

            value = cn2an.cn2an(digits.replace("两", "二"), "smart")
        else:
            value = strict_value(digits.replace("两", "二"))
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return float(value)


def _number(value: float) -> int | float:
    return int(value) if value == int(value) else round(value, 6)


@dataclass(frozen=True)
class _Quantity:
    start: int  # first character of the number (or of 百分之)
    end: int  # after the unit and any comparator word after it
    value: int | float
    unit: str
    unit_kind: str
    comparator: str
    rule: str


def _quantities(
    text: str, matches: Sequence[re.Match[str]], starts: list[int], start: int, end: int
) -> list[_Quantity]:
    """Numbers with units in text[start:end] that can be figures (not dates, ordinals, ranges),
    from the matches of the number pattern over the whole text."""
    lex = lexicon()
    found = []
    for i in range(bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)):
        m = matches[i]
        if m.end() <= end:
            q = _read_quantity(text, m, lex, start)
            if q is not None:
                found.append(q)
    return found


_RANGE_AFTER = re.compile(r"\s*(?:至|到|-|~|—|－)\s*[\d零〇一二两三四五六七八九十百千]")
_RANGE_BEFORE = re.compile(r"[\d零〇一二两三四五六七八九十](?:至|-|~|—)$")
_NOT_A_COUNT_AFTER = frozenset("年月日号岁强位")
_DURATION = re.compile(r"半|小时|星期|工作日|钟头|季度")


def _read_quantity(text: str, m: re.Match[str], lex: _Lexicon, floor: int) -> _Quantity | None:
    pct, digits, approx, later_magnitude, base = m.group("pct", "num", "approx", "mag", "unit")
    start = m.start()
    before = text[start - 1] if start > floor else ""
    if before in ("第", "前", "几") or (
        before.isascii() and (before.isalnum() or before in ".-/~")
    ):
        return None  # 第5, 前10: an ordinal or a rank; 几十条: no figure; A380, 3.2.1: a code
    if _ACTED_ON.search(text, max(floor, start - 2), start):
        return None  # 对21家企业…, 在4个经开区中: the things acted on, not a figure
    before_cue = _before_cue(text, start, lex)
    if pct is not None:
        value = chinese_number(pct)
        unit, kind, rule, approx = "%", "percent", "percent", ""
    else:
        magnitude = next((g for g in _MAGNITUDES if digits.endswith(g)), "")
        digits = digits[: len(digits) - len(magnitude)]
        magnitude += later_magnitude or ""
        unit = magnitude + (base or "")
        kind = lex.unit_kind.get(base or magnitude, "count")
        is_chinese = not digits[:1].isdigit()
        approx = approx or ""
        if kind == "ignore" or (approx and not base and not magnitude):
            return None
        if not digits:
            # 突破万亿元: a bare magnitude counts one of it, but only after a comparator word.
            if before_cue is None:
                return None
            value, rule = 1.0, "magnitude"
        elif digits == "一" and not magnitude and kind in ("count", "tenth"):
            return None  # 一家, 一个: an article, not a statistic
        elif (
            len(digits) == 1
            and digits not in "0123456789十"
            and not magnitude
            and not (kind == "tenth" and digits not in "一两")
            and before_cue is None
        ):
            # 两地, 三条产业链, 千家万户: a small enumeration or an idiom. Statistics are
            # written in Arabic digits; a lone numeral counts only after a cue.
            return None
        else:
            value = chinese_number(digits) if is_chinese else float(digits.replace(",", ""))
            rule = "chinese-number" if is_chinese else "number"
    if value is None:
        return None
    if kind == "tenth":
        # 四成 is four tenths: a percentage.
        if value >= 10:
            return None
        value, unit, kind = value * 10, "%", "percent"
    end = m.end()
    nxt = text[end : end + 1]
    if kind == "count" and (nxt in _NOT_A_COUNT_AFTER or nxt == "的" or _DURATION.match(text, end)):
        return None  # 3个月, 2个半小时, 5岁: a time or an age; 其中3家的主导产业: a possessor
    if kind == "physical" and nxt in ("外", "远", "处"):
        return None  # 20公里外: a distance to somewhere
    # A range (3至5家, 10-20个): neither end is a figure of its own.
    if _RANGE_AFTER.match(text, end) or _RANGE_BEFORE.search(text, max(floor, start - 3), start):
        return None
    comparator = lex.approx.get(approx, "=") if approx else "="
    after_match = lex.after.match(text, end)
    if after_match is not None:
        end = after_match.end()
        after = lex.after_value[after_match.group()]
        if after == ">=" and (comparator == ">" or (before_cue and before_cue[1] == ">")):
            comparator = ">"
        elif comparator == "=":
            comparator = after
    elif before_cue is not None and not approx:
        comparator = before_cue[1]
    return _Quantity(start, end, _number(value), unit, kind, comparator, rule)


def _before_cue(text: str, at: int, lex: _Lexicon) -> tuple[str, str] | None:
    m = lex.before.search(text, max(0, at - 5), at)
    if m is None:
        return None
    cue = m.group(1)
    if cue == "近" and m.start(1) > 0 and text[m.start(1) - 1] in "附最邻就临":
        return None  # 附近, 最近: 近 inside another word is no comparator
    return cue, lex.before_value[cue]


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans, last = [], start
    for m in _CLAUSE_BREAK.finditer(text, start, end):
        spans.append((last, m.start()))
        last = m.end()
    spans.append((last, end))
    return spans


def _is_excluded(text: str, q: _Quantity, clause: tuple[int, int], lex: _Lexicon) -> bool:
    """What a policy grants one recipient, an eligibility threshold, a part of a document."""
    head = text[clause[0] : q.start]
    tail = text[q.end : clause[1]]
    if lex.per_unit.search(head) or lex.near_per_unit.search(head):
        return True
    if (lex.grant.search(head) or lex.grant.match(tail.lstrip("的"))) and not lex.total.search(
        head
    ):
        return True
    if q.unit_kind == "count" and lex.structure.match(tail.lstrip("的")):
        return True  # 5项一级指标, 三个环节: parts of a document or a system
    if q.unit_kind != "count" and tail:
        if tail[0] == "的":
            # 以年均15%的速度增长 states a rate; 营业收入10亿元以上的企业 is a threshold.
            if q.unit_kind == "percent" and _RATE_NOUN.match(tail, 1):
                return False
            return lex.amount_of.search(_strip_cue(head, lex)) is None
        # 超百亿元企业, 亿元级项目: an amount right before such a noun qualifies it.
        if _QUALIFIED.match(tail):
            return True
    return False


_RATE_NOUN = re.compile(r"(?:年均)?(?:增长|增速|速度|幅度|涨幅|降幅|比重|水平)")
# Nouns an amount qualifies when written right before them: 超百亿元企业, 千万元级项目.
_QUALIFIED = re.compile(r"(?:级|规模)?[^,;。的\d]{0,4}?(?:企业|项目|工程|集群|产业|公司|主体|园区)")


def _strip_cue(head: str, lex: _Lexicon) -> str:
    """The head of a clause without the comparator word that ends it."""
    m = lex.before.search(head, max(0, len(head) - 5))
    return head[: m.start(1)] if m else head


# A descriptor before a name at the head of a clause (区内龙头企业X, 园区企业X).
_APPOSITION = re.compile(r"[^,;。、“”\"]{0,14}(?:企业|公司|集团|龙头|厂商|机构|高校|院所|单位)")
# 对/在 right before a number, unless the last character of a word (针对, 现在).
_ACTED_ON = re.compile(r"(?:^|[^针面相绝核应存现正实所内外自])[对在]$")
# Not 比, 同, 和: names begin with them (比亚迪, 同济大学).
_PREPOSITIONS = frozenset("与对在向从于由及较")
_CARRIED = frozenset({"Zone", "Place", "Organization"})
_LIST_JOINERS = frozenset({"、", "和", "及", "或", "、和", "以及"})
_LOCATIVE = re.compile(r"(?:仅|而)?在([^,;。]{2,30}?)(?:内|里|中|上)?")
# A person or an unnamed thing at the head of a clause (他, 这家企业, 这款产品).
# A figure that points back to the one stated before it (这个数字, 这一比例, 该比重).
_FIGURE_ANAPHOR = re.compile(r"(?:这|该)(?:个|一)?(?:数字|数据|比例|比重|指标|数值)")
_UNNAMED = re.compile(
    r"(?:他|她)们?(?!们)|这(?:家|款|个|座|条|些|位|名|批|项)(?!(?:数字|数据|比例|比重|指标|数值))"
)
_THIS_EVENT = re.compile(
    r"(?:本届|本次|此次|这次)[\u4e00-\u9fff]{0,5}?(?:大赛|赛事|比赛|竞赛|周|节|会|展|月)"
)
_FORMED_BY = re.compile(r"[^,;。]{0,12}?组成的")
_LEADING = re.compile(
    r"(?:[“\"「『‘(]|(?:19|20)\d{2}年(?:底|末|初|以来|上半年|前三季度)?|\d{1,2}月(?:\d{1,2}日)?|"
    r"今年(?:以来)?|去年|全年|当年|年内|上半年|下半年|前三季度|一季度|目前|当前|如今|同时|此外|"
    r"另外|其中|据介绍|据悉|据统计|当天|当日|本届|本次|此次|第\S{1,3}届|仅|还|也|首场|"
    r"一年来|近年来|近[一二三四五六七八九十\d]+年(?:来)?|[一二三四五六七八九十]是|首先|其次|"
    r"截至(?:目前|当天\S{0,2}|\S{0,4}年底)?|的)*"
)


@dataclass(frozen=True)
class _Context:
    """What subject finding needs about the article: its mentions and its subject."""

    text: str
    mentions: Sequence[Mention]
    starts: list[int]
    subject: str | None
    subject_is_zone: bool
    heads: dict[tuple[int, int, bool], str | None] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    places: dict[str, str] = field(default_factory=dict)
    surfaces: dict[str, str] = field(default_factory=dict)


def _mentions_in(ctx: _Context, start: int, end: int) -> Sequence[Mention]:
    lo = bisect.bisect_left(ctx.starts, start)
    hi = bisect.bisect_left(ctx.starts, end)
    return [m for m in ctx.mentions[lo:hi] if m.end <= end]


def _head_subject(
    ctx: _Context, start: int, end: int, lex: _Lexicon, *, anaphors: bool = True
) -> str | None:
    """The subject at the head of text[start:end]: an entity or an anaphor after time words."""
    key = (start, end, anaphors)
    if key not in ctx.heads:
        ctx.heads[key] = _find_head_subject(ctx, start, end, lex, anaphors=anaphors)
    return ctx.heads[key]


def _find_head_subject(
    ctx: _Context, start: int, end: int, lex: _Lexicon, *, anaphors: bool
) -> str | None:
    text = ctx.text
    leading = _LEADING.match(text, start, end)
    at = leading.end() if leading else start
    place = _LOCATIVE.fullmatch(text, at, end)
    if place is not None:
        # 在安徽合肥, … : a clause that only names where sets the subject for the sentence.
        inside = [m for m in _mentions_in(ctx, at, end) if m.type in SUBJECT_TYPES]
        if inside and inside[-1].end == place.end(1):
            return inside[-1].name
    if _UNNAMED.match(text, at, end):
        return ""  # 他, 这家企业: the figure is about a person or an unnamed thing
    for m in _mentions_in(ctx, at, end):
        if m.start == at and m.type == "Industry":
            # 太原战略性新兴产业 read as one industry: the place it starts with is the subject.
            prefix = _place_prefix(ctx, m.text)
            if prefix is not None:
                return prefix
        if m.start == at and m.type not in ("Place", "Industry"):
            # 河南计划 read as a programme: the entity before the verb is the subject.
            cue = lex.target.search(m.text, max(0, len(m.text) - 2))
            named = (
                ctx.surfaces.get(m.text[: cue.start()])
                if cue and cue.end() == len(m.text)
                else None
            )
            if named is not None:
                return named
        if m.type == "Person" and m.start == at:
            said = _after_quotes(text, m.end)
            if lex.speech.match(text, said) or text.startswith(":", said):
                continue  # 程立远介绍, … / 程立远: …: the speaker is not the subject
            return ""
        if m.type not in SUBJECT_TYPES:
            continue
        if m.start > at and not _APPOSITION.fullmatch(text, at, m.start):
            break
        if not _not_a_subject(ctx, m, start, lex, at_head=True):
            return _narrowest(ctx, m).name
    if not anaphors:
        return None
    if _THIS_EVENT.match(text, start, end):
        # 本届创新周, 此次博览会: the event the article named.
        return _resolve(ctx, "Programme", start, lex)
    formed = _FORMED_BY.match(text, at, end) if text.startswith("由", at) else None
    if formed is not None:
        after = _mentions_in(ctx, formed.end(), min(end, formed.end() + 40))
        if after and after[0].start <= formed.end() + 1 and after[0].type in SUBJECT_TYPES:
            return after[0].name
    if text.startswith("其", at):
        # 其 (its) points back to the entity named last.
        return _last_of(ctx, SUBJECT_TYPES, at)
    a = lex.anaphor.match(text, at, end)
    if a is not None and not _ROLE_AFTER.match(text, a.end()):
        return _resolve(ctx, lex.anaphors[a.group()], start, lex)
    return None


def _narrowest(ctx: _Context, m: Mention) -> Mention:
    """The last of names written together (西藏拉萨, 青岛即墨): the narrower place."""
    i = bisect.bisect_left(ctx.starts, m.end)
    while (
        i < len(ctx.mentions)
        and ctx.mentions[i].start == m.end
        and ctx.mentions[i].type in ("Place", "Zone")
        and m.type in ("Place", "Zone")
    ):
        m = ctx.mentions[i]
        i = bisect.bisect_left(ctx.starts, m.end)
    return m


def _place_prefix(ctx: _Context, surface: str) -> str | None:
    """The place named elsewhere in the article that `surface` starts with, if any."""
    for size in (2, 3, 4):
        name = ctx.places.get(surface[:size])
        if name is not None and size < len(surface):
            return name
    return None


def _sentence_topic(ctx: _Context, clauses: list[tuple[int, int]], lex: _Lexicon) -> str | None:
    """The first subject at the head of a clause of a sentence."""
    for start, end in clauses:
        head = _head_subject(ctx, start, end, lex)
        if head is not None:
            return head or None
    return None


def _last_of(ctx: _Context, types: frozenset[str], at: int) -> str | None:
    hi = bisect.bisect_left(ctx.starts, at)
    for m in reversed(ctx.mentions[:hi]):
        if m.type in types:
            return m.name
    return None


def _resolve(ctx: _Context, etype: str, at: int, lex: _Lexicon) -> str | None:
    """The entity an anaphor (区内, 大赛) stands for: the article's subject zone, else the last
    entity of that type before it."""
    etype, _, level = etype.partition("/")
    if etype == "Zone" and ctx.subject_is_zone:
        return ctx.subject
    if level:
        # 全省 is the province named last, 全市 the city: the gazetteer tells the level.
        hi = bisect.bisect_left(ctx.starts, at)
        for m in reversed(ctx.mentions[:hi]):
            if m.type == etype and _place_level(m.name) == level:
                return m.name
    return _last_of(ctx, frozenset({etype}), at)


@lru_cache(maxsize=4096)
def _place_level(name: str) -> str | None:
    """province, prefecture or county, from the gazetteer of places; None if unknown."""
    try:
        from kg.gazetteer import place_by_name

        place = place_by_name(name)
    except (ImportError, KgError):
        return None  # no gazetteer of places: levels are unknown, the last place is taken
    return place.level if place is not None else None


def _subject(
    ctx: _Context,
    q: _Quantity,
    clauses: list[tuple[int, int]],
    index: int,
    lex: _Lexicon,
) -> str | None:
    """The entity the figure is stated for: an entity in its clause that is not an object, else
    the subject at the head of an earlier clause of the sentence (not across ;), else the
    subject at the head of the sentence before it in the paragraph."""
    text = ctx.text
    c_start, c_end = clauses[index]
    head = _head_subject(ctx, c_start, q.start, lex, anaphors=False)
    if head is not None:
        return head
    named = _mentions_in(ctx, q.end, min(c_end, q.end + 40)) if q.unit_kind != "count" else ()
    if named and named[0].start == q.end and named[0].type in ("Programme", "Enterprise", "Zone"):
        # 推出200亿元“专项贷款”: the amount is the size of what it names (a count before a
        # name counts things of that name instead).
        return named[0].name
    formed = _FORMED_BY.match(text, q.end, c_end)
    if formed is not None:
        # 由二十余家机构组成的“联盟”: the figure belongs to the body the clause names after it.
        after = _mentions_in(ctx, formed.end(), c_end)
        if after and after[0].start <= formed.end() + 1 and after[0].type in SUBJECT_TYPES:
            return after[0].name
    best = None
    for m in _mentions_in(ctx, c_start, q.start):
        if m.type in SUBJECT_TYPES and not _not_a_subject(ctx, m, c_start, lex):
            best = m.name
    if best is not None:
        return best
    head = _head_subject(ctx, c_start, q.start, lex)
    if head is not None:
        return head
    for k in range(index - 1, -1, -1):
        p_start, p_end = clauses[k]
        if text[p_end : p_end + 1] == ";":
            # Across a semicolon only a zone, place or body at the head of the sentence carries;
            # what one enterprise or programme did stays in its part.
            topic = _sentence_topic(ctx, clauses[: k + 1], lex)
            return topic if topic is not None and ctx.types.get(topic) in _CARRIED else None
        head = _head_subject(ctx, p_start, p_end, lex)
        if head is not None:
            return head
    return None


def _not_a_subject(
    ctx: _Context, m: Mention, clause_start: int, lex: _Lexicon, *, at_head: bool = False
) -> bool:
    """An entity that is an object, a place or an organiser, or that qualifies a person."""
    text = ctx.text
    raw_lead = text[max(clause_start, m.start - 4) : m.start]
    lead = raw_lead.rstrip('“"「『‘')
    if lex.not_subject.search(lead) or m.text[:1] in _PREPOSITIONS:
        return True  # 依托X, 与X共建; a name read with its preposition (与X) is no subject
    if lead.endswith("、"):
        # In a list the entity shares the role of the one before it.
        hi = bisect.bisect_left(ctx.starts, m.start)
        before = [p for p in ctx.mentions[max(0, hi - 3) : hi] if p.end <= m.start]
        if before and before[-1].start >= clause_start:
            return _not_a_subject(ctx, before[-1], clause_start, lex, at_head=at_head)
    if not at_head and raw_lead != lead and lead and not lead.endswith("的"):
        return True  # a quoted name inside a clause is what the clause does, not who does it
    after = _after_quotes(text, m.end)
    # A list member shares the list's role: 甲集团、乙汽车等一批企业 are examples, not a subject.
    while text.startswith("、", after):
        hi = bisect.bisect_left(ctx.starts, after + 1)
        if hi >= len(ctx.mentions) or ctx.mentions[hi].start > after + 2:
            break
        after = _after_quotes(text, ctx.mentions[hi].end)
    if text.startswith("等", after) or _ROLE_AFTER.match(text, after):
        return True
    return lex.organiser.match(text, after) is not None


def _after_quotes(text: str, at: int) -> int:
    while at < len(text) and text[at] in '”"」』’':
        at += 1
    return at


def _year_marks(text: str, article_year: int | None) -> tuple[list[int], list[int | None]]:
    """Positions of the year words of text and the year each names (今年 → the article's)."""
    positions: list[int] = []
    years: list[int | None] = []
    for m in _YEAR.finditer(text):
        if m.group(1):
            year: int | None = int(m.group(1))
        elif article_year is None:
            continue
        elif m.group(2):
            year = article_year
        elif m.group(3):
            year = article_year - 1
        else:
            year = article_year + 1
        positions.append(m.end())
        years.append(year)
    return positions, years


def _year(marks: tuple[list[int], list[int | None]], body_start: int, at: int) -> int | None:
    """The year a figure at `at` is for: the nearest year word before it in the body (a year
    named in one paragraph holds for the next ones until another is named)."""
    positions, years = marks
    i = bisect.bisect_right(positions, at) - 1
    return years[i] if i >= 0 and positions[i] > body_start else None


def _kind(
    head_clause: str, head_sentence: str, year: int | None, article_year: int | None, lex: _Lexicon
) -> str:
    if lex.target.search(head_clause):
        return "target"
    if lex.actual.search(head_clause):
        return "actual"
    if year is not None and article_year is not None and year != article_year:
        return "target" if year > article_year else "actual"
    if lex.target.search(head_sentence):
        return "target"
    return "actual"


def _name(text: str, q: _Quantity, clause_start: int, anchor: int) -> str:
    head = text[max(clause_start, anchor) : q.start]
    head = _NAME_LEAD.sub("", head)
    head = _NAME_TAIL.sub("", head)
    if head:
        return head
    m = _NAME_AFTER.match(text, q.end)
    return m.group(1) if m else ""


def find_indicators(
    text: str,
    sentences: list[tuple[int, int]],
    mentions: list[Mention],
    subject: str | None,
    article_date: str | None,
) -> list[Indicator]:
    """The figures `text` states for its entities, with evidence in normalized offsets.

    `subject` (the entity the article is about) stands in where a sentence leaves it out; a
    figure stated twice (in the title and the body, or twice for the same measure) is given
    once.
    """
    lex = lexicon()
    article_year = int(article_date[:4]) if article_date and article_date[:4].isdigit() else None
    ordered = sorted(mentions, key=lambda m: m.start)
    ctx = _Context(
        text=text,
        mentions=ordered,
        starts=[m.start for m in ordered],
        subject=subject,
        subject_is_zone=any(m.name == subject and m.type == "Zone" for m in ordered),
        types={m.name: m.type for m in ordered},
        places={m.text: m.name for m in ordered if m.type == "Place"},
        surfaces={m.text: m.name for m in ordered if m.type in SUBJECT_TYPES},
    )
    found: list[Indicator] = []
    # A figure already found, by what the scorer compares: where it is and whether in the title.
    seen: dict[tuple[str, float, str, str], tuple[int, bool]] = {}
    year_marks = _year_marks(text, article_year)
    # The title is the first line (Article.full_text); its years are no context for the body.
    body_start = text.find("\n") + 1
    previous: tuple[int, int] = (-1, -1)
    matches = list(lex.quantity.finditer(text))
    if not matches:
        return []
    match_starts = [m.start() for m in matches]
    for s_start, s_end in sentences:
        quantities = _quantities(text, matches, match_starts, s_start, s_end)
        if not quantities:
            previous = (s_start, s_end)
            continue
        para_start = text.rfind("\n", 0, s_start) + 1
        clauses = _clauses(text, s_start, s_end)
        clause_starts = [c[0] for c in clauses]
        topic: str | bool | None = False  # found on first use
        before_this = previous
        previous = (s_start, s_end)
        previous_name = ""
        excluded_end = -1
        for q in quantities:
            index = bisect.bisect_right(clause_starts, q.start) - 1
            clause = clauses[index]
            if (
                _inside_mention(q, ordered, ctx.starts)
                or _is_excluded(text, q, clause, lex)
                or (excluded_end >= 0 and text[excluded_end : q.start] in _LIST_JOINERS)
            ):
                # The next item of a list (最高200万元、100万元和50万元) shares the exclusion.
                excluded_end = q.end
                continue
            who = _subject(ctx, q, clauses, index, lex)
            rule = q.rule
            if who is None:
                if topic is False:
                    topic = None
                    if before_this[0] >= para_start:
                        topic = _sentence_topic(ctx, _clauses(text, *before_this), lex)
                if isinstance(topic, str):
                    who, rule = topic, rule + "+topic"
                else:
                    who, rule = subject, rule + "+article"
            if not who:
                continue
            named = [m for m in _mentions_in(ctx, clause[0], q.start) if m.type in SUBJECT_TYPES]
            name = _name(text, q, clause[0], named[-1].end if named else clause[0])
            if _FIGURE_ANAPHOR.match(name) and found and found[-1].unit == q.unit:
                # 这个数字将达到56%: the measure of the figure stated just before
                name = found[-1].name
            if name.startswith(("同比", "增长", "增速", "比上年", "较上年")) and previous_name:
                name = previous_name + name
            elif name:
                previous_name = name
            year = _year(year_marks, body_start if q.start >= body_start else -1, q.start)
            kind = _kind(
                text[clause[0] : q.start], text[s_start : q.start], year, article_year, lex
            )
            if year is None and kind == "actual":
                year = article_year
            indicator = Indicator(
                subject=who,
                name=name,
                value=q.value,
                unit=q.unit,
                comparator=q.comparator,
                year=year,
                kind=kind,
                evidence=(
                    Evidence(
                        sentence=text[s_start:s_end],
                        start=s_start,
                        end=s_end,
                        component=f"indicators:{rule}",
                        confidence=0.7 if "+" in rule else 0.85,
                    ),
                ),
            )
            key = (who, float(q.value), q.unit, q.comparator)
            earlier = seen.get(key)
            if earlier is not None:
                at, in_title = earlier
                if in_title:
                    # The body states what the title said: keep the body's wording.
                    found[at] = indicator
                    seen[key] = (at, False)
                    continue
                if found[at].name == name:
                    continue
            seen[key] = (len(found), s_start < body_start)
            found.append(indicator)
    return found


def _inside_mention(q: _Quantity, mentions: Sequence[Mention], starts: list[int]) -> bool:
    """A number inside an entity's name (光谷青才二十条, 12英寸…) is part of the name."""
    i = bisect.bisect_right(starts, q.start) - 1
    return any(m.start <= q.start < m.end for m in mentions[max(0, i - 3) : i + 1])
