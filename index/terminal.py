"""Text bound for a terminal: control characters shown as escapes, never obeyed."""
from __future__ import annotations

import re

# C0 and C1 controls and DEL, but newline and tab; ESC among them would let a readout recolour,
# retitle or clear the user's terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe(text: str) -> str:
    """`text` with every control character but newline and tab written as its escape (\\x1b)."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)
