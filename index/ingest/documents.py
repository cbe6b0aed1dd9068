"""One readout file → cleaned metadata and verbatim passages. Pure: no model, no I/O but reading."""
from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from index.passage import Passage
from index.text.dates import dateline_agency, extract_date, full_dates
from index.text.sentences import WHITESPACE, sentence_spans
from index.text.turns import passage_speaker, speakers
from index.urls import without_credentials

from .metadata import BadMetadata, Metadata, iso_date

# Bump when cleaning or splitting changes, so every document is re-split on the next ingest.
PIPELINE_VERSION = 9  # 5: passages cut by MiniLM's word pieces under every embedder; 6: speakers;
# 7: interpreter notes within a paragraph; 8: headings (the short lines before a paragraph);
# 9: the acronyms the passages spell out, beside BM25 (written with it)
# The short lines before a paragraph (a transcript's speaker line, place and venue, a heading), kept
# with it: too short to quote, but what a reader searches for ("rzeszow") and cites.
HEADING_JOIN = " · "
MAX_HEADING = 300
MODEL_MAX_TOKENS = 256  # the model truncates beyond this many word pieces, special tokens included
# Passages stay short enough to quote and to embed with their title (which goes in front of them).
MAX_TOKENS = 200

KNOWN_PUBLISHERS = (
    "Xinhua", "China Daily", "Global Times", "People's Daily", "CGTN", "Kyodo", "Kyodo News",
    "NHK", "Reuters", "AP", "AFP", "Yonhap", "Jiji Press", "The Japan Times", "TASS",
)
FURNITURE = [
    re.compile(pattern, re.I)
    for pattern in (
        r"(suggest to a friend|share( this)?|print( this page)?|e-?mail|tweet|facebook|"
        r"back to top|top|search trends|trending|most (read|popular)|related( news| stories| articles)?|"
        r"you may also like|copyright.*|all rights reserved.*|.*\bclose\b)\s*:?",
        r"(also read|read more|read also|see also|related|more on|recommended)\s*:.*",
        r"(editor|reporter|author|translator|proofreader|photo|file photo|video|source)s?\s*[:：].*",
        r"(来源|出典|出所|责任编辑|编辑|記者)\s*[:：].*",
        r"(published|updated|posted|released|release date|date|time)\s*:.*",
        r"home\b.*",  # site navigation bars begin with "Home"
        r".*\s>\s.*",  # breadcrumbs: "Home > China News"
        r".*\((photo|file photo|xinhua|ap|afp|reuters|cfp|ic|vcg)\s*/[^)]*\)\s*",  # photo captions
        r".*\(photo\b[^)]*\)\s*",
        r"by\s+[\w.'’-]+(\s+[\w.'’-]+){0,4}",  # bylines
        r"\[?\s*(print|email|share|close)\s*\]?(\s*\|?\s*\[?\s*(print|email|share|close)\s*\]?)*",
    )
]
TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|[^\W\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+")

TokenCounter = Callable[[str], int]


def approximate_tokens(text: str) -> int:
    """Word-piece count estimate used when no tokenizer is at hand (English ≈ 1.3 pieces a word)."""
    return int(len(TOKEN.findall(text)) * 1.35) + 2


@dataclass(frozen=True)
class Document:
    path: Path
    text: str  # the file as read: UTF-8, universal newlines
    title: str
    date: str | None
    source: str
    url: str | None
    passages: tuple[Passage, ...]
    content_hash: str  # of the text alone: finds duplicate documents
    fingerprint: str  # of everything that shaped the passages: decides re-embedding
    origin: str | None = None  # the URL a fetched page came from: its identity in the index instead of `path`

    def __post_init__(self) -> None:
        for name in ("url", "origin"):  # credentials are never shown, cited or stored (urls.py)
            value = getattr(self, name)
            if value and "@" in value:
                object.__setattr__(self, name, without_credentials(value))

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def identity(self) -> str:
        """What the index knows the document by across ingests: its file's path, or the URL it was fetched from."""
        return self.origin or str(self.path)


@dataclass(frozen=True)
class Line:
    start: int
    end: int  # exclusive, trailing whitespace excluded
    text: str  # stripped


def split_lines(text: str) -> list[Line]:
    lines, offset = [], 0
    for raw in text.split("\n"):
        stripped = raw.strip(WHITESPACE)
        start = offset + (raw.find(stripped) if stripped else 0)
        lines.append(Line(start, start + len(stripped), stripped))
        offset += len(raw) + 1
    return lines


def normalize_line(line: str) -> str:
    return re.sub(r"\s+", " ", line.replace("\u00a0", " ")).strip().lower()


def is_furniture(line: str) -> bool:
    clean = re.sub(r"\s+", " ", line.replace("\u00a0", " ")).strip()
    return any(pattern.fullmatch(clean) for pattern in FURNITURE) or is_date_line(clean)


def is_date_line(line: str) -> bool:
    """A line that is only a date, perhaps with a time: '2017-09-01 09:39', 'December 05, 2024'."""
    dates = full_dates(line)
    if not dates:
        return False
    rest = re.sub(r"[\d:,.\s/-]|(am|pm|gmt|utc|bjt|jst|edt|est)\b", "", line.lower())
    return len(rest) <= len(max(re.findall(r"[a-z]+", line.lower()) or [""], key=len))


def word_count(text: str) -> int:
    return len(TOKEN.findall(text))


def is_fragment(text: str) -> bool:
    """Headings, sign-offs, datelines alone: too little to quote as an answer."""
    words = word_count(text)
    return words < 6 or (words < 12 and not re.search(r"[.!?。！？\"”…]$", text))


def front_matter(text: str) -> tuple[Metadata, int]:
    """Simple `key: value` front matter between '---' lines, and the offset where the body starts."""
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    if not match:
        return Metadata(), 0
    fields: dict[str, str | None] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() in ("title", "date", "source", "url"):
            fields[key.strip().lower()] = value.strip().strip("\"'") or None
    if stated := fields.get("date"):
        try:
            fields["date"] = iso_date(stated)
        except BadMetadata:  # "March 3, 2023" reads as a date; anything else is no date
            fields["date"] = extract_date(stated)
    return Metadata(**fields), match.end()


def recurring_lines(texts: Iterable[str], min_share: float = 0.05, min_docs: int = 3) -> frozenset[str]:
    """Lines found in many documents of a corpus (page furniture), first lines (titles) excepted."""
    counts: Counter[str] = Counter()
    total = 0
    for text in texts:
        total += 1
        lines = [normalize_line(line.text) for line in split_lines(text) if line.text]
        counts.update(set(lines[1:]))
    threshold = max(min_docs, int(total * min_share + 0.999))
    return frozenset(line for line, n in counts.items() if n >= threshold)


def word_spans(text: str, start: int, end: int, count_tokens: TokenCounter, max_tokens: int) -> list[tuple[int, int]]:
    """A sentence too long on its own (a list of 90 countries) is cut between words."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[start:end])]
    spans: list[tuple[int, int]] = []
    first = 0
    for last in range(len(words)):
        if last > first and count_tokens(text[start + words[first][0] : start + words[last][1]]) > max_tokens:
            spans.append((start + words[first][0], start + words[last - 1][1]))
            first = last
    if words:
        spans.append((start + words[first][0], start + words[-1][1]))
    return spans


def split_long(text: str, start: int, end: int, count_tokens: TokenCounter, max_tokens: int) -> list[tuple[int, int]]:
    """Pack whole sentences into chunks the model can read without truncation."""
    if count_tokens(text[start:end]) <= max_tokens:
        return [(start, end)]
    pieces = [piece for s_start, s_end in sentence_spans(text, start, end)
              for piece in (word_spans(text, s_start, s_end, count_tokens, max_tokens)
                            if count_tokens(text[s_start:s_end]) > max_tokens else [(s_start, s_end)])]
    chunks: list[tuple[int, int]] = []
    for s_start, s_end in pieces:
        if chunks and count_tokens(text[chunks[-1][0]:s_end]) <= max_tokens:
            chunks[-1] = (chunks[-1][0], s_end)
        else:
            chunks.append((s_start, s_end))
    return chunks


def paragraph_spans(lines: list[Line], skip: Callable[[Line], bool]) -> list[tuple[int, int]]:
    """Runs of consecutive kept lines; blank or skipped lines end a paragraph."""
    spans, run = [], []
    for line in lines + [Line(0, 0, "")]:
        if line.text and not skip(line):
            run.append(line)
        elif run:
            spans.append((run[0].start, run[-1].end))
            run = []
    return spans


def parse_document(
    path: Path,
    text: str,
    metadata: Metadata = Metadata(),
    boilerplate: frozenset[str] = frozenset(),
    count_tokens: TokenCounter = approximate_tokens,
    max_tokens: int = MAX_TOKENS,
) -> Document:
    """Clean a readout: metadata wins, then front matter, then what the text itself states."""
    matter, body_start = front_matter(text)
    known = metadata.merged_over(matter)
    body = text[body_start:]
    lines = [line for line in split_lines(text) if line.start >= body_start]
    removed = [line for line in lines if line.text and (is_furniture(line.text) or normalize_line(line.text) in boilerplate)]
    removed_starts = {line.start for line in removed}
    content = [line for line in lines if line.text and line.start not in removed_starts]

    title_line = content[0] if content and _looks_like_title(content[0].text) else None
    title = known.title or (title_line.text.lstrip("# ").strip() if title_line else path.stem)
    skip_starts = removed_starts | ({title_line.start} if title_line else set())

    budget = max(64, min(max_tokens, MODEL_MAX_TOKENS - (count_tokens(title) - 2)))
    spans: list[tuple[int, int]] = []
    headings: dict[int, str] = {}  # a passage's start -> the fragments just before its paragraph
    fragments: list[str] = []
    for start, end in paragraph_spans(lines, lambda line: line.start in skip_starts):
        if is_fragment(text[start:end]):
            fragments.append(" ".join(text[start:end].split()))
            continue
        pieces = split_long(text, start, end, count_tokens, budget)
        if fragments:
            headings[pieces[0][0]] = HEADING_JOIN.join(fragments)[:MAX_HEADING]
            fragments = []
        spans.extend(pieces)

    spoken = [line for line in content if line.start not in skip_starts]
    voices = list(zip(spoken, speakers([(line.text, 0.0) for line in spoken], title)))
    source = known.source or _stated_source(body, [line.text for line in removed]) or path.name
    date = known.date or extract_date(body)
    content_hash = hashlib.sha256(text.encode()).hexdigest()
    fingerprint = hashlib.sha256(
        json.dumps([PIPELINE_VERSION, max_tokens, content_hash, known.values(), sorted(
            normalize_line(line.text) for line in removed)]).encode()
    ).hexdigest()
    passages = tuple(
        Passage(
            id=f"{content_hash[:12]}-{number}",
            doc=path.name,
            text=text[start:end],
            title=title,
            source=source,
            date=date,
            url=known.url,
            paragraph=number,
            speaker=passage_speaker([voice for line, voice in voices if line.start < end and line.end > start]),
            heading=headings.get(start),
        )
        for number, (start, end) in enumerate(spans, start=1)
    )
    return Document(path, text, title, date, source, known.url, passages, content_hash, fingerprint)


def _looks_like_title(line: str) -> bool:
    return word_count(line) <= 30 and not re.search(r"[.。]$", line.rstrip("\"”"))


def _stated_source(body: str, furniture: list[str]) -> str | None:
    """The publisher the text names: 'Source: X', a wire dateline '(Xinhua)', or 'By Xinhua'."""
    for line in furniture:
        match = re.fullmatch(r"(?:source|来源|出典|出所)\s*[:：]\s*(.+)", line, re.I)
        if match:
            return match.group(1).strip()
    agency = dateline_agency(body)
    if agency:
        return agency
    for line in furniture:
        match = re.fullmatch(r"by\s+(.+)", line, re.I)
        if match and match.group(1).strip().lower() in {name.lower() for name in KNOWN_PUBLISHERS}:
            return next(name for name in KNOWN_PUBLISHERS if name.lower() == match.group(1).strip().lower())
    return None
