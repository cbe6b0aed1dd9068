from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from index.answer.policy import Answerer
from index.errors import NothingMatches
from index.evaluate import Question, evaluate, half
from index.passage import Hit, Passage
from index.retrieve.query import Query, parse_query
from index.retrieve.spelling import Spelling

SWEDEN = Passage(id="sweden-1", doc="state_2022-05-04_linde.txt", text="Sweden prepares to assume the presidency in 2023.",
                 title="Meeting with Swedish Foreign Minister Linde", source="U.S. Department of State",
                 date="2022-05-04", url=None, paragraph=1)
QUESTION = Question(id="t15", q="What will Sweden chair in 2023?", gold=(("state_2022-05-04", "assume the presidency"),))


class Stub:
    """A retriever whose search (`find`) is the test's function; its own snapshot, as a Retriever is."""

    generation = "gen-stub"

    def __init__(self, find) -> None:
        self.find = find

    @contextmanager
    def snapshot(self) -> Iterator["Stub"]:
        yield self

    def parse(self, question: str) -> Query:
        return parse_query(question, date.today())

    def missing(self, query: Query) -> list[str]:
        return []

    def spelling(self, question: str) -> Spelling:
        return Spelling(question)

    def undated(self) -> list[str]:
        return []


def test_a_date_in_words_that_excludes_every_readout_is_dropped_as_the_bot_does() -> None:
    asked = []

    def search(query: Query, k: int, **options) -> list[Hit]:
        asked.append(query.start is not None)
        if query.start is not None:
            raise NothingMatches("No readouts are dated 2023-01-01 to 2023-12-31.", worded=True)
        return [Hit(SWEDEN, 0.9, 1, relevance=0.1)]

    scores = evaluate([QUESTION], Answerer(Stub(search)))
    assert asked == [True, False] and scores.hits_at[1] == 1 and scores.answered == 1


def test_an_operator_that_excludes_every_readout_counts_as_a_miss() -> None:
    def search(query: Query, k: int, **options) -> list[Hit]:
        raise NothingMatches("No readouts are dated before 2010-01-01.")

    scores = evaluate([QUESTION], Answerer(Stub(search)))
    assert scores.questions == 1 and scores.hits_at[1] == 0 and scores.answered == 0


def test_a_gold_passage_below_the_bar_still_counts_for_rank_but_not_as_answered() -> None:
    scores = evaluate([QUESTION], Answerer(Stub(lambda q, k, **options: [Hit(SWEDEN, 0.1, 1, relevance=-0.3)])))
    assert scores.hits_at[1] == 1 and scores.answered == 0


def test_the_split_into_halves_is_fixed_and_near_even() -> None:
    ids = [f"q{n:03d}" for n in range(400)]
    assert [half(i) for i in ids] == [half(i) for i in ids]
    assert 160 < sum(half(i) == "tuning" for i in ids) < 240
