"""Property-based: random updates of every kind, from senders in and out of the allow lists, fed
straight to the real Application (process_update) against the fake Bot API."""
from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from botharness import Processing
from conftest import TEST_TOKEN
from fakebotapi import BOT_USER, Call, FakeBotApi
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram.ext import ContextTypes
from test_bot import (
    ALLOW_LISTS,
    GROUP,
    GROUP_ANONYMOUS_BOT,
    OTHER_GROUP,
    QUESTION,
    STRANGER,
    USER,
    content,
    unanswered_callbacks,
)

from bot.app import build_application
from bot.config import Settings
from index import Answerer, FeedbackLog

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")]
HANDLE = "@readouts_test_bot"
CHANNEL = -100500


@pytest.fixture
def bots(fake_api: FakeBotApi, seeds_retriever, tmp_path: Path) -> Iterator[tuple[dict[str, Processing], Callable]]:
    """One initialised Application per allow-list setting, on an event loop in a thread of its own
    (hypothesis runs the examples synchronously); and a function that runs a coroutine there."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    def run(coroutine):  # noqa: ANN001, ANN202
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout=120)

    bots = {}
    for name, lists in ALLOW_LISTS.items():
        config = Settings(token=TEST_TOKEN, api_base_url=fake_api.url, results_per_page=2, **lists)
        answerer = Answerer(seeds_retriever, max_results=config.max_results, first_page=config.results_per_page)
        application = build_application(config, answerer, tmp_path / f"{name}.pickle", FeedbackLog(tmp_path / name))
        bots[name] = processing = Processing(application, fake_api)

        async def record(update: object, context: ContextTypes.DEFAULT_TYPE, errors=processing.errors) -> None:
            errors.append(context.error)

        application.add_error_handler(record)
        run(application.initialize())
    try:
        yield bots, run
    finally:
        for processing in bots.values():
            run(processing.application.shutdown())
            run(processing.application.post_shutdown(processing.application))
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


user_ids = st.one_of(st.sampled_from([USER, STRANGER, GROUP_ANONYMOUS_BOT]), st.integers(1, 2**40))
group_ids = st.one_of(st.sampled_from([GROUP, OTHER_GROUP]), st.integers(-10**13, -1))
words = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=200)  # control characters too
texts = st.one_of(
    words,
    st.sampled_from([QUESTION, "China Japan relations", "<b>Fukushima</b> & <script>", "/sources", "/about", "/ask",
                     "/start", "/nonsense", f"/sources{HANDLE}"]),
    words.map(lambda text: "/ask " + text),
    words.map(lambda text: f"/ask{HANDLE} " + text),
    words.map(lambda text: f"{HANDLE} " + text),
)
callback_data = st.one_of(
    st.none(), st.text(max_size=80), st.sampled_from(["src:0", "src:1", "src:999999", "more:deadbeef:1", "ctx:"]),
    st.tuples(st.sampled_from(["more", "ctx", "src", "cite", "vote", "style"]),
              st.text("0123456789abcdefx:-", max_size=20)).map(":".join),
    st.sampled_from(["style:chicago", "style:plain", "vote:deadbeef:1:0", "cite:0123456789ab-1"]),
)


def update_for(draw: Callable, api: FakeBotApi, known_buttons: list[str]) -> tuple[dict, int | None, int | None]:
    """A random update, with the user id and chat id the allow lists should judge it by (None: none)."""
    kind = draw(st.sampled_from(["private", "group", "on behalf of a chat", "channel post", "edited", "inline",
                                 "chosen inline result", "callback on a message", "callback on an inline message",
                                 "reply to the bot", "added to a group", "reaction"]))
    user = draw(user_ids)
    if kind == "reply to the bot":
        chat = draw(st.one_of(st.just(user), group_ids))
        replied = {"message_id": draw(st.integers(1, 10**6)), "date": 0, "from": BOT_USER, "text": draw(texts),
                   "chat": {"id": chat, "type": "private" if chat > 0 else "supergroup"}}
        return api.message_update(user, draw(texts), chat, "private" if chat > 0 else "supergroup",
                                  reply_to=replied), user, chat
    if kind == "added to a group":
        group = draw(group_ids)
        old, new = draw(st.sampled_from(["left", "kicked", "member"])), draw(st.sampled_from(["member", "administrator", "left"]))
        return api.member_update(user, group, old, new), user, group
    if kind == "reaction":
        chat = draw(st.one_of(st.just(user), group_ids))
        emoji = draw(st.lists(st.sampled_from(["👍", "👎", "🔥"]), max_size=2))
        return api.reaction_update(user, chat, draw(st.integers(1, 10**6)), emoji), user, chat
    if kind in ("private", "edited"):
        update = api.message_update(user, draw(texts))
        if kind == "edited":
            update = {"edited_message": {**update["message"], "edit_date": int(time.time())}}
        return update, user, user
    if kind in ("group", "on behalf of a chat"):
        group, text = draw(group_ids), draw(texts)
        entities = [{"type": "mention", "offset": 0, "length": len(HANDLE)}] if text.startswith(HANDLE) else None
        if kind == "group":
            return api.message_update(user, text, group, "supergroup", entities), user, group
        sender = draw(st.sampled_from([{"id": group, "type": "supergroup", "title": "G"},
                                       {"id": CHANNEL, "type": "channel", "title": "C"}]))
        sender_user = GROUP_ANONYMOUS_BOT if sender["id"] == group and draw(st.booleans()) else None
        return api.message_update(sender_user, text, group, "supergroup", entities, sender_chat=sender), None, group
    if kind == "channel post":
        post = api.message_update(None, draw(texts), CHANNEL, "channel",
                                  sender_chat={"id": CHANNEL, "type": "channel", "title": "C"})["message"]
        return {"channel_post": post}, None, CHANNEL
    if kind == "inline":
        return api.inline_update(user, draw(texts)), user, user
    if kind == "chosen inline result":
        return {"chosen_inline_result": {"result_id": "r", "from": api.user(user), "query": draw(words)}}, user, user
    data, reuse, pick = draw(callback_data), draw(st.booleans()), draw(st.integers(0, 10**6))
    if reuse and known_buttons:  # a button the bot sent earlier (drawn the same way whether there is one or not)
        data = known_buttons[pick % len(known_buttons)]
    if kind == "callback on an inline message":
        return api.callback_update(user, data), user, user
    chat = draw(st.one_of(st.just(user), group_ids))
    return api.callback_update(user, data, message_id=draw(st.integers(1, 10**6)), chat_id=chat), user, chat


def is_stranger(lists: dict, user: int | None, chat: int | None) -> bool:
    users, chats = lists.get("allowed_user_ids"), lists.get("allowed_chat_ids")
    return bool(users and user not in users) or bool(chats and chat not in chats)


def buttons_sent(calls: list[Call]) -> list[str]:
    return [button["callback_data"] for call in calls for row in (call.params.get("reply_markup") or {}).get(
        "inline_keyboard", []) for button in row if "callback_data" in button]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=st.data())
def test_random_updates_raise_nothing_answer_every_button_and_give_strangers_nothing(bots, fake_api: FakeBotApi,
                                                                                     data: st.DataObject) -> None:
    processings, run = bots
    lists = data.draw(st.sampled_from(sorted(ALLOW_LISTS)), label="allow lists")
    bot = processings[lists]
    update, user, chat = update_for(data.draw, fake_api, buttons_sent(fake_api.calls))
    calls = run(bot.process(update))
    assert not bot.errors
    assert not unanswered_callbacks([update], calls)
    if is_stranger(ALLOW_LISTS[lists], user, chat):
        assert not content(calls)
        assert not [c for c in calls if c.method == "sendChatAction"]
