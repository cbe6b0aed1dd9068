"""Who speaks in a passage (index/retrieve/speakers.py)."""
from __future__ import annotations

from index.retrieve.speakers import asked_about, speaks
from index.retrieve.spelling import folded


def test_a_question_asking_for_someones_words_names_them() -> None:
    assert asked_about("What did Kono pledge about Japan's pacifist stance when he met Wang Yi?") == ["Kono"]
    assert asked_about("According to Wang, what lies at the root of the standoff?") == ["Wang"]


def test_a_question_in_lower_case_names_whom_it_asks_about_by_where_the_name_stands() -> None:
    assert asked_about("what did jaishankar say about his visit to washington") == ["jaishankar"]
    assert asked_about("what did polish foreign minister rau say about the two hats") == ["rau"]
    assert asked_about("what did yemen's foreign minister bin mubarak say about taiz") == ["mubarak"]
    assert asked_about("according to kuleba what happened in bucha") == ["kuleba"]
    # a role, a common word or a meeting names no one
    assert asked_about("how many refugees fled according to the estonian foreign minister") == []
    assert asked_about("what did the government say about grain") == []
    assert asked_about("did the secretary tell kuleba anything") == []
    assert asked_about("what did blinken and lavrov discuss") == []


def test_a_name_typed_in_lower_case_speaks_in_a_passage_as_written() -> None:
    assert speaks(["kono"], "Taro Kono expressed that Japan will stick to its principles.", None, "")
    assert speaks(["rau"], "We act.", None, "", speaker="Foreign Minister Rau")


def test_a_name_typed_without_its_diacritics_speaks_as_written_with_them() -> None:
    assert speaks(["cavusoglu"], "We act.", None, "", speaker="FOREIGN MINISTER ÇAVUŞOĞLU")
    assert speaks(["vucic"], "President Vučić said that Serbia would act.", None, "")
    assert speaks(["Çavuşoğlu"], "Cavusoglu said so.", None, "")  # and the other way round
    assert not speaks(["cavusoglu"], "We act.", None, "", speaker="Foreign Minister Dendias")
    assert folded("Çavuşoğlu’s") == "Cavusoglu’s" and folded("Kuleba") == "Kuleba"


def test_a_question_about_whom_someone_met_asks_for_no_words() -> None:
    assert asked_about("Which European officials did Sherman speak with about Russia?") == []
    assert asked_about("When was the security dialogue held?") == []


def test_a_passage_speaks_by_name_pronoun_or_title() -> None:
    assert speaks(["Kono"], "Taro Kono expressed that Japan will stick to its principles.", None, "")
    assert speaks(["Wang"], "Wang, also a member of the Political Bureau, said that ties matter.", None, "")
    assert speaks(["Kamikawa"], "She voiced hope that China will act.", "For her part, Kamikawa said ties matter.", "")
    assert speaks(["Sherman"], "The Deputy Secretary raised the cases of detained citizens.", None,
                  "Deputy Secretary Sherman's Visit to China")


def test_a_meeting_is_no_speech() -> None:
    assert not speaks(["Kono"], "Foreign Minister Wang Yi met with Foreign Minister Taro Kono in New York.", None, "")
    assert not speaks(["Kono"], "She voiced hope that China will act.", None, "")
    assert not speaks([], "Kono said so.", None, "")


def test_a_passage_whose_speaker_ingest_knows_speaks_by_that_label_alone() -> None:
    reported = "As the foreign minister said, Blinken said that grain must leave Ukraine."
    assert speaks(["Blinken"], reported, None, "")  # read from the text, as before
    assert not speaks(["Blinken"], reported, None, "", speaker="Foreign Minister Baerbock (via interpreter)")
    assert speaks(["Baerbock"], "We act. As the G7, we will play a central role.", None, "",
                  speaker="Foreign Minister Baerbock (via interpreter)")
    answered = "Question (Reuters), answered by Foreign Ministry Spokesperson Hua Chunying"
    assert speaks(["Hua", "Chunying"], "Q: Reuters asks. A: We oppose it.", None, "", speaker=answered)
    assert not speaks(["Reuters"], "Q: Reuters asks. A: We oppose it.", None, "", speaker=answered)


def test_the_ranking_lifts_a_passage_by_its_speaker_where_ingest_knew_it() -> None:
    import numpy as np

    from index.passage import Passage
    from index.retrieve.ranking import SameLanguage

    def passage(number: int, text: str, speaker: str | None) -> Passage:
        return Passage(f"d-{number}", "d.txt", text, "Blinken and Baerbock", "U.S. Department of State", None, None,
                       number, speaker)

    passages = [passage(1, "Blinken said that grain must leave Ukraine.", "Foreign Minister Baerbock"),
                passage(2, "We will help the most affected countries.", "Secretary Blinken"),
                passage(3, "Blinken said that grain must leave Ukraine.", None)]
    ranker = SameLanguage(None, passages, None)  # type: ignore[arg-type]  # speaking() reads the passages alone
    marks = ranker.speaking("What did Blinken say about grain?", np.arange(3))
    assert marks.tolist() == [0.0, 1.0, 1.0]
