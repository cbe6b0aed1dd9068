"""A follow-up question read together with the question it follows: "And what did Russia say?" after
"What did China say about the Fukushima water release?" keeps the subject of the first."""
from __future__ import annotations

import re
from datetime import date

from index.retrieve.query import parse_query, undated
from index.text.script import non_latin

SHORT_WORDS = 6  # a question this short leans on the one before it
SHORT_CHARACTERS = 12  # the same, for Chinese or Japanese, written without spaces
LEANING_WORDS = 16  # a longer question with a pronoun or an opening "and" still leans on it
_CONTINUES = re.compile(r"^\W*(and|also|but|so|then|what about|how about|what else|why|when|where)\b", re.IGNORECASE)
_POINTS_BACK = re.compile(r"\b(he|she|they|him|her|them|his|their|it|its|that|this|those|these|there)\b",
                          re.IGNORECASE)
_CJK_CONTINUES = re.compile(r"^(那|那么|还有|另外|而|それで|では|じゃあ|また)|(呢|吗)[？?]?$|(は|も)[？?]$")


def leans_on_earlier(question: str) -> bool:
    """Whether a question depends on the one before it: short, opening with "and"/"what about", or
    pointing back with a pronoun."""
    text = question.strip()
    if non_latin(text):
        return len(text) <= SHORT_CHARACTERS or bool(_CJK_CONTINUES.search(text))
    words = text.split()
    if len(words) <= SHORT_WORDS:
        return True
    return len(words) <= LEANING_WORDS and bool(_CONTINUES.match(text) or _POINTS_BACK.search(text))


def read_with(question: str, earlier: str, today: date | None = None) -> str | None:
    """What to search for `question` asked as a follow-up to `earlier`: the follow-up then the earlier
    question, whose dates and filters give way to the follow-up's own; None when it stands alone."""
    if not earlier.strip() or not leans_on_earlier(question):
        return None
    day = today or date.today()
    own = parse_query(question, day)
    if own.has_filters or own.latest:
        earlier = undated(earlier)
    return f"{question.strip()} {earlier.strip()}"
