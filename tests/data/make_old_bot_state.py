"""Writes the bot state files of the versions before issue 26 (chat state that pickled Answer, Hit and
Passage objects), which tests/test_app.py loads: run once at commit 4ec7cd1, where bot/ still pickled them.

    PYTHONPATH=.:tests python tests/data/make_old_bot_state.py

bot-state-chatdata.pickle: what `readouts bot` kept from ef069df on (ChatData, Alert, index.answer.Answer):
an answer paged once, a follow-up, an alert, Chicago citations, over the seeds (passage ids do not depend
on the embedder). bot-state-dict.pickle: the first versions' chat data, a dict of bot.answers.Answer.
"""
from __future__ import annotations

import asyncio
import pickle
import shutil
import tempfile
from collections import OrderedDict
from pathlib import Path

from botharness import application_for, processing
from conftest import TEST_TOKEN, FakeEmbedder
from fakebotapi import FakeBotApi

from index import settings
from index.ingest import ingest
from index.live import Library

HERE = Path(__file__).parent
USER = 1001


async def main() -> None:
    work = Path(tempfile.mkdtemp())
    ingest([settings.SEEDS], work / "index", FakeEmbedder())
    library = Library(work / "index", FakeEmbedder())
    api = FakeBotApi(TEST_TOKEN).start()
    state = work / "state.pickle"
    try:
        async with processing(application_for(api, library, state, results_per_page=2), api) as bot:
            [answer] = [c.params for c in await bot.process(api.message_update(USER, "China Japan relations"))
                        if c.method == "sendMessage"]
            more = answer["reply_markup"]["inline_keyboard"][0][-1]["callback_data"]
            await bot.process(api.callback_update(USER, more, message_id=int(answer["message_id"])))
            await bot.process(api.message_update(USER, "And what about Fukushima?", reply_to=api.bot_message(answer)))
            await bot.process(api.message_update(USER, "/alert tidal observatories on the Zembla coast"))
            await bot.process(api.message_update(USER, "/citestyle chicago"))
            assert not bot.errors, bot.errors
        shutil.copy(state, HERE / "bot-state-chatdata.pickle")
        chats = pickle.loads(state.read_bytes())["chat_data"]
        from index.answer import Answer

        Answer.__module__ = "bot.answers"  # bot.answers.Answer is index.answer.Answer: pickled under the old name
        data = {"conversations": {}, "user_data": {}, "bot_data": {}, "callback_data": None,
                "chat_data": {USER: {"searches": OrderedDict(chats[USER].searches)}}}
        (HERE / "bot-state-dict.pickle").write_bytes(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
    finally:
        api.stop()
        library.close()
        shutil.rmtree(work)


if __name__ == "__main__":
    asyncio.run(main())
