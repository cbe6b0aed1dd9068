"""Watched sources: the sources file, one refresh of each (`readouts watch --once`), the schedule."""
from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import webserver
from hypothesis import given, settings
from hypothesis import strategies as st
from test_sources_web import EN, Site

from index import cli
from index.ingest.watch import Outcome, Source, SourcesInvalid, Watcher, load_sources, parse_interval
from index.store import generations as store

GOOD = """# sources the bot follows
[[source]]
name = "fmprc-en"
url = "https://www.fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/2511_665403/"
kind = "listing"
interval = "30m"

[[source]]
name = "a feed"
url = "https://example.org/feed.xml"
kind = "feed"
interval = 7200

[[source]]
name = "one page"
url = "http://example.org/page.html"
"""


@pytest.fixture
def site() -> Iterator[Site]:
    server = Site()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_sources_file_parses(tmp_path: Path) -> None:
    assert load_sources(write(tmp_path, GOOD)) == [
        Source("fmprc-en", "https://www.fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/2511_665403/", "listing", 1800.0),
        Source("a feed", "https://example.org/feed.xml", "feed", 7200.0),
        Source("one page", "http://example.org/page.html", "auto", 3600.0),
    ]
    assert [parse_interval(v) for v in ("90", "90s", "2m", "1.5h", "1d", 60)] == [90, 90, 120, 5400, 86400, 60]


ONE = '[[source]]\nname = "x"\nurl = "https://example.org/"\n'


@pytest.mark.parametrize("text, message", [
    ("[[source]\nname = 1", r"sources.toml is not valid TOML: .*line 1"),
    ("", "lists no sources"),
    ('title = "mine"\n' + ONE, "unknown key 'title' at the top level"),
    (ONE + "\n[[source]]\nname = 'y'\n", r"source 2 \(line 5\): field 'url' is missing or empty"),
    (ONE + 'kind = "rss"\n', r"source 1 \(line 1\): field 'kind' must be one of page, feed, listing, auto, not 'rss'"),
    (ONE + 'interval = "often"\n', r"field 'interval' must be like \"30m\", \"2h\", \"1d\" or a number of seconds, "
                                   r"not 'often'"),
    (ONE + 'interval = "10s"\n', "at most once a minute"),
    (ONE + 'intervall = "1h"\n', r"unknown field 'intervall' \(the fields are name, url, kind, interval\)"),
    (ONE.replace("https://example.org/", "ftp://example.org/"), "field 'url' must start with http:// or https://"),
    (ONE + "\n\n" + ONE, r"source 2 \(line 6\): name 'x' is used twice"),
    ('[[source]]\nname = ""\nurl = "https://e.org/"\n', "field 'name' is missing or empty"),
])
def test_a_bad_sources_file_says_where_and_what(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SourcesInvalid, match=message):
        load_sources(write(tmp_path, text))


def test_a_missing_sources_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(SourcesInvalid, match="cannot read the sources file .*nowhere.toml"):
        load_sources(tmp_path / "nowhere.toml")


def test_watch_once_ingests_each_source_and_reports_it(site: Site, tmp_path: Path, fake_embedder, monkeypatch,
                                                       capsys) -> None:
    monkeypatch.setattr(cli, "embedder_to_ingest", lambda choice, directory: fake_embedder)
    page, other, gone = (f"{site.base}{EN}{name}.shtml" for name in ("t1559310", "t1581940", "t1000000"))
    sources = write(tmp_path, f"""
[[source]]
name = "lu-kang"
url = "{page}"
kind = "page"
interval = "2h"

[[source]]
name = "second"
url = "{other}"
interval = "1h"

[[source]]
name = "gone"
url = "{gone}"

[[source]]
name = "said to be a feed"
url = "{site.base}{EN}t1561142.shtml"
kind = "feed"
""")
    directory = tmp_path / "index"
    assert cli.main(["watch", str(sources), "--index", str(directory), "--once"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("] ", 1)[1] for line in lines] == [
        "lu-kang: 1 new, 0 unchanged, 0 failed",
        "second: 1 new, 0 unchanged, 0 failed",
        "gone: 0 new, 0 unchanged, 1 failed (HTTP 404)",
        "said to be a feed: 0 new, 0 unchanged, 1 failed (a page, not a feed as the sources file says)",
    ]
    assert all(line.startswith("[20") for line in lines)
    assert {record.path for record in store.load(directory).manifest.documents} == {page, other}

    assert cli.main(["watch", str(sources), "--index", str(directory), "--once"]) == 0
    assert capsys.readouterr().out.splitlines()[0].endswith("lu-kang: 0 new, 1 unchanged, 0 failed")
    assert site.answers[(f"{EN}t1559310.shtml", 304)] == 1


def test_an_empty_index_and_a_source_that_fails_is_a_failed_line_not_a_crash(site: Site, tmp_path: Path,
                                                                              fake_embedder) -> None:
    outcome = Watcher(tmp_path / "index", fake_embedder).refresh(Source("gone", f"{site.base}/nowhere", "auto", 60))
    assert outcome.failed and outcome.line().endswith("gone: 0 new, 0 unchanged, 1 failed (HTTP 404)")


def test_the_schedule_refreshes_each_source_on_its_interval() -> None:
    now = [0.0]
    refreshed: list[tuple[float, str]] = []

    class Counting(Watcher):
        def refresh(self, source: Source) -> Outcome:
            refreshed.append((now[0], source.name))
            return Outcome(source.name, now[0], busy=source.name == "busy" and now[0] == 0)

    def sleep(seconds: float) -> None:
        if now[0] + seconds > 400:
            raise KeyboardInterrupt
        now[0] += seconds

    sources = [Source("often", "http://a/", "auto", 100), Source("rarely", "http://b/", "auto", 300),
               Source("busy", "http://c/", "auto", 3600)]
    with pytest.raises(KeyboardInterrupt):
        Counting(Path("unused"), None).run(sources, report=lambda outcome: None, clock=lambda: now[0], sleep=sleep)
    assert sorted(refreshed) == [(0, "busy"), (0, "often"), (0, "rarely"), (60, "busy"), (100, "often"),
                                 (200, "often"), (300, "often"), (300, "rarely"), (400, "often")]


# --- numbers and strings of any kind, credentials, slow sources, Ctrl-C ------------------------------------
@pytest.mark.parametrize("interval", ["nan", "inf", "-inf", "1e300", "99999999999999999999999", "-5",
                                      '"99999999999999999999d"', '"1e300"', '"nan"', "true", "[60]", "{s = 60}",
                                      "1979-05-27", '"366d"', "31622400.5"])
def test_an_interval_that_is_not_finite_or_in_range_is_one_line_naming_the_field(tmp_path: Path, interval: str) -> None:
    with pytest.raises(SourcesInvalid, match=r"source 1 \(line 1\): field 'interval' ") as error:
        load_sources(write(tmp_path, ONE + f"interval = {interval}\n"))
    assert "\n" not in str(error.value) and len(str(error.value)) < 300


def test_the_longest_and_shortest_intervals_allowed(tmp_path: Path) -> None:
    assert load_sources(write(tmp_path, ONE + 'interval = "365d"\n'))[0].interval == 365 * 86400
    assert load_sources(write(tmp_path, ONE + "interval = 60.0\n"))[0].interval == 60


def test_credentials_in_a_sources_file_are_kept_for_the_request_only(tmp_path: Path) -> None:
    [source] = load_sources(write(tmp_path, '[[source]]\nname = "x"\nurl = "https://admin:hunter2@example.org/feed"\n'))
    assert source.url == "https://example.org/feed" and source.userinfo == "admin:hunter2"
    assert "hunter2" not in repr(source) and "hunter2" not in Outcome(source.name, 0, error="x").line()
    with pytest.raises(SourcesInvalid) as error:
        load_sources(write(tmp_path, '[[source]]\nname = "x"\nurl = "ftp://admin:hunter2@example.org/feed"\n'))
    assert "hunter2" not in str(error.value) and "ftp://example.org/feed" in str(error.value)


VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
    | st.sampled_from(["30m", "2h", "1d", "60", "59s", "1e300", "nan", "http://a/", "https://u:p@b.org/x", "feed",
                       "auto", "", " ", "\x1b[31m", "http://\x00/", "http://[::1/"]),
    lambda children: st.lists(children, max_size=3), max_leaves=4)
# Mostly usable tables, each field now and then anything at all, so that the numbers reach the checks.
TABLES = st.fixed_dictionaries(
    {"name": st.sampled_from(["fmprc", "a feed", "\x1b[2J", " x "]) | st.text(max_size=8) | VALUES,
     "url": st.sampled_from(["https://example.org/feed", "http://u:p@b.org/x", "HTTP://e.org", "http://[::1]:80/",
                             "https://exa mple.org/", "http://e.org:99999/"]) | st.text(max_size=20) | VALUES},
    optional={"kind": st.sampled_from(["page", "feed", "listing", "auto"]) | VALUES,
              "interval": st.floats() | st.integers() | st.integers(-2 ** 70, 2 ** 70)
              | st.from_regex(r"\s?\d{1,25}(\.\d{1,5})?\s?[smhdx]?\s?", fullmatch=True) | VALUES,
              "intervall": VALUES})
SNIPPETS = st.sampled_from(["source = [1, 2]", "source = 'x'", "[source]\nname = 'a'", "source = [[]]",
                            "[[source]]\n[[source.x]]", "source = [{name = 'a', url = 'http://a/', interval = nan}]",
                            "[[source]]\nname='a'\nurl='http://a/'\ninterval=inf", "\ufeff[[source]]", "\x00"])


def toml_value(value: object) -> str:
    """`value` written as TOML (None, which TOML lacks, as an empty inline table)."""
    if value is None:
        return "{}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(value), repr(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    assert isinstance(value, list)
    return "[" + ", ".join(toml_value(item) for item in value) + "]"


@settings(max_examples=500, deadline=None)
@given(st.lists(TABLES, max_size=3) | (SNIPPETS | st.text(max_size=80)).map(lambda text: [text]))
def test_any_sources_file_is_sources_in_range_or_one_line_naming_what_is_wrong(tmp_path_factory, tables: list) -> None:
    path = tmp_path_factory.mktemp("sources") / "sources.toml"
    if tables and isinstance(tables[0], str):
        path.write_text(tables[0], encoding="utf-8", errors="surrogateescape")
    else:
        path.write_text("".join("[[source]]\n" + "".join(f"{key} = {toml_value(value)}\n" for key, value in table.items())
                                for table in tables), encoding="utf-8")
    try:
        sources = load_sources(path)
    except SourcesInvalid as error:
        message = str(error)
        assert str(path) in message and "\n" not in message and len(message) < 400
        assert "p@b.org" not in message  # the credentials of https://u:p@b.org/x
        return
    for source in sources:
        assert math.isfinite(source.interval) and 60 <= source.interval <= 365 * 86400
        assert source.url.lower().startswith(("http://", "https://")) and "@" not in source.url.split("/")[2]
        assert source.kind in ("page", "feed", "listing", "auto") and source.name


def test_watch_once_exits_1_when_every_source_failed_so_cron_can_tell(tmp_path: Path, fake_embedder, monkeypatch,
                                                                       capsys) -> None:
    monkeypatch.setattr(cli, "embedder_to_ingest", lambda choice, directory: fake_embedder)
    with webserver.serving() as web:
        web.page("/fine", webserver.readout("icebergs"))
        failing = f'[[source]]\nname = "gone"\nurl = "{web.url("/gone")}"\n\n' \
                  f'[[source]]\nname = "broken"\nurl = "{web.url("/broken")}"\n'
        assert cli.main(["watch", str(write(tmp_path, failing)), "--index", str(tmp_path / "i"), "--once"]) == 1
        out, err = capsys.readouterr()
        assert out.count("1 failed (HTTP 404)") == 2 and "every source failed (2)" in err
        one_fine = failing + f'\n[[source]]\nname = "fine"\nurl = "{web.url("/fine")}"\n'
        assert cli.main(["watch", str(write(tmp_path, one_fine)), "--index", str(tmp_path / "i"), "--once"]) == 0
        assert [line.split("] ", 1)[1] for line in capsys.readouterr().out.splitlines()] == [
            "gone: 0 new, 0 unchanged, 1 failed (HTTP 404)", "broken: 0 new, 0 unchanged, 1 failed (HTTP 404)",
            "fine: 1 new, 0 unchanged, 0 failed"]


def test_a_slow_source_delays_no_other_and_stop_ends_the_run(tmp_path: Path, fake_embedder) -> None:
    with webserver.serving() as web:
        web.routes["/slow"] = lambda answer: answer.trickle(0.2)
        web.page("/fast", webserver.readout("glaciers"))
        watcher = Watcher(tmp_path / "index", fake_embedder, deadline=60)
        outcomes: list[tuple[float, Outcome]] = []
        started = time.monotonic()
        sources = [Source("slow", web.url("/slow"), "auto", 60), Source("fast", web.url("/fast"), "auto", 60)]
        thread = threading.Thread(target=watcher.run, args=(sources,),
                                  kwargs={"report": lambda outcome: outcomes.append((time.monotonic(), outcome))})
        thread.start()
        web.wait_for("/slow")
        while not outcomes and time.monotonic() - started < 10:
            time.sleep(0.05)
        [(when, fast)] = outcomes
        assert fast.source == "fast" and fast.new == 1 and when - started < 5
        assert [record.path for record in store.load(tmp_path / "index").manifest.documents] == [web.url("/fast")]
        stopping = time.monotonic()
        watcher.stop()
        thread.join(timeout=5)
        assert not thread.is_alive() and time.monotonic() - stopping < 1.0
        assert [outcome.source for _, outcome in outcomes] == ["fast"]  # the cancelled one is not reported


def test_ctrl_c_ends_watch_within_a_second_even_during_a_slow_fetch(tmp_path: Path) -> None:
    with webserver.serving() as web:
        web.routes["/slow"] = lambda answer: answer.trickle(0.5)
        sources = write(tmp_path, f'[[source]]\nname = "slow"\nurl = "{web.url("/slow")}"\n')
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "READOUTS_FETCH_SECONDS": "120",
               "HF_HUB_OFFLINE": "1"}
        for once in ([], ["--once"]):
            web.requests.clear()
            watch = subprocess.Popen([sys.executable, "-m", "index.cli", "watch", str(sources), "--index",
                                      str(tmp_path / "index"), *once], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, preexec_fn=hearing_ctrl_c)
            try:
                web.wait_for("/slow", timeout=60)
                time.sleep(1.0)
                interrupted = time.monotonic()
                watch.send_signal(signal.SIGINT)
                out, err = watch.communicate(timeout=10)
            finally:
                watch.kill()
            assert time.monotonic() - interrupted < 1.0, err
            assert watch.returncode == (130 if once else 0) and "stopped" in err and "Traceback" not in err


@pytest.mark.parametrize("raw", ["nan", "inf", "1e300", "0"])
def test_a_fetch_deadline_out_of_range_stops_watch_and_ingest_at_start_with_one_line(
        tmp_path: Path, fake_embedder, monkeypatch, capsys, raw: str) -> None:
    monkeypatch.setattr(cli, "embedder_to_ingest", lambda choice, directory: fake_embedder)
    monkeypatch.setenv("READOUTS_FETCH_SECONDS", raw)
    with webserver.serving() as web:
        for command in (["watch", str(write(tmp_path, f'[[source]]\nname = "a"\nurl = "{web.url("/a")}"\n'))],
                        ["ingest", web.url("/a")]):
            assert cli.main([*command, "--index", str(tmp_path / "index")]) == 2
            assert capsys.readouterr().err == f"readouts: READOUTS_FETCH_SECONDS must be between 1 and 600, not {raw!r}\n"
        assert web.requests == []


def hearing_ctrl_c() -> None:
    """A child as a terminal starts it: a suite run as a background job (SIGINT ignored, and inherited)
    must still test what Ctrl-C does."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_the_kernel_hands_to_a_refresh_thread_still_stops_the_run_within_a_second() -> None:
    """A process-wide signal may be given to any thread: one taken by a fetch's thread wakes no wait of
    the main thread, which must come round to see it (watch.WAKE) rather than wait for the fetch."""
    started = threading.Event()

    class Fetching(Watcher):
        def refresh(self, source: Source) -> Outcome:
            started.set()
            self._stopped.wait(30)  # a slow fetch, until the watch is stopped
            return Outcome(source.name, time.time(), error="stopped")

    def interrupt_the_refresh_thread() -> None:
        assert started.wait(10)
        [thread] = [t for t in threading.enumerate() if t.name.startswith("readouts-watch")]
        time.sleep(0.2)
        signal.pthread_kill(thread.ident, signal.SIGINT)  # type: ignore[arg-type]

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # heard even in a background job
    try:
        threading.Thread(target=interrupt_the_refresh_thread, daemon=True).start()
        begun = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            Fetching(Path("unused"), None).run([Source("slow", "http://a/", "auto", 3600)], once=True,
                                               report=lambda outcome: None)
        assert time.monotonic() - begun < 0.2 + 1.0
    finally:
        signal.signal(signal.SIGINT, previous)
