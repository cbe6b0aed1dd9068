"""What Telegram refuses in a message, for the fake Bot API: HTML that does not parse as Telegram's
HTML (its few tags, its four named entities), text over 4,096 characters once the entities are parsed,
callback data over 64 bytes, a copy button's text over 256. Each check returns Telegram's 400 description,
or None when Telegram would accept it, so that no test passes on a message the real API would reject.

Telegram's rules: https://core.telegram.org/bots/api#html-style and #inlinekeyboardbutton.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

MESSAGE_LIMIT = 4096  # characters of a message's text once its entities are parsed
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes
COPY_TEXT_LIMIT = 256
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# Each tag Telegram knows, with the attributes it takes (None: any value; a set: only these values).
TAGS: dict[str, dict[str, set[str] | None]] = {
    **{tag: {} for tag in ("b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "tg-spoiler", "pre")},
    "span": {"class": {"tg-spoiler"}},
    "a": {"href": None},
    "tg-emoji": {"emoji-id": None},
    "code": {"class": None},
    "blockquote": {"expandable": None},
}
REQUIRED = {"span": "class", "a": "href", "tg-emoji": "emoji-id"}


class HtmlError(ValueError):
    """Why Telegram cannot parse the entities of a message."""


class _Parser(HTMLParser):
    """Telegram's HTML through the stdlib's parser: collects the text and fails on anything else."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.text: list[str] = []
        self.folded: list[str] = []  # the text of each expandable blockquote, which Telegram shows folded
        self._fold_depth: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TAGS:
            raise HtmlError(f"Unsupported start tag \"{tag}\"")
        allowed = TAGS[tag]
        for name, value in attrs:
            if name not in allowed:
                raise HtmlError(f"Unsupported attribute \"{name}\" of tag \"{tag}\"")
            values = allowed[name]
            if values is not None and value not in values:
                raise HtmlError(f"Unsupported value \"{value}\" of attribute \"{name}\" of tag \"{tag}\"")
        if tag in REQUIRED and REQUIRED[tag] not in dict(attrs):
            raise HtmlError(f"Tag \"{tag}\" must have attribute \"{REQUIRED[tag]}\"")
        if tag == "blockquote" and "expandable" in dict(attrs) and self._fold_depth is None:
            self._fold_depth = len(self.open)
            self.folded.append("")
        self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise HtmlError(f"Unsupported self-closing tag \"{tag}\"")

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            raise HtmlError(f"Unmatched end tag \"{tag}\"" + (f", expected \"{self.open[-1]}\"" if self.open else ""))
        self.open.pop()
        if self._fold_depth == len(self.open):
            self._fold_depth = None

    def handle_data(self, data: str) -> None:
        for mark in "<&":
            if mark in data:
                raise HtmlError(f"Unescaped \"{mark}\" in \"{data[max(0, data.index(mark) - 20):][:40]}\"")
        self._add(data)

    def _add(self, text: str) -> None:
        self.text.append(text)
        if self._fold_depth is not None:
            self.folded[-1] += text

    def handle_entityref(self, name: str) -> None:
        if name not in NAMED_ENTITIES:
            raise HtmlError(f"Unsupported HTML entity \"&{name}\"")
        self._add(NAMED_ENTITIES[name])

    def handle_charref(self, name: str) -> None:
        if not re.fullmatch(r"[0-9]+|[xX][0-9a-fA-F]+", name):
            raise HtmlError(f"Bad character reference \"&#{name}\"")
        self._add(chr(int(name[1:], 16) if name[0] in "xX" else int(name)))

    def text_shown(self) -> str:
        return "".join(self.text)

    def handle_comment(self, data: str) -> None:
        raise HtmlError("Unsupported comment")

    def handle_decl(self, decl: str) -> None:
        raise HtmlError("Unsupported declaration")

    def handle_pi(self, data: str) -> None:
        raise HtmlError("Unsupported processing instruction")

    def unknown_decl(self, data: str) -> None:
        raise HtmlError("Unsupported declaration")


def parse_html(html: str) -> str:
    """The text Telegram shows for `html` (tags dropped, entities decoded); HtmlError when it cannot parse it."""
    return _parsed(html).text_shown()


def shown_chars(html: str, preview: int = 0) -> int:
    """Characters of `html` a reader sees before opening anything folded: all its text but that of
    its expandable blockquotes, of which Telegram shows only the first lines (`preview` characters each)."""
    parser = _parsed(html)
    return len(parser.text_shown()) - sum(max(0, len(fold) - preview) for fold in parser.folded)


def _parsed(html: str) -> _Parser:
    # A reference without ";" ("&amp x") is text to the stdlib's parser but an error to Telegram.
    if re.search(r"&(?:[a-zA-Z][a-zA-Z0-9]*|#[0-9]+|#[xX][0-9a-fA-F]+)(?![a-zA-Z0-9;])", html):
        raise HtmlError("Unterminated HTML entity")
    parser = _Parser()
    parser.feed(html)
    parser.close()
    if parser.rawdata:  # what the parser held back: a "<" that opens nothing, an unfinished tag
        raise HtmlError(f"Unclosed \"<\" in \"{parser.rawdata[:40]}\"")
    if parser.open:
        raise HtmlError(f"Can't find end tag corresponding to start tag \"{parser.open[-1]}\"")
    return parser


def text_error(text: str, parse_mode: str | None, limit: int = MESSAGE_LIMIT) -> str | None:
    """Telegram's description of why it refuses `text` sent with `parse_mode`, or None."""
    if parse_mode is not None and parse_mode.upper() == "HTML":
        try:
            text = parse_html(text)
        except HtmlError as error:
            return f"Bad Request: can't parse entities: {error}"
    if not text.strip():
        return "Bad Request: message text is empty"
    if len(text) > limit:
        return "Bad Request: message is too long" if limit == MESSAGE_LIMIT else "Bad Request: message caption is too long"
    return None


def markup_error(markup: Any) -> str | None:
    """Telegram's description of why it refuses an inline keyboard, or None."""
    rows = (markup or {}).get("inline_keyboard", []) if isinstance(markup, dict) else []
    for row in rows:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_LIMIT:
                return "Bad Request: BUTTON_DATA_INVALID"
            copy = button.get("copy_text")
            if copy is not None and not 1 <= len(copy.get("text", "")) <= COPY_TEXT_LIMIT:
                return "Bad Request: COPY_TEXT_INVALID"
    return None


def request_error(method: str, params: dict[str, Any]) -> str | None:
    """Why Telegram would answer this call 400, for the methods that send text or buttons; None otherwise."""
    error = markup_error(params.get("reply_markup"))
    if error:
        return error
    if method in ("sendMessage", "editMessageText"):
        return text_error(str(params.get("text", "")), params.get("parse_mode"))
    if method in ("sendDocument", "sendPhoto") and params.get("caption"):
        error = text_error(str(params["caption"]), params.get("parse_mode"), CAPTION_LIMIT)
        return None if error == "Bad Request: message text is empty" else error
    if method == "answerInlineQuery":
        for result in params.get("results") or []:
            error = markup_error(result.get("reply_markup"))
            content = result.get("input_message_content") or {}
            if not error and "message_text" in content:
                error = text_error(content["message_text"], content.get("parse_mode"))
            if error:
                return error
    return None
