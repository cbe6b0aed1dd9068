"""Readouts that are not plain text (HTML pages, PDF files) → Documents; the kind is told by content.

The extractors are imported only when a page or PDF is read, so `readouts --help` and `ask` stay light.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

from index.errors import SourceUnreadable
from index.ingest.charsets import BOMS
from index.ingest.documents import (
    MAX_TOKENS,
    MODEL_MAX_TOKENS,
    PIPELINE_VERSION,
    Document,
    TokenCounter,
    approximate_tokens,
    is_fragment,
    parse_document,
    sentence_spans,
    split_long,
)
from index.ingest.metadata import Metadata
from index.passage import Passage
from index.text.turns import passage_speaker, speakers

if TYPE_CHECKING:
    from .html import Page

SNIFF_BYTES = 4096
HTML_VERSION = 1  # bump when HTML extraction or grouping changes, so pages are re-split
HTML_START = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.I | re.S)
HTML_TAGS = re.compile(rb"<(html|head|body|title|meta|div|p)[\s>/]", re.I)


def sniff(head: bytes) -> str:
    """'pdf' (the %PDF magic), 'html' (a document that opens as one), or 'text' for everything else.
    A page in UTF-16 or UTF-32 is told by its byte-order mark and sniffed as the text it holds."""
    for bom, name in BOMS:
        if head.startswith(bom):
            head = head.decode(name, errors="ignore").encode("utf-8")
            break
    if head.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if HTML_START.match(head) or (head.lstrip()[:1] == b"<" and len(HTML_TAGS.findall(head)) >= 3):
        return "html"
    return "text"


def sniff_file(path: Path) -> str:
    """The kind of a regular file, from its first bytes; 'text' when it cannot be opened (reading it
    says why). Callers check that it is a regular file first: a named pipe would block."""
    try:
        with open(path, "rb") as handle:
            return sniff(handle.read(SNIFF_BYTES))
    except OSError:
        return "text"


def load_data(path: Path, data: bytes, kind: str, metadata: Metadata = Metadata(),
              count_tokens: TokenCounter = approximate_tokens) -> Document:
    """A page or PDF file's bytes as a Document, its URL from metadata.jsonl, the page, or a
    sources-*.jsonl beside it."""
    if kind == "pdf":
        return pdf_document(path, data, metadata, count_tokens)
    return html_document(path, data, metadata, count_tokens, fallback_url=listed_url(path))


def html_document(path: Path, data: bytes, metadata: Metadata = Metadata(),
                  count_tokens: TokenCounter = approximate_tokens, max_tokens: int = MAX_TOKENS,
                  url: str | None = None, fallback_url: str | None = None, origin: str | None = None,
                  page: Page | None = None) -> Document:
    """A page as a Document: its text is the extracted article (title, then one paragraph a line), and each
    passage a paragraph, or in a transcript a question with its answer, cut to what the model reads."""
    from .html import extract
    from .transcript import units

    page = page or extract(data, url or fallback_url)
    paragraphs = list(page.paragraphs)
    if not paragraphs:
        raise SourceUnreadable("no article text found in the page")
    title = metadata.title or page.title or path.stem
    text = page.title or title
    spans = []
    text += "\n\n"
    for paragraph in paragraphs:
        spans.append((len(text), len(text) + len(paragraph.text)))
        text += paragraph.text + "\n"
    page_url = metadata.url or page.url or url or fallback_url
    source = metadata.source or page.source or _host(page_url) or path.name
    date = metadata.date or page.date
    budget = max(64, min(max_tokens, MODEL_MAX_TOKENS - (count_tokens(title) - 2)))
    pieces: list[tuple[int, int]] = []
    voices = list(zip(spans, speakers([(p.text, p.emphasis) for p in paragraphs], title)))
    for group in units(paragraphs):
        members = [spans[i] for i in group]
        if len(members) == 1 and is_fragment(text[members[0][0]:members[0][1]]):
            continue
        pieces.extend(pack(text, members, count_tokens, budget))
    content_hash = hashlib.sha256(text.encode()).hexdigest()
    known = (title, date, source, page_url)
    fingerprint = hashlib.sha256(json.dumps(["html", PIPELINE_VERSION, HTML_VERSION, max_tokens, content_hash,
                                             known]).encode()).hexdigest()
    turns = [passage_speaker([voice for (s, e), voice in voices if s < end and e > start]) for start, end in pieces]
    return _document(path, text, known, pieces, content_hash, fingerprint, origin, turns)


def pack(text: str, spans: list[tuple[int, int]], count_tokens: TokenCounter, budget: int) -> list[tuple[int, int]]:
    """Consecutive paragraphs (a question and its answer) as few passages as fit the budget: whole paragraphs
    where they fit, a paragraph too long cut between sentences, and a question kept with as many of its
    answer's first sentences as fit beside it."""
    if count_tokens(text[spans[0][0]:spans[-1][1]]) <= budget:
        return [(spans[0][0], spans[-1][1])]
    chunks: list[tuple[int, int]] = []
    start: int | None = None
    end = 0
    for number, (s, e) in enumerate(spans):
        if start is not None and count_tokens(text[start:e]) <= budget:
            end = e
            continue
        if number == 1 and start == spans[0][0] and end == spans[0][1]:
            for _, sentence_end in sentence_spans(text, s, e):
                if count_tokens(text[start:sentence_end]) > budget:
                    break
                end = sentence_end
            if end > spans[0][1]:
                chunks.append((start, end))
                start = None
                rest = next((m.start() for m in re.finditer(r"\S", text[end:e])), None)
                if rest is None:
                    continue
                s = end + rest
        if start is not None:
            chunks.append((start, end))
            start = None
        if count_tokens(text[s:e]) <= budget:
            start, end = s, e
        else:
            chunks.extend(split_long(text, s, e, count_tokens, budget))
    if start is not None:
        chunks.append((start, end))
    return chunks


def pdf_document(path: Path, data: bytes, metadata: Metadata = Metadata(),
                 count_tokens: TokenCounter = approximate_tokens, origin: str | None = None) -> Document:
    """A PDF's text (pypdf, page after page) read as a plain-text readout; its Title field names it when
    nothing else does."""
    from .pdf import pdf_text

    text, title = pdf_text(data)
    if not text.strip():
        raise SourceUnreadable("PDF without extractable text (scanned?)")
    document = parse_document(path, text, metadata.merged_over(Metadata(title=title)), count_tokens=count_tokens)
    if origin:
        document = dataclasses.replace(document, origin=origin)
    return document


def _document(path: Path, text: str, known: tuple, spans: list[tuple[int, int]], content_hash: str,
              fingerprint: str, origin: str | None, turns: list[str | None]) -> Document:
    title, date, source, url = known
    passages = tuple(
        Passage(id=f"{content_hash[:12]}-{number}", doc=path.name, text=text[start:end], title=title,
                source=source, date=date, url=url, paragraph=number, speaker=speaker)
        for number, ((start, end), speaker) in enumerate(zip(spans, turns, strict=True), start=1)
    )
    return Document(path, text, title, date, source, url, passages, content_hash, fingerprint, origin=origin)


def _host(url: str | None) -> str | None:
    from urllib.parse import urlsplit

    return (urlsplit(url).hostname or None) if url else None


def listed_url(path: Path) -> str | None:
    """The URL a sources-*.jsonl in the file's folder or the one above gives it (the shared corpus's form)."""
    resolved = path.resolve()
    for folder in (resolved.parent, resolved.parent.parent):
        url = _sources_index(folder).get(str(resolved))
        if url:
            return url
    return None


@functools.lru_cache(maxsize=64)
def _sources_index(folder: Path) -> dict[str, str]:
    urls: dict[str, str] = {}
    for listing in sorted(folder.glob("sources*.jsonl")):
        try:
            lines = listing.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for line in lines:
            try:
                record = json.loads(line)
                if isinstance(record, dict) and isinstance(record.get("file"), str) and isinstance(record.get("url"), str):
                    urls[str((folder / record["file"]).resolve())] = record["url"]
            except ValueError:
                continue
    return urls
