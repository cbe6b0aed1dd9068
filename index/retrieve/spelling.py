"""Question words spelled as the readouts spell them: "zelensky" is searched as "zelenskyy", "kulebaa"
as "kuleba". A word is corrected only when no readout holds it, it is no English word (symspellpy's
frequency dictionary, by word or by stem: "grumble" and "cozying" are paraphrase, not typos), and a
word the readouts hold lies within one edit of it (two for words of eight letters or more, keeping
the first letter: "zelenski" is "zelenskyy", "albanese" is not "lebanese"; a double letter put in the
wrong place is one slip: "morroco" is "morocco"). The closest wins, then one that differs only in a
doubled letter ("kery" is "kerry", not the commoner "very"), then one the readouts write as a name
("covney" is "coveney", not "convey"), then the one more passages hold, then the one that begins as
typed. A place or group named otherwise than the readouts name it ("kiev") is searched under their
name ("kyiv"; aliases.variants), and a name typed without its diacritics as they write it ("vucic"
as "vučić"). A possessive is corrected as its name, its "'s" kept ("zelensky's"). Candidates come
from rapidfuzz over the index's own words (Lexical.surface, written at ingest), so nothing is built
when an index loads."""
from __future__ import annotations

import functools
import importlib.util
import os
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import Stemmer

from index.store.lexical import _STOPWORD_SET
from index.text.acronyms import ACRONYM
from index.text.script import non_latin
from index.text.titles import OFFICE_TITLES

from .aliases import variants

MIN_LENGTH = 4  # shorter words have too many neighbours one edit away
LONG_WORD = 8  # from this length two edits are allowed
WORD = re.compile(r"\w+(?:['’]\w+)*")
POSSESSIVE = re.compile(r"['’]s$")
# Two or more capitalised words joined by a space or a hyphen: a name as typed ("Xi Jinping", "Indo-Pacific").
NAME_RUN = re.compile(r"[A-Z][\w'’]*(?:[ -][A-Z][\w'’]*)+")
_stemmer = Stemmer.Stemmer("english")


@dataclass(frozen=True)
class Spelling:
    """A question as searched: its text with each correction applied, and the corrections made
    (as typed -> as the readouts spell it)."""

    text: str
    corrections: tuple[tuple[str, str], ...] = ()

    @property
    def corrected(self) -> bool:
        return bool(self.corrections)


COMMON = 10_000_000  # occurrences in the dictionary's corpus: a common word, a part of compounds
TYPO_LENGTH = 6  # from this length a word one edit from an English word reads as its misspelling


class English:
    """symspellpy's English frequency dictionary: whether it holds a word (found in its text, lines of
    "word count": building the dictionary took a cold `readouts ask` 30 ms), and, computed when first
    needed, the words with their counts, their stems, the common ones, and the words by length (a
    misspelling is looked for among words of about its length)."""

    def __init__(self, text: str) -> None:
        self._lines = "\n" + text  # every word then follows a newline and is followed by a space

    def holds(self, word: str) -> bool:
        return bool(word) and not any(ch.isspace() for ch in word) and f"\n{word} " in self._lines

    @functools.cached_property
    def counts(self) -> dict[str, int]:
        words = self._lines.split()
        return dict(zip(words[0::2], map(int, words[1::2]), strict=True))

    @functools.cached_property
    def stems(self) -> frozenset[str]:
        return frozenset(_stemmer.stemWords(list(self.counts)))

    @functools.cached_property
    def common(self) -> frozenset[str]:
        return frozenset(word for word, count in self.counts.items() if count >= COMMON)

    @functools.cached_property
    def by_length(self) -> dict[int, list[str]]:
        lengths: dict[int, list[str]] = {}
        for word in self.counts:
            lengths.setdefault(len(word), []).append(word)
        return lengths


@functools.lru_cache(maxsize=1)
def english() -> English:
    """The dictionary, read from symspellpy's folder without importing symspellpy (its modules are of
    no use here)."""
    spec = importlib.util.find_spec("symspellpy")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("symspellpy is not installed")
    folder = Path(next(iter(spec.submodule_search_locations)))
    return English((folder / "frequency_dictionary_en_82_765.txt").read_text(encoding="utf-8"))


def is_english(word: str) -> bool:
    """Whether the word (lower case) is an English word, or an inflection of one."""
    lexicon = english()
    if lexicon.holds(word):
        return True
    stem = _stemmer.stemWord(word)  # an inflection is its stem and an ending: "kery" is none of "keri"
    return len(stem) < len(word) and stem in lexicon.stems


def english_like(word: str) -> bool:
    """Whether a lower-case word reads as English: an English word or inflection, two common words
    joined ("darknet"), or a longer one misspelled by an edit ("delegaton"). Such a word that no
    readout holds is the asker's wording, not a name the readouts lack."""
    if is_english(word):
        return True
    lexicon = english()
    if any(word[:i] in lexicon.common and word[i:] in lexicon.common for i in range(3, len(word) - 2)):
        return True
    if len(word) < TYPO_LENGTH:
        return False
    from rapidfuzz import process
    from rapidfuzz.distance import DamerauLevenshtein

    near = [w for length in (len(word) - 1, len(word), len(word) + 1) for w in lexicon.by_length.get(length, ())]
    return process.extractOne(word, near, scorer=DamerauLevenshtein.distance, score_cutoff=1) is not None


def unknown(word: str, vocabulary: Mapping[str, int]) -> bool:
    """A word of the question that no readout holds and that spelling may correct or coverage report:
    letters only (no digits), in Latin script (a Chinese or Japanese question is read across scripts,
    crosslingual/), long enough to judge."""
    return len(word) >= MIN_LENGTH and word.isalpha() and not non_latin(word) and word not in vocabulary


def correction(word: str, vocabulary: Mapping[str, int], named: Callable[[str], bool] | None = None) -> str | None:
    """The readouts' spelling of a lower-case word no readout holds, or None (see the module's doc).
    `named` tells whether the readouts write a word as a name: among equally close spellings a name
    wins ("covney" is "coveney", not "convey")."""
    if not unknown(word, vocabulary):
        return None
    held = [form for form in variants(word) if form in vocabulary]
    if held:  # the same place under another name: "kiev" where the readouts say "kyiv"
        return max(held, key=lambda form: vocabulary[form])
    held = _by_key(vocabulary, folded).get(folded(word), [])
    if held:  # the same letters, one side with diacritics: "vucic" where the readouts say "vučić"
        return max(held, key=lambda term: vocabulary[term])
    if english().holds(word):
        return None
    if is_english(word):  # read as an inflection ("semiconduct" and "-er"): only a slip by one edit
        return _nearest(word, vocabulary, named, most=1)
    return _nearest(word, vocabulary, named)


def _nearest(word: str, vocabulary: Mapping[str, int], named: Callable[[str], bool] | None,
             most: int = 2) -> str | None:
    """The closest word the readouts hold, within one edit (two from LONG_WORD letters, at `most`)."""
    from rapidfuzz import process
    from rapidfuzz.distance import DamerauLevenshtein

    allowed = min(most, 2 if len(word) >= LONG_WORD else 1)
    found = process.extract(word, vocabulary.keys(), scorer=DamerauLevenshtein.distance, score_cutoff=allowed,
                            limit=20)
    if not found:  # a double letter put in the wrong place: "morroco" is "morocco", "embarass" "embarrass"
        found = [(term, 1, 0) for term in _by_key(vocabulary, undoubled).get(undoubled(word), ())]
    candidates = sorted((distance, undoubled(term) != undoubled(word), -vocabulary[term],
                         -len(os.path.commonprefix([word, term])), term)
                        for term, distance, _ in found if term.isalpha() and len(term) >= MIN_LENGTH
                        and (distance < 2 or term[0] == word[0]))
    if not candidates:
        return None
    closest = [candidate[-1] for candidate in candidates if candidate[:2] == candidates[0][:2]]
    if named is not None and len(closest) > 1:
        return next((term for term in closest if named(term)), closest[0])
    return closest[0]


_TABLES: dict[tuple[int, Callable[[str], str]], tuple[Mapping[str, int], dict[str, list[str]]]] = {}


def _by_key(vocabulary: Mapping[str, int], key: Callable[[str], str]) -> dict[str, list[str]]:
    """The vocabulary's words by `key` (their undoubled or folded spelling), built once per vocabulary
    (a generation's surface words) and kept for the last few, each with the vocabulary it was built from."""
    entry = _TABLES.get((id(vocabulary), key))
    if entry is None or entry[0] is not vocabulary:
        table: dict[str, list[str]] = {}
        for term in vocabulary:
            table.setdefault(key(term), []).append(term)
        if len(_TABLES) >= 8:
            _TABLES.clear()
        entry = _TABLES[(id(vocabulary), key)] = (vocabulary, table)
    return entry[1]


_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")  # combining marks


def folded(text: str) -> str:
    """The text without the diacritics of its letters ("vučić" is "vucic", "Çavuşoğlu" "Cavusoglu"):
    how most people type a name written with them."""
    return text if text.isascii() else _MARKS.sub("", unicodedata.normalize("NFKD", text))


def undoubled(word: str) -> str:
    """The word with each run of one letter written once ("morroco" and "morocco" are both "moroco")."""
    return re.sub(r"(.)\1+", r"\1", word)


def abbreviated(word: str) -> bool:
    """An acronym or abbreviation as typed, which is no misspelling: in capitals ("UNHRC" is not
    "UNHCR", "OPEC" not "open"), or without a vowel ("cbrn", "hrds")."""
    return bool(ACRONYM.fullmatch(word)) or not set(word.lower()) & set("aeiouy")


@dataclass
class _Word:
    """A question word where it stands, and the readouts' spelling of it (None: left as typed)."""

    start: int
    end: int
    typed: str
    fixed: str | None

    @property
    def spelled(self) -> str:
        return self.fixed or self.typed.lower()


def spell(text: str, vocabulary: Mapping[str, int], together: Callable[[Sequence[str]], bool] | None = None,
          named: Callable[[str], bool] | None = None,
          same_readout: Callable[[Sequence[str]], bool] | None = None) -> Spelling:
    """The question with every word no readout holds replaced by the readouts' spelling, where one is
    close (correction); a capitalised word stays capitalised. A name typed in capitals over several
    words ("Rob Malley", "Sout China Sea") is one name: a part of it is corrected only when a passage
    holds the correction beside a neighbouring part (`together`), so a name the readouts lack is not
    turned into another one ("Xi Jinping" into "Xi Jianping") nor into a common word ("Malley" into
    "Valley"). Two unknown words in a row are held to the same test, in any case ("mahsa amini" is not
    "mahra amiri"). A correction beside other words of its phrase (_beside) must share a readout with
    one of them (`same_readout`; one passage when not given): "australian pm albanese" is not Albares,
    a Spanish minister no readout names with them, nor "imran khan" Iran; "fukushma monitoring" is
    Fukushima, which the readout on monitoring names in another paragraph.
    A word typed alone or after a title is corrected into a word the readouts write as a name (`named`),
    or when it reads as a misspelled English word: "milei" alone is a name they lack, not "mile", and
    "pm orban" not "pm urban"."""
    if not vocabulary:
        return Spelling(text)
    words = []
    for match in WORD.finditer(text):
        typed = POSSESSIVE.sub("", match.group(0))  # "zelensky's" is corrected as "zelensky", its "'s" kept
        words.append(_Word(match.start(), match.start() + len(typed), typed,
                           None if abbreviated(typed) else correction(typed.lower(), vocabulary, named)))
    if together is not None:
        _agree(text, words, together, same_readout or together)
    # A word typed alone ("milei") or after a title ("pm orban") is a name, no slip of "mile" or "urban".
    as_names = words[:1] if len(words) == 1 else [word for before, word in zip(words, words[1:])
                                                  if before.typed.lower().rstrip(".") in OFFICE_TITLES]
    for word in as_names:
        if named is not None and word.fixed and not english_like(word.typed.lower()) and not named(word.fixed):
            word.fixed = None
    corrections: dict[str, str] = {}
    pieces, at = [], 0
    for word in words:
        if word.fixed is None:
            continue
        shown = word.fixed.capitalize() if word.typed[:1].isupper() else word.fixed
        corrections[word.typed] = shown
        pieces += [text[at:word.start], shown]
        at = word.end
    return Spelling("".join(pieces) + text[at:], tuple(corrections.items()))


def _agree(text: str, words: list[_Word], together: Callable[[Sequence[str]], bool],
           same_readout: Callable[[Sequence[str]], bool]) -> None:
    """Drop the corrections that a name's other parts do not bear out (see spell)."""
    for run in NAME_RUN.finditer(text):
        parts = [word for word in words if run.start() <= word.start and word.end <= run.end()]
        spelled = [part.spelled for part in parts]
        for at, part in enumerate(parts):
            neighbours = spelled[max(0, at - 1):at] + spelled[at + 1:at + 2]
            if part.fixed and not any(together([part.fixed, neighbour]) for neighbour in neighbours):
                part.fixed = None
    for first, second in zip(words, words[1:]):
        if (first.fixed and second.fixed and text[first.end:second.start] in (" ", "-")
                and not together([first.fixed, second.fixed])):
            first.fixed = second.fixed = None
    for at, word in enumerate(words):
        context = [other for other in _beside(text, words, at) if other.rstrip(".") not in OFFICE_TITLES]
        if (word.fixed and context and not swapped(word.typed.lower(), word.fixed)
                and not any(same_readout([word.fixed, other]) for other in context)):
            word.fixed = None


def swapped(typed: str, fixed: str) -> bool:
    """Whether the correction only swaps two neighbouring letters of the typed word ("rigth" for
    "right"): the commonest slip of the fingers, which no absent name resembles by chance."""
    apart = [at for at, (a, b) in enumerate(zip(typed, fixed)) if a != b]
    return (len(typed) == len(fixed) and len(apart) == 2 and apart[1] == apart[0] + 1
            and typed[apart[0]] == fixed[apart[1]] and typed[apart[1]] == fixed[apart[0]])


def _beside(text: str, words: list[_Word], at: int, reach: int = 2) -> list[str]:
    """The words standing with words[at] in its phrase: up to `reach` on each side, not across a
    stopword or punctuation ("australian pm albanese": "pm", "australian"). A correction no passage
    holds beside any of them (in one passage, or in one readout when spell is given `same_readout`) is
    another word than the one meant ("albares", a Spanish minister); a title among them, as typed in a
    hurry, is no word the readouts must hold with it ("pm orban" is Orbán)."""
    found = []
    for step in (-1, 1):
        here = at
        for _ in range(reach):
            there = here + step
            if not 0 <= there < len(words):
                break
            first, second = (words[there], words[here]) if step < 0 else (words[here], words[there])
            if text[first.end:second.start] not in (" ", "-") or words[there].typed.lower() in _STOPWORD_SET:
                break
            found.append(words[there].spelled)
            here = there
    return found


def notice(spelling: Spelling) -> str | None:
    """What the answer says of the corrections: "Showing results for Zelenskyy."."""
    if not spelling.corrections:
        return None
    shown = [fixed for _, fixed in spelling.corrections]
    return "Showing results for " + (shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]) + "."
