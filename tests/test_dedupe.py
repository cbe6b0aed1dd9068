from datetime import date, timedelta

import numpy as np

from index.passage import Passage
from index.retrieve.dedupe import RELEASE_DAYS, unique


def passage(doc: str, text: str, source: str, day: str | None) -> Passage:
    return Passage(f"{doc}#1", doc, text, doc, source, day, None, 1)


def ranked(passages: list[Passage], vectors: list[list[float]], fake_embedder):
    vectors_array = np.array(vectors, dtype=np.float32)
    vectors_array /= np.linalg.norm(vectors_array, axis=1, keepdims=True)
    rows = np.arange(len(passages))
    return unique(rows, np.linspace(0.9, 0.5, len(passages)), vectors_array, 5, passages, fake_embedder)


def test_the_same_paragraph_released_elsewhere_is_folded_into_the_better_hit(fake_embedder) -> None:
    first = passage("a.txt", "Wang Yi met Kamikawa in New York.", "Xinhua", "2024-09-23")
    copy = passage("b.txt", "Wang Yi met Kamikawa in New York on Monday.", "China Daily", "2024-09-24")
    other = passage("c.txt", "Treated water.", "Xinhua", "2024-09-23")
    hits = ranked([first, copy, other], [[1, 0.01, 0], [1, 0.02, 0], [0, 0, 1]], fake_embedder)
    assert [hit.passage for hit in hits] == [first, other] and hits[0].also == (copy,)


def test_one_source_repeating_its_formula_weeks_apart_is_two_facts(fake_embedder) -> None:
    """"Secretary Blinken spoke today with Prime Minister Pashinyan" in May and in July: two calls."""
    may = passage("may.txt", "Secretary Blinken spoke today with Prime Minister Pashinyan.", "State", "2022-05-25")
    july = passage("july.txt", "Secretary Blinken spoke today with Prime Minister Pashinyan .", "State", "2022-07-25")
    hits = ranked([may, july], [[1, 0.01, 0], [1, 0.02, 0]], fake_embedder)
    assert [hit.passage for hit in hits] == [may, july] and hits[0].also == ()
    days_later = passage("later.txt", july.text, "State", (date(2022, 5, 25) + timedelta(RELEASE_DAYS)).isoformat())
    hits = ranked([may, days_later], [[1, 0.01, 0], [1, 0.02, 0]], fake_embedder)
    assert [hit.passage for hit in hits] == [may] and hits[0].also == (days_later,)
