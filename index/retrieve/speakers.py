"""Who speaks in a passage: a question that asks what someone said is answered where that one speaks.

Readouts give each paragraph to a speaker ("Taro Kono expressed that...", "For her part, Kamikawa
said...", "The Secretary underscored..."), and the lead paragraph names everyone who met. A question
such as "What did Kono pledge about..." or "According to Wang, ..." asks for one person's words, yet
the lead paragraph, which names that person too, often ranks above the paragraph where they speak.
So a passage in which a person the question asks about is the subject of a verb of speech or stance
is marked, for the hybrid ranking to lift it (ranking.py). A paragraph opening with "He said" or
"She voiced" speaks with the voice of the paragraph before it; one where "the Secretary" or "the
Minister" speaks, with the voice of whoever its readout's title names. Verbs of meeting ("met",
"spoke with", "discussed") attribute no words and do not count. A question in lower case, as chats
are typed, names its person where a name stands: "what did foreign minister rau say" asks for Rau.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from index.store.lexical import _STOPWORD_SET
from index.text.turns import voices

from .coverage import CONNECTORS, TITLES, key_terms
from .spelling import POSSESSIVE, english, folded

# What a question asks someone to have done with words: "did Kono pledge", "Wang's view".
_ASKED = ("say|says|said|tell|told|pledge|pledged|promise|hope|hoped|want|wanted|stress|urge|urged|call|ask|asked|"
          "mention|propose|emphasize|emphasise|express|note|voice|warn|welcome|think|admit|respond|reply|reassure|"
          "insist|argue|claim|describe|vow|commit|offer|suggest|raise|demand|request|reiterate|affirm|reaffirm|"
          "acknowledge|praise|condemn|criticize|criticise|thank|explain|highlight|underline|believe|expect|view|see|"
          "feel|oppose|support|agree|stand|position|convey|signal|indicate|characterize|frame|recall|remark|comment|"
          "react")
# How readouts report what someone said or stood for.
_SPOKE = ("said|says|expressed|stressed|noted|stated|pointed out|reiterated|voiced|urged|called|emphasized|"
          "emphasised|added|hoped|welcomed|underscored|highlighted|affirmed|reaffirmed|thanked|proposed|told|asked|"
          "condemned|raised|indicated|explained|hopes|believes|believed|praised|vowed|pledged|committed|conveyed|"
          "underlined|recalled|mentioned|remarked|observed|acknowledged")
_APPOSITION = r"(?:,[^.;]{0,150}?,)?\s+(?:also\s+|further\s+|then\s+)?"  # "Wang, also a member of ..., said"
_PRONOUN = re.compile(rf"^(?:[^.;]{{0,60}},\s+)?(?:He|She|They)\s+(?:also\s+|further\s+)?(?:{_SPOKE})\b")
_ROLE = re.compile(r"\b[Tt]he\s+(?:Deputy\s+|Under\s+|Assistant\s+|Vice\s+|Prime\s+|Foreign\s+)?"
                   r"(?:Secretary|Minister|President|Ambassador|Envoy|Chancellor|Premier|Commissioner)\b"
                   rf"{_APPOSITION}(?:{_SPOKE})\b")
_NAME_WORD = re.compile(r"[A-Za-z][\w'-]{2,}")
# A question in lower case names no one by capitals ("what did jaishankar say about ..."): the words
# between its auxiliary and its verb of speech, or after "according to", are read as the name.
_AUXILIARY = r"\b(?:did|does|do|has|had|would|will|was|is)\s+"
_LOWER_SLOT = re.compile(rf"{_AUXILIARY}((?:[\w'’-]+\s+){{1,5}}?)(?:{_ASKED})\b|\baccording to\s+((?:[\w'’-]+\s*){{1,4}})")


def asked_about(question: str) -> list[str]:
    """The words of the names (coverage.key_terms) whose words or stance the question asks for: "did
    X say", "according to X", "X's position"; none when it asks only whom someone met."""
    if not any(ch.isupper() for ch in question):
        return _asked_in_lower_case(question)
    words = []
    for name in key_terms(question):
        named = re.escape(name)
        if (re.search(rf"\b(?:did|does|do|has|had|would|will|was|is)\s+(?:the\s+)?{named}\s+(?:\w+\s+)?(?:{_ASKED})\b",
                      question, re.I)
                or re.search(rf"\baccording to\s+(?:the\s+)?{named}\b", question, re.I)
                or re.search(rf"\b{named}(?:'s|’s)?\s+(?:\w+\s+)?(?:{_ASKED})", question, re.I)):
            words.extend(_NAME_WORD.findall(name))
    return list(dict.fromkeys(words))


def _asked_in_lower_case(question: str) -> list[str]:
    """asked_about for a question without capitals: the name where one stands (_LOWER_SLOT)."""
    words = []
    for match in _LOWER_SLOT.finditer(question):
        words += _name_in(match.group(1) or match.group(2))
    return list(dict.fromkeys(words))


def _name_in(slot: str) -> list[str]:
    """The first run of words in `slot` that may be a name, after its last title ("polish foreign
    minister rau" gives "rau"; "the estonian foreign minister" gives none, a role, not a name);
    small words and common English words ("the government") are none."""
    words = [POSSESSIVE.sub("", word) for word in _NAME_WORD.findall(slot)]
    titles = [at for at, word in enumerate(words) if word in TITLES]
    name: list[str] = []
    for word in words[titles[-1] + 1:] if titles else words:
        if word in _STOPWORD_SET or word in CONNECTORS or word in english().common:
            if name:
                break
            continue
        name.append(word)
    return name


@functools.lru_cache(maxsize=256)
def _speaking(words: tuple[str, ...]) -> re.Pattern[str]:
    names = "|".join(map(re.escape, words))
    return re.compile(rf"\b(?i:{names})\b(?:\s+[A-Z][\w-]+)?{_APPOSITION}(?:{_SPOKE})\b")


@functools.lru_cache(maxsize=256)
def _named(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{'|'.join(map(re.escape, words))})\b", re.I)


def speaks(words: Sequence[str], text: str, before: str | None, title: str, speaker: str | None = None) -> bool:
    """Whether one of the names' `words` speaks in the passage `text`: the passage's `speaker` when
    ingest knew it (a question's asker does not count), else by name, as "he" or "she" right after the
    paragraph `before` where it spoke, or as "the Secretary" (a title) in a readout whose `title` names it.
    Names match without their diacritics, as they are typed ("cavusoglu" speaks as "ÇAVUŞOĞLU")."""
    if not words:
        return False
    words = tuple(folded(word) for word in words)
    if speaker is not None:
        named = _named(words)
        return any(named.search(folded(voice)) for voice in voices(speaker))
    speaking = _speaking(words)
    text = folded(text)
    if speaking.search(text):
        return True
    if before is not None and _PRONOUN.search(text) and speaking.search(folded(before)):
        return True
    return any(word.lower() in folded(title).lower() for word in words) and bool(_ROLE.search(text))
