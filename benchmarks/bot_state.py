"""The bot state file's cost: one round's write (every chat, as the bot writes it once per round of
updates) and the file's size, for chats that each keep a full answer, as data (bot/state.py: JSON,
fsync, rename) and as the versions before issue 26 kept it (PicklePersistence of Answer objects).

    PYTHONPATH=. python benchmarks/bot_state.py [--chats 1000 10000]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections import OrderedDict
from pathlib import Path

from telegram.ext import PersistenceInput, PicklePersistence

from bot.context import ChatData, Search
from bot.state import ChatStatePersistence
from index import Answer, Hit, Passage

HITS = 15  # READOUTS_MAX_RESULTS' default: what one kept answer holds
TEXT = "Wang Yi said that China and Japan should follow the principles of the four political documents. " * 4


def answer(chat: int) -> Answer:
    passages = [Passage(f"{chat:06x}{n:06x}-{n + 1}", "readout.txt", TEXT, "A readout's title", "Xinhua",
                        "2024-09-24", "https://example.org/readout", n + 1) for n in range(HITS)]
    return Answer("What did China say about the Fukushima water release?",
                  tuple(Hit(p, 0.7, n + 1, emphasis=(0, 90)) for n, p in enumerate(passages)))


async def round_of(chats: int, runs: int) -> dict:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "state.json"
        persistence = ChatStatePersistence(path)
        await persistence.get_chat_data()
        for chat in range(chats):
            data = ChatData()
            data.searches["abcd1234"] = Search.of(answer(chat), "a question", "gen-1")
            await persistence.update_chat_data(chat, data)
        new = []
        for _ in range(runs):
            started = time.perf_counter()
            await persistence.flush()
            new.append(time.perf_counter() - started)
        new_size = path.stat().st_size
        old_path = Path(directory) / "state.pickle"
        old = PicklePersistence(old_path, on_flush=True, store_data=PersistenceInput(
            bot_data=False, chat_data=True, user_data=False, callback_data=False))
        for chat in range(chats):
            await old.update_chat_data(chat, {"searches": OrderedDict(abcd1234=answer(chat))})
        pickled = []
        for _ in range(runs):
            started = time.perf_counter()
            await old.flush()
            pickled.append(time.perf_counter() - started)
        return {"chats": chats, "json_write_ms": round(statistics.median(new) * 1000, 1),
                "json_mb": round(new_size / 1e6, 2), "pickle_write_ms": round(statistics.median(pickled) * 1000, 1),
                "pickle_mb": round(old_path.stat().st_size / 1e6, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for chats in args.chats:
        print(asyncio.run(round_of(chats, args.runs)))


if __name__ == "__main__":
    main()
