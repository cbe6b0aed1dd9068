"""One hit per fact: a passage nearly identical to a better one (the same paragraph in another
release of the same readout) is folded into it as "also"."""
from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

from .embed import Embedder
from .passage import Hit, Passage


def unique(rows: np.ndarray, similarities: np.ndarray, vectors: np.ndarray, k: int, passages: Sequence[Passage],
           embedder: Embedder) -> list[Hit]:
    """The first `k` distinct facts among ranked candidates, each with the near-copies it folds.

    Each kept hit's vector is compared with every candidate's at once; only candidates close to a
    kept hit are read from disk, to compare words when titles made the vectors differ. The levels
    are the embedder's own (their cosines sit on different scales)."""
    same_text, duplicate = embedder.same_text_similarity, embedder.duplicate_similarity
    closeness: dict[int, list[float]] = {}  # a kept position's cosine to every candidate
    kept: list[int] = []  # positions in rows
    folded: dict[int, list[Passage]] = {}
    passage_at = functools.cache(lambda position: passages[int(rows[position])])
    words_at = functools.cache(lambda position: passage_at(position).text.split())
    for position in range(len(rows)):
        near = [i for i in kept if closeness[i][position] >= same_text]
        twin = next((i for i in near if closeness[i][position] >= duplicate or words_at(i) == words_at(position)), None)
        if twin is not None:
            if passage_at(position).doc != passage_at(twin).doc:
                folded.setdefault(twin, []).append(passage_at(position))
        elif len(kept) < k:
            kept.append(position)
            closeness[position] = (vectors @ vectors[position]).tolist()
    return [Hit(passage_at(i), float(similarities[i]), rank, also=tuple(folded.get(i, ())))
            for rank, i in enumerate(kept, start=1)]
