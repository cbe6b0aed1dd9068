from dataclasses import replace

from index.answer.plain import NOTHING_FOUND, answer_text, citation, missing_note
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
    near = answer_text(Answer("q", (), related=(hit("Almost it."),)))
    assert near.index(NOTHING_FOUND) < near.index("Related passages, not an answer:") < near.index("Almost it.")


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


def test_names_with_a_newline_or_esc_stay_on_their_line() -> None:
    """A source or document named after a file whose name holds a newline or an ESC (the battery of issue 26:
    `readouts ask` printed "also: new" and "line.txt" on two lines): every name escaped onto its own line."""
    from dataclasses import replace

    from index.answer.plain import hit_text

    named = replace(hit("The ministers met.").passage, doc="new\nline.txt", source="new\nline.txt",
                    title="Talks\x1b[31m red", url="http://example.org/a\nb")
    also = replace(named, id="p-2", source="esc\x1b[2Jclear.txt", date=None, url=None)
    text = hit_text(Hit(named, 0.7, 1, also=(also,)), 1, detail=True)
    assert "\x1b" not in text and "\r" not in text
    assert text.splitlines() == [
        "[1] score 0.70 · new\\x0aline.txt ¶1",
        "  > The ministers met.",
        "  — Talks\\x1b[31m red",
        "    new\\x0aline.txt, 2024-09-24 · http://example.org/a\\x0ab",
        "    also: esc\\x1b[2Jclear.txt, date unknown",
    ]


def test_a_first_paragraph_is_cited_with_the_place_above_it() -> None:
    first = Passage("r-1", "remarks.txt", "Well, greetings, everyone.", "Remarks", "U.S. Department of State",
                    "2022-03-05", None, 1, heading="Rzeszow, Poland · Hotel Bristol")
    second = replace(first, id="r-2", paragraph=2, heading="STAFF: Thanks, guys.")
    assert "\n    Rzeszow, Poland · Hotel Bristol\n" in citation(first)
    assert "STAFF" not in citation(second)
