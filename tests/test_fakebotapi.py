"""The fake Bot API keeps what Telegram keeps of the messages sent and edited, and refuses as Telegram
does an edit that changes nothing ("message is not modified"), which the bot must expect on a double tap."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from fakebotapi import FakeBotApi

TOKEN = "123456:fake-api-test"


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    fake = FakeBotApi(TOKEN).start()
    yield fake
    fake.stop()


def call(api: FakeBotApi, method: str, **params: object) -> tuple[int, dict]:
    request = urllib.request.Request(f"{api.url}/bot{TOKEN}/{method}", json.dumps(params).encode(),
                                     {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def keyboard(data: str) -> dict:
    return {"inline_keyboard": [[{"text": "b", "callback_data": data}]]}


def test_an_edit_that_changes_nothing_is_refused_as_not_modified(api: FakeBotApi) -> None:
    status, sent = call(api, "sendMessage", chat_id=7, text="<b>page 1</b>", parse_mode="HTML", reply_markup=keyboard("a"))
    assert status == 200
    message = {"chat_id": 7, "message_id": sent["result"]["message_id"]}
    same = call(api, "editMessageText", **message, text="<b>page 1</b>", parse_mode="HTML", reply_markup=keyboard("a"))
    assert same[0] == 400 and same[1]["description"].startswith("Bad Request: message is not modified")
    assert call(api, "editMessageReplyMarkup", **message, reply_markup=keyboard("a"))[0] == 400
    # the same words written otherwise are the same message; other entities, buttons or none are a change
    assert call(api, "editMessageText", **message, text="<b>page&#32;1</b>", parse_mode="HTML",
                reply_markup=keyboard("a"))[0] == 400
    assert call(api, "editMessageText", **message, text="<i>page 1</i>", parse_mode="HTML", reply_markup=keyboard("a"))[0] == 200
    assert call(api, "editMessageText", **message, text="<i>page 1</i>", parse_mode="HTML", reply_markup=keyboard("b"))[0] == 200
    assert call(api, "editMessageText", **message, text="<i>page 1</i>", parse_mode="HTML")[0] == 200
    assert call(api, "editMessageReplyMarkup", **message, reply_markup=keyboard("c"))[0] == 200
    assert call(api, "editMessageReplyMarkup", **message, reply_markup=keyboard("c"))[0] == 400
    # a message it did not send (a test's made-up id) is known from its first edit on
    assert call(api, "editMessageText", chat_id=7, message_id=99, text="x")[0] == 200
    assert call(api, "editMessageText", chat_id=7, message_id=99, text="x")[0] == 400
    assert call(api, "editMessageText", inline_message_id="i1", text="x")[0] == 200  # inline messages: not kept
    assert call(api, "editMessageText", inline_message_id="i1", text="x")[0] == 200
    assert [c.status for c in api.calls].count(400) == 5
