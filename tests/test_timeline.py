"""By date (bot/handlers.py, bot/render.py): `/timeline <question>` and the By date button list the
passages the answer policy quotes oldest first, one line each (date, speaker, best sentence, link),
within one Telegram message; end to end over the State Department readouts."""
from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
from botharness import application_for, processing
from fakebotapi import Call, FakeBotApi

from bot import handlers, render
from bot.render import TELEGRAM_LIMIT
from index import Answer, Answerer, Hit, Passage
from index.retrieve.search import Retriever
from index.store import generations as store

pytestmark = [pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")]
USER = 1001
LINE = re.compile(r"^• <b>(\d{4}-\d{2}-\d{2})</b> · (?:(.+?): )?“(.+)”(?: <a href=\"([^\"]+)\">link</a>)?$")


@pytest.fixture(scope="module")
def state_retriever(state_dept_index: Path) -> Retriever:
    return Retriever(store.load(state_dept_index))


@pytest.fixture
def bot(fake_api: FakeBotApi, state_retriever: Retriever, tmp_path: Path) -> Callable:
    return lambda **overrides: processing(application_for(fake_api, state_retriever, tmp_path / "state.json",
                                                          **overrides), fake_api)


def sent(calls: list[Call], method: str = "sendMessage") -> list[dict]:
    return [call.params for call in calls if call.method == method]


def timeline_lines(html: str) -> list[re.Match[str]]:
    """The lines of a timeline message after its heading, each parsed (None: not a timeline line)."""
    return [LINE.match(line) for line in html.split("\n")[1:] if not line.startswith("<i>…")]  # type: ignore[misc]


@pytest.mark.slow
async def test_timeline_lists_the_answers_passages_oldest_first_each_with_its_date(
        bot, fake_api: FakeBotApi, state_retriever: Retriever) -> None:
    async with bot() as run:
        [reply] = sent(await run.process(fake_api.message_update(USER, "/timeline kuleba")))
    assert not run.errors
    lines = timeline_lines(reply["text"])
    assert len(lines) >= 3 and all(lines), reply["text"]
    dates = [line.group(1) for line in lines]
    assert dates == sorted(dates) and dates[0] < dates[-1]
    answerer = Answerer(state_retriever)
    expected = answerer.timeline("kuleba", handlers.TIMELINE_RESULTS)
    assert dates == sorted(hit.passage.date or "9999" for hit in expected.hits)  # every one, shortened to fit
    quoted = answerer.answer("kuleba", 60, emphasis=False).hits
    assert (dates[0], dates[-1]) == (min(h.passage.date for h in quoted), max(h.passage.date for h in quoted))
    texts = {hit.passage.text for hit in expected.hits}
    for line in lines:  # each best sentence is verbatim from one of the quoted passages; links point at state.gov
        assert any(unescape(line.group(3)).rstrip("…") in text for text in texts)
        assert line.group(4) is None or line.group(4).startswith("https://www.state.gov/")
    assert len(reply["text"]) <= TELEGRAM_LIMIT


@pytest.mark.slow
async def test_by_date_under_an_answer_sends_its_timeline(bot, fake_api: FakeBotApi) -> None:
    async with bot() as run:
        [answer] = sent(await run.process(fake_api.message_update(USER, "What did Blinken tell Kuleba?")))
        [by_date] = [b for row in answer["reply_markup"]["inline_keyboard"] for b in row if "By date" in b["text"]]
        assert len(by_date["callback_data"].encode()) <= 64
        calls = await run.process(fake_api.callback_update(USER, by_date["callback_data"], answer["message_id"]))
    assert not run.errors
    [timeline] = sent(calls)
    assert timeline["text"].startswith("<b>By date</b>")
    dates = [line.group(1) for line in timeline_lines(timeline["text"]) if line]
    assert len(dates) >= 2 and dates == sorted(dates)


async def test_timeline_usage_without_a_question(fake_api: FakeBotApi, seeds_retriever, tmp_path: Path) -> None:
    async with processing(application_for(fake_api, seeds_retriever, tmp_path / "s.json"), fake_api) as run:
        [reply] = sent(await run.process(fake_api.message_update(USER, "/timeline")))
    assert reply["text"].startswith("Usage: /timeline")


def passage(n: int, date: str | None, text: str, speaker: str | None = None) -> Passage:
    return Passage(id=f"{n:012x}-1", doc=f"d{n}.txt", text=text, title=f"T{n}", source="S", date=date,
                   url=f"https://example.org/{n}", paragraph=1, speaker=speaker)


def test_a_timeline_too_long_for_one_message_is_cut_with_a_note() -> None:
    long = "The minister spoke of grain <and> ports. " + "word " * 200
    hits = tuple(Hit(passage(n, f"20{10 + n % 10}-01-0{1 + n % 9}", long), 0.5, n) for n in range(40))
    html = render.timeline_html(Answer("grain", hits), sentences=(2000,))
    lines = html.split("\n")
    assert len(html) <= TELEGRAM_LIMIT
    shown = [line for line in lines[1:] if line.startswith("•")]
    assert 0 < len(shown) < 40 and f"{40 - len(shown)} more passages" in lines[-1]
    assert "&lt;and&gt;" in html and "<and>" not in html
    dates = [LINE.match(line).group(1) for line in shown]  # type: ignore[union-attr]
    assert dates == sorted(dates)


def test_lines_too_long_together_are_shortened_until_all_fit() -> None:
    long = "The minister spoke of grain and ports at length. " * 10
    hits = tuple(Hit(passage(n, f"2022-01-{1 + n:02d}", long), 0.5, n) for n in range(15))
    assert len(render.timeline_html(Answer("grain", hits), sentences=(300,))) <= TELEGRAM_LIMIT  # cut at 300
    html = render.timeline_html(Answer("grain", hits))
    shown = [line for line in html.split("\n")[1:] if line.startswith("•")]
    assert len(shown) == 15 and len(html) <= TELEGRAM_LIMIT and "more passages" not in html
    assert all(len(LINE.match(line).group(3)) < 300 for line in shown)  # type: ignore[union-attr]


def test_a_speakers_label_is_not_shown_twice() -> None:
    text = "FOREIGN MINISTER HAYASHI: (Via interpreter) Great to see you again. We discussed Ukraine."
    hit = Hit(passage(1, "2022-05-01", text, speaker="Foreign Minister Hayashi (via interpreter)"), 0.5, 1)
    assert render.timeline_line(hit).endswith("Foreign Minister Hayashi (via interpreter): “Great to see you again.” "
                                              '<a href="https://example.org/1">link</a>')


def test_each_line_has_the_emphasised_sentence_else_the_first_and_the_speaker() -> None:
    text = "The U.S. Secretary met him. They discussed grain. Nothing else."
    first = Hit(passage(1, "2022-05-01", text, speaker="Foreign Minister Kuleba"), 0.5, 1)
    marked = Hit(passage(2, None, text), 0.5, 2, emphasis=(28, 49), link="https://example.org/2#:~:text=x")
    html = render.timeline_html(Answer("grain", (marked, first)))
    lines = html.split("\n")[1:]
    assert lines[0] == ("• <b>2022-05-01</b> · Foreign Minister Kuleba: “The U.S. Secretary met him.” "
                        '<a href="https://example.org/1">link</a>')
    assert lines[1] == '• <b>date unknown</b> · “They discussed grain.” <a href="https://example.org/2#:~:text=x">link</a>'
