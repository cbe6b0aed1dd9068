"""The sentence of a quoted passage that answers best, to show in bold."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from index.passage import Hit
from index.store.lexical import Lexical, weighted_overlap
from index.text.sentences import sentence_spans


def emphasise(text: str, hits: list[Hit], lexical: Lexical, sentence_vectors: Callable[[str], np.ndarray],
              question_vector: np.ndarray | Callable[[], np.ndarray]) -> list[Hit]:
    """Mark in each hit of several sentences the one closest to the question (`text`, its filters
    removed). The sentence sharing the question's rarest words wins outright (it finds the answering
    sentence more often than cosine does: docs/quality.md); cosine breaks ties, and decides alone when
    no word is shared. Sentences are embedded only for ties, since that costs what a search does."""
    weights = lexical.term_weights(text)
    marked = []
    for hit in hits:
        spans = sentence_spans(hit.passage.text, 0, len(hit.passage.text))
        if len(spans) > 1:
            overlap = np.array(weighted_overlap(weights, [hit.passage.text[a:b] for a, b in spans]))
            tied = np.flatnonzero(overlap == overlap.max())
            if len(tied) > 1:
                vector = question_vector() if callable(question_vector) else question_vector
                closeness = sentence_vectors(hit.passage.text)[tied] @ vector
                tied = tied[[int(np.argmax(closeness))]]
            hit = dataclasses.replace(hit, emphasis=spans[int(tied[0])])
        marked.append(hit)
    return marked
