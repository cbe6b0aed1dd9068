"""The ranking of a question written in another script than the readouts (Chinese or Japanese
over English readouts): its words are not the corpus's, so the model's latent terms, the question's
names as the readouts spell them and its dictionary glosses stand in for BM25."""
from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from index.passage import Hit
from index.retrieve.fusion import scaled
from index.retrieve.ranking import Candidates, Method, SameLanguage, Take, reorder
from index.store.lexical import group_overlap
from index.text.script import non_latin

from . import glosses
from .names import Names

if TYPE_CHECKING:
    from index.models.embed import Embedder
    from index.models.latent import LatentTerms
    from index.retrieve.rows import Rows
    from index.store.generations import Index

QUESTIONS_CACHED = 256
# A passage in another script than the question that holds none of its names and under SUPPORTED of
# its dictionary words must clear bars raised by UNSUPPORTED_RAISE (on its cosine, on the cosine to
# the question's English); docs/multilingual.md has the sweep.
SUPPORTED = 0.3
UNSUPPORTED_RAISE = (0.02, 0.01)


def relevance(embedder: Embedder, score: float, own_script: bool, english_score: float | None,
              support: float) -> float:
    """How far a passage clears its bar for a question in another script: a passage in the question's
    own script at the same-language bar; across scripts, its cosine at the cross-lingual bar or its
    cosine to the question's English (`english_score`) at the same-language bar, both raised when it
    holds none of the question's names and under SUPPORTED of its words (`support`)."""
    if own_script:
        return score - embedder.min_similarity
    raise_cosine, raise_english = UNSUPPORTED_RAISE if support < SUPPORTED else (0.0, 0.0)
    across = embedder.cross_lingual_min_similarity
    margin = score - ((embedder.min_similarity if across is None else across) + raise_cosine)
    if english_score is None:
        return margin
    return max(margin, english_score - (embedder.min_similarity + raise_english))


class NameReader:
    """The names of questions as the readouts spell them (names.py), each question read once."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self._reading = functools.lru_cache(maxsize=QUESTIONS_CACHED)(lambda text: tuple(self._names.read(text)))

    def spellings(self, text: str) -> tuple[str, ...]:
        """The readouts' spellings of the question's names."""
        return tuple(dict.fromkeys(spelling for _, spelling in self._reading(text)))

    def written(self, text: str) -> list[str]:
        """The question's names as it writes them (王毅, 布林肯): not to be read as words too."""
        return [surface for surface, _ in self._reading(text)]

    def document_weights(self, names: Sequence[str]) -> np.ndarray:
        return self._names.document_weights(list(names))

    @functools.cached_property
    def _names(self) -> Names:
        return Names(("\n".join(passage.lexical_text for passage in passages)
                      for _, passages in self.index.documents_with_passages()), dictionary=glosses.names_in)


class NamedFusion(SameLanguage):
    """The same-language fusion, for a question in another script to a multilingual index without
    latent terms: BM25 looks for the question's names as the readouts spell them, too."""

    def __init__(self, same_language: SameLanguage, names: NameReader) -> None:
        super().__init__(same_language.embedder, same_language.passages, same_language.lexical, same_language.row_of,
                         same_language.named)
        self.names = names

    def lexical_query(self, text: str) -> str:
        return " ".join([text, *self.names.spellings(text)])


class CrossLingual:
    """Hybrid: the mean of three scaled cosines (the question's, its latent terms', its word-by-word
    English's), blended with the evidence of names and glosses; dense: the three cosines alone."""

    def __init__(self, index: Index, latent: LatentTerms, embedder: Embedder,
                 question_vector: Callable[[str], np.ndarray], rows: Rows, names: NameReader) -> None:
        self.index = index
        self.latent = latent
        self.embedder = embedder
        self.question_vector = question_vector
        self.rows = rows
        self.name_reader = names
        self._latent_query = functools.lru_cache(maxsize=QUESTIONS_CACHED)(lambda text: embedder.embed_latent([text]))

    def lexical_query(self, text: str) -> str:
        """The question, and its names as the readouts spell them."""
        return " ".join([text, *self.names(text)])

    def extra_rows(self, text: str, pool: int, allowed: np.ndarray | None, method: Method) -> np.ndarray:
        if method == "lexical":
            return np.zeros(0, dtype=np.int64)
        return self.latent.search(self._latent_query(text), pool, allowed)

    def rank(self, text: str, candidates: Candidates, method: Method, take: Take, *, keywords: bool = False,
             ) -> list[Hit]:
        """BM25 alone reads neither the English nor the glosses: its hits keep their order and the
        plain bars. Otherwise the question's English and glosses are read once, for both steps.
        `keywords` is not read: a passage's support here is its names and glosses, not the words typed."""
        if method == "lexical":
            return [dataclasses.replace(hit, relevance=relevance(
                self.embedder, hit.score, non_latin(hit.passage.text), None, support=1.0))
                for hit in reorder(candidates, None, take)]
        english, words = self._english_vector(text), self._read_glosses(text)
        hits = reorder(candidates, self.order(text, candidates, method, english, words), take)
        return self.judge(text, hits, english, words)

    def order(self, text: str, candidates: Candidates, method: Method, english: np.ndarray | None,
              words: list[dict[str, float]]) -> np.ndarray:
        """The three cosines' mean, and for hybrid its blend with names and glosses."""
        rows, passages = candidates.rows, [self.index.passages[int(row)] for row in candidates.rows]
        members = [scaled(candidates.similarities),
                   scaled(self.latent.similarities(self._latent_query(text), rows))]
        if english is not None:  # a passage in the question's own script needs no English
            own_script = np.array([non_latin(passage.text) for passage in passages], dtype=bool)
            members.append(np.where(own_script, members[0], scaled(candidates.vectors @ english)))
        score = np.mean(members, axis=0)
        if method == "hybrid":
            lexical = 0.5 * self._name_evidence(text, rows) + 0.5 * group_overlap(
                words, [passage.lexical_text for passage in passages])
            score = self.embedder.dense_weight * score + (1 - self.embedder.dense_weight) * lexical
        return np.argsort(-score, kind="stable")

    def judge(self, text: str, hits: list[Hit], english: np.ndarray | None, words: list[dict[str, float]]) -> list[Hit]:
        """Each hit's relevance (`relevance`), with its support: 1 if its readout holds a name of the
        question, else the share of the question's dictionary words it holds."""
        if not hits:
            return hits
        rows = np.array([self.rows.of(hit.passage) for hit in hits], dtype=np.int64)
        named = self._name_evidence(text, rows)
        support = np.where(named > 0, 1.0, group_overlap(words, [hit.passage.lexical_text for hit in hits]))
        return [dataclasses.replace(hit, relevance=relevance(
            self.embedder, hit.score, non_latin(hit.passage.text),
            None if english is None else float(self.index.vectors.reconstruct(int(row)) @ english), float(held)))
            for hit, row, held in zip(hits, rows, support)]

    def names(self, text: str) -> tuple[str, ...]:
        return self.name_reader.spellings(text)

    def _written(self, text: str) -> list[str]:
        return self.name_reader.written(text)

    def _english_vector(self, text: str) -> np.ndarray | None:
        """The question's word-by-word English (glosses.english), embedded as a question; None when the
        dictionary reads none of it."""
        english = glosses.english(text, self.names(text), self.index.lexical.known_share, self._written(text))
        return self.question_vector(english) if english else None

    def _name_evidence(self, text: str, rows: np.ndarray) -> np.ndarray:
        """For each row, the weight of the question's names that its document holds (names.py)."""
        names = self.names(text)
        if not names:
            return np.zeros(len(rows))
        return self.name_reader.document_weights(names)[self.rows.document_of_row[rows]]

    def _read_glosses(self, text: str) -> list[dict[str, float]]:
        """The question's dictionary words (glosses.py), each a group of English alternatives weighted
        by their idf in the corpus."""
        return [self.index.lexical.term_weights(senses, known_only=True)
                for senses in glosses.groups(text, self._written(text))]
