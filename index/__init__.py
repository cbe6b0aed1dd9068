"""Readout retrieval: ingest readouts into a FAISS index beside BM25, and answer questions with the
passages that answer them, quoted verbatim. This is the package's public surface (`__all__`); the
front ends (the CLI, the bot) use nothing else. Names that need the model stack load on first use.

An index is opened here: `open_library` follows a directory's new generations, `open_retriever`
reads its live generation and keeps it. Either is what an `Answerer` answers from, one snapshot
(one generation) per answer."""
from __future__ import annotations

import importlib
import sys
from pathlib import Path
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
    from .answer.citation import STYLE_LABELS, STYLES, CitationStyle, cite, passage_link, style_named
    from .answer.followup import read_with
    from .answer.plain import answer_text, missing_note
    from .answer.policy import Answer, Answerer
    from .answer.references import Cited, csl_json, ris
    from .feedback import Feedback, FeedbackLog, voter_key
    from .ingest.watch import Outcome, Source, SourcesInvalid, Watcher, load_sources
    from .models.embed import Embedder
    from .retrieve.live import Change, Library
    from .retrieve.search import Retriever
    from .store.generations import DocumentRecord
    from .terminal import one_line, safe

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
    "one_line",
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
_LAZY = {"Answer": "answer.policy", "Answerer": "answer.policy", "Retriever": "retrieve.search", "DocumentRecord": "store.generations",
         "answer_text": "answer.plain", "missing_note": "answer.plain", "safe": "terminal", "one_line": "terminal",
         "main": "cli", "Change": "retrieve.live", "Library": "retrieve.live", "Outcome": "ingest.watch",
         "Source": "ingest.watch", "SourcesInvalid": "ingest.watch", "Watcher": "ingest.watch", "load_sources": "ingest.watch",
         "STYLES": "answer.citation", "CitationStyle": "answer.citation", "cite": "answer.citation", "passage_link": "answer.citation",
         "STYLE_LABELS": "answer.citation", "style_named": "answer.citation", "Cited": "answer.references", "csl_json": "answer.references",
         "ris": "answer.references",
         "Feedback": "feedback", "FeedbackLog": "feedback", "voter_key": "feedback", "read_with": "answer.followup"}


def open_library(directory: str | Path | None = None) -> Library:
    """The index at `directory` (default: READOUTS_INDEX, else the project's own index, built from
    seeds/ on first use), following its new generations (live.Library)."""
    from .retrieve.live import Library

    path = settings.index_dir(str(directory) if directory else None)
    return Library(path, _default_index(path))


def open_retriever(directory: str | Path | None = None) -> Retriever:
    """The index at `directory` (defaults as `open_library`'s), its live generation read and kept
    (search.Retriever): for a run that answers and exits."""
    from .retrieve.search import Retriever
    from .store import generations as store

    path = settings.index_dir(str(directory) if directory else None)
    embedder = _default_index(path)
    return Retriever(store.load(path), embedder)


def _default_index(directory: Path) -> Embedder | None:
    """Build the default index from seeds/ when it is asked for and missing, saying so on stderr; the
    embedder used, if so."""
    from .store import generations as store

    if store.has_index(directory) or directory != settings.DEFAULT_INDEX or not settings.SEEDS.is_dir():
        return None
    from .ingest.update import format_report, ingest
    from .models.embed import embedder_named
    from .terminal import safe

    print(f"no index yet: building {directory} from {settings.SEEDS}", file=sys.stderr)
    embedder = embedder_named(settings.default_embedder())
    print(safe(format_report(ingest([settings.SEEDS], directory, embedder), directory)), file=sys.stderr)
    return embedder


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
