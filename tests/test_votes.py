"""👍/👎 on the bot's answers (bot/votes.py): by buttons and by reactions, kept in the index's feedback log."""
from __future__ import annotations

from pathlib import Path

import pytest
from botharness import application_for, processing
from fakebotapi import Call, FakeBotApi

from index import FeedbackLog

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")]
USER, OTHER = 1001, 1002
GROUP = -100200
QUESTION = "What is the Beijing-Tokyo Forum?"


def sent(calls: list[Call], method: str = "sendMessage") -> list[dict]:
    return [call.params for call in calls if call.method == method]


def vote_buttons(reply: dict) -> dict[str, str]:
    return {b["text"]: b["callback_data"] for row in reply["reply_markup"]["inline_keyboard"] for b in row
            if b.get("callback_data", "").startswith("vote:")}


async def test_votes_by_button_and_reaction_are_kept_with_the_question_and_passages(
        fake_api: FakeBotApi, seeds_retriever, tmp_path: Path) -> None:
    log = FeedbackLog(tmp_path / "index")
    async with processing(application_for(fake_api, seeds_retriever, tmp_path / "s.pickle", log), fake_api) as run:
        [reply] = sent(await run.process(fake_api.message_update(USER, QUESTION)))
        votes = vote_buttons(reply)
        up = sent(await run.process(fake_api.callback_update(USER, votes["👍"], reply["message_id"])),
                  "answerCallbackQuery")
        await run.process(fake_api.callback_update(USER, votes["👎"], reply["message_id"]))  # changes their mind
        await run.process(fake_api.reaction_update(USER, USER, reply["message_id"], ["👍"]))
        await run.process(fake_api.reaction_update(USER, USER, reply["message_id"], ["🔥"]))  # not a vote
        await run.process(fake_api.reaction_update(USER, USER, 999_999, ["👎"]))  # not an answer of the bot's
    assert not run.errors and up[0]["text"] == "Thanks! Noted as helpful."
    entries = list(log.read())
    assert [(e.vote, e.via) for e in entries] == [("up", "button"), ("down", "button"), ("up", "reaction")]
    assert all(e.question == QUESTION and e.passages and e.answer == entries[0].answer for e in entries)
    assert str(USER) not in {e.voter for e in entries} and len({e.voter for e in entries}) == 1
    assert set(entries[0].passages) <= {p.id for d in seeds_retriever.documents() for p in
                                        seeds_retriever.index.passages if p.doc == d.doc}
    summary = log.summary()
    assert (summary.votes, summary.up, summary.down) == (1, 1, 0)  # the latest of one voter on one answer


def quoted_ids(reply: dict, retriever) -> list[str]:  # noqa: ANN001
    """The ids of the passages a message quotes (each whole in its fold when only its sentence is shown), in order."""
    import html
    import re

    found = re.findall(r"<blockquote>(.*?)</blockquote>(?:\n<blockquote expandable>(.*?)</blockquote>)?", reply["text"], re.S)
    quotes = [html.unescape(re.sub("</?b>", "", folded or shown)) for shown, folded in found]
    by_text = {p.text: p.id for p in retriever.index.passages}
    return [by_text[q] for q in quotes]


async def test_a_vote_keeps_the_passages_its_page_shows(fake_api: FakeBotApi, seeds_retriever, tmp_path: Path) -> None:
    log = FeedbackLog(tmp_path / "index")
    application = application_for(fake_api, seeds_retriever, tmp_path / "s.pickle", log, results_per_page=2)
    async with processing(application, fake_api) as run:
        [first] = sent(await run.process(fake_api.message_update(USER, "China Japan relations")))
        await run.process(fake_api.callback_update(USER, vote_buttons(first)["👎"], first["message_id"]))
        more = next(b["callback_data"] for row in first["reply_markup"]["inline_keyboard"] for b in row
                    if b["text"].startswith("More results"))
        [second] = sent(await run.process(fake_api.callback_update(USER, more, first["message_id"])),
                        "editMessageText")
        await run.process(fake_api.callback_update(USER, vote_buttons(second)["👍"], first["message_id"]))
        await run.process(fake_api.reaction_update(USER, USER, first["message_id"], ["👎"]))  # on the page now shown
    assert not run.errors
    entries = list(log.read())
    assert entries[0].passages == tuple(quoted_ids(first, seeds_retriever)) and len(entries[0].passages) == 2
    assert entries[1].passages == entries[2].passages == tuple(quoted_ids(second, seeds_retriever))
    assert not set(entries[0].passages) & set(entries[1].passages)


async def test_a_vote_on_a_forgotten_answer_has_expired(fake_api: FakeBotApi, seeds_retriever, tmp_path: Path) -> None:
    log = FeedbackLog(tmp_path / "index")
    async with processing(application_for(fake_api, seeds_retriever, tmp_path / "s.pickle", log), fake_api) as run:
        calls = await run.process(fake_api.callback_update(USER, "vote:deadbeef:1:0", 70))
    assert sent(calls, "answerCallbackQuery")[0]["text"].startswith("That button has expired")
    assert not log.path.exists() or not list(log.read())


async def test_without_a_feedback_log_there_are_no_vote_buttons(fake_api: FakeBotApi, seeds_retriever,
                                                                tmp_path: Path) -> None:
    async with processing(application_for(fake_api, seeds_retriever, tmp_path / "s.pickle"), fake_api) as run:
        [reply] = sent(await run.process(fake_api.message_update(USER, QUESTION)))
    assert not vote_buttons(reply) and not run.errors


async def test_a_button_pressed_without_a_language_is_answered_in_the_chats(fake_api: FakeBotApi, seeds_retriever,
                                                                           tmp_path: Path) -> None:
    log = FeedbackLog(tmp_path / "index")
    async with processing(application_for(fake_api, seeds_retriever, tmp_path / "s.pickle", log), fake_api) as run:
        [reply] = sent(await run.process(fake_api.message_update(USER, QUESTION, language="zh-hans")))
        thanks = sent(await run.process(fake_api.callback_update(USER, vote_buttons(reply)["👍"], reply["message_id"])),
                      "answerCallbackQuery")
    assert thanks[0]["text"] == "谢谢！已记为有帮助。" and not run.errors
