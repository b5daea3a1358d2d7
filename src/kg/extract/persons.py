"""Persons: normalized text in; candidate person names out (`kg_persons`).

A person is a family name of 百家姓 (data/surnames.txt) and one or two given-name characters,
found where Chinese news names people: right after a role title (…主任唐峻, 教授方砚秋) or right
before a verb of speech (罗知远告诉记者, 唐峻表示). Once found, every other use of the same name in
the article is a mention too.
"""

from __future__ import annotations

import re
from functools import cache

import rjieba
from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.candidates import Candidate, candidates
from kg.extract.lexicon import alternation, cue, surnames
from kg.extract.tokenizer import text_of
from kg.memo import bounded_cache

COMPONENT = "kg_persons"
_HAN = "\u4e00-\u9fff"
# Characters that end a name: punctuation, white space, digits, latin.
_AFTER_NAME = re.compile(rf"[^{_HAN}]|$")


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], frozenset[str]]:
    """Anchors: a title before a name; a verb of speech (after an optional title) or a title
    written after a name, both right after the name."""
    titles = alternation(cue("title"))
    speech = alternation(cue("speech"))
    single, double = surnames()
    surname = "|".join(sorted(double, key=len, reverse=True)) + "|[" + "".join(sorted(single)) + "]"
    after_title = re.compile(rf"(?:{titles.pattern})((?:{surname})[{_HAN}]{{1,2}})")
    # The lookahead lets the engine pass over characters that start no title or speech verb
    # with one test (without it, every alternative is tried at every character).
    first = re.escape("".join(sorted({w[0] for w in cue("title") | cue("speech") if w})))
    before_speech = re.compile(rf"(?=[{first}])(?:{titles.pattern})?(?:{speech.pattern})")
    before_title = alternation(cue("title_after"))
    return after_title, before_speech, before_title, frozenset(cue("function"))


def _name_before(text: str, anchor: int) -> tuple[int, str] | None:
    """The longest family name and one or two given characters that end at `anchor`."""
    single, double = surnames()
    for size in (4, 3, 2):
        start = anchor - size
        if start < 0:
            continue
        name = text[start:anchor]
        family = 2 if name[:2] in double else (1 if name[0] in single else 0)
        if family and 1 <= size - family <= 2 and all("\u4e00" <= c <= "\u9fff" for c in name):
            return start, name
    return None


# Characters that do not occur in given names but often follow a name (of, at, is, said...).
_NOT_IN_GIVEN = frozenset("的了在是说等将也都就对把被从向为着过")


def _given_ok(given: str, function_words: frozenset[str]) -> bool:
    return not any(ch in _NOT_IN_GIVEN for ch in given)


@bounded_cache
def _name_enders(stop_words: frozenset[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """Words that can follow a name (speech verbs, titles, function words), and those of three
    characters or fewer."""
    speech = cue("speech") | cue("title") | stop_words
    return speech, tuple(w for w in speech if len(w) <= 3)


def _name_length(text: str, start: int, stop_words: frozenset[str]) -> int:
    """How long the name starting at `start` is: two characters or three (four for 欧阳某某)."""
    double = surnames()[1]
    family = 2 if text[start : start + 2] in double else 1
    speech, short_speech = _name_enders(stop_words)
    for given in (2, 1):
        end = start + family + given
        if end > len(text):
            continue
        follow = text[end : end + 2]
        ends_here = (
            _AFTER_NAME.match(text, end)
            or text[end : end + 1] in stop_words
            or follow in speech
            or text.startswith(short_speech, end)
            or (given == 2 and _is_word(follow))
        )
        if ends_here and _given_ok(text[start + family : end], stop_words):
            return family + given
    return 0


def _common_word(name: str) -> bool:
    """公司, 和企业: a dictionary word that is no person's name (jieba tags names nr)."""
    from kg.extract.patterns import tag_of

    if tag_of(name).startswith("nr"):
        return False
    return bool(rjieba.has_word(name))


# 美方, 乌方: "the US side", a country's abbreviation and 方, no family name and given name.
_SIDES = frozenset("中美俄乌巴日英法德以韩朝欧印伊越菲澳加土意西葡荷蒙")
# Characters that end a clause word rather than a name (报告还…, 国家副主席).
_NOT_LAST = frozenset("还与及并又也副")
# Tags of a two-character word that begins a clause, not a name (能够感到, 关于国…).
_CLAUSE_TAGS = frozenset({"v", "p", "d", "c", "ad", "r", "m", "f"})


def _no_name(name: str) -> bool:
    """Strings that the anchors find in news but that are no person's name."""
    from kg.extract.patterns import tag_of

    if len(name) == 2 and name[1] == "方" and name[0] in _SIDES:
        return True
    if len(name) == 3 and (name[-1] in _NOT_LAST or tag_of(name[:2]) in _CLAUSE_TAGS):
        return True
    if len(name) == 3 and name[-1] == "和" and _common_word(name[:2]):
        return True  # 关心和支持; 许立和 is a name
    return name[1:] in cue("title")


def _looks_like_place(name: str) -> bool:
    """包头行: a known place at the front makes no family name."""
    from kg.extract.patterns import known_type

    return any(known_type(name[:n]) in ("Place", "Zone") for n in (2, 3) if n < len(name))


@bounded_cache
def _is_word(text: str) -> bool:
    """A word of two characters or more that the dictionary knows (出席, 主持)."""
    return len(text) >= 2 and bool(rjieba.has_word(text))


def find_persons(text: str) -> list[Candidate]:
    """Person-name candidates of `text` (every use of each name found in a naming context)."""
    after_title, before_speech, before_title, function_words = _patterns()
    titles = tuple(cue("title"))
    names: dict[str, float] = {}
    for m in after_title.finditer(text):
        start = m.start(1)
        if text[start] in function_words or _is_word(text[max(0, start - 2) : start + 1]):
            continue  # 硕士和本科生, 博士后岗位: no name after these titles
        # the name is no longer than the Chinese characters the pattern found (柯岚，市委…)
        length = min(_name_length(text, m.start(1), function_words), len(m.group(1)))
        if length >= 2:
            name = text[m.start(1) : m.start(1) + length]
            names[name] = max(names.get(name, 0.0), 0.85)
    for anchors, confidence in ((before_speech, 0.8), (before_title, 0.7)):
        for m in anchors.finditer(text):
            found_name = _name_before(text, m.start())
            if found_name is None:
                continue
            start, name = found_name
            previous = text[start - 1] if start else ""
            # A name starts a clause; inside a word it is no name, unless a title precedes.
            inside_word = previous and "\u4e00" <= previous <= "\u9fff" and previous != "的"
            if inside_word and not text[max(0, start - 4) : start].endswith(titles):
                continue
            if name[0] in function_words and previous and "\u4e00" <= previous <= "\u9fff":
                continue  # 软件和硬件工程师说: 和 joins, it is no family name here
            if _given_ok(name[1:], function_words):
                names[name] = max(names.get(name, 0.0), confidence)
    found = []
    for name, confidence in sorted(names.items()):
        if _looks_like_place(name) or _common_word(name) or _no_name(name):
            continue
        start = text.find(name)
        while start >= 0:
            found.append(
                Candidate(start, start + len(name), "Person", COMPONENT, confidence, priority=1)
            )
            start = text.find(name, start + len(name))
    return found


@Language.factory(COMPONENT)
def make_person_finder(nlp: Language, name: str) -> object:
    def persons(doc: Doc) -> Doc:
        candidates(doc).extend(find_persons(text_of(doc)))
        return doc

    return persons
