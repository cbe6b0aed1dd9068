"""Every message the bot sends in a session over the State Department readouts is one Telegram accepts:
the fake Bot API refuses, as Telegram does, HTML that does not parse, text over 4,096 characters and
buttons over their limits (telegramhtml.py), so a refused call here is a message users would never get."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from botharness import application_for, processing
from fakebotapi import Call, FakeBotApi
from telegramhtml import parse_html

from index.retrieve.search import Retriever
from index.store import generations as store

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")]
USER = 1001
QUESTIONS = ("blinken ukraine grain", "What did Secretary Blinken and Foreign Minister Cavusoglu discuss in May 2021?",
             "daesh africa", "iran nuclear talks", "<b>taiwan</b> & strait", "covid vaccines after:2022-01-01",
             "Who is Ruritania's envoy to Zembla?")
ALERTS = ("grain exports from Ukraine", "Iran <nuclear> & sanctions", "Arctic Council cooperation")


@pytest.fixture
def bot(fake_api: FakeBotApi, state_dept_index: Path, tmp_path: Path) -> Callable:
    retriever = Retriever(store.load(state_dept_index))
    return lambda: processing(application_for(fake_api, retriever, tmp_path / "state.pickle"), fake_api)


def callbacks(message: dict) -> list[str]:
    """The callback data of a sent message's buttons."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["callback_data"] for row in rows for button in row if "callback_data" in button]


def texts(calls: list[Call]) -> list[dict]:
    return [c.params for c in calls if c.method in ("sendMessage", "editMessageText")]


async def test_every_message_of_a_session_parses_as_telegram_html_and_fits(bot, fake_api: FakeBotApi) -> None:
    async with bot() as run:
        async def say(text: str) -> list[dict]:
            return texts(await run.process(fake_api.message_update(USER, text)))

        for command in ("/start", "/help", "/about", "/sources", "/alerts"):
            assert await say(command), command
        [none] = await say("/alerts")
        assert "no alerts" in parse_html(none["text"]) and "/alert <question>" in parse_html(none["text"])
        for question in ALERTS:
            await say(f"/alert {question}")
        [listing] = await say("/alerts")
        assert all(question in parse_html(listing["text"]) for question in ALERTS)
        assert len(callbacks(listing)) == 3
        await say("/citestyle")
        await say("/citestyle apa")
        pressed = 0
        for number, question in enumerate(QUESTIONS):
            [answer] = await say(question)
            for data in callbacks(answer) if number < 3 else callbacks(answer)[:2]:
                texts(await run.process(fake_api.callback_update(USER, data, message_id=answer["message_id"])))
                pressed += 1
        exported = [c for c in await run.process(fake_api.message_update(USER, "/export"))
                    if c.method == "sendDocument"]
    assert pressed >= 10 and exported
    assert not fake_api.refused(), [(c.method, c.params.get("text", "")[:200]) for c in fake_api.refused()]
    assert not run.errors
    sent = texts(fake_api.calls)
    assert len(sent) >= 30
    for message in sent:
        shown = parse_html(message["text"]) if message.get("parse_mode") == "HTML" else message["text"]
        assert 0 < len(shown) <= 4096
