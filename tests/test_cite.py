"""Citing what the bot quotes (bot/cite.py), end to end over the State Department readouts: the Cite
button, /citestyle and its CSL styles, /export, links to the quoted words, shared links opened by
/start, and inline messages."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import pytest
from botharness import application_for, processing
from fakebotapi import Call, FakeBotApi
from test_references import citeproc_rendering

from index.retrieve.search import Retriever
from index.store import generations as store

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")]
USER = 1001
QUESTION = "What did Secretary Blinken and Foreign Minister Cavusoglu discuss in May 2021?"
FRAGMENT = re.compile(r"https://www\.state\.gov/[^\s\"<>]*#:~:text=([^\s\"<>]+)")


@pytest.fixture(scope="module")
def state_retriever(state_dept_index: Path) -> Retriever:
    return Retriever(store.load(state_dept_index))


@pytest.fixture
def bot(fake_api: FakeBotApi, state_retriever: Retriever, tmp_path: Path) -> Callable:
    return lambda **overrides: processing(application_for(fake_api, state_retriever, tmp_path / "state.pickle",
                                                          **overrides), fake_api)


def sent(calls: list[Call], method: str = "sendMessage") -> list[dict]:
    return [call.params for call in calls if call.method == method]


def buttons_of(params: dict) -> list[dict]:
    return [button for row in params["reply_markup"]["inline_keyboard"] for button in row]


def quoted(html: str) -> list[str]:
    """The passages an answer quotes (each whole: its folded paragraph, when the quote shows one sentence),
    tags and entities taken out."""
    from html import unescape

    quotes = re.findall(r"<blockquote>(.*?)</blockquote>(?:\n<blockquote expandable>(.*?)</blockquote>)?", html, re.S)
    return [unescape(re.sub(r"</?b>", "", folded or shown)) for shown, folded in quotes]


def fragment_words(url_match: str) -> list[str]:
    """The words of a text directive's terms (prefix-, start, end, -suffix), percent-decoded."""
    terms = [unquote(term) for term in url_match.split(",")]
    return [word for term in terms for word in term.strip("-").split()]


async def ask(bot_run, fake_api: FakeBotApi, question: str = QUESTION) -> dict:
    [reply] = sent(await bot_run.process(fake_api.message_update(USER, question)))
    return reply


async def test_cite_gives_title_publisher_date_and_a_link_to_the_quoted_words(bot, fake_api: FakeBotApi,
                                                                            state_retriever: Retriever) -> None:
    async with bot() as run:
        reply = await ask(run, fake_api)
        cite = next(b for b in buttons_of(reply) if b["text"] == "Cite 1")
        calls = await run.process(fake_api.callback_update(USER, cite["callback_data"], reply["message_id"]))
    assert not run.errors
    [answered] = sent(calls, "answerCallbackQuery")
    [citation] = sent(calls)
    passage = state_retriever.passage(cite["callback_data"].split(":", 1)[1])
    assert passage is not None and passage.text in quoted(reply["text"])[0]
    code = re.search(r"<code>(.*)</code>", citation["text"], re.S)
    assert code is not None
    text = code.group(1)
    from html import unescape

    text = unescape(text)
    day = date.fromisoformat(passage.date)
    assert passage.title in text and "U.S. Department of State" in text
    assert f"{day:%B} {day.day}, {day.year}" in text and f"{date.today():%B} {date.today().day}" in text
    link = FRAGMENT.search(text)
    assert link is not None and text.count(passage.url) == 1
    words = fragment_words(link.group(1))
    assert words and all(word in passage.text.split() for word in words)
    copies = [b for b in buttons_of(citation) if "copy_text" in b] if citation.get("reply_markup") else []
    for copy in copies:  # the whole citation, or its reference, when it fits; with the link to the words
        copied = copy["copy_text"]["text"]
        assert len(copied) <= 256 and passage.title in copied and link.group(0) in copied
        assert (copy["text"], passage.text in copied) in (("📋 Copy citation", True),
                                                          ("📋 Copy reference (without the quote)", False))


async def test_the_answer_links_each_quote_to_its_words_on_the_page(bot, fake_api: FakeBotApi) -> None:
    async with bot() as run:
        reply = await ask(run, fake_api)
    links = re.findall(r'<a href="(https://www\.state\.gov/[^"]+)">link</a>', reply["text"])
    assert links and all("#:~:text=" in link for link in links)
    from html import unescape

    for link, passage in zip(links, quoted(reply["text"])):
        assert all(word in passage.split() for word in fragment_words(unescape(link).split("#:~:text=")[1]))


def code_text(html: str) -> str:
    """The citation a message holds in <code>, as Telegram shows it (entities unescaped)."""
    from html import unescape

    code = re.search(r"<code>(.*)</code>", html, re.S)
    assert code is not None, html
    return unescape(code.group(1))


async def test_cite_in_chicago_and_apa_is_citeprocs_rendering_of_the_exported_csl_json(
        bot, fake_api: FakeBotApi, state_retriever: Retriever) -> None:
    async with bot() as run:
        reply = await ask(run, fake_api)
        cite = next(b for b in buttons_of(reply) if b["text"] == "Cite 1")
        citations, confirmations = {}, {}
        for style in ("chicago-author-date", "apa"):
            [confirmations[style]] = sent(await run.process(fake_api.message_update(USER, f"/citestyle {style}")))
            [citations[style]] = sent(await run.process(fake_api.callback_update(USER, cite["callback_data"],
                                                                                 reply["message_id"])))
        exported = sent(await run.process(fake_api.message_update(USER, "/export")), "sendDocument")
    assert not run.errors
    passage = state_retriever.passage(cite["callback_data"].split(":", 1)[1])
    assert passage is not None
    files = {call["document"].filename.rsplit(".", 1)[1]: call["document"].content.decode() for call in exported}
    [item] = json.loads(files["json"])
    assert item["id"] == passage.id and "#:~:text=" in item["URL"]
    quote = "“" + " ".join(passage.text.split()) + "”"
    for style, label in (("chicago-author-date", "Chicago author-date"), ("apa", "APA")):
        assert confirmations[style]["text"] == f"Citations in this chat are now in the {label} style."
        assert f"({label};" in citations[style]["text"]
        assert code_text(citations[style]["text"]) == f"{citeproc_rendering(item, style)} Quoted: {quote}"
    assert code_text(citations["apa"]["text"]).startswith(f"U.S. Department of State. ({passage.date[:4]}, ")


async def test_citestyle_buttons_offer_every_style_and_mark_the_chats(bot, fake_api: FakeBotApi) -> None:
    async with bot() as run:
        [shown] = sent(await run.process(fake_api.message_update(USER, "/citestyle")))
        notes = next(b for b in buttons_of(shown) if b["text"] == "Chicago notes")
        calls = await run.process(fake_api.callback_update(USER, notes["callback_data"], shown["message_id"]))
        reply = await ask(run, fake_api)
        cite = next(b for b in buttons_of(reply) if b["text"] == "Cite 1")
        [citation] = sent(await run.process(fake_api.callback_update(USER, cite["callback_data"], reply["message_id"])))
        [typed] = sent(await run.process(fake_api.message_update(USER, "/citestyle plain")))
        [again] = sent(await run.process(fake_api.callback_update(USER, cite["callback_data"], reply["message_id"])))
    assert not run.errors
    assert [b["text"] for b in buttons_of(shown)] == ["✓ Plain", "Chicago author-date", "Chicago notes", "APA", "MLA",
                                                      "Harvard"]
    [answered] = sent(calls, "answerCallbackQuery")
    [edited] = sent(calls, "editMessageReplyMarkup")
    assert answered["text"] == "Citations in this chat are now in the Chicago notes style."
    assert [b["text"] for row in edited["reply_markup"]["inline_keyboard"] for b in row][2] == "✓ Chicago notes"
    assert "(Chicago notes;" in citation["text"] and "<code>U.S. Department of State, “" in citation["text"]
    assert "Plain" in typed["text"] and code_text(again["text"]).startswith("“")


async def test_a_chat_that_chose_the_old_chicago_style_cites_in_chicago_notes(bot, fake_api: FakeBotApi) -> None:
    async with bot() as run:
        reply = await ask(run, fake_api)
        run.application.chat_data[USER].cite_style = "chicago"  # as a state file of an earlier version holds it
        cite = next(b for b in buttons_of(reply) if b["text"] == "Cite 1")
        [citation] = sent(await run.process(fake_api.callback_update(USER, cite["callback_data"], reply["message_id"])))
        [old_button] = sent(await run.process(fake_api.callback_update(USER, "style:chicago", reply["message_id"])),
                            "answerCallbackQuery")
    assert not run.errors
    assert "(Chicago notes;" in citation["text"] and " Quoted: “" in citation["text"]
    assert old_button["text"] == "Citations in this chat are now in the Chicago notes style."
    assert run.application.chat_data[USER].cite_style == "chicago-notes"


async def test_export_sends_the_cited_passages_as_csl_json_and_ris(bot, fake_api: FakeBotApi,
                                                                    state_retriever: Retriever) -> None:
    import rispy

    async with bot() as run:
        empty = sent(await run.process(fake_api.message_update(USER, "/export")))
        reply = await ask(run, fake_api)
        from_answer = await run.process(fake_api.message_update(USER, "/export"))
        cites = [b for b in buttons_of(reply) if b["text"] in ("Cite 2", "Cite 1")]
        for cite in cites:
            await run.process(fake_api.callback_update(USER, cite["callback_data"], reply["message_id"]))
        from_cites = await run.process(fake_api.message_update(USER, "/export"))
        cleared = sent(await run.process(fake_api.message_update(USER, "/export clear")))
    assert not run.errors and all(call.status == 200 for call in from_cites + from_answer)
    assert empty[0]["text"].startswith("Nothing to export yet")
    assert cleared[0]["text"].startswith("Forgot the passages cited in this chat")
    answer_ids = [item["id"] for item in json.loads(sent(from_answer, "sendDocument")[0]["document"].content)]
    shown_ids = [b["callback_data"].split(":", 1)[1] for b in buttons_of(reply) if b["text"].startswith("Cite")]
    total = re.search(r"Results 1–\d+ of (\d+)", reply["text"])
    assert total is not None and len(answer_ids) == int(total.group(1))  # every page of the answer
    assert answer_ids[:len(shown_ids)] == shown_ids and len(shown_ids) == len(quoted(reply["text"])) >= 2
    documents = sent(from_cites, "sendDocument")
    assert [d["document"].filename.rsplit(".", 1)[1] for d in documents] == ["json", "ris"]
    assert documents[0]["caption"].startswith(f"Passages cited in this chat: {len(cites)}, as CSL-JSON")
    items = json.loads(documents[0]["document"].content)
    cited_ids = [cite["callback_data"].split(":", 1)[1] for cite in cites]
    assert [item["id"] for item in items] == cited_ids  # in the order cited
    entries = rispy.loads(documents[1]["document"].content.decode())
    for item, entry, passage_id in zip(items, entries, cited_ids):
        passage = state_retriever.passage(passage_id)
        assert passage is not None
        for style in ("chicago-author-date", "apa", "mla"):
            rendered = citeproc_rendering(item, style)
            assert passage.title.split()[0] in rendered and item["URL"] in rendered
        assert entry["title"] == passage.title and entry["publisher"] == passage.source == "U.S. Department of State"
        assert entry["date"] == passage.date.replace("-", "/") + "/" and entry["urls"] == [item["URL"]]
        assert entry["urls"][0].startswith(passage.url + "#:~:text=")


async def test_a_shared_link_opens_its_passage_with_its_citation(bot, fake_api: FakeBotApi,
                                                                state_retriever: Retriever) -> None:
    async with bot() as run:
        reply = await ask(run, fake_api)
        share = next(b for b in buttons_of(reply) if b["text"] == "Share 1")
        payload = share["url"].removeprefix("https://t.me/readouts_test_bot?start=")
        shown = sent(await run.process(fake_api.message_update(USER, f"/start {payload}")))
        gone = sent(await run.process(fake_api.message_update(USER, "/start p0123456789ab-1")))
        plain = sent(await run.process(fake_api.message_update(USER, "/start")))
    assert not run.errors and share["url"] != payload
    passage = state_retriever.passage(payload[1:])
    assert passage is not None and passage.text in quoted(shown[0]["text"])[0]
    assert passage.title in shown[0]["text"] and "<code>" in shown[1]["text"]
    assert [m["text"] for m in gone] == ["That passage is no longer in the readouts I hold."]
    assert plain[0]["text"].startswith("Hello!")


async def test_cite_on_a_shared_inline_message_opens_the_bots_chat_on_the_passage(bot, fake_api: FakeBotApi) -> None:
    async with bot() as run:
        calls = await run.process(fake_api.inline_update(USER, QUESTION))
        [answered] = sent(calls, "answerInlineQuery")
        result = answered["results"][0]
        cite = next(b for b in buttons_of(result) if b["text"] == "Cite")
        opened = sent(await run.process(fake_api.callback_update(USER, cite["callback_data"])), "answerCallbackQuery")
    assert not run.errors
    assert "#:~:text=" in result["input_message_content"]["message_text"]
    assert opened[0]["url"] == f"https://t.me/readouts_test_bot?start=p{result['id']}"
    copies = [b for b in buttons_of(result) if "copy_text" in b]
    assert all(len(b["copy_text"]["text"]) <= 256 for b in copies)


async def test_a_style_that_does_not_exist_is_named_and_the_styles_offered(bot, fake_api: FakeBotApi) -> None:
    async with bot() as run:
        [reply] = sent(await run.process(fake_api.message_update(USER, "/citestyle vancouver")))
    assert reply["text"].startswith("“vancouver” is not a citation style: choose plain / chicago-author-date / "
                                    "chicago-notes / apa / mla / harvard.")
    assert [b["text"] for b in buttons_of(reply)][:2] == ["✓ Plain", "Chicago author-date"]


async def test_start_offers_only_examples_this_index_can_answer_and_its_newest_readouts(
        bot, fake_api: FakeBotApi, state_retriever: Retriever) -> None:
    async with bot() as run:
        [reply] = sent(await run.process(fake_api.message_update(USER, "/start")))
    newest = sorted((d for d in state_retriever.documents() if d.date), key=lambda d: d.date or "", reverse=True)[:3]
    assert "Fukushima" not in reply["text"] and "Taro Kono" not in reply["text"]  # no state-dept readout names them
    assert "Newest readouts:" in reply["text"] and all(d.date in reply["text"] for d in newest)


def test_the_copy_button_holds_the_whole_citation_else_its_reference_else_nothing() -> None:
    from bot.cite import COPY_LIMIT, copy_button
    from bot.texts import ENGLISH
    from index import Passage

    def passage(text: str, url: str) -> Passage:
        return Passage("0123456789ab-1", "d", text, "Call with Minister Sato", "U.S. Department of State",
                       "2022-05-18", url, 1)

    link = "https://www.state.gov/call/#:~:text=They%20spoke"
    short = copy_button(passage("They spoke.", "https://www.state.gov/call/"), "plain", link, ENGLISH)
    assert short is not None and short.text == ENGLISH.copy_button and "They spoke." in short.copy_text.text
    long_text = "They spoke about trade. " * 20
    reference = copy_button(passage(long_text, "https://www.state.gov/call/"), "chicago-notes", link, ENGLISH)
    assert reference is not None and reference.text == ENGLISH.copy_reference_button
    assert long_text.strip() not in reference.copy_text.text and link in reference.copy_text.text
    assert len(reference.copy_text.text) <= COPY_LIMIT
    long_link = link + "%20" * 100
    assert copy_button(passage(long_text, "https://www.state.gov/call/"), "plain", long_link, ENGLISH) is None


async def test_di_maios_proposal_is_quoted_and_cited_as_his(fake_api: FakeBotApi, state_retriever: Retriever,
                                                            tmp_path: Path) -> None:
    from html import unescape

    application = application_for(fake_api, state_retriever, tmp_path / "state.pickle")
    async with processing(application, fake_api) as run:
        reply = await ask(run, fake_api, "What did Di Maio propose about Daesh in Africa?")
        quotes = quoted(reply["text"])
        [number] = [n for n, q in enumerate(quotes, 1) if q.startswith("Given the growing threat stemming from Daesh")]
        block = re.split(r"</blockquote>\n(?!<blockquote)", reply["text"])[number]
        assert block.startswith("— Foreign Minister Di Maio (via interpreter), in: <i>Secretary Antony J. Blinken Opening")
        cite = next(b for b in buttons_of(reply) if b["text"] == f"Cite {number}")
        [citation] = sent(await run.process(fake_api.callback_update(USER, cite["callback_data"], reply["message_id"])))
    assert not run.errors
    code = re.search(r"<code>(.*)</code>", citation["text"], re.S)
    assert code is not None and unescape(code.group(1)).startswith(
        "Foreign Minister Di Maio (via interpreter): “Given the growing threat")
