"""Which script a text is written in, and Japanese text cut into words: the one place that tells
a question in Chinese or Japanese from one in English."""
from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cutlet import Cutlet

KANA = re.compile(r"[\u3040-\u30ff]")
LATIN_END = 0x24F  # the last letter of Latin Extended-B


@functools.cache
def han_run() -> re.Pattern[str]:
    """Runs of Han characters, compiled when a question in Chinese or Japanese first needs them: the
    character class took 5 ms of every English question's cold start."""
    return re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


BEYOND_LATIN = re.compile(r"[^\x00-\u024f]")  # beyond LATIN_END
ASCII_LETTERS = re.compile(r"[A-Za-z]+")


def non_latin(text: str) -> bool:
    """Whether most of the text's letters lie beyond the Latin alphabets (Han, kana, hangul...).

    Counted by regular expressions first (ingest asks it of every readout, whole): letters beyond
    Latin that its ASCII letters alone outnumber or match are not most of its letters; only a text
    with more of them is counted letter by letter."""
    beyond = sum(ch.isalpha() for ch in BEYOND_LATIN.findall(text))
    if not beyond or beyond <= sum(map(len, ASCII_LETTERS.findall(text))):
        return False
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(ord(ch) > LATIN_END for ch in letters) > len(letters) / 2


def script_of(text: str, sample: int = 20_000) -> str | None:
    """The script most of a text's letters are written in, when `non_latin` says it is not Latin: "Cyrillic",
    "Arabic", "Han", "kana", "Hangul"... (the first word of the letters' Unicode names); None for a text
    mostly in Latin letters or without letters. The first `sample` characters decide."""
    text = text[:sample]
    if not non_latin(text):
        return None
    scripts = Counter(unicodedata.name(ch, "").split(" ")[0] for ch in text if ch.isalpha() and ord(ch) > LATIN_END)
    first = scripts.most_common(1)[0][0]
    return {"CJK": "Han", "HIRAGANA": "kana", "KATAKANA": "kana"}.get(first, first.title())


@functools.cache
def romaniser() -> Cutlet:
    """Made on the first question in Chinese or Japanese: cutlet loads its dictionary then."""
    from cutlet import Cutlet

    return Cutlet()


def japanese_words(text: str) -> list:
    """The words of `text` as unidic cuts them: fugashi nodes, valid only until the next text is cut
    (MeCab reuses their memory), so never keep them."""
    from cutlet.cutlet import normalize_text

    return list(romaniser().tagger(normalize_text(text)))
