"""PDF readouts, recognised by the %PDF magic whatever their name, read as text by pypdf."""
from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from index.ingest.corpus import load_corpus

LINES = [
    "Wang Yi Holds Talks with Japanese Foreign Minister",
    "",
    "On December 25, 2024, Wang Yi held talks with Foreign Minister Takeshi Iwaya in Beijing.",
    "",
    "Both sides agreed to promote a mutually beneficial relationship based on common strategic interests.",
]


def make_pdf(path: Path, title: str | None = "Talks in Beijing") -> None:
    """A one-page PDF with a line of text per paragraph, as a word processor would export it."""
    pdf = canvas.Canvas(str(path), pagesize=A4)
    if title:
        pdf.setTitle(title)
    y = 800
    for line in LINES:
        if line:
            pdf.drawString(72, y, line)
        y -= 28
    pdf.save()


def test_a_pdf_is_read_by_its_magic_and_quoted_verbatim(tmp_path: Path) -> None:
    make_pdf(tmp_path / "readout")  # no extension
    corpus = load_corpus([tmp_path])
    [document] = corpus.documents
    assert document.title == "Talks in Beijing" and document.date == "2024-12-25"
    texts = [p.text for p in document.passages]
    assert any("Wang Yi held talks with Foreign Minister Takeshi Iwaya" in t for t in texts)
    assert any("mutually beneficial relationship" in t for t in texts)
    assert all(t in document.text for t in texts)


def test_a_pdf_without_title_field_is_titled_by_its_first_line(tmp_path: Path) -> None:
    make_pdf(tmp_path / "talks.pdf", title=None)
    [document] = load_corpus([tmp_path]).documents
    assert document.title.startswith("Wang Yi Holds Talks")


def test_a_broken_pdf_is_skipped_with_its_reason(tmp_path: Path) -> None:
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    corpus = load_corpus([tmp_path])
    assert corpus.documents == [] and corpus.skipped[0][1].startswith("unreadable PDF")
