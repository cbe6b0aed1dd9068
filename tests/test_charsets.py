"""Bytes → text for files and pages alike: BOMs, declared charsets (HTTP header, <meta>), detection
believed only when unambiguous. A quote in the wrong charset is not verbatim, so every case checks the
exact words."""
from __future__ import annotations

import codecs
import functools
import html
from pathlib import Path

import httpx
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from index.ingest.charsets import Undecodable, decode, header_charset, markup_charset
from index.ingest.corpus import load_corpus
from index.ingest.sources.html import clean, extract, parse_html
from index.ingest.sources.web import Fetcher, fetch_documents

FRENCH = "Les deux ministres ont réaffirmé leur volonté de coopération économique « sans réserve » et ont salué l'accord."
JAPANESE = "外務大臣は、日中関係の重要性を強調し、今後も緊密に意思疎通を図っていくことで一致しました。"
CHINESE = "双方就共同关心的国际和地区问题交换了意见，同意继续加强沟通合作，推动两国关系健康稳定发展。"
RUSSIAN = "Министры обсудили вопросы двустороннего сотрудничества и договорились продолжить диалог."


def page(text: str, head: str = "") -> str:
    return (f"<!doctype html><html><head>{head}<title>Foreign ministers meet</title></head><body><article>"
            f"<h1>Foreign ministers meet</h1><p>{html.escape(text)}</p></article></body></html>")


def paragraphs(data: bytes, charset: str | None = None) -> list[str]:
    return [p.text for p in extract(data, None, charset).paragraphs]


@pytest.mark.parametrize("text, charset, head", [
    (FRENCH, "iso-8859-1", '<meta charset="iso-8859-1">'),
    (FRENCH, "latin1", '<meta http-equiv="Content-Type" content="text/html; charset=latin1">'),
    (JAPANESE, "shift_jis", '<meta charset="Shift_JIS">'),
    (CHINESE, "gb2312", '<meta http-equiv="content-type" content="text/html;charset=gb2312" />'),
    (RUSSIAN, "cp1251", '<meta charset="windows-1251">'),
])
def test_a_page_declaring_its_charset_in_meta_is_quoted_verbatim(text: str, charset: str, head: str) -> None:
    assert paragraphs(page(text, head).encode(charset)) == [text]


@pytest.mark.parametrize("text, charset", [(FRENCH, "ISO-8859-1"), (JAPANESE, "Shift_JIS"), (CHINESE, "GB2312")])
def test_the_http_header_charset_is_used_and_wins_over_meta(text: str, charset: str) -> None:
    assert paragraphs(page(text).encode(charset), charset) == [text]
    assert paragraphs(page(text, '<meta charset="utf-8">').encode(charset), charset) == [text]


def test_latin1_pages_read_windows_1252_quotes_as_browsers_do() -> None:
    text = "The minister said “cooperation” costs €5 — and that’s final, as agreed."
    assert paragraphs(page(text, '<meta charset="iso-8859-1">').encode("cp1252")) == [text]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be", "utf-32", "utf-32-be"])
def test_pages_and_text_files_with_a_bom_are_read_whole(tmp_path: Path, encoding: str) -> None:
    bom = {"utf-16-be": codecs.BOM_UTF16_BE, "utf-32-be": codecs.BOM_UTF32_BE}.get(encoding, b"")
    (tmp_path / "page.html").write_bytes(bom + page(FRENCH).encode(encoding))
    (tmp_path / "note.txt").write_bytes(bom + f"Ministers meet\n\n{JAPANESE}\n".encode(encoding))
    corpus = load_corpus([tmp_path])
    assert corpus.skipped == []
    texts = sorted(p.text for d in corpus.documents for p in d.passages)
    assert texts == sorted([FRENCH, JAPANESE])


@pytest.mark.parametrize("encoding, content_type", [("shift_jis", "text/html; charset=Shift_JIS"),
                                                    ("utf-16", "text/html"), ("utf-32", "application/octet-stream")])
def test_a_fetched_page_is_decoded_by_its_content_type_header_or_its_bom(encoding: str, content_type: str) -> None:
    body = page(JAPANESE).encode(encoding)
    transport = httpx.MockTransport(lambda request: httpx.Response(
        200, content=body, headers={"content-type": content_type}))
    fetcher = Fetcher(transport=transport)
    try:
        result = fetch_documents(["http://127.0.0.1:9/readout.html"], {}, set(), fetcher=fetcher)
    finally:
        fetcher.close()
    assert result.skipped == []
    assert [p.text for p in result.documents[0].passages] == [JAPANESE]


def test_undeclared_text_is_detected_only_when_unambiguous(tmp_path: Path) -> None:
    assert decode(CHINESE.encode("gb18030")) == CHINESE  # one reading only
    assert decode(JAPANESE.encode("shift_jis")) == JAPANESE
    with pytest.raises(Undecodable, match="not UTF-8 .*reads differently as .*declare its charset"):
        decode("Außenminister".encode("latin-1"))  # cp1250, cp1252, cp1006...: no guess
    # charset-normalizer alone reads this windows-1252 title as Korean ("Secretary잹linken뭩"): the common
    # legacy charsets are weighed as well, and either the right text or a refusal comes out, never that
    title = "Secretary\xa0Blinken’s\xa0Calls with\xa0Israeli\xa0Foreign Minister Ashkenazi"
    try:
        assert decode(title.encode("cp1252")) == title
    except Undecodable as reason:
        assert "reads differently" in str(reason)
    with pytest.raises(Undecodable, match="no charset reads it"):
        decode(bytes(range(128, 256)) * 2)
    (tmp_path / "latin.txt").write_bytes(f"Ministers\n\n{RUSSIAN}\n".encode("cp1251"))
    corpus = load_corpus([tmp_path])
    assert not corpus.documents and corpus.skipped[0][1].startswith("not UTF-8")


def test_a_bom_that_lies_is_refused_not_decoded_with_replacements() -> None:
    with pytest.raises(Undecodable, match="UTF-16 byte-order mark"):
        decode(codecs.BOM_UTF16_LE + b"\x00\xd8")  # a lone high surrogate


def test_declarations_are_read_from_headers_and_markup() -> None:
    assert header_charset("text/html; charset=\"Shift_JIS\"") == "Shift_JIS"
    assert header_charset("text/html") is None and header_charset(None) is None
    assert markup_charset(b'<?xml version="1.0" encoding="gbk"?><html>') == "gbk"
    assert markup_charset(b"<html><head><meta charset='utf-16'>") == "utf-8"  # it was read as ASCII
    assert markup_charset(b"<html><p>charset=koi8-r</p>") is None


# Python's codecs, as the property's reference: text in each charset's repertoire, encoded, then declared.
CHARSETS = ["latin-1", "iso-8859-2", "iso-8859-5", "iso-8859-7", "cp1250", "cp1251", "cp1252", "cp1256",
            "koi8-r", "shift_jis", "cp932", "euc-jp", "gb2312", "gbk", "gb18030", "big5", "euc-kr", "utf-8",
            "utf-16", "utf-16-le", "utf-16-be", "utf-32", "ascii", "mac-roman"]
# Where the standard browsers follow (WHATWG) reads a declaration otherwise than Python's codec of that name,
# we read as browsers do: Latin-1 and ASCII pages as windows-1252 (C1 controls are not text there), GB2312
# as GB18030, which reads two of its punctuation marks otherwise.
NOT_AS_PYTHON = {"latin-1": "\x80-\x9f", "ascii": "", "gb2312": "\u30fb\u2015"}


UNIVERSAL = ("utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "gb18030")


@functools.cache
def repertoire(charset: str) -> list[str]:
    """The characters of the Basic Multilingual Plane that Python's codec round-trips, less those read otherwise
    by browsers."""
    excluded = NOT_AS_PYTHON.get(charset, "")
    return [chr(code) for code in range(0x10000) if not 0xD800 <= code < 0xE000
            and chr(code) not in excluded and not (charset == "latin-1" and 0x80 <= code <= 0x9F)
            and _roundtrips(chr(code), charset)]


def _roundtrips(ch: str, charset: str) -> bool:
    try:
        return ch.encode(charset).decode(charset) == ch
    except UnicodeError:
        return False


@st.composite
def encoded(draw: st.DrawFn) -> tuple[str, str]:
    """A charset and a text in its repertoire, non-ASCII characters drawn as often as ASCII ones."""
    charset = draw(st.sampled_from(CHARSETS))
    if charset in UNIVERSAL:
        alphabet = st.characters(exclude_categories=["Cs"])
    else:
        chars = repertoire(charset)
        alphabet = st.one_of(st.sampled_from([ch for ch in chars if ch < "\x80"]),
                             st.sampled_from([ch for ch in chars if ch >= "\x80"] or chars))
    text = draw(st.text(alphabet, max_size=60))
    assume(text.encode(charset).decode(charset) == text)  # a few sequences do not round-trip in Python's codec
    # UTF-16's mark and a NUL are UTF-32's mark: a text opening with NUL is no readout
    assume(not (charset in ("utf-16", "utf-32") and text.startswith("\x00")))
    return charset, text


@settings(max_examples=300, deadline=None)
@given(encoded())
def test_text_encoded_in_a_declared_charset_decodes_to_itself(case: tuple[str, str]) -> None:
    charset, text = case
    assert decode(text.encode(charset), charset) == text


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["utf-8-sig", "utf-16", "utf-32"]), st.text(st.characters(exclude_categories=["Cs"]), max_size=60))
def test_text_with_a_bom_decodes_to_itself_undeclared(encoding: str, text: str) -> None:
    assume(not text.startswith("\x00"))
    assert decode(text.encode(encoding)) == text


@settings(max_examples=150, deadline=None)
@given(encoded(), st.booleans())
def test_a_page_in_any_declared_charset_reads_as_its_words(case: tuple[str, str], in_header: bool) -> None:
    """The paragraph a page holds, in any charset, declared in the header or in <meta>, read by the parser
    the extraction uses: its words exactly (whitespace as a browser renders it)."""
    charset, text = case
    text = "".join(ch for ch in text if ch.isprintable() and ch not in "\ufeff")
    assume(not charset.startswith(("utf-16", "utf-32")) or in_header)  # <meta> cannot declare those
    data = page(text, "" if in_header else f'<meta charset="{charset}">').encode(charset)
    root = parse_html(data, None, charset if in_header else None)
    assert [clean(p.text_content()) for p in root.iter("p")] == [clean(text)]
