"""Honest coverage: the names and key terms of a question that no readout holds.

A question about "Foreign Minister Hakan Fidan" over readouts that never mention him still finds
the nearest passages (other calls with other ministers), and they may even clear the similarity
bar. Before quoting them as an answer, say what is missing: "No readout mentions Hakan Fidan."

The question's key terms are its names (runs of capitalised words, with connectors such as "of",
"de", "al-"; an acronym only within a name, since readouts spell out what questions abbreviate)
and its quoted phrases; a term is missing when one of its words is in
no passage (the BM25 vocabulary, stemmed as BM25 stems). A name of several words whose words all
occur, but never side by side, counts as held: reporting it was a tie on the tuning halves (one
more unanswerable question caught, one answerable one wrongly reported) and is dropped. Titles
("Foreign Minister", "Cardinal"), months, the words of diplomatic writing that a readout may
phrase otherwise (capitals, demonyms, countries and roles, expansion.py) and sentence-initial
question words and common English words ("Per the minister, ...") are not key terms. Lower-case
content words are not either: the questions written in words no readout uses ("grumble", "cozying
up") are answerable (docs/quality-fusion.md).
"""
from __future__ import annotations

import re
from collections.abc import Collection

from index.store.lexical import _STOPWORD_SET, Lexical, _words
from index.text.acronyms import ACRONYM, typed_letters
from index.text.dates import MONTHS
from index.text.script import non_latin
from index.text.titles import CONNECTORS, OFFICE_TITLES

from .aliases import mapped
from .query import OPENERS  # sentence-initial words, capitalised by position only
from .spelling import POSSESSIVE, english, english_like, is_english, unknown

LOWERCASE_NAMES = True  # a lower-case word that no readout holds and that is no English word is a name

MONTH_NAMES = frozenset(month for month in MONTHS if len(month) > 3 or month == "may")
# Words of titles and offices (text/titles.py), and of dates, capitalised as names are: they name no
# one, and readouts put them otherwise ("the Secretary").
TITLES = OFFICE_TITLES | MONTH_NAMES | frozenset(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                                  "sunday"])
# An acronym alone ("UNGA", "AfDB") is no key term: readouts spell out what questions abbreviate,
# so unknown_words judges it by the acronyms the readouts spell out.
QUOTED = re.compile(r"[\"“”]([^\"“”]{2,80})[\"“”]")
WORD = re.compile(r"\w+(?:['’.]\w+)*\.?")  # a hyphen parts names: "Blinken-Lavrov", "anti-ISIS"


def key_terms(text: str) -> list[str]:
    """The question's names, acronyms and quoted phrases, as it writes them (see the module's doc).
    `text` is the question as searched (query.Query.text: its filters already read out of it)."""
    terms = [match.group(1).strip() for match in QUOTED.finditer(text)]
    text = QUOTED.sub(" | ", text)
    for words in mapped(text):
        text = text.replace(words, " | ")
    runs: list[list[str]] = [[]]
    previous_end = 0
    for match in WORD.finditer(text):
        word = match.group(0).rstrip(".") if not re.fullmatch(r"(\w\.)+", match.group(0)) else match.group(0)
        gap = text[previous_end:match.start()]
        previous_end = match.end()
        sentence_start = not text[:match.start()].strip() or re.search(r"[.?!:;|]\s*$", text[:match.start()])
        bare = POSSESSIVE.sub("", word)
        lower = bare.lower()
        named = any(ch.isupper() for ch in bare) and not (sentence_start and (lower in _STOPWORD_SET or lower in OPENERS
                                                                             or lower in english().common))
        if re.search(r"[,;:()|?!-]", gap):
            runs.append([])
        if named and lower not in TITLES or runs[-1] and lower in CONNECTORS and not named:
            runs[-1].append(bare)
        else:
            runs.append([])
        if bare != word:  # a possessive ends a name
            runs.append([])
    for run in runs:
        while run and run[-1].lower() in CONNECTORS:
            run.pop()
        while run and run[0].lower() in CONNECTORS:
            run.pop(0)
        if run and not (len(run) == 1 and run[0][:1].isupper() and typed_letters(run[0])):
            terms.append(" ".join(run))
    return list(dict.fromkeys(terms))


# How a people is named from its country ("Micronesia" → "Micronesian", "Iraq" → "Iraqi", "Bhutan" →
# "Bhutanese", "Italy" → "Italian"), as (the country's ending, the people's ending).
DEMONYM_ENDINGS = (("a", "an"), ("", "an"), ("", "ian"), ("y", "ian"), ("a", "ian"), ("", "i"), ("", "ese"))


def demonym_forms(word: str) -> list[str]:
    """The country a people's name is made from, and the people a country's name makes, by the
    regular endings: a question's "Micronesian" is held by readouts that say "Micronesia"."""
    forms = []
    for country, people in DEMONYM_ENDINGS:
        if word.endswith(people) and len(word) - len(people) >= 4:
            forms.append(word[: len(word) - len(people)] + country)
        if word.endswith(country) and len(word) >= 4:
            forms.append(word[: len(word) - len(country)] + people)
    return [form for form in dict.fromkeys(forms) if form != word]


def _held(word: str, vocabulary: dict[str, int]) -> bool:
    """Whether a passage holds the word (stemmed as BM25 stems), or its country or people."""
    return any(all(token in vocabulary for token in _words(form)) for form in [word, *demonym_forms(word.lower())])


def unknown_words(text: str, surface: dict[str, int], acronyms: Collection[str] | None = None) -> list[str]:
    """The question's words (`text`, as searched), however typed (lower case is the norm in chats),
    that no passage holds and that are no English word: names and rare terms, as "fukushima" in
    "fukushima water"; after a title, a name even if it is one edit from an English word ("chancellor
    scholz", not "schulz"). A title's abbreviation ("Dept") is none. A word that may be an acronym ("UNGA",
    "hrds", "AfDB") is one only when the readouts do not spell it out either (`acronyms`,
    Lexical.acronyms; without them one in capitals is not judged)."""
    typed = [match.group(0) for match in WORD.finditer(QUOTED.sub(" ", text))]
    titled = {word for before, word in zip(typed, typed[1:]) if before.lower().rstrip(".") in TITLES}
    return [word for word in dict.fromkeys(typed) if unknown(word.lower(), surface)
            and not (is_english(word.lower()) if word in titled else english_like(word.lower()))
            and word.lower() not in TITLES and not any(form in surface for form in demonym_forms(word.lower()))
            and not _spelled_out(word, acronyms)]


def _spelled_out(word: str, acronyms: Collection[str] | None) -> bool:
    """Whether the word may be an acronym of a name the readouts spell out ("UNGA", "hrds", "AfDB").
    Without the readouts' acronyms, one in capitals is not judged at all."""
    if acronyms is None:
        return bool(ACRONYM.fullmatch(word))
    return any(letters in acronyms for letters in typed_letters(word))


def missing(text: str, lexical: Lexical, surface: dict[str, int] | None = None) -> list[str]:
    """The key terms (key_terms) of the question as searched (`text`, query.Query.text) that no passage
    holds: one of their words (stemmed as BM25 stems, stopwords aside) is in no passage; with the
    readouts' own words (`surface`), also the question's words that no passage holds and that no
    English dictionary has (unknown_words), however they are typed. Only terms in Latin script are
    judged: BM25 cuts Chinese and Japanese into runs, not words, so its vocabulary cannot tell whether
    a readout holds "双暂停" (the cross-lingual ranking reads such terms through names and glosses)."""
    vocabulary = lexical.vocabulary
    if not vocabulary:
        return []
    terms = [term for term in key_terms(text) if not non_latin(term)
             and not all(_held(word, vocabulary) for word in term.split())]
    if LOWERCASE_NAMES and surface:
        held = {word.lower() for term in terms for word in term.split()}
        terms += [word for word in unknown_words(text, surface, lexical.acronyms)
                  if word.lower() not in held and not _held(word.lower(), vocabulary)]  # "idps": BM25's "idp"
    return terms


def notice(absent: list[str], related: bool = True) -> str:
    """What an answer says first when `absent` (missing) holds terms: "No readout mentions Ruritania.",
    and, when passages are shown, that they are only related."""
    if not absent:
        return ""
    named = absent[0] if len(absent) == 1 else ", ".join(absent[:-1]) + " or " + absent[-1]
    return f"No readout mentions {named}." + (" The passages below are only the nearest, related ones." if related else "")
