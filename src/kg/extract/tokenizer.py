"""Tokenizer: normalized text in; a spaCy `Doc` of rjieba words out.

rjieba (jieba's dictionary and HMM, in Rust) segments the same as jieba's default mode and was
measured here at about 50 times jieba's speed with no dictionary load time (see
bench/RESULTS.md), so it is the segmenter of the pipeline. Every character of the text is in
exactly one token (white space too), so `doc.text` is the input and token offsets are character
offsets of the normalized text.

The words are also kept as a plain list in `doc.user_data` (`words_of(doc)` gives them with
their offsets, `token_starts(doc)` the offsets as a set, `text_of(doc)` the text), because the
components look at words near names far more often than they walk the whole doc, and Python
strings are cheaper to look at than `Token`s (and `doc.text` joins the tokens on every call).
"""

from __future__ import annotations

from itertools import accumulate

import rjieba
from spacy.tokens import Doc
from spacy.util import registry
from spacy.vocab import Vocab

_STARTS_KEY = "kg_token_starts"
_WORDS_KEY = "kg_words"
_TEXT_KEY = "kg_text"


class RJiebaTokenizer:
    """A spaCy tokenizer that cuts Chinese text with rjieba."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words = rjieba.cut(text) if text else []
        doc = Doc(self.vocab, words=words, spaces=[False] * len(words))
        doc.user_data[_WORDS_KEY] = words
        doc.user_data[_TEXT_KEY] = text
        return doc

    def to_bytes(self, **_: object) -> bytes:
        return b""

    def from_bytes(self, _data: bytes, **__: object) -> RJiebaTokenizer:
        return self

    def to_disk(self, _path: object, **__: object) -> None:
        return None

    def from_disk(self, _path: object, **__: object) -> RJiebaTokenizer:
        return self


@registry.tokenizers("kg.RJiebaTokenizer.v1")  # type: ignore[untyped-decorator]
def create_rjieba_tokenizer() -> object:
    def make(nlp: object) -> RJiebaTokenizer:
        return RJiebaTokenizer(nlp.vocab)  # type: ignore[attr-defined]

    return make


def text_of(doc: Doc) -> str:
    """The doc's text; `doc.text` joins every token again on each call, this does it once."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.text
        doc.user_data[_TEXT_KEY] = text
    return str(text)


def words_of(doc: Doc) -> tuple[list[str], list[int]]:
    """The doc's words and the offset where each starts, plus the end of the text."""
    cached = doc.user_data.get(_STARTS_KEY)
    if cached is None:
        words = doc.user_data.get(_WORDS_KEY) or [t.text for t in doc]
        cached = (words, list(accumulate(map(len, words), initial=0)))
        doc.user_data[_STARTS_KEY] = cached
    words, starts = cached
    return words, starts


def token_starts(doc: Doc) -> set[int]:
    """Character offsets where a token starts (and the end of the text)."""
    cached = doc.user_data.get("kg_token_start_set")
    if cached is None:
        cached = set(words_of(doc)[1])
        doc.user_data["kg_token_start_set"] = cached
    found: set[int] = cached
    return found
