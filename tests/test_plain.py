from index.answer.plain import NOTHING_FOUND, answer_text, missing_note
from index.answer.policy import Answer
from index.passage import Hit, Passage


def hit(text: str) -> Hit:
    return Hit(Passage("p-1", "003.txt", text, "Wang Yi meets Kamikawa", "Xinhua", "2024-09-24", None, 1), 0.7, 1)


def test_plain_text_quotes_and_cites() -> None:
    text = answer_text(Answer("q", (hit("Line one.\nLine two."),), notice="Cut."))
    assert text.splitlines()[:4] == ["Cut.", "", "[1]", "  > Line one."]
    assert "Xinhua, 2024-09-24" in text
    assert answer_text(Answer("q", ())) == NOTHING_FOUND


def test_control_characters_are_shown_not_obeyed() -> None:
    text = answer_text(Answer("q", (hit("Red \x1b[31malert\x07 text."),)))
    assert "\x1b" not in text and "\x07" not in text and "\\x1b[31malert\\x07" in text


def test_what_no_readout_mentions_comes_first_and_the_rest_is_related() -> None:
    answer = Answer("q", (), missing=("Ruritania",), related=(hit("Near it."),))
    text = answer_text(answer)
    assert text.startswith("No readout mentions Ruritania.") and "Related passages, not an answer:" in text
    assert NOTHING_FOUND not in text
    assert missing_note(("A", "B", "C")) == "No readout mentions A, B or C."


def test_a_transcript_quote_names_its_speaker_before_the_title_and_its_context_each_turn() -> None:
    from dataclasses import replace

    from index.answer.plain import hit_text

    spoken = replace(hit("We act. As the G7, we will play a central role.").passage,
                     speaker="Foreign Minister Baerbock (via interpreter)")
    text = answer_text(Answer("q", (Hit(spoken, 0.7, 1),)))
    assert "  — Foreign Minister Baerbock (via interpreter), in: Wang Yi meets Kamikawa\n    Xinhua" in text
    assert ", in:" not in answer_text(Answer("q", (hit("A narrative readout paragraph."),)))
    before = replace(spoken, id="p-0", text="SECRETARY BLINKEN: Good afternoon.", speaker="Secretary Blinken")
    lines = hit_text(Hit(spoken, 0.7, 1), 1, context=[before, spoken]).splitlines()
    assert lines[1:5] == ["  Secretary Blinken:", "  | SECRETARY BLINKEN: Good afternoon.",
                          "  Foreign Minister Baerbock (via interpreter):", "  > We act. As the G7, we will play a central role."]
