"""A PDF's text, page after page, with pypdf (pure Python)."""
from __future__ import annotations

import io
import re

from index.errors import SourceUnreadable


def pdf_text(data: bytes) -> tuple[str, str | None]:
    """The text pypdf extracts, pages apart by a blank line, and the document's Title field, if set."""
    import pypdf
    from pypdf.errors import PdfReadError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise SourceUnreadable("encrypted PDF")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or None
    except SourceUnreadable:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as error:
        raise SourceUnreadable(f"unreadable PDF ({type(error).__name__})") from error
    text = "\n\n".join(re.sub(r"[ \t\u00a0]+\n", "\n", page).strip() for page in pages)
    title = (title or "").strip()
    # Producers' placeholders are not titles: "untitled", "Microsoft Word - notes.docx"
    if re.fullmatch(r"(?i)untitled|document\d*|microsoft (word|powerpoint) - .*|.*\.(docx?|pdf|odt)", title):
        title = ""
    return text.replace("\r\n", "\n").replace("\r", "\n") + "\n", title or None
