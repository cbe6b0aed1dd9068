"""BM25 ranking (bm25s, with English stemming): names, acronyms and set phrases that embeddings blur."""
from __future__ import annotations

import functools
import logging
import math
import re
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN_PLUS

logging.getLogger("bm25s").setLevel(logging.WARNING)
_stemmer = Stemmer.Stemmer("english")
# The longer English list (it drops question words such as "what", "about", "did") plus the verbs
# of reported speech that every readout and most questions use.
STOPWORDS = sorted(set(STOPWORDS_EN_PLUS) | {"say", "said", "says", "tell", "told", "according"})
_STOPWORD_SET = frozenset(STOPWORDS)
WORD = re.compile(r"(?u)\b\w\w+\b")  # bm25s' default token pattern


def covers(question: str, text: str, min_terms: int = 2) -> bool:
    """Every content word of the question (stemmed, stopwords aside) occurs in the text, and there
    are at least `min_terms` of them: strong evidence even when the embeddings disagree."""
    wanted = set(_words(question))
    return len(wanted) >= min_terms and wanted <= set(_words(text))


@functools.lru_cache(maxsize=16384)
def _words(text: str) -> tuple[str, ...]:
    """BM25's terms in text order (bm25s.tokenize costs 0.1 ms a call in set-up alone). Kept for the
    passages that many questions bring back: the first in a bot's profile under load."""
    return tuple(_stemmer.stemWords([word for word in WORD.findall(text.lower()) if word not in _STOPWORD_SET]))


def phrase_overlap(question: str, texts: Sequence[str]) -> np.ndarray:
    """Share of the question's adjacent content-word pairs ("view china", "china develop") that each
    text also has adjacent: word order, which BM25 ignores."""
    asked = _words(question)
    pairs = set(zip(asked, asked[1:]))
    if not pairs:
        return np.zeros(len(texts))
    return np.array([len(pairs & set(zip(words, words[1:]))) / len(pairs) for words in map(_words, texts)])


def weighted_overlap(weights: dict[str, float], texts: Sequence[str]) -> list[float]:
    """For each text, the summed weights of the terms it shares with `weights` (each counted once)."""
    return [sum(weights[word] for word in set(_words(text)) if word in weights) for text in texts]


def group_overlap(groups: Sequence[dict[str, float]], texts: Sequence[str]) -> np.ndarray:
    """For each text, the share of the groups' weight it holds. A group is a set of alternative terms
    (the senses of one word, glosses.py): it counts once, by its heaviest term the text holds, against
    its heaviest term."""
    groups = [group for group in groups if group]
    total = sum(max(group.values()) for group in groups)
    if not total:
        return np.zeros(len(texts))
    held = [set(_words(text)) for text in texts]
    return np.array([sum(max((w for term, w in group.items() if term in words), default=0.0) for group in groups)
                     for words in held]) / total


class Lexical:
    def __init__(self, model: bm25s.BM25, size: int) -> None:
        self.model = model
        self.size = size

    @classmethod
    def build(cls, texts: Sequence[str]) -> "Lexical":
        model = bm25s.BM25()
        if texts:
            model.index(bm25s.tokenize(list(texts), stopwords=STOPWORDS, stemmer=_stemmer, show_progress=False),
                        show_progress=False)
        return cls(model, len(texts))

    def save(self, directory: Path) -> None:
        if self.size:
            self.model.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path, size: int) -> "Lexical":
        model = bm25s.BM25.load(str(directory), mmap=True, show_progress=False, verbosity=0) if size else bm25s.BM25()
        return cls(model, size)

    @property
    def vocabulary(self) -> dict[str, int]:
        """Term → row; empty for an index without passages (bm25s then has no vocabulary at all)."""
        return (getattr(self.model, "vocab_dict", None) or {}) if self.size else {}

    def term_weights(self, question: str, *, known_only: bool = False) -> dict[str, float]:
        """The question's terms (stemmed, stopwords aside) with their inverse document frequency in
        the corpus (BM25's idf; a term the corpus lacks weighs as if it were in no passage, or with
        `known_only` is left out)."""
        vocabulary, indptr = self.vocabulary, self.model.scores.get("indptr") if self.size else None
        weights = {}
        for term in set(_words(question)):
            row = vocabulary.get(term)
            if known_only and (row is None or indptr is None):
                continue
            frequency = 0 if row is None or indptr is None else int(indptr[row + 1] - indptr[row])
            weights[term] = math.log(1 + (self.size - frequency + 0.5) / (frequency + 0.5))
        return weights

    def known_share(self, text: str) -> float:
        """Share of the text's terms (stemmed, stopwords aside) that some passage holds; 0 for none."""
        terms, vocabulary = _words(text), self.vocabulary
        return sum(term in vocabulary for term in terms) / len(terms) if terms else 0.0

    def _scores(self, token_ids: list[int]) -> np.ndarray:
        """BM25 score of every passage: the precomputed per-token scores of the question's tokens,
        summed with one bincount (bm25s' own get_scores sums with np.add.at, 13 ms at 1M passages;
        retrieve() adds threads and progress bars)."""
        if self.model.nonoccurrence_array is not None:  # BM25 variants that score absent tokens too
            return self.model.get_scores(token_ids)
        index = self.model.scores
        spans = [(index["indptr"][t], index["indptr"][t + 1]) for t in token_ids]
        rows = np.concatenate([index["indices"][a:b] for a, b in spans])
        weights = np.concatenate([index["data"][a:b] for a, b in spans])
        return np.bincount(rows, weights=weights, minlength=index["num_docs"])

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Rows and BM25 scores of the best `k` passages (only rows where `allowed` is true); none when no
        word of the question is in the corpus."""
        vocabulary = self.vocabulary
        tokens = [token for token in _words(query) if token in vocabulary]
        if not tokens or not self.size:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores = self._scores([vocabulary[token] for token in tokens])
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        matching = np.flatnonzero(scores)  # usually a small share of the corpus
        k = min(k, len(matching))
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        top = matching[np.argpartition(-scores[matching], k - 1)[:k]]
        top = top[np.argsort(-scores[top], kind="stable")]
        return top.astype(np.int64), scores[top].astype(np.float32)
