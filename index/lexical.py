"""BM25 ranking (bm25s, with English stemming): names, acronyms and set phrases that embeddings blur."""
from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

logging.getLogger("bm25s").setLevel(logging.WARNING)
_stemmer = Stemmer.Stemmer("english")


def _tokens(texts: Sequence[str]) -> list[list[str]]:
    return bm25s.tokenize(list(texts), stopwords="en", stemmer=_stemmer, return_ids=False, show_progress=False)


class Lexical:
    def __init__(self, model: bm25s.BM25, size: int) -> None:
        self.model = model
        self.size = size

    @classmethod
    def build(cls, texts: Sequence[str]) -> "Lexical":
        model = bm25s.BM25()
        if texts:
            model.index(bm25s.tokenize(list(texts), stopwords="en", stemmer=_stemmer, show_progress=False),
                        show_progress=False)
        return cls(model, len(texts))

    def save(self, directory: Path) -> None:
        if self.size:
            self.model.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path, size: int) -> "Lexical":
        model = bm25s.BM25.load(str(directory), show_progress=False, verbosity=0) if size else bm25s.BM25()
        return cls(model, size)

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Rows and BM25 scores of the best `k` passages (only rows where `allowed` is true); none when no
        word of the question is in the corpus."""
        vocabulary = self.model.vocab_dict or {}
        tokens = [token for token in _tokens([query])[0] if token in vocabulary]
        if not tokens or not self.size:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        k = min(k, self.size if allowed is None else int(allowed.sum()))
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        mask = None if allowed is None else allowed.astype(np.float32)
        rows, scores = self.model.retrieve([tokens], k=k, show_progress=False, weight_mask=mask, n_threads=1)
        keep = scores[0] > 0
        return rows[0][keep].astype(np.int64), scores[0][keep]
