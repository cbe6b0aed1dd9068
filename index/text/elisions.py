"""Words written with an apostrophe inside them ("Sana’a", "Côte d’Ivoire", "O’Connor", "al-Qa’ida"),
which readers type without it ("sanaa", "cote divoire", "oconnor", "qaida"). BM25 cuts a word at its
apostrophe, so the joined spelling is indexed beside the parts."""
from __future__ import annotations

import re

_ELIDED = re.compile(r"\b(\w+)['’](\w+)\b")
# What follows the apostrophe of an English contraction or possessive ("China's", "don't", "we're"):
# no one types those joined.
CLITICS = frozenset({"s", "t", "re", "ll", "ve", "d", "m"})


def joined(text: str) -> list[str]:
    """The text's words with an inner apostrophe, written without it, in order of appearance."""
    return [first + second for first, second in _ELIDED.findall(text) if second.lower() not in CLITICS]
