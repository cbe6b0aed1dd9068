"""Find readout files under the given paths, read them, and account for every one that is skipped."""
from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import InputNotFound, SourceUnreadable

from . import charsets
from .documents import Document, TokenCounter, approximate_tokens, parse_document, recurring_lines
from .metadata import Metadata, read_metadata
from .sources import load_data, sniff, sniff_file

SUFFIXES = {".txt", ".md"}
METADATA_FILE = "metadata.jsonl"
MAX_FILE_BYTES = 32 * 1024 * 1024  # far above any readout; a larger file is not read whole
BOMS = tuple(bom for bom, _ in charsets.BOMS)
KINDS = {stat.S_IFIFO: "a named pipe", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
         stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}


class Unreadable(Exception):
    """A file that cannot be taken as a readout; the message is the reason shown to the user."""


@dataclass
class Corpus:
    documents: list[Document] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def absolute(path: Path) -> Path:
    """Absolute and normalized, but a symlink stays itself (so a broken one is reported by its name)."""
    return Path(os.path.abspath(path))


def not_regular(path: Path) -> str | None:
    """Why `path` cannot be read as a file (a FIFO would block, /dev/zero never ends), or None."""
    try:
        mode = path.stat().st_mode
    except OSError as error:
        return f"unreadable ({error.strerror or error})"
    if stat.S_ISREG(mode):
        return None
    return f"not a regular file ({KINDS.get(stat.S_IFMT(mode), 'a special file')})"


def utf8(name: str) -> bool:
    """Whether a name is text: os.fsdecode keeps the bytes of one that is not UTF-8 as lone surrogates."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def find_files(paths: Sequence[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Readout files under `paths` (recursively), and every file left out with its reason: hidden files and
    folders (a name starting with a dot) among them, and names that are not UTF-8."""
    missing = [str(path) for path in paths if not path.exists() and not path.is_symlink()]
    if missing:
        raise InputNotFound(f"no such file or folder: {', '.join(missing)}")
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []

    def consider(file: Path) -> None:
        if not utf8(str(file)):  # its name could not be stored, cited or printed as text
            skipped.append((str(file), "its name is not valid UTF-8: rename it to read it"))
        elif reason := not_regular(file):  # before any read: a named pipe would block it
            skipped.append((str(file), reason))
        elif file.suffix.lower() in SUFFIXES or sniff_file(file) != "text":
            files.append(file)
        else:
            skipped.append((str(file), "not a .txt, .md, HTML or PDF file"))

    for path in paths:
        if not path.is_dir():
            consider(path)
            continue
        for folder, dirs, names in os.walk(path, onerror=lambda e: skipped.append((str(e.filename), "unreadable folder"))):
            kept = []
            for name in sorted(dirs):
                if name.startswith("."):
                    skipped.append((str(Path(folder) / name), "hidden folder (its name starts with a dot), not read"))
                elif not utf8(name):
                    skipped.append((str(Path(folder) / name), "folder name is not valid UTF-8: rename it to read its files"))
                else:
                    kept.append(name)
            dirs[:] = kept
            for name in sorted(names):
                if name.startswith("."):
                    skipped.append((str(Path(folder) / name), "hidden file (its name starts with a dot)"))
                elif name != METADATA_FILE:
                    consider(Path(folder) / name)
    unique = list(dict.fromkeys(absolute(file) for file in files))
    return unique, skipped


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """At most `limit` bytes of a regular file, checked on the open file itself (it may have been
    swapped for a pipe since it was listed); Unreadable otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        raise Unreadable(f"unreadable ({error.strerror or error})") from error
    limit = MAX_FILE_BYTES if limit is None else limit
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise Unreadable(f"not a regular file ({KINDS.get(stat.S_IFMT(mode), 'a special file')})")
        try:
            data = handle.read(limit + 1)
        except OSError as error:
            raise Unreadable(f"unreadable ({error.strerror or error})") from error
    if len(data) > limit:
        raise Unreadable(f"larger than {limit // 2**20} MB, not a readout")
    return data


def read_text(path: Path) -> str:
    """The file as text with universal newlines, or Unreadable with the reason."""
    return decode(read_bytes(path))


def decode(data: bytes) -> str:
    """A text file's bytes as text with universal newlines (`charsets.decode`: a BOM, UTF-8, a charset
    detected unambiguously), or Unreadable with the reason."""
    if b"\x00" in data and not data.startswith(BOMS):  # UTF-16 and UTF-32 are told by their BOM
        raise Unreadable("binary file")
    try:
        text = charsets.decode(data)
    except charsets.Undecodable as reason:
        raise Unreadable(str(reason)) from None
    if "\x00" in text:
        raise Unreadable("binary file")
    if not text.strip():
        raise Unreadable("empty file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def folder_metadata(files: Iterable[Path]) -> tuple[dict[Path, Metadata], list[tuple[str, str]]]:
    """metadata.jsonl of every folder holding a file, keyed by the file path it describes; a line
    that is unusable, or names a file that is not there, is reported."""
    by_file: dict[Path, Metadata] = {}
    skipped: list[tuple[str, str]] = []
    for folder in sorted({file.parent for file in files}):
        metadata_path = folder / METADATA_FILE
        if not metadata_path.is_file():
            continue
        try:
            entries, problems = read_metadata(metadata_path)
        except OSError as error:
            skipped.append((str(metadata_path), f"unreadable ({error.strerror or error})"))
            continue
        skipped.extend((problem, "bad metadata") for problem in problems)
        for name, metadata in entries.items():
            file = absolute(folder / name)
            if not (file.exists() or file.is_symlink()):
                skipped.append((f"{metadata_path}: {name}", "metadata for a file that is not in the folder"))
            by_file[file] = metadata
    return by_file, skipped


def load_corpus(paths: Sequence[Path], count_tokens: TokenCounter = approximate_tokens) -> Corpus:
    files, skipped = find_files(paths)
    metadata, metadata_problems = folder_metadata(files)
    corpus = Corpus(skipped=skipped + metadata_problems)
    texts: dict[Path, str] = {}
    converted: dict[Path, Document] = {}  # pages and PDFs, read by index/ingest/sources
    for file in files:
        try:
            data = read_bytes(file)
            kind = sniff(data[:4096])
            if kind == "text":
                texts[file] = decode(data)
            else:
                converted[file] = load_data(file, data, kind, metadata.get(file, Metadata()), count_tokens)
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
