"""Names by head word: the doc's words in; candidates for names that end in a head word out
(`kg_patterns`).

A Chinese name of a zone, body, company, programme or document ends in a word that says what it
is (…高新区, …管委会, …有限公司, …杯, …办法; data/head_words.csv). Its other end is found by
walking back over the words before the head while they can be part of a name: the walk stops at
punctuation, at a function word (的, 在, 由…), at a numeral with a measure word (三大), at a
governing verb (举办, 支持, 聚焦… data/extract_cues.csv) unless verbs lead straight into the head
(人才发展中心, 转移转化示范区), and at a length limit for the type. A quoted stretch (“长安芯火杯”)
or a short parenthesis (（滨江）) inside the name is kept. Ordinals in front (第五届, 本届) are
dropped, and a head with nothing before it, or only generic words (国家级高新区, 该公司), is no
name.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from typing import Any

import ahocorasick_rs
import rjieba
from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.candidates import Candidate, candidates
from kg.extract.lexicon import cue, head_words
from kg.extract.tokenizer import text_of, words_of
from kg.memo import bounded_cache

COMPONENT = "kg_patterns"

# How far back (characters) a name of each type may reach from its head.
MAX_MODIFIER = {
    "Zone": 14,
    "Organization": 18,
    "Enterprise": 14,
    "Programme": 16,
    "PolicyDocument": 30,
    "Industry": 8,
}
_NAME_BEFORE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9·+\-”’」）)]")
_NAME_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z0-9·+\-]+")
_NUMERAL_WORD = re.compile(r"[一二三四五六七八九十百千万两几多数\d]+[大个类项条家批种项只]?")
_ORDINAL = re.compile(
    r"(?:第[一二三四五六七八九十百零\d]+[届次期批]|首届|本届|历届|往届|上届|下届)"
)
# Function characters that also serve in names (曦和, 华与).
_NAME_FUNCTION_CHARS = frozenset("和与")
_OPEN_FOR = {"”": "“", "’": "‘", "」": "「", "）": "（", ")": "("}
_QUOTE_MARKS = re.compile(r"[“”‘’「」]")
_OPENING_QUOTE = re.compile(r"[“「‘]")
# Heads of these types must end where a word ends: 产业化 is no 产业.
_WORD_END_TYPES = frozenset(
    {"Industry", "Programme", "PolicyDocument", "Organization", "Enterprise"}
)


@dataclass(frozen=True)
class _Lexicon:
    heads: dict[str, str]
    # the heads, found leftmost-longest without overlaps (as a longest-first regex alternation
    # would find them, at a fifth of its cost)
    head_automaton: Any
    head_list: tuple[str, ...]
    function: frozenset[str]
    verbs: frozenset[str]
    industry_stops: frozenset[str]
    generic: frozenset[str]
    industry_generic: frozenset[str]
    stops: frozenset[str]
    weak_heads: frozenset[str]
    industry_verbs: frozenset[str]
    document_verbs: frozenset[str]


@cache
def _lexicon() -> _Lexicon:
    # One-character heads that the gazetteer itself doubts (…月, …周, …谷) find more common
    # words than names.
    heads = {
        h.head: h.type
        for h in head_words()
        if len(h.head) > 1
        or h.priority > _WEAK_PRIORITY - 10
        or (h.type == "Organization" and h.priority >= _WEAK_PRIORITY - 10)
    }
    weak = frozenset(h.head for h in head_words() if h.priority <= _WEAK_PRIORITY)
    other_heads = frozenset(h for h, t in heads.items() if t not in ("Industry",))
    return _Lexicon(
        heads=heads,
        head_automaton=ahocorasick_rs.AhoCorasick(
            list(heads), matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
        ),
        head_list=tuple(heads),
        function=cue("function"),
        verbs=cue("verb"),
        industry_stops=cue("industry_verb") | other_heads,
        generic=cue("generic") | cue("function") | frozenset(heads),
        industry_generic=cue("industry_generic") | cue("function"),
        stops=cue("title") | cue("category"),
        weak_heads=cue("weak_head") | weak,
        industry_verbs=cue("industry_verb"),
        document_verbs=cue("document_verb") | cue("function"),
    )


@bounded_cache
def _is_dictionary_word(word: str) -> bool:
    return bool(rjieba.has_word(word))


def _is_verb(word: str, verbs: frozenset[str]) -> bool:
    return word in verbs or (len(word) > 2 and (word[-2:] in verbs or word[:2] in verbs))


def left_edge(
    text: str,
    words: list[str],
    starts: list[int],
    head_start: int,
    limit: int,
    etype: str = "Zone",
) -> int:
    """Where a name of `etype` that ends in the head at `head_start` begins (head_start: none).

    A verb of the dictionary ends the walk unless verbs lead straight into the head; when the
    walk past such a verb reaches a known name (中国科学院空间应用技术济南研究院), the name
    begins there instead.
    """
    strict, verb_stop = _walk(text, words, starts, head_start, limit, etype, stop_at_verbs=True)
    if verb_stop and etype in ("Organization", "Zone", "Programme"):
        loose = _walk(text, words, starts, head_start, limit, etype, stop_at_verbs=False)[0]
        if loose < strict:
            i = bisect_right(starts, loose) - 1
            if (
                0 <= i < len(words)
                and starts[i] == loose
                and known_type(words[i]) == "Organization"
            ):
                return loose
    return strict


# Modifiers of industry names that jieba tags as time words (t), which end other names.
_INDUSTRY_MODIFIERS = frozenset({"新一代", "下一代", "现代", "未来"})
# A word that begins with a numeral (三季度, 一批); 零 of 零件 is none here.
_NUMERAL_START = re.compile(r"[一二三四五六七八九十百千万两几多数\d]")

# Documents that news cites by a fixed name without 《》: the report to a Party congress (党的
# 十九大报告).
_CITED_DOCUMENTS = re.compile(r"党的[一二三四五六七八九十]{1,3}大报告")
# Company heads that common nouns before them make a description, not a name (矿业公司).
_DESCRIBED_HEADS = frozenset({"公司"})
_COUNTRY_GROUP = re.compile(r"[二三四五六七八九十]+国")

# What one word does to a walk back from a head (`_verdict`).
_NOMINAL, _VERB, _BREAK, _CUT_FIRST, _FUNCTION = range(5)


@bounded_cache
def _verdict(word: str, etype: str) -> int:
    """Whether `word` can stand inside a name of `etype` before its head: as a noun, as a verb
    (only right before the head), not at all, or after its first character (由青梧)."""
    lex = _lexicon()
    function_words = lex.function
    document = etype == "PolicyDocument"
    if not _NAME_WORD.fullmatch(word):
        return _BREAK
    if _NUMERAL_WORD.fullmatch(word) and not (etype == "Programme" and len(word) > 1):
        return _BREAK
    if word in function_words:
        return _FUNCTION
    if len(word) > 1 and not _is_dictionary_word(word):
        # 由青梧, 周在: the segmenter glued a function word to an unknown name.
        if word[0] in function_words:
            return _CUT_FIRST
        if word[-1] in function_words:
            return _BREAK
    elif len(word) == 2 and word[0] in function_words:
        return _BREAK
    if word in lex.stops or word[:2] in function_words:
        return _BREAK
    if document:
        if word in lex.document_verbs:
            return _BREAK
    elif _is_verb(word, lex.verbs):
        return _BREAK
    kind = known_type(word)
    if etype == "Industry" and kind in ("Place", "Zone", "Organization"):
        return _BREAK
    tag = _tag_of(word)
    if word in _LEVEL_WORDS:
        tag = "n"
    elif kind in ("Place", "Zone", "Organization"):
        tag = "ns"
    elif word in lex.industry_verbs:
        tag = "v"
    if etype == "Industry" and (
        word in _INDUSTRY_MODIFIERS or (tag == "mq" and not _NUMERAL_START.match(word))
    ):
        # 新一代|信息技术, 现代|农业: words jieba tags as times; 机床|零部件 (tagged as a
        # numeral with a measure word for its 零): no numeral
        return _NOMINAL
    if tag in _BREAKING_TAGS and not (etype == "Programme" and tag in ("m", "mq")):
        return _BREAK
    if etype == "Industry" and (word in lex.industry_stops or _is_verb(word, lex.industry_stops)):
        return _BREAK
    if tag == "v" and not document:
        return _VERB
    return _NOMINAL


def _walk(
    text: str,
    words: list[str],
    starts: list[int],
    head_start: int,
    limit: int,
    etype: str,
    *,
    stop_at_verbs: bool,
) -> tuple[int, bool]:
    """Where the walk back from the head stops, and whether a verb stopped it."""
    lex = _lexicon()
    function_words = lex.function
    i = bisect_right(starts, head_start - 1) - 1
    pos = head_start
    verbs_only = True
    document = etype == "PolicyDocument"
    while i >= 0 and head_start - starts[i] <= limit:
        word = text[starts[i] : pos]
        opener = _OPEN_FOR.get(word[-1:]) if word else None
        if opener:
            # A short quoted or bracketed stretch inside a name: “长安芯火杯”…, …（滨江）…
            open_at = text.rfind(opener, max(0, pos - 42), pos - 1)
            inner = text[open_at + 1 : pos - 1] if open_at >= 0 else ""
            if not inner or not _NAME_WORD.fullmatch(inner.replace("、", "")):
                break
            if opener in "（(" and (pos != head_start and len(inner) > 6):
                break
            if len(inner) > 16 and (etype != "Programme" or pos != head_start):
                break
            # The quoted or bracketed characters do not count against the limit.
            limit += len(inner) + 2
            pos = open_at
            i = bisect_right(starts, pos - 1) - 1
            continue
        if document and word == "的" and pos != head_start:
            pos = starts[i]
            i -= 1
            continue
        verdict = _verdict(word, etype)
        if verdict == _FUNCTION:
            # 曦|和 光子: a name's character that the segmenter split off, no function word;
            # 规模和效益双提升行动: 和 inside a programme's or body's name.
            lone_before = i > 0 and len(words[i - 1]) == 1 and _NAME_WORD.fullmatch(words[i - 1])
            left = words[i - 1] if i > 0 else ""
            joined = (
                word == "和"
                and etype in ("Programme", "Organization")
                and pos != head_start
                and len(left) >= 2
                and left not in lex.stops
                and left[-2:] not in lex.stops  # 局长和…: a title ends the name before
                and not left.endswith(tuple(lex.heads))
                and _tag_of(left) in ("n", "vn", "nz")
            )
            if not (
                word in _NAME_FUNCTION_CHARS
                and (joined or (lone_before and words[i - 1] not in function_words))
            ):
                break
            pos = starts[i]
            i -= 1
            continue
        if verdict == _BREAK:
            break
        if verdict == _CUT_FIRST:
            pos = starts[i] + 1
            break
        if verdict == _VERB:
            # A verb right before the head can be part of the name (转移转化示范区); one further
            # back governs the name (位居…经开区).
            if stop_at_verbs and not verbs_only:
                return pos, True
        else:
            verbs_only = False
        pos = starts[i]
        i -= 1
    return pos, False


def find_named(text: str, words: list[str], starts: list[int]) -> list[Candidate]:
    """Candidates for names ending in a head word."""
    lex = _lexicon()
    boundaries = set(starts)
    found: list[Candidate] = []
    heads = lex.heads
    head_list = lex.head_list
    found.extend(
        Candidate(m.start(), m.end(), "PolicyDocument", COMPONENT, 0.8, priority=2)
        for m in _CITED_DOCUMENTS.finditer(text)
    )
    for index, head_start, head_end in lex.head_automaton.find_matches_as_indexes(text):
        if head_start == 0 or not _NAME_BEFORE.match(text, head_start - 1):
            continue  # nothing a name could be made of before the head
        head = head_list[index]
        etype = heads[head]
        if head_start not in boundaries:
            # 格局 is no …局: a head inside a short dictionary word is part of that word
            # (a long one that ends in the head is a name: 西安交通大学).
            i = bisect_right(starts, head_start) - 1
            word = words[i] if 0 <= i < len(words) else ""
            whole = starts[i + 1] == head_end and len(word) - len(head) >= 2
            # a head that reaches past the word is no part of it (某某|科技股份|有限公司); an
            # industry head stays inside (特色产业|集群 is no 产业集群)
            within = i + 1 >= len(starts) or starts[i + 1] >= head_end or etype == "Industry"
            if _is_dictionary_word(word) and within and not whole:
                continue
        if etype in _WORD_END_TYPES and head_end not in boundaries and head_end < len(text):
            nxt = text[head_end]
            rest = _rest_of_word(words, starts, head_end)
            if (
                "\u4e00" <= nxt <= "\u9fff"
                and text[head_end : head_end + 3] not in lex.heads
                and rest not in lex.stops  # 市委|书记 in 市委书记: a body and a title
            ):
                continue
        limit = MAX_MODIFIER.get(etype, 12)
        start = left_edge(text, words, starts, head_start, limit, etype)
        launched = False
        if etype == "Programme" and head in _LAUNCHED_HEADS:
            after_verb = _after_launch_verb(text, words, starts, head_start, limit)
            if after_verb is not None and after_verb <= start:
                start, launched = after_verb, True
        ordinal = _ORDINAL.match(text, start, head_start)
        if ordinal:
            start = ordinal.end()
        generic = lex.industry_generic if etype == "Industry" else lex.generic
        if etype == "Industry":
            start = _skip_words(words, starts, start, head_start, generic)
            start = _skip_single_characters(text, words, starts, start, head_start, head_end)
            if _adjective_only(words, starts, start, head_start) and not known_type(
                text[start:head_end]
            ):
                continue
        if etype in _TITLE_TYPES and _verb_use(text, words, starts, head_end):
            continue
        if etype != "PolicyDocument":
            start = _skip_leading_verbs(words, starts, start, head_start)
        while start < head_start and text[start] in "“‘「（(":
            start += 1
        if start >= head_start:
            continue
        start = _trim_glued_front(text, words, starts, start, head_start, head_end)
        modifier = _QUOTE_MARKS.sub("", text[start:head_start])
        if _RANK.search(modifier) or _QUALITY.match(modifier):
            continue
        if (
            len(head) == 1
            and etype == "Organization"
            and not _department_head(text, words, starts, boundaries, start, head_start)
        ):
            continue  # 局, 委, 署 alone: only after a place or zone (某市科技创新局), not 格局
        if etype == "Zone" and text[start - 1 : start] == "等" and _one_word(words, starts, start):
            continue  # A、B等新建片区: the kind of the listed areas, no name
        if _generic_only(modifier, words, starts, start, head_start, generic):
            continue
        if etype in _TITLE_TYPES and known_type(modifier) == "Place":
            continue  # 河南计划…: a place and a head that is also a verb
        if etype == "Enterprise" and (
            _COUNTRY_GROUP.fullmatch(modifier)
            or (head in _DESCRIBED_HEADS and _common_words_only(words, starts, start, head_start))
        ):
            continue  # 保险公司, 材料公司: a kind of company; 七国集团: a group of countries
        weak = head in lex.weak_heads or (
            etype in _TITLE_TYPES and len(modifier) < _TITLE_LENGTH and not _DIGIT.search(modifier)
        )
        if (
            weak
            and not launched
            and not _has_proper_word(
                text, words, starts, start, head_start, coined_only=etype == "Enterprise"
            )
        ):
            continue
        found.append(Candidate(start, head_end, etype, COMPONENT, 0.7, priority=1))
    return found


# Heads of programmes that a government launches or wins under a descriptive name (实施…培育计划,
# 获批…改革试点); events (…活动, …路演) after 举办/开展 are often no names.
_LAUNCHED_HEADS = frozenset({"计划", "工程", "行动", "行动计划", "专项行动", "试点", "专项"})


@cache
def _launch_words() -> tuple[frozenset[str], frozenset[str]]:
    """The verbs that launch or win a programme, and the words no programme's name holds."""
    verbs = cue("programme_context") | cue("programme_won")
    return verbs, _lexicon().function | frozenset("和与及或、")


def _after_launch_verb(
    text: str, words: list[str], starts: list[int], head_start: int, limit: int
) -> int | None:
    """Where a programme's name begins when a verb that launches or wins one (实施, 启动, 获批,
    举办… data/extract_cues.csv role programme_context) stands before it in the same phrase:
    the words in between are its name, verbs among them too (实施|青苗企业培育|计划, 获批|
    近海养殖管理改革|试点). None when no such verb is near or a clause, a list or a 的 comes
    between."""
    verbs, stops = _launch_words()
    i = bisect_right(starts, head_start - 1) - 1
    while i >= 0 and head_start - starts[i] <= limit:
        word = words[i]
        if word in verbs or (len(word) > 2 and word[-2:] in verbs):
            begin = starts[i] + len(word)
            return begin if head_start - begin >= 2 else None
        if word in stops or not _NAME_WORD.fullmatch(word):
            return None
        i -= 1
    return None


def _rest_of_word(words: list[str], starts: list[int], offset: int) -> str:
    """The part of the word that holds `offset` from there on."""
    i = bisect_right(starts, offset) - 1
    if not 0 <= i < len(words):
        return ""
    return words[i][offset - starts[i] :]


def trim_front(text: str, words: list[str], starts: list[int], start: int, end: int) -> int:
    """Where an industry named by text[start:end] begins: past verbs and lone characters in
    front (卖|装备, 面向|新材料), unless the gazetteer knows the whole."""
    if known_type(text[start:end]):
        return start
    lex = _lexicon()
    start = _skip_words(words, starts, start, end, lex.verbs | lex.industry_verbs)
    return _skip_single_characters(text, words, starts, start, end, end)


def common_words_only(words: list[str], starts: list[int], start: int, end: int) -> bool:
    """Whether text[start:end] is all words of the dictionary that name no place or person."""
    return _common_words_only(words, starts, start, end)


def _common_words_only(words: list[str], starts: list[int], start: int, end: int) -> bool:
    """Whether text[start:end] is all words of the dictionary that name no place or person
    (two single characters in a row are a coined name the segmenter split: 洺|源)."""
    i = bisect_right(starts, start) - 1
    single = False
    while 0 <= i < len(words) and starts[i] < end:
        word = words[i]
        if not _is_dictionary_word(word) or _is_proper_word(word) or _is_known_name(word):
            return False
        if len(word) == 1 and single:
            return False
        single = len(word) == 1
        i += 1
    return True


def _one_word(words: list[str], starts: list[int], start: int) -> bool:
    """Whether a single word of the dictionary stands before the head at `start`'s next word."""
    i = bisect_right(starts, start) - 1
    return (
        0 <= i < len(words) - 1
        and starts[i] == start
        and _is_dictionary_word(words[i])
        and _lexicon().heads.get(words[i + 1]) is not None
    )


def _trim_glued_front(
    text: str, words: list[str], starts: list[int], start: int, end: int, head_end: int
) -> int:
    """A name does not begin with a lone verb or measure word that the segmenter left over or
    glued to it: 这|座 崭新…科技 (the walk cut 这 and kept 座), 迁 驻滨海 新区 (驻 glued to the
    place 滨海)."""
    i = bisect_right(starts, start) - 1
    if not 0 <= i < len(words) - 1:
        return start
    nxt = starts[i + 1]
    if start > starts[i] and nxt - start == 1 and nxt < end:
        if _tag_of(text[start]) in _LONE_JUNK_TAGS:
            return nxt
        return start
    word = words[i]
    if (
        start == starts[i]
        and len(word) >= 3
        and nxt <= end
        and not _is_dictionary_word(word)
        and _tag_of(word[0]) in _LONE_JUNK_TAGS
        and (_is_known_name(word[1:]) or _is_known_name(text[start + 1 : head_end]))
    ):
        return start + 1
    return start


def _skip_leading_verbs(words: list[str], starts: list[int], start: int, end: int) -> int:
    """A name does not begin with a verb (位居全国…, 享受…): skip such words in front."""
    i = bisect_right(starts, start) - 1
    while 0 <= i < len(words) and starts[i] == start and starts[i + 1] <= end:
        word = words[i]
        lone = len(word) == 1 and _tag_of(word) in _LONE_JUNK_TAGS
        if _tag_of(word) not in ("v", "vd") and not lone:
            break
        start = starts[i + 1]
        i += 1
    return start


def _skip_words(
    words: list[str], starts: list[int], start: int, end: int, skip: frozenset[str]
) -> int:
    """`start` moved past the words in `skip` at the front of text[start:end]."""
    i = bisect_right(starts, start) - 1
    while 0 <= i < len(words) and starts[i] == start and start < end and words[i] in skip:
        start = starts[i + 1]
        i += 1
    return start


# jieba's dictionary tags of words that never stand inside a name: adverbs, prepositions,
# conjunctions, particles, pronouns, numerals, measure words, time and direction words.
_BREAKING_TAGS = frozenset(
    {
        "d",
        "p",
        "c",
        "u",
        "uj",
        "ul",
        "uz",
        "ug",
        "uv",
        "ud",
        "r",
        "m",
        "mq",
        "q",
        "t",
        "f",
        "y",
        "e",
    }
)


def tag_of(word: str) -> str:
    """jieba's dictionary tag of a word ('' for a word it does not know)."""
    return _tag_of(word)


@bounded_cache
def _tag_of(word: str) -> str:
    """jieba's dictionary tag of a word ('' for a word it does not know)."""
    if not _is_dictionary_word(word):
        return ""
    tags = rjieba.tag(word)
    return str(tags[0][1]) if len(tags) == 1 else ""


# A programme or document needs a proper word, a quote or a number before its head, or a
# longer title (创新创业赛会活动 is a kind of event, 科技企业规模和效益双提升行动 one).
_TITLE_TYPES = frozenset({"Programme", "PolicyDocument"})
_TITLE_LENGTH = 7
# A number in a title (十四五规划, 双提升行动, 2023年行动), not a numeral character inside a word
# (统一部署, 一流, 一体化).
_DIGIT = re.compile(
    r"[0-9]|[一二两三四五六七八九十百千万]{2,}|[二两三四五六七八九十百千万][大个项条届次期批年]"
)
# A rank inside a phrase makes it a description, not a name (全省第一个…试点, 全国首个…园区).
_RANK = re.compile(r"第[一二三四五六七八九十百\d]+[个家位批]|首个|首家|唯一一?[个家]")
# A goal described by its rank is no name (建成世界一流高科技园区, 打造世界级产业集群, 国内领先的
# 创新中心).
_QUALITY = re.compile(
    r"(?:世界|国际|国内|全国|全球|全省|全市|国际国内)?(?:一流|领先|顶尖|知名)|世界级|全球性|国际性"
)
# Heads of this priority or less need a proper word before them (…中心, …科技).
_WEAK_PRIORITY = 60
# Level words that join a place to a name (自治区级…示范区).
_LEVEL_WORDS = frozenset({"级"})


@bounded_cache
def known_type(word: str) -> str:
    """The type the gazetteer gives a word first ('' for a word it does not know)."""
    from kg.gazetteer import surface_forms

    forms = surface_forms().get(word)
    return forms[0].type if forms else ""


def _department_head(
    text: str,
    words: list[str],
    starts: list[int],
    boundaries: set[int],
    start: int,
    head_start: int,
) -> bool:
    """Whether a one-character head (局, 委) at `head_start` ends a department's name: it ends
    a word or comes before a title (…局|局长), is no title's last character (市委常委), and
    the name begins with a known place or zone."""
    head_end = head_start + 1
    stops = _lexicon().stops
    if text[head_start - 1 : head_end] in stops:
        return False
    if head_end not in boundaries and not (
        head_start in boundaries and _rest_of_word(words, starts, head_end) in stops
    ):
        return False
    return _place_stem(text, start, head_start)


def _place_stem(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] begins with a place, zone or body the gazetteer knows, followed by
    more (a one-character department head needs one: 某市|科技创新|局)."""
    return any(_is_known_name(text[start:cut]) for cut in range(start + 2, min(end, start + 12)))


def _is_known_name(word: str) -> bool:
    """A word the gazetteer knows as a place, zone or body (包头, whatever jieba tags it)."""
    return known_type(word) in ("Place", "Zone", "Organization")


_PROPER_TAGS = frozenset({"ns", "nr", "nrt", "nt", "eng"})


@bounded_cache
def _is_proper_word(word: str) -> bool:
    """A place, a name, an abbreviation, or a word the dictionary does not know (雄安)."""
    if not _is_dictionary_word(word):
        if len(word) == 1:
            return not ("\u4e00" <= word <= "\u9fff")
        # A coined word (芯衡) has characters the dictionary knows only alone; a compound of
        # known words (工程技术) is no name.
        return len(word) <= 3 and all(len(piece) == 1 for piece in rjieba.cut(word, False))
    return any(tag in _PROPER_TAGS for _, tag in rjieba.tag(word))


def _has_proper_word(
    text: str, words: list[str], starts: list[int], start: int, end: int, *, coined_only: bool
) -> bool:
    """True when text[start:end] holds a proper word or a quoted stretch.

    With `coined_only`, only a word the dictionary does not know counts (芯衡科技 is a
    company, 北京科技 is not).
    """
    if _OPENING_QUOTE.search(text, start, end):
        return True
    i = bisect_right(starts, start) - 1
    while 0 <= i < len(words) and starts[i] < end:
        word = words[i]
        if _is_proper_word(word) and not (coined_only and _is_dictionary_word(word)):
            return True
        i += 1
    return False


# A lone character of these kinds does not begin a name (座|产业园, 驻|雄安新区).
_LONE_JUNK_TAGS = frozenset({"v", "q", "f", "p", "d", "m", "r", "c", "u", "uj"})
# Adjectives and the like that make no industry of a head alone (大产业, 新兴产业, 现代化产业).
_ADJECTIVE_TAGS = frozenset({"a", "ad", "an", "b", "d", "v", "vn", "t", "z"})
# After a programme's or document's head, these show the head used as a verb (河南计划建设…,
# 福州决定…): a verb, a time, a numeral, an adverb, a preposition.
_VERB_USE_TAGS = frozenset({"v", "vn", "t", "m", "mq", "d", "p", "r"})


def _adjective_only(words: list[str], starts: list[int], start: int, end: int) -> bool:
    i = bisect_right(starts, start) - 1
    if not (0 <= i < len(words) and starts[i] == start and starts[i + 1] == end):
        return False
    return len(words[i]) == 1 or _tag_of(words[i]) in _ADJECTIVE_TAGS


def _verb_use(text: str, words: list[str], starts: list[int], head_end: int) -> bool:
    i = bisect_right(starts, head_end) - 1
    if not (0 <= i < len(words) and starts[i] == head_end):
        return False
    return _tag_of(words[i]) in _VERB_USE_TAGS or _NUMERAL_WORD.fullmatch(words[i]) is not None


def _skip_single_characters(
    text: str, words: list[str], starts: list[int], start: int, head_start: int, head_end: int
) -> int:
    """An industry does not begin with a lone character (强|绿色产业链, 座|老工业)."""
    i = bisect_right(starts, start) - 1
    while (
        0 <= i < len(words)
        and starts[i] == start
        and start < head_start
        and len(words[i]) == 1
        and not known_type(text[start:head_end])
    ):
        start = starts[i + 1]
        i += 1
    return start


def _generic_only(
    modifier: str,
    words: list[str],
    starts: list[int],
    start: int,
    end: int,
    generic: frozenset[str],
) -> bool:
    """True when the words before the head are all generic (国家级, 各类, 该…)."""
    if modifier in generic or (len(modifier) < 2 and not modifier.isalnum()):
        return True
    i = bisect_right(starts, start) - 1
    while i < len(words) and starts[i] < end:
        if words[i] not in generic:
            return False
        i += 1
    return True


@Language.factory(COMPONENT)
def make_name_patterns(nlp: Language, name: str) -> object:
    def named(doc: Doc) -> Doc:
        words, starts = words_of(doc)
        candidates(doc).extend(find_named(text_of(doc), words, starts))
        return doc

    return named
