"""Ranking strategies: how the candidates of one question are ordered and judged. A strategy is
chosen once per question (`Retriever.ranker_for`); this module holds the interface and the
same-language strategy, which fuses the dense and BM25 rankings."""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from index.models.embed import Embedder
from index.passage import Hit, Passage
from index.settings import METHODS, Method
from index.store.lexical import Lexical, asked, phrase_overlap, weighted_overlap
from index.text.acronyms import initialisms, typed_letters
from index.text.script import non_latin

from .fusion import blend, lexical_evidence, scaled
from .speakers import asked_about, speaks

__all__ = ["METHODS", "Candidates", "Method", "Ranker", "SameLanguage", "Take", "bar", "relevant", "reorder",
           "scaled"]
RERANKED = 10  # the head of the fused ranking that word pairs re-rank
PHRASE_WEIGHT = 0.1
SPEAKER_WEIGHT = 0.15  # added where a person the question asks about speaks (speakers.py)
# A passage holding at least this share of the question's word weight (idf) is quoted whatever its
# cosine: a bare name, a keyword or an exact phrase is evidence a small embedder blurs.
EVIDENCE_BAR = 1.0
# A passage holding at least this share of the question's word weight (two of three equal words),
# two of its words side by side as the question has them, is quoted whatever its cosine: "maritime
# air liaison hotline" over the paragraph on a "maritime and air liaison mechanism" (chosen by folds:
# docs/quality-chat.md).
PHRASE_EVIDENCE_BAR = 2 / 3
# Whether a passage holds the names its readout gave in an earlier paragraph (SameLanguage.antecedents).
ANTECEDENT_NAMES = True
EVIDENCE_KNOWN_ONLY = False  # whether words no readout holds are left out of the question's weight
# Keywords (query.is_keywords): the cosine bar raised by this times the share of their word weight a
# passage lacks; a sentence's words are not all meant, a keyword's are (chosen by CV: docs/quality-chat.md).
KEYWORD_LIFT = 0.3
# Keywords: added to a passage's hybrid score times the share of their word weight its own text holds
# (the title aside): among the paragraphs of one readout, the one that says them.
KEYWORD_TEXT_WEIGHT = 0.2
# Whether a passage that spells out an acronym of the question ("the World Health Assembly" for
# "wha") holds it, as coverage judges the readouts.
ACRONYM_EVIDENCE = True


@dataclass(frozen=True)
class Candidates:
    """The passages a question is ranked among: rows gathered from every index, their stored vectors
    and cosines to the question, and BM25's own rows with their scores."""

    rows: np.ndarray
    vectors: np.ndarray
    similarities: np.ndarray
    lexical_rows: np.ndarray
    bm25: np.ndarray


Take = Callable[[np.ndarray, np.ndarray, np.ndarray], list[Hit]]  # ranked rows, cosines, vectors -> hits


class Ranker(Protocol):
    """One way of ranking a question's candidates (same-language fusion, or across scripts)."""

    def lexical_query(self, text: str) -> str:
        """What BM25 looks for."""

    def extra_rows(self, text: str, pool: int, allowed: np.ndarray | None, method: Method) -> np.ndarray:
        """Candidates beyond the dense and BM25 ones (none, for most strategies)."""

    def rank(self, text: str, candidates: Candidates, method: Method, take: Take, *, keywords: bool = False,
             ) -> list[Hit]:
        """Order the candidates, `take` the hits from that order (one per fact), and give each its
        relevance (Hit.relevance: at least 0 when close enough to quote); `keywords`: the question was
        typed as search terms (Query.keywords)."""


def reorder(candidates: Candidates, order: np.ndarray | None, take: Take) -> list[Hit]:
    """`take` applied to the candidates in `order` (None: as gathered)."""
    if order is None:
        return take(candidates.rows, candidates.similarities, candidates.vectors)
    return take(candidates.rows[order], candidates.similarities[order], candidates.vectors[order])


def bar(embedder: Embedder, question: str, passage: Passage) -> float:
    """The cosine a passage must reach to answer: the embedder's bar, or its cross-lingual one for a
    passage in another script than the question (cosines across languages run lower)."""
    across = embedder.cross_lingual_min_similarity
    if across is None or non_latin(passage.text) == non_latin(question):
        return embedder.min_similarity
    return across


def relevant(hit: Hit, shift: float = 0.0) -> bool:
    """Worth quoting: relevance at least `shift` (0 at the strategy's own bars)."""
    return hit.relevance >= shift


def evidence(lexical: Lexical, text: str, passages: Sequence[Passage]) -> np.ndarray:
    """For each passage, the share of the question's word weight (idf; Lexical.term_weights) that it
    holds: 1 when it holds every word the question asks about."""
    weights = lexical.term_weights(text, known_only=EVIDENCE_KNOWN_ONLY)
    total = sum(weights.values())
    if not total:
        return np.zeros(len(passages))
    # rounded: the sum's float error (its order follows set iteration) must not put a full match below 1
    shares = np.round(np.array(weighted_overlap(weights, held_texts(lexical, text, passages))) / total, 9)
    return shares


def abbreviations(lexical: Lexical, text: str) -> dict[str, tuple[str, ...]]:
    """The question's words that may be acronyms ("WHA", "gps", "AfDB"), with the letters the readouts
    spell out for them. A lower-case word the readouts hold as a word is meant as one."""
    found = {}
    for word in re.findall(r"\w+", text):
        spelled = tuple(letters for letters in typed_letters(word)
                        if lexical.acronyms is None or letters in lexical.acronyms)
        if spelled and not (word.islower() and all(term in lexical.vocabulary for term in asked(word))):
            found[word] = spelled
    return found


def held_texts(lexical: Lexical, text: str, passages: Sequence[Passage], *, own: bool = False) -> list[str]:
    """What each passage holds of the question's words: BM25's text of it (`own`: its own text, the
    title aside), and the question's acronyms that its own text spells out (abbreviations)."""
    texts = [passage.text if own else lexical.text_of(passage) for passage in passages]
    typed = abbreviations(lexical, text) if ACRONYM_EVIDENCE else {}
    if not typed:
        return texts
    held = []
    for held_text, passage in zip(texts, passages):
        spelled = initialisms([passage.text])
        extra = [word for word, letters in typed.items() if not spelled.isdisjoint(letters)]
        held.append(f"{held_text}\n{' '.join(extra)}" if extra else held_text)
    return held


class SameLanguage:
    """Hybrid: cosine and BM25 blended (fusion.py: each min-max scaled over the candidates, BM25's
    share set by the question's lexical evidence for an embedder that `blend_by_evidence`), passages
    where a person the question asks about speaks lifted (speakers.py), then the head re-ranked by
    the question's word pairs found in order. A question sharing no word with the corpus has no BM25
    side: the dense order stands."""

    def __init__(self, embedder: Embedder, passages: Sequence[Passage], lexical: Lexical,
                 row_of: Callable[[Passage], int] | None = None, named: Callable[[str], bool] | None = None,
                 ) -> None:
        self.embedder = embedder
        self.passages = passages
        self.lexical = lexical
        self.row_of = row_of  # a passage's row, to read what its readout said before it (antecedents)
        self.named = named  # whether the readouts write a word as a name

    def lexical_query(self, text: str) -> str:
        return text

    def extra_rows(self, text: str, pool: int, allowed: np.ndarray | None, method: Method) -> np.ndarray:
        return np.zeros(0, dtype=np.int64)

    def rank(self, text: str, candidates: Candidates, method: Method, take: Take, *, keywords: bool = False,
             ) -> list[Hit]:
        return self.judge(text, reorder(candidates, self.order(text, candidates, method, keywords), take), keywords)

    def order(self, text: str, candidates: Candidates, method: Method, keywords: bool = False) -> np.ndarray | None:
        """Hybrid order of the candidates (None: the gathered order, for dense or lexical alone)."""
        if method != "hybrid" or not len(candidates.lexical_rows):
            return None
        rows = candidates.rows
        bm25_of = dict(zip(map(int, candidates.lexical_rows), candidates.bm25))
        weights = self.lexical.term_weights(text)
        evidence = (lexical_evidence(weights, self.lexical.text_of(self.passages[int(candidates.lexical_rows[0])]))
                    if self.embedder.blend_by_evidence else None)
        fused = blend(candidates.similarities, np.array([bm25_of.get(int(r), 0.0) for r in rows]),
                      self.embedder.dense_weight, evidence)
        fused += SPEAKER_WEIGHT * self.speaking(text, rows)
        if keywords and KEYWORD_TEXT_WEIGHT:  # the share of the keywords' weight each passage's own text holds
            said = weighted_overlap(weights, held_texts(self.lexical, text, [self.passages[int(r)] for r in rows], own=True))
            fused += KEYWORD_TEXT_WEIGHT * np.array(said) / (sum(weights.values()) or 1.0)
        head = np.argsort(-fused, kind="stable")[:RERANKED]
        fused[head] += PHRASE_WEIGHT * phrase_overlap(text, [self.lexical.text_of(self.passages[int(r)]) for r in rows[head]])
        return np.argsort(-fused, kind="stable")

    def speaking(self, text: str, rows: np.ndarray) -> np.ndarray:
        """1 for each candidate row where a person whose words the question asks for speaks (by the
        passage's speaker when ingest knew it), else 0."""
        words = asked_about(text)
        if not words:
            return np.zeros(len(rows))
        marks = []
        for row in map(int, rows):
            passage = self.passages[row]
            before = self.passages[row - 1] if row > 0 else None
            marks.append(speaks(words, passage.text, before.text if before and before.doc == passage.doc else None,
                                passage.title, passage.speaker))
        return np.array(marks, dtype=np.float64)

    def judge(self, text: str, hits: list[Hit], keywords: bool = False) -> list[Hit]:
        """Each hit's relevance: how far its cosine clears the embedder's bar (raised, for keywords, by
        the share of their weight the passage lacks), or its word evidence clears EVIDENCE_BAR (or
        PHRASE_EVIDENCE_BAR, when it holds two of the question's words side by side), whichever is
        furthest."""
        held = evidence(self.lexical, text, [hit.passage for hit in hits])
        lift = KEYWORD_LIFT if keywords else 0.0
        phrased = phrase_overlap(text, [self.lexical.text_of(hit.passage) for hit in hits]) > 0
        named_before = self.antecedents(text, hits, held)
        return [dataclasses.replace(hit, relevance=max(
            hit.score - bar(self.embedder, text, hit.passage) - lift * (1.0 - share), share - EVIDENCE_BAR,
            share - PHRASE_EVIDENCE_BAR if phrase else -1.0, 0.0 if before else -1.0))
            for hit, share, phrase, before in zip(hits, held, phrased, named_before)]

    def antecedents(self, text: str, hits: list[Hit], held: np.ndarray) -> list[bool]:
        """For each hit, whether it holds the question's words once the names its readout gave before
        it count as its own: a readout names a person or place once, then says "she", "the High
        Commissioner", "the city" ("She voiced hope that China will properly handle the recent attack
        on a Japanese student" answers "kamikawa shenzhen student", Kamikawa named a paragraph
        earlier). The passage must hold some of the words itself."""
        if not ANTECEDENT_NAMES or self.row_of is None or self.named is None:
            return [False] * len(hits)
        weights = self.lexical.term_weights(text, known_only=EVIDENCE_KNOWN_ONLY)
        names: set[str] | None = None
        found = []
        for hit, share in zip(hits, held):
            if not 0.0 < share < 1.0:
                found.append(False)
                continue
            if names is None:
                names = {term for word in set(re.findall(r"\w+", text)) if self.named(word) for term in asked(word)}
            own = set(asked(held_texts(self.lexical, text, [hit.passage])[0]))
            lacking = [term for term in weights if term not in own]
            row = self.row_of(hit.passage)
            first = row - hit.passage.paragraph + 1
            found.append(all(term in names and self.lexical.held_between(term, first, row) for term in lacking))
        return found
