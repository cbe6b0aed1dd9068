"""The FAISS vector index, chosen by size: exact search while it is fast, IVF with 16-bit codes above.

Exact (flat) inner-product search reads every vector for every question, which stops being cheap
at about EXACT_LIMIT passages. Above it the index is IVF-SQfp16: vectors clustered into about 4√n
lists and stored as half floats (8-bit codes reorder the near-ties that templated readouts are full
of), with the number of lists probed tuned at build time until recall@10 against exact search
reaches TARGET_RECALL. Measurements: docs/benchmarks.md (Scale).
"""
from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import faiss
import numpy as np

EXACT_LIMIT = 20_000
TARGET_RECALL = 0.98  # on the build's own probe queries; questions are measured in the benchmark
PROBE_QUERIES = 200
MIXED = 8
TIE = 1e-4
SUBSET_EXACT = 20_000  # a filter leaving at most this many rows is searched exactly over them


# Questions come one at a time, and OpenMP's fork and join made a single search slower; builds
# use every core.
faiss.omp_set_num_threads(1)


@contextmanager
def _all_cores() -> Iterator[None]:
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(1)


def build(vectors: np.ndarray, *, seed: int = 0) -> faiss.Index:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if len(vectors) <= EXACT_LIMIT:
        flat = faiss.IndexFlatIP(vectors.shape[1])
        flat.add(vectors)
        return flat
    with _all_cores():
        return _approximate(vectors, seed)


def _approximate(vectors: np.ndarray, seed: int) -> faiss.IndexIVF:
    count, dimension = vectors.shape
    lists = lists_for(count)
    index: Any = faiss.index_factory(dimension, f"IVF{lists},SQfp16", faiss.METRIC_INNER_PRODUCT)
    rng = np.random.default_rng(seed)
    index.train(vectors[np.sort(rng.choice(count, min(count, 40 * lists), replace=False))])
    index.add(vectors)
    index.make_direct_map()  # rows can be reconstructed: fusion, duplicates and re-ingest need them
    index.nprobe = tune_probes(index, vectors, rng)
    return index


def lists_for(count: int) -> int:
    """About 4√n lists, a power of two (1,024 at 100k passages, 4,096 at 1M)."""
    return 2 ** round(math.log2(4 * math.sqrt(count)))


def tune_probes(index: faiss.IndexIVF, vectors: np.ndarray, rng: np.random.Generator) -> int:
    """The fewest lists to probe for recall@10 ≥ TARGET_RECALL on queries made of MIXED random
    passages: like questions, they fall between topics, where the nearest passages spread over many
    lists (queries between two passages were too easy: docs/benchmarks.md)."""
    queries = sum(vectors[rng.choice(len(vectors), PROBE_QUERIES)] for _ in range(MIXED))
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    truth, _ = faiss.knn(queries, vectors, 10, metric=faiss.METRIC_INNER_PRODUCT)
    probes = 4
    while probes < index.nlist:
        index.nprobe = probes
        if recall(queries, vectors, index.search(queries, 10)[1], truth) >= TARGET_RECALL:
            break
        probes *= 2
    return min(probes, index.nlist)


def recall(queries: np.ndarray, vectors: np.ndarray, found: np.ndarray, truth: np.ndarray) -> float:
    """recall@k against exact search (`truth`: exact top-k similarities, best first): the share of
    found rows that belong in the exact top k. A row tied with the k-th (within TIE, below the
    precision of half floats) belongs there too: duplicates have no right order."""
    rows = np.where(found >= 0, found, 0)
    similarity = np.einsum("qd,qkd->qk", queries, vectors[rows])
    good = (found >= 0) & (similarity >= truth[:, -1:] - TIE)
    return float(good.sum() / truth.size)


def describe(index: faiss.Index) -> str:
    if isinstance(index, faiss.IndexIVF):
        return f"IVF{index.nlist},SQfp16 (probes {index.nprobe})"
    return "exact (flat)"


def search(index: Any, vector: np.ndarray, k: int, allowed: np.ndarray | None = None) -> np.ndarray:
    """Rows of the `k` nearest vectors, restricted to rows where `allowed` is true."""
    query = vector.reshape(1, -1).astype(np.float32)
    if allowed is None:
        k = min(k, index.ntotal)
        return _rows(index.search(query, k)[1]) if k > 0 else np.zeros(0, dtype=np.int64)
    count = int(allowed.sum())
    k = min(k, count)
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    ivf = isinstance(index, faiss.IndexIVF)
    if ivf and count <= SUBSET_EXACT:  # the probed lists could hold too few of so few rows
        rows = np.flatnonzero(allowed)
        scores = index.reconstruct_batch(rows) @ query[0]
        best = np.argsort(-scores, kind="stable")[:k]
        return rows[best].astype(np.int64)
    bitmap = np.packbits(allowed, bitorder="little")
    selector = faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bitmap))
    params: Any
    if ivf:  # probe more lists in proportion to the rows the filter removes
        probes = min(index.nlist, math.ceil(index.nprobe * len(allowed) / count))
        params = faiss.SearchParametersIVF(sel=selector, nprobe=probes)  # type: ignore[call-arg]
    else:
        params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
    return _rows(index.search(query, k, params=params)[1])


def _rows(found: np.ndarray) -> np.ndarray:
    return found[0][found[0] >= 0].astype(np.int64)
