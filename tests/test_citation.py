"""Text-fragment links and citations (index/answer/citation.py): each link is checked by a browser's matching,
simulated here apart from the module's own, on made-up pages, generated ones and real readouts."""
from __future__ import annotations

import dataclasses
import itertools
import json
import re
import unicodedata
from datetime import date
from urllib.parse import unquote

import pytest
from conftest import STATE_DEPT
from hypothesis import given, settings
from hypothesis import strategies as st

from index.answer.citation import STYLES, CitationStyle, cite, decode_fragment, fragment_url
from index.passage import Passage


@dataclasses.dataclass(frozen=True)
class SpokenPassage(Passage):
    """A passage with a speaker, as ingest marks transcripts' turns (until Passage carries the field)."""

    speaker: str | None = None


def spoken_by(passage: Passage, speaker: str) -> SpokenPassage:
    fields = {name: getattr(passage, name) for name in Passage.__dataclass_fields__ if name != "speaker"}
    return SpokenPassage(**fields, speaker=speaker)

URL = "https://www.state.gov/secretary-blinkens-call/"
ACCESSED = date(2026, 12, 1)


# A browser's matching, after the spec's "find a range from a text directive", written apart from the
# module's so that one checks the other.

def rendered(page_text: str) -> tuple[str, list[int]]:
    """The page's text as a browser renders it (whitespace collapsed, a newline between paragraphs)
    and each character's offset in page_text (-1 for a collapsed run of whitespace)."""
    chars: list[str] = []
    offsets: list[int] = []
    gap = ""
    for offset, char in enumerate(page_text):
        if char.isspace():
            gap += char
            continue
        if chars and gap:
            chars.append("\n" if gap.count("\n") >= 2 else " ")
            offsets.append(-1)
        gap = ""
        chars.append(char)
        offsets.append(offset)
    return "".join(chars), offsets


def fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFD", char)[0].casefold()[0] for char in text)


def in_word(char: str) -> bool:
    return char.isalnum() and unicodedata.east_asian_width(char) not in ("W", "F")


def boundary(text: str, at: int) -> bool:
    return at in (0, len(text)) or not (in_word(text[at - 1]) and in_word(text[at]))


def find(text: str, term: str, begin: int, start_bounded: bool, end_bounded: bool) -> tuple[int, int] | None:
    """First match of term at or after begin, case- and accent-insensitive, within one paragraph."""
    folded, query = fold(text), fold(term)
    for at in range(begin, len(text) - len(query) + 1):
        stop = at + len(query)
        if (folded[at:stop] == query and "\n" not in text[at:stop]
                and (boundary(text, at) or not start_bounded) and (boundary(text, stop) or not end_bounded)):
            return at, stop
    return None


def skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at].isspace():
        at += 1
    return at


def browser_span(url: str, page_text: str) -> tuple[int, int] | None:
    """The span of page_text a browser would highlight for the url's text directive, or None."""
    terms = decode_fragment(url)
    prefix, start, end, suffix = terms["prefix"], terms["start"], terms["end"], terms["suffix"]
    assert start
    text, offsets = rendered(page_text)
    search = 0
    while search < len(text):
        if prefix is not None:
            prefix_match = find(text, prefix, search, True, False)
            if prefix_match is None:
                return None
            search = prefix_match[0] + 1
            at = skip_space(text, prefix_match[1])
            match = find(text, start, at, False, end is not None or suffix is None)
            if match is None:
                return None
            if match[0] != at:
                continue
        else:
            match = find(text, start, search, True, end is not None or suffix is None)
            if match is None:
                return None
            search = match[0] + 1
        begin, finish = match
        while True:
            if end is not None:
                end_match = find(text, end, finish, True, suffix is None)
                if end_match is None:
                    return None
                finish = end_match[1]
            if suffix is None:
                return offsets[begin], offsets[finish - 1] + 1
            at = skip_space(text, finish)
            suffix_match = find(text, suffix, at, False, True)
            if suffix_match is None:
                return None
            if suffix_match[0] == at:
                return offsets[begin], offsets[finish - 1] + 1
            if end is None:
                break
    return None


def page_of(paragraphs: list[str]) -> tuple[str, list[int]]:
    """The paragraphs joined by blank lines, and where each starts."""
    starts = list(itertools.accumulate([0] + [len(p) + 2 for p in paragraphs[:-1]]))
    return "\n\n".join(paragraphs), starts


def resolves(paragraphs: list[str], index: int) -> tuple[str, tuple[int, int] | None, tuple[int, int]]:
    """The link to paragraph `index`, the span it highlights, and the paragraph's span."""
    page, starts = page_of(paragraphs)
    link = fragment_url(URL, paragraphs[index], page, starts[index])
    return link, browser_span(link, page), (starts[index], starts[index] + len(paragraphs[index]))


# Text fragments

def test_a_unique_short_passage_is_its_own_start() -> None:
    paragraphs = ["Secretary Blinken spoke with Foreign Minister Wang.", "They discussed trade."]
    link, span, expected = resolves(paragraphs, 1)
    assert link == URL + "#:~:text=They%20discussed%20trade."
    assert span == expected


def test_a_long_unique_passage_has_a_start_and_an_end_and_no_prefix() -> None:
    paragraphs = ["Readout.", "The Secretary and the Minister discussed energy security, climate change, and the war in Ukraine."]
    link, span, expected = resolves(paragraphs, 1)
    terms = decode_fragment(link)
    assert terms == {"prefix": None, "start": "The Secretary and the", "end": "the war in Ukraine.", "suffix": None}
    assert span == expected


def test_a_start_that_occurs_earlier_is_grown_until_the_browser_lands_on_the_passage() -> None:
    paragraphs = ["The Secretary and the Minister met in Rome today.",
                  "The Secretary and the Minister discussed energy security, climate change, and the war in Ukraine."]
    link, span, expected = resolves(paragraphs, 1)
    terms = decode_fragment(link)
    assert terms["prefix"] is None
    assert terms["start"] == "The Secretary and the Minister discussed"
    assert span == expected


def test_the_same_paragraph_twice_gets_a_prefix_for_the_given_occurrence() -> None:
    repeated = "The two sides agreed to stay in close touch on the crisis in the region and beyond."
    paragraphs = ["Opening remarks.", repeated, "The Secretary thanked the Minister.", repeated]
    link_first, span_first, expected_first = resolves(paragraphs, 1)
    link_second, span_second, expected_second = resolves(paragraphs, 3)
    assert decode_fragment(link_first)["prefix"] is None
    assert span_first == expected_first
    assert decode_fragment(link_second)["prefix"] == "Minister."
    assert span_second == expected_second


def test_without_start_the_first_occurrence_is_the_target() -> None:
    repeated = "Both welcomed the ceasefire."
    page = "\n\n".join(["Intro.", repeated, "More.", repeated])
    assert browser_span(fragment_url(URL, repeated, page), page) == (page.index(repeated), page.index(repeated) + len(repeated))


def test_a_repeat_after_the_same_paragraph_is_singled_out_by_a_suffix() -> None:
    paragraphs = ["Intro.", "Yes.", "Yes.", "Yes.", "End."]
    link, span, expected = resolves(paragraphs, 3)
    assert decode_fragment(link) == {"prefix": None, "start": "Yes.", "end": None, "suffix": "End."}
    assert span == expected


def test_a_passage_that_no_directive_can_single_out_links_to_its_first_copy() -> None:
    paragraphs = ["Yes.", "Yes.", "Yes."]
    page, starts = page_of(paragraphs)
    assert browser_span(fragment_url(URL, "Yes.", page, starts[2]), page) in {(starts[0], starts[0] + 4),
                                                                               (starts[1], starts[1] + 4)}


def test_terms_are_percent_encoded_dash_comma_ampersand_percent_space_quotes() -> None:
    text = "Talks – a U.S.-China “dialogue”, R&D, 50% cut"
    link = fragment_url(URL, text, "Intro.\n\n" + text)
    directive = link.split("#:~:text=")[1]
    assert directive == ("Talks%20%E2%80%93%20a%20U.S.%2DChina%20%E2%80%9Cdialogue%E2%80%9D%2C%20R%26D%2C%2050%25%20cut")
    assert unquote(directive) == text
    assert decode_fragment(link)["start"] == text


def test_chinese_terms_are_utf8_and_cut_by_characters() -> None:
    text = "双方就两国关系和共同关心的国际和地区问题深入交换了意见，同意保持密切沟通。"
    page = "外交部发言人表示。\n\n" + text
    link = fragment_url(URL, text, page)
    terms = decode_fragment(link)
    assert "%E5%8F%8C%E6%96%B9" in link  # 双方
    assert terms["start"] == text[:10] and terms["end"] == text[-10:]
    assert browser_span(link, page) == (page.index(text), len(page))


def test_whitespace_in_terms_is_collapsed() -> None:
    text = "The Secretary\n and   the Minister\tdiscussed trade and investment at length\nin Washington today."
    link = fragment_url(URL, text, text)
    terms = decode_fragment(link)
    assert terms["start"] == "The Secretary and the" and terms["end"] == "length in Washington today."
    assert browser_span(link, text) == (0, len(text))


def test_an_existing_fragment_is_kept_and_an_old_text_directive_replaced() -> None:
    text = "They discussed trade."
    assert fragment_url(URL + "#main", text, text) == URL + "#main:~:text=They%20discussed%20trade."
    replaced = fragment_url(URL + "#main:~:text=old", text, text)
    assert replaced == URL + "#main:~:text=They%20discussed%20trade."
    assert fragment_url(URL + "?id=3", text, text).startswith(URL + "?id=3#:~:text=")


def test_decoding_round_trips_each_term() -> None:
    link = URL + "#top:~:text=a%2Db-,c%2C%20d,e%26f,-g%25h"
    assert decode_fragment(link) == {"prefix": "a-b", "start": "c, d", "end": "e&f", "suffix": "g%h"}
    assert decode_fragment(URL) == {"prefix": None, "start": None, "end": None, "suffix": None}


def test_case_and_accents_count_as_the_same_text_for_uniqueness() -> None:
    paragraphs = ["the secretary met the minister in Pécs.", "The Secretary met the Minister in Pecs."]
    link, span, expected = resolves(paragraphs, 1)
    assert decode_fragment(link)["prefix"] == "Pécs."
    assert span == expected


def test_text_not_on_the_page_is_refused() -> None:
    with pytest.raises(ValueError):
        fragment_url(URL, "absent", "present")


VOCABULARY = ["the", "The", "talks", "peace", "U.S.-led", "and", "Blinken", "café", "cafe", "50%"]


def all_directives(paragraphs: list[str], index: int) -> list[str]:
    """Every directive made of whole words: prefix from the paragraph before, start and end from the
    paragraph, suffix from the one after (what a browser could match)."""
    words = paragraphs[index].split()
    before = paragraphs[index - 1].split() if index else []
    after = paragraphs[index + 1].split() if index + 1 < len(paragraphs) else []
    prefixes = [None] + [" ".join(before[-n:]) for n in range(1, len(before) + 1)]
    suffixes = [None] + [" ".join(after[:n]) for n in range(1, len(after) + 1)]
    shapes = [(" ".join(words), None)] + [(" ".join(words[:s]), " ".join(words[len(words) - e:]))
                                          for s in range(1, len(words)) for e in range(1, len(words) - s + 1)]
    enc = lambda term: term.replace("%", "%25").replace("-", "%2D").replace(",", "%2C").replace(" ", "%20")
    return [URL + "#:~:text=" + ",".join(([enc(p) + "-"] if p else []) + [enc(s)] + ([enc(e)] if e else [])
                                          + (["-" + enc(x)] if x else []))
            for p in prefixes for s, e in shapes for x in suffixes]


paragraph = st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=10).flatmap(
    lambda words: st.lists(st.sampled_from([" ", " ", "  ", "\n"]), min_size=len(words) - 1, max_size=len(words) - 1)
    .map(lambda gaps: "".join(w + g for w, g in zip(words, gaps)) + words[-1]))


@settings(max_examples=200, deadline=None)
@given(st.lists(paragraph, min_size=1, max_size=6))
def test_every_paragraph_link_resolves_to_that_paragraph(paragraphs: list[str]) -> None:
    page, starts = page_of(paragraphs)
    for index, text in enumerate(paragraphs):
        link = fragment_url(URL, text, page, starts[index])
        terms = decode_fragment(link)
        # Words as a browser compares them: a link to another copy of the words may differ in case.
        words, before, after = fold(text).split(), fold(page[:starts[index]]).split(), fold(page[starts[index] + len(text):]).split()
        start, end, prefix, suffix = (fold(terms[key] or "").split() for key in ("start", "end", "prefix", "suffix"))
        assert start and words[:len(start)] == start
        assert words[len(words) - len(end):] == end if end else terms["end"] is None
        assert before[len(before) - len(prefix):] == prefix if prefix else terms["prefix"] is None
        assert after[:len(suffix)] == suffix if suffix else terms["suffix"] is None
        span = browser_span(link, page)
        expected = (starts[index], starts[index] + len(text))
        if span != expected:
            # Only where no directive at all singles the paragraph out; then the same words elsewhere.
            assert all(browser_span(other, page) != expected for other in all_directives(paragraphs, index))
            assert span is not None and fold(" ".join(page[span[0]:span[1]].split())) == fold(" ".join(words))


def state_dept_passages(limit: int) -> list[tuple[str, list[Passage]]]:
    """A few real readouts (the tests' own, tests/corpus/): their text, and their paragraphs as passages."""
    records = [json.loads(line) for line in (STATE_DEPT / "metadata.jsonl").read_text().splitlines() if line]
    readouts = []
    for record in records[::len(records) // limit][:limit]:
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", (STATE_DEPT / record["file"]).read_text()) if p.strip()]
        passages = [Passage(f"{record['file']}#{n}", record["file"], text, record["title"], record["source"],
                            record["date"], record["url"], n) for n, text in enumerate(paragraphs, 1)]
        readouts.append(("\n\n".join(paragraphs), passages))
    return readouts


def test_real_readouts_every_paragraph_link_resolves_to_it() -> None:
    readouts = state_dept_passages(8)
    assert sum(len(passages) for _, passages in readouts) > 30
    for page, passages in readouts:
        offset = 0
        for passage in passages:
            start = page.index(passage.text, offset)
            offset = start + len(passage.text)
            assert passage.url
            link = fragment_url(passage.url, passage.text, page, start)
            assert link.startswith("https://www.state.gov/") and "#:~:text=" in link
            assert browser_span(link, page) == (start, start + len(passage.text)), (passage.doc, passage.paragraph)


# Citations

PASSAGE = Passage("p1", "state_2021-05-21_abbas.txt",
                  "Secretary of State Antony J. Blinken spoke today with Palestinian Authority President Mahmoud Abbas.\n"
                  "The Secretary and President welcomed the ceasefire and discussed measures to ensure that it holds.",
                  "Secretary Blinken’s Call with Palestinian Authority President Abbas", "U.S. Department of State",
                  "2021-05-21", "https://www.state.gov/secretary-blinkens-call-with-palestinian-authority-president-abbas-2/", 4)
QUOTE = ("“Secretary of State Antony J. Blinken spoke today with Palestinian Authority President Mahmoud Abbas. "
         "The Secretary and President welcomed the ceasefire and discussed measures to ensure that it holds.”")


def test_plain_citation_layout() -> None:
    assert cite(PASSAGE, "plain", accessed=ACCESSED) == (
        f"{QUOTE} — U.S. Department of State, “Secretary Blinken’s Call with Palestinian Authority President Abbas”, "
        f"May 21, 2021. {PASSAGE.url} (accessed December 1, 2026)")


def test_plain_citation_names_the_speaker_before_the_quote_and_in_the_reference() -> None:
    spoken = spoken_by(PASSAGE, "Foreign Minister Baerbock (via interpreter)")
    assert cite(spoken, "plain", accessed=ACCESSED) == (
        f"Foreign Minister Baerbock (via interpreter): {QUOTE} — U.S. Department of State, "
        f"“Secretary Blinken’s Call with Palestinian Authority President Abbas”, May 21, 2021. {PASSAGE.url} "
        "(accessed December 1, 2026)")
    assert cite(spoken, "plain", accessed=ACCESSED, quoted=False) == (
        "Foreign Minister Baerbock (via interpreter), in: U.S. Department of State, "
        f"“Secretary Blinken’s Call with Palestinian Authority President Abbas”, May 21, 2021. {PASSAGE.url} "
        "(accessed December 1, 2026)")


def test_a_csl_citation_is_the_styles_reference_then_the_quote() -> None:
    reference = cite(PASSAGE, "chicago-notes", accessed=ACCESSED, quoted=False)
    assert cite(PASSAGE, "chicago-notes", accessed=ACCESSED) == f"{reference} Quoted: {QUOTE}"
    assert reference.startswith("U.S. Department of State, “Secretary Blinken’s Call with Palestinian Authority")


@pytest.mark.parametrize("style", STYLES)
def test_each_style_holds_what_a_citation_needs(style: CitationStyle) -> None:
    link = URL + "#:~:text=Secretary%20of%20State"
    text = cite(PASSAGE, style, accessed=ACCESSED, link=link, quote="welcomed the ceasefire")
    for part in ["U.S. Department of State", "Secretary Blinken’s Call with Palestinian Authority President Abbas",
                 "2021", link, "“welcomed the ceasefire”"]:
        assert part in text
    assert PASSAGE.url and PASSAGE.url not in text.replace(link, "") and "\n" not in text


@pytest.mark.parametrize("style", [s for s in STYLES if s != "mla"])  # MLA leaves an undated page undated
def test_no_date_is_said_and_no_url_no_link(style: CitationStyle) -> None:
    bare = Passage("p", "d", "They met.", "Readout?", "Ministry of Foreign Affairs.", None, None, 1)
    text = cite(bare, style, accessed=ACCESSED)
    assert ("n.d." in text or "no date" in text) and "http" not in text
    assert "“They met.”" in text


@pytest.mark.parametrize(("name", "style"), [("plain", "plain"), ("APA", "apa"), ("Chicago notes", "chicago-notes"),
                                             ("chicago_author_date", "chicago-author-date"), ("Harvard", "harvard"),
                                             ("chicago", "chicago-notes"), ("MLA", "mla"), ("vancouver", None),
                                             ("", None), (None, None)])
def test_a_style_is_found_by_its_key_its_name_or_an_earlier_versions(name: str | None, style: str | None) -> None:
    from index.answer.citation import style_named

    assert style_named(name) == style


def test_a_passage_link_counts_the_pages_heading_so_a_lead_that_repeats_the_title_is_still_found() -> None:
    from index.answer.citation import passage_link

    title = "Special Presidential Envoy for Climate John Kerry Meetings in Moscow, Russia"
    texts = ["Special Presidential Envoy for Climate John Kerry met with Russian officials in Moscow on July 12, "
             "and discussed cooperation ahead of COP26 in Glasgow, UK.",
             "The Special Envoy also met with the Foreign Minister to discuss the climate crisis."]
    document = [Passage(f"0123456789ab-{n}", "d", text, title, "U.S. Department of State", "2021-07-14",
                        "https://www.state.gov/kerry-moscow/", n) for n, text in enumerate(texts, 1)]
    page = "\n\n".join([title, *texts])
    for passage in document:
        link = passage_link(passage, document)
        assert link is not None and link.startswith("https://www.state.gov/kerry-moscow/#:~:text=")
        start = page.index(passage.text)
        assert browser_span(link, page) == (start, start + len(passage.text))
    assert passage_link(Passage("0123456789ab-1", "d", "x", "t", "s", None, None, 1), document[:1]) is None


@pytest.mark.parametrize("style", STYLES)
def test_a_reference_is_the_citation_without_its_quote(style: CitationStyle) -> None:
    whole = cite(PASSAGE, style, accessed=ACCESSED)
    reference = cite(PASSAGE, style, accessed=ACCESSED, quoted=False)
    assert PASSAGE.text not in reference and "“" + PASSAGE.text not in reference and "Quoted" not in reference
    for part in (PASSAGE.source, PASSAGE.url or ""):
        assert part in reference and part in whole
    assert len(reference) < len(whole) and " ".join(PASSAGE.text.split()) in whole


@pytest.mark.parametrize("style", STYLES)
def test_a_citation_and_its_reference_name_the_speaker_of_a_transcript(style: CitationStyle) -> None:
    from dataclasses import replace

    spoken = replace(PASSAGE, speaker="Foreign Minister Di Maio")
    whole = cite(spoken, style, accessed=ACCESSED)
    reference = cite(spoken, style, accessed=ACCESSED, quoted=False)
    assert "Di Maio" in whole and "Di Maio" in reference
    assert "Di Maio" not in cite(PASSAGE, style, accessed=ACCESSED)
