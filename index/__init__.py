"""Readout retrieval: ingest readouts into a FAISS index beside BM25, and answer questions with the
passages that answer them, quoted verbatim. This is the package's public surface (`__all__`); the
front ends (the CLI, the bot) use nothing else. Names that need the model stack load on first use."""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import settings
from .errors import (
    BadQuery,
    EnglishOnlyIndex,
    FeedbackLogFailed,
    IndexBusy,
    IndexCorrupt,
    IndexEmpty,
    IndexMismatch,
    IndexNotFound,
    IndexWriteFailed,
    InputNotFound,
    ModelUnavailable,
    NothingMatches,
    NothingToIngest,
    ReadoutsError,
    SettingInvalid,
)
from .passage import Hit, Passage

if TYPE_CHECKING:
    from .answer import Answer, Answerer
    from .citation import STYLE_LABELS, STYLES, CitationStyle, cite, passage_link, style_named
    from .cli import main, open_library, open_retriever
    from .feedback import Feedback, FeedbackLog, voter_key
    from .followup import read_with
    from .live import Change, Library
    from .plain import answer_text, missing_note
    from .references import Cited, csl_json, ris
    from .search import Retriever
    from .store import DocumentRecord
    from .terminal import safe
    from .watch import Outcome, Source, SourcesInvalid, Watcher, load_sources

__all__ = [
    "Answer",
    "Answerer",
    "BadQuery",
    "Change",
    "CitationStyle",
    "Cited",
    "DocumentRecord",
    "EnglishOnlyIndex",
    "Feedback",
    "FeedbackLog",
    "FeedbackLogFailed",
    "Hit",
    "IndexBusy",
    "IndexCorrupt",
    "IndexEmpty",
    "IndexMismatch",
    "IndexNotFound",
    "IndexWriteFailed",
    "InputNotFound",
    "Library",
    "ModelUnavailable",
    "NothingMatches",
    "NothingToIngest",
    "Outcome",
    "Passage",
    "ReadoutsError",
    "Retriever",
    "STYLES",
    "STYLE_LABELS",
    "SettingInvalid",
    "Source",
    "SourcesInvalid",
    "Watcher",
    "answer_text",
    "cite",
    "csl_json",
    "load_sources",
    "main",
    "missing_note",
    "open_library",
    "open_retriever",
    "passage_link",
    "read_with",
    "ris",
    "safe",
    "settings",
    "style_named",
    "voter_key",
]
_LAZY = {"Answer": "answer", "Answerer": "answer", "Retriever": "search", "DocumentRecord": "store",
         "answer_text": "plain", "missing_note": "plain", "safe": "terminal", "open_retriever": "cli",
         "main": "cli", "open_library": "cli", "Change": "live", "Library": "live", "Outcome": "watch",
         "Source": "watch", "SourcesInvalid": "watch", "Watcher": "watch", "load_sources": "watch",
         "STYLES": "citation", "CitationStyle": "citation", "cite": "citation", "passage_link": "citation",
         "STYLE_LABELS": "citation", "style_named": "citation", "Cited": "references", "csl_json": "references",
         "ris": "references",
         "Feedback": "feedback", "FeedbackLog": "feedback", "voter_key": "feedback", "read_with": "followup"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
