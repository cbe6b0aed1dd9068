"""Who speaks in a passage (index/speakers.py)."""
from __future__ import annotations

from index.speakers import asked_about, speaks


def test_a_question_asking_for_someones_words_names_them() -> None:
    assert asked_about("What did Kono pledge about Japan's pacifist stance when he met Wang Yi?") == ["Kono"]
    assert asked_about("According to Wang, what lies at the root of the standoff?") == ["Wang"]


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
