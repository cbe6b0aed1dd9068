"""The callback data of the bot's buttons: the one place that writes and reads its format.

A button's data is `kind:field:field`, at most 64 bytes (Telegram's limit). Anything the bot did
not write (old formats, tampered or junk data, none at all) reads as None, never as an error.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

MAX_BYTES = 64  # Telegram's limit for callback_data
_KEY = re.compile(r"[0-9a-f]{1,16}")
_NUMBER = re.compile(r"0|[1-9][0-9]{0,5}")  # as str(int) writes it, in ASCII digits: int() would also take "١"


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


Button = More | Context | Sources | Unalert
_PREFIX = {More: "more", Context: "ctx", Sources: "src", Unalert: "unalert"}
_FIELDS = {"more": (More, ("key", "page")), "ctx": (Context, ("key", "index")), "src": (Sources, ("page",)),
           "unalert": (Unalert, ("key",))}


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
        if name == "key":
            if not _KEY.fullmatch(value):
                return None
            fields[name] = value
        elif _NUMBER.fullmatch(value):
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
