"""Find readout files under the given paths, read them, and account for every one that is skipped."""
from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .documents import Document, Metadata, TokenCounter, approximate_tokens, parse_document, read_metadata, recurring_lines
from .errors import InputNotFound
from .sources import SourceUnreadable, load_file, sniff_file

SUFFIXES = {".txt", ".md"}
METADATA_FILE = "metadata.jsonl"


class Unreadable(Exception):
    """A file that cannot be taken as a readout; the message is the reason shown to the user."""


@dataclass
class Corpus:
    documents: list[Document] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def absolute(path: Path) -> Path:
    """Absolute and normalized, but a symlink stays itself (so a broken one is reported by its name)."""
    return Path(os.path.abspath(path))


def find_files(paths: Sequence[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Readout files under `paths` (recursively), and the problems met on the way."""
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        raise InputNotFound(f"no such file or folder: {', '.join(missing)}")
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []
    for path in paths:
        if path.is_file():
            if _readable_kind(path):
                files.append(path)
            else:
                skipped.append((str(path), "not a .txt, .md, HTML or PDF file"))
            continue
        for folder, dirs, names in os.walk(path, onerror=lambda e: skipped.append((str(e.filename), "unreadable folder"))):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                file = Path(folder) / name
                if name.startswith(".") or name == METADATA_FILE:
                    continue
                if _readable_kind(file):
                    files.append(file)
                else:
                    skipped.append((str(file), "not a .txt, .md, HTML or PDF file"))
    unique = list(dict.fromkeys(absolute(file) for file in files))
    return unique, skipped


def _readable_kind(path: Path) -> bool:
    """A .txt/.md file, or any file whose content is HTML or PDF (pages are saved as .shtml, .htm, or nameless)."""
    return path.suffix.lower() in SUFFIXES or sniff_file(path) != "text"


def read_text(path: Path) -> str:
    """The file as UTF-8 text with universal newlines, or Unreadable with the reason."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise Unreadable(f"unreadable ({error.strerror or error})") from error
    if not data.strip():
        raise Unreadable("empty file")
    if b"\x00" in data:
        raise Unreadable("binary file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Unreadable(f"not UTF-8 (bad byte at offset {error.start})") from error
    return text.replace("\r\n", "\n").replace("\r", "\n")


def folder_metadata(files: Iterable[Path]) -> tuple[dict[Path, Metadata], list[tuple[str, str]]]:
    """metadata.jsonl of every folder holding a file, keyed by the file path it describes."""
    by_file: dict[Path, Metadata] = {}
    skipped: list[tuple[str, str]] = []
    for folder in sorted({file.parent for file in files}):
        metadata_path = folder / METADATA_FILE
        if not metadata_path.is_file():
            continue
        entries, problems = read_metadata(metadata_path)
        skipped.extend((problem, "bad metadata") for problem in problems)
        for name, metadata in entries.items():
            by_file[absolute(folder / name)] = metadata
    return by_file, skipped


def load_corpus(paths: Sequence[Path], count_tokens: TokenCounter = approximate_tokens) -> Corpus:
    files, skipped = find_files(paths)
    metadata, metadata_problems = folder_metadata(files)
    corpus = Corpus(skipped=skipped + metadata_problems)
    texts: dict[Path, str] = {}
    converted: dict[Path, Document] = {}  # pages and PDFs, read by index/sources
    for file in files:
        try:
            kind = sniff_file(file)
            if kind == "text":
                texts[file] = read_text(file)
            else:
                converted[file] = load_file(file, kind, metadata.get(file, Metadata()), count_tokens)
        except (Unreadable, SourceUnreadable) as reason:
            corpus.skipped.append((str(file), str(reason)))
    boilerplate = recurring_lines(texts.values())
    first_of: dict[str, Path] = {}
    for file in files:
        if file in converted:
            document = converted[file]
        elif file in texts:
            document = parse_document(file, texts[file], metadata.get(file, Metadata()), boilerplate, count_tokens)
        else:
            continue
        if document.content_hash in first_of:
            corpus.skipped.append((str(file), f"duplicate of {first_of[document.content_hash]}"))
        elif not document.passages:
            corpus.skipped.append((str(file), "no passage with content"))
        else:
            first_of[document.content_hash] = file
            corpus.documents.append(document)
    return corpus
