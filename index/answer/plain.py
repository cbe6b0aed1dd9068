"""Answers as plain text for a terminal (`readouts ask`, `readouts chat`): each passage quoted in
full, then where it comes from; control characters shown as escapes, and a name (a file's, a title,
a source, a link) kept on its one line whatever it holds."""
from __future__ import annotations

from index.passage import Hit, Passage
from index.retrieve.coverage import notice
from index.terminal import one_line, safe

from .policy import Answer

NOTHING_FOUND = ("I found nothing in the readouts that answers this. Try other words, a person's name or a place, "
                 "or list what the readouts cover with `readouts stats` (in the chat: /sources).")


def quote(passage: Passage, marker: str = ">") -> str:
    return "\n".join(f"  {marker} {line}" for line in passage.text.splitlines())


def citation(passage: Passage, link: str | None = None) -> str:
    """Who speaks (in a transcript) and the title, the lines above a first paragraph (a transcript's place),
    then source, date and link (to the quoted words when given): what a reader needs to cite the passage."""
    url = link or passage.url
    heading = f"\n    {one_line(passage.cited_heading)}" if passage.cited_heading else ""
    return (f"  — {one_line(speaking(passage) + passage.title)}{heading}\n    {where(passage.source, passage.date, url)}")


def where(source: str, date: str | None, url: str | None) -> str:
    """"Xinhua, 2024-09-24 · https://…": each part a name, escaped onto one line (a source is often a file's
    name, and a file's name may hold a newline or an ESC)."""
    return one_line(f"{source}, {date or 'date unknown'}" + (f" · {url}" if url else ""))


def speaking(passage: Passage) -> str:
    """"Foreign Minister Baerbock (via interpreter), in: " before a transcript passage's title; nothing
    for a narrative readout."""
    return f"{passage.speaker}, in: " if passage.speaker else ""


def hit_text(hit: Hit, number: int, context: list[Passage] | None = None, detail: bool = False) -> str:
    """One hit: its number, the passage (among its neighbours, marked ▶, when `context` is given),
    its citation and the same passage published elsewhere; `detail` adds score and position."""
    p = hit.passage
    body = "\n".join(_turn(n, before) + quote(n, ">" if n == p else "|")
                     for before, n in zip([None, *context], context)) if context else quote(p)
    header = f"[{number}]" + (f" score {hit.score:.2f} · {one_line(p.doc)} ¶{p.paragraph}" if detail else "")
    also = "".join(f"\n    also: {where(o.source, o.date, o.url)}" for o in hit.also)
    return safe(f"{header}\n{body}\n{citation(p, hit.link)}{also}")


def _turn(passage: Passage, before: Passage | None) -> str:
    """A neighbour's speaker, above it, where the turn changes."""
    if passage.speaker and (before is None or before.speaker != passage.speaker):
        return f"  {one_line(passage.speaker)}:\n"
    return ""


def answer_text(answer: Answer, shown: range | None = None, *, detail: bool = False,
                context: dict[int, list[Passage]] | None = None) -> str:
    """The notice, then the quoted hits in `shown` (all by default); when none is quoted, what is
    missing or that nothing was found, and the related passages."""
    lines = [safe(answer.notice)] if answer.notice else []
    if answer.missing:
        lines.append(safe(missing_note(answer.missing)))
    if not answer.answered:
        if not answer.missing:
            lines.append(NOTHING_FOUND)
        if answer.related:
            lines.append("Related passages, not an answer:")
            lines += [hit_text(hit, i + 1, detail=detail) for i, hit in enumerate(answer.related)]
        return "\n\n".join(lines)
    for i in shown if shown is not None else range(len(answer.hits)):
        lines.append(hit_text(answer.hits[i], i + 1, (context or {}).get(i), detail))
    return "\n\n".join(lines)


def missing_note(missing: tuple[str, ...]) -> str:
    """"No readout mentions Ruritania." (or "... Ruritania or Zembla.")"""
    return notice(list(missing), related=False)
