import asyncio
from collections import OrderedDict
from pathlib import Path

from telegram.ext import PersistenceInput, PicklePersistence

from bot.context import ChatData, Quoted, Search
from bot.state import ChatStatePersistence
from index import Answer, Hit, Passage

CHAT_DATA_ONLY = PersistenceInput(bot_data=False, chat_data=True, user_data=False, callback_data=False)


def chat(number: int) -> ChatData:
    return ChatData(OrderedDict(abc=Search(f"question {number}", f"question {number}", [Quoted(f"{number:012x}-1")])))


async def test_a_round_of_chat_updates_is_written_once_and_whole(tmp_path: Path, monkeypatch) -> None:
    persistence = ChatStatePersistence(tmp_path / "state.json")
    await persistence.get_chat_data()
    flushes = []
    real_flush = persistence.flush

    async def counted_flush() -> None:
        flushes.append(1)
        await real_flush()

    monkeypatch.setattr(persistence, "flush", counted_flush)
    await asyncio.gather(*(persistence.update_chat_data(number, chat(number)) for number in range(200)))
    await asyncio.sleep(0.05)
    assert len(flushes) == 1
    reread = await ChatStatePersistence(tmp_path / "state.json").get_chat_data()
    assert reread == {number: chat(number) for number in range(200)}
    await persistence.update_chat_data(7, chat(1007))  # a later round writes again
    await asyncio.sleep(0.05)
    assert len(flushes) == 2


async def test_chat_data_an_older_version_kept_as_a_dict_is_read_as_chat_data(tmp_path: Path, monkeypatch) -> None:
    import index.answer

    # pickled as earlier versions named it: index.answer.Answer (now index.answer.policy.Answer)
    monkeypatch.setattr(Answer, "__module__", "index.answer")
    monkeypatch.setattr(index.answer, "Answer", Answer, raising=False)
    passage = Passage("0123456789ab-2", "a.txt", "Words.", "A title", "Xinhua", "2024-01-02", None, 2)
    answer = Answer("a question", (Hit(passage, 0.7, 1, emphasis=(0, 6)),))
    old = PicklePersistence(tmp_path / "state.pickle", store_data=CHAT_DATA_ONLY)
    await old.update_chat_data(1, {"searches": OrderedDict(abc=answer)})
    await old.update_chat_data(2, {})
    chats = await ChatStatePersistence(tmp_path / "state.pickle").get_chat_data()
    kept = Search("a question", "a question", [Quoted("0123456789ab-2", (0, 6))])
    assert chats == {1: ChatData(OrderedDict(abc=kept)), 2: ChatData()}
