"""The retriever: a question in, ranked passages out."""
from __future__ import annotations

import dataclasses
import re

import numpy as np

from .documents import sentence_spans
from .embed import Embedder, embedder_for
from .errors import BadQuery, IndexMismatch
from .passage import Hit
from .store import DocumentRecord, Index

MAX_QUERY_CHARS = 1000


def embedder_of(index: Index) -> Embedder:
    """Questions are embedded by the model that embedded the index, never another."""
    try:
        return embedder_for(index.manifest.model)
    except KeyError:
        raise IndexMismatch(
            f"index at {index.directory} was built with {index.manifest.model}, which this version cannot load; "
            "rebuild it with `readouts ingest --rebuild PATH...`"
        ) from None


def clean_query(query: str) -> str:
    text = " ".join(query.split())
    if not re.search(r"\w", text):
        raise BadQuery("ask a question in words, e.g. What did China say about the Fukushima water release?")
    return text[:MAX_QUERY_CHARS]


class Retriever:
    def __init__(self, index: Index, embedder: Embedder | None = None) -> None:
        self.index = index
        self.embedder = embedder or embedder_of(index)
        if self.embedder.name != index.manifest.model:
            raise IndexMismatch(f"index built with {index.manifest.model}, embedder is {self.embedder.name}")

    @property
    def model(self) -> str:
        return self.index.manifest.model

    @property
    def passage_count(self) -> int:
        return self.index.manifest.passage_count

    def documents(self) -> list[DocumentRecord]:
        return list(self.index.manifest.documents)

    def search(self, query: str, k: int = 5) -> list[Hit]:
        return self.search_by_vector(self.embedder.embed_query(clean_query(query)), k)

    def emphasise(self, query: str, hits: list[Hit]) -> list[Hit]:
        """Mark in each hit of several sentences the one closest to the question (one batched embedding)."""
        spans = [sentence_spans(hit.passage.text, 0, len(hit.passage.text)) for hit in hits]
        sentences = [hit.passage.text[a:b] for hit, hit_spans in zip(hits, spans) if len(hit_spans) > 1
                     for a, b in hit_spans]
        if not sentences:
            return hits
        scores = self.embedder.embed(sentences) @ self.embedder.embed_query(clean_query(query))
        marked, offset = [], 0
        for hit, hit_spans in zip(hits, spans):
            if len(hit_spans) > 1:
                best = int(np.argmax(scores[offset : offset + len(hit_spans)]))
                hit = dataclasses.replace(hit, emphasis=hit_spans[best])
                offset += len(hit_spans)
            marked.append(hit)
        return marked

    def search_by_vector(self, vector: np.ndarray, k: int = 5) -> list[Hit]:
        k = min(k, self.index.vectors.ntotal)
        if k <= 0:
            return []
        scores, rows = self.index.vectors.search(vector.reshape(1, -1).astype(np.float32), k)
        return [
            Hit(self.index.passages[row], float(score), rank)
            for rank, (score, row) in enumerate(zip(scores[0], rows[0]), start=1)
            if row >= 0
        ]
