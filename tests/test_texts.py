"""The bot's fixed replies in English, Chinese and Japanese (bot/texts.py)."""
from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser

import pytest

from bot.texts import CHINESE, ENGLISH, JAPANESE, Texts, texts_for

LANGUAGES = [ENGLISH, CHINESE, JAPANESE]


@pytest.mark.parametrize(("code", "texts"), [("zh", CHINESE), ("zh-hans", CHINESE), ("zh-TW", CHINESE), ("ja", JAPANESE),
                                             ("en", ENGLISH), ("en-GB", ENGLISH), ("fr", ENGLISH), (None, ENGLISH),
                                             ("", ENGLISH)])
def test_a_users_telegram_language_picks_the_replies(code: str | None, texts: Texts) -> None:
    assert texts_for(code) is texts


@pytest.mark.parametrize("texts", LANGUAGES[1:])
def test_every_reply_is_translated_with_the_same_placeholders(texts: Texts) -> None:
    for field in dataclasses.fields(Texts):
        english, other = getattr(ENGLISH, field.name), getattr(texts, field.name)
        if not isinstance(english, str):
            continue
        assert other != english or not re.search(r"[A-Za-z]{4}", english), field.name
        assert set(re.findall(r"{\w+}", other)) == set(re.findall(r"{\w+}", english)), field.name


@pytest.mark.parametrize("texts", LANGUAGES)
def test_the_command_menus_name_the_same_commands_within_telegrams_limits(texts: Texts) -> None:
    assert [c for c, _ in texts.commands] == [c for c, _ in ENGLISH.commands]
    assert all(1 <= len(description) <= 256 for _, description in texts.commands)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open.pop() == tag, tag


@pytest.mark.parametrize("texts", LANGUAGES)
def test_html_replies_are_well_formed_in_telegrams_tags(texts: Texts) -> None:
    for name in ("start_html", "help_html", "greeting_html", "citation_html", "sources_html", "about_html"):
        html = getattr(texts, name).format(examples="• x", bot="bot", style="plain", count=1, page=1, pages=2,
                                           documents=1, passages=2, span="x", model="m")
        assert "{" not in html, name
        parser = _Tags()
        parser.feed(html)
        assert not parser.open and set(re.findall(r"<(\w+)", html)) <= {"b", "i", "code"}, name
        assert not re.search(r"<(?!/?(b|i|code)>)", html), name  # "<question>" must be written &lt;question&gt;
