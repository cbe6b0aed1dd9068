"""The bot's state file: each chat's data (bot/context.py) as JSON, through python-telegram-bot's
DictPersistence, written whole once per round of updates, atomically (temp file, fsync, rename).

A file this version cannot read (truncated, empty, junk, JSON of another shape, a pickle of anything
else) is moved aside with a warning and the bot starts without chat state; a chat that does not
validate is dropped with a warning, the others kept. The pickles of earlier versions (which held
Answer, Hit and Passage objects) are read without running them: a restricted unpickler builds plain
records of the classes they name, and their questions and passage ids become chat data; the next
write replaces the pickle with JSON.
"""
from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import os
import pickle
import tempfile
from collections import OrderedDict
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from telegram.ext import DictPersistence, PersistenceInput

from .config import ConfigError
from .context import CHAT_DATA, ChatData

log = logging.getLogger(__name__)
FORMAT = "readouts-bot-state"
VERSION = 2
CHAT_DATA_ONLY = PersistenceInput(bot_data=False, chat_data=True, user_data=False, callback_data=False)
STATE_FILE = "bot-{bot}-state.json"  # in the index directory: one per index and bot
LEGACY_STATE_FILE = "bot-state.pickle"  # beside the index: earlier versions' file, shared by every index there


def state_file(index_directory: Path, token: str) -> Path:
    """Where a bot keeps its chats' state by default: in its index's directory, named by the bot's
    numeric id (the token's first part, which is public), so that neither two indexes in one folder
    nor two bots over one index share a file."""
    bot = token.partition(":")[0]
    return index_directory / STATE_FILE.format(bot=bot if bot.isdigit() else "default")


class StateUnreadable(Exception):
    """A state file this version cannot read; the message says why, in a few words."""


class ChatStatePersistence(DictPersistence):
    """Chat data only, kept as JSON in `path`; the writes batched to one per round of updates.

    Out of the box every changed chat rewrites the whole file, and the Application updates every
    chat that changed since the last round: N chats cost N full writes, each of all N chats. At
    75 questions/s from new chats that stalled the bot for 100 s (benchmarks/run.py). `legacy` is a
    file to start from when `path` does not exist yet (the state file earlier versions shared).
    """

    def __init__(self, path: Path, *, legacy: Path | None = None, update_interval: float = 30) -> None:
        chats = load(path, legacy)
        encoded = json.dumps({str(chat): CHAT_DATA.dump_python(data, mode="json") for chat, data in chats.items()})
        super().__init__(store_data=CHAT_DATA_ONLY, chat_data_json=encoded if chats else "",
                         update_interval=update_interval)
        self.path = path
        self._dirty = False
        self._failing = False
        self._writer: asyncio.Task | None = None
        self._lock = asyncio.Lock()

    async def get_chat_data(self) -> dict[int, ChatData]:  # type: ignore[override]
        return {chat: CHAT_DATA.validate_python(data) for chat, data in (await super().get_chat_data()).items()}

    async def update_chat_data(self, chat_id: int, data: ChatData) -> None:  # type: ignore[override]
        before = (self.chat_data or {}).get(chat_id)
        encoded = CHAT_DATA.dump_python(data, mode="json")
        if encoded != before:
            await super().update_chat_data(chat_id, encoded)
            self._save_soon()

    async def drop_chat_data(self, chat_id: int) -> None:
        await super().drop_chat_data(chat_id)
        self._save_soon()

    def _save_soon(self) -> None:
        """One write after this round of updates (however many chats it changed), and another if
        more change while that one is being written."""
        self._dirty = True
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_while_changed())

    async def _write_while_changed(self) -> None:
        await asyncio.sleep(0)  # let the rest of the round's updates land first
        while self._dirty:
            await self.flush()
            if self._failing:  # tried again at the next change, not in a loop
                break

    async def flush(self) -> None:
        """Write every chat's data now. A failure (a full disk, say) is one line in the log, and the
        file keeps its previous state; the next change tries again."""
        async with self._lock:
            self._dirty = False
            chats = self.chat_data_json if self.chat_data else "{}"
            payload = f'{{"format": "{FORMAT}", "version": {VERSION}, "chat_data": {chats}}}\n'.encode()
            try:
                await asyncio.to_thread(write_atomically, self.path, payload)
            except OSError as error:
                if not self._failing:
                    log.warning("could not save the chat state to %s (%s); it keeps its previous state, and "
                                "saving is tried again at the next change", self.path, error.strerror or error)
                self._failing = True
                return
            if self._failing:
                log.info("saved the chat state to %s again", self.path)
            self._failing = False


def write_atomically(path: Path, data: bytes) -> None:
    """`data` as the whole of `path`, or `path` unchanged: written to a temporary file beside it,
    flushed to disk, then renamed over it (and the rename made durable too)."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):  # the rename itself, on filesystems that let a directory be synced
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def load(path: Path, legacy: Path | None = None) -> dict[int, ChatData]:
    """The chats kept in `path` (or, when it does not exist, in `legacy`); {} when there is none. A
    file that cannot be read as state is moved aside (`set_aside`) and {} returned; a state file
    that cannot be moved aside either raises ConfigError rather than be overwritten."""
    source = path if path.exists() or legacy is None or not legacy.exists() else legacy
    try:
        data = source.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as error:
        if source != path:
            log.warning("could not read the earlier bot state file %s (%s); starting without chat state", source,
                        error.strerror or error)
            return {}
        raise ConfigError(f"cannot read the bot state file {source}: {error.strerror or error}") from None
    try:
        chats = parse(data)
    except StateUnreadable as error:
        if source != path:  # the shared file of earlier versions: leave it for the other bots
            log.warning("could not read the earlier bot state file %s (%s); starting without chat state", source, error)
            return {}
        aside = set_aside(path)
        log.warning("could not read the bot state file %s (%s); moved it to %s and starting without chat state",
                    path, error, aside.name)
        return {}
    if source != path:
        log.warning("read %d chats from %s, the state file earlier versions shared between every index in %s; "
                    "this bot keeps its own in %s from now on", len(chats), source, source.parent, path.name)
    return chats


def set_aside(path: Path) -> Path:
    """Rename an unreadable state file out of the way (nothing is deleted); its new path."""
    aside = path.with_name(f"{path.name}.unreadable-{datetime.now():%Y%m%dT%H%M%S%f}")
    try:
        os.replace(path, aside)
    except OSError as error:
        raise ConfigError(f"the bot state file {path} cannot be read, nor moved aside ({error.strerror or error}): "
                          "move it away, then start the bot again") from None
    return aside


def parse(data: bytes) -> dict[int, ChatData]:
    """The chats a state file holds, as this version writes it (JSON) or as earlier ones did (a pickle).
    Raises StateUnreadable for anything else; chats that do not validate are dropped with a warning."""
    if data[:1] == b"\x80":  # a pickle's PROTO opcode: what PicklePersistence wrote
        return _from_pickle(data)
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise StateUnreadable("neither JSON nor a pickle an earlier version wrote") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise StateUnreadable("JSON, but not a bot state file")
    if document.get("version") != VERSION or not isinstance(document.get("chat_data"), dict):
        raise StateUnreadable(f"a bot state file of another version ({str(document.get('version'))[:20]})")
    chats: dict[int, ChatData] = {}
    for key, value in document["chat_data"].items():
        try:
            chats[int(key)] = CHAT_DATA.validate_python(value)
        except (ValueError, ValidationError) as error:  # a ValidationError is a ValueError too
            log.warning("dropped the saved state of chat %.30r: %s", key, _first_line(error))
    return chats


def _first_line(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        return f"{'.'.join(map(str, first['loc']))}: {first['msg']}"[:200]
    return str(error).split("\n", 1)[0][:200]


# --- the pickles of earlier versions ------------------------------------------------------------------
class Record:
    """What an earlier version's pickled object (a ChatData, an Alert, an Answer, a Hit, a Passage)
    becomes here: its fields, whatever that version's class had."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.fields: dict[str, object] = dict(kwargs)

    def __setstate__(self, state: object) -> None:
        if isinstance(state, tuple) and len(state) == 2:  # (__dict__, slots) of a class with slots
            state = {**(state[0] or {}), **(state[1] or {})}
        if not isinstance(state, dict):
            raise pickle.UnpicklingError("a record without fields")
        self.fields = dict(state)

    def get(self, name: str, default: object = None) -> object:
        return self.fields.get(name, default)


PICKLED = {("bot.context", name) for name in ("ChatData", "Alert", "BotData")} | {
    ("bot.answers", "Answer"), ("index.answer", "Answer"), ("index.passage", "Hit"), ("index.passage", "Passage")}


class _Unpickler(pickle.Unpickler):
    """Loads what earlier versions' PicklePersistence wrote and nothing else: the classes they pickled
    become Records, OrderedDict stays one, and any other global (which could run code) is refused."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("collections", "OrderedDict"):
            return OrderedDict
        if (module, name) in PICKLED:
            return type(name, (Record,), {})
        raise pickle.UnpicklingError(f"{module}.{name} is not something a bot state file held")

    def persistent_load(self, pid: Any) -> None:
        return None  # PTB's placeholder for the Bot instance: no chat data held one


def _from_pickle(data: bytes) -> dict[int, ChatData]:
    try:
        document = _Unpickler(io.BytesIO(data)).load()
    except Exception as error:  # noqa: BLE001 - a truncated or foreign pickle fails in many ways
        raise StateUnreadable(f"a pickle that is not an earlier bot state file ({type(error).__name__})") from None
    chat_data = document.get("chat_data") if isinstance(document, dict) else None
    if not isinstance(chat_data, Mapping):
        raise StateUnreadable("a pickle that is not an earlier bot state file (no chat data)")
    chats: dict[int, ChatData] = {}
    for chat, value in chat_data.items():
        try:
            chats[int(chat)] = _chat_from_record(value)
        except (TypeError, ValueError, AttributeError) as error:
            log.warning("dropped the saved state of chat %.30r, from an earlier version: %s", chat, _first_line(error))
    log.info("read %d chats' state saved by an earlier version (a pickle); it is written as JSON from now on",
             len(chats))
    return chats


def _fields(value: object) -> Mapping:
    """The fields of a Record or a dict (the first versions kept a chat's data as a dict)."""
    if isinstance(value, Record):
        return value.fields
    if isinstance(value, Mapping):
        return value
    raise TypeError(f"a {type(value).__name__} where a record was expected")


def _chat_from_record(value: object) -> ChatData:
    """An earlier version's chat data (a ChatData, or a dict with its searches) as this version's."""
    fields = _fields(value)
    searches = OrderedDict()
    for key, answer in (fields.get("searches") or {}).items():
        answer = _fields(answer)
        hits = [_fields(hit) for hit in answer.get("hits") or ()]
        question = str(answer["question"])
        searches[key] = {"question": question, "subject": question, "notice": answer.get("notice"),
                         "quoted": [{"passage": _fields(hit["passage"])["id"], "emphasis": hit.get("emphasis"),
                                     "also": [_fields(p)["id"] for p in hit.get("also") or ()]} for hit in hits]}
    alerts = [{name: _fields(alert).get(name) for name in ("key", "question", "user_id", "sent")}
              for alert in fields.get("alerts") or ()]
    for alert in alerts:
        alert["sent"] = alert["sent"] or {}
    chat = {"searches": searches, "alerts": alerts, "messages": fields.get("messages") or {},
            "cite_style": fields.get("cite_style") or "plain", "language": fields.get("language")}
    return CHAT_DATA.validate_python(chat)

