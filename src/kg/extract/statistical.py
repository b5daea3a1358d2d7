"""Statistical recogniser: text in; spans of enterprises, organisations, people and places out.

A spaCy `ner` trained here on CLUENER2020 (see `training/ner/`, rebuilt with `make model`) and
shipped in `kg/models/cluener_ner`, so nothing is downloaded at run time. Documents are tokenised
one token a character; the embedding layer `kg.ChineseCharEmbed.v1` registered here gives each
character hashed embeddings of itself, the character bigrams and trigram around it, its shape,
and the rjieba word that contains it, because Chinese names are told by such n-grams and word
boundaries more than by single characters.

`recognise(text)` gives `(start, end, type)` with kg's entity types; `recognise_cluener(texts)`
gives CLUENER's own labels (for scoring). The factory `kg_statistical_ner` adds the spans to a
pipeline's doc as candidate mentions (`doc._.kg_candidates`, see kg.extract.candidates).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import numpy
from spacy.attrs import IDX, NORM, SHAPE
from spacy.language import Language
from spacy.strings import hash_string  # type: ignore[attr-defined]
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import (
    HashEmbed,
    Maxout,
    Model,
    chain,
    concatenate,
    list2ragged,
    ragged2list,
    with_array,
)
from thinc.types import Floats2d, Ints2d

from kg.errors import KgError

MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "cluener_ner"
COMPONENT = "kg_statistical_ner"

# CLUENER's labels that name a kg entity type; book, game, movie, position, scene name none.
CLUENER_TO_KG = {
    "company": "Enterprise",
    "government": "Organization",
    "organization": "Organization",
    "name": "Person",
    "address": "Place",
}

# Sentence ends and line breaks bound the pieces the model reads; clause marks cut long ones.
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*")
_CLAUSE_MARKS = "，,、：:）)」』”"
MAX_PIECE = 160

FEATURES = ("char", "bigram_left", "bigram_right", "trigram", "shape", "word", "word_position")

# Odd 64-bit multipliers that mix two hashes into one n-gram id (HashEmbed hashes it again).
_MIX_LEFT = numpy.uint64(0x9E3779B97F4A7C15)
_MIX_RIGHT = numpy.uint64(0xC2B2AE3D27D4EB4F)
_EDGE = numpy.uint64(hash_string("<kg-edge>"))


class StatisticalModelError(KgError):
    """The shipped statistical model is missing or cannot be loaded."""


def _shifted(values: numpy.ndarray, offset: int) -> numpy.ndarray:
    """values[i + offset], with a sentinel past either end."""
    out = numpy.full_like(values, _EDGE)
    if offset > 0:
        out[:-offset] = values[offset:]
    else:
        out[-offset:] = values[: len(values) + offset]
    return out


def _word_features(doc: Doc) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Per token: the hash of the rjieba word holding its first character, and its position."""
    import rjieba

    words = [(word, start, end) for word, start, end in rjieba.tokenize(doc.text)]
    starts = doc.to_array([IDX]).astype("int64").reshape(-1)
    word_starts = numpy.array([start for _, start, _ in words], dtype="int64")
    word_ends = numpy.array([end for _, _, end in words], dtype="int64")
    word_ids = numpy.array([_word_hash(word) for word, _, _ in words], dtype="uint64")
    # The word of each token, and the first and past-last token of that word.
    owner = numpy.searchsorted(word_starts, starts, side="right") - 1
    first = numpy.searchsorted(starts, word_starts)[owner]
    last = numpy.searchsorted(starts, word_ends)[owner] - 1
    index = numpy.arange(len(starts))
    # B/M/E/S position and the word's length (capped) as one small categorical id.
    position = numpy.where(index == first, 0, numpy.where(index == last, 2, 1))
    position[first == last] = 3
    length = numpy.minimum(word_ends - word_starts, 7)[owner]
    return word_ids[owner], (position * 8 + length).astype("uint64")


@lru_cache(maxsize=65536)
def _word_hash(word: str) -> int:
    return int(hash_string(word))


def doc_features(doc: Doc, features: Sequence[str]) -> numpy.ndarray:
    """The (tokens, features) uint64 ids that `kg.ChineseCharEmbed.v1` embeds."""
    if len(doc) == 0:
        return numpy.zeros((0, len(features)), dtype="uint64")
    attrs = doc.to_array([NORM, SHAPE]).astype("uint64")
    norm, shape = attrs[:, 0], attrs[:, 1]
    left, right = _shifted(norm, -1), _shifted(norm, 1)
    columns: dict[str, Callable[[], numpy.ndarray]] = {
        "char": lambda: norm,
        "bigram_left": lambda: left * _MIX_LEFT + norm,
        "bigram_right": lambda: norm * _MIX_LEFT + right,
        "trigram": lambda: (left * _MIX_LEFT + norm) * _MIX_RIGHT + right,
        "shape": lambda: shape,
    }
    word_columns: tuple[numpy.ndarray, numpy.ndarray] | None = None
    out = numpy.empty((len(doc), len(features)), dtype="uint64")
    with numpy.errstate(over="ignore"):
        for i, name in enumerate(features):
            if name in ("word", "word_position"):
                word_columns = word_columns or _word_features(doc)
                out[:, i] = word_columns[0 if name == "word" else 1]
            else:
                out[:, i] = columns[name]()
    return out


def _feature_forward(
    model: Model[list[Doc], list[Ints2d]], docs: list[Doc], is_train: bool
) -> tuple[list[Ints2d], Callable[[Any], list[Any]]]:
    features = model.attrs["features"]
    ids = [
        model.ops.asarray2i(cast(Ints2d, doc_features(doc, features)), dtype="uint64")
        for doc in docs
    ]
    return ids, lambda d_ids: []


def chinese_char_embed(
    width: int, features: list[str], rows: list[int]
) -> Model[list[Doc], list[Floats2d]]:
    """Hash embeddings of character n-grams, shape and rjieba words, mixed by one Maxout layer.

    Like spaCy's MultiHashEmbed, but with features computed from a token's neighbours.
    """
    unknown = sorted(set(features) - set(FEATURES))
    if unknown or len(rows) != len(features):
        raise ValueError(f"features must be among {FEATURES} with one rows entry each: {features}")
    extract: Model[list[Doc], list[Ints2d]] = Model(
        "kg_char_features", _feature_forward, attrs={"features": tuple(features)}
    )
    embeddings: list[Model[Ints2d, Floats2d]] = [
        HashEmbed(width, n_rows, column=i, seed=11 + i, dropout=0.0)
        for i, n_rows in enumerate(rows)
    ]
    mix = Maxout(width, width * len(embeddings), nP=3, dropout=0.0, normalize=True)
    return chain(
        extract,
        list2ragged(),
        with_array(concatenate(*embeddings)),
        with_array(mix),
        ragged2list(),
    )


registry.architectures.register("kg.ChineseCharEmbed.v1", func=chinese_char_embed)


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_DIR) -> Language:
    """The trained pipeline, loaded once per process."""
    import spacy

    if not (path / "config.cfg").exists():
        raise StatisticalModelError(
            f"{path}: no trained NER model there; rebuild it with 'make model'"
        )
    try:
        return spacy.load(path)
    except (OSError, ValueError) as exc:
        raise StatisticalModelError(
            f"{path}: the NER model does not load ({exc}); rebuild it with 'make model'"
        ) from exc


def text_pieces(text: str, max_length: int = MAX_PIECE) -> list[tuple[int, int]]:
    """[start, end) of the sentence-sized pieces the recogniser reads, covering all of `text`.

    The model learnt from CLUENER's short sentences and clauses: long text is cut after
    sentence ends, and a piece still longer than `max_length` after clause marks, or hard.
    """
    pieces = []
    for match in _SENTENCE.finditer(text):
        start, end = match.span()
        while end - start > max_length:
            window = text[start : start + max_length]
            cut = max(window.rfind(mark) for mark in _CLAUSE_MARKS)
            cut = start + cut + 1 if cut > 0 else start + max_length
            pieces.append((start, cut))
            start = cut
        pieces.append((start, end))
    return pieces


def recognise_cluener(
    texts: Iterable[str], *, batch_size: int = 128, model_dir: Path = MODEL_DIR
) -> list[list[tuple[int, int, str]]]:
    """For each text, its (start, end, CLUENER label) spans, end exclusive, in text order."""
    nlp = load_model(model_dir)
    texts = list(texts)
    owners: list[tuple[int, int]] = []
    pieces: list[str] = []
    for index, text in enumerate(texts):
        for start, end in text_pieces(text):
            owners.append((index, start))
            pieces.append(text[start:end])
    found: list[list[tuple[int, int, str]]] = [[] for _ in texts]
    for (index, offset), doc in zip(owners, nlp.pipe(pieces, batch_size=batch_size), strict=True):
        found[index].extend(
            (offset + ent.start_char, offset + ent.end_char, ent.label_) for ent in doc.ents
        )
    return found


def recognise(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kg entity type) of the enterprises, organisations, people and places in text.

    End is exclusive; spans are in text order and do not overlap.
    """
    return [
        (start, end, CLUENER_TO_KG[label])
        for start, end, label in recognise_cluener([text])[0]
        if label in CLUENER_TO_KG
    ]


class StatisticalNer:
    """Appends the recogniser's spans to the doc's candidate mentions (`doc._.kg_candidates`).

    Offsets are those of `doc.text`, whatever the doc's segmentation. The spans get a lower
    priority than the rule-based recognisers', so that a rule wins a tie between equal spans.
    """

    def __init__(self, name: str, confidence: float, priority: int) -> None:
        self.name = name
        self.confidence = confidence
        self.priority = priority

    def __call__(self, doc: Doc) -> Doc:
        from kg.extract.candidates import Candidate, candidates

        found = candidates(doc)
        for start, end, label in recognise(doc.text):
            found.append(
                Candidate(
                    start,
                    end,
                    label,
                    component=self.name,
                    confidence=self.confidence,
                    priority=self.priority,
                )
            )
        return doc


@Language.factory(COMPONENT, default_config={"confidence": 0.6, "priority": -1})
def make_statistical_ner(
    nlp: Language, name: str, confidence: float, priority: int
) -> StatisticalNer:
    return StatisticalNer(name, confidence, priority)
