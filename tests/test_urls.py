"""Credentials in URLs are cut off wherever a URL enters, whatever they hold, and nothing else of the URL changes;
a fetch still sends them, to their site only."""
from __future__ import annotations

import base64
import string
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import webserver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.ingest.documents import Document
from index.ingest.sources.web import Fetcher
from index.ingest.update import ingest
from index.passage import Passage
from index.store import generations as store
from index.urls import split_credentials, without_credentials

# What a user name or password may hold, percent-encoded as a URL needs it (":" inside a password too).
SECRETS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=20)
HOSTS = st.sampled_from(["example.org", "127.0.0.1", "[::1]", "xn--fiq228c.example", "a-b.c.d"])
PORTS = st.none() | st.integers(1, 65535)
PATHS = st.lists(st.text(string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@%", max_size=8), max_size=4)
TAILS = st.tuples(st.none() | st.text(string.ascii_letters + "=&@:/?", max_size=10),
                  st.none() | st.text(string.ascii_letters + "@:/?#", max_size=10))


def encoded(text: str) -> str:
    return quote(text, safe="")


@st.composite
def urls_with_userinfo(draw: st.DrawFn) -> tuple[str, str, str, str]:
    """(url with credentials, the same url without them, user, password)."""
    scheme = draw(st.sampled_from(["http://", "https://", "HTTP://", "//"]))
    user, password = draw(SECRETS), draw(st.none() | SECRETS)
    userinfo = encoded(user) + ("" if password is None else ":" + encoded(password))
    host, port = draw(HOSTS), draw(PORTS)
    path = "/" + "/".join(draw(PATHS))
    query, fragment = draw(TAILS)
    rest = host + (f":{port}" if port else "") + path + (f"?{query}" if query is not None else "") \
        + (f"#{fragment}" if fragment is not None else "")
    return f"{scheme}{userinfo}@{rest}", scheme + rest, user, password or ""


@settings(max_examples=400, deadline=None)
@given(urls_with_userinfo())
def test_credentials_are_cut_off_and_nothing_else(case: tuple[str, str, str, str]) -> None:
    url, public, user, password = case
    assert without_credentials(url) == public
    assert split_credentials(url)[1] is not None
    assert without_credentials(public) == public  # idempotent: nothing more to cut
    assert Passage("p-1", "d", "t", "T", "S", None, url, 1).url == public
    if not public.startswith("//"):
        parsed = httpx.URL(public)
        assert parsed.userinfo == b"" and parsed.host == httpx.URL(url).host
        assert httpx.URL(url).password == password and httpx.URL(url).username == user


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=60))
def test_any_string_loses_at_most_its_userinfo(text: str) -> None:
    """Whatever the string, what is left of it parses (when it parses at all) to a URL with no userinfo."""
    public, userinfo = split_credentials(text)
    assert without_credentials(public) == public
    if userinfo is None:
        assert public == text
    try:
        parsed = httpx.URL(public)
    except (httpx.InvalidURL, ValueError):
        return
    assert parsed.userinfo == b""


def test_a_document_keeps_no_credentials() -> None:
    document = Document(Path("fish"), "text", "T", None, "S", "https://a:b@example.org/x", (), "h", "f",
                        origin="http://a:b@example.org/x")
    assert (document.url, document.origin, document.identity) == (
        "https://example.org/x", "http://example.org/x", "http://example.org/x")


@pytest.fixture(scope="module")
def web() -> webserver.Site:
    with webserver.serving() as served:
        served.page("/readout", webserver.readout("lighthouses"))
        yield served


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(user=SECRETS, password=SECRETS)
def test_a_fetch_sends_any_credentials_and_the_index_keeps_none(web: webserver.Site, tmp_path_factory,
                                                                 fake_embedder, user: str, password: str) -> None:
    directory = tmp_path_factory.mktemp("index")
    userinfo = f"{encoded(user)}:{encoded(password)}"
    web.requests.clear()
    report = ingest([], directory, fake_embedder, urls=[web.url("/readout", userinfo)], fetcher=Fetcher(backoff=0))
    assert report.added == ["readout"]
    expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    assert [request.authorization for request in web.requests] == [expected]
    for path in directory.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert f"{userinfo}@".encode() not in data and f"{user}:{password}@".encode() not in data
    assert [record.path for record in store.load(directory).manifest.documents] == [web.url("/readout")]
