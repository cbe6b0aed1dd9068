"""One hit per fact: a passage nearly identical to a better one (the same paragraph in another
release of the same readout) is folded into it as "also"."""
from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date

import numpy as np

from index.models.embed import Embedder
from index.passage import Hit, Passage

RELEASE_DAYS = 7  # a readout's other releases (another outlet, a later copy) appear within days


def one_release(kept: Passage, other: Passage) -> bool:
    """Whether two near-identical passages may be one readout released twice: not when one source
    dated them weeks apart, which is a formula repeated for another call or meeting ("Secretary
    Blinken spoke today with Prime Minister Pashinyan …")."""
    if kept.source != other.source or not kept.date or not other.date:
        return True
    return abs((date.fromisoformat(kept.date) - date.fromisoformat(other.date)).days) <= RELEASE_DAYS


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
        twin = next((i for i in near if words_at(i) == words_at(position) or (
            closeness[i][position] >= duplicate and one_release(passage_at(i), passage_at(position)))), None)
        if twin is not None:
            if passage_at(position).doc != passage_at(twin).doc:
                folded.setdefault(twin, []).append(passage_at(position))
        elif len(kept) < k:
            kept.append(position)
            closeness[position] = (vectors @ vectors[position]).tolist()
    return [Hit(passage_at(i), float(similarities[i]), rank, also=tuple(folded.get(i, ())))
            for rank, i in enumerate(kept, start=1)]
