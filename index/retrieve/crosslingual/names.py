"""Names in a Chinese or Japanese question, spelled as the English readouts spell them, and the
readouts that name them.

The multilingual model maps 孙卫东 or 上川 poorly onto "Sun Weidong" or "Kamikawa", and a
question in Chinese shares no word with English readouts. Transliteration can bridge names:
Han characters read as pinyin (pypinyin), Japanese proper nouns read as Hepburn romaji (cutlet,
over the unidic-lite dictionary), people and capitals a dictionary names (拜登 -> Biden), and
foreign names written by sound close to a readout's name (布林肯 -> bulinken -> Blinken; in
katakana, ラデフ -> radefu -> Radev). A
reading counts only when the readouts themselves hold it as a capitalised name, so "关系" (guanxi)
or "和" (he) never turn into words of the English text.

A name tells which meeting or call a readout reports, not which of its paragraphs answers: those
say "Wang" or "he" as often as "Wang Yi". So a name is evidence for every passage of a document
that holds it, weighed by how few documents do (`document_weights`).
"""
from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from difflib import SequenceMatcher

import jaconv
import numpy as np
from pypinyin import lazy_pinyin

from index.text.script import KANA, han_run, japanese_words, romaniser

from ..spelling import undoubled

KATAKANA_WORD = re.compile(r"[\u30a1-\u30fa\u30fc]+(?:・[\u30a1-\u30fa\u30fc]+)*")  # ル・ドリアン
CAPITALISED_RUN = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)*\b")
LOWERCASE_WORD = re.compile(r"\b[a-z]+\b")
MAX_NAME_WORDS = 3  # "Xi Jinping", "Sun Weidong", "Taro Kono"
MAX_SYLLABLES = 4  # a Chinese name is two to four characters
# Romaji of the one Japanese proper noun that English readouts never spell so: 日本 is "Japan", and
# "Nippon" in a company's name would point at an unrelated readout.
EXONYMS = frozenset({"nippon", "nihon"})
# A foreign name written by sound (布林肯 -> bulinken) is taken for the readouts' one-word name
# whose letters difflib rates this close; lower, common words start to read as names (the sweep:
# docs/multilingual.md).
SOUNDS_LIKE = 0.9
SOUNDED_LENGTHS = (4, 3)  # Han characters in such a name
MIN_SOUNDED_NAME = 5  # letters in the shortest name matched by sound
MAX_LENGTH_GAP = 3  # letters between a reading and a name compared with it
# A foreign name in katakana (ラデフ, ル・ドリアン) is compared with the readouts' names that share its
# consonants as Japanese hears them (`_consonants`: r for l, b for v and f, no vowels); of those, the one
# difflib rates closest to its romaji is taken when it rates KATAKANA_LIKE at least and KATAKANA_MARGIN
# above the next (リンデ is Linde, not Linda).
KATAKANA_LIKE = 0.6
KATAKANA_MARGIN = 0.1
MIN_CONSONANTS = 3


class Names:
    """The readouts' capitalised names, keyed by their letters run together in lower case
    ("sunweidong" -> "Sun Weidong"), so a romanised reading finds them whatever the spacing; and for
    each, the documents (by position in `documents`, each a whole document's text) that hold it."""

    def __init__(self, documents: Iterable[str],
                 dictionary: Callable[[str], Mapping[str, list[str]]] | None = None) -> None:
        """`dictionary` gives the words of a question that a dictionary knows as names, and what they
        name (glosses.names_in): 拜登 -> Biden, which pinyin cannot spell."""
        self._dictionary = dictionary
        lowercase: set[str] = set()
        runs_of: list[set[str]] = []
        for text in documents:
            lowercase.update(LOWERCASE_WORD.findall(text))
            runs_of.append(set(CAPITALISED_RUN.findall(text)))
        self._spelling: dict[str, str] = {}
        self._documents: dict[str, set[int]] = {}
        for position, runs in enumerate(runs_of):
            for run in runs:
                words = re.split(r"[ -]", run)
                for start in range(len(words)):
                    for end in range(start + 1, min(len(words), start + MAX_NAME_WORDS) + 1):
                        part = words[start:end]
                        if len(part) == 1 and part[0].lower() in lowercase:
                            continue  # "He", "The": a common word too, capitalised only at a sentence's start
                        key = "".join(part).lower()
                        self._spelling.setdefault(key, " ".join(part))
                        self._documents.setdefault(key, set()).add(position)
        self.document_count = len(runs_of)

    def __len__(self) -> int:
        return len(self._spelling)

    def spelling(self, letters: str) -> str | None:
        return self._spelling.get(letters.lower())

    def in_question(self, question: str) -> list[str]:
        """The readouts' spellings of the names the question writes in Han characters or kana."""
        return list(dict.fromkeys(spelling for _, spelling in self.read(question)))

    def read(self, question: str) -> list[tuple[str, str]]:
        """Each name of the question as (how the question writes it, how the readouts spell it)."""
        named = self._dictionary(question) if self._dictionary else {}
        return [*self._pinyin_names(question, named), *self._japanese_names(question),
                *self._dictionary_names(named), *self._sounded_names(question), *self._katakana_names(question)]

    def document_weights(self, names: list[str]) -> np.ndarray:
        """For each document, the weights of the `names` it holds (each name's inverse document
        frequency as a share of the largest possible: 1 for a name found in one readout, almost
        nothing for one found in all) as a share of all the names' weight, times the largest: so a
        document holding every name weighs what the rarest does alone, and a common name beside a
        rare one (Blinken beside Kuleba) takes little from a document that holds only the rare one.
        A mean over the names would halve it (docs/multilingual.md: one more question first over the 236)."""
        weights = np.zeros(self.document_count)
        shares = []
        for name in names:
            holding = self._documents.get(re.sub(r"[ -]", "", name).lower(), set())
            if holding:
                share = math.log((self.document_count + 1) / len(holding)) / math.log(self.document_count + 1)
                weights[list(holding)] += share
                shares.append(share)
        return weights / sum(shares) * max(shares) if shares else weights

    def _pinyin_names(self, question: str, named: Mapping[str, list[str]]) -> Iterable[tuple[str, str]]:
        """Runs of two or more syllables that spell a name (王毅 -> wang yi -> "Wang Yi"), longest first;
        a single syllable is too often a common word's. A word the dictionary knows as another name
        is not read by its sound: 巴黎 is Paris, not Bali."""
        for run in han_run().findall(question):
            syllables = lazy_pinyin(run)
            start = 0
            while start < len(syllables):
                for end in range(min(len(syllables), start + MAX_SYLLABLES), start + 1, -1):
                    letters = "".join(syllables[start:end])
                    name = self.spelling(letters)
                    if name and _named_otherwise(run[start:end], letters, named):
                        start = end
                        break
                    if name:
                        yield run[start:end], name
                        start = end
                        break
                else:
                    start += 1

    def _dictionary_names(self, named: Mapping[str, list[str]]) -> Iterable[tuple[str, str]]:
        """The readouts' spelling of what a dictionary word names, in full or by its last word
        ("Vladimir Putin" -> "Putin")."""
        for word, names in named.items():
            for name in names:
                spelled = self.spelling(re.sub(r"[^A-Za-z]", "", name)) or self.spelling(name.split()[-1])
                if spelled:
                    yield word, spelled
                    break

    def _sounded_names(self, question: str) -> Iterable[tuple[str, str]]:
        """Foreign names written by sound in three or four Han characters (布林肯 -> bulinken ->
        "Blinken", 库列巴 -> "Kuleba"): Chinese puts vowels between consonants, so the pinyin is
        never the spelling, only close to it (`_sounds_like`)."""
        for run in han_run().findall(question):
            for length in SOUNDED_LENGTHS:
                for start in range(len(run) - length + 1):
                    name = self._sounds_like("".join(lazy_pinyin(run[start:start + length])))
                    if name:
                        yield run[start:start + length], name

    def _sounds_like(self, letters: str) -> str | None:
        """The one-word name whose letters are closest to `letters`, if difflib rates them SOUNDS_LIKE
        at least; only names of the same initial and a similar length are compared."""
        best, best_ratio = None, SOUNDS_LIKE
        for key, spelling in self._single_word_names.get(letters[:1], ()):
            if abs(len(key) - len(letters)) > MAX_LENGTH_GAP:
                continue
            matcher = SequenceMatcher(None, letters, key)
            if matcher.quick_ratio() >= best_ratio and matcher.ratio() >= best_ratio:
                best, best_ratio = spelling, matcher.ratio()
        return best

    @functools.cached_property
    def _single_word_names(self) -> dict[str, list[tuple[str, str]]]:
        by_initial: dict[str, list[tuple[str, str]]] = {}
        for key, spelling in self._spelling.items():
            if " " not in spelling and "-" not in spelling and len(key) >= MIN_SOUNDED_NAME:
                by_initial.setdefault(key[0], []).append((key, spelling))
        return by_initial

    def _katakana_names(self, question: str) -> Iterable[tuple[str, str]]:
        """Foreign names written in katakana, which unidic mostly does not know (it cuts ブリンケン into
        ブリン "bling" + ケン): each katakana word that is not one loanword of the dictionary (リセット,
        "reset") is read as kana romaji and matched by its consonants, then by difflib's ratio."""
        for word in KATAKANA_WORD.findall(question):
            if _is_loanword(word):
                continue
            romaji = jaconv.kana2alphabet(jaconv.kata2hira(word.replace("・", ""))).replace("-", "")
            ranked = sorted(((SequenceMatcher(None, _heard(romaji), _heard(spelling)).ratio(), spelling)
                             for spelling in self._by_consonants.get(_consonants(romaji), ())), reverse=True)
            if ranked and ranked[0][0] >= KATAKANA_LIKE and (
                    len(ranked) == 1 or ranked[0][0] - ranked[1][0] >= KATAKANA_MARGIN):
                yield word, ranked[0][1]

    @functools.cached_property
    def _by_consonants(self) -> dict[str, set[str]]:
        """The readouts' names by their consonants, with and without an r after a vowel (Sherman is
        シャーマン, but Cortizo コルティソ)."""
        by_consonants: dict[str, set[str]] = {}
        for key, spelling in self._spelling.items():
            for consonants in {_consonants(key), _consonants(key, non_rhotic=True)}:
                if len(consonants) >= MIN_CONSONANTS:
                    by_consonants.setdefault(consonants, set()).add(spelling)
        return by_consonants

    def _japanese_names(self, question: str) -> Iterable[tuple[str, str]]:
        """Words the dictionary tags as proper nouns, in Hepburn romaji, read in Chinese questions too
        (they write Japanese names in Han: 上川阳子); English spells long vowels short (コウノ: Kouno ->
        Kono), so both forms are tried. A Chinese question read as Japanese splits into odd words, and
        single characters come out as given names (有 -> Yuu, 莫 -> Baku), so there a name must span
        two characters at least."""
        japanese = bool(KANA.search(question))
        for surface, reading in _proper_nouns(question):
            if not japanese and len(surface) < 2:
                continue
            letters = re.sub(r"[^a-z]", "", reading.lower())
            if letters in EXONYMS:
                continue
            short = letters.replace("ou", "o").replace("uu", "u").replace("oo", "o")
            name = self.spelling(letters) or self.spelling(short)
            if name:
                yield surface, name


def _heard(letters: str) -> str:
    """Letters as katakana renders them: no l, v or f (ラ, バ, フ), no accents."""
    letters = re.sub(r"[^a-z]", "", unicodedata.normalize("NFKD", letters.lower()))
    return letters.translate(str.maketrans("lvf", "rbb"))


def _consonants(letters: str, non_rhotic: bool = False) -> str:
    """The consonants of a name as Japanese hears them, each run of one letter once: Radev and radefu
    are both "rdb", Kuleba and kureba "krb"."""
    letters = _heard(letters)
    if non_rhotic:
        letters = re.sub(r"(?<=[aeiou])r(?=[^aeiou]|$)", "", letters)
    for written, heard in (("ph", "b"), ("th", "s"), ("sh", "s"), ("ch", "c"), ("ck", "k"), ("ng", "n"), ("q", "k"),
                           ("x", "ks"), ("z", "s"), ("w", ""), ("h", ""), ("y", "")):
        letters = letters.replace(written, heard)
    letters = re.sub(r"c(?=[aou]|[^aeiou]|$)", "k", letters)
    return undoubled(re.sub(r"[aeiou]", "", letters))


def _is_loanword(word: str) -> bool:
    """Whether unidic reads the katakana word as one loanword with an English lemma (リセット-reset)."""
    from cutlet.cutlet import has_foreign_lemma

    words = japanese_words(word)
    return len(words) == 1 and has_foreign_lemma(words[0])


def _named_otherwise(word: str, letters: str, named: Mapping[str, list[str]]) -> bool:
    names = named.get(word, [])
    return bool(names) and not any(re.sub(r"[^a-z]", "", name.lower()) == letters for name in names)


def _proper_nouns(text: str) -> list[tuple[str, str]]:
    """(surface, romaji) of each word of `text` that the dictionary tags as a proper noun."""
    words = japanese_words(text)
    tokens = romaniser().romaji_tokens(words, capitalize=False)
    return [(word.surface, token.surface) for word, token in zip(words, tokens) if word.feature.pos2 == "固有名詞"]
