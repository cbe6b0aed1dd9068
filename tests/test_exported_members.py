"""The public surface of `index` (as httpx pins its own): `__all__` is sorted, every name in it
resolves, it is exactly the list below, and `bot/` imports nothing from `index` but that surface."""
from __future__ import annotations

import ast
from pathlib import Path

import index

EXPECTED = [
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


def test_all_is_sorted_and_pinned() -> None:
    assert index.__all__ == sorted(index.__all__)
    assert index.__all__ == EXPECTED


def test_every_public_name_resolves() -> None:
    for name in index.__all__:
        assert getattr(index, name) is not None, name


def test_the_bot_imports_only_the_public_surface() -> None:
    bot = Path(__file__).resolve().parent.parent / "bot"
    for path in bot.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("index"):
                assert node.module == "index", f"{path.name} imports {node.module}"
                assert all(alias.name in index.__all__ for alias in node.names), path.name
            if isinstance(node, ast.Import):
                assert not any(alias.name.startswith("index.") for alias in node.names), path.name
