"""coverage.py: the names and key terms of a question that no readout holds; expansion.py's tables."""
from __future__ import annotations

import numpy as np
import pytest

from index.retrieve import coverage, fusion
from index.retrieve.aliases import mapped
from index.store.lexical import Lexical, surface_words

TEXTS = [
    "Secretary Blinken spoke with Foreign Minister Wang Yi about the Global Development Initiative.",
    "Foreign Minister Wang Yi met Japanese Foreign Minister Taro Kono in New York.",
    "The Secretary discussed security in the Taiwan Strait and Black Sea shipping.",
]


def lexical() -> Lexical:
    return Lexical.build(TEXTS)


def test_key_terms_are_names_without_titles_capitals_demonyms_or_question_words() -> None:
    terms = coverage.key_terms("What did German Foreign Minister Johann Wadephul tell Tokyo about the Taiwan Strait?")
    assert terms == ["Johann Wadephul", "Strait"]  # Taiwan, a country, is read by expansion.py


def test_names_are_parted_by_and_hyphens_and_possessives() -> None:
    assert coverage.key_terms("What did Blinken and Kuleba say?") == ["Blinken", "Kuleba"]
    assert coverage.key_terms("Which Blinken-Lavrov call in mid-June?") == ["Blinken", "Lavrov"]
    assert coverage.key_terms("Did Staffan de Mistura's plan hold?") == ["Staffan de Mistura"]


def test_acronyms_alone_months_and_quoted_phrases() -> None:
    assert coverage.key_terms("What happened at the UNGA in September?") == []
    assert coverage.key_terms('Who said "dual-track approach"?') == ["dual-track approach"]


def test_missing_reports_the_names_no_passage_holds() -> None:
    index = lexical()
    assert coverage.missing("What did Wang Yi tell Hakan Fidan about Black Sea shipping?", index) == ["Hakan Fidan"]
    assert coverage.missing("What did Wang Yi and Taro Kono discuss in New York?", index) == []
    assert coverage.missing("Did Beijing's top diplomat speak with the Secretary?", index) == []  # mapped, titles
    assert coverage.missing("anything", Lexical.build([])) == []


def test_notice_names_what_is_missing() -> None:
    assert coverage.notice([]) == ""
    assert coverage.notice(["Ruritania"], related=False) == "No readout mentions Ruritania."
    assert coverage.notice(["Hakan Fidan", "Kakhovka"]).startswith("No readout mentions Hakan Fidan or Kakhovka. ")


def test_expansion_reads_capitals_demonyms_and_roles_but_not_the_pronoun_us() -> None:
    assert sorted(mapped("Did the US tell us what Beijing's top diplomat said to the South Korean envoy?")) == [
        "Beijing's", "South Korean", "US", "top diplomat"]


def test_lexical_evidence_is_the_share_of_the_question_idf_mass_held() -> None:
    index = lexical()
    weights = index.term_weights("Wang Yi Fidan")
    evidence = fusion.lexical_evidence(weights, TEXTS[0])
    assert 0 < evidence < 1
    assert fusion.lexical_evidence(index.term_weights("Wang Yi"), TEXTS[0]) == 1.0
    assert fusion.lexical_evidence({}, TEXTS[0]) == 0.0


def test_weak_lexical_evidence_leaves_the_order_to_the_cosine() -> None:
    similarities, bm25 = np.array([0.9, 0.5]), np.array([1.0, 9.0])
    assert np.argmax(fusion.blend(similarities, bm25, 0.25)) == 1  # fixed blend: BM25 decides
    assert np.argmax(fusion.blend(similarities, bm25, 0.25, evidence=0.1)) == 0
    assert np.argmax(fusion.blend(similarities, bm25, 0.25, evidence=1.0)) == 1


def test_terms_in_another_script_are_not_judged_by_an_english_vocabulary() -> None:
    assert coverage.key_terms("中国提出的“双暂停”倡议是什么？") == ["双暂停"]
    assert coverage.missing("中国提出的“双暂停”倡议是什么？", lexical()) == []


def test_lower_case_names_no_readout_holds_are_missing_however_typed() -> None:
    index = lexical()
    surface = index.surface
    assert coverage.missing("fukushima water", index, surface) == ["fukushima"]
    assert coverage.missing("Fukushima water", index, surface) == ["Fukushima"]  # one report, not two
    assert coverage.missing("wang yi black sea", index, surface) == []  # held, in any case
    # English words and their misspellings are the asker's wording: not reported
    assert coverage.missing("did wang yi grumble about the delegaton", index, surface) == []


def test_a_passage_spelling_out_an_acronym_of_the_question_holds_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from index.passage import Passage
    from index.retrieve import ranking

    texts = ["Officials discussed the U.S. Global Positioning System and Galileo.", "Space weather and satellites."]
    index = Lexical.build(texts)
    spelled, other = (Passage(f"d-{i}", "d", text, "", "", None, None, i) for i, text in enumerate(texts, 1))
    for question in ("galileo gps", "galileo GPS"):
        assert ranking.evidence(index, question, [spelled])[0] == 1.0
    assert ranking.evidence(index, "satellites gps", [other])[0] < 1.0
    monkeypatch.setattr(ranking, "ACRONYM_EVIDENCE", False)
    assert ranking.evidence(index, "galileo gps", [spelled])[0] < 1.0


def test_a_passage_holding_every_word_has_evidence_exactly_one() -> None:
    from index.passage import Passage
    from index.retrieve.ranking import evidence

    text = "petro peace accord counternarcotics rural development security cooperation colombia elections"
    index = Lexical.build([text, "Secretary Blinken spoke with Foreign Minister Wang Yi.", "Black Sea shipping"])
    passage = Passage("d-1", "d", text, "", "", None, None, 1)
    for question in ("petro peace accord counternarcotics", "colombia elections rural security cooperation petro"):
        assert evidence(index, question, [passage])[0] == 1.0


def test_a_people_is_held_by_readouts_that_name_its_country_and_back() -> None:
    index = Lexical.build(["Secretary Blinken spoke with President Panuelo of Micronesia.",
                           "The Iraqi Foreign Minister met Secretary Blinken."])
    surface = surface_words(["Secretary Blinken spoke with President Panuelo of Micronesia.",
                             "The Iraqi Foreign Minister met Secretary Blinken."])
    assert coverage.missing("What did Blinken tell the Micronesian President Panuelo?", index, surface) == []
    assert coverage.missing("micronesian president", index, surface) == []
    assert coverage.missing("What did Blinken say in Iraq?", index, surface) == []
    assert coverage.missing("What did Blinken tell the Bhutanese President?", index, surface) == ["Bhutanese"]


def test_an_acronym_is_held_when_the_readouts_spell_it_out_and_missing_when_they_do_not() -> None:
    texts = ["Secretary Blinken addressed the UN General Assembly.", "The Grand Ethiopian Renaissance Dam was discussed.",
             "He praised the African Development Bank."]
    index = Lexical.build(texts)
    surface = surface_words(texts)
    assert coverage.missing("What did Blinken say at the UNGA?", index, surface) == []
    assert coverage.missing("blinken on the GERD", index, surface) == []
    assert coverage.missing("What did Blinken say about the TPLF?", index, surface) == ["TPLF"]
    # typed in a hurry: lower case, or a small letter inside
    assert coverage.missing("blinken unga speech", index, surface) == []
    assert coverage.missing("What did Blinken say about the AfDB?", index, surface) == []
    assert coverage.missing("blinken tplf", index, surface) == ["tplf"]
    # an index written before the acronyms were kept cannot tell: the acronym is not judged
    before = Lexical(index.vocabulary, index.data, index.indices, index.indptr, index.size, surface=surface)
    assert before.acronyms is None and coverage.missing("What did Blinken say about the TPLF?", before, surface) == []


def test_a_title_abbreviated_as_typed_in_a_hurry_is_no_name() -> None:
    index = Lexical.build([*TEXTS, "The State Department spoke on Black Sea shipping."])
    assert coverage.missing("State Dept on black sea shipping", index, index.surface) == []
    assert coverage.missing("what did sec blinken tell wang yi", index, index.surface) == []


def test_a_common_word_capitalised_by_its_place_first_is_no_name_but_a_name_there_is() -> None:
    index = lexical()
    surface = index.surface
    assert coverage.missing("Per Wang Yi, who moves ties ahead?", index, surface) == []
    assert coverage.missing("Recommend a good sci-fi novel", index, surface) == []
    assert coverage.missing("Fidan met Wang Yi?", index, surface) == ["Fidan"]


def test_a_lower_case_word_the_readouts_hold_in_another_inflection_is_held() -> None:
    texts = ["The IDP camps near Mosul were visited.", "Kuleba spoke."]
    index = Lexical.build(texts)
    assert coverage.missing("iraq idps return", index, surface_words(texts)) == []  # BM25 stems both to "idp"
    assert coverage.missing("iraq fukushima return", index, surface_words(texts)) == ["fukushima"]


def test_a_word_after_a_title_is_a_name_though_one_edit_from_an_english_one() -> None:
    index = Lexical.build(TEXTS)
    # "scholz" is one edit from "schulz", which alone reads as a misspelling, not a name
    assert coverage.missing("blinken scholz talks", index, index.surface) == []
    assert coverage.missing("what did blinken and german chancellor scholz discuss", index, index.surface) == ["scholz"]
    # a verb after a title is the question's wording
    assert coverage.missing("did the foreign minister respond", index, index.surface) == []
