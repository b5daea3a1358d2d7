"""Quoted names: normalized text in; candidates for names in “…” and 《…》 out (`kg_quoted`).

《…》 holds a document's name (PolicyDocument) unless it names a newspaper or programme of the
media. “…” holds names and slogans alike, so a quoted phrase becomes a candidate only when
something says what it is:
- its own last word is a head word (“春晖杯”, “光谷人才码”), or a head word follows the closing
  quote (“长安芯火杯”硬科技创新创业大赛): the head's type, the whole as the name;
- the words after a chain of quoted phrases (“A”“B”等创新创业赛会活动, “A”“B”聘任“C”引才等方式):
  a head word there types every phrase of the chain, a talent-policy tail (方式, 模式, 机制…)
  with a talent verb before the chain (采取, 推行…) or a talent word in it (引才, 聘任…) makes
  them talent policies; a word right after a phrase (“候鸟式”聘任) belongs to its name;
- a programme verb right before a lone phrase (举办, 承办, 开展…) -> Programme; a talent
  policy word inside it (…引才, …制, 人才…码) -> TalentPolicy.
Anything else in quotes (slogans such as “争先思维”) is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.candidates import Candidate, candidates
from kg.extract.entities import clean_name
from kg.extract.lexicon import alternation, cue, head_words
from kg.extract.patterns import MAX_MODIFIER, left_edge
from kg.extract.tokenizer import text_of, words_of
from kg.memo import bounded_cache

COMPONENT = "kg_quoted"
_QUOTED = re.compile(r"“([^“”\n]{2,40})”|‘([^‘’\n]{2,30})’|「([^「」\n]{2,30})」")
_BOOK = re.compile(r"《([^《》\n]{2,80})》")
_NAME_CHARS = r"[\u4e00-\u9fffA-Za-z0-9·\-+]"
# Between two phrases of a chain: a word of the first phrase's name (聘任) and a joining word.
_CHAIN_GAP = re.compile(r"([\u4e00-\u9fff]{0,3}?)(?:、|和|与|及|以及)?")
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
_SENTENCE_MARKS = re.compile(r"[，,。；;！!？?：:]|[在的是了]")


@dataclass(frozen=True)
class _Quote:
    start: int  # the opening quote
    end: int  # after the closing quote
    inner: str
    suffix_end: int  # after the word that follows the quote and belongs to the name


@cache
def _lexicon() -> tuple[re.Pattern[str], dict[str, str], re.Pattern[str]]:
    table = {h.head: h.type for h in head_words()}
    pattern = alternation(table)
    # A head word that follows the closing quote after a few more name characters.
    after = re.compile(rf"({_NAME_CHARS}{{0,12}}?)({pattern.pattern})")
    # What may follow a chain of phrases up to its head word: 等创新创业赛会活动
    closer = re.compile(rf"等?({_NAME_CHARS}{{0,10}}?)({pattern.pattern})")
    return after, table, closer


@dataclass(frozen=True)
class _TalentCues:
    """Talent verbs (before a phrase), tails (after a chain) and words (inside a phrase), as
    patterns: one search instead of a loop over the words."""

    verbs: tuple[str, ...]
    tails: re.Pattern[str]
    tail_ends: tuple[str, ...]
    inside: re.Pattern[str]


@cache
def _talent() -> _TalentCues:
    from kg import gazetteer

    cues = gazetteer.talent_cues()
    verbs = frozenset(c.cue for c in cues if c.kind == "verb")
    tails = frozenset(c.cue for c in cues if c.kind == "suffix") | cue("talent_tail")
    inside = verbs | frozenset(c.cue for c in cues if c.kind == "policy") | cue("talent_word")
    # talent_pattern rows are regular expressions: compounds such as X飞地 that name a talent
    # policy only with a qualifier before the head.
    patterns = sorted(cue("talent_pattern"))
    inside_pattern = "|".join([alternation(inside).pattern, *patterns])
    return _TalentCues(
        verbs=tuple(cue("talent_context") | verbs),
        tails=alternation(tails),
        tail_ends=tuple(tails),
        inside=re.compile(inside_pattern),
    )


@cache
def _ending() -> re.Pattern[str]:
    """The longest head word at the end of a name, with at least one character before it."""
    table = _lexicon()[1]
    return re.compile(rf"(?s:.)+?({alternation(table).pattern})$")


@bounded_cache
def _is_dictionary_word(word: str) -> bool:
    """一站式, 飞地: a word of the dictionary, no coined name of a policy."""
    import rjieba

    return bool(rjieba.has_word(word))


def _talent_sentence(text: str, start: int, end: int) -> bool:
    """True when the sentence around text[start:end] speaks of talent (人才, 引进, 聘…)."""
    left = max(text.rfind("。", 0, start), text.rfind("\n", 0, start), start - 60)
    right_marks = [i for i in (text.find("。", end), text.find("\n", end)) if i >= 0]
    right = min([*right_marks, end + 60])
    sentence = text[left + 1 : start] + text[end:right]
    return any(w in sentence for w in _talent_nouns())


@cache
def _talent_nouns() -> frozenset[str]:
    from kg import gazetteer

    return frozenset(c.cue for c in gazetteer.talent_cues() if c.kind == "noun")


def _head_type(name: str, table: dict[str, str]) -> str | None:
    m = _ending().match(name)
    return table[m.group(1)] if m else None


# Kinds of documents written in 《》 besides the head words of data/head_words.csv.
_MORE_DOCUMENT_ENDS = (
    "法规",
    "法案",
    "计划",
    "宣言",
    "公约",
    "宪章",
    "条约",
    "协定",
    "规范",
    "标准",
    "建议",
    "要点",
    "意见稿",
    "声明",
    "倡议",
    "指引",
)
_TRAILING_BRACKETS = re.compile(r"(?:[（(][^（）()]*[）)])+$")


def _document_title(inner: str, table: dict[str, str]) -> bool:
    """Whether a title in 《》 names a document: it ends in a kind of document (…实施意见,
    …行动计划（2024—2026年）, …条例) or in a year (中国制造2025)."""
    core = _TRAILING_BRACKETS.sub("", inner).strip()
    if not core:
        return False
    if core[-1].isdigit() or core.endswith(_MORE_DOCUMENT_ENDS):
        return True
    return any(core.endswith(head) for head, etype in table.items() if etype == "PolicyDocument")


def _documents(text: str) -> list[Candidate]:
    """《…》 documents, and the bodies that issue them (《包头市委、市政府关于…的意见》)."""
    table = _lexicon()[1]
    found = []
    titles: list[str] = []
    for m in _BOOK.finditer(text):
        if m.group(1).endswith(_MEDIA_ENDS):
            continue
        inner = m.group(1)
        if not _document_title(inner, table):
            continue  # 《…》杂志, 音乐剧《…》, 《…》栏目: a journal, a work, a programme
        if table.get(inner) == "PolicyDocument":
            # 《意见》, 该《办法》: the short form of the last document named with that head, or
            # (with none before it) no name at all
            full = next((t for t in reversed(titles) if t.endswith(inner) and t != inner), None)
            if full is not None:
                found.append(
                    Candidate(
                        m.start(1),
                        m.end(1),
                        "PolicyDocument",
                        COMPONENT,
                        0.9,
                        name=clean_name(full),
                        priority=2,
                    )
                )
            continue
        titles.append(inner)
        found.append(Candidate(m.start(1), m.end(1), "PolicyDocument", COMPONENT, 0.9, priority=2))
        about = m.group(1).find("关于")
        if about <= 0:
            continue
        offset = m.start(1)
        for piece in re.finditer(r"[^、，,和]+", m.group(1)[:about]):
            if _head_type(piece.group(), table) == "Organization" or (
                table.get(piece.group()) == "Organization" and len(piece.group()) >= 3
            ):
                found.append(
                    Candidate(
                        offset + piece.start(),
                        offset + piece.end(),
                        "Organization",
                        COMPONENT,
                        0.8,
                        priority=2,
                        nested=True,
                    )
                )
    return found


def _chains(text: str) -> list[list[_Quote]]:
    """Quoted phrases, grouped where they follow each other (“A”“B”聘任“C”引才)."""
    chains: list[list[_Quote]] = []
    for m in _QUOTED.finditer(text):
        inner = next(g for g in m.groups() if g is not None)
        quote = _Quote(m.start(), m.end(), inner, m.end())
        if chains:
            last = chains[-1][-1]
            gap = _CHAIN_GAP.fullmatch(text, last.end, m.start())
            if gap:
                chains[-1][-1] = _Quote(
                    last.start, last.end, last.inner, last.end + len(gap.group(1))
                )
                chains[-1].append(quote)
                continue
        chains.append([quote])
    return chains


def find_quoted(text: str, words: list[str], starts: list[int]) -> list[Candidate]:
    after_head, table, closer = _lexicon()
    talent = _talent()
    programme_verbs = cue("programme_context")
    found = _documents(text)
    for chain in _chains(text):
        last = chain[-1]
        before = text[max(0, chain[0].start - 6) : chain[0].start]
        chain_type: str | None = None
        suffix = ""
        # The word right after the last phrase (“飞地式”引才等方式): part of its name when a
        # tail follows it.
        tail_at = last.end
        word_after = re.match(
            r"[\u4e00-\u9fff]{1,3}?(?=等|[，,。；;、])", text[last.end : last.end + 4]
        )
        if word_after and len(chain) > 1:
            suffix = word_after.group()
            tail_at = last.end + len(suffix)
        tail = _SENTENCE_MARKS.split(text[tail_at : tail_at + 8], 1)[0]
        talent_tail = talent.tails.search(tail) is not None or any(
            q.inner.endswith(talent.tail_ends) for q in chain
        )
        talent_inside = any(
            talent.inside.search(q.inner) and not _is_dictionary_word(q.inner) for q in chain
        )
        talent_before = before.endswith(talent.verbs)
        talent_sentence = _talent_sentence(text, chain[0].start, last.end)
        if talent_inside or (talent_sentence and (talent_tail or talent_before)):
            chain_type = "TalentPolicy"
        elif len(chain) > 1:
            closing = closer.match(text, tail_at)
            if closing and not _SENTENCE_MARKS.search(closing.group(1)):
                chain_type = table.get(closing.group(2))
        for n, quote in enumerate(chain):
            if _SENTENCE_MARKS.search(quote.inner):
                continue
            is_last = n == len(chain) - 1
            name_end = tail_at if is_last and suffix else quote.suffix_end
            cand = _typed(
                text, words, starts, quote, name_end, chain_type, before, after_head, table
            )
            if cand is None and (len(chain) == 1 or _closed_chain(text, last.end)):
                # 启动“A”“B”，…: a chain that ends its phrase takes the verb before it too.
                cand = _by_context(quote, before, talent.inside, programme_verbs)
            if cand is not None:
                found.append(cand)
    return found


def _typed(
    text: str,
    words: list[str],
    starts: list[int],
    quote: _Quote,
    name_end: int,
    chain_type: str | None,
    before: str,
    after_head: re.Pattern[str],
    table: dict[str, str],
) -> Candidate | None:
    follow = after_head.match(text, quote.end)
    if follow and quote.suffix_end == quote.end:
        etype = table.get(follow.group(2))
        if etype:
            limit = MAX_MODIFIER.get(etype, 12) + 4
            if left_edge(text, words, starts, follow.start(2), limit, etype) <= quote.start:
                return Candidate(quote.start, follow.end(), etype, COMPONENT, 0.85, priority=2)
    own = _head_type(quote.inner, table)
    if own:
        return Candidate(quote.start + 1, quote.end - 1, own, COMPONENT, 0.8, priority=2)
    if chain_type:
        if name_end > quote.end:
            return Candidate(quote.start, name_end, chain_type, COMPONENT, 0.75, priority=2)
        return Candidate(quote.start + 1, quote.end - 1, chain_type, COMPONENT, 0.75, priority=2)
    return None


def _closed_chain(text: str, end: int) -> bool:
    """Whether a chain of quoted phrases ends its phrase (punctuation or the text's end follows),
    so that no word after it (“A”“B”改革) says what the phrases are."""
    return end >= len(text) or text[end] in "，,。；;、！!？?）)\n"


def _by_context(
    quote: _Quote, before: str, talent_words: re.Pattern[str], programme_verbs: frozenset[str]
) -> Candidate | None:
    inner = quote.inner
    if "、" in inner:
        return None
    if talent_words.search(inner) or (
        "才" in inner and inner.endswith(tuple(cue("talent_policy_end")))
    ):
        etype = "TalentPolicy"
    elif any(before.endswith(v) for v in programme_verbs):
        etype = "Programme"
    else:
        return None
    return Candidate(quote.start + 1, quote.end - 1, etype, COMPONENT, 0.7, priority=2)


@Language.factory(COMPONENT)
def make_quoted_finder(nlp: Language, name: str) -> object:
    def quoted(doc: Doc) -> Doc:
        words, starts = words_of(doc)
        candidates(doc).extend(find_quoted(text_of(doc), words, starts))
        return doc

    return quoted
