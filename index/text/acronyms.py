"""Acronyms and the names they abbreviate. Questions abbreviate what readouts spell out ("UNGA" for
"the UN General Assembly", "TPLF" for "the Tigray People's Liberation Front"), so whether the readouts
hold an acronym is judged by the initials of their capitalised names as well as by its letters."""
from __future__ import annotations

import re
from collections.abc import Iterable

ACRONYM = re.compile(r"[A-Z][A-Z0-9.&]+s?")  # as typed: "UNGA", "U.N.", "NGOs"
# A word of a name: capitalised, or an acronym ("UN" in "UN General Assembly"); hyphens and
# apostrophes stay inside it ("Co-operation", "People's").
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# Small words a name may hold that its acronym skips: "Organisation for Economic Co-operation and
# Development" is OECD.
_SKIPPED = frozenset({"of", "for", "and", "the", "on", "in", "to", "de", "du", "des", "la", "le", "et"})
_BREAK = re.compile(r"[^\s&]")  # anything but spaces (and "&") between two words ends a name
LONGEST = 8  # letters of the longest acronym recorded
ROMAN = re.compile(r"[IVX]+")  # "Abdullah II": a numeral, no part of an acronym


def letters(acronym: str) -> str:
    """The letters of an acronym as typed: "U.N." → "UN", "NGOs" → "NGO"."""
    return re.sub(r"s$", "", acronym.replace(".", "")).upper()


# An acronym typed in a hurry: in lower case ("hrds", "unga"), or with a small letter inside, each
# capital opening one word of the name ("AfDB": African Development Bank; "MoFA"). A name or brand
# with an inner capital ("McCarthy", "DeSantis", "TikTok") has longer runs of small letters.
_LOWER = re.compile(r"[a-z]{2,4}s?")
_MIXED = re.compile(r"(?:[A-Z][a-z]?){2,}")


def typed_letters(word: str) -> tuple[str, ...]:
    """The letters of the acronym a question's word may be, however typed ("UNGA", "unga", "AfDB" →
    ADB; "hrds" → HRDS or HRD, a plural or not), or none when the word cannot be one (a longer
    lower-case word, a name)."""
    if ACRONYM.fullmatch(word):
        return (letters(word),)
    if _LOWER.fullmatch(word):
        return tuple(dict.fromkeys([word.upper(), letters(word)]))
    if _MIXED.fullmatch(word) and len(word) <= LONGEST:
        return ("".join(ch for ch in word if ch.isupper()),)
    return ()


def _initial(word: str) -> str:
    """What a word of a name gives its acronym: an acronym's own letters, else its first letter."""
    if ROMAN.fullmatch(word):
        return ""
    return letters(word) if ACRONYM.fullmatch(word) and len(word) <= 5 else word[0].upper()


def _names(text: str) -> Iterable[list[str]]:
    """The runs of capitalised words in the text (small words inside a run skipped)."""
    run: list[str] = []
    end = 0
    for match in _WORD.finditer(text):
        word = match.group(0)
        if _BREAK.search(text[end:match.start()]):
            if run:
                yield run
            run = []
        end = match.end()
        if word[0].isupper():
            run.append(word)
        elif not (run and word.lower() in _SKIPPED):
            if run:
                yield run
            run = []
    if run:
        yield run


def initialisms(texts: Iterable[str]) -> set[str]:
    """The acronyms the texts spell out: the initials of every run of two or more consecutive words
    of a capitalised name, up to LONGEST letters ("United Nations General Assembly" gives UNG, UNGA,
    NGA, GA, ...). Give it prose: a title in Title Case ("Blinken And King Abdullah II Before Their
    Meeting") would spell out AIIB."""
    found: set[str] = set()
    lines = {line for text in texts for line in text.splitlines()}  # a name never spans lines
    for line in lines:
        for run in _names(line):
            parts = [initial for initial in map(_initial, run) if initial]
            for start in range(len(parts) - 1):
                acronym = parts[start]
                for part in parts[start + 1:]:
                    acronym += part
                    if len(acronym) > LONGEST:
                        break
                    found.add(acronym)
    return found
