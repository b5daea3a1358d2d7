"""Quoted names: normalized text in; candidates for names in “…” and 《…》 out (`kg_quoted`).

《…》 holds a document's name (PolicyDocument) unless it names a newspaper or programme of the
media. “…” holds names and slogans alike, so a quoted phrase becomes a candidate only when
something says what it is:
- its own last word is a head word (“春晖杯”, “光谷人才码”), or a head word follows the closing
  quote (“长安芯火杯”硬科技创新创业大赛, “…”活动): the head's type, the whole as the name and the
  quoted part as an alias;
- the words around it: a talent-policy verb before it (采取, 推行, 探索…) with 方式/模式/机制…
  after it, or a talent word inside it (引才, 聘…) -> TalentPolicy; a programme verb before it
  (举办, 承办, 开展, 启动…) -> Programme.
Anything else in quotes (slogans such as “有解思维”) is left alone.
"""

from __future__ import annotations

import re
from functools import cache

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.candidates import Candidate, candidates
from kg.extract.lexicon import alternation, cue, head_words
from kg.extract.patterns import MAX_MODIFIER, left_edge
from kg.extract.tokenizer import words_of

COMPONENT = "kg_quoted"
_QUOTED = re.compile(r"“([^“”\n]{2,40})”|‘([^‘’\n]{2,30})’|「([^「」\n]{2,30})」")
_BOOK = re.compile(r"《([^《》\n]{2,80})》")
_NAME_CHARS = r"[\u4e00-\u9fffA-Za-z0-9·\-+]"
# Media names in 《》 end with these; they are no policy documents.
_MEDIA_ENDS = (
    "报",
    "杂志",
    "周刊",
    "月刊",
    "节目",
    "栏目",
    "新闻",
    "联播",
    "纪录片",
    "电视剧",
    "丛书",
)
# A quoted phrase with these inside reads as a sentence or slogan, not a name.
_SENTENCE_MARKS = re.compile(r"[，,。；;！!？?：:]")


@cache
def _heads() -> tuple[re.Pattern[str], dict[str, str]]:
    table = {h.head: h.type for h in head_words()}
    pattern = alternation(table)
    # A head word that follows the closing quote after a few more name characters.
    after = re.compile(rf"({_NAME_CHARS}{{0,12}}?)({pattern.pattern})")
    return after, table


def _head_type(name: str, table: dict[str, str]) -> str | None:
    for head, etype in sorted(table.items(), key=lambda item: -len(item[0])):
        if name.endswith(head) and len(name) > len(head):
            return etype
    return None


def find_quoted(text: str, words: list[str], starts: list[int]) -> list[Candidate]:
    after_head, table = _heads()
    talent_verbs = cue("talent_context")
    talent_tails = cue("talent_tail")
    talent_words = cue("talent_word")
    programme_verbs = cue("programme_context")
    found: list[Candidate] = []
    for m in _BOOK.finditer(text):
        title = m.group(1)
        if not title.endswith(_MEDIA_ENDS):
            found.append(
                Candidate(m.start(1), m.end(1), "PolicyDocument", COMPONENT, 0.9, priority=2)
            )
    for m in _QUOTED.finditer(text):
        group = next(g for g in (1, 2, 3) if m.group(g) is not None)
        inner, start, end = m.group(group), m.start(group), m.end(group)
        if _SENTENCE_MARKS.search(inner):
            continue
        follow = after_head.match(text, m.end())
        if follow and _head_type(follow.group(2), table) is None:
            etype = table.get(follow.group(2))
            limit = MAX_MODIFIER.get(etype or "", 12) + 4
            reaches = left_edge(text, words, starts, follow.start(2), limit) <= m.start()
            if etype and reaches:
                found.append(Candidate(m.start(), follow.end(), etype, COMPONENT, 0.85, priority=2))
                continue
        etype = _head_type(inner, table)
        before = text[max(0, m.start() - 6) : m.start()]
        after = text[m.end() : m.end() + 4]
        if etype is None:
            if (
                any(before.endswith(v) for v in talent_verbs)
                and any(after.startswith(t) or after[1:].startswith(t) for t in talent_tails)
            ) or (any(w in inner for w in talent_words) and "、" not in inner):
                etype = "TalentPolicy"
            elif any(before.endswith(v) for v in programme_verbs) and "、" not in inner:
                etype = "Programme"
        if etype:
            found.append(Candidate(start, end, etype, COMPONENT, 0.75, priority=2))
    return found


@Language.factory(COMPONENT)
def make_quoted_finder(nlp: Language, name: str) -> object:
    def quoted(doc: Doc) -> Doc:
        words, starts = words_of(doc)
        candidates(doc).extend(find_quoted(doc.text, words, starts))
        return doc

    return quoted
