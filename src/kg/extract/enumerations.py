"""Enumerations: normalized text and earlier candidates in; industries named in lists out
(`kg_enumerations`).

News names industries in lists: 聚焦半导体、光子技术和商业航天三大产业; 覆盖新材料、生物医药等
领域. A list whose closing words say what its items are (等产业/领域/行业, 三大产业, …产业集群)
makes each item an Industry; so does a list in which most items are industries already found (by
the gazetteer or by a head word), which then types the rest alike.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.candidates import Candidate, candidates
from kg.extract.lexicon import cue
from kg.extract.patterns import left_edge, trim_front
from kg.extract.tokenizer import text_of, words_of

COMPONENT = "kg_enumerations"
_NAME = r"[\u4e00-\u9fffA-Za-z0-9+“”]"
# A run of items separated by 、 (the last may hold 和/及/与 and a closing phrase).
# (Found as runs of name characters and 、, which the regex engine scans in one pass.)
_RUN = re.compile(rf"(?:{_NAME}|、)+")
_LIST = re.compile(rf"{_NAME}{{2,30}}(?:、{_NAME}{{1,30}})+")
_LAST_JOIN = re.compile(r"(.+?)(?:以及|和|及|与)(.+)$")
_MIDDLE_JOIN = re.compile(r"(.+?)(?:以及|和)(.+)$")
# Words after a list that say its items are industries or technology fields: 等领域, 三大产业,
# 等新兴产业, 四个万亿级产业集群, 的研发. (Not 等方向: news writes it after places, 在A、B等方向.)
_CLOSERS = re.compile(rf"等?{_NAME}{{0,6}}?(?:产业集群|产业链|产业|行业|领域|赛道|技术)|的研发")
_MAX_INDUSTRY = 14
# Words after a list that say its items are companies: 等一批龙头企业, 等企业.
_COMPANY_CLOSER = re.compile(
    r"等(?:一批|多家|众多|[一二三四五六七八九十\d]+[多余]?家)?[\u4e00-\u9fff]{0,4}?(?:企业|公司)"
)
# Words after a list that say its items are parts of an area: 等新建片区, 等三个组团.
_AREA_CLOSER = re.compile(r"等(?:[一二三四五六七八九十\d]+个)?[\u4e00-\u9fff]{0,3}?(?:片区|组团)")
# A last item that ends like an industry (…消费品产业链) types the list too.
_INDUSTRY_END = re.compile(r"(?:产业链|产业集群|产业)$")


@cache
def _stop_words() -> frozenset[str]:
    return cue("function") | cue("verb") | cue("industry_generic")


@cache
def _lead_verbs() -> frozenset[str]:
    """Verbs before a list of industries: 聚焦…, 布局…, 发展…"""
    return cue("industry_verb") | frozenset(
        {"瞄准", "围绕", "覆盖", "涵盖", "深耕", "打造", "加快"}
    )


def _final_end(text: str, words: list[str], starts: list[int], begin: int, end: int) -> int:
    """Where the last item of a list ends: before 等, a numeral or a word that is no name."""
    cut = text.find("等", begin, end)
    if cut >= 0:
        return cut
    stops = _stop_words()
    i = bisect_right(starts, begin) - 1
    pos = begin
    while 0 <= i < len(words) and starts[i] < end:
        word = words[i]
        joins = word in ("和", "及", "与", "以及") and pos > begin
        if starts[i] >= begin and not joins and (word in stops or _NUMERAL.fullmatch(word)):
            break
        pos = min(end, starts[i + 1])
        i += 1
    return pos


_NUMERAL = re.compile(r"[一二三四五六七八九十百千万两几多\d]+[大个类项条]?.*")


def _list_items(
    text: str, words: list[str], starts: list[int], begin: int, end: int
) -> tuple[list[tuple[int, int]], bool]:
    """The items of the list text[begin:end] and whether closing words type them."""
    spans: list[tuple[int, int]] = []
    last = begin
    for i in range(begin, end):
        if text[i] == "、":
            # 及 inside an item before the last is part of it (催化及助剂材料); 和, 以及 join.
            spans.extend(_split_joined(text, last, i, _MIDDLE_JOIN))
            last = i + 1
    final_end = _final_end(text, words, starts, last, end)
    closer = _CLOSERS.match(text, final_end)
    if closer is not None and not _plain_closer(closer.group()):
        closer = None
    closer = closer or _INDUSTRY_END.search(text, last, final_end)
    spans.extend(_split_joined(text, last, final_end))
    return [(a, b) for a, b in spans if b > a], closer is not None


# Tags of words that end a noun phrase: 厂房、电力等要素向优势产业集聚: the industry
# word after 向具备 is not the head of the list (资源 is).
_CLAUSE_TAGS = frozenset({"p", "c", "u"})


def _plain_closer(closing: str) -> bool:
    """Whether the words after a list are one noun phrase ending in its head (等新兴产业), not a
    new clause that merely reaches an industry word (等资源向具备产业…)."""
    if closing.startswith("的"):
        return True
    import rjieba

    from kg.extract.patterns import tag_of

    return not any(tag_of(w) in _CLAUSE_TAGS for w in rjieba.cut(closing.lstrip("等")))


def _split_joined(
    text: str, start: int, end: int, join: re.Pattern[str] | None = None
) -> list[tuple[int, int]]:
    """An item, or two where 和/及/与/以及 joins them (A和B)."""
    joined = (join or _LAST_JOIN).match(text, start, end)
    if joined:
        return [(start, joined.end(1)), (joined.start(2), end)]
    return [(start, end)]


def find_listed(
    text: str, words: list[str], starts: list[int], known: list[Candidate]
) -> list[Candidate]:
    industry_at = {(c.start, c.end) for c in known if c.type == "Industry"}
    # characters inside a candidate of another type (an item overlapping one is no industry)
    other_types = bytearray(len(text) + 1)
    for c in known:
        if c.type != "Industry" and c.end > c.start:
            other_types[c.start : c.end] = b"\x01" * (c.end - c.start)
    stop = _stop_words()
    found: list[Candidate] = []
    for m in _lists(text):
        first_sep = text.index("、", m.start())
        # The first item starts where a name before the first separator would start.
        begin = max(m.start(), left_edge(text, words, starts, first_sep, _MAX_INDUSTRY, "Industry"))
        spans, closed = _list_items(text, words, starts, begin, m.end())
        companies = _closed_list(text, spans, _COMPANY_CLOSER, "Enterprise", 0.7, 10)
        if companies and _kinds_of_company(words, starts, spans, industry_at):
            # 聚集了A材料、B制造等10多家企业: industries that say what the companies make
            closed, companies = True, []
        if companies:
            found.extend(companies)
            continue
        areas = _closed_list(text, spans, _AREA_CLOSER, "Zone", 0.65, 8)
        if areas:
            found.extend(areas)
            continue
        items = [_trim(text, a, b, words, starts, stop) for a, b in spans]
        items = [(trim_front(text, words, starts, a, b), b) for a, b in items]
        items = [(a, b) for a, b in items if 2 <= b - a <= _MAX_INDUSTRY]
        if len(items) < 2:
            continue
        known_count = sum(1 for span in items if span in industry_at)
        lead = text[max(0, begin - 3) : begin]
        led = known_count >= 1 and any(lead.endswith(v) for v in _lead_verbs())
        if not closed and not led and known_count * 2 < len(items):
            continue
        for a, b in items:
            if other_types.find(1, a, b) >= 0:
                continue
            if (a, b) not in industry_at and (
                _not_a_field(text[a:b]) or text[a:b] in cue("not_industry")
            ):
                continue
            found.append(Candidate(a, b, "Industry", COMPONENT, 0.8 if closed else 0.65))
    return found


def _lists(text: str) -> list[re.Match[str]]:
    """Lists A、B、C: runs of name characters that hold a 、, each searched for the list form."""
    found: list[re.Match[str]] = []
    for run in _RUN.finditer(text):
        if "、" in run.group():
            found.extend(_LIST.finditer(text, run.start(), run.end()))
    return found


def _closed_list(
    text: str,
    spans: list[tuple[int, int]],
    closer: re.Pattern[str],
    etype: str,
    confidence: float,
    longest: int,
) -> list[Candidate]:
    """The items of a list whose closing words (`closer`, right after the last item) say what
    they are: 星澜微电、云帆汽车等一批龙头企业 (companies), 东湾、西岭等新建片区 (the parts of
    an area)."""
    if not spans or not closer.match(text, spans[-1][1]):
        return []
    return [
        Candidate(a, b, etype, COMPONENT, confidence)
        for a, b in spans
        if 2 <= b - a <= longest and not _not_a_field(text[a:b])
    ]


def _kinds_of_company(
    words: list[str],
    starts: list[int],
    spans: list[tuple[int, int]],
    industry_at: set[tuple[int, int]],
) -> bool:
    """Whether the items of a list closed by 等…企业 say what the companies make: one is an
    industry already found and the others are compounds of common words (no coined or proper
    word, as a company's short name has: 星澜微电)."""
    from kg.extract.patterns import common_words_only

    known = [span in industry_at for span in spans]
    return any(known) and all(
        k or common_words_only(words, starts, a, b) for k, (a, b) in zip(known, spans, strict=True)
    )


def _not_a_field(item: str) -> bool:
    """A verb or adverb of the dictionary (谋划, 生产) is no industry."""
    from kg.extract.patterns import tag_of

    return tag_of(item) in ("v", "vn", "d", "ad", "a", "t", "r", "m")


def _trim(
    text: str, a: int, b: int, words: list[str], starts: list[int], stop: frozenset[str]
) -> tuple[int, int]:
    """An item without a leading verb or function word (a list item is a bare noun phrase)."""
    i = bisect_right(starts, a) - 1
    while i < len(words) and starts[i] < b and words[i] in stop:
        a = starts[i + 1]
        i += 1
    return a, b


@Language.factory(COMPONENT)
def make_list_reader(nlp: Language, name: str) -> object:
    def listed(doc: Doc) -> Doc:
        words, starts = words_of(doc)
        found = candidates(doc)
        found.extend(find_listed(text_of(doc), words, starts, found))
        return doc

    return listed
