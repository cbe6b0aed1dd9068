"""What is known of a document from outside its text: metadata.jsonl lines and front matter,
validated into typed values so that one bad line is reported and skipped, never the whole ingest."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath

FIELDS = ("title", "date", "source", "url")
MAX_METADATA_BYTES = 64 * 1024 * 1024  # a metadata file larger than this is not one


class BadMetadata(ValueError):
    """A metadata value that cannot be used; the message says which field and why."""


@dataclass(frozen=True)
class Metadata:
    """Title, ISO date, source and url of a document, each None where unknown."""

    title: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None

    def merged_over(self, other: Metadata) -> Metadata:
        return Metadata(*(mine or theirs for mine, theirs in zip(self.values(), other.values())))

    def values(self) -> tuple[str | None, ...]:
        return (self.title, self.date, self.source, self.url)


def iso_date(value: str) -> str:
    """A YYYY-MM-DD date (a longer ISO timestamp keeps its day), or BadMetadata."""
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[T ][\d:.+\-Z]*)?", value.strip())
    try:
        if not match:
            raise ValueError
        return date.fromisoformat(match.group(1)).isoformat()
    except ValueError:
        raise BadMetadata(f"date {value!r} is not a date (YYYY-MM-DD)") from None


def _text(record: dict, name: str) -> str | None:
    value = record.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadMetadata(f"{name} must be text, not {type(value).__name__} {json.dumps(value)[:40]}")
    return value.strip() or None  # as given: a title is cited as its publisher wrote it


def parse_record(record: object) -> tuple[str, Metadata]:
    """One metadata.jsonl object → (file name relative to its folder, Metadata); BadMetadata otherwise."""
    if not isinstance(record, dict):
        raise BadMetadata(f"expected a JSON object, not {type(record).__name__}")
    name = record.get("file")
    if not isinstance(name, str) or not name.strip():
        raise BadMetadata("\"file\" must be the name of a file in this folder")
    relative = PurePosixPath(name.strip())
    if relative.is_absolute() or ".." in relative.parts:
        raise BadMetadata(f"\"file\" {name!r} must name a file inside this folder")
    title, raw_date, source, url = (_text(record, field) for field in FIELDS)
    if url is not None and not re.match(r"https?://\S+$", url):
        raise BadMetadata(f"url {url!r} is not an http(s) address")
    return str(relative), Metadata(title, iso_date(raw_date) if raw_date else None, source, url)


def read_metadata(path: Path) -> tuple[dict[str, Metadata], list[str]]:
    """metadata.jsonl → {file name: Metadata}, and a reason for every line that could not be used."""
    entries: dict[str, Metadata] = {}
    problems: list[str] = []
    with open(path, "rb") as handle:
        data = handle.read(MAX_METADATA_BYTES + 1)
    if len(data) > MAX_METADATA_BYTES:
        return {}, [f"{path}: larger than {MAX_METADATA_BYTES // 2**20} MB, not read"]
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            name, metadata = parse_record(json.loads(line))
        except json.JSONDecodeError as error:
            problems.append(f"{path}:{number}: not JSON ({error.msg})")
        except BadMetadata as error:
            problems.append(f"{path}:{number}: {error}")
        else:
            entries[name] = metadata
    return entries, problems
