"""The callback data of the bot's buttons: the one place that writes and reads its format.

A button's data is `kind:field:field`, at most 64 bytes (Telegram's limit). Anything the bot did
not write (old formats, tampered or junk data, none at all) reads as None, never as an error. A
shared link's start payload (`t.me/<bot>?start=<payload>`) is written and read here too.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

MAX_BYTES = 64  # Telegram's limit for callback_data
_KEY = re.compile(r"[0-9a-f]{1,16}")
_NUMBER = re.compile(r"0|[1-9][0-9]{0,5}")  # as str(int) writes it, in ASCII digits: int() would also take "١"
_PASSAGE = re.compile(r"[0-9a-f]{12}-[1-9][0-9]{0,5}")  # a passage id, as index.ingest.documents writes it
_STYLE = re.compile(r"plain|chicago-author-date|chicago-notes|apa|mla|harvard|chicago")  # index.STYLES; "chicago": earlier buttons
_VALID = {"key": _KEY, "passage": _PASSAGE, "style": _STYLE}
PAYLOAD_PREFIX = "p"  # start payloads: [A-Za-z0-9_-], at most 64 characters


@dataclass(frozen=True)
class More:
    """Show page `page` of the answer kept under `key`."""

    key: str
    page: int


@dataclass(frozen=True)
class Context:
    """Quote hit `index` of the answer kept under `key` with the paragraphs around it."""

    key: str
    index: int


@dataclass(frozen=True)
class Sources:
    """Show page `page` of /sources."""

    page: int


@dataclass(frozen=True)
class Unalert:
    """Remove the chat's alert kept under `key`."""

    key: str


@dataclass(frozen=True)
class Cite:
    """Send the citation of one passage (by id: it works on inline messages, which keep no answers)."""

    passage: str


@dataclass(frozen=True)
class Vote:
    """👍 (up 1) or 👎 (up 0) on page `page` of the answer kept under `key`."""

    key: str
    up: int
    page: int


@dataclass(frozen=True)
class Style:
    """Cite in this style in this chat from now on."""

    style: str


@dataclass(frozen=True)
class Timeline:
    """List the passages of the answer kept under `key` by date, oldest first."""

    key: str


Button = More | Context | Sources | Unalert | Cite | Vote | Style | Timeline
_PREFIX = {More: "more", Context: "ctx", Sources: "src", Unalert: "unalert", Cite: "cite", Vote: "vote",
           Style: "style", Timeline: "date"}
_FIELDS = {"more": (More, ("key", "page")), "ctx": (Context, ("key", "index")), "src": (Sources, ("page",)),
           "unalert": (Unalert, ("key",)), "cite": (Cite, ("passage",)), "vote": (Vote, ("key", "up", "page")),
           "style": (Style, ("style",)), "date": (Timeline, ("key",))}


def encode(button: Button) -> str:
    values = [str(getattr(button, name)) for name in _FIELDS[_PREFIX[type(button)]][1]]
    data = ":".join([_PREFIX[type(button)], *values])
    if len(data.encode()) > MAX_BYTES or decode(data) != button:
        raise ValueError(f"{button!r} cannot be written as callback data")
    return data


def decode(data: object) -> Button | None:
    """The button `data` stands for, or None when the bot would not have written it."""
    if not isinstance(data, str) or len(data.encode()) > MAX_BYTES:
        return None
    kind, *values = data.split(":")
    if kind not in _FIELDS or len(values) != len(_FIELDS[kind][1]):
        return None
    cls, names = _FIELDS[kind]
    fields: dict[str, str | int] = {}
    for name, value in zip(names, values):
        if name in _VALID:
            if not _VALID[name].fullmatch(value):
                return None
            fields[name] = value
        elif _NUMBER.fullmatch(value) and (name != "up" or value in "01"):
            fields[name] = int(value)
        else:
            return None
    return cls(**fields)


def of_kind(kind: type) -> Callable[[object], bool]:
    """A CallbackQueryHandler pattern: data that decodes to a `kind` button."""
    return lambda data: isinstance(decode(data), kind)


def unreadable(data: object) -> bool:
    """A CallbackQueryHandler pattern: data that decodes to no button."""
    return decode(data) is None


def payload(passage_id: str) -> str:
    """The start payload of a link that opens one passage."""
    if not _PASSAGE.fullmatch(passage_id):
        raise ValueError(f"{passage_id!r} is not a passage id")
    return PAYLOAD_PREFIX + passage_id


def passage_of(start_payload: str) -> str | None:
    """The passage id a start payload names, or None when the bot would not have written it."""
    passage_id = start_payload[len(PAYLOAD_PREFIX):] if start_payload.startswith(PAYLOAD_PREFIX) else ""
    return passage_id if _PASSAGE.fullmatch(passage_id) else None
