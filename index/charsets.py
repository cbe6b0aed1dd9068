"""Bytes → text: the one place it is done, for readout files and fetched pages alike.

The order is the HTML standard's: a byte-order mark (UTF-8, UTF-16, UTF-32), then the charset the
bytes are declared in (an HTTP header's, or the page's own `<meta>`), then UTF-8, then detection by
charset-normalizer. A wrong guess would put words in a readout's mouth, so nothing is ever decoded
with replacement characters, and detection is believed only when it is unambiguous: every
charset that reads the bytes with the least mess must give the same text. Otherwise `Undecodable`
says why, and the caller skips the file with that reason.
"""
from __future__ import annotations

import codecs
import re

DETECT_BYTES = 256 * 1024  # charset-normalizer looks at this much at most; the whole text is then decoded strictly
BOMS = (  # UTF-32's marks first: UTF-32-LE's begins with UTF-16-LE's
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
# Labels Python does not know, as the WHATWG Encoding Standard reads them.
LABELS = {"windows-31j": "cp932", "x-sjis": "cp932", "x-gbk": "gbk", "x-mac-cyrillic": "mac-cyrillic",
          "x-mac-roman": "mac-roman", "iso-8859-8-i": "iso8859-8", "unicode-1-1-utf-8": "utf-8"}
# What browsers decode these declarations as (WHATWG): pages declaring Latin-1 use windows-1252's curly
# quotes and euro sign, so a quote must read them as a browser shows them.
AS_BROWSERS_READ = {"iso8859-1": "cp1252", "ascii": "cp1252", "iso8859-9": "cp1254", "tis-620": "cp874",
                    "iso8859-11": "cp874", "gb2312": "gb18030", "gbk": "gb18030"}
# Supersets tried when the declared charset itself fails: pages declaring GB2312 are written in GBK,
# those declaring Shift_JIS use Microsoft's extensions (①, ㈱), and so on.
SUPERSETS = {"shift_jis": "cp932", "euc_kr": "cp949", "big5": "big5hkscs", "euc_jp": "euc_jis_2004"}
META_CHARSET = re.compile(rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:+-]+)""", re.I)
XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:+-]+)["']""")
PRESCAN_BYTES = 4096
C1 = "readouts-c1"
codecs.register_error(C1, lambda error: (chr(error.object[error.start]), error.start + 1)
                      if isinstance(error, UnicodeDecodeError) else codecs.strict_errors(error))


class Undecodable(ValueError):
    """Bytes that cannot be read as text surely; the message is the reason shown to the user."""


def codec(label: str | None) -> str | None:
    """Python's codec for a charset label ("Shift_JIS", "latin1", "windows-31j"), or None when unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    try:
        return codecs.lookup(LABELS.get(label, label)).name
    except LookupError:
        return None


def decode(data: bytes, declared: str | None = None) -> str:
    """`data` as text: by its byte-order mark, else the `declared` charset, else UTF-8, else a charset
    detected unambiguously; `Undecodable` with the reason otherwise. Newlines are left as they are."""
    marked = [name for bom, name in BOMS if data.startswith(bom)]  # FF FE 00 00: UTF-32, else UTF-16 and a NUL
    bad = 0
    for marker in marked:
        try:
            return data.decode(marker)
        except UnicodeDecodeError as error:
            bad = error.start
    if marked:
        form = marked[-1].replace("-sig", "").upper()
        raise Undecodable(f"starts with a {form} byte-order mark but is not {form} (bad byte at offset {bad})")
    name = codec(declared)
    if name:
        read_as = AS_BROWSERS_READ.get(name, name)
        for candidate in dict.fromkeys([read_as, SUPERSETS.get(read_as, read_as)]):
            try:
                # windows-1252's five unassigned bytes are the C1 controls of the same number, as browsers read them
                return data.decode(candidate, errors=C1 if candidate == "cp1252" else "strict")
            except UnicodeDecodeError:
                continue
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = error.start
    stated = f"declared {declared} but not that either, " if name else "no charset declared, "
    return _detected(data, f"not UTF-8 (bad byte at offset {bad}), {stated}")


def _detected(data: bytes, why: str) -> str:
    """The text charset-normalizer finds, when every least-mess reading of it agrees."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data[:DETECT_BYTES]))
    if not matches:
        raise Undecodable(why + "and no charset reads it: save it as UTF-8")
    least = min(match.chaos for match in matches)
    readings: dict[str, str] = {}
    for match in matches:
        if match.chaos <= least:
            try:
                readings.setdefault(data.decode(match.encoding), match.encoding)
            except UnicodeDecodeError:
                continue
    if len(readings) != 1:
        names = sorted(match.encoding for match in matches if match.chaos <= least)
        raise Undecodable(why + f"and it reads differently as {' or '.join(names[:4])}"
                          + (" …" if len(names) > 4 else "") + ": declare its charset or save it as UTF-8")
    return next(iter(readings))


def markup_charset(data: bytes) -> str | None:
    """The charset a page declares in its first bytes (`<meta charset>`, `<meta http-equiv=Content-Type>`,
    an XML declaration). A page declaring UTF-16 or UTF-32 there was readable as ASCII, so it is
    UTF-8, as the HTML standard says."""
    head = data[:PRESCAN_BYTES]
    found = XML_ENCODING.search(head) or META_CHARSET.search(head)
    if not found:
        return None
    label = found.group(1).decode("ascii")
    return "utf-8" if (codec(label) or "").startswith(("utf-16", "utf-32")) else label


def header_charset(content_type: str | None) -> str | None:
    """The charset parameter of an HTTP Content-Type header ("text/html; charset=Shift_JIS"), if any."""
    if not content_type:
        return None
    from email.message import Message

    message = Message()
    message["content-type"] = content_type
    charset = message.get_param("charset")
    return charset if isinstance(charset, str) and charset.strip() else None
