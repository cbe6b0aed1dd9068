from datetime import date
from pathlib import Path

import pytest

from index.answer.policy import NEAR_MISS, Answerer, quotable
from index.errors import BadQuery, NothingMatches
from index.passage import Hit, Passage
from index.retrieve.search import MAX_QUERY_CHARS, Retriever
from index.store import generations as store


@pytest.fixture(scope="module")
def answerer(seeds_retriever) -> Answerer:
    return Answerer(seeds_retriever, max_results=6, first_page=2)


def test_relevant_hits_only_and_first_page_emphasised(answerer: Answerer) -> None:
    answer = answerer.answer("When was the Beijing-Tokyo Forum launched?")
    quoted = [hit.passage for hit in answer.hits]
    assert answer.found and quoted == [hit.passage for hit in answer.ranked if hit.passage in quoted]  # ranked order
    first = next(at for at, hit in enumerate(answer.hits) if hit.relevance >= 0)
    assert all(hit.relevance >= 0 for hit in answer.hits[first:])  # below the first relevant hit, only relevant ones
    assert answer.hits[0].emphasis is not None
    start, end = answer.hits[0].emphasis
    assert "2005" in answer.hits[0].passage.text[start:end]
    assert all(hit.emphasis is None for hit in answer.hits[2:])
    later = answerer.emphasised(answer, range(2, len(answer.hits)))
    assert [h.passage for h in later.hits] == [h.passage for h in answer.hits]


def test_quoted_are_the_relevant_hits_and_every_hit_ranked_above_the_first_of_them() -> None:
    hits = [Hit(Passage(f"d-{n}", "d.txt", f"Paragraph {n}.", "Talks", "State", None, None, n), 0.5, n,
                relevance=relevance) for n, relevance in enumerate([-0.05, -0.2, 0.01, -0.1, 0.3, -0.3], 1)]
    assert [hit.rank for hit in quotable(hits)] == [1, 2, 3, 5]
    assert [hit.rank for hit in quotable(hits, shift=0.1)] == [1, 2, 3, 4, 5]
    assert quotable(hits, shift=0.5) == () and quotable([]) == ()


def test_off_topic_finds_nothing(answerer: Answerer) -> None:
    assert not answerer.answer("How do I bake sourdough bread at home?").found


def test_long_message_is_cut_with_a_notice(answerer: Answerer) -> None:
    answer = answerer.answer("Fukushima discharge of contaminated water " * 60)
    assert len(answer.question) <= MAX_QUERY_CHARS and "first" in answer.notice


@pytest.mark.parametrize("text", ["", "\x00\x01\x02", "   \n  "])
def test_nothing_to_search_is_a_bad_query(answerer: Answerer, text: str) -> None:
    with pytest.raises(BadQuery):
        answerer.answer(text)


def test_a_year_no_readout_is_dated_in_is_said_first_and_answered_only_by_a_passage_naming_it(
        answerer: Answerer) -> None:
    """"in 2005" may date what is asked about, not the readout: every readout is searched, and a
    passage that names the year answers."""
    answer = answerer.answer("When was the Beijing-Tokyo Forum launched, in 2005?")
    assert answer.notice.startswith("No readouts are dated 2005-01-01 to 2005-12-31.")
    assert "searched them all" in answer.notice
    dates = sorted(record.date for record in answerer.library.documents() if record.date)
    first, last = (date.fromisoformat(day).strftime("%B %Y") for day in (dates[0], dates[-1]))
    assert f"The readouts run from {first} to {last}" in answer.notice  # said before anything else
    assert answer.found and all("2005" in hit.passage.text for hit in answer.hits)


def test_a_year_outside_the_readouts_that_no_passage_names_is_not_answered(answerer: Answerer) -> None:
    """Passages on the subject but dated and written without the year asked about are related, not
    an answer to "… in 2030?"."""
    answer = answerer.answer("What was said about Fukushima's treated water in 2030?")
    assert not answer.found
    assert answer.notice.startswith("No readouts are dated 2030-01-01 to 2030-12-31.")
    assert any("Fukushima" in hit.passage.text for hit in answer.related)


def test_a_day_without_its_year_after_the_readouts_end_is_said_first_and_not_answered(answerer: Answerer) -> None:
    """"the October 7 attack" read as the latest October 7: after the newest readout, and no readout of
    any year is dated October 7, so the answer says when the readouts run and quotes nothing undated."""
    answer = answerer.answer("What did China say about Fukushima treated water after the October 7 attack?")
    assert answer.notice.startswith("No readouts are dated October 7. The readouts run from")  # no year guessed
    assert "The readouts run from" in answer.notice and not answer.found
    assert any("Fukushima" in hit.passage.text for hit in answer.related)


def test_a_day_without_its_year_that_a_readout_is_dated_on_is_left_to_the_words(answerer: Answerer) -> None:
    dated = next(record.date for record in answerer.library.documents() if record.date)
    day = date.fromisoformat(dated)
    answer = answerer.answer(f"Wang Yi and Japan on {day.strftime('%B')} {day.day}")
    assert answer.notice is None and answer.found


def test_readouts_that_give_no_date_answer_a_dated_question_no_dated_readout_answers(answerer: Answerer) -> None:
    """No date filter can place a readout that gives no date: when none of the dated readouts in
    range answers, the undated ones are searched, and the answer says so."""
    undated = {record.doc for record in answerer.library.documents() if not record.date}
    assert undated  # the seeds' security dialogue gives no date
    answer = answerer.answer("sun weidong yamada security dialogue december 2024")
    assert answer.found and {hit.passage.doc for hit in answer.hits} <= undated
    assert answer.notice == "No readout dated 2024-12-01 to 2024-12-31 answers this; these readouts give no date."
    dated = answerer.answer("What did Wang Yi say about the Beijing-Tokyo Forum in December 2024?")
    assert dated.found and dated.notice is None and all(hit.passage.date for hit in dated.hits)


def test_an_operator_that_excludes_every_readout_is_kept(answerer: Answerer) -> None:
    with pytest.raises(NothingMatches):
        answerer.answer("Fukushima treated water before:2010")


def test_a_lower_min_score_quotes_more(seeds_retriever) -> None:
    question = "What did the two sides say about exchanges between young people?"
    strict = Answerer(seeds_retriever, min_score=0.6).answer(question, emphasis=False)
    loose = Answerer(seeds_retriever, min_score=0.2).answer(question, emphasis=False)
    assert len(strict.hits) < len(loose.hits) and all(hit.score >= 0.2 for hit in loose.hits)


def test_answers_as_json_say_whether_they_answered(answerer: Answerer) -> None:
    data = answerer.answer("How do I bake sourdough bread at home?").to_json()
    assert data["answered"] is False and data["results"] == [] and data["missing"] == []
    data = answerer.answer("When was the Beijing-Tokyo Forum launched?").to_json()
    assert data["answered"] is True and data["results"] and not any(r.get("related") for r in data["results"])


def test_passages_just_under_the_bar_are_shown_as_related_not_as_an_answer(seeds_retriever) -> None:
    question = "Are the two militaries going to get an emergency hotline?"
    best = Answerer(seeds_retriever, min_score=0.0).answer(question, emphasis=False).hits[0]
    near = Answerer(seeds_retriever, min_score=best.score + NEAR_MISS / 2, first_page=2).answer(question)
    assert not near.answered and near.hits == () and not near.missing
    assert near.related and near.related[0].passage == best.passage and len(near.related) <= 2
    assert all(result["related"] for result in near.to_json()["results"])
    far = Answerer(seeds_retriever, min_score=best.score + 2 * NEAR_MISS).answer(question)
    assert not far.answered and far.related == ()


def test_a_name_no_readout_mentions_is_said_and_the_nearest_passages_are_only_related(answerer: Answerer) -> None:
    answer = answerer.answer("What did Wang Yi tell Hakan Fidan about the Korean Peninsula?")
    assert answer.missing == ("Hakan Fidan",) and not answer.answered and answer.hits == ()
    assert answer.related and all(hit.relevance >= 0 or hit.score > 0 for hit in answer.related)
    data = answer.to_json()
    assert data["answered"] is False and data["missing"] == ["Hakan Fidan"]
    assert data["results"] and all(result["related"] for result in data["results"])


def test_capitals_and_roles_are_not_reported_missing(answerer: Answerer) -> None:
    answer = answerer.answer("What did Beijing's top diplomat say to Tokyo about the Beijing-Tokyo Forum?")
    assert answer.missing == () and answer.answered


@pytest.mark.parametrize("question", ["kamikawa", "Kamikawa", "yamada", "what did the readouts say about kamikawa"])
def test_a_name_alone_or_in_lower_case_quotes_the_passages_that_hold_it(answerer: Answerer, question: str) -> None:
    answer = answerer.answer(question)
    name = question.split()[-1].lower()
    assert answer.found and not answer.missing
    assert all(name in hit.passage.lexical_text.lower() for hit in answer.hits[:3])


def test_a_misspelled_name_is_searched_as_the_readouts_spell_it_and_the_answer_says_so(answerer: Answerer) -> None:
    answer = answerer.answer("kamikwa")
    assert answer.corrections == (("kamikwa", "kamikawa"),) and answer.notice == "Showing results for kamikawa."
    assert answer.found and "Kamikawa" in answer.hits[0].passage.text
    assert answer.to_json()["corrections"] == {"kamikwa": "kamikawa"}


def test_a_name_no_readout_holds_is_reported_in_lower_case_too(answerer: Answerer) -> None:
    for question in ("zaporizhzhia water", "Zaporizhzhia water"):
        answer = answerer.answer(question)
        assert not answer.found and [term.lower() for term in answer.missing] == ["zaporizhzhia"]


def test_a_timeline_spans_the_readouts_one_passage_each_oldest_and_newest_kept(state_dept_index: Path) -> None:
    answerer = Answerer(Retriever(store.load(state_dept_index)))
    pool = answerer.answer("kuleba", 60, emphasis=False).hits
    readouts = {hit.passage.doc for hit in pool}
    assert len(readouts) > 4
    timeline = answerer.timeline("kuleba", 4)
    docs = [hit.passage.doc for hit in timeline.hits]
    dates = [hit.passage.date for hit in timeline.hits]
    assert len(docs) == len(set(docs)) == 4 and set(docs) <= readouts
    assert dates == sorted(dates)
    assert (dates[0], dates[-1]) == (min(h.passage.date for h in pool), max(h.passage.date for h in pool))
    assert len(answerer.timeline("kuleba", 100).hits) == len(readouts)  # fewer readouts than asked: all of them
