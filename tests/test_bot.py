"""End to end: the real python-telegram-bot Application against the fake Bot API server."""
from __future__ import annotations

import asyncio
import logging
import pickle
import re
import socket
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from botharness import application_for, processing, running
from conftest import TEST_TOKEN
from fakebotapi import Call, FakeBotApi

from bot import handlers
from bot.app import COMMANDS, build_application
from bot.cli import webhook_options
from bot.config import Settings
from index import Answerer
from index.retrieve.search import Retriever
from index.store import generations as store

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")]
USER = 1001
STRANGER = 666
GROUP, OTHER_GROUP = -100200, -100999
GROUP_ANONYMOUS_BOT = 1087968824  # Telegram's `from` of a message an anonymous group admin sends
QUESTION = "What is the Beijing-Tokyo Forum?"


@pytest.fixture
def start_bot(fake_api: FakeBotApi, seeds_retriever, tmp_path: Path) -> Callable:
    def start(retriever=seeds_retriever, **overrides):  # noqa: ANN202
        return running(application_for(fake_api, retriever, tmp_path / "state.pickle", **overrides))
    return start


@pytest.fixture
def process_bot(fake_api: FakeBotApi, seeds_retriever, tmp_path: Path) -> Callable:
    def start(retriever=seeds_retriever, state_file: Path = tmp_path / "state.pickle", **overrides):  # noqa: ANN202
        return processing(application_for(fake_api, retriever, state_file, **overrides), fake_api)
    return start


def replies(fake_api: FakeBotApi, chat_id: int = USER, count: int = 1) -> list[dict]:
    return fake_api.wait_for("sendMessage", count, chat_id=chat_id)


async def in_thread(function, *args, **kwargs):
    return await asyncio.to_thread(function, *args, **kwargs)


async def ask_once(start_bot, fake_api: FakeBotApi, question: str, **options) -> dict:
    """Start the bot, send one question in a private chat, return the one reply."""
    async with start_bot(**options):
        fake_api.message(USER, question)
        [reply] = await in_thread(replies, fake_api)
    return reply


async def test_question_is_answered_with_quote_title_source_and_date(start_bot, fake_api: FakeBotApi) -> None:
    reply = await ask_once(start_bot, fake_api, "What did China say about the Fukushima water release?")
    text = reply["text"]
    assert reply["parse_mode"] == "HTML"
    assert "<blockquote>" in text and "Fukushima" in text
    assert "Wang: China, Japan bear shared responsibility of all-round progress in ties" in text
    assert "Xinhua, 2024-09-24" in text
    assert not fake_api.sent("sendChatAction")  # answered well within TYPING_AFTER
    buttons = reply["reply_markup"]["inline_keyboard"][0]
    assert buttons[0]["text"].startswith("More results") and len(buttons[0]["callback_data"].encode()) <= 64


async def test_a_chinese_question_is_answered_from_english_readouts_with_the_multilingual_index(
        start_bot, fake_api: FakeBotApi, seeds_e5_index: Path) -> None:
    retriever = Retriever(store.load(seeds_e5_index))
    reply = await ask_once(start_bot, fake_api, "中国为什么反对福岛核污染水排海？", retriever=retriever)
    text = reply["text"]
    assert "中国为什么反对福岛核污染水排海" in text  # the question, echoed
    assert "justified to oppose the discharge of contaminated" in text  # the English passage, quoted
    assert "Wang: China, Japan bear shared responsibility of all-round progress in ties" in text
    assert "Xinhua, 2024-09-24" in text


async def test_an_english_only_index_says_how_to_ask_in_other_languages(start_bot, fake_api: FakeBotApi) -> None:
    reply = await ask_once(start_bot, fake_api, "中国为什么反对福岛核污染水排海？")
    assert "English only" in reply["text"] and "--embedder e5-small" in reply["text"]


async def test_a_slow_answer_shows_typing_first(start_bot, fake_api: FakeBotApi, monkeypatch) -> None:
    monkeypatch.setattr(handlers, "TYPING_AFTER", 0.0)
    reply = await ask_once(start_bot, fake_api, "What did China say about the Fukushima water release?")
    assert fake_api.sent("sendChatAction", chat_id=USER, action="typing") and "<blockquote>" in reply["text"]
    methods = [call.method for call in fake_api.calls]
    assert methods.index("sendChatAction") < methods.index("sendMessage")


async def test_best_sentence_is_shown_and_its_paragraph_folded_verbatim_with_it_in_bold(start_bot,
                                                                                         fake_api: FakeBotApi) -> None:
    reply = await ask_once(start_bot, fake_api, "When was the Beijing-Tokyo Forum launched?")
    shown = reply["text"].split("<blockquote>")[1].split("</blockquote>")[0]
    folded = reply["text"].split("<blockquote expandable>")[1].split("</blockquote>")[0]
    assert folded.count("<b>") == 1
    bold = folded.split("<b>")[1].split("</b>")[0]
    assert "2005" in bold and bold.endswith(".") and shown.startswith(bold)
    assert folded.replace("<b>", "").replace("</b>", "") == (
        "Launched in 2005, the Beijing-Tokyo Forum is an annual event held alternately in Beijing and Tokyo. "
        "The forum is a high-level, large-scale, interactive exchange platform between the two countries.")


async def test_startup_registers_the_command_menu(start_bot, fake_api: FakeBotApi) -> None:
    async with start_bot():
        call = (await in_thread(fake_api.wait_for, "setMyCommands"))[0]
    assert [c["command"] for c in call["commands"]] == [c.command for c in COMMANDS] and "language_code" not in call


async def test_off_topic_question_says_nothing_found(start_bot, fake_api: FakeBotApi) -> None:
    reply = await ask_once(start_bot, fake_api, "What's the weather in Paris tomorrow?")
    assert "found nothing in the readouts" in reply["text"] and "<blockquote>" not in reply["text"]


async def test_commands_start_help_about_sources(start_bot, fake_api: FakeBotApi) -> None:
    async with start_bot():
        for command in ("/start", "/help", "/about", "/sources"):
            fake_api.message(USER, command)
            await in_thread(replies, fake_api, USER, 1 + ["/start", "/help", "/about", "/sources"].index(command))
        start, help_text, about, sources = [r["text"] for r in replies(fake_api, USER, 4)]
    assert start.count("• <i>") == 3
    assert "/ask" in help_text and "@readouts_test_bot" in help_text
    assert "<b>5</b> readouts" in about and "2017-09-01 to 2024-12-04" in about and "all-MiniLM-L6-v2" in about
    assert sources.count("• <i>") == 5 and "date unknown" in sources and "Xinhua, 2024-12-04 (10 passages)" in sources


async def test_more_results_pages_in_place_and_expired_pages_answer_politely(start_bot, fake_api: FakeBotApi) -> None:
    async with start_bot(results_per_page=2):
        fake_api.message(USER, "China Japan relations")
        [first] = await in_thread(replies, fake_api)
        more = first["reply_markup"]["inline_keyboard"][0][-1]["callback_data"]
        fake_api.callback(USER, more, message_id=555)
        [edit] = await in_thread(fake_api.wait_for, "editMessageText", message_id=555)
        fake_api.callback(USER, "more:deadbeef:1", message_id=556)
        expired = await in_thread(fake_api.wait_for, "answerCallbackQuery", 2)
    assert "Results 3–4 of" in edit["text"] and edit["text"].count("<blockquote>") == 2
    first_quotes = set(first["text"].split("<blockquote>")[1:])
    assert not first_quotes & set(edit["text"].split("<blockquote>")[1:])
    assert [b["text"] for b in edit["reply_markup"]["inline_keyboard"][0]] == ["◀ Previous", "More results ▶"]
    assert any("expired" in call.get("text", "") for call in expired)


async def test_context_button_quotes_the_neighbouring_paragraphs(start_bot, fake_api: FakeBotApi) -> None:
    async with start_bot():
        fake_api.message(USER, "When was the Beijing-Tokyo Forum launched?")
        [answer] = await in_thread(replies, fake_api)
        rows = answer["reply_markup"]["inline_keyboard"]
        [hit_row] = [row for row in rows if row[0]["text"] == "Context 1"]
        assert [b["text"] for b in hit_row] == ["Context 1", "Cite 1", "Share 1"]
        fake_api.callback(USER, hit_row[0]["callback_data"], message_id=777)
        _, context = await in_thread(replies, fake_api, USER, 2)
    text = context["text"]
    assert text.startswith("<b>Context</b>, paragraphs 9–10:") and text.count("<blockquote>") == 2
    assert "▶ <blockquote>Launched in 2005" in text and "Xinhua, 2024-12-04" in text


async def test_a_filter_that_leaves_nothing_says_so(start_bot, fake_api: FakeBotApi) -> None:
    reply = await ask_once(start_bot, fake_api, "Fukushima before:2010")
    assert reply["text"].startswith("No readouts are dated before 2010-01-01.")
    assert "run from September 2017 to December 2024" in reply["text"]


async def test_inline_query_offers_quotes_with_citations(start_bot, fake_api: FakeBotApi) -> None:
    async with start_bot():
        fake_api.inline(USER, "Beijing-Tokyo Forum")
        [call] = await in_thread(fake_api.wait_for, "answerInlineQuery")
    results = call["results"]
    assert 1 <= len(results) <= 10
    content = results[0]["input_message_content"]
    assert "Beijing-Tokyo Forum" in content["message_text"] and "Xinhua, 2024-12-04" in content["message_text"]
    assert content["parse_mode"] == "HTML" and all(len(r["id"]) <= 64 for r in results)


async def test_html_in_a_question_is_escaped(start_bot, fake_api: FakeBotApi) -> None:
    reply = await ask_once(start_bot, fake_api, "<b>Fukushima</b> & <script>alert(1)</script> water?")
    assert "&lt;b&gt;Fukushima&lt;/b&gt; &amp; &lt;script&gt;" in reply["text"] and "<script>" not in reply["text"]


async def test_huge_empty_and_garbage_messages_get_helpful_replies(start_bot, fake_api: FakeBotApi) -> None:
    async with start_bot():
        long_question = "What did China say about the discharge of contaminated water from Fukushima? " * 65
        fake_api.message(USER, long_question[:5000])
        fake_api.message(USER + 1, "\u0000\u0001\u0002\u200b")
        fake_api.sticker(USER + 2)
        fake_api.message(USER + 3, "/ask")
        [huge] = await in_thread(replies, fake_api, USER)
        [garbage] = await in_thread(replies, fake_api, USER + 1)
        [sticker] = await in_thread(replies, fake_api, USER + 2)
        [usage] = await in_thread(replies, fake_api, USER + 3)
    assert re.search(r"searched with its first 9\d\d characters", huge["text"])
    assert "<blockquote>" in huge["text"] and len(huge["text"]) <= 4096
    assert "question in words" in garbage["text"]
    assert "as text" in sticker["text"]
    assert usage["text"].startswith("Usage: /ask")


async def test_groups_answer_ask_and_mentions_only(start_bot, fake_api: FakeBotApi) -> None:
    group = -100200
    async with start_bot():
        fake_api.message(USER, "Fukushima in a group without addressing the bot", chat_id=group, chat_type="supergroup")
        fake_api.message(USER, "/ask@readouts_test_bot Beijing-Tokyo Forum", chat_id=group, chat_type="supergroup")
        mention = "@readouts_test_bot what did Kamikawa say about the attack in Shenzhen?"
        fake_api.message(USER, mention, chat_id=group, chat_type="supergroup",
                         entities=[{"type": "mention", "offset": 0, "length": 18}])
        answers = await in_thread(replies, fake_api, group, 2)
        await asyncio.sleep(0.5)
    assert len(fake_api.sent("sendMessage", chat_id=group)) == 2
    assert all("<blockquote>" in a["text"] for a in answers)
    assert any("Shenzhen" in a["text"] for a in answers)
    assert not any("@readouts_test_bot" in a["text"] for a in answers)


async def test_unauthorised_user_is_refused_without_content(start_bot, fake_api: FakeBotApi) -> None:
    async with start_bot(allowed_user_ids=frozenset({USER})):
        fake_api.message(USER + 7, "What did China say about the Fukushima water release?")
        fake_api.message(USER, "What did China say about the Fukushima water release?")
        [refusal] = await in_thread(replies, fake_api, USER + 7)
        [answer] = await in_thread(replies, fake_api, USER)
    assert refusal["text"] == "Sorry, this bot is private." and "<blockquote>" in answer["text"]
    assert not fake_api.sent("sendChatAction", chat_id=USER + 7)


async def test_rate_limit_replies_slow_down(start_bot, fake_api: FakeBotApi) -> None:
    async with start_bot(questions_per_minute=2):
        for n in range(3):
            fake_api.message(USER, f"What did Wang say about the Fukushima water discharge? ({n})")
            await in_thread(replies, fake_api, USER, n + 1)
    texts = [r["text"] for r in replies(fake_api, USER, 3)]
    assert sum("<blockquote>" in t for t in texts) == 2
    assert texts[2].startswith("Slow down, please: at most 2 questions a minute")


@pytest.mark.parametrize("status, retry_after", [(429, 1), (500, None)])
async def test_server_error_once_is_retried_and_the_answer_arrives(start_bot, fake_api: FakeBotApi, status: int,
                                                                   retry_after: int | None) -> None:
    async with start_bot():
        fake_api.fail("sendMessage", status, retry_after=retry_after)
        fake_api.message(USER, "What is the Beijing-Tokyo Forum?")
        [reply] = await in_thread(replies, fake_api)
    failed = [c for c in fake_api.calls if c.method == "sendMessage" and c.status == status]
    assert len(failed) == 1 and "Beijing-Tokyo Forum" in reply["text"]


async def test_load_every_question_answered_exactly_once(start_bot, fake_api: FakeBotApi) -> None:
    users, questions = 50, 5
    async with start_bot(outgoing_per_second=1000):
        for n in range(questions):
            for user in range(users):
                fake_api.message(10_000 + user, f"question {n}: what did Wang Yi say about Japan?")
        await in_thread(fake_api.wait_for, "sendMessage", users * questions, 120)
        await asyncio.sleep(0.5)
    for user in range(users):
        sent = fake_api.sent("sendMessage", chat_id=10_000 + user)
        assert sorted(int(s["text"].split("question ")[1].split(":")[0]) for s in sent) == list(range(questions))


async def test_token_never_appears_in_logs(start_bot, fake_api: FakeBotApi, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    async with start_bot():
        fake_api.fail("sendMessage", 500)
        fake_api.message(USER, "Fukushima")
        fake_api.message(USER + 1, "/about")
        await in_thread(replies, fake_api, USER)
        await in_thread(replies, fake_api, USER + 1)
    assert caplog.records and "getUpdates" in caplog.text  # httpx and PTB did log the requests
    assert TEST_TOKEN not in caplog.text
    assert all(TEST_TOKEN not in r.getMessage() for r in caplog.records)


async def test_webhook_mode_takes_updates_only_with_the_secret(fake_api: FakeBotApi, seeds_retriever,
                                                               tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(token=TEST_TOKEN, api_base_url=fake_api.url, webhook_url=f"http://127.0.0.1:{port}/telegram",
                        webhook_listen="127.0.0.1", webhook_port=port, webhook_secret="s3cret-value")
    application = build_application(settings, Answerer(seeds_retriever), tmp_path / "state.pickle")
    update = {"update_id": 1, "message": {"message_id": 5, "date": 0, "chat": {"id": USER, "type": "private"},
                                          "from": fake_api.user(USER), "text": "What is the Beijing-Tokyo Forum?"}}
    async with application:
        await application.start()
        await application.updater.start_webhook(**webhook_options(settings))
        try:
            async with httpx.AsyncClient() as client:
                url = f"http://127.0.0.1:{port}/telegram"
                refused = await client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
                accepted = await client.post(url, json={**update, "update_id": 2},
                                             headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-value"})
            [reply] = await in_thread(replies, fake_api)
            await asyncio.sleep(0.5)  # time for a wrongly accepted update to be answered too
        finally:
            await application.updater.stop()
            await application.stop()
    [registered] = fake_api.sent("setWebhook")
    assert registered["url"] == settings.webhook_url and registered["secret_token"] == "s3cret-value"
    assert (refused.status_code, accepted.status_code) == (403, 200)
    assert "Beijing-Tokyo Forum" in reply["text"] and len(fake_api.sent("sendMessage")) == 1


# --- the allow lists gate every kind of update ----------------------------------------------------
ALLOW_LISTS = {
    "none": {},
    "users only": {"allowed_user_ids": frozenset({USER})},
    "chats only": {"allowed_chat_ids": frozenset({USER, GROUP})},  # USER's private chat, and a group
    "both": {"allowed_user_ids": frozenset({USER}), "allowed_chat_ids": frozenset({USER, GROUP})},
}
UPDATE_KINDS = ("private message", "group message", "inline query", "callback on a message",
                "callback on an inline message")


def updates_of_kind(api: FakeBotApi, kind: str, user: int) -> list[dict]:
    """Updates of `kind` from `user` that would each bring passages or /sources content to someone allowed."""
    group = GROUP if user == USER else OTHER_GROUP
    return {
        "private message": [api.message_update(user, QUESTION), api.message_update(user, "/sources")],
        "group message": [api.message_update(user, "/ask@readouts_test_bot Beijing-Tokyo Forum", group, "supergroup"),
                          api.message_update(user, "/sources@readouts_test_bot", group, "supergroup")],
        "inline query": [api.inline_update(user, "Beijing-Tokyo Forum")],
        "callback on a message": [api.callback_update(user, "src:0", message_id=50)],
        "callback on an inline message": [api.callback_update(user, "src:0")],
    }[kind]


def content(calls: list[Call]) -> list[str]:
    """Passages and /sources pages among `calls`: quotes, citations, inline results, pages of the readouts."""
    found = []
    for call in calls:
        text = str(call.params.get("text", ""))
        if call.method in ("sendMessage", "editMessageText") and any(
                mark in text for mark in ("<blockquote>", "Readouts indexed", "<b>Citation</b>")):
            found.append(text)
        if call.method == "answerInlineQuery" and call.params.get("results"):
            found.append(str(call.params["results"]))
    return found


def unanswered_callbacks(updates: list[dict], calls: list[Call]) -> list[str]:
    answered = {str(c.params.get("callback_query_id")) for c in calls if c.method == "answerCallbackQuery"}
    return [u["callback_query"]["id"] for u in updates if "callback_query" in u and u["callback_query"]["id"] not in answered]


@pytest.mark.parametrize("kind", UPDATE_KINDS)
@pytest.mark.parametrize("lists", ALLOW_LISTS)
async def test_a_stranger_gets_no_content_from_any_kind_of_update(process_bot, fake_api: FakeBotApi, lists: str,
                                                                  kind: str) -> None:
    async with process_bot(**ALLOW_LISTS[lists]) as bot:
        stranger_updates, member_updates = updates_of_kind(fake_api, kind, STRANGER), updates_of_kind(fake_api, kind, USER)
        stranger = [call for u in stranger_updates for call in await bot.process(u)]
        member = [call for u in member_updates for call in await bot.process(u)]
    assert not bot.errors
    assert content(member)  # what is looked for is there when the sender is allowed...
    assert not unanswered_callbacks(stranger_updates + member_updates, stranger + member)
    if lists == "none":
        assert content(stranger)  # ...and for everyone when nobody is listed
        return
    assert not content(stranger)
    assert not [c for c in stranger if c.method == "sendChatAction"]
    for call in stranger:
        if call.method == "answerCallbackQuery":
            assert call.params["text"] == "Sorry, this bot is private."
        if call.method == "answerInlineQuery":
            assert call.params["results"] == []


# --- every callback is answered ------------------------------------------------------------------
@pytest.mark.parametrize("data", ["more:abc", "ctx:", "", None, "junk \x00 <b>", "more:deadbeef:x", "src:",
                                  "src:\u0661", "ctx:deadbeef:99999999999999999999", "more:deadbeef:1:2",
                                  "more:deadbeef:1", "ctx:deadbeef:0", "x" * 64])
@pytest.mark.parametrize("inline", [False, True], ids=["on a message", "on an inline message"])
async def test_a_button_the_bot_does_not_know_says_it_has_expired(process_bot, fake_api: FakeBotApi, data: str | None,
                                                                 inline: bool) -> None:
    async with process_bot() as bot:
        calls = await bot.process(fake_api.callback_update(USER, data, message_id=None if inline else 70))
    assert not bot.errors
    [answered] = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answered.params["text"].startswith("That button has expired")
    assert not [c for c in calls if c.method == "sendMessage"]


# --- messages sent on behalf of a chat -----------------------------------------------------------
async def test_messages_sent_on_behalf_of_a_chat_are_answered_and_limited_per_chat(process_bot,
                                                                                   fake_api: FakeBotApi) -> None:
    ask = "/ask@readouts_test_bot Beijing-Tokyo Forum"
    groups = (-100300, -100301)
    async with process_bot(questions_per_minute=1) as bot:
        for group in groups:  # anonymous admins: `from` is GroupAnonymousBot, sender_chat the group itself
            await bot.process(fake_api.message_update(GROUP_ANONYMOUS_BOT, ask, group, "supergroup",
                                                      sender_chat={"id": group, "type": "supergroup", "title": "G"}))
        channel = {"id": -100500, "type": "channel", "title": "A channel"}  # a member posting as a channel, no `from`
        await bot.process(fake_api.message_update(None, ask, -100400, "supergroup", sender_chat=channel))
        await bot.process(fake_api.message_update(None, ask, -100401, "supergroup", sender_chat=channel))
    assert not bot.errors
    for group in (*groups, -100400):
        [answer] = fake_api.sent("sendMessage", chat_id=group)
        assert "<blockquote>" in answer["text"]
    [slow_down] = fake_api.sent("sendMessage", chat_id=-100401)  # the same channel asked again
    assert slow_down["text"].startswith("Slow down, please")


async def test_anonymous_senders_are_refused_when_users_are_listed(process_bot, fake_api: FakeBotApi) -> None:
    ask = "/ask@readouts_test_bot Beijing-Tokyo Forum"
    async with process_bot(allowed_user_ids=frozenset({USER, GROUP_ANONYMOUS_BOT})) as bot:
        calls = await bot.process(fake_api.message_update(GROUP_ANONYMOUS_BOT, ask, GROUP, "supergroup",
                                                          sender_chat={"id": GROUP, "type": "supergroup", "title": "G"}))
    assert not bot.errors and not content(calls)


# --- transient Bot API failures ------------------------------------------------------------------
@pytest.mark.parametrize("status, retry_after, times", [(429, 0, 4), (429, 1, 4), (500, None, 3)])
async def test_an_answer_survives_a_run_of_transient_failures_and_arrives_once(
        start_bot, fake_api: FakeBotApi, status: int, retry_after: int | None, times: int) -> None:
    async with start_bot():
        fake_api.fail("sendMessage", status, times=times, retry_after=retry_after)
        fake_api.message(USER, QUESTION)
        [reply] = await in_thread(replies, fake_api)
        await asyncio.sleep(0.3)  # time for a second copy, or an apology, to follow
    failed = [c for c in fake_api.calls if c.method == "sendMessage" and c.status == status]
    assert len(failed) == times and "Beijing-Tokyo Forum" in reply["text"]
    assert len(fake_api.sent("sendMessage", chat_id=USER)) == 1


# --- chat state across restarts ------------------------------------------------------------------
async def test_more_results_still_work_after_a_restart(process_bot, fake_api: FakeBotApi, tmp_path: Path) -> None:
    state = tmp_path / "restart.pickle"
    async with process_bot(state_file=state, results_per_page=2) as bot:
        await bot.process(fake_api.message_update(USER, "China Japan relations"))
    [first] = fake_api.sent("sendMessage", chat_id=USER)
    more = first["reply_markup"]["inline_keyboard"][0][-1]["callback_data"]
    async with process_bot(state_file=state, results_per_page=2) as bot:
        calls = await bot.process(fake_api.callback_update(USER, more, message_id=555))
    [edit] = [c.params for c in calls if c.method == "editMessageText"]
    assert "Results 3–4 of" in edit["text"] and not bot.errors


# --- the log of `readouts bot` -------------------------------------------------------------------
def test_the_bot_logs_time_level_and_logger_at_info_without_the_token(fake_api: FakeBotApi, seeds_index: Path,
                                                                       tmp_path: Path) -> None:
    """The real entry point (`readouts bot`, whose CLI configures logging first), in a subprocess."""
    import os
    import signal
    import subprocess
    import sys

    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TEST_TOKEN, "TELEGRAM_API_BASE_URL": fake_api.url,
           "READOUTS_INDEX": str(seeds_index), "READOUTS_BOT_STATE": str(tmp_path / "state.pickle"),
           "ALLOWED_USER_IDS": str(USER), "PYTHONPATH": os.pathsep.join(sys.path)}
    bot = subprocess.Popen([sys.executable, "-m", "bot"], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
    try:
        fake_api.message(STRANGER, "hello")
        fake_api.wait_for("sendMessage", chat_id=STRANGER, timeout=120)
    finally:
        bot.send_signal(signal.SIGINT)
        _, stderr = bot.communicate(timeout=60)
    def logged(level: str, logger: str, message: str) -> bool:
        return bool(re.search(rf"^\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d,\d{{3}} {level} {re.escape(logger)}: {message}",
                              stderr, re.MULTILINE))

    assert logged("INFO", "bot.handlers", "refused update"), stderr
    assert logged("INFO", "telegram.ext.Application", "Application started"), stderr
    assert "httpx" not in stderr and TEST_TOKEN not in stderr


# --- follow-ups, groups, languages ----------------------------------------------------------------
FOLLOWED = "What did China say about the Fukushima water release?"


async def test_a_reply_to_an_answer_in_a_group_is_a_follow_up_read_with_its_question(process_bot,
                                                                                    fake_api: FakeBotApi) -> None:
    async with process_bot() as bot:
        [answer] = [c.params for c in await bot.process(fake_api.message_update(
            USER, f"/ask {FOLLOWED}", chat_id=GROUP, chat_type="supergroup")) if c.method == "sendMessage"]
        calls = await bot.process(fake_api.message_update(USER, "And what did Japan say?", chat_id=GROUP,
                                                          chat_type="supergroup", reply_to=fake_api.bot_message(answer)))
        other = await bot.process(fake_api.message_update(
            USER, "And what did Japan say?", chat_id=GROUP, chat_type="supergroup",
            reply_to={"message_id": 5, "date": 0, "chat": {"id": GROUP, "type": "supergroup"}, "text": "hi",
                      "from": fake_api.user(USER + 1)}))
    assert not bot.errors
    [reply] = [c.params for c in calls if c.method == "sendMessage"]
    assert int(reply["chat_id"]) == GROUP and "Read together with the question it follows" in reply["text"]
    assert "Fukushima" in reply["text"] and "<blockquote>" in reply["text"]
    assert not [c for c in other if c.method == "sendMessage"]  # a reply to someone else is not for the bot


async def test_a_follow_up_to_an_answer_the_chat_no_longer_keeps_is_read_from_its_text(process_bot,
                                                                                      fake_api: FakeBotApi) -> None:
    replied = {"message_id": 77, "date": 0, "chat": {"id": USER, "type": "private"}, "from": fake_api_bot(),
               "text": f"Q: {FOLLOWED}\n\nsome passage"}
    async with process_bot() as bot:
        calls = await bot.process(fake_api.message_update(USER, "And Japan?", reply_to=replied))
    [reply] = [c.params for c in calls if c.method == "sendMessage"]
    assert f"Q:</b> And Japan? {FOLLOWED}" in reply["text"] and not bot.errors


def fake_api_bot() -> dict:
    from fakebotapi import BOT_USER

    return BOT_USER


@pytest.mark.parametrize(("old", "new", "greets"), [("left", "member", True), ("kicked", "administrator", True),
                                                    ("member", "administrator", False), ("member", "left", False)])
async def test_the_bot_greets_a_group_it_is_added_to(process_bot, fake_api: FakeBotApi, old: str, new: str,
                                                    greets: bool) -> None:
    async with process_bot() as bot:
        calls = await bot.process(fake_api.member_update(USER, GROUP, old, new))
    messages = [c.params for c in calls if c.method == "sendMessage"]
    assert not bot.errors
    assert bool(messages) == greets
    if greets:
        assert int(messages[0]["chat_id"]) == GROUP and "/ask" in messages[0]["text"] and "Reply to one of my answers" in messages[0]["text"]


async def test_a_group_outside_the_allow_list_is_not_greeted(process_bot, fake_api: FakeBotApi) -> None:
    async with process_bot(allowed_chat_ids=frozenset({OTHER_GROUP})) as bot:
        calls = await bot.process(fake_api.member_update(USER, GROUP, "left", "member"))
    assert not [c for c in calls if c.method == "sendMessage"] and not bot.errors


@pytest.mark.parametrize(("language", "expected"), [("zh-hans", "你好"), ("ja", "こんにちは"), ("en", "Hello!")])
async def test_fixed_replies_follow_the_users_telegram_language(process_bot, fake_api: FakeBotApi, language: str,
                                                                expected: str) -> None:
    async with process_bot() as bot:
        calls = await bot.process(fake_api.message_update(USER, "/start", language=language))
        nothing = await bot.process(fake_api.message_update(USER, "What's the weather in Paris tomorrow?",
                                                            language=language))
    [start] = [c.params for c in calls if c.method == "sendMessage"]
    [reply] = [c.params for c in nothing if c.method == "sendMessage"]
    assert start["text"].startswith(expected) and "2024-12-04" in start["text"]  # the seeds' newest readout
    assert "Beijing-Tokyo Forum" in start["text"] or language != "en"  # an example the seeds answer
    assert ("found nothing" in reply["text"]) == (language == "en")


async def test_the_command_menu_is_registered_in_chinese_and_japanese_too(start_bot, fake_api: FakeBotApi) -> None:
    async with start_bot():
        calls = await in_thread(fake_api.wait_for, "setMyCommands", 3)
    by_language = {call.get("language_code"): [c["command"] for c in call["commands"]] for call in calls}
    assert set(by_language) == {None, "zh", "ja"}
    assert by_language["zh"] == by_language["ja"] == by_language[None]
    descriptions = {call.get("language_code"): call["commands"][0]["description"] for call in calls}
    assert len(set(descriptions.values())) == 3


async def test_about_results_and_what_no_readout_mentions_are_in_the_users_language(process_bot,
                                                                                   fake_api: FakeBotApi) -> None:
    async with process_bot(results_per_page=1) as bot:
        about = await bot.process(fake_api.message_update(USER, "/about", language="zh-hans"))
        answer = await bot.process(fake_api.message_update(USER, "China Japan relations", language="ja"))
        missing = await bot.process(fake_api.message_update(USER, "What did Ruritania say about Fukushima?",
                                                            language="zh"))
    [about_text, answer_text, missing_text] = [[c.params["text"] for c in calls if c.method == "sendMessage"][0]
                                               for calls in (about, answer, missing)]
    assert about_text.startswith("我收录了 <b>5</b> 篇通报") and "2017-09-01 至 2024-12-04" in about_text
    async with process_bot() as bot:
        sources = await bot.process(fake_api.message_update(USER, "/sources", language="ja"))
    [sources_text] = [c.params["text"] for c in sources if c.method == "sendMessage"]
    assert sources_text.startswith("<b>収録している記録</b>（5 件）") and " 段落)" in sources_text
    assert "件のうち 1–1 件目" in answer_text and "<blockquote>" in answer_text
    assert "没有任何通报提到 Ruritania。" in missing_text and "相关段落" in missing_text


async def test_a_chinese_user_asking_an_english_only_index_is_told_so_in_chinese(process_bot,
                                                                                  fake_api: FakeBotApi) -> None:
    async with process_bot() as bot:
        calls = await bot.process(fake_api.message_update(USER, "中国为什么反对福岛核污染水排海？", language="zh-hans"))
    [reply] = [c.params["text"] for c in calls if c.method == "sendMessage"]
    assert reply.startswith("这个索引使用 all-MiniLM-L6-v2-int8，只能读懂英文") and "--embedder e5-small" in reply


# --- issue 26: state kept as data, restarts, chains of follow-ups ---------------------------------
async def test_a_restarted_bots_buttons_work_on_the_state_an_earlier_version_pickled(process_bot, fake_api: FakeBotApi,
                                                                                    tmp_path: Path) -> None:
    """tests/data/bot-state-chatdata.pickle: Answer, Hit and Passage objects, as the versions before kept them."""
    import json
    import shutil

    state = tmp_path / "old-state.pickle"
    shutil.copy(Path(__file__).parent / "data" / "bot-state-chatdata.pickle", state)
    async with process_bot(state_file=state, results_per_page=2) as bot:
        more = await bot.process(fake_api.callback_update(USER, "more:1ce84202:1", message_id=1001))
        context = await bot.process(fake_api.callback_update(USER, "ctx:1ce84202:0", message_id=1001))
        cite = await bot.process(fake_api.callback_update(USER, "cite:46c0a32b7c29-5", message_id=1001))
        listing = await bot.process(fake_api.message_update(USER, "/alerts"))
        follow_up = await bot.process(fake_api.message_update(USER, "And what did Russia say?", reply_to={
            "message_id": 1001, "date": 0, "chat": {"id": USER, "type": "private"}, "from": fake_api_bot(), "text": "…"}))
    assert not bot.errors
    [edit] = [c.params for c in more if c.method == "editMessageText"]
    assert "Results 3–4 of" in edit["text"] and edit["text"].count("<blockquote>") == 2
    [quoted] = [c.params for c in context if c.method == "sendMessage"]
    assert quoted["text"].startswith("<b>Context</b>, paragraphs") and "▶ <blockquote>" in quoted["text"]
    [citation] = [c.params for c in cite if c.method == "sendMessage"]
    assert citation["text"].startswith("<b>Citation</b> (Chicago notes;")  # the old "chicago" is Chicago's notes
    assert "tidal observatories on the Zembla coast" in [c.params for c in listing][0]["text"]
    [reply] = [c.params for c in follow_up if c.method == "sendMessage"]
    assert "Q:</b> And what did Russia say? China Japan relations" in reply["text"]
    assert json.loads(state.read_bytes())["format"] == "readouts-bot-state"  # written as data from now on


async def test_context_and_cite_buttons_still_work_after_a_restart(process_bot, fake_api: FakeBotApi,
                                                                   tmp_path: Path) -> None:
    state = tmp_path / "restart.json"
    async with process_bot(state_file=state) as bot:
        await bot.process(fake_api.message_update(USER, "When was the Beijing-Tokyo Forum launched?"))
    [first] = fake_api.sent("sendMessage", chat_id=USER)
    [hit_row] = [row for row in first["reply_markup"]["inline_keyboard"] if row[0]["text"] == "Context 1"]
    async with process_bot(state_file=state) as bot:
        context = await bot.process(fake_api.callback_update(USER, hit_row[0]["callback_data"], message_id=900))
        cite = await bot.process(fake_api.callback_update(USER, hit_row[1]["callback_data"], message_id=900))
    [quoted] = [c.params["text"] for c in context if c.method == "sendMessage"]
    [citation] = [c.params["text"] for c in cite if c.method == "sendMessage"]
    assert quoted.startswith("<b>Context</b>, paragraphs 9–10:") and "▶ <blockquote>Launched in 2005" in quoted
    assert citation.startswith("<b>Citation</b>") and "Beijing-Tokyo Forum" in citation and not bot.errors


UNREADABLE_STATES = {"empty": b"", "junk": b"\x00junk", "JSON": b'{"chats": []}',
                     "a pickle of a list": pickle.dumps([1, 2], protocol=pickle.HIGHEST_PROTOCOL),
                     "a truncated pickle": (Path(__file__).parent / "data" / "bot-state-chatdata.pickle").read_bytes()[:3000]}


@pytest.mark.parametrize("kind", UNREADABLE_STATES)
async def test_the_bot_starts_fresh_on_an_unreadable_state_file_and_keeps_it_aside(
        process_bot, fake_api: FakeBotApi, tmp_path: Path, kind: str) -> None:
    state = tmp_path / "state.pickle"
    state.write_bytes(UNREADABLE_STATES[kind])
    async with process_bot(state_file=state) as bot:
        [answer] = [c.params for c in await bot.process(fake_api.message_update(USER, QUESTION))]
    [aside] = tmp_path.glob("state.pickle.unreadable-*")
    assert aside.read_bytes() == UNREADABLE_STATES[kind] and "<blockquote>" in answer["text"] and not bot.errors
    assert state.read_bytes().startswith(b'{"format": "readouts-bot-state"')  # a new state, written whole


FOLLOW_UPS = ("And what did Japan say?", "What about Russia?", "And South Korea?", "How about the IAEA?",
              "And what did the United States say?")


async def test_a_chain_of_fifty_follow_ups_keeps_the_original_subject(process_bot, fake_api: FakeBotApi) -> None:
    async with process_bot(questions_per_minute=100) as bot:
        [answer] = [c.params for c in await bot.process(fake_api.message_update(USER, FOLLOWED))
                    if c.method == "sendMessage"]
        for n in range(50):
            follow_up = FOLLOW_UPS[n % len(FOLLOW_UPS)]
            [answer] = [c.params for c in await bot.process(fake_api.message_update(
                USER, follow_up, reply_to=fake_api.bot_message(answer))) if c.method == "sendMessage"]
            question = answer["text"].split("\n", 1)[0]
            assert question == f"<b>Q:</b> {follow_up} {FOLLOWED}", n  # the one it follows, never the chain
    assert "Fukushima" in answer["text"] and not bot.errors


# --- issue 26: a token Telegram refuses -------------------------------------------------------------
REFUSED_TOKEN = "4242424242:AAF-refused-token-Zq9"


async def test_a_token_telegram_refuses_ends_the_start_in_one_line_without_it(fake_api: FakeBotApi, seeds_retriever,
                                                                             tmp_path: Path) -> None:
    import traceback

    from bot.app import TOKEN_REFUSED, TokenRefused

    settings = Settings(token=REFUSED_TOKEN, api_base_url=fake_api.url)  # the fake answers 401 to any other token
    application = build_application(settings, Answerer(seeds_retriever), tmp_path / "state.json")
    with pytest.raises(TokenRefused) as refused:
        async with application:
            pass
    printed = "".join(traceback.format_exception(refused.value))
    assert str(refused.value) == TOKEN_REFUSED and "\n" not in TOKEN_REFUSED
    assert REFUSED_TOKEN not in printed and "AAF" not in printed and "rejected" not in printed
    assert fake_api.sent("getMe", ok_only=False)  # Telegram was asked, and refused


async def test_a_bot_api_out_of_reach_at_start_is_one_line_without_the_token(seeds_retriever, tmp_path: Path) -> None:
    import traceback

    from bot.app import TelegramUnreachable

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(token=REFUSED_TOKEN, api_base_url=f"http://127.0.0.1:{port}")
    application = build_application(settings, Answerer(seeds_retriever), tmp_path / "state.json")
    with pytest.raises(TelegramUnreachable) as failed:
        async with application:
            pass
    printed = "".join(traceback.format_exception(failed.value))
    assert str(failed.value).startswith("the Bot API (TELEGRAM_API_BASE_URL) failed the bot's first request")
    assert "\n" not in str(failed.value) and REFUSED_TOKEN not in printed and "AAF" not in printed


def test_readouts_bot_with_a_refused_token_prints_one_line_and_exits_2(fake_api: FakeBotApi, seeds_index: Path,
                                                                      tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "TELEGRAM_BOT_TOKEN": REFUSED_TOKEN, "TELEGRAM_API_BASE_URL": fake_api.url,
           "READOUTS_INDEX": str(seeds_index), "READOUTS_BOT_STATE": str(tmp_path / "state.json"),
           "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-m", "bot"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines()[-1].startswith("readouts: Telegram refused the bot token")
    assert "Traceback" not in done.stderr and REFUSED_TOKEN not in done.stderr + done.stdout
    assert "AAF" not in done.stderr


# --- issue 26: webhooks -----------------------------------------------------------------------------
def test_webhook_settings_listen_on_localhost_and_never_go_without_a_secret() -> None:
    from bot.config import ConfigError, load_settings

    settings = load_settings({"TELEGRAM_BOT_TOKEN": "1:abc", "WEBHOOK_URL": "https://bot.example.org/telegram"})
    options = webhook_options(settings)
    assert options["listen"] == "127.0.0.1" and settings.webhook_secret_generated
    assert len(options["secret_token"]) >= 32 and options["secret_token"] not in repr(settings)
    again = load_settings({"TELEGRAM_BOT_TOKEN": "1:abc", "WEBHOOK_URL": "https://bot.example.org/telegram"})
    assert again.webhook_secret != settings.webhook_secret  # made for each run, never a default
    chosen = load_settings({"TELEGRAM_BOT_TOKEN": "1:abc", "WEBHOOK_URL": "https://x.org/t", "WEBHOOK_SECRET": "s3cret",
                            "WEBHOOK_LISTEN": "0.0.0.0"})
    assert webhook_options(chosen)["secret_token"] == "s3cret" and webhook_options(chosen)["listen"] == "0.0.0.0"
    assert not chosen.webhook_secret_generated
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET must be"):
        load_settings({"TELEGRAM_BOT_TOKEN": "1:abc", "WEBHOOK_URL": "https://x.org/t", "WEBHOOK_SECRET": "no spaces"})
    with pytest.raises(ConfigError, match="needs a secret"):
        webhook_options(Settings(token="1:abc", webhook_url="https://x.org/t"))


def test_readouts_bot_in_webhook_mode_without_a_secret_refuses_forged_posts(fake_api: FakeBotApi, seeds_index: Path,
                                                                           tmp_path: Path) -> None:
    """The real entry point, WEBHOOK_URL set and WEBHOOK_SECRET not: POSTs without the secret Telegram was
    given (or with another) are refused, none reaches a handler, and the log never shows the secret."""
    import os
    import signal
    import subprocess
    import sys
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TEST_TOKEN, "TELEGRAM_API_BASE_URL": fake_api.url,
           "READOUTS_INDEX": str(seeds_index), "READOUTS_BOT_STATE": str(tmp_path / "state.json"),
           "WEBHOOK_URL": f"https://bot.example.org:{port}/telegram", "WEBHOOK_PORT": str(port),
           "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("WEBHOOK_SECRET", None)
    env.pop("WEBHOOK_LISTEN", None)
    bot = subprocess.Popen([sys.executable, "-m", "bot"], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
    forged = {"update_id": 7, "message": {"message_id": 5, "date": 0, "chat": {"id": USER, "type": "private"},
                                          "from": fake_api.user(USER), "text": "/alert forged alert"}}
    try:
        [registered] = fake_api.wait_for("setWebhook", timeout=120)
        url = f"http://127.0.0.1:{port}/telegram"
        deadline = time.monotonic() + 30
        while True:
            try:
                statuses = [httpx.post(url, json=forged, headers=headers, timeout=5).status_code for headers in
                            ({}, {"X-Telegram-Bot-Api-Secret-Token": "guessed"})]
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "the webhook server never listened"
                time.sleep(0.2)
        time.sleep(0.5)  # time for a wrongly accepted update to be answered
    finally:
        bot.send_signal(signal.SIGINT)
        _, stderr = bot.communicate(timeout=60)
    secret = registered["secret_token"]
    assert statuses == [403, 403] and not fake_api.sent("sendMessage")
    assert len(secret) >= 32 and secret not in stderr and TEST_TOKEN not in stderr
    assert "WEBHOOK_SECRET is not set" in stderr and f"listening on 127.0.0.1:{port}" in stderr
