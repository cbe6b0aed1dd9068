import asyncio
from pathlib import Path

from telegram.ext import PersistenceInput, PicklePersistence

from bot.app import BatchedPicklePersistence

CHAT_DATA_ONLY = PersistenceInput(bot_data=False, chat_data=True, user_data=False, callback_data=False)


async def test_a_round_of_chat_updates_is_written_once_and_whole(tmp_path: Path, monkeypatch) -> None:
    persistence = BatchedPicklePersistence(tmp_path / "state.pickle", store_data=CHAT_DATA_ONLY)
    await persistence.get_chat_data()
    flushes = []
    real_flush = persistence.flush

    async def counted_flush() -> None:
        flushes.append(1)
        await real_flush()

    monkeypatch.setattr(persistence, "flush", counted_flush)
    await asyncio.gather(*(persistence.update_chat_data(chat, {"searches": [chat]}) for chat in range(200)))
    await asyncio.sleep(0.05)
    assert len(flushes) == 1
    reread = await PicklePersistence(tmp_path / "state.pickle", store_data=CHAT_DATA_ONLY).get_chat_data()
    assert reread == {chat: {"searches": [chat]} for chat in range(200)}
    await persistence.update_chat_data(7, {"searches": ["later"]})  # a later round writes again
    await asyncio.sleep(0.05)
    assert len(flushes) == 2


async def test_chat_data_an_older_version_kept_as_a_dict_is_read_as_chat_data(tmp_path: Path) -> None:
    from collections import OrderedDict

    from bot.context import ChatData

    old = PicklePersistence(tmp_path / "state.pickle", store_data=CHAT_DATA_ONLY)
    await old.update_chat_data(1, {"searches": OrderedDict(abc="answer")})
    await old.update_chat_data(2, {})
    chats = await BatchedPicklePersistence(tmp_path / "state.pickle", store_data=CHAT_DATA_ONLY).get_chat_data()
    assert chats == {1: ChatData(OrderedDict(abc="answer")), 2: ChatData()}
