"""Hits → Telegram HTML (escaped, paged, within Telegram's limits) and → plain text for the terminal."""
from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape, unescape

from index import Answer, Hit, Passage

from .texts import ENGLISH, Texts

TELEGRAM_LIMIT = 4096
HEADING_CHARS = 80  # of the lines above a first paragraph, shown under its title
NOTHING_FOUND = ENGLISH.nothing_found


def _esc(text: str) -> str:
    return escape(text, quote=False)


def _origin_html(p: Passage, link: str | None = None) -> str:
    url = link or p.url
    anchor = f' · <a href="{escape(url, quote=True)}">link</a>' if url else ""
    return f"{_esc(p.source)}, {_esc(p.date or 'date unknown')}{anchor}"


def cite_html(hit: Hit) -> str:
    """Who speaks (in a transcript), title, the lines above a first paragraph (a transcript's place),
    source, date and link (to the quoted words, when the answer policy made that link); the same
    passage published elsewhere is named, not repeated."""
    also = "".join(f"\nalso: {_origin_html(p)}" for p in hit.also)
    speaker = f"{_esc(hit.passage.speaker)}, in: " if hit.passage.speaker else ""
    heading = f"\n{_esc(short(hit.passage.cited_heading, HEADING_CHARS))}" if hit.passage.cited_heading else ""
    return f"— {speaker}<i>{_esc(hit.passage.title)}</i>{heading}\n{_origin_html(hit.passage, hit.link)}{also}"


def context_html(hit: Hit, passages: list[Passage]) -> str:
    """The hit's paragraph among its neighbours, each quoted verbatim, the hit marked with ▶."""
    blocks = [f"<b>Context</b>, paragraphs {passages[0].paragraph}–{passages[-1].paragraph}:"]
    blocks += [_turn_html(p, before) + ("▶ " if p == hit.passage else "") + f"<blockquote>{_esc(p.text)}</blockquote>"
               for before, p in zip([None, *passages], passages)]
    html = "\n".join(blocks) + "\n" + cite_html(hit)
    return html if len(html) <= TELEGRAM_LIMIT else hit_html(hit, max_chars=TELEGRAM_LIMIT - 600)


def _turn_html(passage: Passage, before: Passage | None) -> str:
    """A neighbour's speaker, above it, where the turn changes."""
    if passage.speaker and (before is None or before.speaker != passage.speaker):
        return f"<i>{_esc(passage.speaker)}:</i>\n"
    return ""


SHOWN_CHARS = 240  # at most this much of a quote is shown before its fold (escaped characters)
MIN_SHOWN_CHARS = 120  # and at least this much, however much room a page's citations take
FIRST_SCREEN = 900  # what a page of an answer shows before anything is unfolded, where its citations leave room
UNFOLDED_CHARS = 280  # a passage this short is quoted whole, nothing folded
FOLD_TAGS = len("<blockquote>… <b></b> …</blockquote>\n<blockquote expandable><b></b></blockquote>")


def _clip(text: str, limit: int) -> str:
    """`text` cut at a word so that escaped it takes at most `limit` characters."""
    if len(_esc(text)) <= limit:
        return text
    cut = text[:limit]
    while len(_esc(cut)) > limit:
        cut = cut[: limit - (len(_esc(cut)) - len(cut))]
    return cut.rsplit(" ", 1)[0] if " " in cut.strip() else cut


def _lead(hit: Hit) -> tuple[int, int] | None:
    """Where the words a quote shows above its fold sit in the passage: its best sentence, else its
    opening; None for a short passage without a marked sentence, quoted whole."""
    text = hit.passage.text
    if hit.emphasis is None and len(_esc(text)) <= UNFOLDED_CHARS:
        return None
    return hit.emphasis if hit.emphasis and text[slice(*hit.emphasis)].strip() else (0, len(_clip(text, UNFOLDED_CHARS)))


def quote_html(hit: Hit, max_chars: int | None = None, shown_chars: int = SHOWN_CHARS) -> str:
    """The passage's best sentence (Hit.emphasis) in a blockquote, at most `shown_chars` of it, and the
    whole paragraph verbatim, that sentence in bold, folded below it in an expandable blockquote: what
    a phone shows at once is the sentence, the paragraph is a tap away. A short passage is quoted
    whole; one without a marked sentence shows its opening. Only a passage too long for one message
    (`max_chars`, the folded paragraph's room) is shortened, visibly, with "[…]".
    """
    text = hit.passage.text
    span = _lead(hit)
    if span is None:
        return f"<blockquote>{_esc(text)}</blockquote>"
    a, b = span
    sentence = text[a:b].strip()
    shown = _clip(sentence, min(shown_chars, SHOWN_CHARS))
    if shown == text.strip():
        return f"<blockquote>{_esc(text)}</blockquote>"
    lead = "… " if text[:a].strip() else ""
    tail = " …" if shown != sentence or text[b:].strip() else ""
    shown_html = f"<blockquote>{lead}{_esc(shown)}{tail}</blockquote>"
    if max_chars is not None and len(_esc(text)) > max_chars:
        folded = f"{_esc(_clip(text, max(max_chars, 0)))} […]"
    elif hit.emphasis:
        folded = f"{_esc(text[:a])}<b>{_esc(text[a:b])}</b>{_esc(text[b:])}"
    else:
        folded = _esc(text)
    return f"{shown_html}\n<blockquote expandable>{folded}</blockquote>"


def hit_html(hit: Hit, max_chars: int | None = None, shown_chars: int = SHOWN_CHARS) -> str:
    return f"{quote_html(hit, max_chars, shown_chars)}\n{cite_html(hit)}"


def _visible(html: str) -> int:
    """Characters a reader sees of HTML this module wrote (its tags dropped, its entities read)."""
    return len(unescape(re.sub(r"<[^>]+>", "", html)))


def shown_shares(hits: Sequence[Hit], header: str) -> list[int]:
    """How much of each quote's sentence a page shows above its fold, so that the page shows about
    FIRST_SCREEN characters before anything is unfolded: what the header and the citations leave,
    shared equally, a quote shorter than its share leaving the rest to the longer ones; each share
    within MIN_SHOWN_CHARS and SHOWN_CHARS."""
    # each hit: "\n\n" before it, "\n" before its fold and before its citation; a clipped sentence "… " and " …"
    room = FIRST_SCREEN - _visible(header) - sum(_visible(cite_html(hit)) + 4 for hit in hits)
    wanted: list[int | None] = []
    for hit in hits:
        lead = _lead(hit)
        if lead is None:
            room -= _visible(quote_html(hit))
            wanted.append(None)
        else:
            room -= 4
            wanted.append(len(_esc(hit.passage.text[slice(*lead)].strip())))
    shares = [SHOWN_CHARS] * len(hits)
    clipped = sorted((want, i) for i, want in enumerate(wanted) if want is not None)
    for left, (want, i) in zip(range(len(clipped), 0, -1), clipped):
        shares[i] = max(MIN_SHOWN_CHARS, min(SHOWN_CHARS, room // left))
        room -= min(want, shares[i])
    return shares


def room(hit: Hit) -> int:
    """The most characters `hit_html(hit)` may take, whichever sentence is marked in it later, so that
    pages made before the marking stay put."""
    text = _esc(hit.passage.text)
    return len(text) + min(len(text), SHOWN_CHARS) + FOLD_TAGS + len(cite_html(hit))


def paginate(answer: Answer, per_page: int, limit: int = TELEGRAM_LIMIT) -> list[range]:
    """Hit ranges, one per message: at most `per_page` hits and never over `limit` characters.

    Each hit counts the room it may take once its sentence is marked (`room`), so pages stay put.
    """
    pages: list[range] = []
    start = 0
    header = len(page_html(answer, range(0, 0), 1, 2)) + 20  # + the digits of "Results 10–12 of 150"
    while start < len(answer.hits):
        end = start + 1
        size = header + 2 + room(answer.hits[start])
        while end < len(answer.hits) and end - start < per_page and size + 2 + room(answer.hits[end]) <= limit:
            size += 2 + room(answer.hits[end])
            end += 1
        pages.append(range(start, end))
        start = end
    return pages


def page_html(answer: Answer, hits: range, page: int = 0, pages: int = 1, texts: Texts = ENGLISH) -> str:
    header = f"<b>Q:</b> {_esc(short(answer.question, 300))}"
    if answer.notice:
        header += f"\n<i>{_esc(answer.notice)}</i>"
    if pages > 1:
        header += f"\n<i>{_esc(texts.results.format(first=hits.start + 1, last=hits.stop, total=len(answer.hits)))}</i>"
    shares = shown_shares([answer.hits[i] for i in hits], header)
    html = "\n\n".join([header] + [hit_html(answer.hits[i], shown_chars=share) for i, share in zip(hits, shares)])
    if len(html) > TELEGRAM_LIMIT and len(hits) == 1:  # one giant passage: shorten the folded paragraph to fit
        hit, share = answer.hits[hits.start], shares[0]
        html = f"{header}\n\n{hit_html(hit, max_chars=0, shown_chars=share)}"
        html = f"{header}\n\n{hit_html(hit, max_chars=TELEGRAM_LIMIT - len(html) - 20, shown_chars=share)}"
    return html


def nothing_found_html(answer: Answer, texts: Texts = ENGLISH) -> str:
    """No answer: what no readout mentions, or that nothing is close; then the related passages,
    labelled as such, as many as fit one message."""
    notice = f"\n<i>{_esc(answer.notice)}</i>" if answer.notice else ""
    head = f"<b>Q:</b> {_esc(short(answer.question, 300))}{notice}\n\n"
    head += f"<b>{_esc(texts.missing_note(answer.missing))}</b>" if answer.missing else _esc(texts.nothing_found)
    if not answer.related:
        return head
    html = head + f"\n\n<i>{_esc(texts.related)}</i>"
    for hit in answer.related:
        block = "\n\n" + hit_html(hit, max_chars=1200)
        if len(html) + len(block) > TELEGRAM_LIMIT:
            break
        html += block
    return html


TIMELINE_SENTENCES = (300, 200, 140, 100)  # characters of each line's sentence, shorter until all lines fit


def timeline_html(answer: Answer, texts: Texts = ENGLISH, sentences: Sequence[int] = TIMELINE_SENTENCES) -> str:
    """The passages an answer quotes, oldest first (undated ones last), one line each: date, speaker,
    best sentence and a link to the quoted words; their sentences shortened (`sentences`, in
    characters) until every line fits one message, else cut, with a note saying how many are left out."""
    hits = sorted(answer.hits, key=lambda h: (h.passage.date is None, h.passage.date or "", h.passage.doc,
                                              h.passage.paragraph))
    heading = texts.timeline_html.format(question=_esc(short(answer.question, 300)))
    for chars in sentences:
        lines = ["\n" + timeline_line(hit, texts, chars) for hit in hits]
        if len(heading) + sum(map(len, lines)) <= TELEGRAM_LIMIT:
            return heading + "".join(lines)
    html = heading
    for shown, line in enumerate(lines):
        note = "\n<i>" + _esc(texts.timeline_cut.format(count=len(hits) - shown)) + "</i>"
        if len(html) + len(line) + len(note) > TELEGRAM_LIMIT:
            return html + note
        html += line
    return html


def timeline_line(hit: Hit, texts: Texts = ENGLISH, sentence_chars: int = 300) -> str:
    """One passage on a timeline: "<b>date</b> · speaker: “best sentence” link"."""
    p = hit.passage
    speaker = f"{_esc(short(p.speaker, 80))}: " if p.speaker else ""
    url = hit.link or p.url
    anchor = f' <a href="{escape(url, quote=True)}">link</a>' if url else ""
    return f"• <b>{_esc(p.date or texts.date_unknown)}</b> · {speaker}“{_esc(short(hit.best_sentence(), sentence_chars))}”{anchor}"


def short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
