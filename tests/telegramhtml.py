"""What Telegram refuses in a message, for the fake Bot API: HTML that does not parse as Telegram's
HTML (its few tags, its four named entities), text over 4,096 characters once the entities are parsed,
callback data over 64 bytes, a copy button's text over 256, a button without an action or with a URL
that is none, a callback answer over 200 characters or opening another URL than the bot's t.me link,
commands and inline results outside their limits. Each check returns Telegram's 400 description, or
None when Telegram would accept it, so that no test passes on a message the real API would reject.

Telegram's rules: https://core.telegram.org/bots/api#html-style, #inlinekeyboardbutton,
#answercallbackquery, #botcommand and #answerinlinequery.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

MESSAGE_LIMIT = 4096  # characters (code points, as Telegram counts them) of a message's text once its entities are parsed
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes
COPY_TEXT_LIMIT = 256
CALLBACK_ANSWER_LIMIT = 200  # characters of answerCallbackQuery's text
INLINE_RESULTS_LIMIT = 50
INLINE_RESULT_ID_LIMIT = 64  # bytes
COMMANDS_LIMIT = 100
COMMAND = re.compile(r"[a-z0-9_]{1,32}")
COMMAND_DESCRIPTION_LIMIT = 256
# What a button does: exactly one of these (https://core.telegram.org/bots/api#inlinekeyboardbutton).
BUTTON_ACTIONS = ("url", "callback_data", "web_app", "login_url", "switch_inline_query",
                  "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay")
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
        self.entities: list[tuple[str, tuple[tuple[str, str | None], ...], int, int]] = []  # tag, attributes, span
        self._starts: list[tuple[tuple[tuple[str, str | None], ...], int]] = []
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
        self._starts.append((tuple(sorted(attrs, key=lambda a: a[0])), len(self.text_shown())))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise HtmlError(f"Unsupported self-closing tag \"{tag}\"")

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            raise HtmlError(f"Unmatched end tag \"{tag}\"" + (f", expected \"{self.open[-1]}\"" if self.open else ""))
        self.open.pop()
        attrs, start = self._starts.pop()
        self.entities.append((tag, attrs, start, len(self.text_shown())))
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


def content(text: str, parse_mode: str | None) -> tuple[str, tuple]:
    """A message's text and entities as Telegram keeps them (what an edit must change, or be refused as
    "not modified"); the text as given when it does not parse."""
    if parse_mode is None or parse_mode.upper() != "HTML":
        return text.strip(), ()
    try:
        parser = _parsed(text)
    except HtmlError:
        return text, ()
    return parser.text_shown().strip(), tuple(sorted(parser.entities))


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


def _url_error(url: str) -> str | None:
    """Why Telegram refuses a button's URL: only http(s) URLs with a host, and tg:// links, open."""
    parts = urlsplit(url)
    if parts.scheme == "tg" and parts.netloc:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        return f"Bad Request: inline keyboard button URL '{url[:60]}' is invalid: Wrong HTTP URL"
    return None


def markup_error(markup: Any) -> str | None:
    """Telegram's description of why it refuses an inline keyboard, or None."""
    rows = (markup or {}).get("inline_keyboard", []) if isinstance(markup, dict) else []
    for row in rows:
        for button in row:
            if not str(button.get("text", "")).strip():
                return "Bad Request: can't parse inline keyboard button: Text must be non-empty"
            actions = [action for action in BUTTON_ACTIONS if action in button]
            if len(actions) != 1:
                return ("Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                        if not actions else "Bad Request: can't parse inline keyboard button: more than one action")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_LIMIT:
                return "Bad Request: BUTTON_DATA_INVALID"
            copy = button.get("copy_text")
            if copy is not None and not 1 <= len(copy.get("text", "")) <= COPY_TEXT_LIMIT:
                return "Bad Request: COPY_TEXT_INVALID"
            if "url" in button and (error := _url_error(str(button["url"]))):
                return error
    return None


def _start_link(url: str, bot_username: str | None) -> bool:
    """Whether `url` is the t.me link that opens the bot's chat with a start parameter (the one URL a
    callback answer may open for a bot that has no game)."""
    match = re.fullmatch(r"(?:https?://)?(?:t\.me|telegram\.me)/(\w+)\?start=([A-Za-z0-9_-]{1,64})", url)
    return bool(match) and (bot_username is None or match.group(1).lower() == bot_username.lower())


def request_error(method: str, params: dict[str, Any], bot_username: str | None = None) -> str | None:
    """Why Telegram would answer this call 400, for the methods that send text, buttons, callback answers,
    commands or inline results; None otherwise. `bot_username`: whose t.me link a callback answer may open."""
    error = markup_error(params.get("reply_markup"))
    if error:
        return error
    if method == "answerCallbackQuery":
        if len(str(params.get("text") or "")) > CALLBACK_ANSWER_LIMIT:
            return "Bad Request: MESSAGE_TOO_LONG"
        if params.get("url") and not _start_link(str(params["url"]), bot_username):
            return "Bad Request: URL_INVALID"
    if method == "setMyCommands":
        commands = params.get("commands") or []
        if len(commands) > COMMANDS_LIMIT:
            return "Bad Request: BOT_COMMANDS_TOO_MUCH"
        for command in commands:
            if not COMMAND.fullmatch(str(command.get("command", ""))):
                return "Bad Request: BOT_COMMAND_INVALID"
            if not 1 <= len(str(command.get("description", "")).strip()) <= COMMAND_DESCRIPTION_LIMIT:
                return "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"
    if method in ("sendMessage", "editMessageText"):
        return text_error(str(params.get("text", "")), params.get("parse_mode"))
    if method in ("sendDocument", "sendPhoto") and params.get("caption"):
        error = text_error(str(params["caption"]), params.get("parse_mode"), CAPTION_LIMIT)
        return None if error == "Bad Request: message text is empty" else error
    if method == "answerInlineQuery":
        results = params.get("results") or []
        ids = [str(result.get("id", "")) for result in results]
        if len(results) > INLINE_RESULTS_LIMIT:
            return "Bad Request: RESULTS_TOO_MUCH"
        if any(not 1 <= len(one.encode()) <= INLINE_RESULT_ID_LIMIT for one in ids):
            return "Bad Request: RESULT_ID_INVALID"
        if len(set(ids)) < len(ids):
            return "Bad Request: RESULT_ID_DUPLICATE"
        for result in results:
            error = markup_error(result.get("reply_markup"))
            content = result.get("input_message_content") or {}
            if not error and "message_text" in content:
                error = text_error(content["message_text"], content.get("parse_mode"))
            if error:
                return error
    return None
