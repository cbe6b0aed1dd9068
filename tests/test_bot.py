"""End to end: the real python-telegram-bot Application against the fake Bot API server."""
from __future__ import annotations

import asyncio
import logging
import re
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from telegram.ext import Application

from bot import handlers
from bot.answers import Answerer
from bot.app import COMMANDS, build_application
from bot.cli import webhook_options
from bot.config import Settings
from bot.logs import redact_in_logs
from conftest import TEST_TOKEN
from fakebotapi import FakeBotApi
from index import store
from index.search import Retriever

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")]
USER = 1001


@pytest.fixture
def start_bot(fake_api: FakeBotApi, seeds_retriever, tmp_path: Path) -> Callable:
    @asynccontextmanager
    async def start(retriever=seeds_retriever, **overrides) -> AsyncIterator[Application]:
        settings = Settings(token=TEST_TOKEN, api_base_url=fake_api.url, **overrides)
        answerer = Answerer(retriever, max_results=settings.max_results, min_score=settings.min_score,
                            first_page=settings.results_per_page)
        application = build_application(settings, answerer, tmp_path / "state.pickle")
        redact_in_logs(settings.token)
        async with application:
            await application.post_init(application)
            await application.start()
            await application.updater.start_polling(poll_interval=0.0, timeout=1)
            try:
                yield application
            finally:
                await application.updater.stop()
                await application.stop()
                await application.post_shutdown(application)
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


async def test_best_sentence_is_emphasised_inside_a_verbatim_quote(start_bot, fake_api: FakeBotApi) -> None:
    reply = await ask_once(start_bot, fake_api, "When was the Beijing-Tokyo Forum launched?")
    quote = reply["text"].split("<blockquote>")[1].split("</blockquote>")[0]
    assert quote.count("<b>") == 1
    bold = quote.split("<b>")[1].split("</b>")[0]
    assert "2005" in bold and bold.endswith(".")
    assert quote.replace("<b>", "").replace("</b>", "") == (
        "Launched in 2005, the Beijing-Tokyo Forum is an annual event held alternately in Beijing and Tokyo. "
        "The forum is a high-level, large-scale, interactive exchange platform between the two countries.")


async def test_startup_registers_the_command_menu(start_bot, fake_api: FakeBotApi) -> None:
    async with start_bot():
        [call] = await in_thread(fake_api.wait_for, "setMyCommands")
    assert [c["command"] for c in call["commands"]] == [c.command for c in COMMANDS]


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
        context_buttons = answer["reply_markup"]["inline_keyboard"][-1]
        assert [b["text"] for b in context_buttons][:1] == ["Context 1"]
        fake_api.callback(USER, context_buttons[0]["callback_data"], message_id=777)
        _, context = await in_thread(replies, fake_api, USER, 2)
    text = context["text"]
    assert text.startswith("<b>Context</b>, paragraphs 9–10:") and text.count("<blockquote>") == 2
    assert "▶ <blockquote>Launched in 2005" in text and "Xinhua, 2024-12-04" in text


async def test_a_filter_that_leaves_nothing_says_so(start_bot, fake_api: FakeBotApi) -> None:
    reply = await ask_once(start_bot, fake_api, "Fukushima before:2010")
    assert reply["text"].startswith("No readouts are dated before 2010-01-01.")
    assert "2017-09-01 to 2024-12-04" in reply["text"]


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
