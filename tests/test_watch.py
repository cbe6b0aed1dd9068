"""Watched sources: the sources file, one refresh of each (`readouts watch --once`), the schedule."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_sources_web import EN, Site

from index import cli, store
from index.watch import Outcome, Source, SourcesInvalid, Watcher, load_sources, parse_interval

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
    page, other, gone = (f"{site.base}{EN}{name}.shtml" for name in ("t1559310", "t1559633", "t1000000"))
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
