"""URLs, feeds and listing pages served from the tests' fmprc pages (tests/corpus/fmprc) on 127.0.0.1 (never the
internet)."""
from __future__ import annotations

import hashlib
import http.server
import json
import re
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FMPRC

from index import store
from index.ingest import ingest
from index.sources.web import STATE_FILE, USER_AGENT, Fetcher, fetch_documents

EN = "/mfa_eng/xwfw_665399/s2510_665401/2511_665403/"
ZH = "/web/wjdt_674879/fyrbt_674889/"
LISTING = "mfa_eng_xwfw_665399_s2510_665401_2511_665403_default.shtml"
FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>外交部发言人表态</title><link>{base}{zh}</link>
<item><title>2016年11月24日外交部发言人耿爽主持例行记者会</title><link>{base}{zh}t1418362.shtml</link></item>
<item><title>2016年12月1日外交部发言人耿爽主持例行记者会</title><link>{base}{zh}t1420479.shtml</link></item>
<item><title>不存在的一页</title><link>{base}{zh}t1000000.shtml</link></item>
</channel></rss>"""


class Site(http.server.ThreadingHTTPServer):
    """The ministry's pages at their own paths, with ETags; counts the answers it gives by status."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.answers: Counter[tuple[str, int]] = Counter()
        self.agents: set[str] = set()
        self.flaky = 1  # /flaky fails this many times with 503 before it answers
        self.feed = b""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def body(self, path: str) -> tuple[bytes, str] | None:
        if path == "/feed.xml":
            return self.feed, "application/rss+xml"
        if path == "/flaky":
            return (FMPRC / "en" / "t1559310.html").read_bytes(), "text/html"
        name = path.rsplit("/", 1)[-1]
        for prefix, folder, listing in ((EN, "en", "mfa_eng_xwfw_665399_s2510_665401_2511_665403"),
                                        (ZH, "zh", "web_wjdt_674879_fyrbt_674889")):
            if path.startswith(prefix):
                if name.startswith("default"):
                    file = FMPRC / "listings" / f"{listing}_{name}"
                else:
                    file = FMPRC / folder / name.replace(".shtml", ".html")
                return (file.read_bytes(), "text/html") if file.is_file() else None
        return None


class Handler(http.server.BaseHTTPRequestHandler):
    server: Site

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.agents.add(self.headers.get("User-Agent", ""))
        if self.path == "/flaky" and self.server.flaky > 0:
            self.server.flaky -= 1
            return self._answer(503, b"busy")
        found = self.server.body(self.path)
        if found is None:
            return self._answer(404, b"not found")
        body, kind = found
        etag = '"' + hashlib.md5(body).hexdigest() + '"'
        if self.headers.get("If-None-Match") == etag:
            return self._answer(304, b"", etag=etag)
        self._answer(200, body, kind, etag)

    def _answer(self, status: int, body: bytes, kind: str = "text/plain", etag: str | None = None) -> None:
        self.server.answers[(self.path, status)] += 1
        self.send_response(status)
        if etag:
            self.send_header("ETag", etag)
        if status != 304:
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[Site]:
    server = Site()
    server.feed = FEED.format(base=server.base, zh=ZH).encode()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def count(site: Site, status: int, prefix: str = "") -> int:
    return sum(n for (path, code), n in site.answers.items() if code == status and path.startswith(prefix))


def test_page_feed_and_listing_in_one_run_then_nothing_unchanged_is_downloaded(
        site: Site, tmp_path: Path, fake_embedder, seeds_dir: Path) -> None:
    page = f"{site.base}{EN}t1559310.shtml"
    feed = f"{site.base}/feed.xml"
    listing = f"{site.base}{EN}default.shtml"
    report = ingest([], tmp_path, fake_embedder, urls=[page, feed, listing], fetcher=Fetcher(backoff=0))
    index = store.load(tmp_path)
    paths = {record.path for record in index.manifest.documents}
    assert page in paths and f"{site.base}{ZH}t1418362.shtml" in paths and f"{site.base}{ZH}t1420479.shtml" in paths
    listed = set(re.findall(r'href="\./(t\d+)\.shtml"', (FMPRC / "listings" / LISTING).read_text()))
    present = {name for name in listed if (FMPRC / "en" / f"{name}.html").is_file()}
    assert len(present) >= 10 and len(listed - present) >= 10
    assert {f"{site.base}{EN}{name}.shtml" for name in present} <= paths
    missing = {url: reason for url, reason in report.skipped}
    assert missing[f"{site.base}{ZH}t1000000.shtml"] == "HTTP 404"
    assert {url for url, reason in missing.items() if reason == "HTTP 404"} == {
        f"{site.base}{ZH}t1000000.shtml", *(f"{site.base}{EN}{name}.shtml" for name in listed - present)}
    assert len(paths) == len({"t1559310"} | present) + 2
    assert site.agents == {USER_AGENT}
    record = next(r for r in index.manifest.documents if r.path == page)
    # served from 127.0.0.1, the page is not cited as the ministry its title names (a copy may say anything)
    assert (record.title, record.date, record.source) == (
        "Foreign Ministry Spokesperson Lu Kang's Regular Press Conference on May 14, 2018", "2018-05-14", "127.0.0.1")
    assert record.doc == "t1559310.shtml" and record.url == page
    state = json.loads((tmp_path / STATE_FILE).read_text())
    assert state["urls"][listing]["kind"] == "listing" and state["urls"][page]["etag"]

    site.answers.clear()
    again = ingest([], tmp_path, fake_embedder, urls=[page, feed, listing], fetcher=Fetcher(backoff=0))
    assert count(site, 200) == 0  # every page, the feed and the listing answered 304
    assert count(site, 304) == len(paths) + 2
    assert (again.added, again.updated, len(again.unchanged)) == ([], [], len(paths))
    assert {r.path for r in store.load(tmp_path).manifest.documents} == paths

    # A later ingest of a folder keeps the fetched documents; the URL is each one's identity.
    ingest([seeds_dir], tmp_path, fake_embedder)
    after = {r.path for r in store.load(tmp_path).manifest.documents}
    assert paths < after and len(after) == len(paths) + 5


def test_a_page_fetched_again_after_a_change_updates_its_document(site: Site, tmp_path: Path, fake_embedder) -> None:
    page = f"{site.base}{EN}t1559310.shtml"
    ingest([], tmp_path, fake_embedder, urls=[page])
    state = json.loads((tmp_path / STATE_FILE).read_text())
    state["urls"][page]["etag"] = '"stale"'  # as if the page had changed since
    (tmp_path / STATE_FILE).write_text(json.dumps(state))
    report = ingest([], tmp_path, fake_embedder, urls=[page])
    assert report.unchanged == ["t1559310.shtml"] and report.added == []  # downloaded, parsed, same fingerprint
    assert count(site, 200) == 2
    assert [r.path for r in store.load(tmp_path).manifest.documents] == [page]


def test_server_errors_are_retried_and_failures_reported(site: Site) -> None:
    result = fetch_documents([f"{site.base}/flaky", f"{site.base}/nowhere", "http://127.0.0.1:9/closed"], {}, set(),
                             fetcher=Fetcher(backoff=0))
    assert [d.origin for d in result.documents] == [f"{site.base}/flaky"]
    assert site.answers[("/flaky", 503)] == 1
    reasons = dict(result.skipped)
    assert reasons[f"{site.base}/nowhere"] == "HTTP 404"
    assert reasons["http://127.0.0.1:9/closed"].startswith("request failed")


def test_not_html_is_skipped_with_its_reason(site: Site) -> None:
    site.feed = b"\x89PNG\r\n\x1a\n"  # served as a feed's content type, but an image
    result = fetch_documents([f"{site.base}/feed.xml"], {}, set(), fetcher=Fetcher(backoff=0))
    assert result.documents == []
    assert result.skipped == [(f"{site.base}/feed.xml", "not HTML, PDF or a feed (application/rss+xml)")]
    site.feed = b"<?xml version='1.0'?><rss version='2.0'><channel><title>empty</title></channel></rss>"
    assert fetch_documents([f"{site.base}/feed.xml"], {}, set()).skipped == [
        (f"{site.base}/feed.xml", "a feed without entries")]
