"""Readouts from the web: article pages, RSS/Atom feeds and listing pages, fetched politely.

Politeness and thrift: a User-Agent naming the project, at most a few requests at once, timeouts,
bounded retries with backoff for server errors and timeouts, and conditional GETs (ETag,
Last-Modified kept in the index directory's fetch-state.json) so an unchanged page is not downloaded
again. A page that fails is reported with its reason and skipped; the run goes on.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import httpx

from ..documents import PIPELINE_VERSION, Document, TokenCounter, approximate_tokens
from . import HTML_VERSION, SourceUnreadable, html_document, pdf_document, sniff

USER_AGENT = "readouts/0.1 (+https://github.com/readouts/readouts; diplomatic readouts search)"
STATE_FILE = "fetch-state.json"
KINDS = ("page", "feed", "listing", "auto")  # what a watched source may be said to be; auto: told by content
CONCURRENCY = 4
TIMEOUT = httpx.Timeout(20.0, connect=10.0)
RETRIES = 2  # after the first try, for 5xx, 429 and timeouts
BACKOFF = 1.0  # seconds before the first retry, doubled after each
MAX_BYTES = 32 * 1024 * 1024
STATE_VERSION = [1, PIPELINE_VERSION, HTML_VERSION]  # stored validators are trusted only under the same extraction
FEED_TYPES = re.compile(r"(rss|atom|rdf)\+xml|application/xml|text/xml", re.I)
FEED_ROOT = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(rss|feed|rdf:RDF)[\s>]", re.S)


class FetchFailed(Exception):
    """A URL that gave nothing to read; the message is the reason shown in the ingest report."""


@dataclass
class Response:
    url: str  # after redirects
    status: int
    content_type: str
    body: bytes
    etag: str | None
    last_modified: str | None


@dataclass
class WebResult:
    documents: list[Document] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # URLs answered 304 Not Modified
    skipped: list[tuple[str, str]] = field(default_factory=list)
    state: dict = field(default_factory=dict)
    requests: int = 0


def is_url(argument: str) -> bool:
    return bool(re.match(r"https?://", argument, re.I))


def load_state(directory: Path | None) -> dict:
    """The validators kept from earlier fetches ({} when none or when made by another extraction)."""
    if directory is None:
        return {}
    try:
        data = json.loads((directory / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data.get("urls", {}) if isinstance(data, dict) and data.get("version") == STATE_VERSION else {}


def save_state(directory: Path, state: dict) -> None:
    """Write fetch-state.json atomically (a temporary file renamed over it)."""
    directory.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".fetch-state-", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump({"version": STATE_VERSION, "urls": state}, out, ensure_ascii=False, indent=1)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, directory / STATE_FILE)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Fetcher:
    """GETs with the project's User-Agent, a cap on requests in flight, retries and conditional headers."""

    def __init__(self, transport: httpx.BaseTransport | None = None, backoff: float = BACKOFF,
                 retries: int = RETRIES, concurrency: int = CONCURRENCY) -> None:
        self.client = httpx.Client(headers={"User-Agent": USER_AGENT}, timeout=TIMEOUT, follow_redirects=True,
                                   limits=httpx.Limits(max_connections=concurrency), transport=transport)
        self.backoff, self.retries, self.concurrency = backoff, retries, concurrency
        self.requests = 0

    def close(self) -> None:
        self.client.close()

    def get(self, url: str, validators: dict | None = None) -> Response:
        """One page, retried on 5xx/429/timeouts; FetchFailed with the reason when it cannot be had."""
        headers = {}
        if validators and validators.get("etag"):
            headers["If-None-Match"] = validators["etag"]
        if validators and validators.get("last_modified"):
            headers["If-Modified-Since"] = validators["last_modified"]
        reason = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                self.requests += 1
                with self.client.stream("GET", url, headers=headers) as response:
                    if response.status_code >= 500 or response.status_code == 429:
                        reason = f"HTTP {response.status_code}"
                        continue
                    if response.status_code not in (200, 304):
                        raise FetchFailed(f"HTTP {response.status_code}")
                    body = b""
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) > MAX_BYTES:
                            raise FetchFailed(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
                    return Response(str(response.url), response.status_code, response.headers.get("content-type", ""),
                                    body, response.headers.get("etag"), response.headers.get("last-modified"))
            except httpx.TimeoutException:
                reason = "timed out"
            except httpx.HTTPError as error:
                reason = f"request failed ({type(error).__name__})"
                if not isinstance(error, (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError)):
                    break
        raise FetchFailed(f"{reason}, after {self.retries + 1} tries" if self.retries else reason)

    def get_all(self, urls: Sequence[str], validators: dict[str, dict]) -> list[Response | FetchFailed]:
        """Every URL, at most `concurrency` at once, each answer or failure in the order asked."""
        def one(url: str) -> Response | FetchFailed:
            try:
                return self.get(url, validators.get(url))
            except FetchFailed as failure:
                return failure

        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(one, urls))


def kind_of(response: Response) -> str:
    """'feed', 'pdf', 'html' or 'other', from the content type and the body's first bytes."""
    head = response.body[:4096]
    xml = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if FEED_ROOT.match(xml) or (FEED_TYPES.search(response.content_type) and xml[:1] == b"<" and b"<html" not in head.lower()):
        return "feed"
    sniffed = sniff(head)
    if sniffed != "text":
        return sniffed
    return "html" if "html" in response.content_type.lower() else "other"


def feed_links(body: bytes) -> list[str]:
    """The article links of an RSS or Atom feed, in its order."""
    import feedparser

    parsed = feedparser.parse(body)
    return [entry.link for entry in parsed.entries if getattr(entry, "link", None)]


def article_links(page, url: str) -> list[str]:
    """Links of a page to articles of its own site: same host, worded like a headline, not a section index."""
    from .html import text_weight

    host = urlsplit(url).hostname
    found: list[str] = []
    for href, anchor in page.links:
        target = urldefrag(href)[0]
        parts = urlsplit(target)
        if parts.scheme in ("http", "https") and parts.hostname == host and target != url \
                and not parts.path.endswith("/") and text_weight(anchor) >= 30 and target not in found:
            found.append(target)
    return found


def is_listing(page, links: list[str]) -> bool:
    """Many links to the site's articles and little text of its own: an index page, not an article."""
    from .html import text_weight

    anchors = {href: anchor for href, anchor in page.links}
    mass = sum(text_weight(anchors.get(link, "")) for link in links)
    return len(links) >= 5 and mass > 2 * page.own_text


def _name(url: str) -> Path:
    parts = urlsplit(url)
    return Path(parts.path.rstrip("/").rsplit("/", 1)[-1] or parts.hostname or "page")


def fetch_documents(urls: Iterable[str], state: dict, known: set[str], count_tokens: TokenCounter = approximate_tokens,
                    fetcher: Fetcher | None = None, kinds: Mapping[str, str] | None = None) -> WebResult:
    """Documents of the given pages, and of the articles their feeds and listings link to (one level).

    `known` are URLs the index holds: only those are asked for conditionally, so a 304 leaves an
    indexed document as it is; a feed's or listing's links are remembered for its 304s. `kinds` may
    say what a given URL must be (KINDS); one found to be another kind is skipped, with the reason."""
    kinds = {urldefrag(url)[0]: kind for url, kind in (kinds or {}).items()}
    own = fetcher is None
    fetcher = fetcher or Fetcher()
    result = WebResult(state=dict(state))
    given = list(dict.fromkeys(urldefrag(url)[0] for url in urls))
    try:
        articles: list[str] = []
        for url, answer in zip(given, fetcher.get_all(given, _validators(given, state, known, entry=True))):
            articles.extend(_take(url, answer, result, count_tokens, entry=True, expected=kinds.get(url)))
        articles = [url for url in dict.fromkeys(articles) if url not in given]
        for url, answer in zip(articles, fetcher.get_all(articles, _validators(articles, state, known, entry=False))):
            _take(url, answer, result, count_tokens, entry=False)
    finally:
        result.requests = fetcher.requests
        if own:
            fetcher.close()
    return result


def _validators(urls: list[str], state: dict, known: set[str], entry: bool) -> dict[str, dict]:
    """Conditional headers only where a 304 can be answered: an indexed article, or a feed/listing whose links are kept."""
    chosen = {}
    for url in urls:
        saved = state.get(url)
        if saved and (url in known or (entry and saved.get("kind") in ("feed", "listing"))):
            chosen[url] = saved
    return chosen


def _expect(expected: str | None, found: str) -> None:
    """SourceUnreadable when a URL said to be of one kind turned out another."""
    if expected not in (None, "auto", found):
        raise SourceUnreadable(f"a {found}, not a {expected} as the sources file says")


def _take(url: str, answer: Response | FetchFailed, result: WebResult, count_tokens: TokenCounter,
          entry: bool, expected: str | None = None) -> list[str]:
    """File one answer: a document, an unchanged page, a skip with its reason; a feed's or listing's links returned."""
    if isinstance(answer, FetchFailed):
        result.skipped.append((url, str(answer)))
        return []
    saved = result.state.get(url, {})
    if answer.status == 304:
        try:
            _expect(expected, {"article": "page"}.get(saved.get("kind"), saved.get("kind")))
        except SourceUnreadable as reason:
            result.skipped.append((url, str(reason)))
            return []
        if saved.get("kind") in ("feed", "listing"):
            return list(saved.get("links", []))
        result.unchanged.append(url)
        return []
    record = {"etag": answer.etag, "last_modified": answer.last_modified}
    kind = kind_of(answer)
    try:
        if kind == "feed":
            links = feed_links(answer.body)
            if not links:
                raise SourceUnreadable("a feed without entries")
            if not entry:
                raise SourceUnreadable("a feed linked from a feed or listing (not followed)")
            _expect(expected, "feed")
            result.state[url] = {**record, "kind": "feed", "links": links}
            return links
        if kind == "pdf":
            _expect(expected, "page")
            result.documents.append(pdf_document(_name(url), answer.body, count_tokens=count_tokens, origin=url))
        elif kind == "html":
            from ..charsets import header_charset
            from .html import extract

            page = extract(answer.body, answer.url, header_charset(answer.content_type))
            links = article_links(page, answer.url)
            if is_listing(page, links):
                if not entry:
                    raise SourceUnreadable("a listing page linked from a listing (not followed)")
                _expect(expected, "listing")
                result.state[url] = {**record, "kind": "listing", "links": links}
                return links
            _expect(expected, "page")
            result.documents.append(html_document(_name(url), answer.body, count_tokens=count_tokens,
                                                  url=answer.url, origin=url, page=page))
        else:
            raise SourceUnreadable(f"not HTML, PDF or a feed ({answer.content_type or 'no content type'})")
    except SourceUnreadable as reason:
        result.skipped.append((url, str(reason)))
        return []
    result.state[url] = {**record, "kind": "article"}
    return []
