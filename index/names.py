"""Names in a Chinese or Japanese question, spelled as the English readouts spell them.

The multilingual model maps 孙卫东 or 上川 poorly onto "Sun Weidong" or "Kamikawa", and a
question in Chinese shares no word with English readouts, so BM25 cannot help. Transliteration can:
Han characters read as pinyin (pypinyin), Japanese proper nouns read as Hepburn romaji (cutlet,
over the unidic-lite dictionary). A reading counts only when the readouts themselves hold it as a
capitalised name, so "关系" (guanxi) or "和" (he) never turn into words of the English text.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from pypinyin import lazy_pinyin

if TYPE_CHECKING:
    from cutlet import Cutlet

HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
CAPITALISED_RUN = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)*\b")
LOWERCASE_WORD = re.compile(r"\b[a-z]+\b")
MAX_NAME_WORDS = 3  # "Xi Jinping", "Sun Weidong", "Taro Kono"
MAX_SYLLABLES = 4  # a Chinese name is two to four characters


class Names:
    """The readouts' capitalised names, keyed by their letters run together in lower case
    ("sunweidong" -> "Sun Weidong"), so a romanised reading finds them whatever the spacing."""

    def __init__(self, texts: Iterable[str]) -> None:
        lowercase: set[str] = set()
        runs: set[str] = set()
        for text in texts:
            lowercase.update(LOWERCASE_WORD.findall(text))
            runs.update(CAPITALISED_RUN.findall(text))
        self._spelling: dict[str, str] = {}
        for run in runs:
            words = re.split(r"[ -]", run)
            for start in range(len(words)):
                for end in range(start + 1, min(len(words), start + MAX_NAME_WORDS) + 1):
                    part = words[start:end]
                    if len(part) == 1 and part[0].lower() in lowercase:
                        continue  # "He", "The": a common word too, capitalised only at a sentence's start
                    self._spelling.setdefault("".join(part).lower(), " ".join(part))

    def __len__(self) -> int:
        return len(self._spelling)

    def spelling(self, letters: str) -> str | None:
        return self._spelling.get(letters.lower())

    def in_question(self, question: str) -> list[str]:
        """The readouts' spellings of the names the question writes in Han characters or kana."""
        return list(dict.fromkeys([*self._pinyin_names(question), *self._japanese_names(question)]))

    def _pinyin_names(self, question: str) -> Iterable[str]:
        """Runs of two or more syllables that spell a name (王毅 -> wang yi -> "Wang Yi"), longest first;
        a single syllable is too often a common word's."""
        for run in HAN_RUN.findall(question):
            syllables = lazy_pinyin(run)
            start = 0
            while start < len(syllables):
                for end in range(min(len(syllables), start + MAX_SYLLABLES), start + 1, -1):
                    name = self.spelling("".join(syllables[start:end]))
                    if name:
                        yield name
                        start = end
                        break
                else:
                    start += 1

    def _japanese_names(self, question: str) -> Iterable[str]:
        """Proper nouns in Hepburn romaji, which cutlet capitalises, read in Chinese questions too (they
        write Japanese names in Han: 上川阳子); English spells long vowels short (コウノ: Kouno -> Kono),
        so both forms are tried."""
        for word in _romaji(question).split():
            if word[:1].isupper():
                letters = re.sub(r"[^a-z]", "", word.lower())
                short = letters.replace("ou", "o").replace("uu", "u").replace("oo", "o")
                name = self.spelling(letters) or self.spelling(short)
                if name:
                    yield name


@functools.cache
def _romaniser() -> Cutlet:
    """Made on the first question in Chinese or Japanese: cutlet loads its dictionary then."""
    from cutlet import Cutlet

    return Cutlet()


def _romaji(text: str) -> str:
    return _romaniser().romaji(text)
