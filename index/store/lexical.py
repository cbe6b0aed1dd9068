"""BM25 ranking (bm25s, with English stemming): names, acronyms and set phrases that embeddings blur."""
from __future__ import annotations

import ast
import functools
import importlib.util
import json
import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import Stemmer

_stemmer = Stemmer.Stemmer("english")


def _bm25s_stopwords() -> tuple[str, ...]:
    """bm25s' longer English list, read from its source: importing bm25s imports scipy, which a
    question does not need (bm25s builds the index; searching it is done here)."""
    spec = importlib.util.find_spec("bm25s")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("bm25s is not installed")
    source = (Path(next(iter(spec.submodule_search_locations))) / "stopwords.py").read_text(encoding="utf-8")
    found = re.search(r"^STOPWORDS_EN_PLUS = (\(.*?^\))", source, re.S | re.M)
    if not found:
        raise ImportError("bm25s has no STOPWORDS_EN_PLUS")
    return tuple(ast.literal_eval(found.group(1)))


# The longer English list (it drops question words such as "what", "about", "did") plus the verbs
# of reported speech that every readout and most questions use.
STOPWORDS = sorted(set(_bm25s_stopwords()) | {"say", "said", "says", "tell", "told", "according"})
_STOPWORD_SET = frozenset(STOPWORDS)
WORD = re.compile(r"(?u)\b\w\w+\b")  # bm25s' default token pattern
SURFACE_WORDS = "words.json"  # each word as the readouts spell it (lower case) -> passages holding it


@functools.lru_cache(maxsize=16384)
def _words(text: str) -> tuple[str, ...]:
    """BM25's terms in text order (bm25s.tokenize costs 0.1 ms a call in set-up alone). Kept for the
    passages that many questions bring back: the first in a bot's profile under load."""
    return tuple(_stemmer.stemWords([word for word in WORD.findall(text.lower()) if word not in _STOPWORD_SET]))


# Words a question uses to point at the readouts themselves ("what did the readouts say about
# Stoltenberg", "any news on Tigray"): they ask about no passage's content.
SCAFFOLDING = frozenset(_stemmer.stemWords(["readout", "readouts", "document", "documents", "mention", "mentions",
                                            "mentioned", "anything", "something", "news", "info", "information",
                                            "update", "updates"]))


def asked(question: str) -> tuple[str, ...]:
    """The question's BM25 terms, without the words that only point at the readouts (SCAFFOLDING)."""
    return tuple(word for word in _words(question) if word not in SCAFFOLDING)


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


def surface_words(texts: Sequence[str]) -> dict[str, int]:
    """Each word of the texts in lower case (as BM25 cuts them, before stemming and stopwords), with
    how many texts hold it."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(WORD.findall(text.lower())))
    return dict(counts)


class Lexical:
    """BM25 over the passages' lexical text: built by bm25s, searched here from its saved arrays
    (per-term score lists in CSC form: `indptr`, `indices` = rows, `data` = scores)."""

    def __init__(self, vocabulary: dict[str, int], data: np.ndarray, indices: np.ndarray, indptr: np.ndarray,
                 size: int, model: Any = None, surface: dict[str, int] | None = None,
                 directory: Path | None = None) -> None:
        self.vocabulary = vocabulary
        self.data, self.indices, self.indptr = data, indices, indptr
        self.size = size
        self._model = model  # the bm25s index, only when just built (to save it)
        self._surface = surface
        self._directory = directory

    @property
    def surface(self) -> dict[str, int]:
        """Every word of the passages as they spell it (lower case), with how many passages hold it:
        what a misspelled question word is corrected to (spelling.py). Read on first use."""
        if self._surface is None:
            path = self._directory / SURFACE_WORDS if self._directory else None
            self._surface = json.loads(path.read_text(encoding="utf-8")) if path and path.is_file() else {}
        return self._surface

    @classmethod
    def build(cls, texts: Sequence[str]) -> Lexical:
        if not texts:
            return cls.empty()
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets its own level on import
        model = bm25s.BM25()
        model.index(bm25s.tokenize(list(texts), stopwords=STOPWORDS, stemmer=_stemmer, show_progress=False),
                    show_progress=False)
        scores = model.scores
        return cls(dict(model.vocab_dict), scores["data"], scores["indices"], scores["indptr"], len(texts), model,
                   surface_words(texts))

    @classmethod
    def empty(cls) -> Lexical:
        nothing = np.zeros(0, dtype=np.float32)
        return cls({}, nothing, nothing.astype(np.int32), np.zeros(1, dtype=np.int64), 0)

    def save(self, directory: Path) -> None:
        if self.size and self._model is not None:
            self._model.save(str(directory), show_progress=False)
            (directory / SURFACE_WORDS).write_text(json.dumps(self.surface, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, size: int) -> Lexical:
        """The arrays bm25s saved, memory-mapped; ValueError when they are not BM25 of the plain kind."""
        if not size:
            return cls.empty()
        params = json.loads((directory / "params.index.json").read_text(encoding="utf-8"))
        if params.get("method", "lucene") not in ("lucene", "robertson", "atire"):
            raise ValueError(f"BM25 variant {params.get('method')} scores absent terms too")
        vocabulary = json.loads((directory / "vocab.index.json").read_text(encoding="utf-8"))
        data, indices, indptr = (np.load(directory / f"{name}.csc.index.npy", mmap_mode="r")
                                 for name in ("data", "indices", "indptr"))
        return cls(vocabulary, data, indices, indptr, size, directory=directory)

    def term_weights(self, question: str, *, known_only: bool = False) -> dict[str, float]:
        """The question's terms (stemmed, stopwords aside) with their inverse document frequency in
        the corpus (BM25's idf; a term the corpus lacks weighs as if it were in no passage, or with
        `known_only` is left out)."""
        weights = {}
        for term in set(asked(question)):
            row = self.vocabulary.get(term)
            if known_only and row is None:
                continue
            frequency = 0 if row is None else int(self.indptr[row + 1] - self.indptr[row])
            weights[term] = math.log(1 + (self.size - frequency + 0.5) / (frequency + 0.5))
        return weights

    def known_share(self, text: str) -> float:
        """Share of the text's terms (stemmed, stopwords aside) that some passage holds; 0 for none."""
        terms = _words(text)
        return sum(term in self.vocabulary for term in terms) / len(terms) if terms else 0.0

    def _scores(self, token_ids: list[int]) -> np.ndarray:
        """BM25 score of every passage: the precomputed per-token scores of the question's tokens,
        summed with one bincount."""
        spans = [(self.indptr[t], self.indptr[t + 1]) for t in token_ids]
        rows = np.concatenate([self.indices[a:b] for a, b in spans])
        weights = np.concatenate([self.data[a:b] for a, b in spans])
        return np.bincount(rows, weights=weights, minlength=self.size)

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Rows and BM25 scores of the best `k` passages (only rows where `allowed` is true); none when no
        word of the question is in the corpus."""
        tokens = [token for token in asked(query) if token in self.vocabulary]
        if not tokens or not self.size:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores = self._scores([self.vocabulary[token] for token in tokens])
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        matching = np.flatnonzero(scores)  # usually a small share of the corpus
        k = min(k, len(matching))
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        top = matching[np.argpartition(-scores[matching], k - 1)[:k]]
        top = top[np.argsort(-scores[top], kind="stable")]
        return top.astype(np.int64), scores[top].astype(np.float32)
