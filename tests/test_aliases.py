"""aliases.py: the tables of diplomatic writing (capitals, demonyms, roles) and the names they give one place."""
from __future__ import annotations

from index.retrieve import spelling
from index.retrieve.aliases import mapped, variants
from index.store.lexical import surface_words


def test_a_place_under_another_name_gives_its_other_one_word_names() -> None:
    assert variants("kiev") == ("kyiv",) and variants("Kyiv") == ("kiev",)
    assert variants("peking") == ("beijing",)
    assert variants("blinken") == () and variants("us") == ()  # no place; an all-capital form is none


def test_a_question_naming_a_place_as_readouts_do_not_is_searched_as_they_do() -> None:
    vocabulary = surface_words(["Secretary Blinken travelled to Kyiv.", "The embassy in Kyiv reopened."])
    assert spelling.correction("kiev", vocabulary) == "kyiv"  # an English word, yet the readouts' place
    assert spelling.spell("Kiev embassy", vocabulary).corrections == (("Kiev", "Kyiv"),)
    assert spelling.correction("kyiv", vocabulary) is None  # held as typed
    assert spelling.correction("peking", vocabulary) is None  # no readout names it either way


def test_mapped_reads_capitals_demonyms_and_roles() -> None:
    assert mapped("What did Tokyo say to the Chinese top diplomat?") == ["Tokyo", "Chinese", "top diplomat"]


def test_a_ukrainian_place_typed_as_russian_spells_it_is_searched_as_the_readouts_spell_it() -> None:
    vocabulary = surface_words(["Russia recognised the so-called Donetsk and Luhansk republics.",
                                "The consulate in Lviv will reopen."])
    assert spelling.correction("lugansk", vocabulary) == "luhansk"  # an English word, and one edit away
    assert spelling.correction("lvov", vocabulary) == "lviv"
    assert spelling.correction("kharkov", vocabulary) is None  # the readouts name it in no spelling


def test_a_group_or_place_under_another_transliteration_is_searched_as_the_readouts_write_it() -> None:
    vocabulary = surface_words(["Sanctions on Hizballah financiers.", "Fighting near Hudaydah port."])
    assert spelling.correction("hezbollah", vocabulary) == "hizballah"  # an English word, yet their spelling
    assert spelling.correction("hodeidah", vocabulary) == "hudaydah"
