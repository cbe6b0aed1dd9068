from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sparse

from index.models.latent import LatentTerms, normalized


@pytest.fixture
def terms() -> LatentTerms:
    rows = sparse.csr_matrix(np.array([[3, 0, 4, 0], [0, 2, 0, 0], [0, 0, 0, 0], [1, 1, 1, 1]], dtype=np.float32))
    return LatentTerms(normalized(rows))


def test_rows_are_unit_length_and_an_empty_row_stays_empty(terms: LatentTerms) -> None:
    lengths = np.sqrt(np.asarray(terms.matrix.multiply(terms.matrix).sum(axis=1)).ravel())
    assert np.allclose(lengths, [1, 1, 0, 1])
    assert terms.matrix[0].toarray().tolist() == [[pytest.approx(0.6), 0, pytest.approx(0.8), 0]]


def test_search_ranks_by_cosine_within_the_allowed_rows(terms: LatentTerms) -> None:
    query = normalized(sparse.csr_matrix(np.array([[1, 0, 1, 0]], dtype=np.float32)))
    assert terms.search(query, 2).tolist() == [0, 3]
    assert terms.search(query, 2, np.array([False, True, True, True])).tolist() == [3, 1]
    assert terms.search(query, 9, np.array([False, False, True, False])).tolist() == [2]
    assert terms.search(query, 1, np.zeros(4, dtype=bool)).tolist() == []


def test_similarities_of_some_rows_match_those_of_all(terms: LatentTerms) -> None:
    query = normalized(sparse.csr_matrix(np.array([[0, 1, 1, 0]], dtype=np.float32)))
    everything = terms.similarities(query)
    assert np.allclose(terms.similarities(query, np.array([3, 0])), everything[[3, 0]])


def test_save_and_load_round_trip(terms: LatentTerms, tmp_path: Path) -> None:
    terms.save(tmp_path / "latent.npz")
    loaded = LatentTerms.load(tmp_path / "latent.npz")
    assert len(loaded) == 4 and (loaded.matrix != terms.matrix).nnz == 0
