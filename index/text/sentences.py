"""Sentences of a text as spans: abbreviations ("U.S.", "Dec.") do not end one. Small on purpose:
a question's emphasis needs it without the rest of document cleaning."""
from __future__ import annotations

import re

WHITESPACE = " \t\r\n\u00a0\u2002\u2003\u2009\u200b\u3000\ufeff"
SENTENCE_END = re.compile(r"[.!?][\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9\u3040-\u30ff\u3400-\u9fff])|[。！？][\"”’」』)]*\s*")
ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "no", "vs", "gen", "sen", "rep", "amb", "gov",
    "lt", "col", "capt", "prof", "inc", "corp", "co", "u.s", "u.n", "u.k", "e.u", "p.m", "a.m",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "etc",
}


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of text[start:end] as absolute spans, abbreviations ('U.S.', 'Dec.') not ending one."""
    spans, begin = [], start
    for match in SENTENCE_END.finditer(text, start, end):
        word = re.search(r"([\w.]+)[.!?]?[\"”’)\]]*\s*$", text[begin:match.start() + 1])
        token = word.group(1).lower().rstrip(".") if word else ""
        if match.group().startswith(".") and (token in ABBREVIATIONS or re.fullmatch(r"[a-z]", token)):
            continue
        cut = match.end()
        spans.append((begin, len(text[:cut].rstrip(WHITESPACE))))
        begin = cut
    if begin < end:
        spans.append((begin, end))
    return [(a, b) for a, b in spans if b > a]
