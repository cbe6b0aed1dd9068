from index.errors import NothingMatches
from index.evaluate import Question, evaluate
from index.passage import Hit, Passage

SWEDEN = Passage(id="sweden-1", doc="state_2022-05-04_linde.txt", text="Sweden prepares to assume the presidency in 2023.",
                 title="Meeting with Swedish Foreign Minister Linde", source="U.S. Department of State",
                 date="2022-05-04", url=None, paragraph=1)
QUESTION = Question(id="t15", q="What will Sweden chair in 2023?", gold=(("state_2022-05-04", "assume the presidency"),))


def test_a_date_in_words_that_excludes_every_readout_is_dropped_as_the_bot_does() -> None:
    asked = []

    def search(question: str, k: int, word_dates: bool = True) -> list[Hit]:
        asked.append(word_dates)
        if word_dates:
            raise NothingMatches("No readouts are dated 2023-01-01 to 2023-12-31.", worded=True)
        return [Hit(SWEDEN, 0.9, 1)]

    scores = evaluate([QUESTION], search, min_similarity=0.5)
    assert asked == [True, False] and scores.hits_at[1] == 1


def test_an_operator_that_excludes_every_readout_counts_as_a_miss() -> None:
    def search(question: str, k: int, word_dates: bool = True) -> list[Hit]:
        raise NothingMatches("No readouts are dated before 2010-01-01.")

    scores = evaluate([QUESTION], search, min_similarity=0.5)
    assert scores.questions == 1 and scores.hits_at[1] == 0 and scores.answered == 0
