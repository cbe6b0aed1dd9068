"""Bytes → text: the one place it is done, for readout files and fetched pages alike.

The order is the HTML standard's: a byte-order mark (UTF-8, UTF-16, UTF-32), then the charset the
bytes are declared in (an HTTP header's, or the page's own `<meta>`), then UTF-8, then detection by
charset-normalizer. A wrong guess would put words in a readout's mouth, so nothing is ever decoded
with replacement characters, and detection is believed only when it is unambiguous: every
charset that reads the bytes with about as little mess as the best must give the same text. Otherwise
`Undecodable` says why, and the caller skips the file with that reason (benchmarks/charsets.py
measures how often each happens: docs/ingestion.md).
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
# Supersets tried when the declared charset itself fails: pages declaring Shift_JIS use Microsoft's
# extensions (①, ㈱), those declaring Big5 the Hong Kong ones, and so on.
SUPERSETS = {"shift_jis": "cp932", "euc_kr": "cp949", "big5": "big5hkscs", "euc_jp": "euc_jis_2004"}
# The charsets a browser decodes (WHATWG Encoding Standard), as Python names them: a detection outside them
# (cp852, mac-iceland, cp1006...) is no reading of a readout. COMMON are weighed whatever charset-normalizer says.
WEB = {"cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258", "cp866", "cp874",
       "iso8859-2", "iso8859-3", "iso8859-4", "iso8859-5", "iso8859-6", "iso8859-7", "iso8859-8", "iso8859-10",
       "iso8859-13", "iso8859-14", "iso8859-15", "iso8859-16", "koi8-r", "koi8-u", "mac-roman", "mac-cyrillic",
       "gb2312", "gbk", "gb18030", "big5", "big5hkscs", "shift_jis", "cp932", "euc_jp", "euc_jis_2004", "iso2022_jp",
       "euc_kr", "cp949", "iso8859-1", "ascii"}
COMMON = ("cp1252", "cp1250", "cp1251", "gb18030", "big5", "shift_jis", "euc_jp", "cp949")
NON_ASCII = re.compile(r"[^\x00-\x7f]+")
MESS_MARGIN = 0.1  # readings this close to the least messy one are as plausible (0.05 let "déjà" be read as "déją")
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
    """The text charset-normalizer finds, when every plausible reading of the bytes agrees.

    The readings weighed: the charsets charset-normalizer proposes and the web's most common legacy ones
    (COMMON: it stops early and can leave out the right one), as browsers decode them, among the charsets
    a browser knows (WEB). Plausible: no messier than the least messy reading (charset-normalizer's mess
    ratio). One plausible text: that is it; several: the bytes are ambiguous and refused."""
    from charset_normalizer import from_bytes
    from charset_normalizer.md import mess_ratio

    proposed = [name for match in from_bytes(data[:DETECT_BYTES]) if (name := codec(match.encoding)) in WEB]
    if not proposed:
        raise Undecodable(why + "and no charset reads it: save it as UTF-8")
    readings: dict[str, tuple[float, str]] = {}  # text → (mess, charset)
    for name in dict.fromkeys([*proposed, *COMMON]):
        name = AS_BROWSERS_READ.get(name, name)
        try:
            text = data.decode(name, errors=C1 if name == "cp1252" else "strict")
        except UnicodeDecodeError:
            continue
        mess = mess_ratio(_around_non_ascii(text), maximum_threshold=1.0)
        if text not in readings or mess < readings[text][0]:
            readings[text] = (mess, name)
    least = min(mess for mess, _ in readings.values())
    plausible = {text: name for text, (mess, name) in readings.items() if mess <= least + MESS_MARGIN}
    if len(plausible) != 1:
        names = sorted(plausible.values())
        raise Undecodable(why + f"and it reads differently as {' or '.join(names[:4])}"
                          + (" …" if len(names) > 4 else "") + ": declare its charset or save it as UTF-8")
    return next(iter(plausible))


def _around_non_ascii(text: str, reach: int = 12, most: int = 2000) -> str:
    """The text near its non-ASCII characters, where readings differ: one é in a long readout read as 閠
    would be lost in the mess ratio of the whole."""
    windows = [text[max(0, m.start() - reach):m.end() + reach] for m in NON_ASCII.finditer(text, 0, DETECT_BYTES)]
    return "\n".join(windows[:most]) or text[:DETECT_BYTES]


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
