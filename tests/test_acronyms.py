"""acronyms.py: the acronyms readouts spell out as names."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from index.text.acronyms import ACRONYM, LONGEST, initialisms, letters, typed_letters


def test_a_name_gives_the_initials_of_its_runs_of_words_small_words_skipped() -> None:
    found = initialisms(["She addressed the UN General Assembly.",
                         "the Organisation for Economic Co-operation and Development met",
                         "the Tigray People's Liberation Front"])
    assert {"UNGA", "GA", "OECD", "TPLF", "PLF"} <= found
    assert "UNGAO" not in found  # a full stop ends a name


def test_a_word_alone_or_lower_case_words_give_none() -> None:
    assert initialisms(["Kuleba spoke.", "the foreign minister spoke with the secretary of state"]) == set()


def test_acronyms_as_typed_are_read_bare() -> None:
    assert letters("U.N.") == "UN" and letters("NGOs") == "NGO" and letters("UNGA") == "UNGA"
    assert ACRONYM.fullmatch("UNGA") and not ACRONYM.fullmatch("Unga")


def test_an_acronym_typed_in_lower_or_mixed_case_gives_its_letters_and_a_name_none() -> None:
    assert [typed_letters(word) for word in ["UNGA", "NGOs", "unga", "hrds", "gps", "AfDB", "MoFA", "MoU"]] == [
        ("UNGA",), ("NGO",), ("UNGA",), ("HRDS", "HRD"), ("GPS", "GP"), ("ADB",), ("MFA",), ("MU",)]
    # names and brands with an inner capital, and longer lower-case words, are no acronyms
    assert [typed_letters(word) for word in ["McCarthy", "DeSantis", "TikTok", "kuleba", "Kuleba"]] == [()] * 5


@given(st.lists(st.text(alphabet="ABCDEFGHIJ abcdefg.,&'-", max_size=60), max_size=5))
def test_every_initialism_is_capital_letters_of_a_bounded_length(texts: list[str]) -> None:
    for acronym in initialisms(texts):
        assert 2 <= len(acronym) <= LONGEST and acronym.isupper() and acronym.isalpha()


def test_a_regnal_numeral_is_no_part_of_an_acronym() -> None:
    assert "AIIB" not in initialisms(["He met King Abdullah II Before the talks."])
    assert "KA" in initialisms(["He met King Abdullah II Before the talks."])
