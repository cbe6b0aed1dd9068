"""The fake Bot API's check of what Telegram accepts: its HTML, its length and button limits."""
import pytest
from telegramhtml import HtmlError, content, markup_error, parse_html, request_error, shown_chars, text_error


@pytest.mark.parametrize("html, text", [
    ('<b>a</b> &amp; &lt;x&gt; &quot;&#39;&#x41;', 'a & <x> "\'A'),
    ("<blockquote expandable>folded</blockquote><blockquote>open</blockquote>", "foldedopen"),
    ('<a href="https://e.org/?a=1&amp;b=2">link</a> <span class="tg-spoiler">s</span>', "link s"),
    ('<pre><code class="language-python">x</code></pre><tg-spoiler>y</tg-spoiler>', "xy"),
])
def test_telegrams_html_parses_to_its_text(html: str, text: str) -> None:
    assert parse_html(html) == text


@pytest.mark.parametrize("html", ["/alert <question>", "a & b", "a < b", "<b>unclosed", "x</b>", "<i><b>x</i></b>",
                                  "<p>x</p>", "<br>", "<br/>", "&nbsp;", "&amp no semicolon", "<span>x</span>",
                                  '<blockquote collapsed>x</blockquote>', "<a>no href</a>", "<!-- c -->", "tail <b"])
def test_what_telegram_cannot_parse_is_refused(html: str) -> None:
    with pytest.raises(HtmlError):
        parse_html(html)
    assert text_error(html, "HTML").startswith("Bad Request: can't parse entities: ")
    assert text_error(html, None) is None  # as plain text it is fine


def test_length_is_counted_after_entities_and_buttons_have_their_limits() -> None:
    assert text_error("&amp;" * 4096, "HTML") is None and text_error("&amp;" * 4097, "HTML") == \
        "Bad Request: message is too long"
    assert text_error("x" * 4097, None) == "Bad Request: message is too long"
    keyboard = {"inline_keyboard": [[{"text": "b", "callback_data": "é" * 32}]]}
    assert markup_error(keyboard) is None
    keyboard["inline_keyboard"][0][0]["callback_data"] = "é" * 32 + "x"  # 65 bytes
    assert markup_error(keyboard) == "Bad Request: BUTTON_DATA_INVALID"
    copy = {"inline_keyboard": [[{"text": "c", "copy_text": {"text": "x" * 257}}]]}
    assert request_error("sendMessage", {"text": "ok", "reply_markup": copy}) == "Bad Request: COPY_TEXT_INVALID"
    inline = [{"type": "article", "id": "1", "input_message_content": {"message_text": "a & b", "parse_mode": "HTML"}}]
    assert "can't parse entities" in request_error("answerInlineQuery", {"results": inline})


def test_what_is_shown_before_unfolding_leaves_out_all_but_the_preview_of_each_fold() -> None:
    html = "<b>Q:</b> x\n<blockquote>seen</blockquote>\n<blockquote expandable>0123456789<b>abc</b></blockquote>"
    assert parse_html(html) == "Q: x\nseen\n0123456789abc"
    assert shown_chars(html) == len("Q: x\nseen\n") and shown_chars(html, preview=5) == len("Q: x\nseen\n") + 5
    assert shown_chars(html, preview=100) == len(parse_html(html))


def test_a_button_must_do_one_thing_and_a_url_must_be_one() -> None:
    def refused(button: dict) -> str | None:
        return markup_error({"inline_keyboard": [[button]]})

    assert refused({"text": "b", "callback_data": "x"}) is None
    assert refused({"text": "b", "url": "https://t.me/readouts_test_bot?start=p1"}) is None
    assert refused({"text": "b", "url": "tg://user?id=1"}) is None
    assert "Text buttons are unallowed" in refused({"text": "b"})
    assert "more than one action" in refused({"text": "b", "callback_data": "x", "url": "https://e.org"})
    assert "non-empty" in refused({"text": " ", "callback_data": "x"})
    for url in ("not a url", "javascript:alert(1)", "https://", "ftp://e.org/x", "https://e.org/a b"):
        assert "Wrong HTTP URL" in refused({"text": "b", "url": url}), url


def test_callback_answers_commands_and_inline_results_have_telegrams_limits() -> None:
    answer = {"callback_query_id": "1"}
    assert request_error("answerCallbackQuery", answer | {"text": "x" * 200}) is None
    assert request_error("answerCallbackQuery", answer | {"text": "x" * 201}) == "Bad Request: MESSAGE_TOO_LONG"
    start = "https://t.me/readouts_test_bot?start=p1"
    assert request_error("answerCallbackQuery", answer | {"url": start}, "readouts_test_bot") is None
    for url in ("https://example.org/", "https://t.me/another_bot?start=p1", "https://t.me/readouts_test_bot"):
        assert request_error("answerCallbackQuery", answer | {"url": url}, "readouts_test_bot") == "Bad Request: URL_INVALID"
    assert request_error("setMyCommands", {"commands": [{"command": "citestyle", "description": "引文格式"}]}) is None
    assert request_error("setMyCommands", {"commands": [{"command": "Cite-Style", "description": "d"}]}) == \
        "Bad Request: BOT_COMMAND_INVALID"
    assert request_error("setMyCommands", {"commands": [{"command": "c", "description": "d" * 257}]}) == \
        "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"

    def article(n: object) -> dict:
        return {"type": "article", "id": str(n), "title": "t", "input_message_content": {"message_text": "m"}}

    assert request_error("answerInlineQuery", {"results": [article(n) for n in range(50)]}) is None
    assert request_error("answerInlineQuery", {"results": [article(n) for n in range(51)]}) == "Bad Request: RESULTS_TOO_MUCH"
    assert request_error("answerInlineQuery", {"results": [article("i" * 65)]}) == "Bad Request: RESULT_ID_INVALID"
    assert request_error("answerInlineQuery", {"results": [article(1), article(1)]}) == "Bad Request: RESULT_ID_DUPLICATE"


def test_a_messages_content_is_its_text_and_entities_however_the_html_is_written() -> None:
    assert content("<b>a</b> &amp; b", "HTML") == content("<b>a</b> &#38; b ", "HTML") == ("a & b", (("b", (), 0, 1),))
    assert content("<b>a</b> b", "HTML") != content("<i>a</i> b", "HTML") != content("a b", "HTML")
    assert content('<a href="https://e.org">l</a>', "HTML") != content('<a href="https://e.org/x">l</a>', "HTML")
    assert content("<b>a</b>", None) == ("<b>a</b>", ())
