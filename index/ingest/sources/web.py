"""Readouts from the web: article pages, RSS/Atom feeds and listing pages, fetched politely.

Politeness and thrift: a User-Agent naming the project, at most a few requests at once, a deadline
for each URL (retries included, the host name's lookup and every connect, read and write bounded by
it, so a server that trickles a byte every few seconds, or a resolver that takes its time, is cut off
on time), bounded retries with backoff for server errors and timeouts, and conditional GETs (ETag, Last-Modified kept in the index directory's
fetch-state.json) so an unchanged page is not downloaded again. A page that fails is reported with
its reason and skipped; the run goes on. Credentials in a URL are cut off as it enters (urls.py) and
sent only as a Basic authorization to the same site. `Fetcher.cancel` ends every fetch in flight
within a fraction of a second (Ctrl-C, a bot shutting down).
"""
from __future__ import annotations

import ipaddress
import json
import os
import queue
import re
import socket
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import httpcore
import httpx

from index import settings
from index.errors import SourceUnreadable
from index.ingest.documents import PIPELINE_VERSION, Document, TokenCounter, approximate_tokens
from index.urls import split_credentials, without_credentials

from . import HTML_VERSION, html_document, pdf_document, sniff

USER_AGENT = "readouts/0.1 (+https://github.com/readouts/readouts; diplomatic readouts search)"
STATE_FILE = "fetch-state.json"
KINDS = ("page", "feed", "listing", "auto")  # what a watched source may be said to be; auto: told by content
CONCURRENCY = 4
CONNECT_SECONDS = 10.0
RETRIES = 2  # after the first try, for 5xx, 429 and timeouts, while the deadline allows
BACKOFF = 1.0  # seconds before the first retry, doubled after each
MAX_BYTES = 32 * 1024 * 1024
MAX_REDIRECTS = 20
SLICE = 0.25  # seconds: a blocking read waits at most this long before it looks for a cancel
STATE_VERSION = [1, PIPELINE_VERSION, HTML_VERSION]  # stored validators are trusted only under the same extraction
FEED_TYPES = re.compile(r"(rss|atom|rdf)\+xml|application/xml|text/xml", re.I)
FEED_ROOT = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(rss|feed|rdf:RDF)[\s>]", re.S)


class FetchFailed(Exception):
    """A URL that gave nothing to read; the message is the reason shown in the ingest report."""


class FetchCancelled(Exception):
    """The fetcher was cancelled (Ctrl-C, a bot stopping): nothing of the run is to be written."""


@dataclass
class Response:
    url: str  # after redirects, without credentials
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
    state: dict = field(default_factory=dict)  # fetch-state entries this run made, by URL (merged into the file)
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


class _Limits(threading.local):
    """The deadline of the fetch the current thread is making (time.monotonic), and the fetcher's cancel flag."""

    deadline = float("inf")

    def __init__(self, cancelled: threading.Event) -> None:
        self.cancelled = cancelled

    def check(self) -> None:
        if self.cancelled.is_set():
            raise httpcore.ReadError("cancelled")

    def cap(self, timeout: float | None, expired: type[Exception]) -> float:
        """`timeout` cut to what is left of the deadline; `expired` raised when nothing is left."""
        self.check()
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise expired("the fetch's deadline passed")
        return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the fetch's deadline; reads wait in slices so
    that a cancel is seen within SLICE seconds."""

    def __init__(self, stream: httpcore.NetworkStream, limits: _Limits) -> None:
        self.stream, self.limits = stream, limits

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        until = time.monotonic() + timeout if timeout is not None else float("inf")
        while True:
            left = self.limits.cap(until - time.monotonic(), httpcore.ReadTimeout)
            if left <= 0:
                raise httpcore.ReadTimeout("timed out")
            try:
                return self.stream.read(max_bytes, min(left, SLICE))
            except httpcore.ReadTimeout:  # nothing was read: the socket is as it was, so wait again
                if time.monotonic() >= min(until, self.limits.deadline):
                    raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.stream.write(buffer, self.limits.cap(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.stream.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        secure = self.stream.start_tls(ssl_context, server_hostname, self.limits.cap(timeout, httpcore.ConnectTimeout))
        return _Stream(secure, self.limits)

    def get_extra_info(self, info: str) -> Any:
        return self.stream.get_extra_info(info)


class _LookupTimeout(httpcore.ConnectTimeout):
    """The host's name was still being looked up when the fetch's deadline passed."""


class _Backend(httpcore.NetworkBackend):
    """httpcore's own sockets, with the name lookup and the connects bounded by the deadline and streams
    wrapped in `_Stream`."""

    def __init__(self, limits: _Limits) -> None:
        self.backend, self.limits = httpcore.SyncBackend(), limits

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        """A connection to the first of the host's addresses that answers, each connect bounded by the deadline
        (a numeric address is looked up by nobody, so only `_addresses` can wait on a resolver)."""
        failure: httpcore.ConnectError | None = None
        for address in self._addresses(host, port):
            try:
                stream = self.backend.connect_tcp(address, port, self.limits.cap(timeout, httpcore.ConnectTimeout),
                                                  local_address, socket_options)
            except httpcore.ConnectError as error:
                failure = error
                continue
            return _Stream(stream, self.limits)
        raise failure or httpcore.ConnectError(f"{host} has no address")

    def _addresses(self, host: str, port: int) -> list[str]:
        """The host's addresses, in the resolver's order. getaddrinfo takes no timeout and a slow resolver
        kept a fetch past its deadline: the lookup runs in a daemon thread (left to finish on its own, its
        answer unused) that is waited for no longer than the deadline, in slices so that a cancel is seen."""
        try:
            ipaddress.ip_address(host)
            return [host]
        except ValueError:
            pass
        answer: list[list[str] | OSError] = []
        done = threading.Event()

        def look_up() -> None:
            try:
                found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
                answer.append(list(dict.fromkeys(str(sockaddr[0]) for *_, sockaddr in found)))
            except OSError as error:  # socket.gaierror: no such name, no resolver
                answer.append(error)
            except Exception as error:  # a name the resolver cannot take (an encoding error): no address
                answer.append(OSError(str(error)))
            finally:
                done.set()

        threading.Thread(target=look_up, name="readouts-resolve", daemon=True).start()
        while not done.wait(min(SLICE, self.limits.cap(None, _LookupTimeout))):
            pass
        if isinstance(answer[0], OSError):
            raise httpcore.ConnectError(str(answer[0]))
        return answer[0]

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        timeout = self.limits.cap(timeout, httpcore.ConnectTimeout)
        return _Stream(self.backend.connect_unix_socket(path, timeout, socket_options), self.limits)

    def sleep(self, seconds: float) -> None:
        self.backend.sleep(seconds)


class _Transport(httpx.HTTPTransport):
    """httpx's transport over a connection pool whose sockets keep the deadline (`_Backend`)."""

    def __init__(self, limits: _Limits, concurrency: int) -> None:
        context = httpx.create_ssl_context()
        super().__init__(verify=context, limits=httpx.Limits(max_connections=concurrency))
        self._pool = httpcore.ConnectionPool(ssl_context=context, max_connections=concurrency,
                                             network_backend=_Backend(limits))


def origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL: where its credentials may be sent; None when it is not one."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return None
    if parsed.scheme not in ("http", "https"):
        return None
    return parsed.scheme, parsed.host.lower(), parsed.port or (443 if parsed.scheme == "https" else 80)


class Fetcher:
    """GETs with the project's User-Agent, a cap on requests in flight, a deadline per URL, retries,
    conditional headers, and credentials sent only to the site they were given for."""

    def __init__(self, transport: httpx.BaseTransport | None = None, backoff: float = BACKOFF,
                 retries: int = RETRIES, concurrency: int = CONCURRENCY, deadline: float | None = None) -> None:
        self.deadline = settings.fetch_seconds() if deadline is None else deadline
        self._cancelled = threading.Event()
        self._limits = _Limits(self._cancelled)
        self._visited = threading.local()  # the URLs one request went through, redirects included
        self.client = httpx.Client(
            headers={"User-Agent": USER_AGENT}, timeout=httpx.Timeout(self.deadline, connect=min(CONNECT_SECONDS, self.deadline)),
            follow_redirects=True, max_redirects=MAX_REDIRECTS, limits=httpx.Limits(max_connections=concurrency),
            transport=transport or _Transport(self._limits, concurrency),
            event_hooks={"request": [self._visit]})
        self.backoff, self.retries, self.concurrency = backoff, retries, concurrency
        self.requests = 0
        self._credentials: dict[tuple[str, str, int], httpx.BasicAuth] = {}  # by site: the first account given for it
        self._accounts: dict[str, httpx.BasicAuth] = {}  # by URL: the account given with that URL itself

    def close(self) -> None:
        self.client.close()

    def cancel(self) -> None:
        """End every fetch in flight (within SLICE seconds) and every one asked for later: FetchCancelled."""
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def authorize(self, url: str, userinfo: str) -> None:
        """Send `userinfo` ("user:password", percent-encoded as in a URL) to the site of `url` only: with `url`
        itself, and with the site's other URLs (a feed's articles) when it is the first account given for
        that site. Two URLs of one site given with two accounts each go with their own."""
        site = origin(url)
        if site is not None:
            user, _, password = userinfo.partition(":")
            account = httpx.BasicAuth(unquote(user), unquote(password))
            self._accounts[urldefrag(url)[0]] = account
            self._credentials.setdefault(site, account)

    def admit(self, url: str) -> str:
        """The URL as it may be shown and stored (no credentials); its credentials, if any, kept for its site."""
        public, userinfo = split_credentials(url.strip())
        if userinfo is not None:
            self.authorize(public, userinfo)
        return public

    def _visit(self, request: httpx.Request) -> None:
        """Each request of a fetch, redirects included, before it is sent: a URL asked for a third time is a
        loop (twice may be a cookie being set), given up at once."""
        url = without_credentials(str(request.url))
        self._visited.urls.append(url)
        if self._visited.urls.count(url) > 2:
            raise _RedirectLoop

    @contextmanager
    def _until(self, deadline: float) -> Iterator[None]:
        """The current thread's fetch bounded by `deadline` (time.monotonic)."""
        self._limits.deadline = deadline
        try:
            yield
        finally:
            self._limits.deadline = float("inf")

    def get(self, url: str, validators: dict | None = None) -> Response:
        """One page, retried on 5xx/429/timeouts while its deadline allows; FetchFailed with the reason when
        it cannot be had, FetchCancelled when the fetcher is cancelled."""
        site = origin(url)
        if site is None:
            raise FetchFailed("not an http(s) URL" if urlsplit(url).scheme.lower() not in ("http", "https")
                              else "not a valid URL")
        headers = {}
        if validators and validators.get("etag"):
            headers["If-None-Match"] = validators["etag"]
        if validators and validators.get("last_modified"):
            headers["If-Modified-Since"] = validators["last_modified"]
        deadline = time.monotonic() + self.deadline
        reason, tries = "", 0
        with self._until(deadline):
            for attempt in range(self.retries + 1):
                if attempt:
                    delay = self.backoff * 2 ** (attempt - 1)
                    if time.monotonic() + delay >= deadline:
                        break
                    if self._cancelled.wait(delay):
                        raise FetchCancelled
                if self.cancelled:
                    raise FetchCancelled
                tries += 1
                self._visited.urls = []
                try:
                    return self._attempt(url, headers, site, deadline)
                except _Retry as retry:
                    reason = str(retry)
                except httpx.TimeoutException as error:
                    if self.cancelled:
                        raise FetchCancelled from None
                    if time.monotonic() >= deadline:
                        looking_up = isinstance(error.__cause__, _LookupTimeout)
                        raise FetchFailed(f"not fetched within {self.deadline:g} s"
                                          + (f", {tries} tries" if tries > 1 else "")
                                          + (f" (its host name, {site[1]}, was still being looked up)" if looking_up
                                             else "")) from None
                    reason = "timed out"
                except (httpx.TooManyRedirects, _RedirectLoop):
                    raise FetchFailed(self._redirects()) from None
                except (httpx.HTTPError, httpx.InvalidURL) as error:
                    if self.cancelled:
                        raise FetchCancelled from None
                    reason = f"request failed ({type(error).__name__})"
                    if not isinstance(error, (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError)):
                        break
        raise FetchFailed(f"{reason}, after {tries} tries" if tries > 1 else reason)

    def _attempt(self, url: str, headers: dict[str, str], site: tuple[str, str, int], deadline: float) -> Response:
        """One request: the answer, _Retry for a status worth retrying, FetchFailed for one that is not."""
        self.requests += 1
        account = self._accounts.get(url) or self._credentials.get(site)
        with self.client.stream("GET", url, headers=headers, auth=account) as response:
            if response.status_code >= 500 or response.status_code == 429:
                raise _Retry(f"HTTP {response.status_code}")
            if response.status_code not in (200, 304):
                raise FetchFailed(f"HTTP {response.status_code}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_BYTES:
                    raise FetchFailed(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
                if time.monotonic() > deadline:  # the transport's own deadline aside (a proxy's transport)
                    raise httpx.ReadTimeout("the fetch's deadline passed")
            return Response(without_credentials(str(response.url)), response.status_code,
                            response.headers.get("content-type", ""), bytes(body), response.headers.get("etag"),
                            response.headers.get("last-modified"))

    def _redirects(self) -> str:
        """Why redirects were given up: a loop (a URL visited twice), or just too many."""
        visited: list[str] = getattr(self._visited, "urls", [])
        seen: dict[str, int] = {}
        for number, url in enumerate(visited):
            if url in seen:
                loop = visited[seen[url]:number + 1]
                shown = " → ".join(loop) if len(loop) <= 4 else f"{loop[0]} → … ({len(loop) - 2} more) → {loop[-1]}"
                return f"a redirect loop ({shown})"
            seen[url] = number
        return f"more than {MAX_REDIRECTS} redirects"

    def get_all(self, urls: Sequence[str], validators: dict[str, dict]) -> list[Response | FetchFailed]:
        """Every URL, at most `concurrency` at once, each answer or failure in the order asked. The fetches
        run in daemon threads: Ctrl-C here cancels them and is raised at once, and nothing waits for them
        at exit; FetchCancelled when the fetcher was cancelled meanwhile."""
        results: list[Response | FetchFailed | None] = [None] * len(urls)
        todo: queue.SimpleQueue[int] = queue.SimpleQueue()
        for number in range(len(urls)):
            todo.put(number)
        finished: queue.SimpleQueue[int] = queue.SimpleQueue()

        def work() -> None:
            while True:
                try:
                    number = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    results[number] = self.get(urls[number], validators.get(urls[number]))
                except FetchFailed as failure:
                    results[number] = failure
                except FetchCancelled:
                    pass
                except Exception as error:  # a bug must not hang the run: reported as this URL's failure
                    results[number] = FetchFailed(f"failed ({type(error).__name__})")
                finally:
                    finished.put(number)

        for _ in range(min(self.concurrency, len(urls))):
            threading.Thread(target=work, name="readouts-fetch", daemon=True).start()
        try:
            left = len(urls)
            while left:  # in slices: a Ctrl-C the kernel hands to a fetch's thread wakes no wait here
                try:
                    finished.get(timeout=SLICE)
                    left -= 1
                except queue.Empty:
                    pass
        except BaseException:  # KeyboardInterrupt: stop the others too
            self.cancel()
            raise
        if self.cancelled:
            raise FetchCancelled
        return [result if result is not None else FetchFailed("not fetched") for result in results]


class _RedirectLoop(Exception):
    """A fetch's redirects came back to a URL they had been through twice."""


class _Retry(Exception):
    """An answer worth asking again for (5xx, 429); the message is the reason if no try succeeds."""


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


def feed_links(body: bytes, base: str = "") -> list[str]:
    """The article links of an RSS or Atom feed, in its order: relative and protocol-relative ones resolved
    against the feed's URL (`base`), credentials cut off."""
    import feedparser

    parsed = feedparser.parse(body)
    links = (urljoin(base, entry.link.strip()) for entry in parsed.entries
             if isinstance(getattr(entry, "link", None), str) and entry.link.strip())
    return list(dict.fromkeys(without_credentials(urldefrag(link)[0]) for link in links))


def article_links(page, url: str) -> list[str]:
    """Links of a page to articles of its own site: same host, worded like a headline, not a section index."""
    from .html import text_weight

    host = urlsplit(url).hostname
    found: list[str] = []
    for href, anchor in page.links:
        target = without_credentials(urldefrag(href)[0])
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
    say what a given URL must be (KINDS); one found to be another kind is skipped, with the reason.
    Credentials in the given URLs go to the fetcher alone: every URL in the result is without them.
    FetchCancelled when the fetcher is cancelled meanwhile."""
    own = fetcher is None
    fetcher = fetcher or Fetcher()
    kinds = {urldefrag(fetcher.admit(url))[0]: kind for url, kind in (kinds or {}).items()}
    result = WebResult()
    given = list(dict.fromkeys(urldefrag(fetcher.admit(url))[0] for url in urls))
    try:
        articles: list[str] = []
        asked = _validators(given, state, known, entry=True)
        for url, answer in zip(given, fetcher.get_all(given, asked)):
            articles.extend(_take(url, answer, result, state, url in asked, count_tokens, entry=True,
                                  expected=kinds.get(url)))
        articles = [url for url in dict.fromkeys(articles) if url not in given]
        asked = _validators(articles, state, known, entry=False)
        for url, answer in zip(articles, fetcher.get_all(articles, asked)):
            _take(url, answer, result, state, url in asked, count_tokens, entry=False)
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
        if isinstance(saved, dict) and (url in known or (entry and saved.get("kind") in ("feed", "listing"))):
            chosen[url] = saved
    return chosen


def _expect(expected: str | None, found: str) -> None:
    """SourceUnreadable when a URL said to be of one kind turned out another."""
    if expected not in (None, "auto", found):
        raise SourceUnreadable(f"a {found}, not a {expected} as the sources file says")


def _take(url: str, answer: Response | FetchFailed, result: WebResult, state: dict, conditional: bool,
          count_tokens: TokenCounter, entry: bool, expected: str | None = None) -> list[str]:
    """File one answer: a document, an unchanged page, a skip with its reason; a feed's or listing's links
    returned. `state` is what earlier runs kept; `conditional`, whether validators were sent for `url`."""
    if isinstance(answer, FetchFailed):
        result.skipped.append((url, str(answer)))
        return []
    if answer.status == 304:
        if not conditional:
            result.skipped.append((url, "HTTP 304 Not Modified to a request that was not conditional"))
            return []
        saved = state[url]
        try:
            _expect(expected, {"article": "page"}.get(saved.get("kind"), saved.get("kind")))
        except SourceUnreadable as reason:
            result.skipped.append((url, str(reason)))
            return []
        if saved.get("kind") in ("feed", "listing"):
            links = [link for link in saved.get("links", []) if isinstance(link, str)]
            return list(dict.fromkeys(without_credentials(link) for link in links))
        result.unchanged.append(url)
        return []
    record = {"etag": answer.etag, "last_modified": answer.last_modified}
    kind = kind_of(answer)
    try:
        if kind == "feed":
            links = feed_links(answer.body, answer.url)
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
            from index.ingest.charsets import header_charset

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
