"""URLs, feeds and listing pages served from the tests' fmprc pages (tests/corpus/fmprc) on 127.0.0.1 (never the
internet)."""
from __future__ import annotations

import hashlib
import http.server
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import webserver
from conftest import FMPRC

from index.ingest.sources.web import STATE_FILE, USER_AGENT, FetchCancelled, Fetcher, FetchFailed, fetch_documents
from index.ingest.update import ingest
from index.store import generations as store

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


# --- hostile servers (tests/webserver.py: nothing outside the repository) ---------------------------------
SECRET = "hunter2-Zq81"


@pytest.fixture
def web() -> Iterator[webserver.Site]:
    with webserver.serving() as served:
        yield served


def files_holding(directory: Path, text: str) -> list[str]:
    """The files under `directory` whose bytes hold `text`."""
    return [str(path) for path in directory.rglob("*") if path.is_file() and text.encode() in path.read_bytes()]


def test_credentials_in_urls_are_sent_to_their_site_only_and_kept_nowhere(web: webserver.Site, tmp_path: Path,
                                                                          fake_embedder) -> None:
    canonical = f'<link rel="canonical" href="{web.url("/news/fish", "admin:" + SECRET)}">'
    web.page("/news/fish", webserver.article(
        "Readout on Fish Stocks", "The two ministers discussed fish stocks in the northern seas at length today.",
        "They agreed that the quotas for fish stocks would be reviewed together next spring.", head=canonical))
    web.page("/feed.xml", f"""<?xml version="1.0"?><rss version="2.0"><channel><title>news</title>
<item><title>birds</title><link>{web.url("/news/birds", "eve:" + SECRET)}</link></item>
<item><title>gone</title><link>{web.url("/news/gone", "eve:" + SECRET)}</link></item>
</channel></rss>""".encode(), "application/rss+xml")
    web.page("/news/birds", webserver.readout("migrating birds"))
    report = ingest([], tmp_path, fake_embedder, urls=[web.url("/news/fish", "admin:" + SECRET),
                                                       web.url("/feed.xml", "admin:" + SECRET)])

    assert report.added == ["fish", "birds"]
    assert report.skipped == [(web.url("/news/gone"), "HTTP 404")]
    from index.ingest.update import format_report

    assert SECRET not in format_report(report, tmp_path) and "admin" not in format_report(report, tmp_path)
    assert files_holding(tmp_path, SECRET) == [] and files_holding(tmp_path, "admin") == []
    index = store.load(tmp_path)
    assert {record.path for record in index.manifest.documents} == {web.url("/news/fish"), web.url("/news/birds")}
    assert {passage.url for passage in index.passages} == {web.url("/news/fish"), web.url("/news/birds")}
    state = json.loads((tmp_path / STATE_FILE).read_text())["urls"]
    assert state[web.url("/feed.xml")]["links"] == [web.url("/news/birds"), web.url("/news/gone")]
    # The credentials went, as a Basic authorization, to the site they were given for, and with every request.
    import base64

    sent = {request.authorization for request in web.requests}
    assert sent == {"Basic " + base64.b64encode(f"admin:{SECRET}".encode()).decode()}


def test_credentials_of_an_index_written_before_are_not_shown(tmp_path: Path) -> None:
    from index.passage import Passage
    from index.store.generations import DocumentRecord

    old = {"id": "a-1", "doc": "fish", "text": "t", "title": "T", "source": "S", "date": None, "paragraph": 1,
           "url": f"https://admin:{SECRET}@example.org/fish?q=1#x"}
    assert Passage.from_json(old).url == "https://example.org/fish?q=1#x"
    record = DocumentRecord(path=f"http://admin:{SECRET}@example.org/fish", doc="fish", title="T", source="S",
                            date=None, url=f"//admin:{SECRET}@example.org/fish", content_hash="h", fingerprint="f",
                            passages=1)
    assert (record.path, record.url) == ("http://example.org/fish", "//example.org/fish")
    local = DocumentRecord(path="/home/someone@work/readouts/fish.txt", doc="fish.txt", title="T", source="S",
                           date=None, url=None, content_hash="h", fingerprint="f", passages=1)
    assert local.path == "/home/someone@work/readouts/fish.txt"


def test_a_server_sending_a_byte_at_a_time_is_cut_at_the_deadline(web: webserver.Site) -> None:
    web.routes["/slow-body"] = lambda answer: answer.trickle(0.3)
    web.routes["/slow-headers"] = lambda answer: answer.trickle(0.3, headers_too=True)
    fetcher = Fetcher(backoff=0, deadline=1.5)
    for path in ("/slow-body", "/slow-headers"):
        started = time.monotonic()
        with pytest.raises(FetchFailed, match=r"^not fetched within 1.5 s$"):
            fetcher.get(web.url(path))
        assert 1.5 <= time.monotonic() - started < 2.5
        assert len(web.asked(path)) == 1  # no retry past the deadline


def test_the_deadline_is_a_setting_checked_before_any_request(monkeypatch, web: webserver.Site) -> None:
    from index.errors import SettingInvalid

    monkeypatch.setenv("READOUTS_FETCH_SECONDS", "7.5")
    assert Fetcher().deadline == 7.5
    for bad in ("nan", "inf", "-1", "1e300", "0", "soon", "9" * 5000):
        monkeypatch.setenv("READOUTS_FETCH_SECONDS", bad)
        with pytest.raises(SettingInvalid, match="^READOUTS_FETCH_SECONDS must be") as error:
            fetch_documents([web.url("/anything")], {}, set())
        assert "\n" not in str(error.value) and len(str(error.value)) < 120
    assert web.requests == []


def test_cancel_ends_every_fetch_in_flight_at_once(web: webserver.Site) -> None:
    web.routes["/slow-body"] = lambda answer: answer.trickle(0.3)
    web.routes["/slow-headers"] = lambda answer: answer.trickle(0.3, headers_too=True)
    fetcher = Fetcher(deadline=60)
    ended: list[BaseException] = []

    def fetch() -> None:
        try:
            fetcher.get_all([web.url("/slow-body"), web.url("/slow-headers")], {})
        except BaseException as error:
            ended.append(error)

    thread = threading.Thread(target=fetch)
    thread.start()
    web.wait_for("/slow-body")
    web.wait_for("/slow-headers")
    time.sleep(0.5)
    started = time.monotonic()
    fetcher.cancel()
    thread.join(timeout=5)
    assert time.monotonic() - started < 1.0 and [type(error) for error in ended] == [FetchCancelled]


def test_fetching_holds_no_lock_so_another_ingest_runs_meanwhile(web: webserver.Site, tmp_path: Path, seeds_dir: Path,
                                                                 fake_embedder) -> None:
    web.routes["/slow"] = lambda answer: answer.trickle(0.2)
    directory = tmp_path / "index"
    slow: list[object] = []
    thread = threading.Thread(target=lambda: slow.append(ingest(
        [], directory, fake_embedder, urls=[web.url("/slow")], fetcher=Fetcher(backoff=0, deadline=4))))
    thread.start()
    web.wait_for("/slow")
    report = ingest([seeds_dir], directory, fake_embedder)  # refused (IndexBusy) while the lock was held to fetch
    assert thread.is_alive() and len(report.added) == 5
    thread.join(timeout=10)
    [fetched] = slow
    assert fetched.skipped == [(web.url("/slow"), "not fetched within 4 s")]  # type: ignore[attr-defined]
    assert len(store.load(directory).manifest.documents) == 5


def test_feed_links_relative_or_protocol_relative_are_resolved_against_the_feed(web: webserver.Site) -> None:
    host = web.base.removeprefix("http:")
    web.page("/feeds/news.xml", f"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>news</title>
<entry><title>a</title><link href="whales"/></entry>
<entry><title>b</title><link href="/seals"/></entry>
<entry><title>c</title><link href="{host}/feeds/otters#top"/></entry>
<entry><title>d</title><link href="javascript:alert(1)"/></entry>
</feed>""".encode(), "application/atom+xml")
    for name in ("whales", "seals", "otters"):
        web.page(f"/feeds/{name}" if name != "seals" else "/seals", webserver.readout(name))
    result = fetch_documents([web.url("/feeds/news.xml")], {}, set(), fetcher=Fetcher(backoff=0))
    assert [document.origin for document in result.documents] == [
        web.url("/feeds/whales"), web.url("/seals"), web.url("/feeds/otters")]
    assert result.skipped == [("javascript:alert(1)", "not an http(s) URL")]


def test_a_304_to_a_plain_request_is_reported(web: webserver.Site) -> None:
    web.routes["/always-304"] = lambda answer: answer.send(304)
    result = fetch_documents([web.url("/always-304")], {}, set(), fetcher=Fetcher(backoff=0))
    assert result.skipped == [(web.url("/always-304"), "HTTP 304 Not Modified to a request that was not conditional")]
    assert result.unchanged == [] and result.documents == []


def test_a_304_for_a_page_the_index_no_longer_holds_is_reported_and_fetched_in_full_next_time(
        web: webserver.Site, tmp_path: Path, seeds_dir: Path, fake_embedder) -> None:
    """The index held the page when it was asked for conditionally; a rebuild meanwhile dropped it."""
    etag = '"v1"'
    web.routes["/whales"] = lambda answer: (answer.send(304) if web.requests[-1].conditional
                                            else answer.send(200, webserver.readout("whales"), ETag=etag))
    ingest([], tmp_path, fake_embedder, urls=[web.url("/whales")])

    class RebuiltMeanwhile(Fetcher):
        def get_all(self, urls, validators):  # noqa: ANN001, ANN202
            answers = super().get_all(urls, validators)
            ingest([seeds_dir], tmp_path, fake_embedder, rebuild=True)
            return answers

    report = ingest([], tmp_path, fake_embedder, urls=[web.url("/whales")], fetcher=RebuiltMeanwhile())
    assert report.skipped == [(web.url("/whales"), "answered 304 Not Modified, but the index does not hold it: "
                                                   "fetched in full next run")]
    assert report.unchanged == [] and web.requests[-1].conditional
    again = ingest([], tmp_path, fake_embedder, urls=[web.url("/whales")])
    assert again.added == ["whales"] and not web.requests[-1].conditional


def test_a_redirect_loop_is_named_and_asked_once(web: webserver.Site) -> None:
    web.routes["/here"] = lambda answer: answer.send(302, Location="/there")
    web.routes["/there"] = lambda answer: answer.send(301, Location=web.url("/here"))
    with pytest.raises(FetchFailed) as failure:
        Fetcher(backoff=0).get(web.url("/here"))
    assert str(failure.value) == f"a redirect loop ({web.url('/here')} → {web.url('/there')} → {web.url('/here')})"
    assert len(web.asked("/here")) == 2


def test_over_https_the_deadline_and_cancel_hold_too(tmp_path: Path, monkeypatch) -> None:
    """TLS reads go through the same bounded, sliced socket reads (a self-signed certificate made here)."""
    import shutil
    import ssl
    import subprocess

    import httpx

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    monkeypatch.setattr(httpx, "create_ssl_context", lambda *args, **kwargs: ssl.create_default_context(cafile=str(cert)))
    site = webserver.Site()
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(str(cert), str(key))
    site.socket = server_side.wrap_socket(site.socket, server_side=True)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    base = f"https://127.0.0.1:{site.server_address[1]}"
    site.page("/readout", webserver.readout("tides"))
    site.routes["/slow"] = lambda answer: answer.trickle(0.3)
    try:
        assert Fetcher(deadline=5).get(f"{base}/readout").status == 200
        started = time.monotonic()
        with pytest.raises(FetchFailed, match="^not fetched within 1.5 s$"):
            Fetcher(backoff=0, deadline=1.5).get(f"{base}/slow")
        assert time.monotonic() - started < 2.5
        fetcher = Fetcher(deadline=60)
        ended: list[BaseException] = []
        thread = threading.Thread(target=lambda: ended.extend(_raised(fetcher.get, f"{base}/slow")))
        thread.start()
        time.sleep(1.0)
        fetcher.cancel()
        thread.join(timeout=5)
        assert not thread.is_alive() and [type(error) for error in ended] == [FetchCancelled]
    finally:
        site.closing.set()
        site.shutdown()
        site.server_close()


def _raised(function, *args) -> list[BaseException]:  # noqa: ANN001
    try:
        function(*args)
    except BaseException as error:
        return [error]
    return []


def test_two_accounts_on_one_site_each_go_with_their_own_url(web: webserver.Site) -> None:
    """Two URLs of one site given with two accounts: each request carries its own (the later one replaced the
    earlier for the whole site, and the first page was refused 401); a URL of that site given without any, as a
    feed's article is, goes with the first account given for the site."""
    import base64

    def account(name: str) -> str:
        return "Basic " + base64.b64encode(f"{name}:{SECRET}".encode()).decode()

    def guarded(wanted: str, body: bytes):  # noqa: ANN202
        return lambda answer: (answer.send(200, body) if answer.handler.headers.get("Authorization") == wanted
                               else answer.send(401, b"who are you", "text/plain"))

    web.routes["/alice"] = guarded(account("alice"), webserver.readout("alice's fish"))
    web.routes["/bob"] = guarded(account("bob"), webserver.readout("bob's birds"))
    web.routes["/shared"] = guarded(account("alice"), webserver.readout("the shared harbour"))
    result = fetch_documents([web.url("/alice", f"alice:{SECRET}"), web.url("/bob", f"bob:{SECRET}"), web.url("/shared")],
                             {}, set(), fetcher=Fetcher(backoff=0, deadline=10))
    assert result.skipped == []
    assert sorted(document.url for document in result.documents) == [web.url(path) for path in ("/alice", "/bob", "/shared")]
    assert {request.path: request.authorization for request in web.requests} == {
        "/alice": account("alice"), "/bob": account("bob"), "/shared": account("alice")}


def test_a_host_name_looked_up_slowly_is_bounded_by_the_deadline(web: webserver.Site, monkeypatch) -> None:
    """The deadline holds for the whole fetch, the name's lookup included: getaddrinfo takes no timeout, and a
    resolver that took its time kept a fetch past its deadline. A name that resolves in time is fetched through
    the address it resolves to; a cancel ends a fetch still waiting for its name's lookup."""
    import socket

    real = socket.getaddrinfo
    release = threading.Event()
    looked_up: list[str] = []

    def resolver(host, port, *args, **kwargs):  # noqa: ANN001, ANN202  names under .readouts.test are 127.0.0.1
        looked_up.append(host)
        if host.startswith("slow."):
            release.wait(5)
        return real("127.0.0.1" if str(host).endswith(".readouts.test") else host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    web.page("/fish", webserver.readout("fish"))
    port = web.server_address[1]
    fetcher = Fetcher(backoff=0, deadline=1)
    try:
        started = time.monotonic()
        with pytest.raises(FetchFailed) as failed:
            fetcher.get(f"http://slow.readouts.test:{port}/fish")
        assert 1 <= time.monotonic() - started < 1.5
        assert str(failed.value) == "not fetched within 1 s (its host name, slow.readouts.test, was still being looked up)"
        assert web.requests == []
        answer = fetcher.get(f"http://quick.readouts.test:{port}/fish")
        assert answer.status == 200 and b"fish" in answer.body and "quick.readouts.test" in looked_up
        waiting = Fetcher(deadline=60)
        ended: list[BaseException] = []
        thread = threading.Thread(target=lambda: ended.extend(_raised(waiting.get, f"http://slow.readouts.test:{port}/x")))
        thread.start()
        time.sleep(0.5)
        cancelled = time.monotonic()
        waiting.cancel()
        thread.join(timeout=5)
        assert time.monotonic() - cancelled < 1.0 and [type(error) for error in ended] == [FetchCancelled]
    finally:
        release.set()
