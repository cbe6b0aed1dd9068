"""A small web site on 127.0.0.1 for the fetching tests, with the hostile answers a battery found:
pages that trickle a byte at a time, redirect loops, 304s to plain requests, feeds with relative links.
It needs nothing outside the repository. Every request is recorded with its Authorization header."""
from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


def article(title: str, *paragraphs: str, head: str = "") -> bytes:
    """An HTML page whose article is `paragraphs` under `title` (each paragraph long enough to count)."""
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    return (f"<!doctype html><html><head><title>{title}</title>{head}</head><body><article><h1>{title}</h1>"
            f"{body}</article></body></html>").encode()


def readout(topic: str) -> bytes:
    """A readout about `topic`, distinct from every other topic's."""
    return article(f"Readout of the Meeting on {topic}",
                   f"The two ministers met today to discuss {topic} and agreed to keep talking about it.",
                   f"They reviewed the progress made on {topic} since their last meeting in the spring.",
                   f"Both sides expressed the hope that the work on {topic} would continue next year.")


@dataclass
class Request:
    path: str
    authorization: str | None
    conditional: bool


Handler = Callable[["Answer"], None]


class Answer:
    """What a route handler may do: answer at once, or send a body slowly."""

    def __init__(self, handler: http.server.BaseHTTPRequestHandler, site: Site) -> None:
        self.handler, self.site = handler, site

    def send(self, status: int, body: bytes = b"", content_type: str = "text/html; charset=utf-8",
             **headers: str) -> None:
        self.handler.send_response(status)
        self.handler.send_header("Content-Type", content_type)
        self.handler.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.handler.send_header(name.replace("_", "-"), value)
        self.handler.end_headers()
        self.handler.wfile.write(body)

    def trickle(self, every: float, headers_too: bool = False) -> None:
        """One byte every `every` seconds, for ever (until the client hangs up or the site closes):
        of the body, or, with `headers_too`, of the status line and headers already."""
        out = self.handler.wfile
        try:
            if headers_too:
                for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Slow: " + b"a" * 10_000:
                    if self.site.closing.wait(every):
                        return
                    out.write(bytes([byte]))
                    out.flush()
                return
            self.handler.send_response(200)
            self.handler.send_header("Content-Type", "text/html")
            self.handler.send_header("Content-Length", "1000000")
            self.handler.end_headers()
            out.flush()
            while not self.site.closing.wait(every):
                out.write(b"<")
                out.flush()
        except OSError:
            return


class Site(http.server.ThreadingHTTPServer):
    """Routes (path → handler) on 127.0.0.1; `requests` records what was asked, in order."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Handler] = {}
        self.requests: list[Request] = []
        self.closing = threading.Event()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def url(self, path: str, userinfo: str = "") -> str:
        return f"http://{userinfo + '@' if userinfo else ''}127.0.0.1:{self.server_address[1]}{path}"

    def page(self, path: str, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
        self.routes[path] = lambda answer: answer.send(200, body, content_type)

    def asked(self, path: str) -> list[Request]:
        return [request for request in self.requests if request.path == path]

    def wait_for(self, path: str, timeout: float = 10.0) -> None:
        """Until `path` has been asked for; fails after `timeout` seconds."""
        until = time.monotonic() + timeout
        while not self.asked(path):
            assert time.monotonic() < until, f"{path} was never asked for"
            time.sleep(0.02)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: Site
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.requests.append(Request(self.path, self.headers.get("Authorization"),
                                            bool(self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since"))))
        route = self.server.routes.get(self.path)
        answer = Answer(self, self.server)
        if route is None:
            answer.send(404, b"not found", "text/plain")
        else:
            route(answer)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
        pass


@contextmanager
def serving() -> Iterator[Site]:
    """A Site serving in a thread, closed afterwards (slow answers end at once)."""
    site = Site()
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.closing.set()
        site.shutdown()
        site.server_close()
