"""A reply to an answer read together with the question it answered (index/answer/followup.py)."""
from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from index.answer.followup import leans_on_earlier, read_with
from index.retrieve.query import parse_query

EARLIER = "What did China say about the Fukushima water release?"
TODAY = date(2026, 12, 1)


def test_a_short_follow_up_keeps_the_earlier_subject() -> None:
    combined = read_with("And what did Russia say?", EARLIER, TODAY)
    assert combined is not None and combined.startswith("And what did Russia say?")
    assert "Fukushima water release" in combined


def test_a_question_that_stands_alone_is_searched_alone() -> None:
    alone = "What did Secretary Blinken discuss with the Turkish foreign minister about Ukraine in May 2021?"
    assert not leans_on_earlier(alone) and read_with(alone, EARLIER, TODAY) is None


def test_pronouns_and_an_opening_and_make_a_longer_question_lean_on_the_earlier_one() -> None:
    assert leans_on_earlier("Did he say anything about the role of the Japanese business community there?")
    assert leans_on_earlier("And what did the two foreign ministers agree on at the end of their meeting?")


def test_the_follow_ups_own_dates_replace_the_earlier_questions() -> None:
    combined = read_with("What about in 2019?", "What did Wang Yi say about Taiwan in 2018?", TODAY)
    assert combined is not None and "2018" not in combined and "Taiwan" in combined
    query = parse_query(combined, TODAY)
    assert query.start == date(2019, 1, 1) and query.end == date(2020, 1, 1)


def test_without_dates_of_its_own_the_follow_up_keeps_the_earlier_filters() -> None:
    combined = read_with("And Russia?", "Fukushima water release since 2023", TODAY)
    assert combined is not None and parse_query(combined, TODAY).start == date(2023, 1, 1)


def test_chinese_and_japanese_follow_ups() -> None:
    assert read_with("那俄罗斯呢？", "中方对福岛核污染水排海有何表态？", TODAY) == "那俄罗斯呢？ 中方对福岛核污染水排海有何表态？"
    assert leans_on_earlier("ではロシアは？")
    assert not leans_on_earlier("中方如何评价中日两国外长在北京举行的第十四轮中日战略对话及其成果？")


@given(st.text(max_size=300), st.text(max_size=300))
def test_any_follow_up_gives_a_question_that_holds_it_or_none(question: str, earlier: str) -> None:
    combined = read_with(question, earlier, TODAY)
    assert combined is None or combined.startswith(question.strip())
