from pathlib import Path

import pytest

from index.ingest.corpus import read_text
from index.ingest.documents import parse_document, recurring_lines, sentence_spans

SEED_FACTS = {
    "000_6c010af11ceaee2d.txt": ("Wang Yi Meets with Foreign Minister Taro Kono of Japan", "2017-09-21", None),
    "001_12e88075bd230fa7.txt": ("Wang Yi Holds Telephone Talks with Foreign Minister Taro Kono of Japan", "2017-09-01", None),
    "002_97bc6a86a9d677fe.txt": ("17th China-Japan security dialogue addresses issues of common concern", None, None),
    "003_17c4431262099e76.txt": ("Wang: China, Japan bear shared responsibility of all-round progress in ties", "2024-09-24", "Xinhua"),
    "004_928d3c2fc4727297.txt": (
        "China's top diplomat calls for joint work to promote stable, lasting China-Japan ties", "2024-12-04", "Xinhua"),
}
FURNITURE = ["Suggest to a", "Print", "Search Trends", "ALSO READ", "READ MORE", "PHOTO", "Home", "China News",
             "By Xinhua", "Published:", "2017-09-01 09:39", "December 05, 2024"]


@pytest.fixture(scope="module")
def seeds(seeds_dir: Path):
    return {path.name: parse_document(path, read_text(path)) for path in sorted(seeds_dir.glob("*.txt"))}


@pytest.mark.parametrize("name", sorted(SEED_FACTS))
def test_seed_title_date_source(seeds, name: str) -> None:
    title, date, source = SEED_FACTS[name]
    document = seeds[name]
    assert (document.title, document.date) == (title, date)
    # Without a named publisher the source is the file name: honest, never invented.
    assert document.source == (source or name)
    assert document.url is None


def test_every_passage_is_verbatim_and_free_of_furniture(seeds) -> None:
    for document in seeds.values():
        assert document.passages, document.name
        for passage in document.passages:
            assert passage.text in document.text
            assert passage.text == passage.text.strip()
            for furniture in FURNITURE:
                assert furniture not in passage.text, (document.name, passage.paragraph, furniture)
            assert passage.text != document.title


def test_subheadings_are_not_passages(seeds) -> None:
    texts = [passage.text for passage in seeds["002_97bc6a86a9d677fe.txt"].passages]
    assert "China urges Japan to correct wrongdoings" not in texts
    assert "Rejecting confrontation and division" not in texts
    assert any(text.startswith("China urged the Japanese side to correct its wrongdoings") for text in texts)


def test_passages_keep_document_order_and_citation(seeds) -> None:
    document = seeds["003_17c4431262099e76.txt"]
    assert [p.paragraph for p in document.passages] == list(range(1, len(document.passages) + 1))
    offsets = [document.text.index(p.text) for p in document.passages]
    assert offsets == sorted(offsets)
    assert {(p.title, p.source, p.date, p.doc) for p in document.passages} == {
        (document.title, "Xinhua", "2024-09-24", "003_17c4431262099e76.txt")}
    assert len({p.id for p in document.passages}) == len(document.passages)


def test_long_paragraph_is_split_at_sentence_boundaries(embedder, seeds) -> None:
    sentences = [
        "The U.S. Secretary met Mr. Kono on Dec. 4 in Washington to discuss the situation on the Korean Peninsula.",
        "Both sides agreed that dialogue and consultation remain the only way to resolve the issue peacefully.",
        "They also exchanged views on trade, supply chains, climate change and people-to-people exchanges.",
    ]
    paragraph = " ".join(sentences * 12)
    text = f"A long readout\n\n{paragraph}\n\nA closing paragraph that is long enough to count as a passage here.\n"
    document = parse_document(Path("long.txt"), text, count_tokens=embedder.count_tokens)
    chunks = [p.text for p in document.passages if p.text in paragraph]
    assert len(chunks) > 1
    assert " ".join(chunks) == paragraph
    for chunk in chunks:
        assert embedder.count_tokens(chunk) <= 256
        assert chunk.startswith("The U.S. Secretary") or chunk.startswith("Both") or chunk.startswith("They")
        assert chunk.endswith(".")


def test_sentence_spans_respect_abbreviations() -> None:
    text = "The U.S. side met Mr. Wang on Dec. 4. They agreed. 中国支持对话。日本表示赞同。"
    spans = [text[a:b] for a, b in sentence_spans(text, 0, len(text))]
    assert spans == ["The U.S. side met Mr. Wang on Dec. 4.", "They agreed.", "中国支持对话。", "日本表示赞同。"]


def test_front_matter_and_markdown_title() -> None:
    text = ("---\ntitle: Talks in Tokyo\ndate: 2023-04-02\nsource: Kyodo\nurl: https://example.org/a\n---\n"
            "# Heading that is not the title\n\nThe two foreign ministers met in Tokyo and discussed maritime security.\n")
    document = parse_document(Path("a.md"), text)
    assert (document.title, document.date, document.source, document.url) == (
        "Talks in Tokyo", "2023-04-02", "Kyodo", "https://example.org/a")
    assert [p.text for p in document.passages] == [
        "The two foreign ministers met in Tokyo and discussed maritime security."]


def test_lines_recurring_across_a_corpus_are_dropped() -> None:
    footer = "Office of the Spokesperson"
    attribution = "The below is attributable to Spokesperson Ned Price, and it is long enough to be a passage:"
    texts = [f"Title {n}\n\n{footer}\n\n{attribution}\n\nSecretary Blinken spoke with minister number {n} about the "
             f"situation in the region and the way ahead for both countries.\n" for n in range(20)]
    boilerplate = recurring_lines(texts)
    document = parse_document(Path("t.txt"), texts[0], boilerplate=boilerplate)
    assert [p.text for p in document.passages] == [texts[0].split("\n\n")[3].strip()]
    # A title shared by many documents is still each one's title, not furniture.
    assert parse_document(Path("t.txt"), "Same Title\n\nBody text of one readout that is long enough to keep.\n",
                          boilerplate=recurring_lines(["Same Title\n\nx y z"] * 10)).title == "Same Title"


def test_a_document_of_fragments_has_no_passages() -> None:
    assert parse_document(Path("x.txt"), "Title\n\nPrint\n\nShare\n\nThank you.\n").passages == ()


def test_a_sentence_longer_than_the_model_reads_is_cut_between_words(embedder) -> None:
    countries = ", ".join(f"the Republic of Country{n}" for n in range(120))
    text = f"Food security roadmap\n\nAs of today, it is endorsed by {countries}.\n"
    document = parse_document(Path("list.txt"), text, count_tokens=embedder.count_tokens)
    assert len(document.passages) > 1
    assert " ".join(p.text for p in document.passages) == text.split("\n\n")[1].strip()
    assert all(embedder.count_tokens(p.embedding_text) <= 256 for p in document.passages)


def test_a_chinese_readout_keeps_its_paragraphs_date_and_source() -> None:
    text = ("王毅会见日本外相上川阳子\n\n新华社纽约9月23日电\n\n"
            "2024年9月23日，中共中央政治局委员、外交部长王毅在纽约会见日本外相上川阳子。\n\n"
            "王毅表示，中方坚决反对日本福岛核污染水排海，日方应信守承诺，接受长期国际监测。\n\n"
            "来源：新华社\n")
    document = parse_document(Path("zh.txt"), text)
    assert (document.title, document.date, document.source) == ("王毅会见日本外相上川阳子", "2024-09-23", "新华社")
    texts = [p.text for p in document.passages]
    assert texts[-1].startswith("王毅表示") and all(t in text for t in texts)
    assert not any("来源" in t for t in texts)


TRANSCRIPT = """Secretary Blinken At a Meeting with a Congressional Delegation

Antony J. Blinken, Secretary of State

Rzeszow, Poland

Hotel Bristol

SECRETARY BLINKEN: Well, greetings, everyone. I am particularly pleased to be here with friends from the Congress today.

CHAIRMAN MEEKS: Thank you.

CHAIRMAN MEEKS: We completely filled our plane, because we wanted to say thank you to the Polish people for all they do.
"""


def test_the_short_lines_before_a_paragraph_are_its_heading_searched_not_quoted() -> None:
    document = parse_document(Path("remarks.txt"), TRANSCRIPT)
    first, second = document.passages
    assert first.heading == "Antony J. Blinken, Secretary of State · Rzeszow, Poland · Hotel Bristol"
    assert "Rzeszow" not in first.text  # quoted verbatim; searched by its place (test_lexical)
    assert second.heading == "CHAIRMAN MEEKS: Thank you."
    assert all(passage.text in TRANSCRIPT for passage in document.passages)


def test_a_heading_is_the_text_between_a_passage_and_the_one_before(seeds) -> None:
    headed = 0
    for document in seeds.values():
        at = 0
        for passage in document.passages:
            start = document.text.index(passage.text, at)
            between = " ".join(document.text[at:start].split())
            if passage.heading is not None:
                headed += 1
                assert all(part in between for part in passage.heading.split(" · "))
            at = start + len(passage.text)
    assert headed  # the seeds' bylines and datelines
