"""Who speaks in each passage, read at ingest (index/text/turns.py): labels carried forward, a press
conference's spokesperson from its title, questions kept apart from answers; over made-up transcripts,
the seeds, and real State Department transcripts and MFA pages (tests/corpus/)."""
from __future__ import annotations

from pathlib import Path

from index.ingest.corpus import load_corpus
from index.ingest.documents import Document, parse_document
from index.passage import Passage
from index.text.turns import is_question, passage_speaker, speakers, spokesperson, title_case, voices

BAERBOCK = "state_2022-06-24_secretary-antony-j-blinken-and-german-foreign-minister-annalena-baerbo.txt"
D_ISIS = "state_2021-06-28_secretary-antony-j-blinken-opening-remarks-at-d-isis-meeting-opening-s.txt"


def plain(*texts: str) -> list[tuple[str, float]]:
    return [(text, 0.0) for text in texts]


def document(folder: Path, name: str) -> Document:
    [found] = load_corpus([folder / name]).documents
    return found


def passage_with(doc: Document, words: str) -> Passage:
    [found] = [p for p in doc.passages if words in p.text]
    return found


# Labels, one paragraph at a time


def test_a_label_in_capitals_speaks_until_the_next_with_its_interpreter() -> None:
    paragraphs = plain("Antony J. Blinken, Secretary of State",
                       "FOREIGN MINISTER BAERBOCK: (Via interpreter) Ladies and gentlemen, Tony.",
                       "We act. As the G7, we will play a central role.",
                       "SECRETARY BLINKEN: Good afternoon, everyone.",
                       "As the foreign minister said, we focused on Ukraine.",
                       "MODERATOR: Next question.",
                       "QUESTION: Thank you. What about grain?",
                       "MR PRICE: Thanks.")
    assert speakers(paragraphs, "Blinken and Baerbock Before Their Meeting") == [
        None, "Foreign Minister Baerbock (via interpreter)", "Foreign Minister Baerbock (via interpreter)",
        "Secretary Blinken", "Secretary Blinken", "Moderator", "Question", "Mr Price"]


def test_an_interpreter_note_may_open_a_paragraph_and_in_english_ends_it() -> None:
    paragraphs = plain("SECRETARY BLINKEN: (Via translation) Mr. President, thank you.",
                       "(In English) But in any event, it is wonderful to be back.",
                       "FOREIGN MINISTER HUSSEIN: Thank you very much.",
                       "(Via interpreter) Thank you, my dear friend Tony.")
    assert speakers(paragraphs, "") == ["Secretary Blinken (via translation)", "Secretary Blinken",
                                        "Foreign Minister Hussein", "Foreign Minister Hussein (via interpreter)"]


def test_an_interpreter_note_within_a_paragraph_or_after_another_note_switches_the_turn() -> None:
    paragraphs = plain("FOREIGN MINISTER DI MAIO: Thank you. Welcome to Italy. (Via interpreter) I'm delighted to welcome "
                       "you here to Rome, to the ministerial meeting of the Global Coalition to Defeat ISIS.",
                       "Given the growing threat stemming from Daesh in Africa, I would like to propose a working group.",
                       "FOREIGN MINISTER HAYASHI: (In Japanese) (Via interpreter) So as a solution, cooperation.",
                       "As I have mentioned, cooperation between U.S., ROK, and Japan is essential.",
                       "SECRETARY BLINKEN: Thank you all for coming to this meeting today, and thanks to our "
                       "hosts for everything. (Via translation) Merci.",
                       "Merci beaucoup.")
    assert speakers(paragraphs, "") == [
        "Foreign Minister Di Maio (via interpreter)", "Foreign Minister Di Maio (via interpreter)",
        "Foreign Minister Hayashi (via interpreter)", "Foreign Minister Hayashi (via interpreter)",
        # a note late in a paragraph leaves its words the speaker's own, and the next paragraph the interpreter's
        "Secretary Blinken", "Secretary Blinken (via translation)"]


def test_names_in_capitals_are_written_as_readers_write_them() -> None:
    assert title_case("FOREIGN MINISTER DI MAIO") == "Foreign Minister Di Maio"
    assert title_case("PRESIDENT VON DER LEYEN") == "President von der Leyen"
    assert title_case("RANKING MEMBER MCCAUL") == "Ranking Member McCaul"
    assert title_case("DEPUTY PRIME MINISTER AL-THANI") == "Deputy Prime Minister Al-Thani"
    assert title_case("FOREIGN MINISTER ÇAVUŞOĞLU") == "Foreign Minister Çavuşoğlu"


def test_a_narrative_readout_has_no_speaker_even_where_a_line_has_a_colon() -> None:
    paragraphs = plain("Secretary Blinken spoke today with Foreign Minister Kuleba.",
                       "NOTE: this readout was updated.",
                       "Begin Text:",
                       "The Secretary reaffirmed: support for Ukraine is unwavering.",
                       "ALSO READ: Wang meets delegation",
                       "Transparency: both sides agreed to share data.")
    assert speakers(paragraphs, "Secretary Blinken’s Call with Ukrainian Foreign Minister Kuleba") == [None] * 6


def test_a_press_conference_gives_its_answers_and_announcements_to_its_spokesperson() -> None:
    title = "Foreign Ministry Spokesperson Hua Chunying's Regular Press Conference on June 9, 2020"
    paragraphs = plain("State Councilor Wang Yi will visit Laos.",
                       "Q: Can you confirm the visit?",
                       "A: I have just announced it.",
                       "We hope it goes well.",
                       "Reuters: Will the talks cover trade?",
                       "A: Yes.",
                       "AFP: Any comment on the report.",
                       "Hua Chunying: We have noted it.",
                       "Follow-up: And the tariffs?",
                       "A: I have answered that.")
    spoken = "Foreign Ministry Spokesperson Hua Chunying"
    assert speakers(paragraphs, title) == [spoken, "Question", spoken, spoken, "Question (Reuters)", spoken,
                                           "Question (AFP)", spoken, "Question (follow-up)", spoken]


def test_the_chinese_labels_and_the_spokesperson_of_the_chinese_title() -> None:
    title = "2017年3月13日外交部发言人华春莹主持例行记者会"
    paragraphs = plain("问：中方对此有何评论？", "答：我们注意到有关报道。", "路透社记者：中方是否会回应？",
                       "答：中方的立场是一贯的。", "追问：还有什么补充？", "华春莹：没有了。", "首先向大家通报一组数字：今天有三起。")
    spoken = "外交部发言人华春莹"
    assert speakers(paragraphs, title) == ["问", spoken, "问（路透社记者）", spoken, "问（追问）", spoken, spoken]


def test_where_questions_are_bold_the_plain_paragraph_after_one_is_its_answer() -> None:
    title = "Foreign Ministry Spokesperson Geng Shuang's Regular Press Conference on January 21, 2020"
    paragraphs = [("Q: Is China sending representatives?", 1.0), ("We are in close touch with the WHO.", 0.0),
                  ("China Daily: What is your comment?", 1.0), ("It is still being studied.", 1.0),
                  ("A: We note it.", 0.0), ("Hua Chunying: Good afternoon, friends from the press.", 0.0)]
    spoken = "Foreign Ministry Spokesperson Geng Shuang"
    assert speakers(paragraphs, title) == [
        "Question", spoken, "Question (China Daily)", "Question (China Daily)", spoken, "Hua Chunying"]


def test_outlets_in_plain_text_ask_by_their_question_or_the_answer_after_them() -> None:
    paragraphs = plain("CCTV: Please give us an update on the talks.", "A: They went well.",
                       "Our position is very clear: we oppose it.", "The Paper: Is there more?", "A: No.")
    assert speakers(paragraphs, "Press conference") == [
        "Question (CCTV)", "Answer", "Answer", "Question (The Paper)", "Answer"]


def test_a_spokesperson_is_read_only_from_the_title_of_what_they_say() -> None:
    assert spokesperson("Foreign Ministry Spokesperson Geng Shuang's Daily Briefing Online on February 11, 2020") \
        .title == "Foreign Ministry Spokesperson Geng Shuang"  # type: ignore[union-attr]
    assert spokesperson("Foreign Ministry Spokesperson's Remarks on the G7").title == "Foreign Ministry Spokesperson"  # type: ignore[union-attr]
    assert spokesperson("外交部发言人陆慷就七国集团峰会联合公报涉及东海、南海问题答记者问").title == "外交部发言人陆慷"  # type: ignore[union-attr]
    assert spokesperson("外交部发言人就全国人大常委会审议通过香港国安法发表谈话").title == "外交部发言人"  # type: ignore[union-attr]
    assert spokesperson("Secretary Blinken’s Meeting with Spokesperson Smith of the Council") is None
    assert spokesperson("Wang Yi Meets with Foreign Minister Taro Kono of Japan") is None


def test_a_passage_names_each_turn_it_holds_and_questions_are_no_ones_words() -> None:
    spoken = "Foreign Ministry Spokesperson Hua Chunying"
    both = passage_speaker(["Question (CCTV)", spoken, spoken])
    assert both == f"Question (CCTV), answered by {spoken}" and is_question(both) and voices(both) == [spoken]
    assert passage_speaker(["问（路透社记者）", "外交部发言人华春莹"]) == "问（路透社记者），外交部发言人华春莹答"
    assert voices("问（路透社记者），外交部发言人华春莹答") == ["外交部发言人华春莹"]
    assert passage_speaker(["Question"]) == "Question" and voices("Question") == []
    assert passage_speaker([None, "Secretary Blinken"]) == "Secretary Blinken"
    assert passage_speaker(["Moderator", "Secretary Blinken"]) == "Moderator; Secretary Blinken"
    assert voices("Moderator; Secretary Blinken") == ["Moderator", "Secretary Blinken"]
    assert passage_speaker([None, None]) is None


# Documents


def test_the_label_stays_in_the_quoted_text_and_a_long_turn_keeps_its_speaker() -> None:
    long_turn = " ".join(f"Sentence number {n} of a long answer about grain." for n in range(60))
    text = (f"Remarks\n\nSECRETARY BLINKEN: {long_turn}\n\nQUESTION: And what will Russia do about the grain now?\n\n"
            "FOREIGN MINISTER KULEBA: Russia will go on blocking the ports until it is stopped.\n")
    doc = parse_document(Path("remarks.txt"), text)
    assert len(doc.passages) >= 3 and doc.passages[0].text.startswith("SECRETARY BLINKEN: Sentence number 0")
    assert {p.speaker for p in doc.passages if "long answer" in p.text} == {"Secretary Blinken"}
    assert [p.speaker for p in doc.passages[-2:]] == ["Question", "Foreign Minister Kuleba"]
    assert all(p.text in text for p in doc.passages)


def test_the_seeds_are_narrative_readouts_without_speakers(seeds_dir: Path) -> None:
    passages = [p for d in load_corpus([seeds_dir]).documents for p in d.passages]
    assert len(passages) > 30 and all(p.speaker is None for p in passages)


def test_baerbocks_turn_through_her_interpreter_is_hers_not_the_titles_secretary(tests_corpus: Path) -> None:
    doc = document(tests_corpus / "state-dept", BAERBOCK)
    g7 = passage_with(doc, "We act. As the G7")
    assert g7.speaker == "Foreign Minister Baerbock (via interpreter)"
    opening = passage_with(doc, "Ladies and gentlemen, Tony")
    assert opening.text.startswith("FOREIGN MINISTER BAERBOCK: (Via interpreter)") and opening.speaker == g7.speaker
    assert passage_with(doc, "As the foreign minister said, we focused intensely").speaker == "Secretary Blinken"
    assert all(p.speaker in (g7.speaker, "Secretary Blinken") for p in doc.passages)


def test_di_maios_proposal_is_his_though_the_title_names_only_blinken(tests_corpus: Path) -> None:
    doc = document(tests_corpus / "state-dept", D_ISIS)
    assert "Di Maio" not in doc.title
    # he welcomes them in English, then speaks through his interpreter: "Welcome to Italy. (Via interpreter) I'm delighted"
    assert passage_with(doc, "Given the growing threat stemming from Daesh in Africa").speaker == \
        "Foreign Minister Di Maio (via interpreter)"
    assert passage_with(doc, "Since this coalition was created in 2014").speaker == "Secretary Blinken"


def test_an_mfa_answer_is_the_spokesperson_of_that_day_and_a_question_a_question(tests_corpus: Path) -> None:
    pages = {d.name: d for d in load_corpus([tests_corpus / "fmprc" / "en"]).documents}
    for name, person in (("t1559310.html", "Lu Kang"), ("t1787390.html", "Hua Chunying"),
                         ("t1734624.html", "Geng Shuang")):
        page = pages[name]
        assert person in page.title
        spoken = f"Foreign Ministry Spokesperson {person}"
        for p in page.passages:
            assert p.speaker is not None
            lines = p.text.splitlines()
            if lines[0].startswith(("Q:", "CCTV:", "Reuters:", "Beijing Daily:")):
                assert is_question(p.speaker), (name, p.paragraph)
            if any(line.startswith("A:") for line in lines) or not is_question(p.speaker):
                assert voices(p.speaker) == [spoken], (name, p.paragraph, p.speaker)
    assert pages["t1559310.html"].passages[0].speaker == "Foreign Ministry Spokesperson Lu Kang"  # the announcement
    hua = pages["t1787390.html"]
    assert passage_with(hua, "CCTV: In a video statement").speaker == \
        "Question (CCTV), answered by Foreign Ministry Spokesperson Hua Chunying"
    assert passage_with(hua, "Beijing Daily: Politico reported").speaker == "Question (Beijing Daily)"
    geng = pages["t1734624.html"]  # an answer printed without "A:" after its bold question
    assert passage_with(geng, "China will continue to deepen international cooperation").speaker == \
        "Foreign Ministry Spokesperson Geng Shuang"
