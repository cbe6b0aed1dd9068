from datetime import date

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from index.passage import Passage
from index.retrieve.query import is_keywords, parse_query, speaks_of_months

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize("question, start, end", [
    ("What did Wang Yi say in 2017?", date(2017, 1, 1), date(2018, 1, 1)),
    ("talks in September 2024", date(2024, 9, 1), date(2024, 10, 1)),
    ("Taiwan since 2022", date(2022, 1, 1), None),
    ("Taiwan after 2021", date(2022, 1, 1), None),
    ("what was agreed before the 2023 dialogue", None, date(2023, 1, 1)),
    ("sanctions until 2020", None, date(2021, 1, 1)),
    ("what happened last year", date(2025, 1, 1), date(2026, 1, 1)),
    ("statements this year", date(2026, 1, 1), None),
    ("calls last month", date(2026, 10, 1), date(2026, 11, 1)),
    ("Fukushima after:2023-01-01 before:2024", date(2023, 1, 1), date(2024, 1, 1)),
    ("Fukushima after:2023", date(2024, 1, 1), None),
    ("December 2024 since:2024-12-03", date(2024, 12, 3), date(2025, 1, 1)),
    ("王毅和河野太郎2017年9月在哪里会面？", date(2017, 9, 1), date(2017, 10, 1)),
    ("2024年に上川外相は何と言いましたか？", date(2024, 1, 1), date(2025, 1, 1)),
    ("第17回日中安全保障対話", None, None),
])
def test_dates_in_words_and_operators_become_a_range(question: str, start, end) -> None:
    query = parse_query(question, TODAY)
    assert (query.start, query.end) == (start, end)


def test_operators_leave_the_text_and_sources_are_collected() -> None:
    query = parse_query('Fukushima water source:Xinhua source:"China Daily" after:2020-01-01', TODAY)
    assert query.text == "Fukushima water"
    assert query.sources == ("Xinhua", "China Daily")
    assert query.describe() == "dated 2020-01-01 or later, from Xinhua or China Daily"


def test_natural_date_phrases_stay_in_the_text() -> None:
    assert parse_query("What did Wang Yi say in 2017?", TODAY).text == "What did Wang Yi say in 2017?"


@pytest.mark.parametrize("question", ["latest on Fukushima", "the most recent talks", "What did they say recently?",
                                      "What is the latest on Taiwan?", "What's the latest?"])
def test_latest_is_recognised(question: str) -> None:
    assert parse_query(question, TODAY).latest


def test_latest_as_an_adjective_is_not_a_request_for_recency() -> None:
    assert not parse_query("What did Blinken say about the latest tranche of security assistance?", TODAY).latest


def test_plain_question_has_no_filters() -> None:
    query = parse_query("What is the dual-track approach?", TODAY)
    assert not query.has_filters and not query.latest and query.describe() == ""


def test_an_operator_naming_no_date_is_an_error_not_ignored() -> None:
    from index.errors import BadQuery
    with pytest.raises(BadQuery, match="after:someday is not a date"):
        parse_query("talks after:someday", TODAY)


@pytest.mark.parametrize("question", ["What will Sweden chair in 2023?", "瑞典将于2023年担任什么职务？"])
def test_dates_in_words_can_be_dropped_and_say_they_were_there(question: str) -> None:
    query = parse_query(question, TODAY)
    assert query.worded and query.start == date(2023, 1, 1)
    plain = parse_query(question, TODAY, word_dates=False)
    assert not plain.worded and not plain.has_filters and plain.text == query.text


@pytest.mark.parametrize("question", ["What will Sweden chair in 2023?", "Fukushima in 2023 before:2010",
                                      "calls last month source:Xinhua", "December 2024 since:2024-12-03",
                                      "瑞典将于2023年担任什么职务？", "latest on Kuleba", "Fukushima water"])
def test_a_query_drops_its_word_dates_as_reading_the_question_without_them_does(question: str) -> None:
    assert parse_query(question, TODAY).without_word_dates() == parse_query(question, TODAY, word_dates=False)


def test_operators_stay_when_dates_in_words_are_dropped() -> None:
    query = parse_query("Fukushima in 2023 before:2010", TODAY, word_dates=False)
    assert (query.start, query.end, query.worded) == (None, date(2010, 1, 1), False)
    assert not parse_query("Fukushima before:2010", TODAY).worded


@pytest.mark.parametrize("question", ["Fukushima after:2023-13-45", "talks before:0000", "since:2023-02-30 calls",
                                      "from:yesterday Taiwan", "until:2024-1-99 sanctions"])
def test_a_filter_that_is_no_date_is_a_clear_error(question: str) -> None:
    from index.errors import BadQuery
    with pytest.raises(BadQuery, match="is not a date: write"):
        parse_query(question, TODAY)



_PIECES = st.sampled_from(["after:", "before:", "since:", "until:", "from:", "source:", "in ", "since ", "before ",
                           "last ", "2023", "2023-04", "2023-04-31", "13", "-", "年", "月", "latest", " ", "May"])


@hypothesis_settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES | st.text(max_size=5), max_size=12).map("".join))
def test_any_question_parses_or_gets_a_clear_reason(question: str) -> None:
    from index.errors import BadQuery
    try:
        query = parse_query(question, TODAY)
    except BadQuery as error:
        assert "is not a date" in str(error)
        return
    assert query.start is None or query.end is None or query.start <= query.end or query.describe()


def test_latest_last_and_most_recent_ask_for_the_newest_and_are_not_searched_for() -> None:
    today = date(2024, 1, 1)
    for question, searched in [("kuleba latest", "kuleba"), ("latest stoltenberg call", "stoltenberg call"),
                               ("When did Blinken last speak with Kuleba?", "When did Blinken speak with Kuleba?"),
                               ("pashinyan most recent call", "pashinyan call"),
                               ("last time blinken met jaishankar", "blinken met jaishankar")]:
        query = parse_query(question, today)
        assert query.latest and query.text == searched, question
    for question in ("the latest tranche of aid", "what did they discuss last year", "the last round of talks"):
        query = parse_query(question, today)
        assert not query.latest and query.text == question, question


def test_newest_as_an_adjective_of_the_thing_asked_about_is_no_recency() -> None:
    query = parse_query("Who joined the Friends of the Mekong as its newest member?", date(2024, 1, 1))
    assert not query.latest and "newest" in query.text
    assert parse_query("newest readouts on tigray", date(2024, 1, 1)).latest


def test_a_date_in_words_ends_a_week_later_for_publication_and_an_operator_exactly() -> None:
    worded = parse_query("Taliban talks in June 2022", date(2026, 1, 1))
    assert (worded.start, worded.end, worded.published_before) == (date(2022, 6, 1), date(2022, 7, 1), date(2022, 7, 8))
    exact = parse_query("Taliban talks before:2022-07 since June 2022", date(2026, 1, 1))
    assert exact.end == exact.published_before == date(2022, 7, 1)


@pytest.mark.parametrize("question", ["kosovo serbia license plates", "kuleba latest", "Zelensky", "g7 hiroshima summit",
                                      "before:2022 kuleba", "fukushima water release china"])
def test_a_few_words_typed_as_a_search_are_keywords(question: str) -> None:
    assert is_keywords(question)
    assert parse_query(question, date(2024, 1, 1)).keywords


@pytest.mark.parametrize("question", ["What did Blinken say about Kuleba?", "did blinken meet xi", "kuleba in brussels?",
                                      "tell me about the grain deal", "how is the black sea grain initiative",
                                      "Blinken and Kuleba discussed the grain corridor in July", "外交部发言人？"])
def test_a_sentence_or_a_question_is_not(question: str) -> None:
    assert not is_keywords(question)
    assert not parse_query(question, date(2024, 1, 1)).keywords


def test_a_month_no_readout_is_dated_in_is_spoken_of_only_by_name() -> None:
    def passage(text: str, dated: str) -> Passage:
        return Passage("p-1", "a.txt", text, "Call", "State", dated, None, 1)

    september = (date(2022, 9, 1), date(2022, 10, 1))
    assert not speaks_of_months(passage("The Secretary discussed Ukraine with the Foreign Secretary.", "2022-06-02"),
                                *september)  # dated in the year, silent on the month
    assert speaks_of_months(passage("They will meet at the General Assembly in September.", "2022-08-10"), *september)
    assert not speaks_of_months(passage("They met in September.", "2021-08-10"), *september)  # another year's
    assert speaks_of_months(passage("The summit of September 2022 will follow.", "2021-05-10"), *september)
    assert speaks_of_months(passage("Anything.", "2022-09-12"), *september)
    assert not speaks_of_months(passage("The Septembers of Kyiv.", "2022-08-10"), *september)  # a word, not the month


@pytest.mark.parametrize(("question", "start", "end"), [
    ("Before the April 2022 round, when had they last met?", None, date(2022, 5, 1)),  # the month, not the year
    ("What did Blinken urge after the April 2022 clashes?", date(2022, 4, 1), None),  # the month kept: its days
    ("kuleba after 2021", date(2022, 1, 1), None),
    ("since March 2022 kuleba", date(2022, 3, 1), None),
    ("kuleba until may 2022", None, date(2022, 6, 1)),
    ("What did Blinken urge in the last week of July 2021?", date(2021, 7, 1), date(2021, 8, 1)),  # no "last week"
])
def test_a_bound_reads_the_month_it_names(question: str, start: date | None, end: date | None) -> None:
    query = parse_query(question, date(2026, 12, 7))
    assert (query.start, query.end) == (start, end)
