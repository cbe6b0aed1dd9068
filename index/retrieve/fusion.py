"""Fusing the dense and BM25 rankings of the same candidates into one hybrid score.

Both scores are min-max scaled over the candidates, then blended. A fixed blend lets BM25 speak with
full weight even when its best passage matches only a word or two of the question: min-max
stretches that weak signal to the same range as a match of every name. So an embedder may have the
blend set per question by its lexical evidence, the share of the question's idf mass that the best
BM25 passage holds: BM25 then weighs (1 - dense_weight) x sqrt(evidence) (docs/quality-fusion.md).
"""
from __future__ import annotations

import math

import numpy as np

from index.store.lexical import weighted_overlap

EVIDENCE_POWER = 0.5  # BM25's share grows as evidence ** this


def scaled(values: np.ndarray) -> np.ndarray:
    """Min-max scaled to [0, 1] over the candidates (all zero when they tie)."""
    spread = float(np.ptp(values)) if len(values) else 0.0
    return (values - values.min()) / spread if spread else np.zeros_like(values, dtype=np.float64)


def lexical_evidence(weights: dict[str, float], best: str) -> float:
    """Share of the question's term weights (idf, Lexical.term_weights: a term no passage holds
    weighs most) that the text of the best BM25 passage holds; 0 for a question without terms."""
    total = sum(weights.values())
    return weighted_overlap(weights, [best])[0] / total if total else 0.0


def blend(similarities: np.ndarray, bm25: np.ndarray, dense_weight: float, evidence: float | None = None) -> np.ndarray:
    """Convex blend of min-max scaled cosine and BM25 scores of the same candidates: BM25 weighs
    1 - dense_weight, scaled by `evidence` ** EVIDENCE_POWER (lexical_evidence) when given."""
    lexical_weight = 1 - dense_weight
    if evidence is not None:
        lexical_weight *= math.pow(max(0.0, min(1.0, evidence)), EVIDENCE_POWER)
    return (1 - lexical_weight) * scaled(similarities) + lexical_weight * scaled(bm25.astype(np.float64))
