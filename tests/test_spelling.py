"""spelling.py: question words no readout holds, searched as the readouts spell them."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from index.retrieve import spelling
from index.store.lexical import surface_words

VOCABULARY = surface_words([
    "Secretary Blinken spoke with Ukrainian Foreign Minister Kuleba and President Zelenskyy.",
    "NATO Secretary General Stoltenberg discussed sanctions on Russia.",
    "Foreign Minister Cavusoglu and Zelenska met in Ankara.",
    "Foreign Minister Kuleba thanked the United States for its sanctions.",
])


def test_a_letter_dropped_doubled_swapped_or_changed_is_corrected() -> None:
    assert spelling.correction("zelensky", VOCABULARY) == "zelenskyy"  # the readouts double the y
    assert spelling.correction("kulebaa", VOCABULARY) == "kuleba"
    assert spelling.correction("stoltenburg", VOCABULARY) == "stoltenberg"
    assert spelling.correction("cavusolgu", VOCABULARY) == "cavusoglu"  # two letters swapped
    assert spelling.correction("sanctons", VOCABULARY) == "sanctions"


def test_a_double_letter_in_the_wrong_place_is_corrected() -> None:
    vocabulary = surface_words(["Secretary Blinken visited Morocco and Mississippi."])
    assert spelling.undoubled("morroco") == spelling.undoubled("morocco") == "moroco"
    assert spelling.correction("morroco", vocabulary) == "morocco"  # two edits, one slip
    assert spelling.correction("misisipi", vocabulary) == "mississippi"
    assert spelling.correction("morrocan", vocabulary) is None  # another word, not a slip of doubling
    # each vocabulary answers from its own words, however many are looked up in turn
    other = surface_words(["The delegation visited Moroccco."])
    for _ in range(6):
        assert spelling.correction("morroco", vocabulary) == "morocco"
        assert spelling.correction("morroco", other) == "moroccco"
        assert spelling.correction("morroco", surface_words(["Nothing of the kind."])) is None


def test_held_english_short_or_far_words_are_left_alone() -> None:
    assert spelling.correction("kuleba", VOCABULARY) is None  # the readouts hold it
    assert spelling.correction("grumble", VOCABULARY) is None  # English, however close to a held word
    assert spelling.correction("kulbeaxx", VOCABULARY) is None  # three edits away
    assert spelling.correction("nat", VOCABULARY) is None  # too short to judge


def test_the_closest_then_a_doubling_slip_then_the_commonest_spelling_wins() -> None:
    assert spelling.correction("zelensky", {"zelenskyy": 6, "zelenska": 3}) == "zelenskyy"
    assert spelling.correction("zelensky", {"zelenskyy": 1, "zelenska": 9}) == "zelenskyy"  # a y not doubled
    assert spelling.correction("kery", {"very": 424, "key": 94, "kerry": 14}) == "kerry"
    assert spelling.correction("kulebo", {"kuleba": 1, "kulebi": 9}) == "kulebi"  # no doubling: the commonest


def test_a_word_is_an_inflection_only_with_an_ending_on_its_stem() -> None:
    assert spelling.is_english("delegations")  # "deleg" and an ending
    assert not spelling.is_english("kery")  # stemmed "keri", a word of the dictionary, but no ending


def test_spell_keeps_capitals_and_says_what_it_changed() -> None:
    result = spelling.spell("What did Zelensky tell kulebaa?", VOCABULARY)
    assert result.text == "What did Zelenskyy tell kuleba?"
    assert result.corrections == (("Zelensky", "Zelenskyy"), ("kulebaa", "kuleba"))
    assert spelling.notice(result) == "Showing results for Zelenskyy and kuleba."
    unchanged = spelling.spell("What did Kuleba say?", VOCABULARY)
    assert not unchanged.corrected and spelling.notice(unchanged) is None
    assert spelling.spell("zelensky", {}).text == "zelensky"  # an empty index corrects nothing


def test_english_like_words_are_the_askers_wording_not_names() -> None:
    assert spelling.english_like("grumble") and spelling.english_like("cozying")  # a word, an inflection
    assert spelling.english_like("darknet")  # two common words joined
    assert spelling.english_like("delegaton")  # an English word misspelled
    assert not spelling.english_like("fukushima") and not spelling.english_like("kuleba")
    assert not spelling.english_like("ruto")  # too short to call a misspelling


@given(st.text(max_size=60))
def test_spelling_changes_only_words_no_readout_holds(text: str) -> None:
    result = spelling.spell(text, VOCABULARY)
    for typed, fixed in result.corrections:
        assert typed.lower() not in VOCABULARY and fixed.lower() in VOCABULARY
    if not result.corrections:
        assert result.text == text


def test_words_in_other_scripts_are_neither_corrected_nor_unknown() -> None:
    assert spelling.spell("中方对福岛核污染水排海持什么立场", VOCABULARY).text == "中方对福岛核污染水排海持什么立场"
    assert not spelling.unknown("福島第一原発", VOCABULARY) and not spelling.unknown("Пересказ", VOCABULARY)


def test_the_english_dictionary_holds_every_line_of_symspellpys_file_with_its_count() -> None:
    from importlib import resources

    text = (resources.files("symspellpy") / "frequency_dictionary_en_82_765.txt").read_text(encoding="utf-8")
    lines = [line.split(" ") for line in text.splitlines() if line]
    assert spelling.english().counts == {word: int(count) for word, count in lines}
    assert len(spelling.english().counts) == len(lines)


@given(st.sampled_from(["the", "release", "water", "zelenskyy", "kuleba", "a", "", "the 23135851162", "he ", " the",
                        "the\nof", "23135851162", "abandon", "zygote", "water's"]) | st.text(max_size=8))
def test_the_dictionary_holds_exactly_its_words(word: str) -> None:
    assert spelling.english().holds(word) == (word in spelling.english().counts)


NAMES = [
    "Secretary Blinken spoke with Ukrainian Foreign Minister Kuleba in Brussels.",
    "Mr. Yang Jianping of the trade office met the delegation.",
    "The delegation toured the Ferghana Valley.",
    "Tensions in the South China Sea were discussed.",
]


def spelled(question: str) -> tuple[tuple[str, str], ...]:
    from index.store.lexical import Lexical

    index = Lexical.build(NAMES)
    return spelling.spell(question, surface_words(NAMES), index.together).corrections


def test_a_name_typed_in_capitals_is_corrected_only_as_the_readouts_hold_it_whole() -> None:
    assert spelled("Did Blinken meet Xi Jinping?") == ()  # Jianping is held, but never beside Xi
    assert spelled("What did Rob Malley say?") == ()  # a name no readout holds is no common word
    assert spelled("Foreign Minister Kulbea") == (("Kulbea", "Kuleba"),)
    assert spelled("the Sout China Sea") == (("Sout", "South"),)
    assert spelled("what did yang jinaping say") == (("jinaping", "jianping"),)  # lower case: one word alone
    assert spelled("Jinaping") == (("Jinaping", "Jianping"),)  # a capital alone is no name of parts


def test_two_unknown_words_in_a_row_are_corrected_only_when_held_together() -> None:
    assert spelled("ferghanna valey") == (("ferghanna", "ferghana"), ("valey", "valley"))
    assert spelled("kulebba jinaping") == ()  # a two-word name no readout holds, not two others' parts
    assert spelled("kulebba in brusels") == (("kulebba", "kuleba"), ("brusels", "brussels"))  # not in a row


def test_a_correction_must_stand_in_some_passage_beside_the_words_of_its_phrase() -> None:
    # "brusels" beside "kuleba": a passage holds Brussels with Kuleba
    assert spelled("kuleba brusels talks") == (("brusels", "brussels"),)
    # "valey" beside "south china": no passage holds Valley with them, so it is another word than meant
    assert spelled("south china valey") == ()
    # a stopword ends the phrase; a word alone has none, and is corrected as before
    assert spelled("what did kulebba say") == (("kulebba", "kuleba"),)
    assert spelled("valey") == (("valey", "valley"),)


def test_a_word_alone_is_corrected_into_a_name_or_as_a_misspelled_english_word_only() -> None:
    vocabulary = surface_words(["The last mile of the vaccine drive.", "Kuleba spoke on sanctions."])
    names = {"kuleba"}.__contains__  # how the readouts write each word: Kuleba as a name, "mile" not
    assert spelling.spell("milei", vocabulary, named=names).corrections == ()  # a name they lack
    assert spelling.spell("kulbea", vocabulary, named=names).corrections == (("kulbea", "kuleba"),)
    assert spelling.spell("sanctons", vocabulary, named=names).corrections == (("sanctons", "sanctions"),)
    assert spelling.spell("milei vaccine", vocabulary, named=names).corrections == (("milei", "mile"),)  # not alone


def test_a_word_after_a_title_is_corrected_into_a_name_only() -> None:
    vocabulary = surface_words(["Urban planners met Prime Minister Kishida.", "Kuleba spoke on sanctions."])
    names = {"kuleba", "kishida"}.__contains__
    assert spelling.spell("hungarian pm orban sanctions", vocabulary, named=names).corrections == ()  # not urban
    assert spelling.spell("fm kulbea sanctions", vocabulary, named=names).corrections == (("kulbea", "kuleba"),)
    assert spelling.spell("orban planners", vocabulary, named=names).corrections == (("orban", "urban"),)
    # the title is the asker's shorthand, no word a readout must hold beside the name
    assert spelling.spell("pm kishda", vocabulary, lambda words: False, names,
                          lambda words: False).corrections == (("kishda", "kishida"),)


def test_a_correction_may_share_a_readout_with_its_phrase_rather_than_a_passage() -> None:
    vocabulary = surface_words(["The discharge of water from Fukushima began.", "Monitoring arrangements were agreed."])
    apart = surface_words(["Albares spoke in Madrid.", "The Australian delegation arrived."])
    one_readout = lambda words: True  # noqa: E731 - every word in the one readout
    no_readout = lambda words: False  # noqa: E731
    assert spelling.spell("fukushma monitoring", vocabulary, lambda words: False,
                          same_readout=one_readout).corrections == (("fukushma", "fukushima"),)
    assert spelling.spell("australian albanes", apart, lambda words: False,
                          same_readout=no_readout).corrections == ()


def test_a_possessive_is_corrected_as_its_name_and_keeps_its_ending() -> None:
    assert spelling.spell("zelensky's speech", VOCABULARY).text == "zelenskyy's speech"
    assert spelling.spell("Kulebaa’s ministry", VOCABULARY).corrections == (("Kulebaa", "Kuleba"),)
    assert spelled("the Sout China Sea's shipping") == (("Sout", "South"),)  # the name's parts still agree


def test_two_edits_keep_the_first_letter() -> None:
    counts = {"lebanese": 40, "zelenskyy": 6}
    assert spelling.correction("zelenski", counts) == "zelenskyy"  # two edits, first letter kept
    assert spelling.correction("albanese", counts) is None  # two edits from "lebanese", but from its first letter


def test_an_acronym_or_a_word_without_vowels_is_no_misspelling() -> None:
    vocabulary = surface_words(["The UNHCR and the NATO allies grow corn.", "Kuleba spoke."])
    assert spelling.spell("What did the UNHRC say?", vocabulary).corrections == ()  # another body, not a typo
    assert spelling.spell("us eu dialogue cbrn risk", vocabulary).corrections == ()  # not "corn"
    assert spelling.spell("unhrc and kulbea", vocabulary).corrections == (("unhrc", "unhcr"), ("kulbea", "kuleba"))
    assert spelling.abbreviated("OPEC") and spelling.abbreviated("hrds") and not spelling.abbreviated("Kulbea")


def test_a_name_typed_without_its_diacritics_is_searched_as_the_readouts_write_it() -> None:
    vocabulary = surface_words(["President Vučić met Prime Minister Orbán in Côte d’Ivoire with Çavuşoğlu."])
    assert spelling.folded("Çavuşoğlu") == "Cavusoglu" and spelling.folded("kuleba") == "kuleba"
    assert spelling.correction("vucic", vocabulary) == "vučić"  # two letters from it, one slip from neither
    assert spelling.correction("cavusoglu", vocabulary) == "çavuşoğlu"
    assert spelling.correction("orbán", surface_words(["Prime Minister Orban spoke."])) == "orban"
    assert spelling.spell("orban and vucic", vocabulary).text == "orbán and vučić"


def test_among_equally_close_spellings_a_name_wins() -> None:
    counts = {"convey": 40, "coveney": 3}
    assert spelling.correction("covney", counts) == "convey"  # the commoner, when names are not known
    assert spelling.correction("covney", counts, named={"coveney"}.__contains__) == "coveney"


def test_two_neighbouring_letters_swapped_are_corrected_whatever_the_phrase() -> None:
    vocabulary = surface_words(["Keep to the right direction.", "Heading the same way."])
    no_readout = lambda words: False  # noqa: E731 - no readout holds the correction with its neighbours
    assert spelling.swapped("rigth", "right") and not spelling.swapped("rihgt", "rigth")
    assert not spelling.swapped("rigt", "right") and not spelling.swapped("riggt", "right")
    assert spelling.spell("heading the rigth way", vocabulary, lambda words: False,
                          same_readout=no_readout).corrections == (("rigth", "right"),)
    assert spelling.spell("heading the rigt way", vocabulary, lambda words: False,
                          same_readout=no_readout).corrections == ()  # a letter dropped: the phrase decides


def test_a_word_read_as_an_inflection_the_dictionary_lacks_is_a_slip_one_edit_away() -> None:
    vocabulary = surface_words(["Semiconductor supply chain shortages were discussed."])
    assert spelling.is_english("semiconducter")  # "semiconduct" and an ending
    assert spelling.correction("semiconducter", vocabulary) == "semiconductor"
    assert spelling.correction("semiconductors", vocabulary) is None  # the dictionary's own word
