"""Citations of a passage, ready to copy, and links that open its readout scrolled to the passage and
highlighted: text fragments (WICG "URL Fragment Text Directives", `#:~:text=`). The styles other than
"plain" are the official CSL styles, rendered by citeproc-py (references.py)."""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal
from urllib.parse import quote as percent_encode
from urllib.parse import unquote

from index.passage import Passage

from .references import CSL_STYLES, Cited, csl_item, render, speaker_of

CitationStyle = Literal["plain", "chicago-author-date", "chicago-notes", "apa", "mla", "harvard"]
STYLES: tuple[CitationStyle, ...] = ("plain", "chicago-author-date", "chicago-notes", "apa", "mla", "harvard")
STYLE_LABELS: dict[str, str] = {"plain": "Plain", **{name: style.label for name, style in CSL_STYLES.items()}}
# Names a chat may have kept or a user may type: "chicago" was the hand-written Chicago
# bibliography entry of earlier versions, the form of the notes system.
_ALIASES: dict[str, CitationStyle] = {"chicago": "chicago-notes", "chicago-note": "chicago-notes",
                                      "chicago-notes-bibliography": "chicago-notes", "author-date": "chicago-author-date",
                                      "modern-language-association": "mla", "harvard-cite-them-right": "harvard"}

START_WORDS = 4  # words in a textStart or textEnd before it is grown for uniqueness
CJK_CHARS_PER_WORD = 2.5  # scripts written without spaces: this many characters weigh as a word
SHORT_WORDS = 8  # a passage this short (in words and in characters) is quoted whole as textStart
SHORT_CHARS = 80
PARAGRAPH_BREAK = "\n\n"  # between a readout's passages, as a page's paragraphs are apart

_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
# A unit is where a term may begin or end: a word, or a single character of a script without spaces.
_UNIT = re.compile(f"[{_CJK}]|[^\\s{_CJK}]+")
_WORD = re.compile(r"\S+")
_IS_CJK = re.compile(f"[{_CJK}]")


@dataclass(frozen=True)
class Directive:
    """The terms of one text directive: `text=[prefix-,]start[,end][,-suffix]`."""

    start: str
    end: str | None = None
    prefix: str | None = None
    suffix: str | None = None


@dataclass(frozen=True)
class _Page:
    """A page as a browser matches it: whitespace collapsed to one space, a newline between blocks
    (paragraphs), compared with case and accents folded; `units` are spans in `text`, `raw` their
    offsets in the text the page was made from."""

    text: str
    folded: str
    units: tuple[tuple[int, int], ...]
    raw: tuple[tuple[int, int], ...]
    blocks: tuple[int, ...]


@functools.lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    base = unicodedata.normalize("NFD", char)[0]
    lower = base.lower()
    return lower if len(lower) == 1 else base


def _fold(text: str) -> str:
    """Case and accents folded one character at a time (so offsets are kept): browsers compare text
    fragments at the collator's base strength, where "A", "a" and "á" are equal."""
    return "".join(map(_fold_char, text))


@functools.lru_cache(maxsize=8)  # a readout's passages are linked one after another over the same page
def _page(page_text: str) -> _Page:
    """Collapse the page's whitespace, a blank line separating blocks, and cut it into units."""
    parts: list[str] = []
    units: list[tuple[int, int]] = []
    raw: list[tuple[int, int]] = []
    blocks: list[int] = []
    length, block, previous_end = 0, 0, None
    for word in _WORD.finditer(page_text):
        if previous_end is not None:
            gap = "\n" if page_text.count("\n", previous_end, word.start()) >= 2 else " "
            block += gap == "\n"
            parts.append(gap)
            length += 1
        for unit in _UNIT.finditer(word.group()):
            units.append((length + unit.start(), length + unit.end()))
            raw.append((word.start() + unit.start(), word.start() + unit.end()))
            blocks.append(block)
        parts.append(word.group())
        length += len(word.group())
        previous_end = word.end()
    text = "".join(parts)
    return _Page(text, _fold(text), tuple(units), tuple(raw), tuple(blocks))


def _boundary(text: str, at: int) -> bool:
    """Whether a word boundary falls at `at`: between two letters or digits of a spaced script there is none."""
    if at <= 0 or at >= len(text):
        return True
    return not all(char.isalnum() and not _IS_CJK.match(char) for char in text[at - 1:at + 1])


def _find(page: _Page, term: str, begin: int, *, start_bounded: bool, end_bounded: bool) -> tuple[int, int] | None:
    """The first match of `term` at or after `begin` within one block, as the spec's "find a string in range"."""
    query = _fold(" ".join(term.split()))
    at = page.folded.find(query, begin)
    while at != -1:
        stop = at + len(query)
        if (not start_bounded or _boundary(page.text, at)) and (not end_bounded or _boundary(page.text, stop)):
            return at, stop
        at = page.folded.find(query, at + 1)
    return None


def _skip_whitespace(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \n":
        at += 1
    return at


def _resolve(page: _Page, directive: Directive) -> tuple[int, int] | None:
    """The span of `page.text` a browser highlights for `directive`, following the spec's "find a range
    from a text directive": the first start (after its prefix), then the first end, checking the suffix."""
    size = len(page.text)
    start_end_bounded = directive.end is not None or directive.suffix is None
    search = 0
    while search < size:
        if directive.prefix is not None:
            prefix = _find(page, directive.prefix, search, start_bounded=True, end_bounded=False)
            if prefix is None:
                return None
            search = prefix[0] + 1
            at = _skip_whitespace(page.text, prefix[1])
            if at == size:
                return None
            match = _find(page, directive.start, at, start_bounded=False, end_bounded=start_end_bounded)
            if match is None:
                return None
            if match[0] != at:
                continue
        else:
            match = _find(page, directive.start, search, start_bounded=True, end_bounded=start_end_bounded)
            if match is None:
                return None
            search = match[0] + 1
        begin, finish = match
        while True:
            if directive.end is not None:
                end = _find(page, directive.end, finish, start_bounded=True, end_bounded=directive.suffix is None)
                if end is None:
                    return None
                finish = end[1]
            if directive.suffix is None:
                return begin, finish
            at = _skip_whitespace(page.text, finish)
            suffix = _find(page, directive.suffix, at, start_bounded=False, end_bounded=True)
            if suffix is None:
                return None
            if suffix[0] == at:
                return begin, finish
            if directive.end is None:
                break
    return None


def _weight(page: _Page, first: int, last: int) -> float:
    """How many words units first..last-1 make, a character of a script without spaces counting as a fraction."""
    characters = sum(1 for i in range(first, last) if _IS_CJK.match(page.text[page.units[i][0]]))
    return (last - first - characters) + characters / CJK_CHARS_PER_WORD


def _base_size(page: _Page, first: int, last: int, *, backwards: bool = False) -> int:
    """The fewest units from one end of first..last-1 that weigh START_WORDS words."""
    for size in range(1, last - first + 1):
        span = (last - size, last) if backwards else (first, first + size)
        if _weight(page, *span) >= START_WORDS:
            return size
    return last - first


def _term(page: _Page, first: int, last: int) -> str:
    return page.text[page.units[first][0]:page.units[last - 1][1]]


def _block_span(page: _Page, unit: int) -> tuple[int, int]:
    """The units of the block holding `unit`: a term never crosses a block."""
    first = last = unit
    while first > 0 and page.blocks[first - 1] == page.blocks[unit]:
        first -= 1
    while last < len(page.units) and page.blocks[last] == page.blocks[unit]:
        last += 1
    return first, last


def _context(page: _Page, first: int, last: int) -> tuple[list[str | None], list[str]]:
    """Prefixes (none first, then more and more words before the passage, within their block) and
    suffixes (more and more words after it, within their block)."""
    prefixes: list[str | None] = [None]
    if first > 0:
        prefixes += [_term(page, first - size, first) for size in range(1, first - _block_span(page, first - 1)[0] + 1)]
    suffixes = []
    if last < len(page.units):
        suffixes = [_term(page, last, last + size) for size in range(1, _block_span(page, last)[1] - last + 1)]
    return prefixes, suffixes


def _starts(page: _Page, first: int, last: int) -> Iterator[tuple[str, range]]:
    """Each textStart for units first..last-1, shortest first, with the sizes (in units) of the textEnds
    that may follow it, shortest first (none when the start is the whole passage, as for a short one)."""
    head_last = min(last, _block_span(page, first)[1])
    tail_first = max(first, _block_span(page, last - 1)[0])
    whole = _term(page, first, last) if head_last == last else None
    if whole is not None and _weight(page, first, last) <= SHORT_WORDS and len(whole) <= SHORT_CHARS:
        yield whole, range(0)
        return
    base_end = _base_size(page, tail_first, last, backwards=True)
    for start_size in range(_base_size(page, first, head_last), head_last - first + 1):
        if whole is not None and start_size + base_end > last - first:
            yield whole, range(0)
            return
        yield _term(page, first, first + start_size), range(base_end, last - max(tail_first, first + start_size) + 1)


def _anchored(page: _Page, directive: Directive, begin: int) -> bool:
    """Whether the start of `directive` (after its prefix) is first found at `begin`: when it is not, no
    end can fix it (a browser looks for the end after the first start only)."""
    found = _resolve(page, Directive(directive.start, prefix=directive.prefix))
    return found is not None and found[0] == begin


def _search(page: _Page, first: int, last: int) -> Directive | None:
    """The directive with least context that resolves to exactly units first..last-1: a longer start,
    then a prefix of more words, then the whole passage as start with a suffix; None when none does."""
    target = (page.units[first][0], page.units[last - 1][1])
    prefixes, suffixes = _context(page, first, last)
    starts = list(_starts(page, first, last))
    for prefix in prefixes:
        for start, end_sizes in starts:
            if not _anchored(page, Directive(start, prefix=prefix), target[0]):
                continue
            ends = [_term(page, last - size, last) for size in end_sizes]
            for directive in [Directive(start, end, prefix) for end in ends] or [Directive(start, prefix=prefix)]:
                if _resolve(page, directive) == target:
                    return directive
    whole = starts[-1][0]
    for suffix in suffixes if not starts[-1][1] else []:
        for prefix in prefixes:
            directive = Directive(whole, prefix=prefix, suffix=suffix)
            if _resolve(page, directive) == target:
                return directive
    return None


def _first_copy(page: _Page, first: int, last: int) -> tuple[int, int]:
    """The units of the first copy on the page of the words of units first..last-1 (as a browser
    compares them: case and accents folded)."""
    begins = {begin: i for i, (begin, _) in enumerate(page.units)}
    ends = {end: i + 1 for i, (_, end) in enumerate(page.units)}
    words = page.folded[page.units[first][0]:page.units[last - 1][1]]
    at = page.folded.find(words)
    while at not in begins or at + len(words) not in ends:
        at = page.folded.find(words, at + 1)
    return begins[at], ends[at + len(words)]


def directive_for(page_text: str, start: int, length: int) -> Directive:
    """The text directive a browser resolves to exactly the words of page_text[start:start + length]
    or, where no directive can single out that occurrence, to the first copy of the same words."""
    page = _page(page_text)
    inside = [i for i, (a, b) in enumerate(page.raw) if a >= start and b <= start + length]
    if not inside:
        raise ValueError("the passage has no words")
    first, last = inside[0], inside[-1] + 1
    found = _search(page, first, last) or _search(page, *_first_copy(page, first, last))
    if found is not None:
        return found
    start_term, end_sizes = next(_starts(page, first, last))
    return Directive(start_term, _term(page, last - end_sizes[0], last) if end_sizes else None)


def _encode(term: str) -> str:
    """Percent-encode a term as a text directive needs: all but ASCII letters, digits and `._~` (so `-`,
    `,` and `&` too), as UTF-8."""
    return percent_encode(" ".join(term.split()), safe="").replace("-", "%2D")


def _directive_text(directive: Directive) -> str:
    """The directive as it is written in a URL: `text=[prefix-,]start[,end][,-suffix]`."""
    terms = ([f"{_encode(directive.prefix)}-"] if directive.prefix else []) + [_encode(directive.start)]
    terms += [_encode(directive.end)] if directive.end else []
    terms += [f"-{_encode(directive.suffix)}"] if directive.suffix else []
    return "text=" + ",".join(terms)


def _with_directive(url: str, directive: Directive) -> str:
    """`url` with `directive` as its text directive, after the fragment it has and in place of any text
    directive it had; other directives are kept."""
    base, _, fragment = url.partition("#")
    fragment, _, directives = fragment.partition(":~:")
    kept = [d for d in directives.split("&") if d and not d.startswith("text=")]
    return f"{base}#{fragment}:~:" + "&".join([_directive_text(directive), *kept])


def fragment_url(url: str, text: str, page_text: str, start: int | None = None) -> str:
    """`url` with a text fragment that scrolls a browser to `text` (verbatim) and highlights it, where
    `text` occurs in `page_text` (the readout's passages joined by blank lines) at `start` (default: its
    first occurrence)."""
    start = page_text.find(text) if start is None else start
    if start < 0 or page_text[start:start + len(text)] != text:
        raise ValueError("text does not occur in page_text at start")
    return _with_directive(url, directive_for(page_text, start, len(text)))


def decode_fragment(url: str) -> dict[str, str | None]:
    """The terms of the URL's text directive, percent-decoded: prefix, start, end and suffix (None when
    absent; all None when the URL has no text directive)."""
    terms: dict[str, str | None] = {"prefix": None, "start": None, "end": None, "suffix": None}
    directives = url.partition("#")[2].partition(":~:")[2]
    value = next((d[len("text="):] for d in directives.split("&") if d.startswith("text=")), None)
    if value is None:
        return terms
    parts = value.split(",")
    if len(parts) > 1 and parts[0].endswith("-"):
        terms["prefix"] = unquote(parts.pop(0)[:-1])
    if len(parts) > 1 and parts[-1].startswith("-"):
        terms["suffix"] = unquote(parts.pop()[1:])
    terms["start"] = unquote(parts[0])
    terms["end"] = unquote(parts[1]) if len(parts) > 1 else None
    return terms


def date_words(day: date | str | None) -> str:
    """A date as a citation writes it ("May 21, 2021"), "n.d." when there is none."""
    if day is None:
        return "n.d."
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return f"{day:%B} {day.day}, {day.year}"


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _ends_sentence(text: str) -> bool:
    return text.rstrip("”’\"')").endswith((".", "?", "!", "…"))


def _sentence(text: str) -> str:
    """`text` ended with a period, unless it already ends in punctuation (no "n.d.." or "Dept..")."""
    return text if _ends_sentence(text) else f"{text}."


def style_named(name: str | None) -> CitationStyle | None:
    """The style `name` stands for: a style's key or label, or an earlier version's name, in any case,
    with spaces or hyphens ("Chicago notes", "apa", "chicago"); None when it names none."""
    key = "-".join((name or "").lower().replace("_", " ").replace("-", " ").split())
    for style in STYLES:
        if key in (style, "-".join(STYLE_LABELS[style].lower().split())):
            return style
    return _ALIASES.get(key)


def reference(passage: Passage, style: CitationStyle, *, accessed: date, link: str | None = None) -> str:
    """The passage's reference without its quote: in a CSL style, citeproc-py's rendering of the
    passage's CSL-JSON item (references.csl_item); in "plain", the speaker ("…, in:"), source, title,
    date, link and accessed date on one line."""
    if style != "plain":
        return render(csl_item(Cited(passage, link), accessed=accessed), style)
    return _plain(passage, accessed=accessed, link=link)


def _plain(passage: Passage, *, accessed: date, link: str | None, words: str | None = None) -> str:
    """The plain citation: `Speaker: “words” — Source, “Title”, Date. link (accessed …)`, or without
    the words `Speaker, in: Source, …`."""
    url = link or passage.url
    speaker = speaker_of(passage)
    where = f"{_collapse(passage.source)}, “{_collapse(passage.title)}”, {date_words(passage.date)}"
    if words is not None:
        where = f"{speaker}: {words} — {where}" if speaker else f"{words} — {where}"
    elif speaker:
        where = f"{speaker}, in: {where}"
    return (f"{_sentence(where)} {url}" if url else where) + f" (accessed {date_words(accessed)})"


def cite(passage: Passage, style: CitationStyle, *, accessed: date, link: str | None = None,
         quote: str | None = None, quoted: bool = True) -> str:
    """A one-paragraph citation of the passage, ready to copy: its reference in `style` (link: `link`,
    else the passage's url) and the quote (`quote`, else the passage), verbatim: after the reference
    ("Quoted: “…”") in a CSL style, after its speaker and before the rest in "plain". With `quoted`
    False it is the reference alone, for a reader who pastes the quote themselves; it still names
    the speaker."""
    if not quoted:
        return reference(passage, style, accessed=accessed, link=link)
    words = f"“{_collapse(quote if quote is not None else passage.text)}”"
    if style == "plain":
        return _plain(passage, accessed=accessed, link=link, words=words)
    return f"{reference(passage, style, accessed=accessed, link=link)} Quoted: {words}"


def passage_link(passage: Passage, document: Sequence[Passage]) -> str | None:
    """The passage's url with a text directive that finds it on its readout's page: the title (the
    page's heading), then `document`, its passages in order; None when the readout has no url."""
    if not passage.url:
        return None
    texts = [passage.title]
    start = None
    for other in document:
        if other.id == passage.id:
            start = sum(len(text) + len(PARAGRAPH_BREAK) for text in texts)
        texts.append(other.text)
    page_text = PARAGRAPH_BREAK.join(texts)
    if start is None or page_text[start:start + len(passage.text)] != passage.text:  # not among its readout's
        return fragment_url(passage.url, passage.text, passage.text)
    return fragment_url(passage.url, passage.text, page_text, start=start)
