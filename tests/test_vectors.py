import faiss
import numpy as np
import pytest

from index.store import vectors


@pytest.fixture(scope="module")
def clustered() -> np.ndarray:
    """Unit vectors in 200 topics, like passages about a few hundred subjects."""
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(200, 64))
    points = centres[rng.integers(0, 200, 20_000)] + rng.normal(size=(20_000, 64)) * 0.7
    return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def approximate(clustered: np.ndarray) -> faiss.Index:
    original = vectors.EXACT_LIMIT
    vectors.EXACT_LIMIT = 5_000
    try:
        return vectors.build(clustered)
    finally:
        vectors.EXACT_LIMIT = original


def queries(clustered: np.ndarray, count: int = 100) -> np.ndarray:
    rng = np.random.default_rng(11)
    mixed = clustered[rng.integers(0, len(clustered), count)] + rng.normal(size=(count, clustered.shape[1])) * 0.05
    return (mixed / np.linalg.norm(mixed, axis=1, keepdims=True)).astype(np.float32)


def test_small_collections_are_searched_exactly(clustered: np.ndarray) -> None:
    index = vectors.build(clustered[:1000])
    assert isinstance(index, faiss.IndexFlatIP) and vectors.describe(index) == "exact (flat)"
    assert vectors.search(index, clustered[3], 1).tolist() == [3]


def test_large_collections_get_an_ivf_index_tuned_to_the_recall_target(clustered, approximate) -> None:
    assert isinstance(approximate, faiss.IndexIVF) and approximate.nlist == vectors.lists_for(len(clustered))
    assert 1 <= approximate.nprobe < approximate.nlist
    asked = queries(clustered)
    found = np.stack([np.pad(vectors.search(approximate, q, 10), (0, 10))[:10] for q in asked])
    truth, _ = faiss.knn(asked, clustered, 10, metric=faiss.METRIC_INNER_PRODUCT)
    assert vectors.recall(asked, clustered, found, truth) >= 0.95
    assert np.abs(approximate.reconstruct_batch(np.arange(50)) - clustered[:50]).max() < 0.002  # half floats


def test_filters_hold_on_both_paths_and_keep_the_best_allowed_rows(clustered, approximate) -> None:
    question = queries(clustered, 1)[0]
    scores = clustered @ question
    for allowed in (np.arange(len(clustered)) % 7 == 0,  # few rows: searched exactly
                    np.arange(len(clustered)) < 15_000):  # many rows: the IVF index, probing more lists
        rows = vectors.search(approximate, question, 5, allowed)
        assert len(rows) == 5 and allowed[rows].all()
        best = np.flatnonzero(allowed)[np.argmax(scores[allowed])]
        assert rows[0] == best
    assert vectors.search(approximate, question, 5, np.zeros(len(clustered), dtype=bool)).size == 0


def test_recall_counts_rows_that_belong_in_the_top_k_and_ties_with_its_last(clustered) -> None:
    asked = queries(clustered, 5)
    truth_scores, truth_rows = faiss.knn(asked, clustered, 10, metric=faiss.METRIC_INNER_PRODUCT)
    assert vectors.recall(asked, clustered, truth_rows, truth_scores) == 1.0
    half = truth_rows.copy()
    half[:, 5:] = -1  # found only five of ten
    assert vectors.recall(asked, clustered, half, truth_scores) == 0.5
    twins = np.vstack([clustered, clustered[truth_rows[:, -1]]])  # a duplicate of each 10th-best row
    swapped = truth_rows.copy()
    swapped[:, -1] = len(clustered) + np.arange(5)
    assert vectors.recall(asked, twins, swapped, truth_scores) == 1.0


def test_the_tuned_index_survives_a_round_trip(tmp_path, approximate) -> None:
    faiss.write_index(approximate, str(tmp_path / "index.faiss"))
    loaded = faiss.read_index(str(tmp_path / "index.faiss"))
    assert loaded.nprobe == approximate.nprobe and loaded.reconstruct(5).shape == (64,)
