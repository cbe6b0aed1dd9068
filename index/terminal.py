"""Text bound for a terminal: control characters shown as escapes, never obeyed."""
from __future__ import annotations

import re

# C0 and C1 controls and DEL, but newline and tab; ESC among them would let a readout recolour,
# retitle or clear the user's terminal. Lone surrogates are the bytes of a file name that is not UTF-8.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# In a name (a file's, a folder's, a source's) newline and tab too, and the characters that reorder or
# break a line (bidirectional overrides and isolates, line and paragraph separators): a name is one line.
_NAME_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, as os.fsdecode keeps it
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def safe(text: str) -> str:
    """`text` with every control character but newline and tab written as its escape (\\x1b), and the bytes
    of a name that is not UTF-8 as \\xff: printable on any terminal, obeyed by none."""
    return _CONTROL.sub(_escape, text)


def one_line(text: str) -> str:
    """A name, or a line that holds one (a skip line, an error): every control character escaped, newline and
    tab included, so that it stays one line whatever the name holds."""
    return _NAME_CONTROL.sub(_escape, text)
