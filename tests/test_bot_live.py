"""The bot follows its index: a readout ingested by another process is answered without a restart,
alerts fire once for it, and watched sources are refreshed through the JobQueue."""
from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import webserver
from botharness import application_for, changing_readouts, processing, running, under_hot_reload
from conftest import QUESTIONS, TEST_TOKEN
from fakebotapi import FakeBotApi
from test_bot import STRANGER, USER, in_thread, replies
from test_live import NEW_READOUT, NEWER_READOUT, add
from test_sources_web import EN, Site

from bot import alerts
from bot.app import COMMANDS
from index.evaluate import load_questions
from index.ingest.update import ingest
from index.retrieve.live import Library

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")]
ALERT = "tidal observatories on the Zembla coast"


@pytest.fixture
def directory(tmp_path: Path, corpus_copy: Path, fake_embedder) -> Path:
    directory = tmp_path / "index"
    ingest([corpus_copy], directory, fake_embedder)
    return directory


@pytest.fixture
def library(directory: Path, fake_embedder) -> Iterator[Library]:
    library = Library(directory, fake_embedder)
    yield library
    library.close()


@pytest.fixture
def start_bot(fake_api: FakeBotApi, library: Library, tmp_path: Path) -> Callable:
    """The bot over the library, polling the fake Bot API with its JobQueue running (test_bot's, without the model)."""
    def start(retriever: Library = library, **overrides):  # noqa: ANN202
        return running(application_for(fake_api, retriever, tmp_path / "state.pickle", follow=True, **overrides))
    return start


@pytest.fixture
def process_bot(fake_api: FakeBotApi, library: Library, tmp_path: Path) -> Callable:
    """The bot over the library, initialised and fed updates one at a time (no polling, no jobs)."""
    def start(retriever: Library = library, state_file: Path = tmp_path / "state.pickle", **overrides):  # noqa: ANN202
        return processing(application_for(fake_api, retriever, state_file, follow=True, **overrides), fake_api)
    return start


async def wait_until(condition: Callable[[], bool], timeout: float) -> float:
    """Seconds until `condition` held; fails after `timeout`."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, "timed out"
        await asyncio.sleep(0.1)
    return time.monotonic() - started


def documents_in(library: Library) -> list:
    with library.snapshot() as snapshot:
        return snapshot.documents()


def passages_in(library: Library) -> int:
    with library.snapshot() as snapshot:
        return snapshot.passage_count


def readouts_in(about: dict) -> int:
    return int(re.search(r"<b>(\d+)</b> readouts", about["text"])[1])


async def test_a_running_bot_answers_from_a_readout_ingested_meanwhile_and_its_alert_fires_once(
        start_bot, fake_api: FakeBotApi, library: Library, corpus_copy: Path, directory: Path, fake_embedder) -> None:
    async with start_bot(retriever=library):
        for n, text in enumerate((f"/alert {ALERT}", "/about", ALERT), start=1):
            fake_api.message(USER, text)
            await in_thread(replies, fake_api, USER, n)
        saved, about, before = replies(fake_api, USER, 3)
        assert saved["text"].startswith("Saved.") and "No readout mentions Zembla." in before["text"]

        ingested = time.monotonic()
        await in_thread(add, corpus_copy, "zembla.txt", NEW_READOUT, directory, fake_embedder)
        [*_, alert] = await in_thread(replies, fake_api, USER, 4)
        assert time.monotonic() - ingested < 10
        fake_api.message(USER, ALERT)
        fake_api.message(USER + 1, "/about")
        [*_, answer] = await in_thread(replies, fake_api, USER, 5)
        [after] = await in_thread(replies, fake_api, USER + 1)

        generation = library.generation
        await in_thread(add, corpus_copy, "borduria.txt", NEWER_READOUT, directory, fake_embedder)
        await wait_until(lambda: library.generation != generation, 10)
        await asyncio.sleep(0.5)  # time for a second alert to go out, if one wrongly did
    assert "New readouts for your alert" in alert["text"] and "three tidal observatories" in alert["text"]
    assert "<blockquote>" in alert["text"] and "Zembla on Tidal Observatories" in alert["text"]
    assert "three tidal observatories" in answer["text"] and "<blockquote>" in answer["text"]
    assert (readouts_in(about), readouts_in(after)) == (5, 6)
    assert sum("for your alert" in m["text"] for m in fake_api.sent("sendMessage", chat_id=USER)) == 1


async def test_alerts_are_listed_removed_limited_kept_across_restarts_and_stop_when_no_longer_allowed(
        process_bot, fake_api: FakeBotApi, library: Library, corpus_copy: Path, directory: Path, fake_embedder,
        tmp_path: Path) -> None:
    state = tmp_path / "alerts.pickle"
    async with process_bot(retriever=library, state_file=state, alerts_per_chat=2) as bot:
        for text in (f"/alert {ALERT}", "/alert glacier monitoring in Borduria", "/alert Korean Peninsula",
                     f"/alert {ALERT.upper()}", "/alert"):
            await bot.process(fake_api.message_update(USER, text))
        refused, again, usage = [m["text"] for m in fake_api.sent("sendMessage", chat_id=USER)[2:]]
    assert "the most it may have" in refused and "already" in again and usage.startswith("Usage: /alert")

    async with process_bot(retriever=library, state_file=state) as bot:  # a restart
        [listing] = [c.params for c in await bot.process(fake_api.message_update(USER, "/alerts"))]
        assert listing["text"].count("<i>") == 2 and ALERT in listing["text"]
        remove = listing["reply_markup"]["inline_keyboard"][1][0]
        assert remove["text"] == "✖ Remove 2"
        calls = await bot.process(fake_api.callback_update(USER, remove["callback_data"], message_id=80))
        [edited] = [c.params for c in calls if c.method == "editMessageText"]
        assert "glacier" not in edited["text"] and ALERT in edited["text"]
        calls = await bot.process(fake_api.callback_update(USER, remove["callback_data"], message_id=80))
        assert [c.params["text"] for c in calls if c.method == "answerCallbackQuery"] == ["That alert was removed already."]

        add(corpus_copy, "zembla.txt", NEW_READOUT, directory, fake_embedder)
        change = library.refresh()
        assert await alerts.deliver(bot.application, change) == 1
        assert await alerts.deliver(bot.application, change) == 0  # each passage once
        zembla = corpus_copy / "zembla.txt"
        zembla.write_text(zembla.read_text().replace("March 3, 2025", "March 4, 2025"))  # the doc changes, not the paragraph
        ingest([corpus_copy], directory, fake_embedder)
        change = library.refresh()
        assert str(zembla.resolve()) in change.documents
        calls = [c for c in fake_api.calls if c.method == "sendMessage"]
        await alerts.deliver(bot.application, change)
        later = [c.params["text"] for c in fake_api.calls if c.method == "sendMessage"][len(calls):]
        assert not any("three tidal observatories" in text for text in later)
    assert not bot.errors

    async with process_bot(retriever=library, state_file=state, allowed_user_ids=frozenset({STRANGER})) as bot:
        before = len(fake_api.sent("sendMessage"))
        (corpus_copy / "zembla-2.txt").write_text(NEW_READOUT.replace("three", "four"))
        ingest([corpus_copy], directory, fake_embedder)
        assert await alerts.deliver(bot.application, library.refresh()) == 0
        assert len(fake_api.sent("sendMessage")) == before


async def test_the_bot_refreshes_watched_sources_and_answers_from_them(
        start_bot, fake_api: FakeBotApi, library: Library, tmp_path: Path) -> None:
    site = Site()
    threading.Thread(target=site.serve_forever, daemon=True).start()
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[source]]\nname = "lu-kang"\nurl = "{site.base}{EN}t1559310.shtml"\nkind = "page"\n'
                       'interval = "1h"\n')
    try:
        async with start_bot(retriever=library, sources=str(sources)):
            await wait_until(lambda: passages_in(library) > 30 and len(documents_in(library)) == 6, 15)
            fake_api.message(USER, "Lu Kang regular press conference May 14 2018")
            [answer] = await in_thread(replies, fake_api)
    finally:
        site.shutdown()
        site.server_close()
    assert "Lu Kang's Regular Press Conference on May 14, 2018" in answer["text"]
    assert site.answers[(f"{EN}t1559310.shtml", 200)] == 1


def test_the_menu_and_help_have_the_alert_commands() -> None:
    from bot.texts import CHINESE, ENGLISH, JAPANESE

    assert {"alert", "alerts"} <= {command.command for command in COMMANDS}
    assert "/alert &lt;question&gt;" in ENGLISH.help_html
    assert all("/alert &lt;" in texts.help_html and "/alerts" in texts.help_html for texts in (CHINESE, JAPANESE))


def test_readouts_chat_answers_from_a_readout_ingested_between_two_questions(
        library: Library, corpus_copy: Path, directory: Path, fake_embedder, monkeypatch, capsys) -> None:
    import index
    from bot.cli import run_chat

    class Typed:
        """stdin as a pipe: the ingest happens after the first question is read."""

        def __init__(self) -> None:
            self.lines = iter([ALERT + "\n", None, ALERT + "\n"])

        def readline(self) -> str:
            line = next(self.lines, "")
            if line is None:
                add(corpus_copy, "zembla.txt", NEW_READOUT, directory, fake_embedder)
                time.sleep(0.6)
                return "\n"
            return line

        def isatty(self) -> bool:
            return False

        def reconfigure(self, **options: object) -> None:
            pass

    monkeypatch.setenv("READOUTS_RELOAD_SECONDS", "0.5")
    monkeypatch.setattr(index, "open_library", lambda flag: library)
    monkeypatch.setattr("sys.stdin", Typed())
    assert run_chat(type("Args", (), {"index": None})()) == 0
    out = capsys.readouterr().out
    assert out.index("No readout mentions Zembla.") < out.index("three tidal observatories")


async def test_a_slow_source_holds_up_no_other_source_nor_an_ingest_and_the_bot_stops_at_once(
        start_bot, library: Library, directory: Path, tmp_path: Path, fake_embedder, monkeypatch) -> None:
    from bot import live

    monkeypatch.setattr(live, "WATCH_STAGGER", 0.5)
    with webserver.serving() as web:
        web.routes["/slow"] = lambda answer: answer.trickle(0.5)
        web.page("/one", webserver.readout("coral reefs"))
        web.page("/two", webserver.readout("mangrove forests"))
        sources = tmp_path / "sources.toml"
        sources.write_text("".join(f'[[source]]\nname = "{name}"\nurl = "{web.url("/" + name)}"\ninterval = "1h"\n\n'
                                   for name in ("slow", "one", "two")))
        folder = tmp_path / "more"
        folder.mkdir()
        (folder / "kelp.txt").write_text("Readout on Kelp\n\nThe ministers discussed kelp farming along the coast "
                                         "and agreed to share what their scientists have learnt about it.\n")
        async with start_bot(retriever=library, sources=str(sources), fetch_seconds=60):
            await in_thread(web.wait_for, "/slow")
            await wait_until(lambda: {web.url("/one"), web.url("/two")} <= {d.path for d in documents_in(library)}, 15)
            report = await in_thread(ingest, [folder], directory, fake_embedder)  # no IndexBusy
            assert report.added == ["kelp.txt"]
            stopping = time.monotonic()
        assert time.monotonic() - stopping < 3.0
    assert len(web.asked("/slow")) == 1


def test_the_bot_stops_on_sigterm_during_a_slow_fetch(fake_api: FakeBotApi, seeds_index: Path, tmp_path: Path) -> None:
    """The real entry point in a subprocess, a source trickling a byte at a time: SIGTERM, and it is gone."""
    import os
    import shutil
    import signal
    import subprocess
    import sys

    index = tmp_path / "index"
    shutil.copytree(seeds_index, index)
    with webserver.serving() as web:
        web.routes["/slow"] = lambda answer: answer.trickle(0.5)
        sources = tmp_path / "sources.toml"
        sources.write_text(f'[[source]]\nname = "slow"\nurl = "{web.url("/slow")}"\n')
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TEST_TOKEN, "TELEGRAM_API_BASE_URL": fake_api.url,
               "READOUTS_INDEX": str(index), "READOUTS_BOT_STATE": str(tmp_path / "state.pickle"),
               "READOUTS_SOURCES": str(sources), "READOUTS_FETCH_SECONDS": "120",
               "PYTHONPATH": os.pathsep.join(sys.path)}
        bot = subprocess.Popen([sys.executable, "-m", "bot"], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
        try:
            web.wait_for("/slow", timeout=120)
            time.sleep(1.0)
            stopping = time.monotonic()
            bot.send_signal(signal.SIGTERM)
            _, stderr = bot.communicate(timeout=30)
        finally:
            bot.kill()
    assert time.monotonic() - stopping < 5.0, stderr
    assert bot.returncode == 0 and "Traceback" not in stderr


@pytest.mark.parametrize("filters", ["after:2023-13-45", "before:yesterday-ish", "since:2024-02-30"])
async def test_an_alert_is_refused_as_a_question_with_its_filters_would_be(process_bot, fake_api: FakeBotApi,
                                                                        filters: str) -> None:
    async with process_bot() as bot:
        [asked] = [c.params["text"] for c in await bot.process(fake_api.message_update(USER, f"zebrafish {filters}"))]
        [refused] = [c.params["text"] for c in await bot.process(fake_api.message_update(
            USER, f"/alert zebrafish {filters}"))]
        [listing] = [c.params["text"] for c in await bot.process(fake_api.message_update(USER, "/alerts"))]
    assert "is not a date" in asked and refused == asked  # the question's own error, word for word
    assert "no alerts" in listing and not bot.errors


async def test_an_alert_whose_filters_match_nothing_yet_is_saved(process_bot, fake_api: FakeBotApi) -> None:
    async with process_bot() as bot:
        [saved] = [c.params["text"] for c in await bot.process(fake_api.message_update(
            USER, f"/alert {ALERT} after:2031-01-01"))]
        [listing] = [c.params["text"] for c in await bot.process(fake_api.message_update(USER, "/alerts"))]
    assert saved.startswith("Saved.") and "after:2031-01-01" in listing and not bot.errors


async def test_context_and_more_on_passages_a_reingest_removed_say_they_are_gone(
        process_bot, fake_api: FakeBotApi, library: Library, corpus_copy: Path, directory: Path,
        fake_embedder) -> None:
    add(corpus_copy, "zembla.txt", NEW_READOUT, directory, fake_embedder)
    library.refresh()
    async with process_bot(retriever=library, results_per_page=1) as bot:
        [answer] = [c.params for c in await bot.process(fake_api.message_update(USER, ALERT))]
        rows = answer["reply_markup"]["inline_keyboard"]
        context_button = next(b["callback_data"] for row in rows for b in row if b["text"] == "Context 1")
        cite_button = next(b["callback_data"] for row in rows for b in row if b["text"] == "Cite 1")
        more_button = f"more:{context_button.split(':')[1]}:0"  # the page again, as ◀ Previous would show it
        message = int(answer["message_id"])
        before = [c.params.get("text", "") for c in await bot.process(
            fake_api.callback_update(USER, context_button, message_id=message))]
        assert any("three tidal observatories" in text for text in before)  # while the readout is indexed

        (corpus_copy / "zembla.txt").unlink()
        ingest([corpus_copy], directory, fake_embedder)
        library.refresh()
        answered = {}
        for name, data in (("context", context_button), ("cite", cite_button), ("more", more_button)):
            calls = await bot.process(fake_api.callback_update(USER, data, message_id=message))
            [answered[name]] = [c.params for c in calls if c.method == "answerCallbackQuery"]
            assert not [c for c in calls if c.method in ("sendMessage", "editMessageText")], name
    assert "three tidal observatories" in answer["text"]
    assert answered["context"]["text"] == answered["cite"]["text"] == "That passage is no longer in the readouts I hold."
    assert answered["more"]["text"].startswith("The passages of this answer are no longer")
    assert not bot.errors


async def test_a_page_some_of_whose_passages_left_the_index_shows_the_others_and_says_so(
        process_bot, fake_api: FakeBotApi, library: Library, corpus_copy: Path, directory: Path,
        fake_embedder) -> None:
    async with process_bot(retriever=library, results_per_page=2) as bot:
        [answer] = [c.params for c in await bot.process(fake_api.message_update(USER, "China Japan relations"))]
        first_quote = answer["text"].split("<blockquote>")[1].split("</blockquote>")[0].replace("<b>", "").replace(
            "</b>", "")
        [holder] = [f for f in corpus_copy.iterdir() if f.is_file() and first_quote[:60] in f.read_text(errors="replace")]
        holder.unlink()
        ingest([corpus_copy], directory, fake_embedder)
        library.refresh()
        key = answer["reply_markup"]["inline_keyboard"][0][-1]["callback_data"].split(":")[1]
        calls = await bot.process(fake_api.callback_update(USER, f"more:{key}:0", message_id=int(answer["message_id"])))
    [page] = [c.params for c in calls if c.method == "editMessageText"]
    assert "no longer in the readouts I hold" in page["text"] and page["text"].count("<blockquote>") == 2
    assert first_quote[:60] not in page["text"].replace("<b>", "").replace("</b>", "")
    contexts = [b["callback_data"] for row in page["reply_markup"]["inline_keyboard"] for b in row
                if b["text"].startswith("Context")]
    assert all(not data.endswith(":0") for data in contexts)  # each names its passage's place in the kept answer
    assert not bot.errors


async def test_alerts_send_one_folded_digest_per_refresh_in_the_chats_language(
        process_bot, fake_api: FakeBotApi, library: Library, corpus_copy: Path, directory: Path, fake_embedder) -> None:
    from telegramhtml import parse_html

    from bot.texts import CHINESE

    async with process_bot(retriever=library) as bot:
        for question in (ALERT, "Zembla coast observatories", "tidal observatories"):
            await bot.process(fake_api.message_update(USER, f"/alert {question}", language="zh-hans"))
        before = len(fake_api.sent("sendMessage"))
        add(corpus_copy, "zembla.txt", NEW_READOUT, directory, fake_embedder)
        assert await alerts.deliver(bot.application, library.refresh()) == 1  # three alerts, one message
        [digest] = fake_api.sent("sendMessage")[before:]
    assert not bot.errors and not fake_api.refused()
    text = digest["text"]
    assert text.startswith(CHINESE.alert_digest_html.split("{")[0]) and "<blockquote" in text
    shown = parse_html(text)
    assert all(question in shown for question in (ALERT, "Zembla coast observatories", "tidal observatories"))
    assert "three tidal observatories" in shown and len(shown) <= 4096


async def test_under_hot_reload_every_question_is_answered_and_nothing_goes_wrong(
        fake_api: FakeBotApi, library: Library, corpus_copy: Path, directory: Path, fake_embedder, tmp_path: Path) -> None:
    """Issue 28's bar for ten seconds (benchmarks/hot_reload.py runs the minute, with the real model):
    20 questions a second, and buttons pressed under earlier answers, while a new generation is
    written every 2 s and the bot swaps it in."""
    first = library.generation
    questions = [q.q for q in load_questions(QUESTIONS / "seeds.jsonl")]
    questions += ["tidal observatories on the Zembla coast", "What did Wang Yi say about the Zembla coast?"]
    report = await under_hot_reload(fake_api, library, tmp_path / "state.json",
                                    changing_readouts(corpus_copy, directory, fake_embedder), questions, seconds=10)
    assert report.asked == 200 and report.ingests >= 3 and report.pressed >= 15, report.line()
    assert report.answered == report.asked and report.sorry == 0 and not report.errors, report.line()
    assert library.generation != first
